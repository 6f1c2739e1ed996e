// Bills and real-time fees (CS-10, VO-03, C1-01; CS-12, VO-04, C1-02, SM-02; PC-05 may reuse
// the account charges). Rows are read by SUBSCRBID, not SVCNUM: a number can come back after
// cancellation, and the old subscriber's bills are not the new one's.
import { defineQuery } from './define.js';

/** CS-10: the items of one subscriber's bill of one cycle (TAB_BILLDETAIL), by item code. */
export const BILL_ITEMS = defineQuery({
  name: 'bills.items',
  sql: `SELECT ITEMCODE, ITEMNAME, AMOUNT, DISCOUNT FROM TAB_BILLDETAIL
WHERE SUBSCRBID = :subscrbid AND BILLCYCLE = :cycle
ORDER BY ITEMCODE`,
  binds: { subscrbid: 'id', cycle: 'text' },
  columns: { itemcode: 'int', itemname: 'text', amount: 'money', discount: 'money' },
});

/**
 * CS-12: one subscriber's unbilled fees of the cycle so far: usage (RATING2_REAL_FEE, kind U)
 * and rents and special-service fees (BILL_RENT_ACCT_DETAIL, kind R), by kind and item code.
 */
export const REALTIME_ITEMS = defineQuery({
  name: 'bills.realtime-items',
  sql: `SELECT 'U' AS KIND, FEEITEM AS ITEMCODE, AMOUNT, UPDATED FROM RATING2_REAL_FEE
WHERE SUBSCRBID = :subscrbid AND BILLCYCLE = :cycle
UNION ALL
SELECT 'R' AS KIND, RENTITEM AS ITEMCODE, AMOUNT, UPDATED FROM BILL_RENT_ACCT_DETAIL
WHERE SUBSCRBID = :subscrbid AND BILLCYCLE = :cycle
ORDER BY KIND DESC, ITEMCODE`,
  binds: { subscrbid: 'id', cycle: 'text' },
  columns: { kind: 'text', itemcode: 'int', amount: 'money', updated: 'datetime' },
});

/**
 * CS-12: an account's settled balance (ACCT_BALANCE) with its unbilled charges of the cycle:
 * usage (RATING2_REAL_FEE) and rents (BILL_RENT_ACCT_DETAIL) of every number it pays for.
 * Real-time balance = BALANCE − ACCT_USAGE − ACCT_RENTS (schema.ts, ACCT_BALANCE). No row when
 * the account has no balance row. PC-05 and the resume rule of PC-03 / CS-23 can share it.
 */
export const ACCOUNT_REALTIME = defineQuery({
  name: 'bills.account-realtime',
  sql: `SELECT b.ACCTID, b.BALANCE,
  (SELECT COALESCE(SUM(f.AMOUNT), 0) FROM RATING2_REAL_FEE f WHERE f.ACCTID = b.ACCTID AND f.BILLCYCLE = :cycle) AS ACCT_USAGE,
  (SELECT COALESCE(SUM(r.AMOUNT), 0) FROM BILL_RENT_ACCT_DETAIL r WHERE r.ACCTID = b.ACCTID AND r.BILLCYCLE = :cycle) AS ACCT_RENTS
FROM ACCT_BALANCE b WHERE b.ACCTID = :acctid`,
  binds: { acctid: 'id', cycle: 'text' },
  columns: { acctid: 'id', balance: 'money', acct_usage: 'money', acct_rents: 'money' },
});
