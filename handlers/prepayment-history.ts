// Serves CS-17 prepayment-history (117), VO-09 voip-prepayment-history (209).
// CS-17 prepayment history (预交流水查询) and VO-09 prepayment history by card (IP Phone通过卡号查询
// 预交款缴费记录): every TAB_PAY row of the subscriber since the account was opened ("开户以来所有的
// 交费记录"), paged, newest first; a reversal is a row of its own with a negative amount.
import type { HandlerContext } from '../src/types.js';
import { defineHandler } from './kit/define.js';
import { payHistory } from './kit/history.js';
import { findSubscriber, findVoipByCard, type Subscriber } from './kit/subscriber.js';
import * as contracts from './contracts/prepayment-history.js';
import { MAX_PAGE } from './contracts/prepayment-history.js';

export { MAX_PAGE } from './contracts/prepayment-history.js';

function paymentsOf(ctx: HandlerContext, sub: Subscriber, offset: number, limit: number) {
  return payHistory(ctx, sub, offset, Math.min(limit, MAX_PAGE));
}

const cs17 = defineHandler(contracts.cs17, {
  async handle({ offset, limit, svcnum }, ctx) {
    return paymentsOf(ctx, await findSubscriber(ctx, svcnum, { cancelled: true }), offset, limit);
  },
});

const vo09 = defineHandler(contracts.vo09, {
  async handle({ offset, limit, cardnum }, ctx) {
    return paymentsOf(ctx, await findVoipByCard(ctx, cardnum, { cancelled: true }), offset, limit);
  },
});

export default [...cs17, ...vo09];
