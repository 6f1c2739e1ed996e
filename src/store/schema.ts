// The one schema definition of bssgate: the legacy billing tables the 44 functions of the
// legacy inventory (docs/legacy-inventory.md) read and write, plus bssgate's own BSG_ tables. Every dialect's DDL is
// rendered from the definitions below (src/store/ddl.ts); docs/schema.md explains them and
// docs/oracle-ddl.sql is the Oracle rendering written out for DBAs. Tables and columns only: what
// the codes in them mean is src/domain/codes.ts, which statuses a business is accepted from is
// src/domain/transitions.ts.
//
// Portable type vocabulary (what each renders to: src/store/ddl.ts):
//   id        64-bit identifier (SUBSCRBID, ACCTID, BUSISN…)   NUMBER(19)  / bigint    / INTEGER
//   int       small integer code or count                       NUMBER(10)  / integer   / INTEGER
//   bigint    money in fen (signed int64), byte counts          NUMBER(19)  / bigint    / INTEGER
//   text(n)   GBK text of at most n BYTES                       VARCHAR2(n BYTE) / varchar(n) / TEXT
//   char(n)   fixed-width code, n bytes                         CHAR(n BYTE) / char(n)  / TEXT
//   date      calendar day                                      DATE        / date      / see ddl.ts
//   timestamp local wall-clock time, second precision           DATE        / timestamp / see ddl.ts
//   blob      raw bytes                                         BLOB        / bytea     / BLOB
// Text widths are GBK byte counts, the unit of the wire's fixed-width fields: a Chinese
// character takes 2 bytes, so CUSTNAME text(64) holds 32 characters.

export type ColumnType = 'id' | 'int' | 'bigint' | 'text' | 'char' | 'date' | 'timestamp' | 'blob';

export interface Column {
  /** Upper-case column name; avoids Oracle and PostgreSQL reserved words (a test checks). */
  name: string;
  type: ColumnType;
  /** Byte width for text/char. */
  size?: number;
  /** Nullable; columns are NOT NULL unless marked. */
  nullable?: boolean;
  /** A literal default (number or string); the application always supplies times itself. */
  default?: number | string;
  doc?: string;
}

export interface Index {
  /** At most 30 characters (Oracle 12.1, the supported floor, rejects longer names; a test checks). */
  name: string;
  columns: readonly string[];
  unique?: boolean;
}

export interface Table {
  name: string;
  /** Chinese and English description, rendered as a table comment on Oracle and PostgreSQL. */
  doc: string;
  columns: readonly Column[];
  primaryKey?: readonly string[];
  indexes?: readonly Index[];
  /** Only created on these dialects (BSG_SEQUENCE stands in for sequences on SQLite). */
  only?: readonly ('sqlite' | 'postgres' | 'oracle')[];
}

/** Bumped whenever a table or column changes; recorded in BSG_META as schema_version. */
export const SCHEMA_VERSION = 4;

/**
 * Versions a database can be upgraded to in place (src/store/init.ts, at every start): each adds
 * nullable columns to bssgate's own tables only, never touching a legacy table. A database whose
 * version is older than the first step here is refused with what to do.
 */
export const SCHEMA_UPGRADES: readonly { to: number; addColumns: readonly { table: string; column: string }[] }[] = [
  // 4: BSG_IDEMPOTENCY.ATTEMPT (issue 13: in-doubt resolution tells its own commit from another attempt's)
  { to: 4, addColumns: [{ table: 'BSG_IDEMPOTENCY', column: 'ATTEMPT' }] },
];

// ---------------------------------------------------------------------------------------------
// Column helpers: keep the table list below readable.

