// What the bill and real-time fee functions (CS-10, VO-03, C1-01; CS-12, VO-04, C1-02, SM-02)
// should answer, read straight from the seeded tables with SQL of the test's own: the totals are
// SUMs computed by the database, not by the handler's code. Amounts are cast to text so that
// SQLite returns them exactly beyond 2^53 (better-sqlite3 returns plain numbers without hints).
import type { Test } from 'tap';
import { formatDateTime } from '../../src/time.js';
import type { Harness } from '../helpers/seeded.js';

const big = (v: unknown): bigint => BigInt(String(v ?? 0));

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
  const b = { s: subscrbid, c: cycle };
  const rows = await h.sql<{ itemcode: unknown; itemname: string; amount: unknown; discount: unknown }>(
    `SELECT ITEMCODE, ITEMNAME, CAST(AMOUNT AS TEXT) AS AMOUNT, CAST(DISCOUNT AS TEXT) AS DISCOUNT
     FROM TAB_BILLDETAIL WHERE SUBSCRBID = :s AND BILLCYCLE = :c ORDER BY ITEMCODE`,
    b,
  );
  const [sum] = await h.sql<{ total: unknown; disc: unknown }>(
    'SELECT CAST(SUM(AMOUNT) AS TEXT) AS TOTAL, CAST(SUM(DISCOUNT) AS TEXT) AS DISC FROM TAB_BILLDETAIL WHERE SUBSCRBID = :s AND BILLCYCLE = :c',
    b,
  );
  return {
    items: rows.map((r) => ({ item: Number(r.itemcode), itemName: r.itemname, amount: big(r.amount), discount: big(r.discount) })),
    total: big(sum.total),
    discountTotal: big(sum.disc),
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
  const b = { s: subscrbid, c: cycle };
  const usage = await h.sql<{ feeitem: unknown; amount: unknown }>(
    'SELECT FEEITEM, CAST(AMOUNT AS TEXT) AS AMOUNT FROM RATING2_REAL_FEE WHERE SUBSCRBID = :s AND BILLCYCLE = :c ORDER BY FEEITEM',
    b,
  );
  const rents = await h.sql<{ rentitem: unknown; amount: unknown }>(
    'SELECT RENTITEM, CAST(AMOUNT AS TEXT) AS AMOUNT FROM BILL_RENT_ACCT_DETAIL WHERE SUBSCRBID = :s AND BILLCYCLE = :c ORDER BY RENTITEM',
    b,
  );
  const [sums] = await h.sql<{ u: unknown; r: unknown; ut: unknown; rt: unknown }>(
    `SELECT
       (SELECT CAST(COALESCE(SUM(AMOUNT), 0) AS TEXT) FROM RATING2_REAL_FEE WHERE SUBSCRBID = :s AND BILLCYCLE = :c) AS U,
       (SELECT CAST(COALESCE(SUM(AMOUNT), 0) AS TEXT) FROM BILL_RENT_ACCT_DETAIL WHERE SUBSCRBID = :s AND BILLCYCLE = :c) AS R,
       (SELECT MAX(UPDATED) FROM RATING2_REAL_FEE WHERE SUBSCRBID = :s AND BILLCYCLE = :c) AS UT,
       (SELECT MAX(UPDATED) FROM BILL_RENT_ACCT_DETAIL WHERE SUBSCRBID = :s AND BILLCYCLE = :c) AS RT`,
    b,
  );
  const [acct] = await h.sql<{ balance: unknown; charges: unknown; realtime: unknown }>(
    `SELECT CAST(BALANCE AS TEXT) AS BALANCE,
       CAST((SELECT COALESCE(SUM(AMOUNT), 0) FROM RATING2_REAL_FEE WHERE ACCTID = :a AND BILLCYCLE = :c)
          + (SELECT COALESCE(SUM(AMOUNT), 0) FROM BILL_RENT_ACCT_DETAIL WHERE ACCTID = :a AND BILLCYCLE = :c) AS TEXT) AS CHARGES,
       CAST(BALANCE
          - (SELECT COALESCE(SUM(AMOUNT), 0) FROM RATING2_REAL_FEE WHERE ACCTID = :a AND BILLCYCLE = :c)
          - (SELECT COALESCE(SUM(AMOUNT), 0) FROM BILL_RENT_ACCT_DETAIL WHERE ACCTID = :a AND BILLCYCLE = :c) AS TEXT) AS REALTIME
     FROM ACCT_BALANCE WHERE ACCTID = :a`,
    { a: acctid, c: cycle },
  );
  const ut = wireTime(sums.ut);
  const rt = wireTime(sums.rt);
  return {
    usage: usage.map((r) => ({ item: Number(r.feeitem), amount: big(r.amount) })),
    rents: rents.map((r) => ({ item: Number(r.rentitem), amount: big(r.amount) })),
    usageTotal: big(sums.u),
    rentTotal: big(sums.r),
    rated: ut > rt ? ut : rt,
    balance: big(acct.balance),
    accountCharges: big(acct.charges),
    realtimeBalance: big(acct.realtime),
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
