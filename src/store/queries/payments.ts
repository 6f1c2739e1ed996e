// Payments and reversals (TAB_PAY) read back: CS-17 prepayment history by number, VO-09 by card.
// A subscriber's rows are found by SVCNUM (the IX_PAY_SVCNUM index) and SUBSCRBID together: a
// number that came back after cancellation belongs to a new subscriber, whose history does not
// include the previous owner's payments.
import { defineQuery } from './define.js';

/** CS-17, VO-09: how many TAB_PAY rows (payments and reversals) the subscriber has. */
export const PAY_HISTORY_COUNT = defineQuery({
  name: 'payments.history-count',
  sql: 'SELECT COUNT(*) AS TOTAL FROM TAB_PAY WHERE SVCNUM = :svcnum AND SUBSCRBID = :subscrbid',
  binds: { svcnum: 'text', subscrbid: 'id' },
  columns: { total: 'int' },
});

/** CS-17, VO-09: one page of the subscriber's TAB_PAY rows, newest first (PAYTIME, then PAYSN). */
export const PAY_HISTORY_PAGE = defineQuery({
  name: 'payments.history-page',
  sql: `SELECT PAYSN, PAYMODE, AMOUNT, PAYTIME, SOURCE, SERIAL, STATUS, OPERATOR
FROM TAB_PAY WHERE SVCNUM = :svcnum AND SUBSCRBID = :subscrbid
ORDER BY PAYTIME DESC, PAYSN DESC {{page :off :lim}}`,
  binds: { svcnum: 'text', subscrbid: 'id', off: 'int', lim: 'int' },
  columns: {
    paysn: 'id',
    paymode: 'int',
    amount: 'money',
    paytime: 'datetime',
    source: 'text',
    serial: 'text',
    status: 'int',
    operator: 'text',
  },
});

// ---------------------------------------------------------------------------------------------
// Postings (PC-03 payment, PC-04 reversal, PC-07 reconciliation corrections), all through
// src/domain/posting.ts, in the caller's unit of work. Balances change by arithmetic in SQL
// (BALANCE = BALANCE + :amount), never read-modify-write from JS: two payments to one account
// in overlapping PostgreSQL batches serialise on the row lock and both count.

const PAY_COLUMNS = {
  paysn: 'id',
  acctid: 'id',
  subscrbid: 'id',
  svcnum: 'text',
  paymode: 'int',
  amount: 'money',
  paytime: 'datetime',
  source: 'text',
  serial: 'text',
  operator: 'text',
  status: 'int',
  orig_paysn: 'id?',
  reversed_by: 'id?',
} as const;
const PAY_SELECT = 'SELECT PAYSN, ACCTID, SUBSCRBID, SVCNUM, PAYMODE, AMOUNT, PAYTIME, SOURCE, SERIAL, OPERATOR, STATUS, ORIG_PAYSN, REVERSED_BY FROM TAB_PAY';

/** The posting of a source's serial (UX_PAY_SOURCE_SERIAL): a payment, a reversal or a tombstone. */
export const PAY_BY_SOURCE_SERIAL = defineQuery({
  name: 'payments.by-source-serial',
  sql: `${PAY_SELECT} WHERE SOURCE = :source AND SERIAL = :serial`,
  binds: { source: 'text', serial: 'text' },
  columns: PAY_COLUMNS,
});

/** One posting by PAYSN (the reversal of a payment, via REVERSED_BY). */
export const PAY_BY_PAYSN = defineQuery({
  name: 'payments.by-paysn',
  sql: `${PAY_SELECT} WHERE PAYSN = :paysn`,
  binds: { paysn: 'id' },
  columns: PAY_COLUMNS,
});

export const NEXT_PAYSN = defineQuery({
  name: 'payments.next-paysn',
  sql: 'SELECT {{nextval SEQ_PAYSN}} AS PAYSN{{dual}}',
  binds: {},
  columns: { paysn: 'id' },
});

export const NEXT_DEPOSITSN = defineQuery({
  name: 'payments.next-depositsn',
  sql: 'SELECT {{nextval SEQ_DEPOSITSN}} AS DEPOSITSN{{dual}}',
  binds: {},
  columns: { depositsn: 'id' },
});

const PAY_INSERT_BINDS = {
  paysn: 'id',
  acctid: 'id',
  subscrbid: 'id',
  svcnum: 'text',
  paymode: 'int',
  amount: 'money',
  paytime: 'time',
  source: 'text',
  serial: 'text',
  operator: 'text',
  status: 'int',
} as const;

