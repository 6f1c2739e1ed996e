// Serves PC-05 card-balance (305).
// PC-05 balance inquiry for the line (话费余额查询), asked by the card system for its customer-service
// line: "this month's balance, usage fees, on/off status and the amount needed to be switched back
// on" (当月联通账户余额、通话费及开机状态和开机金额). The figures are the real-time balance kit's, the
// same as CS-12 and the resume rule of PC-03, so the amount quoted is exactly what a payment needs.
import { SUBSCRIBER_STATUS } from '../src/domain/codes.js';
import { defineHandler } from './kit/define.js';
import { cardSettings } from './kit/card.js';
import { realtimeBalance } from './kit/realtime-balance.js';
import { findSubscriber } from './kit/subscriber.js';
import { contract, resumeAmount } from './contracts/card-balance.js';

export { POWER_CODES, resumeAmount } from './contracts/card-balance.js';

export default defineHandler(contract, {
  async handle({ svcnum }, ctx) {
    const sub = await findSubscriber(ctx, svcnum);
    const rt = await realtimeBalance(ctx, sub);
    return {
      acctid: String(sub.acctid),
      cycle: rt.cycle,
      balance: rt.balance,
      usage: rt.usage,
      rents: rt.rents,
      realtimeBalance: rt.realtime,
      status: sub.status,
      power: sub.status === SUBSCRIBER_STATUS.ACTIVE.code ? '1' : '0',
      resumeAmount: resumeAmount(sub.status, rt.realtime, cardSettings(ctx).minAmount),
    };
  },
});
