// PC-04 reversal (冲正请求): the card system takes back one of its payments, named by that
// payment's serial; the reversal's own serial is the header's. Exactly once per payment (2009 for
// a second reversal under another serial), the same status rule as PC-03, and an unknown original
// is answered 2008 and remembered (a tombstone in the original's TAB_PAY slot) so that the payment
// arriving late is refused. docs/payments.md.
import { GatewayError } from '../protocol/return-codes.js';
import { PAY_STATUS } from '../src/store/schema.js';
import { PAY_BY_PAYSN } from '../src/store/queries/payments.js';
import { defineWriteHandler } from './kit/define.js';
import { cardClient, effectiveAmount, findPosting, isTombstone, lockAccount, post, type PayRow } from './kit/posting.js';
import { realtimeBalance } from './kit/realtime-balance.js';
import { findSubscriber, type Subscriber } from './kit/subscriber.js';
import { postingBody } from './payment.js';
import { contract } from './contracts/reversal.js';

export { origSerial } from './contracts/reversal.js';

/** The payment a reversal names, or a refusal (2008 / 2009) when it cannot be reversed. */
function checkOriginal(orig: PayRow, sub: Subscriber, serial: string): void {
  if (isTombstone(orig)) throw new GatewayError('ORIGINAL_NOT_FOUND', `流水号 ${serial} 的缴费未到达（此前的冲正已记录）`);
  // The serial of a reversal or a correction, or another subscriber's payment: not a payment of this number.
  if (orig.status === PAY_STATUS.REVERSAL.code || orig.orig_paysn !== null || orig.subscrbid !== sub.subscrbid) {
    throw new GatewayError('ORIGINAL_NOT_FOUND', `流水号 ${serial} 不是 ${sub.svcnum} 的缴费`);
  }
  if (orig.status === PAY_STATUS.REVERSED.code) throw new GatewayError('ALREADY_REVERSED', `流水号 ${serial} 已冲正`);
}

export default defineWriteHandler(contract, {
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
      throw new GatewayError('ORIGINAL_NOT_FOUND', `流水号 ${origSerial} 的缴费不存在；已记录，该笔缴费迟到时将被拒绝`, { keepWrites: true });
    }
    checkOriginal(orig, sub, origSerial);
    const amount = await effectiveAmount(ctx, orig);
    const p = await post(ctx, { kind: 'reversal', sub, amount: -amount, source, serial: ctx.serial, original: orig });
    ctx.logPosting?.({ client: source, serial: ctx.serial, svcnum, amount: -amount, balance: p.balance, paysn: p.paysn, kind: 'reversal', orig: origSerial }, p);
    return { amount, origPaysn: String(orig.paysn), ...postingBody(sub, p) };
  },
});
