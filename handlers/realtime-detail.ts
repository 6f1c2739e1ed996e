// Serves CS-13 realtime-detail (113).
// CS-13 real-time detail (实时清单查询): the current cycle's voice and SMS records so far, as
// CS-11 (merged in time order, paged); the cycle is the gateway's, not the client's.
import { defineHandler } from './kit/define.js';
import { CALL_NETS, callDetail, cycleOfDate } from './kit/detail.js';
import { findSubscriber, refuseNoPrint } from './kit/subscriber.js';
import { contract } from './contracts/realtime-detail.js';

export default defineHandler(contract, {
  async handle(req, ctx) {
    const sub = await findSubscriber(ctx, req.svcnum, { nets: CALL_NETS });
    await refuseNoPrint(ctx, sub);
    return callDetail(ctx, sub.svcnum, cycleOfDate(ctx.clock.date()), req);
  },
});
