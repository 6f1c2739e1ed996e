// Serves CS-15 blacklist-query (115).
// CS-15 blacklist query (黑名单查询): ID-document number → its TAB_SPECIALCUSTLST entries.
import { BLACKLIST_COUNT, BLACKLIST_PAGE } from '../src/store/queries/blacklist.js';
import { defineHandler } from './kit/define.js';
import { contract, MAX_PAGE } from './contracts/blacklist-query.js';

export { MAX_PAGE } from './contracts/blacklist-query.js';

export default defineHandler(contract, {
  async handle({ offset, limit, idNum }, ctx) {
    const count = await BLACKLIST_COUNT.one(ctx.store, { idnum: idNum });
    const total = count?.n ?? 0;
    const rows = offset >= total ? [] : await BLACKLIST_PAGE.all(ctx.store, { idnum: idNum, offset, limit: Math.min(limit, MAX_PAGE) });
    return {
      total,
      items: rows.map((r) => ({
        listid: String(r.listid),
        idType: r.idtype,
        custName: r.custname,
        listType: r.listtype,
        reason: r.reason,
        owed: r.owed,
        region: r.region,
        listStatus: r.status,
        created: r.created,
      })),
    };
  },
});
