// THE table of body layouts, one entry per business type that has them (STYLE.md: one table
// for layouts). Handlers take their request/response layouts from here, and the CLI and the
// test client find them by code, so the bytes a client sends and the handler's decoder agree.
// Business types without an entry are not implemented yet (SPEC.md coverage table: planned).
import type { Layout } from './layout-types.js';
import { BUSINESS_TYPES } from './business-types.js';

export interface BusinessLayouts {
  /** Request body layout. */
  readonly request: Layout;
  /** Response fields after the message; sent only when the result is 0. */
  readonly response: Layout;
}

/** CS-01 connection check (101): empty request; the database state, back end and server time. */
export const CONNECTION_CHECK: BusinessLayouts = Object.freeze({
  request: Object.freeze([]) as Layout,
  response: Object.freeze([
    { name: 'database', type: 'u8', doc: '1 = the database answered' },
    { name: 'dialect', type: 'char', width: 8, doc: 'sqlite, postgres or oracle' },
    { name: 'serverTime', type: 'datetime', doc: "the gateway's local time" },
  ] as const) as Layout,
});

/** Layouts by wire business code. */
export const LAYOUTS_BY_CODE: ReadonlyMap<number, BusinessLayouts> = new Map<number, BusinessLayouts>([
  [BUSINESS_TYPES.CONNECTION_CHECK.code, CONNECTION_CHECK],
]);
