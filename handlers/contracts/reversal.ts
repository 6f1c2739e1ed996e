// Contract of PC-04 reversal (304).
// PC-04 reversal (冲正请求): the card system takes back one of its payments, named by that
// payment's serial; the reversal's own serial is the header's. Exactly once per payment (2009 for
// a second reversal under another serial), the same status rule as PC-03, and an unknown original
// is answered 2008 and remembered (a tombstone in the original's TAB_PAY slot) so that the payment
// arriving late is refused. The rule is the posting domain's (src/domain/posting.ts reverse(),
// docs/payments.md).
// The wire contract (handlers/contracts/define.ts); the handler is handlers/reversal.ts.
import { char, money, withDoc } from '../../protocol/fields.js';
import { SERIAL_PATTERN } from '../../protocol/serial.js';
import { idField, svcnum } from '../kit/fields.js';
import { postingReply } from './payment.js';
import { defineWriteContract } from './define.js';

/** The card system's serial of the payment to reverse: the one serial rule (protocol/serial.ts), as a write's header serial. */
export const origSerial = char('origSerial', 20, { pattern: SERIAL_PATTERN, doc: "the original payment's serial (its 303 header serial), by the serial rule of section 2: 1–20 printable ASCII characters without spaces or vertical bars" });

export const contract = defineWriteContract({
  key: 'REVERSAL',
  module: import.meta.url,
  request: [svcnum, origSerial],
  response: [withDoc(money('amount'), 'fen taken back (positive: the payment as it stood)'), idField('origPaysn', 'TAB_PAY.PAYSN of the payment reversed'), ...postingReply],
  refusals: ['NO_SUBSCRIBER', 'STATUS_FORBIDS', 'ORIGINAL_NOT_FOUND', 'ALREADY_REVERSED', 'NO_ACCOUNT', 'BALANCE_OUT_OF_RANGE', 'SERIAL_CONFLICT'],
  doc: `Reverses one card payment of the number, named by its serial (\`origSerial\`, the serial of its 303); the \
reversal's own serial is the header's. One unit of work, as PC-03 with the negated amount: a TAB_PAY reversal row \
(STATUS 3, AMOUNT negative, ORIG_PAYSN = the payment), the payment marked reversed (STATUS 2, REVERSED_BY), the \
deposit row and totals, ACCT_BALANCE lowered; then the same status rule as PC-03 (resume when arrears-suspended and \
the real-time balance is above zero). A reversal that drives the balance below zero does **not** suspend the number: \
suspension for arrears is the nightly arrears run's (the operator sees the line suspended after that run, not at the \
reversal). Exactly once: a second reversal of the same payment under another serial is 2009 (the same serial again is \
PC-06's replay). An \`origSerial\` the card system never got posted here is 2008 **and remembered**: a tombstone row \
takes the original's place (TAB_PAY STATUS 3, AMOUNT 0, ORIG_PAYSN empty, SERIAL = \`origSerial\`), so that the \
payment, arriving late, is refused 2009 instead of posted. A serial that is another number's payment, a reversal's or \
a correction's is 2008. An unknown number is 2001 (nothing remembered: no payment to it could be posted); a cancelled \
number is 2004. See docs/payments.md.`,
  example: {
    request: { svcnum: '13997000001', origSerial: 'C00000000000000101' },
    response: { amount: 3000n, origPaysn: '101', paysn: '100000002', acctid: '300000001', balance: 9345n, realtimeBalance: 1825n, status: 1, resumed: 0 },
  },
});

export default contract.rows;