/** A payment (or a tombstone): no original. */
export const INSERT_PAY = defineQuery({
  name: 'payments.insert',
  sql: `INSERT INTO TAB_PAY (PAYSN, ACCTID, SUBSCRBID, SVCNUM, PAYMODE, AMOUNT, PAYTIME, SOURCE, SERIAL, OPERATOR, STATUS, ORIG_PAYSN, REVERSED_BY)
VALUES (:paysn, :acctid, :subscrbid, :svcnum, :paymode, :amount, :paytime, :source, :serial, :operator, :status, NULL, NULL)`,
  binds: PAY_INSERT_BINDS,
  columns: {},
});

/** A reversal or a reconciliation correction: ORIG_PAYSN names the posting it reverses or corrects. */
export const INSERT_PAY_LINKED = defineQuery({
  name: 'payments.insert-linked',
  sql: `INSERT INTO TAB_PAY (PAYSN, ACCTID, SUBSCRBID, SVCNUM, PAYMODE, AMOUNT, PAYTIME, SOURCE, SERIAL, OPERATOR, STATUS, ORIG_PAYSN, REVERSED_BY)
VALUES (:paysn, :acctid, :subscrbid, :svcnum, :paymode, :amount, :paytime, :source, :serial, :operator, :status, :orig, NULL)`,
  binds: { ...PAY_INSERT_BINDS, orig: 'id' },
  columns: {},
});

/**
 * PC-04: mark a payment reversed, only if it is still a plain posting (STATUS 1). 0 rows = it was
 * reversed already (2009) — decided by the row lock, so two reversals racing cannot both win.
 */
export const MARK_REVERSED = defineQuery({
  name: 'payments.mark-reversed',
  sql: 'UPDATE TAB_PAY SET STATUS = :reversed, REVERSED_BY = :by WHERE PAYSN = :paysn AND STATUS = :normal',
  binds: { reversed: 'int', by: 'id', paysn: 'id', normal: 'int' },
  columns: {},
});

export const INSERT_PREDEPOSIT = defineQuery({
  name: 'payments.insert-predeposit',
  sql: `INSERT INTO TAB_ACCOUNTPREDEPOSIT (DEPOSITSN, ACCTID, PAYSN, DEPOSITTYPE, AMOUNT, CREATED)
VALUES (:depositsn, :acctid, :paysn, :deposittype, :amount, :created)`,
  binds: { depositsn: 'id', acctid: 'id', paysn: 'id', deposittype: 'int', amount: 'money', created: 'time' },
  columns: {},
});

/** The account's deposit totals; 0 rows = the account has no row of that deposit type yet. */
export const ADD_PREDEPOSIT_DTAL = defineQuery({
  name: 'payments.add-predeposit-dtal',
  sql: `UPDATE TAB_ACCOUNTPREDEPOSITDTAL SET BALANCE = BALANCE + :amount, TOTAL_IN = TOTAL_IN + :tin, TOTAL_OUT = TOTAL_OUT + :tout, UPDATED = :now
WHERE ACCTID = :acctid AND DEPOSITTYPE = :deposittype`,
  binds: { amount: 'money', tin: 'money', tout: 'money', now: 'time', acctid: 'id', deposittype: 'int' },
  columns: {},
});

/**
 * The account's first deposit-totals row. Postings update ACCT_BALANCE first, so the account's
 * row lock already serialises them: two units cannot both find no row and both insert.
 */
export const INSERT_PREDEPOSIT_DTAL = defineQuery({
  name: 'payments.insert-predeposit-dtal',
  sql: `INSERT INTO TAB_ACCOUNTPREDEPOSITDTAL (ACCTID, DEPOSITTYPE, BALANCE, TOTAL_IN, TOTAL_OUT, UPDATED)
VALUES (:acctid, :deposittype, :amount, :tin, :tout, :now)`,
  binds: { acctid: 'id', deposittype: 'int', amount: 'money', tin: 'money', tout: 'money', now: 'time' },
  columns: {},
});

/**
 * The account's balance row, locked (FOR UPDATE on PostgreSQL and Oracle; SQLite's writer lock
 * already serialises units). Every posting unit takes it BEFORE it reads the postings it decides
 * on (a payment's prior serial, the payment a reversal takes back and its corrections, the
 * reconciliation's rows): a unit that read first could act on what a concurrent unit is changing.
 * No row = the account has no balance row (2011). Its BALANCE is the overflow check's base.
 */
