// Contract of PC-03 payment (303).
// PC-03 payment (缴费请求): the card system posts a payment to a number; the serial is the header's
// (流水号). One unit of work through the posting domain (src/domain/posting.ts pay(), docs/payments.md):
// TAB_PAY (PAYMODE 15), TAB_ACCOUNTPREDEPOSIT, TAB_ACCOUNTPREDEPOSITDTAL, ACCT_BALANCE, and the
// resume command when an arrears-suspended line's real-time balance is now above zero. A re-sent
// serial never reaches this handler (PC-06 replays the stored reply in the dispatcher).
// The wire contract (handlers/contracts/define.ts); the handler is handlers/payment.ts.
import { code, money, withDoc } from '../../protocol/fields.js';
import type { CodeMeaning } from '../../protocol/layout-types.js';
import { idField, subscriberStatus, svcnum } from '../kit/fields.js';
import { defineWriteContract } from './define.js';

export const RESUMED_CODES: readonly (CodeMeaning & { code: number })[] = Object.freeze([
  Object.freeze({ code: 0, zh: '未发开机指令', en: 'no resume command queued' }),
  Object.freeze({ code: 1, zh: '已发开机指令', en: 'resume command queued (USR_BUSI_RECORD status 5; the scanner delivers it)' }),
]);

/** The reply fields after a posting, shared by 303 and 304. */
export const postingReply = [
  idField('paysn', 'TAB_PAY.PAYSN of this posting'),
  idField('acctid', 'the paying account (TAB_SUBSCRB.ACCTID)'),
  money('balance', { doc: 'fen: settled balance afterwards (ACCT_BALANCE.BALANCE); negative = owed' }),
  money('realtimeBalance', { doc: "fen: balance − this cycle's unbilled usage and rents of the account (as CS-12)" }),
  withDoc(subscriberStatus, "the number's status afterwards (1 when this posting resumed it)"),
  code('resumed', RESUMED_CODES, { doc: 'whether this posting queued the resume command (开机指令)' }),
] as const;

export const contract = defineWriteContract({
  key: 'PAYMENT',
  module: import.meta.url,
  request: [svcnum, money('amount', { min: 1n, doc: 'fen paid, at least 1; the [card] min_amount/max_amount bounds apply (2010 outside them)' })],
  response: [withDoc(money('amount'), 'fen posted (the request\'s)'), ...postingReply],
  refusals: ['NO_SUBSCRIBER', 'STATUS_FORBIDS', 'AMOUNT_OUT_OF_BOUNDS', 'NO_ACCOUNT', 'BALANCE_OUT_OF_RANGE', 'SERIAL_CONFLICT', 'ALREADY_REVERSED'],
  doc: `A payment from the card system (缴费请求) to the number's paying account, identified by the header's \`serial\`. \
One unit of work: a TAB_PAY row (PAYMODE 15, SOURCE = the card system's client name, SERIAL = the header serial, STATUS 1), \
its TAB_ACCOUNTPREDEPOSIT row, TAB_ACCOUNTPREDEPOSITDTAL and ACCT_BALANCE raised by the amount; the reply is sent only \
after that unit is durably committed. When the number is arrears-suspended (status 3) and the account's real-time \
balance (balance − this cycle's unbilled usage and rents, as CS-12) is now above zero, the resume command is queued in \
the same unit (USR_BUSI_RECORD business 14 PAYMENT_RESUME, status 5) and the number becomes active (\`resumed\` = 1); otherwise the \
status is left alone. Each posting is written to \`suc_query.MMDD\` once committed. A cancelled number is 2004 (any \
other status, suspended ones included, accepts payments); an amount outside [card] min_amount..max_amount is 2010. A \
re-send of the same serial is answered by PC-06 with the stored reply and posts nothing. A serial already posted by \
the reconciliation (PC-07) is answered with that posting (nothing posted twice); a serial whose reversal arrived \
first (PC-04 answered it 2008 and kept a tombstone) is refused 2009: the card system has already reversed it. The \
same serial for another number or amount is 2007. See docs/payments.md.`,
  example: {
    request: { svcnum: '13997000002', amount: 5000n },
    response: { amount: 5000n, paysn: '100000001', acctid: '300000002', balance: 2650n, realtimeBalance: 150n, status: 1, resumed: 1 },
  },
});

export default contract.rows;
