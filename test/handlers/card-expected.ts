// Expected values of the payment-card tests (PC-03, PC-04, PC-05, PC-07, PC-08), read straight from the database.
import type { Harness } from '../helpers/seeded.js';

export const big = (v: unknown): bigint => BigInt(String(v));
let serials = 0;
/** A fresh card serial (≤ 20 ASCII) with a tag naming the test. */
export const serial = (tag: string): string => `${tag}${process.pid % 1000}${Date.now() % 100000}${++serials}`.slice(0, 20);

/** The account's money and postings (h.facts: money read as text, exact beyond 2^53). */
export async function accountState(h: Harness, acctid: number) {
  const balance = await h.facts.balance(acctid);
  return {
    hasBalanceRow: balance !== undefined,
    balance: balance ?? 0n,
    deposit: await h.facts.depositTotals(acctid, 1),
    pays: await h.facts.payCount(acctid),
    deposits: await h.facts.depositCount(acctid),
  };
}

/** The TAB_PAY row of a source's serial, in the default schema's names and codes. */
export async function payRow(h: Harness, source: string, ser: string): Promise<Record<string, unknown>> {
  return (await h.facts.payBySerial(source, ser)) as unknown as Record<string, unknown>;
}

export async function busiRecords(h: Harness, subscrbid: number) {
  return h.sql<{ busisn: unknown; busitype: unknown; status: unknown; param: string }>('SELECT BUSISN, BUSITYPE, STATUS, PARAM FROM USR_BUSI_RECORD WHERE SUBSCRBID = :s ORDER BY BUSISN', { s: subscrbid });
}

export async function subscriberStatus(h: Harness, subscrbid: number): Promise<number> {
  return Number((await h.facts.subscriber(subscrbid))!.status);
}
