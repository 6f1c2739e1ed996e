// The paged histories of a subscriber (issue 17): CS-17 / VO-09 (TAB_PAY, newest first) and CS-05 /
// VO-11 (USR_BUSI_RECORD, newest first). Like the ticket lists (handlers/kit/page-cache.ts), a page
// read with OFFSET reads and discards every row before it, so its cost grows with the offset;
// instead the subscriber's whole history is read once, converted to its wire items, kept, and a
// page is a slice of it.
//
// Correctness. These tables are not append-only and bssgate writes them itself (payments,
// reversals, tombstones and reconciliation corrections into TAB_PAY; business records and the
// scanner's status changes into USR_BUSI_RECORD), as the front office does:
//   - every request runs the history's COUNT, and a kept list is used only while its length is that
//     count: a row inserted or deleted by anyone is seen at once, as OFFSET paging sees it;
//   - every write this process commits to those tables is published after its COMMIT
//     (src/store/write-watch.ts, in the store itself, so no write path can miss it), and a list
//     read before a write to the subscriber (or, for a write by PAYSN / BUSISN, to the table) is
//     read again: bssgate's own writes, in place or not, are seen in the very next page;
//   - a row changed in place by another system — the front office, or another gateway process on
//     the same database (its writes are published in that process only) — keeps the count and may
//     be shown in its old form for at most PAGE_CACHE_DEFAULTS.ttlMs (10 s) after the list was read.
import { BUSI_RECORD_COUNT, BUSI_RECORD_PAGE } from '../../src/store/queries/records.js';
import { PAY_HISTORY_COUNT, PAY_HISTORY_PAGE } from '../../src/store/queries/payments.js';
import { writeSeq, writtenSince } from '../../src/store/write-watch.js';
import type { HandlerContext } from '../../src/types.js';
import { cachesOf } from './detail.js';
import type { Subscriber } from './subscriber.js';

import type { BusiItem, PayItem } from './history-items.js';

export type { BusiItem, PayItem } from './history-items.js';

type PayRow = Awaited<ReturnType<typeof PAY_HISTORY_PAGE.all>>[number];
type BusiRow = Awaited<ReturnType<typeof BUSI_RECORD_PAGE.all>>[number];

export interface Page<T> {
  total: number;
  items: T[];
}

/** Rows read beyond the count when a history is loaded (a row inserted between the two is kept too). */
const LOAD_SLACK = 64;

/** CS-17, VO-09: one page of the subscriber's TAB_PAY rows, newest first, and their total. */
export async function payHistory(ctx: HandlerContext, sub: Subscriber, offset: number, limit: number): Promise<Page<PayItem>> {
  const binds = { svcnum: sub.svcnum, subscrbid: sub.subscrbid };
  // Taken before the COUNT: a write published from here on makes what is read now stale.
  const seq = writeSeq();
  const count = (await PAY_HISTORY_COUNT.one(ctx.store, binds))?.total ?? 0;
  if (count === 0) return { total: 0, items: [] };
  const list = await cachesOf(ctx).pay.list(
    `${sub.svcnum}:${sub.subscrbid}`,
    count,
    async () => (await PAY_HISTORY_PAGE.all(ctx.store, { ...binds, off: 0, lim: count + LOAD_SLACK })).map(payItem),
    (since) => writtenSince('TAB_PAY', sub.subscrbid, since),
    seq,
  );
  if (list) return { total: list.length, items: list.slice(offset, offset + limit) };
  const rows = await PAY_HISTORY_PAGE.all(ctx.store, { ...binds, off: offset, lim: limit });
  return { total: count, items: rows.map(payItem) };
}

export function payItem(r: PayRow): PayItem {
  return {
    paysn: String(r.paysn),
    paymode: r.paymode,
    amount: r.amount,
    paytime: r.paytime,
    source: r.source,
    serial: r.serial,
    payStatus: r.status,
    operator: r.operator,
  };
}

/** CS-05, VO-11: one page of the subscriber's business records, newest first, and their total. */
export async function busiHistory(ctx: HandlerContext, sub: Subscriber, offset: number, limit: number): Promise<Page<BusiItem>> {
  const subscrbid = sub.subscrbid;
  const seq = writeSeq();
  const count = (await BUSI_RECORD_COUNT.one(ctx.store, { subscrbid }))?.total ?? 0;
  if (count === 0) return { total: 0, items: [] };
  const list = await cachesOf(ctx).busi.list(
    String(subscrbid),
    count,
    async () => (await BUSI_RECORD_PAGE.all(ctx.store, { subscrbid, off: 0, lim: count + LOAD_SLACK })).map(busiItem),
    (since) => writtenSince('USR_BUSI_RECORD', subscrbid, since),
    seq,
  );
  if (list) return { total: list.length, items: list.slice(offset, offset + limit) };
  const rows = await BUSI_RECORD_PAGE.all(ctx.store, { subscrbid, off: offset, lim: limit });
  return { total: count, items: rows.map(busiItem) };
}

export function busiItem(r: BusiRow): BusiItem {
  return {
    busisn: String(r.busisn),
    busitype: r.busitype,
    busiStatus: r.status,
    param: r.param,
    operator: r.operator,
    created: r.created,
    executed: r.executed,
    result: r.result,
  };
}
