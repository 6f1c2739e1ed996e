// Serves PR-03 print-c1x-detail (403).
// PR-03 print kiosk CDMA1X data detail (月结CDMA1X数据流量详单查询, print interface): C1-03 for a
// self-service kiosk, which carries the data card's service password.
import { defineHandler } from './kit/define.js';
import { DATA_NETS, dataDetail } from './kit/detail.js';
import { checkPassword } from './kit/password.js';
import { findSubscriber, refuseNoPrint } from './kit/subscriber.js';
import { contract } from './contracts/print-c1x-detail.js';

export default defineHandler(contract, {
  async handle(req, ctx) {
    const sub = await findSubscriber(ctx, req.svcnum, { nets: DATA_NETS });
    await checkPassword(ctx, sub, req.password);
    await refuseNoPrint(ctx, sub);
    return dataDetail(ctx, sub.svcnum, req.cycle, req);
  },
});