export const ACCOUNT_FOR_UPDATE = defineQuery({
  name: 'payments.account-for-update',
  sql: 'SELECT BALANCE FROM ACCT_BALANCE WHERE ACCTID = :acctid {{forUpdate}}',
  binds: { acctid: 'id' },
  columns: { balance: 'money' },
});

/** The account's deposit totals of a deposit type (read under the account's lock: the overflow check). */
export const PREDEPOSIT_DTAL = defineQuery({
  name: 'payments.predeposit-dtal',
  sql: 'SELECT BALANCE, TOTAL_IN, TOTAL_OUT FROM TAB_ACCOUNTPREDEPOSITDTAL WHERE ACCTID = :acctid AND DEPOSITTYPE = :deposittype',
  binds: { acctid: 'id', deposittype: 'int' },
  columns: { balance: 'money', total_in: 'money', total_out: 'money' },
});

/** ACCT_BALANCE.BALANCE += amount; 0 rows = the account has no balance row (2011). */
export const ADD_BALANCE = defineQuery({
  name: 'payments.add-balance',
  sql: 'UPDATE ACCT_BALANCE SET BALANCE = BALANCE + :amount, UPDATED = :now WHERE ACCTID = :acctid',
  binds: { amount: 'money', now: 'time', acctid: 'id' },
  columns: {},
});

/**
 * PC-07: the reconciliation corrections of a posting so far (their signed sum, fen). By the
 * account first (IX_PAY_ACCTID): ORIG_PAYSN has no index, and a correction is always on the
 * account of the posting it corrects.
 */
export const CORRECTIONS_OF = defineQuery({
  name: 'payments.corrections-of',
  sql: 'SELECT COALESCE(SUM(AMOUNT), 0) AS TOTAL, COUNT(*) AS N FROM TAB_PAY WHERE ACCTID = :acctid AND ORIG_PAYSN = :paysn AND SOURCE = :source AND STATUS = :posted',
  binds: { acctid: 'id', paysn: 'id', source: 'text', posted: 'int' },
  columns: { total: 'money', n: 'int' },
});

// ---------------------------------------------------------------------------------------------
// PC-08: the card payments of a recent window (IX_PAY_PAYTIME), as the legacy DBA select
// `select * from tab_pay where paydate > sysdate-1/24 and paymode='15'` (docs/payments.md).

/** PC-08: how many PAYMODE-15 rows since :since, and their net amount. */
export const CARD_PAYMENTS_SINCE_COUNT = defineQuery({
  name: 'payments.card-since-count',
  sql: 'SELECT COUNT(*) AS TOTAL, COALESCE(SUM(AMOUNT), 0) AS NET FROM TAB_PAY WHERE PAYTIME >= :since AND PAYMODE = :paymode',
  binds: { since: 'time', paymode: 'int' },
  columns: { total: 'int', net: 'money' },
});

/** PC-08: one page of them, newest first (PAYTIME, then PAYSN). */
export const CARD_PAYMENTS_SINCE_PAGE = defineQuery({
  name: 'payments.card-since-page',
  sql: `${PAY_SELECT} WHERE PAYTIME >= :since AND PAYMODE = :paymode
ORDER BY PAYTIME DESC, PAYSN DESC {{page :off :lim}}`,
  binds: { since: 'time', paymode: 'int', off: 'int', lim: 'int' },
  columns: PAY_COLUMNS,
});

// ---------------------------------------------------------------------------------------------
// PC-07 reconciliation (src/reconcile/, docs/reconciliation.md).

/** A client's card postings (payments and reversals, tombstones included) posted in [from, to). */
export const CARD_POSTINGS_BETWEEN = defineQuery({
  name: 'payments.card-postings-between',
  sql: `${PAY_SELECT} WHERE SOURCE = :source AND PAYMODE = :paymode AND PAYTIME >= :from AND PAYTIME < :to
ORDER BY PAYTIME, PAYSN`,
  binds: { source: 'text', paymode: 'int', from: 'time', to: 'time' },
  columns: PAY_COLUMNS,
});

/** BSG_META: one value by key (`card_reconciled_through.<client>`). */
export const META_GET = defineQuery({
  name: 'payments.meta-get',
  sql: 'SELECT VALUE FROM BSG_META WHERE KEY = :key',
  binds: { key: 'text' },
  columns: { value: 'text' },
});

export const META_SET = defineQuery({
  name: 'payments.meta-set',
  sql: '{{upsert BSG_META (KEY) (VALUE)}}',
  binds: { key: 'text', value: 'text' },
  columns: {},
});
