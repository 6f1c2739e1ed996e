// Serves VO-08 voip-detail (208).
// VO-08 IP Phone call detail (IP Phone通过卡号或绑定号码查询详单): by card number or by bound
// number + cycle → the month's IP calls (TICKET_163_cycle), in time order, paged.
import { defineHandler } from './kit/define.js';
import { voipDetail } from './kit/detail.js';
import { findSubscriber, findVoipByCard, refuseNoPrint } from './kit/subscriber.js';
import { contract } from './contracts/voip-detail.js';

export default defineHandler(contract, {
  async handle(req, ctx) {
    const sub = req.by === 'C' ? await findVoipByCard(ctx, req.number) : await findSubscriber(ctx, req.number);
    await refuseNoPrint(ctx, sub);
    // The layout's code field admits only C and N.
    return voipDetail(ctx, req.by === 'C' ? 'C' : 'N', req.number, req.cycle, req);
  },
});
