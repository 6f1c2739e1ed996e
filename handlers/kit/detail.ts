// Call detail shared by the detail queries: the item layouts, the page sizes and the paged reads
// of CS-11 / CS-13 / PR-02 (voice and SMS merged), C1-03 / PR-03 (CDMA1X data sessions) and
// VO-08 (IP Phone calls). Items are fixed width (no free text), so a page's size is known (a
// 200-record call-detail page is 17,000 bytes), and the page sizes keep the largest reply well
// inside the default max_frame of 65536 bytes (test/handlers/registry.test.ts).
import { char, code, datetime, money, u32, type BodyOf } from '../../protocol/fields.js';
import type { NetType } from '../../src/domain/codes.js';
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

/** Voice and SMS records belong to mobile numbers: CS-11, CS-13 and PR-02 serve G and C subscribers. */
export const CALL_NETS: readonly NetType[] = ['G', 'C'];
/** C1-03 / PR-03 serve CDMA1X data cards only. */
export const DATA_NETS: readonly NetType[] = ['X'];

export interface PageRequest {
  offset: number;
  limit: number;
}

/** The billing cycle (YYYYMM) of a local time: CS-13 reads the current one. */
export function cycleOfDate(d: Date): string {
  return `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}`;
}

const DETAIL_ORDER_NOTE =
  'Records are ordered by start time; records that start in the same second are ordered by the remaining item fields (the tie-breaker named below), so the order is total and paging with `offset` neither skips nor repeats a record.';

/** The no-tables rule, said once for every detail query. */
export const NO_TABLES_NOTE =
  'A month whose ticket tables do not exist (long ago, or not started yet) has no records: `total` 0, an empty list, result 0 — never an error.';

// ---------------------------------------------------------------------------------------------
// CS-11, CS-13, PR-02: voice (TICKET_GSMCDMA) and SMS (TICKET_SMS) merged in one list.

export const RECORD_KINDS = [
  { code: 'V', zh: '语音', en: 'voice call (TICKET_GSMCDMA)' },
  { code: 'S', zh: '短信', en: 'short message (TICKET_SMS)' },
] as const;

export const CALL_ITEM = [
  code('kind', RECORD_KINDS, { doc: 'record kind' }),
  char('type', 2, { doc: 'voice (CALLTYPE): 01 originating, 02 terminating, 03 forwarded; SMS (SMSTYPE): 01 sent (MO), 02 received (MT)' }),
  char('othernum', 24, { doc: 'the other party; for value-added messages the service access code' }),
  datetime('start', { doc: 'start of the call, or when the message was sent or received' }),
  u32('duration', { doc: 'seconds; 0 for SMS' }),
  char('roamtype', 1, { doc: 'voice: 0 local, 1 in-province, 2 national, 3 international roaming; space for SMS' }),
  char('longtype', 1, { doc: 'voice: 0 local, 1 in-province, 2 national, 3 international, 4 IP long distance; space for SMS' }),
  char('visitarea', 4, { doc: 'voice: area code where the call was made; spaces when unknown, and for SMS' }),
  char('spcode', 10, { doc: 'SMS: service provider code of a value-added message; spaces otherwise' }),
  money('basefee', { doc: 'fen: voice base (airtime and roaming) fee; SMS the message fee' }),
  money('longfee', { doc: 'fen: voice long-distance fee; 0 for SMS' }),
  money('fee', { doc: 'fen: total of the record (basefee + longfee)' }),
] as const;
export type CallItem = BodyOf<typeof CALL_ITEM>;

/** 85 bytes a record: 500 records are 42,500 bytes. */
export const CALL_MAX_PAGE = 500;

export const CALL_ORDER_DOC = `${DETAIL_ORDER_NOTE} Tie-breaker: SMS before voice (\`kind\` S before V), then \`type\`, \`othernum\`, \`duration\`, \`fee\`, \`basefee\`, \`longfee\`, \`roamtype\`, \`longtype\`, \`visitarea\`, \`spcode\` (blank before any value). Ticket rows carry no key: two records equal in every one of these fields are identical on the wire, whichever comes first.`;

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

export const DATA_ITEM = [
  datetime('start', { doc: 'session start' }),
  u32('duration', { doc: 'seconds' }),
  // Bytes, not money. At CDMA1X's 153.6 kbit/s a session needs more than 60 hours to pass 4 GiB.
  u32('upvolume', { doc: 'bytes sent' }),
  u32('downvolume', { doc: 'bytes received' }),
  char('apn', 32, { doc: 'access point / NAI realm (ctnet, ctwap, …)' }),
  char('visitarea', 4, { doc: 'area code where the session was made; spaces when unknown' }),
  money('fee', { doc: 'fen' }),
] as const;
export type DataItem = BodyOf<typeof DATA_ITEM>;

/** 70 bytes a record: 500 records are 35,000 bytes. */
export const DATA_MAX_PAGE = 500;

export const DATA_ORDER_DOC = `${DETAIL_ORDER_NOTE} Tie-breaker: \`duration\`, \`upvolume\`, \`downvolume\`, \`apn\`, \`fee\`, \`visitarea\` (blank first).`;

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

/** VO-08's `by` (the shared voipBy field): C card number, N bound phone number. */
export type VoipKey = 'C' | 'N';

export const VOIP_ITEM = [
  char('cardnum', 20, { doc: 'the IP Phone card charged' }),
  char('svcnum', 20, { doc: 'calling (bound) number' }),
  char('othernum', 24, { doc: 'called number' }),
  datetime('start', { doc: 'call start' }),
  u32('duration', { doc: 'seconds' }),
  char('longtype', 1, { doc: '1 in-province, 2 national, 3 international' }),
  money('fee', { doc: 'fen' }),
] as const;
export type VoipItem = BodyOf<typeof VOIP_ITEM>;

/** 91 bytes a record: 500 records are 45,500 bytes. */
export const VOIP_MAX_PAGE = 500;

export const VOIP_ORDER_DOC = `${DETAIL_ORDER_NOTE} Tie-breaker: \`svcnum\`, \`othernum\`, \`duration\`, \`fee\`, \`longtype\`, \`cardnum\`.`;

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
