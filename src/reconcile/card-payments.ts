// PC-08: `bssgate report card-payments --since 1h` — the card postings of a recent window, for
// operators (the legacy select … paymode='15'); business type 308 answers the same over the wire.
import { PAY_MODES } from '../domain/codes.js';
import { CARD_PAYMENTS_SINCE_COUNT, CARD_PAYMENTS_SINCE_PAGE } from '../store/queries/payments.js';
import type { Store } from '../store/types.js';
import { formatDateTime } from '../time.js';
import { systemClock, type Clock } from '../clock.js';
import { OPERATOR_NONE } from '../context.js';

/** 90s, 45m, 1h, 2d → ms; a bare integer is minutes. */
export function parseSince(text: string): number {
  const m = /^(\d+)\s*(s|m|h|d)?$/.exec(text.trim());
  if (!m) throw new Error(`--since ${JSON.stringify(text)}: expected a duration such as 1h, 30m, 90s or 2d`);
  const ms = Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? 'm') as 's' | 'm' | 'h' | 'd'];
  if (!(ms > 0) || ms > 366 * 86_400_000) throw new Error(`--since ${JSON.stringify(text)}: expected more than 0 and at most 366d`);
  return ms;
}

/** The card postings since `sinceMs` ago, as text (or JSON lines), newest first. */
export async function cardPaymentsReport(store: Store, sinceMs: number, o: { clock?: Clock; json?: boolean; limit?: number } = {}): Promise<string> {
  const clock = o.clock ?? systemClock;
  const since = new Date(clock.now() - sinceMs);
  const binds = { since, paymode: PAY_MODES.CARD.code };
  const count = await CARD_PAYMENTS_SINCE_COUNT.one(store, binds);
  const rows = await CARD_PAYMENTS_SINCE_PAGE.all(store, { ...binds, off: 0, lim: o.limit ?? 100_000 });
  if (o.json) {
    return rows.map((r) => JSON.stringify({ paysn: String(r.paysn), svcnum: r.svcnum, amount: String(r.amount), paytime: r.paytime, source: r.source, serial: r.serial, status: r.status, operator: r.operator, origPaysn: r.orig_paysn === null ? null : String(r.orig_paysn) })).join('\n') + (rows.length ? '\n' : '');
  }
  const out = [`card postings (TAB_PAY PAYMODE 15) since ${formatDateTime(since)}: ${count?.total ?? 0}, net ${count?.net ?? 0n} fen`];
  out.push(['PAYSN', 'PAYTIME', 'SVCNUM', 'AMOUNT', 'STATUS', 'SOURCE', 'SERIAL', 'OPERATOR'].join('\t'));
  for (const r of rows) out.push([String(r.paysn), r.paytime, r.svcnum, String(r.amount), String(r.status), r.source, r.serial, r.operator || OPERATOR_NONE].join('\t'));
  return `${out.join('\n')}\n`;
}
