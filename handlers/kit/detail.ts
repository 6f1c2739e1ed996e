// Call detail shared by the detail queries: the paged reads of CS-11 / CS-13 / PR-02 (voice and
// SMS merged), C1-03 / PR-03 (CDMA1X data sessions) and VO-08 (IP Phone calls). The item layouts,
// page sizes and ordering rules are in detail-fields.ts (the contracts use them without the store).
import { CALL_MAX_PAGE, DATA_MAX_PAGE, VOIP_MAX_PAGE, type CallItem, type DataItem, type VoipItem, type VoipKey } from './detail-fields.js';
import {
  CALL_DETAIL_COUNT,
  CALL_DETAIL_PAGE,
  DATA_DETAIL_COUNT,
  DATA_DETAIL_PAGE,
  VOIP_DETAIL_BY_CARD,
  VOIP_DETAIL_BY_NUMBER,
} from '../../src/store/queries/tickets.js';
import type { BindType, BindsOf, TicketQuery } from '../../src/store/queries/define.js';
import type { HandlerContext } from '../../src/types.js';
import { PageCache, PAGE_CACHE_DEFAULTS, type PageCacheOptions } from './page-cache.js';
import type { BusiItem, PayItem } from './history-items.js';

export * from './detail-fields.js';

export interface PageRequest {
  offset: number;
  limit: number;
}

/** The billing cycle (YYYYMM) of a local time: CS-13 reads the current one. */
export function cycleOfDate(d: Date): string {
  return `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}`;
}

// ---------------------------------------------------------------------------------------------
// CS-11, CS-13, PR-02: voice (TICKET_GSMCDMA) and SMS (TICKET_SMS) merged in one list.

/** One page of a number's voice and SMS records of a month, merged in time order, and their total. */
export async function callDetail(ctx: HandlerContext, svcnum: string, cycle: string, req: PageRequest): Promise<{ total: number; items: CallItem[] }> {
  const limit = Math.min(req.limit, CALL_MAX_PAGE);
  const count = await countOf(CALL_DETAIL_COUNT, ctx, cycle, { svcnum });
  if (count === 0) return { total: 0, items: [] };
  const list = await cachesOf(ctx).call.list(`${svcnum}:${cycle}`, count, async () =>
    (await CALL_DETAIL_PAGE.all(ctx.store, cycle, { svcnum, offset: 0, limit: count + LOAD_SLACK })).map(callItem),
  );
  if (list) return { total: list.length, items: list.slice(req.offset, req.offset + limit) };
  const rows = await CALL_DETAIL_PAGE.all(ctx.store, cycle, { svcnum, offset: req.offset, limit });
  return { total: count, items: rows.map(callItem) };
}

export function callItem(r: Awaited<ReturnType<typeof CALL_DETAIL_PAGE.all>>[number]): CallItem {
  return {
    kind: r.kind,
    type: r.ctype,
    othernum: r.othernum,
    start: r.starttime,
    duration: r.duration,
    roamtype: blank(r.roamtype),
    longtype: blank(r.longtype),
    visitarea: blank(r.visitarea),
    spcode: blank(r.spcode),
    basefee: r.basefee,
    longfee: r.longfee,
    fee: r.totalfee,
  };
}

// ---------------------------------------------------------------------------------------------
// C1-03, PR-03: CDMA1X data sessions (TICKET_CDMA1X).

/** One page of a data card's sessions of a month, in time order, and their total. */
export async function dataDetail(ctx: HandlerContext, svcnum: string, cycle: string, req: PageRequest): Promise<{ total: number; items: DataItem[] }> {
  const limit = Math.min(req.limit, DATA_MAX_PAGE);
  const count = await countOf(DATA_DETAIL_COUNT, ctx, cycle, { svcnum });
  if (count === 0) return { total: 0, items: [] };
  const list = await cachesOf(ctx).data.list(`${svcnum}:${cycle}`, count, async () =>
    (await DATA_DETAIL_PAGE.all(ctx.store, cycle, { svcnum, offset: 0, limit: count + LOAD_SLACK })).map(dataItem),
  );
  if (list) return { total: list.length, items: list.slice(req.offset, req.offset + limit) };
  const rows = await DATA_DETAIL_PAGE.all(ctx.store, cycle, { svcnum, offset: req.offset, limit });
  return { total: count, items: rows.map(dataItem) };
}

