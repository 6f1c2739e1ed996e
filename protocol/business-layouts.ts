// Body layouts per business type: the one table both sides use. The server decodes requests and
// encodes responses with these; the client (src/client.ts, the CLI) does the reverse. Handlers
// re-export their own rows. A response layout lists the fields AFTER the leading message, which
// are present only when the result is 0 (DESIGN.md, body rules).
import type { Layout } from './layout-types.js';

export interface BusinessLayouts {
  request: Layout;
  response: Layout;
}

/** CS-01 connection check (连接校验): empty request. */
export const CONNECTION_CHECK: BusinessLayouts = {
  request: [],
  response: [
    // 1 = the database answered a trivial query; a database that does not answer gives 9001 instead.
    { name: 'database', type: 'u8', doc: '1 = the database answered' },
    { name: 'dialect', type: 'char', width: 8, doc: 'sqlite | postgres | oracle' },
    { name: 'serverTime', type: 'datetime', doc: "gateway's local time, YYYYMMDDHHMMSS" },
  ],
};

/** biz code → layouts. Filled as business functions land. */
export const LAYOUTS_BY_CODE: ReadonlyMap<number, BusinessLayouts> = new Map([[101, CONNECTION_CHECK]]);
