// Expected values of the payment-card tests (PC-03, PC-04, PC-05, PC-07, PC-08), read straight from the database.
import type { Harness } from '../helpers/seeded.js';

export const big = (v: unknown): bigint => BigInt(String(v));
let serials = 0;
/** A fresh card serial (≤ 20 ASCII) with a tag naming the test. */
export const serial = (tag: string): string => `${tag}${process.pid % 1000}${Date.now() % 100000}${++serials}`.slice(0, 20);

/** Money columns as text: a plain read gives a JS number, which cannot hold every int64. */
export async function accountState(h: Harness, acctid: number) {
  const [b] = await h.sql<{ balance: unknown }>('SELECT CAST(BALANCE AS VARCHAR(30)) AS BALANCE FROM ACCT_BALANCE WHERE ACCTID = :a', { a: acctid });
  const d = await h.sql<{ balance: unknown; total_in: unknown; total_out: unknown }>(
    'SELECT CAST(BALANCE AS VARCHAR(30)) AS BALANCE, CAST(TOTAL_IN AS VARCHAR(30)) AS TOTAL_IN, CAST(TOTAL_OUT AS VARCHAR(30)) AS TOTAL_OUT FROM TAB_ACCOUNTPREDEPOSITDTAL WHERE ACCTID = :a AND DEPOSITTYPE = 1',
    { a: acctid },
  );
  const [n] = await h.sql<{ n: unknown }>('SELECT COUNT(*) AS N FROM TAB_PAY WHERE ACCTID = :a', { a: acctid });
  const [p] = await h.sql<{ n: unknown }>('SELECT COUNT(*) AS N FROM TAB_ACCOUNTPREDEPOSIT WHERE ACCTID = :a', { a: acctid });
  return {
    hasBalanceRow: b !== undefined,
    balance: b ? big(b.balance) : 0n,
    deposit: d[0] ? { balance: big(d[0].balance), totalIn: big(d[0].total_in), totalOut: big(d[0].total_out) } : undefined,
    pays: Number(n.n),
    deposits: Number(p.n),
  };
}

export async function payRow(h: Harness, source: string, ser: string) {
  const rows = await h.sql<Record<string, unknown>>(
    `SELECT PAYSN, ACCTID, SUBSCRBID, SVCNUM, PAYMODE, CAST(AMOUNT AS VARCHAR(30)) AS AMOUNT, SOURCE, SERIAL, OPERATOR, STATUS, ORIG_PAYSN, REVERSED_BY
     FROM TAB_PAY WHERE SOURCE = :s AND SERIAL = :r`,
    { s: source, r: ser },
  );
  return rows[0];
}

export async function busiRecords(h: Harness, subscrbid: number) {
  return h.sql<{ busisn: unknown; busitype: unknown; status: unknown; param: string }>('SELECT BUSISN, BUSITYPE, STATUS, PARAM FROM USR_BUSI_RECORD WHERE SUBSCRBID = :s ORDER BY BUSISN', { s: subscrbid });
}

export async function subscriberStatus(h: Harness, subscrbid: number): Promise<number> {
  const [r] = await h.sql<{ status: unknown }>('SELECT STATUS FROM TAB_SUBSCRB WHERE SUBSCRBID = :s', { s: subscrbid });
  return Number(r.status);
}

