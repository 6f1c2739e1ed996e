// Accounts and balances (CS-09, CS-14; PC-05 later).
import { defineQuery } from './define.js';

/** CS-14: the settled balance of an account (ACCT_BALANCE). */
export const ACCOUNT_BALANCE = defineQuery({
  name: 'account.balance',
  sql: 'SELECT ACCTID, BALANCE, UPDATED FROM ACCT_BALANCE WHERE ACCTID = :acctid',
  binds: { acctid: 'id' },
  columns: { acctid: 'id', balance: 'money', updated: 'datetime' },
});

/**
 * CS-09: the account's pay mode (TAB_ACCT.PAY_MODE) and its credit level (TAB_PAYTYPE). LEFT JOIN:
 * an account whose pay mode has no TAB_PAYTYPE row comes back with NULL credit columns, so the
 * handler can tell "no account" (2011) from "no credit level for that pay mode" (2012).
 */
export const ACCOUNT_CREDIT = defineQuery({
  name: 'account.credit',
  sql: `SELECT A.ACCTID, A.PAY_MODE, T.PAYTYPENAME, T.CREDIT_LEVEL, T.CREDIT_LIMIT
FROM TAB_ACCT A LEFT JOIN TAB_PAYTYPE T ON T.PAY_MODE = A.PAY_MODE
WHERE A.ACCTID = :acctid`,
  binds: { acctid: 'id' },
  columns: { acctid: 'id', pay_mode: 'int', paytypename: 'text?', credit_level: 'int?', credit_limit: 'money?' },
});