const id = (name: string, doc?: string, nullable = false): Column => ({ name, type: 'id', nullable, doc });
const int = (name: string, doc?: string, opts: Partial<Column> = {}): Column => ({ name, type: 'int', doc, ...opts });
const money = (name: string, doc?: string, opts: Partial<Column> = {}): Column => ({ name, type: 'bigint', doc: doc ?? 'fen', ...opts });
const text = (name: string, size: number, doc?: string, nullable = false): Column => ({ name, type: 'text', size, nullable, doc });
const char = (name: string, size: number, doc?: string, nullable = false): Column => ({ name, type: 'char', size, nullable, doc });
const ts = (name: string, doc?: string, nullable = false): Column => ({ name, type: 'timestamp', nullable, doc });

// Widths shared by many tables.
const SVCNUM_W = 20; // mobile 11 digits, VOIP 0971+8, IP card numbers up to 16; legacy VARCHAR2(20)
const REGION_W = 4; // area code, or 'Z'
const OPERATOR_W = 10; // header field `operator` is 10 ASCII bytes
const CYCLE_W = 6; // YYYYMM

/** The fixed tables, in creation order. */
export const TABLES: readonly Table[] = [
  {
    name: 'TAB_SUBSCRB',
    doc: '用户档案 subscribers: one row per service number and network (CS-02, CS-03, CS-08, VO-01, VO-02, PC-01, PC-02)',
    columns: [
      id('SUBSCRBID', 'subscriber id'),
      text('SVCNUM', SVCNUM_W, 'service number (MSISDN / VOIP number / data-card number)'),
      char('NETTYPE', 1, 'G GSM, C CDMA, V VOIP, X CDMA1X'),
      int('STATUS', '1 active, 2 suspended on request, 3 arrears-suspended, 4 reserved for cancellation, 5 cancelled'),
      id('CUSTID', 'customer id'),
      id('ACCTID', 'paying account'),
      text('IMSI', 15, 'IMSI (none for VOIP)', true),
      text('SIMCARDID', 20, 'ICCID of the SIM/UIM card (RES_MOB_CARD)', true),
      text('CARDNUM', 20, 'V: the IP Phone card this number belongs to (VO-05)', true),
      text('REGION', REGION_W, 'area code'),
      text('PRCPLN', 8, 'price plan (TAB_PRCPLN)'),
      text('SVCPWD', 128, 'service password as stored: legacy plain text or scrypt$N$r$p$salt$hash'),
      text('CUSTNAME', 64, 'subscriber name, GBK'),
      char('IDTYPE', 1, 'ID document type: 1 resident ID card, 2 passport, 3 officer card, 9 other'),
      text('IDNUM', 32, 'ID document number'),
      text('ADDRESS', 200, 'address, GBK', true),
      text('CONTACTNUM', 20, 'contact phone', true),
      text('POSTCODE', 6, 'post code', true),
      text('EMAIL', 64, 'e-mail', true),
      ts('OPENDATE', 'opened'),
      ts('STATUSDATE', 'last status change'),
      text('OPERATOR', OPERATOR_W, 'operator of the last change', true),
    ],
    primaryKey: ['SUBSCRBID'],
    indexes: [
      // A number can come back after cancellation (status 5): not unique; handlers take the non-cancelled row.
      { name: 'IX_SUBSCRB_SVCNUM', columns: ['SVCNUM', 'STATUS'] },
      { name: 'IX_SUBSCRB_IMSI', columns: ['IMSI'] },
      { name: 'IX_SUBSCRB_SIMCARDID', columns: ['SIMCARDID'] },
      { name: 'IX_SUBSCRB_ACCTID', columns: ['ACCTID'] },
      { name: 'IX_SUBSCRB_CUSTID', columns: ['CUSTID'] },
      { name: 'IX_SUBSCRB_IDNUM', columns: ['IDNUM'] },
      { name: 'IX_SUBSCRB_CARDNUM', columns: ['CARDNUM'] },
    ],
  },
  {
    name: 'TAB_ACCT',
    doc: '帐户 accounts (CS-09)',
    columns: [
      id('ACCTID'),
      id('CUSTID'),
      text('ACCTNAME', 64, 'account name, GBK'),
      int('PAY_MODE', 'TAB_PAYTYPE.PAY_MODE'),
      text('REGION', REGION_W),
      text('BANKACCT', 32, 'bank account for collection (PAY_MODE 3)', true),
      int('STATUS', '1 valid, 2 closed', { default: 1 }),
      ts('CREATED'),
    ],
    primaryKey: ['ACCTID'],
    indexes: [{ name: 'IX_ACCT_CUSTID', columns: ['CUSTID'] }],
  },
  {
    name: 'TAB_PAYTYPE',
    doc: '付费方式 account pay modes and their credit level (CS-09)',
    columns: [
      int('PAY_MODE'),
      text('PAYTYPENAME', 32, 'GBK'),
      int('CREDIT_LEVEL', '1 lowest … 5 highest'),
      money('CREDIT_LIMIT', 'overdraft allowed before arrears suspension, fen'),
    ],
    primaryKey: ['PAY_MODE'],
  },
  {
    name: 'ACCT_BALANCE',
    doc: '帐户余额 account balances (CS-14, PC-03, PC-05)',
    columns: [
      id('ACCTID'),
      money('BALANCE', 'settled balance including payments, fen; negative = owed. Real-time balance = BALANCE - this cycle RATING2_REAL_FEE - BILL_RENT_ACCT_DETAIL'),
      ts('UPDATED'),
    ],
    primaryKey: ['ACCTID'],
  },
  {
    name: 'TAB_PRCPLN',
    doc: '资费套餐 price plans',
    columns: [
      text('PRCPLN', 8),
      text('PRCPLNNAME', 64, 'GBK'),
      char('NETTYPE', 1),
      money('MONTHLY_RENT', 'fen'),
    ],
    primaryKey: ['PRCPLN'],
  },
  {
    name: 'TAB_SRVG',
    doc: '用户特服 special services of a subscriber (CS-04, CS-24, VO-10)',
    columns: [
      id('SUBSCRBID'),
      text('SRVGID', 8, 'special service code (docs/schema.md)'),
      text('PARAM', 40, 'e.g. the forwarding number', true),
      int('STATUS', '1 on, 0 off', { default: 1 }),
      ts('STARTDATE'),
      ts('ENDDATE', undefined, true),
    ],
    primaryKey: ['SUBSCRBID', 'SRVGID'],
  },
  {
    name: 'USR_BUSI_RECORD',
    doc: '业务受理记录/联机指令 business records and switch commands (CS-05, CS-20..26, OC-01..03, VO-11)',
    columns: [
      id('BUSISN', 'business serial (SEQ_BUSISN)'),
      id('SUBSCRBID'),
      text('SVCNUM', SVCNUM_W),
      int('BUSITYPE', 'docs/schema.md busitype table'),
      int('STATUS', '1 recorded, 5 queued for the switch, 6 sending, 7 executed, 8 failed'),
      text('REGION', REGION_W),
      char('NETTYPE', 1),
      text('IMSI', 15, 'IMSI at the time of the command', true),
      text('PARAM', 400, 'command parameters / what changed, GBK', true),
      text('OPERATOR', OPERATOR_W),
      ts('CREATED'),
      ts('EXECUTED', 'when the switch answered', true),
      text('RESULT', 400, 'switch answer or failure reason, GBK', true),
    ],
    primaryKey: ['BUSISN'],
    indexes: [
      { name: 'IX_BUSIREC_SVCNUM', columns: ['SVCNUM', 'CREATED'] },
      { name: 'IX_BUSIREC_SUBSCRBID', columns: ['SUBSCRBID', 'CREATED'] },
      // OC-01/02: the scanner looks for status 5 in BUSISN order.
      { name: 'IX_BUSIREC_STATUS', columns: ['STATUS', 'BUSISN'] },
    ],
  },
  {
    name: 'USR_BUSI_SRVG',
    doc: '特服异动 special-service changes (CS-04, CS-24)',
    columns: [
      id('BUSISN', 'USR_BUSI_RECORD.BUSISN'),
      id('SUBSCRBID'),
      text('SVCNUM', SVCNUM_W),
      text('SRVGID', 8),
      char('ACTION', 1, 'A added, D removed, M parameter changed'),
      text('PARAM', 40, undefined, true),
      text('OPERATOR', OPERATOR_W),
      ts('CREATED'),
    ],
    primaryKey: ['BUSISN', 'SRVGID'],
    indexes: [{ name: 'IX_BUSISRVG_SUBSCRBID', columns: ['SUBSCRBID', 'CREATED'] }],
  },
  {
    name: 'RES_MOB_CARD',
    doc: 'SIM/UIM卡资源 SIM cards and their PUK (CS-06, CS-07)',
    columns: [
      text('SIMCARDID', 20, 'ICCID'),
      text('IMSI', 15),
      text('PUK', 8, 'secret: never logged'),
      text('PIN', 4, 'initial PIN, secret'),
      char('NETTYPE', 1),
      text('REGION', REGION_W),
      int('STATUS', '1 in stock, 2 in use, 3 void'),
      ts('CREATED'),
    ],
    primaryKey: ['SIMCARDID'],
    indexes: [{ name: 'IX_MOBCARD_IMSI', columns: ['IMSI'] }],
  },
  {
    name: 'TAB_BILLDETAIL',
    doc: '月结帐单 monthly bills per item (CS-10, VO-03, C1-01)',
    columns: [
      id('SUBSCRBID'),
      id('ACCTID'),
      text('SVCNUM', SVCNUM_W),
      char('BILLCYCLE', CYCLE_W, 'YYYYMM'),
      int('ITEMCODE', 'fee item (docs/schema.md)'),
      text('ITEMNAME', 32, 'GBK, as printed'),
      money('AMOUNT'),
      money('DISCOUNT', 'fen, included in AMOUNT', { default: 0 }),
    ],
    primaryKey: ['SUBSCRBID', 'BILLCYCLE', 'ITEMCODE'],
    indexes: [
      { name: 'IX_BILL_SVCNUM', columns: ['SVCNUM', 'BILLCYCLE'] },
      { name: 'IX_BILL_ACCTID', columns: ['ACCTID', 'BILLCYCLE'] },
    ],
  },
  {
    name: 'RATING2_REAL_FEE',
    doc: '实时话费 this cycle usage fees so far (CS-12, PC-05, SM-02)',
    columns: [
      id('SUBSCRBID'),
      id('ACCTID'),
      text('SVCNUM', SVCNUM_W),
      char('BILLCYCLE', CYCLE_W),
      int('FEEITEM'),
      money('AMOUNT'),
      ts('UPDATED'),
    ],
    primaryKey: ['SUBSCRBID', 'BILLCYCLE', 'FEEITEM'],
    indexes: [
      { name: 'IX_REALFEE_ACCTID', columns: ['ACCTID', 'BILLCYCLE'] },
      { name: 'IX_REALFEE_SVCNUM', columns: ['SVCNUM', 'BILLCYCLE'] },
    ],
  },
  {
    name: 'BILL_RENT_ACCT_DETAIL',
    doc: '月租及功能费 this cycle rents so far (CS-12, SM-02)',
    columns: [
      id('SUBSCRBID'),
      id('ACCTID'),
      text('SVCNUM', SVCNUM_W),
      char('BILLCYCLE', CYCLE_W),
      int('RENTITEM'),
      money('AMOUNT'),
      ts('UPDATED'),
    ],
    primaryKey: ['SUBSCRBID', 'BILLCYCLE', 'RENTITEM'],
    indexes: [
      { name: 'IX_RENT_ACCTID', columns: ['ACCTID', 'BILLCYCLE'] },
      { name: 'IX_RENT_SVCNUM', columns: ['SVCNUM', 'BILLCYCLE'] },
    ],
  },
  {
    name: 'TAB_SPECIALCUSTLST',
    doc: '特殊客户名单(黑名单) blacklist by ID document (CS-15, CS-16)',
    columns: [
      id('LISTID', 'SEQ_LISTID'),
      char('IDTYPE', 1),
      text('IDNUM', 32),
      text('CUSTNAME', 64, 'GBK'),
      int('LISTTYPE', '1 arrears blacklist, 2 fraud, 3 malicious complaints'),
      text('REASON', 200, 'GBK', true),
      money('OWED', 'fen owed when listed', { default: 0 }),
      text('REGION', REGION_W),
      int('STATUS', '1 listed, 0 lifted', { default: 1 }),
      ts('CREATED'),
    ],
    primaryKey: ['LISTID'],
    indexes: [{ name: 'IX_SPECIALCUST_IDNUM', columns: ['IDNUM', 'STATUS'] }],
  },
  {
    name: 'TAB_PAY',
    doc: '缴费流水 payments and reversals (CS-17, VO-09, PC-03, PC-04, PC-06..08)',
    columns: [
      id('PAYSN', 'SEQ_PAYSN'),
      id('ACCTID'),
      id('SUBSCRBID'),
      text('SVCNUM', SVCNUM_W),
      int('PAYMODE', '1 cash, 2 bank, 3 cheque, 15 payment card'),
      money('AMOUNT', 'fen; a reversal row carries the negated amount'),
      ts('PAYTIME'),
      text('SOURCE', 16, 'who sent it: card system id, or HALL for the service hall'),
      text('SERIAL', 20, 'the source serial (流水号), unique per SOURCE'),
      text('OPERATOR', OPERATOR_W),
      int('STATUS', '1 posted, 2 reversed, 3 reversal record'),
      id('ORIG_PAYSN', 'on a reversal: the payment it reverses', true),
      id('REVERSED_BY', 'on a reversed payment: the reversal PAYSN', true),
    ],
    primaryKey: ['PAYSN'],
    indexes: [
      { name: 'UX_PAY_SOURCE_SERIAL', columns: ['SOURCE', 'SERIAL'], unique: true },
      { name: 'IX_PAY_ACCTID', columns: ['ACCTID', 'PAYTIME'] },
      { name: 'IX_PAY_SVCNUM', columns: ['SVCNUM', 'PAYTIME'] },
      // PC-07 reconciliation by day, PC-08 last hour's card payments.
      { name: 'IX_PAY_PAYTIME', columns: ['PAYTIME', 'PAYMODE'] },
    ],
  },
  {
    name: 'TAB_ACCOUNTPREDEPOSIT',
    doc: '预存款记录 one deposit row per payment or reversal (PC-03, PC-04)',
    columns: [
      id('DEPOSITSN', 'SEQ_DEPOSITSN'),
      id('ACCTID'),
      id('PAYSN', 'TAB_PAY.PAYSN'),
      int('DEPOSITTYPE', '1 ordinary prepayment'),
      money('AMOUNT'),
      ts('CREATED'),
    ],
    primaryKey: ['DEPOSITSN'],
    indexes: [
      { name: 'IX_PREDEP_ACCTID', columns: ['ACCTID', 'CREATED'] },
      { name: 'IX_PREDEP_PAYSN', columns: ['PAYSN'] },
    ],
  },
  {
    name: 'TAB_ACCOUNTPREDEPOSITDTAL',
    doc: '预存款余额明细 deposit totals per account and deposit type (PC-03, PC-04)',
    columns: [
      id('ACCTID'),
      int('DEPOSITTYPE'),
      money('BALANCE'),
      money('TOTAL_IN', 'fen deposited, ever'),
      money('TOTAL_OUT', 'fen reversed or consumed, ever'),
      ts('UPDATED'),
    ],
    primaryKey: ['ACCTID', 'DEPOSITTYPE'],
  },
  {
    name: 'TAB_VOIPSUBSCRB',
    doc: 'IP电话绑定 IP Phone cards and the numbers bound to them (VO-06, VO-07)',
    columns: [
      text('CARDNUM', 20, 'IP Phone card number'),
      text('BINDNUM', SVCNUM_W, 'bound phone number (fixed or mobile)'),
      id('SUBSCRBID', 'the V subscriber of the card'),
      id('CUSTID'),
      text('USERNAME', 64, 'GBK'),
      ts('BINDDATE'),
    ],
    primaryKey: ['CARDNUM', 'BINDNUM'],
    indexes: [
      { name: 'IX_VOIP_BINDNUM', columns: ['BINDNUM'] },
      { name: 'IX_VOIP_CUSTID', columns: ['CUSTID'] },
    ],
  },
  {
    name: 'TAB_PRCPLN_NOPRINT',
    doc: '禁止打印详单套餐 price plans whose detail can be neither printed nor queried (PR-04); REGION Z = whole province',
    columns: [text('PRCPLN', 8), text('REGION', REGION_W, "area code, or 'Z' for the whole province"), text('REMARK', 200, 'GBK', true), ts('CREATED')],
    primaryKey: ['PRCPLN', 'REGION'],
  },
  {
    name: 'SWITCH_INS_MODEL',
    doc: '交换机指令模板 switch command templates per business type, network and switch type (OC-01, OC-02)',
    columns: [
      int('BUSITYPE'),
      char('NETTYPE', 1),
      text('SWITCHTYPE', 16, 'docs/schema.md switch types'),
      int('SEQNO', 'line order when one business needs several commands'),
      text('TEMPLATE', 400, 'command text with {SVCNUM} {IMSI} {PARAM} {BUSISN} {SRVGID} placeholders'),
      text('REMARK', 200, 'GBK', true),
    ],
    primaryKey: ['BUSITYPE', 'NETTYPE', 'SWITCHTYPE', 'SEQNO'],
  },

  // --- bssgate's own tables ------------------------------------------------------------------
  {
    name: 'BSG_META',
    doc: 'bssgate: schema version and demo parameters',
    columns: [text('KEY', 64), text('VALUE', 400)],
    primaryKey: ['KEY'],
  },
  {
    name: 'BSG_IDEMPOTENCY',
    doc: 'bssgate: the idempotency ledger of write functions (PC-06, docs/idempotency.md): one row per (client, business type, serial), written in the same transaction as the write; a re-sent request gets the stored reply body byte for byte',
    columns: [
      text('CLIENT', 32, "the client's identity: name of its [client.<id>] section, * for an address no section names"),
      int('BIZ', 'business type'),
      text('SERIAL', 20, 'header serial'),
      text('REQUEST_HASH', 64, 'sha256 hex of the header operator and the request body: same key, different hash = 2007'),
      int('RESULT', 'return code of the stored reply (0, or a refusal whose writes committed)'),
      { name: 'REPLY', type: 'blob', doc: 'the reply body bytes (message and fields); the header is re-stamped for each answer' },
      text('IFACE', 32, 'interface that served the first request (for operators)'),
      ts('CREATED', 'when the write committed (local time); retention counts from it'),
      text('ATTEMPT', 32, 'random id of the unit run that wrote the row (32 hex): a write whose COMMIT was lost tells its own commit from another attempt\'s; null in rows older than schema version 4', true),
    ],
    primaryKey: ['CLIENT', 'BIZ', 'SERIAL'],
    indexes: [{ name: 'IX_BSGIDEM_CREATED', columns: ['CREATED'] }],
  },
  {
    name: 'BSG_AUTH_FAIL',
    doc: 'bssgate: wrong-password counters per service number (CS-02 lockout: 10 in 30 min, hard lock after 100 consecutive)',
    columns: [
      text('SVCNUM', SVCNUM_W),
      ts('FAILS_WINDOW_START', 'start of the current counting window'),
      int('FAILS_IN_WINDOW', undefined, { default: 0 }),
      int('CONSECUTIVE', 'failures since the last success', { default: 0 }),
      ts('LOCKED_UNTIL', undefined, true),
      int('HARD_LOCKED', '1 = locked until an operator clears it', { default: 0 }),
      ts('UPDATED'),
    ],
    primaryKey: ['SVCNUM'],
  },
  {
    name: 'BSG_CMD_QUEUE',
    doc: 'bssgate: the scanner\'s lease and attempts of a switch command (OC-01..03); one row per USR_BUSI_RECORD.BUSISN the scanner has claimed at least once. USR_BUSI_RECORD.STATUS stays the contract (5 queued, 6 sending, 7 executed, 8 failed)',
    columns: [
      id('BUSISN', 'USR_BUSI_RECORD.BUSISN'),
      text('STATE', 8, 'queued (waiting for NEXT_TRY), leased (being delivered), done, failed'),
      text('LEASE_OWNER', 64, 'scanner id host:pid:n', true),
      ts('LEASE_UNTIL', 'the lease ends; after it another scanner may take the command back', true),
      text('LEASE_TOKEN', 32, 'random per claim (32 hex); fences complete/retry/fail/release/extend', true),
      int('ATTEMPTS', 'deliveries started (a release at shutdown or a wait for an unreachable switch is not counted)', { default: 0 }),
      ts('NEXT_TRY', 'a waiting command is not claimed before this time'),
      text('SWITCH_NAME', 32, 'the [switch.<name>] of the last attempt', true),
      text('LAST_ERROR', 400, 'why the last attempt did not execute, GBK', true),
      ts('CREATED', 'first claimed'),
      ts('UPDATED', 'last change'),
    ],
    primaryKey: ['BUSISN'],
    indexes: [
      // bssgate commands --state, stats(): leases by state and expiry.
      { name: 'IX_BSGCMD_STATE', columns: ['STATE', 'LEASE_UNTIL'] },
    ],
  },
  {
    name: 'BSG_SEQUENCE',
    doc: 'bssgate: sequences on SQLite, which has none. VALUE is the last number handed out; next = VALUE + 1',
    columns: [text('NAME', 30), { name: 'VALUE', type: 'id' }],
    primaryKey: ['NAME'],
    only: ['sqlite'],
  },
];

