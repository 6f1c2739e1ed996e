// Accounts and balances (CS-09, CS-14; PC-05 later).
import { defineQuery } from './define.js';

/** CS-14: the settled balance of an account (ACCT_BALANCE). */
export const ACCOUNT_BALANCE = defineQuery({
  name: 'account.balance',
  sql: 'SELECT ACCTID, BALANCE, UPDATED FROM ACCT_BALANCE WHERE ACCTID = :acctid',
  binds: { acctid: 'id' },
  columns: { acctid: 'id', balance: 'money', updated: 'datetime' },
});