export function dataItem(r: Awaited<ReturnType<typeof DATA_DETAIL_PAGE.all>>[number]): DataItem {
  return {
    start: r.starttime,
    duration: r.duration,
    upvolume: r.upvolume,
    downvolume: r.downvolume,
    apn: r.apn,
    visitarea: blank(r.visitarea),
    fee: r.fee,
  };
}

// ---------------------------------------------------------------------------------------------
// VO-08: IP Phone calls (TICKET_163).

/** One page of the IP Phone calls of a card (C) or made from a number (N) in a month, and their total. */
export async function voipDetail(ctx: HandlerContext, by: VoipKey, num: string, cycle: string, req: PageRequest): Promise<{ total: number; items: VoipItem[] }> {
  const q = by === 'C' ? VOIP_DETAIL_BY_CARD : VOIP_DETAIL_BY_NUMBER;
  const limit = Math.min(req.limit, VOIP_MAX_PAGE);
  const count = await countOf(q.count, ctx, cycle, { num });
  if (count === 0) return { total: 0, items: [] };
  const list = await cachesOf(ctx).voip.list(`${by}:${num}:${cycle}`, count, async () =>
    (await q.page.all(ctx.store, cycle, { num, offset: 0, limit: count + LOAD_SLACK })).map(voipItem),
  );
  if (list) return { total: list.length, items: list.slice(req.offset, req.offset + limit) };
  const rows = await q.page.all(ctx.store, cycle, { num, offset: req.offset, limit });
  return { total: count, items: rows.map(voipItem) };
}

export function voipItem(r: Awaited<ReturnType<typeof VOIP_DETAIL_BY_CARD.page.all>>[number]): VoipItem {
  return {
    cardnum: r.cardnum,
    svcnum: r.svcnum,
    othernum: r.othernum,
    start: r.starttime,
    duration: r.duration,
    longtype: r.longtype,
    fee: r.fee,
  };
}

// ---------------------------------------------------------------------------------------------

/** A code or area the query selects as ' ' where the record has none (tickets.ts): '' here, spaces on the wire. */
function blank(v: string): string {
  return v.trimEnd();
}

/** The list's length now: the COUNT query (its cost does not depend on the offset). */
async function countOf<B extends Record<string, BindType>>(
  count: TicketQuery<B, { cnt: 'int' }>,
  ctx: HandlerContext,
  cycle: string,
  binds: BindsOf<B>,
): Promise<number> {
  const [row] = await count.all(ctx.store, cycle, binds);
  return row?.cnt ?? 0;
}

/**
 * Records read beyond the count when a list is loaded: a record inserted between the count and
 * the read is then kept too (the list's length, not the count, is the total answered).
 */
const LOAD_SLACK = 64;

interface Caches {
  call: PageCache<CallItem>;
  data: PageCache<DataItem>;
  voip: PageCache<VoipItem>;
  /** CS-17, VO-09 (handlers/kit/history.ts). */
  pay: PageCache<PayItem>;
  /** CS-05, VO-11 (handlers/kit/history.ts). */
  busi: PageCache<BusiItem>;
}

/** One set of month caches per store (a process may serve several stores: tests, the bench). */
let CACHES = new WeakMap<object, Caches>();
let cacheOptions: PageCacheOptions = PAGE_CACHE_DEFAULTS;

/** The page caches of the request's store (handlers/kit/history.ts uses pay and busi). */
export function cachesOf(ctx: HandlerContext): Caches {
  const key = (ctx.store as { base?: object }).base ?? ctx.store;
  let c = CACHES.get(key);
  if (!c) {
    const o = cacheOptions;
    c = { call: new PageCache(o), data: new PageCache(o), voip: new PageCache(o), pay: new PageCache(o), busi: new PageCache(o) };
    CACHES.set(key, c);
  }
  return c;
}

/** The page caches of a store (tests, the bench: their counters). */
export function detailCaches(store: object): Caches | undefined {
  return CACHES.get(store);
}

/** Drop every kept list and use these options from now on (tests, the bench); returns the previous ones. */
export function setDetailCacheOptions(opts: PageCacheOptions): PageCacheOptions {
  const old = cacheOptions;
  cacheOptions = opts;
  CACHES = new WeakMap();
  return old;
}
