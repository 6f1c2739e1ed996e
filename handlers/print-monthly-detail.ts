// Serves PR-02 print-monthly-detail (402).
// PR-02 print kiosk monthly call detail (月结话费详单查询, print interface): CS-11 for a self-service
// kiosk, which carries the number's service password: a kiosk prints nobody's detail without it.
import { defineHandler } from './kit/define.js';
import { CALL_NETS, callDetail } from './kit/detail.js';
import { checkPassword } from './kit/password.js';
import { findSubscriber, refuseNoPrint } from './kit/subscriber.js';
import { contract } from './contracts/print-monthly-detail.js';

export default defineHandler(contract, {
  async handle(req, ctx) {
    const sub = await findSubscriber(ctx, req.svcnum, { nets: CALL_NETS });
    await checkPassword(ctx, sub, req.password);
    await refuseNoPrint(ctx, sub);
    return callDetail(ctx, sub.svcnum, req.cycle, req);
  },
});