/**
 * Sequences. Real sequences on PostgreSQL and Oracle; rows of BSG_SEQUENCE on SQLite. The store's
 * dialect renders `nextval` per back end; these names are the contract between the two.
 */
export const SEQUENCES: readonly string[] = [
  'SEQ_SUBSCRBID',
  'SEQ_ACCTID',
  'SEQ_CUSTID',
  'SEQ_BUSISN',
  'SEQ_PAYSN',
  'SEQ_DEPOSITSN',
  'SEQ_LISTID',
];

// ---------------------------------------------------------------------------------------------
// Monthly ticket tables. A month without its table has no records: readers check tableExists
// (or catch "no such table") and answer an empty list.

export type TicketKind = 'GSMCDMA' | 'SMS' | 'CDMA1X' | '163';
export const TICKET_KINDS: readonly TicketKind[] = ['GSMCDMA', 'SMS', 'CDMA1X', '163'];

const TICKET_COLUMNS: Record<TicketKind, readonly Column[]> = {
  // CS-11, CS-13, PR-02: voice records of G and C subscribers.
  GSMCDMA: [
    text('SVCNUM', SVCNUM_W, 'the billed number'),
    char('CALLTYPE', 2, '01 originating, 02 terminating, 03 forwarded'),
    text('OTHERNUM', 24, 'the other party'),
    ts('STARTTIME'),
    int('DURATION', 'seconds'),
    char('ROAMTYPE', 1, '0 local, 1 in-province, 2 national, 3 international'),
    text('VISITAREA', REGION_W, 'area code where the call was made', true),
    char('LONGTYPE', 1, '0 local, 1 in-province, 2 national, 3 international, 4 IP'),
    text('CELLID', 10, undefined, true),
    money('BASEFEE'),
    money('LONGFEE'),
    money('TOTALFEE'),
  ],
  // CS-11, CS-13, PR-02: short messages.
  SMS: [
    text('SVCNUM', SVCNUM_W),
    char('SMSTYPE', 2, '01 sent (MO), 02 received (MT)'),
    text('OTHERNUM', 24),
    ts('STARTTIME'),
    text('SPCODE', 10, 'service provider code for value-added messages', true),
    money('FEE'),
  ],
  // C1-03, PR-03: data sessions.
  CDMA1X: [
    text('SVCNUM', SVCNUM_W),
    ts('STARTTIME'),
    int('DURATION', 'seconds'),
    money('UPVOLUME', 'bytes up'),
    money('DOWNVOLUME', 'bytes down'),
    text('APN', 32, 'access point / NAI realm'),
    text('VISITAREA', REGION_W, undefined, true),
    money('FEE'),
  ],
  // VO-08: IP Phone calls (TICKET_163; the legacy text also says TICKET_193, the same records).
  '163': [
    text('CARDNUM', 20, 'IP Phone card'),
    text('SVCNUM', SVCNUM_W, 'calling (bound) number'),
    text('OTHERNUM', 24),
    ts('STARTTIME'),
    int('DURATION', 'seconds'),
    char('LONGTYPE', 1, '1 in-province, 2 national, 3 international'),
    money('FEE'),
  ],
};

