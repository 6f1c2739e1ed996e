// PC-03 payment (缴费请求): the card system posts a payment to a number; the serial is the header's
// (流水号). One unit of work through the posting kit (handlers/kit/posting.ts, docs/payments.md):
// TAB_PAY (PAYMODE 15), TAB_ACCOUNTPREDEPOSIT, TAB_ACCOUNTPREDEPOSITDTAL, ACCT_BALANCE, and the
// resume command when an arrears-suspended line's real-time balance is now above zero. A re-sent
// serial never reaches this handler (PC-06 replays the stored reply in the dispatcher).
import { GatewayError } from '../protocol/return-codes.js';
import { PAY_STATUS } from '../src/store/schema.js';
import { defineWriteHandler } from './kit/define.js';
import { cardClient, checkAmount, findPosting, isTombstone, lockAccount, post, type Posted } from './kit/posting.js';
import { realtimeBalance } from './kit/realtime-balance.js';
import { findSubscriber } from './kit/subscriber.js';
import { contract } from './contracts/payment.js';

export { RESUMED_CODES, postingReply } from './contracts/payment.js';

export function postingBody(sub: { acctid: bigint }, p: Posted) {
  return {
    paysn: String(p.paysn),
    acctid: String(sub.acctid),
    balance: p.balance,
    realtimeBalance: p.realtime,
    status: p.subscriberStatus,
    resumed: p.resumed === undefined ? 0 : 1,
  };
}

export default defineWriteHandler(contract, {
  async handle({ svcnum, amount }, ctx) {
    checkAmount(ctx, amount);
    const sub = await findSubscriber(ctx, svcnum);
    const source = cardClient(ctx);
    // The account first, then what is posted under this serial (a reconciliation or a reversal
    // running now has committed or not started by then): docs/payments.md, lock order.
    await lockAccount(ctx, sub.acctid);
    const prior = await findPosting(ctx, source, ctx.serial);
    if (prior) {
      if (isTombstone(prior)) throw new GatewayError('ALREADY_REVERSED', `流水号 ${ctx.serial} 的冲正先到，该笔缴费不再入帐`);
      if (prior.svcnum !== svcnum || prior.amount !== amount || prior.status === PAY_STATUS.REVERSAL.code || prior.orig_paysn !== null) {
        throw new GatewayError('SERIAL_CONFLICT', `流水号 ${ctx.serial} 已用于 ${prior.svcnum} ${prior.amount} 分`);
      }
      if (prior.status === PAY_STATUS.REVERSED.code) throw new GatewayError('ALREADY_REVERSED', `流水号 ${ctx.serial} 已入帐并已冲正`);
      // Posted already (by the reconciliation, or before PC-06's ledger row was purged): answer it.
      const rt = await realtimeBalance(ctx, sub);
      return { amount, paysn: String(prior.paysn), acctid: String(sub.acctid), balance: rt.balance, realtimeBalance: rt.realtime, status: sub.status, resumed: 0 };
    }
    const p = await post(ctx, { kind: 'payment', sub, amount, source, serial: ctx.serial });
    ctx.logPosting?.({ client: source, serial: ctx.serial, svcnum, amount, balance: p.balance, paysn: p.paysn, kind: 'payment' }, p);
    return { amount, ...postingBody(sub, p) };
  },
});
