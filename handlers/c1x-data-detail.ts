// Serves C1-03 c1x-data-detail (233).
// C1-03 CDMA1X data detail (CDMA1X用户详单查询): number + cycle → the month's data sessions
// (TICKET_CDMA1X_cycle), in time order, paged. CDMA1X data cards only.
import { defineHandler } from './kit/define.js';
import { DATA_NETS, dataDetail } from './kit/detail.js';
import { findSubscriber, refuseNoPrint } from './kit/subscriber.js';
import { contract } from './contracts/c1x-data-detail.js';

export default defineHandler(contract, {
  async handle(req, ctx) {
    const sub = await findSubscriber(ctx, req.svcnum, { nets: DATA_NETS });
    await refuseNoPrint(ctx, sub);
    return dataDetail(ctx, sub.svcnum, req.cycle, req);
  },
});
