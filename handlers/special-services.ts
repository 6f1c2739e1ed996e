// Serves CS-04 special-services (104), VO-10 voip-service-changes (210).
// CS-04 special-service query (用户特服查询) and VO-10 service-change records by card (IP Phone通过卡号
// 查询服务异动记录): number (or card) → SUBSCRBID → TAB_SRVG, the special services, and
// USR_BUSI_SRVG, their changes. The legacy text says both ("取得用户特服异动详细资料信息": the
// services and the details of their changes), so the reply carries two lists.
import { SRVG_CHANGES, SRVG_CHANGE_COUNT, SRVG_OF_SUBSCRIBER } from '../src/store/queries/records.js';
import type { HandlerContext } from '../src/types.js';
import { defineHandler } from './kit/define.js';
import { findSubscriber, findVoipByCard, type Subscriber } from './kit/subscriber.js';
import * as contracts from './contracts/special-services.js';
import { MAX_SERVICES, MAX_CHANGES, SRVG_MEANINGS } from './contracts/special-services.js';

export { MAX_SERVICES, MAX_CHANGES } from './contracts/special-services.js';

const SRVG_NAME = new Map<string, string>(SRVG_MEANINGS.map((c) => [String(c.code), c.zh]));

async function servicesOf(ctx: HandlerContext, sub: Subscriber) {
  const subscrbid = sub.subscrbid;
  const services = await SRVG_OF_SUBSCRIBER.all(ctx.store, { subscrbid, n: MAX_SERVICES });
  const count = await SRVG_CHANGE_COUNT.one(ctx.store, { subscrbid });
  const changes = await SRVG_CHANGES.all(ctx.store, { subscrbid, n: MAX_CHANGES });
  return {
    services: services.map((s) => ({
      srvgid: s.srvgid,
      srvgname: SRVG_NAME.get(s.srvgid) ?? '',
      param: s.param,
      status: s.status,
      startdate: s.startdate,
      enddate: s.enddate,
    })),
    changeTotal: count?.total ?? 0,
    changes: changes.map((c) => ({
      busisn: String(c.busisn),
      srvgid: c.srvgid,
      action: c.action,
      param: c.param,
      operator: c.operator,
      created: c.created,
    })),
  };
}

const specialServices = defineHandler(contracts.specialServices, {
  async handle({ svcnum }, ctx) {
    return servicesOf(ctx, await findSubscriber(ctx, svcnum));
  },
});

const voipServiceChanges = defineHandler(contracts.voipServiceChanges, {
  async handle({ cardnum }, ctx) {
    return servicesOf(ctx, await findVoipByCard(ctx, cardnum));
  },
});

export default [...specialServices, ...voipServiceChanges];