const YYYYMM = /^(\d{4})(0[1-9]|1[0-2])$/;

/**
 * The table name of a month's tickets, e.g. ticketTable('GSMCDMA', '202405') → TICKET_GSMCDMA_202405.
 * `yyyymm` usually comes from a request's billing cycle: it is validated here, so a table name
 * is never built from unchecked input.
 */
export function ticketTable(kind: TicketKind, yyyymm: string): string {
  if (!TICKET_KINDS.includes(kind)) throw new RangeError(`unknown ticket kind ${String(kind)}`);
  if (!YYYYMM.test(yyyymm)) throw new RangeError(`billing cycle must be YYYYMM, got ${JSON.stringify(yyyymm)}`);
  return `TICKET_${kind}_${yyyymm}`;
}

/** A monthly ticket table name (any case: PostgreSQL lists names in lower case), e.g. TICKET_SMS_202405. */
const TICKET_TABLE_NAME = new RegExp(`^TICKET_(${TICKET_KINDS.join('|')})_\\d{6}$`, 'i');

/** The ticket kind of a monthly ticket table's name; undefined for any other name. */
export function ticketKindOf(table: string): TicketKind | undefined {
  const m = TICKET_TABLE_NAME.exec(table);
  return m ? (m[1].toUpperCase() as TicketKind) : undefined;
}

