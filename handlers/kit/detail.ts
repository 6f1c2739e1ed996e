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
  const rows = await CALL_DETAIL_PAGE.all(ctx.store, cycle, { svcnum, offset: req.offset, limit });
  const items = rows.map((r) => ({
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
  }));
  const total = await totalOf(CALL_DETAIL_COUNT, ctx, cycle, { svcnum }, req.offset, limit, items.length);
  return { total, items };
}

// ---------------------------------------------------------------------------------------------
// C1-03, PR-03: CDMA1X data sessions (TICKET_CDMA1X).

/** One page of a data card's sessions of a month, in time order, and their total. */
export async function dataDetail(ctx: HandlerContext, svcnum: string, cycle: string, req: PageRequest): Promise<{ total: number; items: DataItem[] }> {
  const limit = Math.min(req.limit, DATA_MAX_PAGE);
  const rows = await DATA_DETAIL_PAGE.all(ctx.store, cycle, { svcnum, offset: req.offset, limit });
  const items = rows.map((r) => ({
    start: r.starttime,
    duration: r.duration,
    upvolume: r.upvolume,
    downvolume: r.downvolume,
    apn: r.apn,
    visitarea: blank(r.visitarea),
    fee: r.fee,
  }));
  const total = await totalOf(DATA_DETAIL_COUNT, ctx, cycle, { svcnum }, req.offset, limit, items.length);
  return { total, items };
}

// ---------------------------------------------------------------------------------------------
// VO-08: IP Phone calls (TICKET_163).

/** One page of the IP Phone calls of a card (C) or made from a number (N) in a month, and their total. */
export async function voipDetail(ctx: HandlerContext, by: VoipKey, num: string, cycle: string, req: PageRequest): Promise<{ total: number; items: VoipItem[] }> {
  const q = by === 'C' ? VOIP_DETAIL_BY_CARD : VOIP_DETAIL_BY_NUMBER;
  const limit = Math.min(req.limit, VOIP_MAX_PAGE);
  const rows = await q.page.all(ctx.store, cycle, { num, offset: req.offset, limit });
  const items = rows.map((r) => ({
    cardnum: r.cardnum,
    svcnum: r.svcnum,
    othernum: r.othernum,
    start: r.starttime,
    duration: r.duration,
    longtype: r.longtype,
    fee: r.fee,
  }));
  const total = await totalOf(q.count, ctx, cycle, { num }, req.offset, limit, items.length);
  return { total, items };
}

// ---------------------------------------------------------------------------------------------

/** A code or area the query selects as ' ' where the record has none (tickets.ts): '' here, spaces on the wire. */
function blank(v: string): string {
  return v.trimEnd();
}

/**
 * The total of a paged read. A page shorter than asked for that holds records ends the list, and
 * an empty first page means there is none: the total follows from the page, without the count
 * query. A full page, or an empty page past the end, needs the count.
 */
async function totalOf<B extends Record<string, BindType>>(
  count: TicketQuery<B, { cnt: 'int' }>,
  ctx: HandlerContext,
  cycle: string,
  binds: BindsOf<B>,
  offset: number,
  limit: number,
  got: number,
): Promise<number> {
  if (got > 0 && got < limit) return offset + got;
  if (got === 0 && offset === 0) return 0;
  const [row] = await count.all(ctx.store, cycle, binds);
  return row?.cnt ?? 0;
}
