// What the bill and real-time fee functions (CS-10, VO-03, C1-01; CS-12, VO-04, C1-02, SM-02)
// should answer, read straight from the seeded tables with the suite's own SQL (h.facts, per
// schema): amounts are read as text so that SQLite returns them exactly beyond 2^53, and summed
// here as bigint, not by the handler's code.
import type { Test } from 'tap';
import { formatDateTime } from '../../src/time.js';
import type { Harness } from '../helpers/seeded.js';

/** A timestamp as the harness returns it (Date on PostgreSQL, local-time text on SQLite) → YYYYMMDDHHMMSS. */
export function wireTime(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return formatDateTime(v);
  return String(v).replace(/\D/g, '').slice(0, 14).padEnd(14, '0');
}

export interface ExpectedBill {
  items: { item: number; itemName: string; amount: bigint; discount: bigint }[];
  total: bigint;
  discountTotal: bigint;
}

export async function expectedBill(h: Harness, subscrbid: number | bigint, cycle: string): Promise<ExpectedBill> {
  const items = await h.facts.billItems(subscrbid, cycle);
  return {
    items,
    total: items.reduce((a, i) => a + i.amount, 0n),
    discountTotal: items.reduce((a, i) => a + i.discount, 0n),
  };
}

export interface ExpectedRealtime {
  usage: { item: number; amount: bigint }[];
  rents: { item: number; amount: bigint }[];
  usageTotal: bigint;
  rentTotal: bigint;
  rated: string;
  balance: bigint;
  accountCharges: bigint;
  realtimeBalance: bigint;
}

export async function expectedRealtime(h: Harness, subscrbid: number | bigint, acctid: number | bigint, cycle: string): Promise<ExpectedRealtime> {
  const fees = await h.facts.fees(subscrbid, cycle);
  const balance = (await h.facts.balance(acctid)) ?? 0n;
  const acct = await h.facts.accountCharges(acctid, cycle);
  const latest = (lines: { updated: unknown }[]) => lines.map((l) => wireTime(l.updated)).reduce((a, x) => (x > a ? x : a), '');
  const ut = latest(fees.usage);
  const rt = latest(fees.rents);
  const charges = acct.usage + acct.rents;
  return {
    usage: fees.usage.map((r) => ({ item: r.item, amount: r.amount })),
    rents: fees.rents.map((r) => ({ item: r.item, amount: r.amount })),
    usageTotal: fees.usageTotal,
    rentTotal: fees.rentTotal,
    rated: ut > rt ? ut : rt,
    balance,
    accountCharges: charges,
    realtimeBalance: balance - charges,
  };
}

/** The reply body of a real-time fee function against what the tables hold, field by field. */
export function sameRealtime(t: Test, body: Record<string, unknown> | undefined, e: ExpectedRealtime, what: string): void {
  t.ok(body, `${what}: a body`);
  if (!body) return;
  t.same(body.usage, e.usage, `${what}: usage items`);
  t.same(body.rents, e.rents, `${what}: rent items`);
  t.equal(body.usageTotal, e.usageTotal, `${what}: usage total`);
  t.equal(body.rentTotal, e.rentTotal, `${what}: rent total`);
  t.equal(body.total, e.usageTotal + e.rentTotal, `${what}: total`);
  t.equal(body.rated, e.rated, `${what}: last rated`);
  t.equal(body.balance, e.balance, `${what}: settled balance`);
  t.equal(body.accountCharges, e.accountCharges, `${what}: account charges`);
  t.equal(body.realtimeBalance, e.realtimeBalance, `${what}: real-time balance`);
}
