// Serves PC-08 recent-card-payments (308).
// PC-08 last hour's card payments (最近一小时缴费卡缴费): the ops look-up the legacy runbook did by
// hand in SQL (`select * from tab_pay where paydate>sysdate-1/24 and paymode='15'`), as business
// type 308 and as `bssgate report card-payments --since 1h` (src/reconcile.ts shares the queries).
import { PAY_MODES } from '../src/domain/codes.js';
import { CARD_PAYMENTS_SINCE_COUNT, CARD_PAYMENTS_SINCE_PAGE } from '../src/store/queries/payments.js';
import { defineHandler } from './kit/define.js';
import { contract, MAX_PAGE } from './contracts/recent-card-payments.js';

export { MAX_PAGE, MAX_MINUTES } from './contracts/recent-card-payments.js';

export default defineHandler(contract, {
  async handle({ minutes, offset, limit }, ctx) {
    const since = new Date(ctx.clock.now() - minutes * 60_000);
    const binds = { since, paymode: PAY_MODES.CARD.code };
    const count = await CARD_PAYMENTS_SINCE_COUNT.one(ctx.store, binds);
    const rows = await CARD_PAYMENTS_SINCE_PAGE.all(ctx.store, { ...binds, off: offset, lim: Math.min(limit, MAX_PAGE) });
    return {
      net: count?.net ?? 0n,
      total: count?.total ?? 0,
      items: rows.map((r) => ({ paysn: String(r.paysn), svcnum: r.svcnum, amount: r.amount, paytime: r.paytime, source: r.source, serial: r.serial, payStatus: r.status, operator: r.operator })),
    };
  },
});
