// Serves PC-04 reversal (304).
// PC-04 reversal (冲正请求): the card system takes back one of its payments, named by that
// payment's serial; the reversal's own serial is the header's. Exactly once per payment (2009 for
// a second reversal under another serial), the same status rule as PC-03, and an unknown original
// is answered 2008 and remembered (a tombstone in the original's TAB_PAY slot) so that the payment
// arriving late is refused. docs/payments.md.
import { char, money, withDoc } from '../protocol/fields.js';
import { GatewayError } from '../protocol/return-codes.js';
import { SERIAL_PATTERN } from '../protocol/serial.js';
import { PAY_STATUS } from '../src/domain/codes.js';
import { PAY_BY_PAYSN } from '../src/store/queries/payments.js';
import { KeptRefusal } from '../src/kept-refusal.js';
import { defineWriteHandler } from './kit/define.js';
import { idField, svcnum } from './kit/fields.js';
import { cardClient, effectiveAmount, findPosting, isTombstone, lockAccount, post, type PayRow } from './kit/posting.js';
import { realtimeBalance } from './kit/realtime-balance.js';
import { findSubscriber, type Subscriber } from './kit/subscriber.js';
import { postingBody, postingReply } from './payment.js';

/** The card system's serial of the payment to reverse: the one serial rule (protocol/serial.ts), as a write's header serial. */
export const origSerial = char('origSerial', 20, { pattern: SERIAL_PATTERN, doc: "the original payment's serial (its 303 header serial), by the serial rule of section 2: 1–20 printable ASCII characters without spaces or vertical bars" });

/** The payment a reversal names, or a refusal (2008 / 2009) when it cannot be reversed. */
function checkOriginal(orig: PayRow, sub: Subscriber, serial: string): void {
  if (isTombstone(orig)) throw new GatewayError('ORIGINAL_NOT_FOUND', `流水号 ${serial} 的缴费未到达（此前的冲正已记录）`);
  // The serial of a reversal or a correction, or another subscriber's payment: not a payment of this number.
  if (orig.status === PAY_STATUS.REVERSAL.code || orig.orig_paysn !== null || orig.subscrbid !== sub.subscrbid) {
    throw new GatewayError('ORIGINAL_NOT_FOUND', `流水号 ${serial} 不是 ${sub.svcnum} 的缴费`);
  }
  if (orig.status === PAY_STATUS.REVERSED.code) throw new GatewayError('ALREADY_REVERSED', `流水号 ${serial} 已冲正`);
}

export default defineWriteHandler({
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
  async handle({ svcnum, origSerial }, ctx) {
    const sub = await findSubscriber(ctx, svcnum);
    const source = cardClient(ctx);
    // The account first, then the payment as it stands (its status, its reconciliation
    // corrections): a correction committed while this unit waited for the lock is counted.
    await lockAccount(ctx, sub.acctid);
    // This reversal's serial posted already (by the reconciliation, PC-07): answer that posting.
    const mine = await findPosting(ctx, source, ctx.serial);
    if (mine) {
      const orig = mine.orig_paysn === null ? undefined : await PAY_BY_PAYSN.one(ctx.store, { paysn: mine.orig_paysn });
      if (mine.status !== PAY_STATUS.REVERSAL.code || !orig || orig.serial !== origSerial || orig.subscrbid !== sub.subscrbid) {
        throw new GatewayError('SERIAL_CONFLICT', `流水号 ${ctx.serial} 已用于其他交易`);
      }
      const rt = await realtimeBalance(ctx, sub);
      return { amount: -mine.amount, origPaysn: String(orig.paysn), paysn: String(mine.paysn), acctid: String(sub.acctid), balance: rt.balance, realtimeBalance: rt.realtime, status: sub.status, resumed: 0 };
    }
    const orig = await findPosting(ctx, source, origSerial);
    if (!orig) {
      await post(ctx, { kind: 'tombstone', sub, amount: 0n, source, serial: origSerial });
      throw new KeptRefusal('ORIGINAL_NOT_FOUND', `流水号 ${origSerial} 的缴费不存在；已记录，该笔缴费迟到时将被拒绝`);
    }
    checkOriginal(orig, sub, origSerial);
    const amount = await effectiveAmount(ctx, orig);
    const p = await post(ctx, { kind: 'reversal', sub, amount: -amount, source, serial: ctx.serial, original: orig });
    ctx.logPosting?.({ client: source, serial: ctx.serial, svcnum, amount: -amount, balance: p.balance, paysn: p.paysn, kind: 'reversal', orig: origSerial }, p);
    return { amount, origPaysn: String(orig.paysn), ...postingBody(sub, p) };
  },
});