/**
 * The table definition of a month's tickets. `yyyymm` may be the literal 'YYYYMM' for documentation.
 * `named`: the table's name in another schema (its ticket template, e.g. schema B's); the columns stay.
 */
export function ticketTableDef(kind: TicketKind, yyyymm: string, named?: string): Table {
  const name = named ?? (yyyymm === 'YYYYMM' ? `TICKET_${kind}_YYYYMM` : ticketTable(kind, yyyymm));
  const cols = TICKET_COLUMNS[kind];
  const indexes: Index[] = [{ name: `IX_${name}`, columns: ['SVCNUM', 'STARTTIME'] }];
  if (kind === '163') indexes.push({ name: `IX_${name}_C`, columns: ['CARDNUM', 'STARTTIME'] });
  return { name, doc: `话单 ${kind} tickets of one month (no primary key: detail records, read by number and time)`, columns: cols, indexes };
}

/** Every fixed table name (the ones renderDdl creates on some dialect). */
export const TABLE_NAMES: readonly string[] = TABLES.map((t) => t.name);

export function tableDef(name: string): Table | undefined {
  const up = name.toUpperCase();
  return TABLES.find((t) => t.name === up);
}

/** The column names of a table, in definition order: what bulkInsert is given. */
export function columnsOf(table: Table | string): string[] {
  const t = typeof table === 'string' ? tableDef(table) : table;
  if (!t) throw new RangeError(`unknown table ${String(table)}`);
  return t.columns.map((c) => c.name);
}
