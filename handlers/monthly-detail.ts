// Serves CS-11 monthly-detail (111).
// CS-11 monthly call detail (月结话费详单查询): number + cycle → the month's voice
// (TICKET_GSMCDMA_cycle) and SMS (TICKET_SMS_cycle) records, merged in time order, paged.
import { defineHandler } from './kit/define.js';
import { CALL_NETS, callDetail } from './kit/detail.js';
import { findSubscriber, refuseNoPrint } from './kit/subscriber.js';
import { contract } from './contracts/monthly-detail.js';

export default defineHandler(contract, {
  async handle(req, ctx) {
    const sub = await findSubscriber(ctx, req.svcnum, { nets: CALL_NETS });
    await refuseNoPrint(ctx, sub);
    return callDetail(ctx, sub.svcnum, req.cycle, req);
  },
});
