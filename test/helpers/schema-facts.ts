// The facts the handler suites read and write straight in the database, named, with one
// implementation per schema (issue 15): the default schema (A, docs/schema.md) and reference
// schema B (config/schemas/b/, docs/operator-schema.md section 8). The suites compute their
// expectations and make their set-ups through these, so the same suite runs on both schemas.
//
// Every fact is stated in the default schema's vocabulary (its column names, lower-case, and its
// codes: STATUS 1…5, NETTYPE G/C/V/X, REGION '0971', PAYMODE 1/2/3/15, money in fen). Schema B's
// implementation reads and writes B's own tables, codes and units with SQL of its own, written
// from B's definition (src/store/schemas/b.ts and its code maps), never through the queries file
// under test (config/schemas/b/queries.sql): an expectation must not be computed by the SQL it
// checks. Tables of the same shape in both schemas (USR_BUSI_*, RES_MOB_CARD, TAB_SPECIALCUSTLST,
// TAB_VOIPSUBSCRB, BSG_*) have no facts here: the suites use h.sql. The monthly ticket tables have
// the same columns in both schemas and other names: `ticketTable` gives a month's table (schema
// B's: bTicketTable, the `-- table:` lines of its queries file, the names its demo created; the
// file's SQL is not used), and the suites read and write it with h.sql.
import type { Row } from '../../src/store/types.js';
import { ticketTable, type TicketKind } from '../../src/store/schema.js';
import {
  B_ACCT_PAYTYPE,
  B_PAY_PAYTYPE,
  B_PAYSTAT,
  B_SRVGSTAT,
  B_SUBSVCID,
  B_SVCID,
  B_SVCSTAT,
  bAcctItem,
  bAreaId,
  bBillTable,
  bTicketTable,
} from '../../src/store/schemas/b.js';
import { REGIONS } from '../../src/domain/codes.js';

export type Sql = <T = Row>(sql: string, binds?: Record<string, string | number | bigint | null | Date>) => Promise<T[]>;
type Id = number | bigint;

/** A subscriber as the default schema's TAB_SUBSCRB holds it (lower-case column names), with its plan's name. */
export interface SubscriberRow {
  subscrbid: unknown;
  svcnum: string;
  nettype: string;
  status: unknown;
  custid: unknown;
  acctid: unknown;
  imsi: string | null;
  simcardid: string | null;
  cardnum: string | null;
  region: string;
  prcpln: string;
  prcplnname: string | null;
  svcpwd: string;
  custname: string;
  idtype: string;
  idnum: string;
  address: string | null;
  contactnum: string | null;
  postcode: string | null;
  email: string | null;
  opendate: unknown;
  statusdate: unknown;
  operator: string | null;
}

/** What a suite may change on a subscriber (default-schema names and codes). */
export interface SubscriberChange {
  status?: number;
  region?: string;
  svcpwd?: string;
  address?: string | null;
  contactnum?: string | null;
  postcode?: string | null;
  email?: string | null;
  prcpln?: string;
  simcardid?: string | null;
  statusdate?: Date;
}

/** A subscriber row a suite adds (a new holder of a number, …). */
export interface NewSubscriber {
  subscrbid: Id;
  svcnum: string;
  nettype: string;
  status: number;
  custid: Id;
  acctid: Id;
  region: string;
  prcpln: string;
  svcpwd: string;
  custname: string;
  idtype: string;
  idnum: string;
  opendate: Date;
  statusdate: Date;
}

export interface ServiceRow {
  srvgid: string;
  param: string | null;
  status: number;
  startdate: unknown;
  enddate: unknown;
}

export interface BillItem {
  item: number;
  itemName: string;
  amount: bigint;
  discount: bigint;
}

export interface FeeLine {
  item: number;
  amount: bigint;
  updated: unknown;
}

/** A usage (RATING2_REAL_FEE) or rent (BILL_RENT_ACCT_DETAIL) line of the month so far. */
export interface NewFee {
  subscrbid: Id;
  acctid: Id;
  svcnum: string;
  cycle: string;
  item: number;
  amount: bigint | number;
  updated: Date;
}

/** A TAB_PAY row in the default schema's names and codes. */
export interface PayRow {
  paysn: unknown;
  acctid: unknown;
  subscrbid: unknown;
  svcnum: string;
  paymode: unknown;
  amount: unknown;
  paytime: unknown;
  source: string;
  serial: string;
  operator: string;
  status: unknown;
  orig_paysn: unknown;
  reversed_by: unknown;
}

export interface NewPay {
  paysn: Id;
  acctid: Id;
  subscrbid: Id;
  svcnum: string;
  paymode: number;
  amount: bigint | number;
  paytime: Date;
  source: string;
  serial: string;
  operator: string;
  status: number;
  orig_paysn?: Id | null;
  reversed_by?: Id | null;
}

export interface AccountCredit {
  acctid: unknown;
  pay_mode: unknown;
  paytypename: string | null;
  credit_level: unknown;
  credit_limit: unknown;
}

export interface SchemaFacts {
  readonly schema: 'a' | 'b';
  /** The monthly ticket table of a kind for a month (YYYYMM): the same columns in both schemas. */
  ticketTable(kind: TicketKind, cycle: string): string;
  /** One subscriber, undefined when there is no such row. */
  subscriber(subscrbid: Id): Promise<SubscriberRow | undefined>;
  /** Every subscriber row, by SUBSCRBID. */
  subscribers(): Promise<SubscriberRow[]>;
  setSubscriber(subscrbid: Id, change: SubscriberChange): Promise<void>;
  insertSubscriber(s: NewSubscriber): Promise<void>;
  deleteSubscriber(subscrbid: Id): Promise<void>;

  /** The account's settled balance (fen), undefined when it has none. */
  balance(acctid: Id): Promise<bigint | undefined>;
  /** Set the settled balance of an account that has one (no row: nothing changes). */
  setBalance(acctid: Id, fen: bigint | number): Promise<void>;
  deleteBalance(acctid: Id): Promise<void>;

  /** The account's pay mode and its TAB_PAYTYPE row (undefined: no account). */
  accountCredit(acctid: Id): Promise<AccountCredit | undefined>;
  setAccountPayMode(acctid: Id, payMode: number): Promise<void>;
  setCreditLimit(payMode: number, limit: bigint | number): Promise<void>;
  /** Delete a pay mode's TAB_PAYTYPE row; the function returned puts it back. */
  deletePayType(payMode: number): Promise<() => Promise<void>>;
  deleteAccount(acctid: Id): Promise<void>;

  /** The subscriber's special services (TAB_SRVG), by service code. */
  services(subscrbid: Id): Promise<ServiceRow[]>;
  /** Delete services of a subscriber: the codes given, or all. */
  deleteServices(subscrbid: Id, srvgids?: string[]): Promise<void>;
  insertService(subscrbid: Id, s: { srvgid: string; param: string | null; status: number; startdate: Date; enddate: Date | null }): Promise<void>;

  /** The subscriber's bill of a cycle, by item code; amounts in fen. */
  billItems(subscrbid: Id, cycle: string): Promise<BillItem[]>;
  deleteBillItems(subscrbid: Id, cycle: string, items: number[]): Promise<void>;
  /** A bill line (fen); `region` is the subscriber's (B keeps one bill table per area). */
  insertBillItem(b: { subscrbid: Id; acctid: Id; svcnum: string; region: string; cycle: string; item: number; itemName: string; amount: bigint | number; discount: bigint | number }): Promise<void>;

  /** The subscriber's usage and rent lines of a cycle (fen each), by item, and their totals (fen). */
  fees(subscrbid: Id, cycle: string): Promise<{ usage: FeeLine[]; rents: FeeLine[]; usageTotal: bigint; rentTotal: bigint }>;
  /** Usage + rents of a cycle of the numbers the account pays for (fen). */
  accountCharges(acctid: Id, cycle: string): Promise<{ usage: bigint; rents: bigint }>;
  /** Delete usage and rent lines: of a subscriber, or of an account's numbers, optionally of one cycle. */
  deleteFees(by: { subscrbid: Id } | { acctid: Id }, cycle?: string): Promise<void>;
  insertUsage(f: NewFee): Promise<void>;
  insertRent(f: NewFee): Promise<void>;

  /** The payment of a source's serial. */
  payBySerial(source: string, serial: string): Promise<PayRow | undefined>;
  /** Payments whose SERIAL is this (any source). */
  paysOfSerial(serial: string): Promise<PayRow[]>;
  /** Every payment row of a subscriber, by PAYSN. */
  paysOf(subscrbid: Id): Promise<PayRow[]>;
  /** Payments of a pay mode at or after a time. */
  paysSince(since: Date, paymode: number): Promise<PayRow[]>;
  payCount(acctid: Id): Promise<number>;
  insertPay(p: NewPay): Promise<void>;
  /** The deposit record of a posting (one per payment or reversal). */
  depositOf(paysn: Id): Promise<{ acctid: unknown; amount: bigint } | undefined>;
  depositCount(acctid: Id): Promise<number>;
  /** The account's deposit totals of a deposit type. */
  depositTotals(acctid: Id, deposittype: number): Promise<{ balance: bigint; totalIn: bigint; totalOut: bigint } | undefined>;

  /** The no-print rules (plan, region; 'Z' = province-wide). */
  noPrintRules(): Promise<{ prcpln: string; region: string }[]>;
  addNoPrint(prcpln: string, region: string, remark: string | null, created: Date): Promise<void>;
  /** Remove the no-print rules of a plan: in one region, or all. */
  removeNoPrint(prcpln: string, region?: string): Promise<void>;
}

const big = (v: unknown): bigint => BigInt(String(v ?? 0));

/** Default-schema facts: the SQL the suites used before (issue 15), unchanged. */
export function defaultFacts(sql: Sql): SchemaFacts {
  const SUB = `SELECT S.SUBSCRBID, S.SVCNUM, S.NETTYPE, S.STATUS, S.CUSTID, S.ACCTID, S.IMSI, S.SIMCARDID, S.CARDNUM, S.REGION, S.PRCPLN, P.PRCPLNNAME,
      S.SVCPWD, S.CUSTNAME, S.IDTYPE, S.IDNUM, S.ADDRESS, S.CONTACTNUM, S.POSTCODE, S.EMAIL, S.OPENDATE, S.STATUSDATE, S.OPERATOR
    FROM TAB_SUBSCRB S LEFT JOIN TAB_PRCPLN P ON P.PRCPLN = S.PRCPLN`;
  const PAY = `SELECT PAYSN, ACCTID, SUBSCRBID, SVCNUM, PAYMODE, CAST(AMOUNT AS VARCHAR(30)) AS AMOUNT, PAYTIME, SOURCE, SERIAL, OPERATOR, STATUS, ORIG_PAYSN, REVERSED_BY FROM TAB_PAY`;
  const COLS: Record<keyof SubscriberChange, string> = {
    status: 'STATUS',
    region: 'REGION',
    svcpwd: 'SVCPWD',
    address: 'ADDRESS',
    contactnum: 'CONTACTNUM',
    postcode: 'POSTCODE',
    email: 'EMAIL',
    prcpln: 'PRCPLN',
    simcardid: 'SIMCARDID',
    statusdate: 'STATUSDATE',
  };
  const feeWhere = (by: { subscrbid: Id } | { acctid: Id }, cycle?: string) =>
    ('subscrbid' in by ? 'SUBSCRBID = :k' : 'ACCTID = :k') + (cycle === undefined ? '' : ' AND BILLCYCLE = :c');
  const feeBinds = (by: { subscrbid: Id } | { acctid: Id }, cycle?: string) => ({ k: 'subscrbid' in by ? by.subscrbid : by.acctid, ...(cycle === undefined ? {} : { c: cycle }) });
  const insertFee = (table: string, itemCol: string, f: NewFee) =>
    sql(`INSERT INTO ${table} (SUBSCRBID, ACCTID, SVCNUM, BILLCYCLE, ${itemCol}, AMOUNT, UPDATED) VALUES (:s, :a, :n, :c, :i, :m, :u)`, {
      s: f.subscrbid,
      a: f.acctid,
      n: f.svcnum,
      c: f.cycle,
      i: f.item,
      m: BigInt(f.amount),
      u: f.updated,
    }).then(() => undefined);
  return {
    schema: 'a',
    ticketTable,
    async subscriber(s) {
      return (await sql<SubscriberRow>(`${SUB} WHERE S.SUBSCRBID = :s`, { s }))[0];
    },
    subscribers: () => sql<SubscriberRow>(`${SUB} ORDER BY S.SUBSCRBID`),
    async setSubscriber(s, change) {
      const keys = Object.keys(change) as (keyof SubscriberChange)[];
      if (!keys.length) return;
      const binds: Record<string, string | number | null | Date> = { s: Number(s) };
      const sets = keys.map((k) => {
        binds[k] = change[k] ?? null;
        return `${COLS[k]} = :${k}`;
      });
      await sql(`UPDATE TAB_SUBSCRB SET ${sets.join(', ')} WHERE SUBSCRBID = :s`, binds);
    },
    async insertSubscriber(n) {
      await sql(
        `INSERT INTO TAB_SUBSCRB (SUBSCRBID, SVCNUM, NETTYPE, STATUS, CUSTID, ACCTID, REGION, PRCPLN, SVCPWD, CUSTNAME, IDTYPE, IDNUM, OPENDATE, STATUSDATE)
         VALUES (:s, :n, :net, :st, :c, :a, :r, :p, :pw, :name, :it, :in, :o, :sd)`,
        { s: n.subscrbid, n: n.svcnum, net: n.nettype, st: n.status, c: n.custid, a: n.acctid, r: n.region, p: n.prcpln, pw: n.svcpwd, name: n.custname, it: n.idtype, in: n.idnum, o: n.opendate, sd: n.statusdate },
      );
    },
    async deleteSubscriber(s) {
      await sql('DELETE FROM TAB_SUBSCRB WHERE SUBSCRBID = :s', { s });
    },
    async balance(a) {
      const [r] = await sql<{ balance: unknown }>('SELECT CAST(BALANCE AS VARCHAR(30)) AS BALANCE FROM ACCT_BALANCE WHERE ACCTID = :a', { a });
      return r ? big(r.balance) : undefined;
    },
    async setBalance(a, fen) {
      await sql('UPDATE ACCT_BALANCE SET BALANCE = :b WHERE ACCTID = :a', { b: BigInt(fen), a });
    },
    async deleteBalance(a) {
      await sql('DELETE FROM ACCT_BALANCE WHERE ACCTID = :a', { a });
    },
    async accountCredit(a) {
      const [r] = await sql<AccountCredit>(
        'SELECT A.ACCTID, A.PAY_MODE, T.PAYTYPENAME, T.CREDIT_LEVEL, T.CREDIT_LIMIT FROM TAB_ACCT A LEFT JOIN TAB_PAYTYPE T ON T.PAY_MODE = A.PAY_MODE WHERE A.ACCTID = :a',
        { a },
      );
      return r;
    },
    async setAccountPayMode(a, mode) {
      await sql('UPDATE TAB_ACCT SET PAY_MODE = :m WHERE ACCTID = :a', { m: mode, a });
    },
    async setCreditLimit(mode, limit) {
      await sql('UPDATE TAB_PAYTYPE SET CREDIT_LIMIT = :l WHERE PAY_MODE = :m', { l: BigInt(limit), m: mode });
    },
    async deletePayType(mode) {
      const [r] = await sql<{ n: string; l: unknown; c: unknown }>('SELECT PAYTYPENAME AS n, CREDIT_LEVEL AS l, CAST(CREDIT_LIMIT AS VARCHAR(30)) AS c FROM TAB_PAYTYPE WHERE PAY_MODE = :m', { m: mode });
      await sql('DELETE FROM TAB_PAYTYPE WHERE PAY_MODE = :m', { m: mode });
      return async () => {
        await sql('INSERT INTO TAB_PAYTYPE (PAY_MODE, PAYTYPENAME, CREDIT_LEVEL, CREDIT_LIMIT) VALUES (:m, :n, :l, :c)', { m: mode, n: r.n, l: Number(r.l), c: big(r.c) });
      };
    },
    async deleteAccount(a) {
      await sql('DELETE FROM TAB_ACCT WHERE ACCTID = :a', { a });
    },
    services: (s) => sql<ServiceRow>('SELECT SRVGID, PARAM, STATUS, STARTDATE, ENDDATE FROM TAB_SRVG WHERE SUBSCRBID = :s ORDER BY SRVGID', { s }),
    async deleteServices(s, ids) {
      if (!ids) await sql('DELETE FROM TAB_SRVG WHERE SUBSCRBID = :s', { s });
      else for (const g of ids) await sql('DELETE FROM TAB_SRVG WHERE SUBSCRBID = :s AND SRVGID = :g', { s, g });
    },
    async insertService(s, v) {
      await sql('INSERT INTO TAB_SRVG (SUBSCRBID, SRVGID, PARAM, STATUS, STARTDATE, ENDDATE) VALUES (:s, :g, :p, :st, :a, :b)', {
        s,
        g: v.srvgid,
        p: v.param,
        st: v.status,
        a: v.startdate,
        b: v.enddate,
      });
    },
    async billItems(s, c) {
      const rows = await sql<{ itemcode: unknown; itemname: string; amount: unknown; discount: unknown }>(
        `SELECT ITEMCODE, ITEMNAME, CAST(AMOUNT AS VARCHAR(30)) AS AMOUNT, CAST(DISCOUNT AS VARCHAR(30)) AS DISCOUNT
         FROM TAB_BILLDETAIL WHERE SUBSCRBID = :s AND BILLCYCLE = :c ORDER BY ITEMCODE`,
        { s, c },
      );
      return rows.map((r) => ({ item: Number(r.itemcode), itemName: r.itemname, amount: big(r.amount), discount: big(r.discount) }));
    },
    async deleteBillItems(s, c, items) {
      for (const i of items) await sql('DELETE FROM TAB_BILLDETAIL WHERE SUBSCRBID = :s AND BILLCYCLE = :c AND ITEMCODE = :i', { s, c, i });
    },
    async insertBillItem(b) {
      await sql(
        `INSERT INTO TAB_BILLDETAIL (SUBSCRBID, ACCTID, SVCNUM, BILLCYCLE, ITEMCODE, ITEMNAME, AMOUNT, DISCOUNT) VALUES (:s, :a, :n, :c, :i, :name, :m, :d)`,
        { s: b.subscrbid, a: b.acctid, n: b.svcnum, c: b.cycle, i: b.item, name: b.itemName, m: BigInt(b.amount), d: BigInt(b.discount) },
      );
    },
    async fees(s, c) {
      const usage = await sql<{ feeitem: unknown; amount: unknown; updated: unknown }>(
        'SELECT FEEITEM, CAST(AMOUNT AS VARCHAR(30)) AS AMOUNT, UPDATED FROM RATING2_REAL_FEE WHERE SUBSCRBID = :s AND BILLCYCLE = :c ORDER BY FEEITEM',
        { s, c },
      );
      const rents = await sql<{ rentitem: unknown; amount: unknown; updated: unknown }>(
        'SELECT RENTITEM, CAST(AMOUNT AS VARCHAR(30)) AS AMOUNT, UPDATED FROM BILL_RENT_ACCT_DETAIL WHERE SUBSCRBID = :s AND BILLCYCLE = :c ORDER BY RENTITEM',
        { s, c },
      );
      const [sums] = await sql<{ u: unknown; r: unknown }>(
        `SELECT (SELECT CAST(COALESCE(SUM(AMOUNT), 0) AS VARCHAR(30)) FROM RATING2_REAL_FEE WHERE SUBSCRBID = :s AND BILLCYCLE = :c) AS U,
           (SELECT CAST(COALESCE(SUM(AMOUNT), 0) AS VARCHAR(30)) FROM BILL_RENT_ACCT_DETAIL WHERE SUBSCRBID = :s AND BILLCYCLE = :c) AS R`,
        { s, c },
      );
      return {
        usage: usage.map((r) => ({ item: Number(r.feeitem), amount: big(r.amount), updated: r.updated })),
        rents: rents.map((r) => ({ item: Number(r.rentitem), amount: big(r.amount), updated: r.updated })),
        usageTotal: big(sums.u),
        rentTotal: big(sums.r),
      };
    },
    async accountCharges(a, c) {
      const [r] = await sql<{ u: unknown; r: unknown }>(
        `SELECT (SELECT CAST(COALESCE(SUM(AMOUNT), 0) AS VARCHAR(30)) FROM RATING2_REAL_FEE WHERE ACCTID = :a AND BILLCYCLE = :c) AS U,
           (SELECT CAST(COALESCE(SUM(AMOUNT), 0) AS VARCHAR(30)) FROM BILL_RENT_ACCT_DETAIL WHERE ACCTID = :a AND BILLCYCLE = :c) AS R`,
        { a, c },
      );
      return { usage: big(r.u), rents: big(r.r) };
    },
    async deleteFees(by, cycle) {
      await sql(`DELETE FROM RATING2_REAL_FEE WHERE ${feeWhere(by, cycle)}`, feeBinds(by, cycle));
      await sql(`DELETE FROM BILL_RENT_ACCT_DETAIL WHERE ${feeWhere(by, cycle)}`, feeBinds(by, cycle));
    },
    insertUsage: (f) => insertFee('RATING2_REAL_FEE', 'FEEITEM', f),
    insertRent: (f) => insertFee('BILL_RENT_ACCT_DETAIL', 'RENTITEM', f),
    async payBySerial(source, serial) {
      return (await sql<PayRow>(`${PAY} WHERE SOURCE = :s AND SERIAL = :r`, { s: source, r: serial }))[0];
    },
    paysOfSerial: (serial) => sql<PayRow>(`${PAY} WHERE SERIAL = :r ORDER BY PAYSN`, { r: serial }),
    paysOf: (s) => sql<PayRow>(`${PAY} WHERE SUBSCRBID = :s ORDER BY PAYSN`, { s }),
    paysSince: (since, mode) => sql<PayRow>(`${PAY} WHERE PAYTIME >= :t AND PAYMODE = :m ORDER BY PAYTIME DESC, PAYSN DESC`, { t: since, m: mode }),
    async payCount(a) {
      return Number((await sql<{ n: unknown }>('SELECT COUNT(*) AS N FROM TAB_PAY WHERE ACCTID = :a', { a }))[0].n);
    },
    async insertPay(p) {
      await sql(
        `INSERT INTO TAB_PAY (PAYSN, ACCTID, SUBSCRBID, SVCNUM, PAYMODE, AMOUNT, PAYTIME, SOURCE, SERIAL, OPERATOR, STATUS, ORIG_PAYSN, REVERSED_BY)
         VALUES (:p, :a, :s, :n, :m, :amt, :t, :src, :ser, :op, :st, :o, :r)`,
        { p: p.paysn, a: p.acctid, s: p.subscrbid, n: p.svcnum, m: p.paymode, amt: BigInt(p.amount), t: p.paytime, src: p.source, ser: p.serial, op: p.operator, st: p.status, o: p.orig_paysn ?? null, r: p.reversed_by ?? null },
      );
    },
    async depositOf(p) {
      const [r] = await sql<{ amount: unknown; acctid: unknown }>('SELECT CAST(AMOUNT AS VARCHAR(30)) AS AMOUNT, ACCTID FROM TAB_ACCOUNTPREDEPOSIT WHERE PAYSN = :p', { p });
      return r && { acctid: r.acctid, amount: big(r.amount) };
    },
    async depositCount(a) {
      return Number((await sql<{ n: unknown }>('SELECT COUNT(*) AS N FROM TAB_ACCOUNTPREDEPOSIT WHERE ACCTID = :a', { a }))[0].n);
    },
    async depositTotals(a, type) {
      const [r] = await sql<{ balance: unknown; total_in: unknown; total_out: unknown }>(
        'SELECT CAST(BALANCE AS VARCHAR(30)) AS BALANCE, CAST(TOTAL_IN AS VARCHAR(30)) AS TOTAL_IN, CAST(TOTAL_OUT AS VARCHAR(30)) AS TOTAL_OUT FROM TAB_ACCOUNTPREDEPOSITDTAL WHERE ACCTID = :a AND DEPOSITTYPE = :t',
        { a, t: type },
      );
      return r && { balance: big(r.balance), totalIn: big(r.total_in), totalOut: big(r.total_out) };
    },
    async noPrintRules() {
      const rows = await sql<{ p: string; r: string }>('SELECT PRCPLN AS p, REGION AS r FROM TAB_PRCPLN_NOPRINT ORDER BY PRCPLN, REGION');
      return rows.map((r) => ({ prcpln: r.p, region: r.r }));
    },
    async addNoPrint(p, r, remark, created) {
      await sql('INSERT INTO TAB_PRCPLN_NOPRINT (PRCPLN, REGION, REMARK, CREATED) VALUES (:p, :r, :m, :c)', { p, r, m: remark, c: created });
    },
    async removeNoPrint(p, r) {
      if (r === undefined) await sql('DELETE FROM TAB_PRCPLN_NOPRINT WHERE PRCPLN = :p', { p });
      else await sql('DELETE FROM TAB_PRCPLN_NOPRINT WHERE PRCPLN = :p AND REGION = :r', { p, r });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Schema B.

const inverse = (m: Record<string | number, string>): Map<string, string> => new Map(Object.entries(m).map(([k, v]) => [v, k]));
const SVCSTAT = inverse(B_SVCSTAT);
const SVCID = inverse(B_SVCID);
const PAYSTAT = inverse(B_PAYSTAT);
const PAY_PAYTYPE = inverse(B_PAY_PAYTYPE);
const ACCT_PAYTYPE = inverse(B_ACCT_PAYTYPE);
const SUBSVC = inverse(B_SUBSVCID);
const SRVGSTAT = inverse(B_SRVGSTAT);
/** Every per-area bill table of schema B. */
const BILL_TABLES = [...new Set(REGIONS.map((r) => bBillTable(r.code)))];

function code<K extends string | number>(map: Record<K, string>, k: K, what: string): string {
  const v = map[k];
  if (v === undefined) throw new Error(`schema B has no ${what} code for ${String(k)}`);
  return v;
}
function back(map: Map<string, string>, v: unknown, what: string): string {
  const k = map.get(String(v).trim());
  if (k === undefined) throw new Error(`schema B ${what} code ${String(v)} has no default-schema code`);
  return k;
}
/** B's AREAID → the default schema's REGION ('000000' is province-wide 'Z'). */
const region = (areaid: unknown): string => (String(areaid).trim() === '000000' ? 'Z' : String(areaid).trim().slice(0, 4));
/** A timestamp as either driver returns it, as a number that orders. */
const when = (v: unknown): number => (v instanceof Date ? v.getTime() : Date.parse(String(v).replace(' ', 'T')));
/** 厘 → fen: the 厘 amount divided by 10, rounded half away from zero (docs/operator-schema.md), exactly. */
export function liToFen(li: bigint): bigint {
  const q = li / 10n;
  const r = li % 10n;
  if (r >= 5n) return q + 1n;
  if (r <= -5n) return q - 1n;
  return q;
}
/** ACCTITMID '100101' → item code 101. */
const itemOf = (acctitmid: unknown): number => Number(String(acctitmid).trim().slice(2));

/** Schema-B facts: B's tables, codes and units, read and written with SQL of their own. */
export function schemaBFacts(sql: Sql): SchemaFacts {
  /** The paying account of each subscriber: the all-items relation (1 or -1) with the latest EFFDATE. */
  const relations = async (where = '', binds: Record<string, Id> = {}) => {
    const rows = await sql<{ subscrbid: unknown; acctid: unknown; effdate: unknown; expdate: unknown }>(
      `SELECT SUBSCRBID, ACCTID, EFFDATE, EXPDATE FROM TAB_ACCTRELATION WHERE ACCTITMTYPEID IN (1, -1)${where}`,
      binds,
    );
    const out = new Map<string, { acctid: unknown; effdate: unknown; expdate: unknown }>();
    for (const r of rows) {
      const k = String(r.subscrbid);
      const cur = out.get(k);
      if (!cur || when(r.effdate) > when(cur.effdate)) out.set(k, r);
    }
    return out;
  };
  /** The main plan (type < 100) with the latest BEGTIME of each subscriber. */
  const plans = async (where = '', binds: Record<string, Id> = {}) => {
    const rows = await sql<{ subscrbid: unknown; prcplnid: string; begtime: unknown }>(
      `SELECT SUBSCRBID, PRCPLNID, BEGTIME FROM TAB_SUBSCRBPRCPLN WHERE PRCPLNTYPEID < 100${where}`,
      binds,
    );
    const out = new Map<string, { prcplnid: string; begtime: unknown }>();
    for (const r of rows) {
      const k = String(r.subscrbid);
      const cur = out.get(k);
      if (!cur || when(r.begtime) > when(cur.begtime)) out.set(k, r);
    }
    return out;
  };
  const subscribersWhere = async (where: string, binds: Record<string, Id>): Promise<SubscriberRow[]> => {
    const rows = await sql<Record<string, unknown>>(
      `SELECT SUBSCRBID, SVCNUM, SVCID, SVCSTAT, CUSTID, IMSI, ICCID, IPCARDNO, AREAID, SUBSCRBPWD, CUSTNAME, CERTTYPE, CERTNO, CUSTADDR, LINKPHONE,
         POSTCODE, EMAIL, OPENDATE, STATDATE, OPERID FROM TAB_SUBSCRB${where} ORDER BY SUBSCRBID`,
      binds,
    );
    const rel = await relations(where ? ' AND SUBSCRBID = :s' : '', binds);
    const pl = await plans(where ? ' AND SUBSCRBID = :s' : '', binds);
    const names = new Map((await sql<{ prcplnid: string; prcplnname: string }>('SELECT PRCPLNID, PRCPLNNAME FROM TAB_PRCPLN')).map((r) => [String(r.prcplnid).trim(), r.prcplnname]));
    return rows.map((r) => {
      const plan = pl.get(String(r.subscrbid))?.prcplnid ?? null;
      return {
        subscrbid: r.subscrbid,
        svcnum: r.svcnum as string,
        nettype: back(SVCID, r.svcid, 'SVCID'),
        status: Number(back(SVCSTAT, r.svcstat, 'SVCSTAT')),
        custid: r.custid,
        acctid: rel.get(String(r.subscrbid))?.acctid ?? null,
        imsi: r.imsi as string | null,
        simcardid: r.iccid as string | null,
        cardnum: r.ipcardno as string | null,
        region: region(r.areaid),
        prcpln: plan as string,
        prcplnname: plan === null ? null : (names.get(plan.trim()) ?? null),
        svcpwd: r.subscrbpwd as string,
        custname: r.custname as string,
        idtype: r.certtype as string,
        idnum: r.certno as string,
        address: r.custaddr as string | null,
        contactnum: r.linkphone as string | null,
        postcode: r.postcode as string | null,
        email: r.email as string | null,
        opendate: r.opendate,
        statusdate: r.statdate,
        operator: r.operid as string | null,
      };
    });
  };
  const PAY = `SELECT PAYSN, ACCTID, SUBSCRBID, SVCNUM, PAYTYPE, CAST(PAYFEE AS VARCHAR(30)) AS PAYFEE, PAYDATE, CHANNEL, SERIALNO, OPERID, PAYSTAT, ORIGPAYSN, CANCELPAYSN FROM TAB_PAY`;
  const payRows = async (where: string, binds: Record<string, string | number | bigint | Date>): Promise<PayRow[]> =>
    (await sql<Record<string, unknown>>(`${PAY} ${where}`, binds)).map((r) => ({
      paysn: r.paysn,
      acctid: r.acctid,
      subscrbid: r.subscrbid,
      svcnum: r.svcnum as string,
      paymode: Number(back(PAY_PAYTYPE, r.paytype, 'TAB_PAY.PAYTYPE')),
      amount: r.payfee,
      paytime: r.paydate,
      source: r.channel as string,
      serial: r.serialno as string,
      operator: r.operid as string,
      status: Number(back(PAYSTAT, r.paystat, 'PAYSTAT')),
      orig_paysn: r.origpaysn,
      reversed_by: r.cancelpaysn,
    }));
  /** The subscribers the account pays for now: the open all-items relation. */
  const numbersOf = async (a: Id): Promise<string[]> =>
    (await sql<{ subscrbid: unknown }>('SELECT SUBSCRBID FROM TAB_ACCTRELATION WHERE ACCTID = :a AND ACCTITMTYPEID IN (1, -1) AND EXPDATE IS NULL', { a })).map((r) => String(r.subscrbid));
  /** The fee lines (厘) of subscribers in a month. */
  const feeLines = async (table: string, subs: string[], month: number) => {
    if (!subs.length) return [];
    return sql<{ subscrbid: unknown; acctitmid: string; li: unknown; updtime: unknown }>(
      `SELECT SUBSCRBID, ACCTITMID, CAST(FEE + DFEE AS VARCHAR(30)) AS LI, UPDTIME FROM ${table} WHERE MONTH = :m AND SUBSCRBID IN (${subs.map((s) => String(BigInt(s))).join(', ')}) ORDER BY ACCTITMID`,
      { m: month },
    );
  };
  /** A fee of a number paid by an account: the line (厘: fen × 10), and the number's relation to the account if it has none. */
  const insertFee = async (table: string, f: NewFee) => {
    const rel = await relations(' AND SUBSCRBID = :s', { s: f.subscrbid });
    if (!rel.size) await sql('INSERT INTO TAB_ACCTRELATION (ACCTID, SUBSCRBID, ACCTITMTYPEID, EFFDATE, EXPDATE) VALUES (:a, :s, 1, :d, NULL)', { a: f.acctid, s: f.subscrbid, d: new Date(2000, 0, 1) });
    await sql(`INSERT INTO ${table} (SUBSCRBID, ACCTITMID, FEE, DFEE, MONTH, UPDTIME) VALUES (:s, :i, :fee, 0, :m, :u)`, {
      s: f.subscrbid,
      i: bAcctItem(f.item),
      fee: BigInt(f.amount) * 10n,
      m: Number(f.cycle),
      u: f.updated,
    });
  };
  return {
    schema: 'b',
    ticketTable: bTicketTable,
    async subscriber(s) {
      return (await subscribersWhere(' WHERE SUBSCRBID = :s', { s }))[0];
    },
    subscribers: () => subscribersWhere('', {}),
    async setSubscriber(s, change) {
      const sets: string[] = [];
      const binds: Record<string, string | number | null | Date> = { s: Number(s) };
      const set = (col: string, k: string, v: string | null | Date) => {
        sets.push(`${col} = :${k}`);
        binds[k] = v;
      };
      if (change.status !== undefined) set('SVCSTAT', 'st', code(B_SVCSTAT, change.status, 'SVCSTAT'));
      if (change.region !== undefined) set('AREAID', 'ar', bAreaId(change.region));
      if (change.svcpwd !== undefined) set('SUBSCRBPWD', 'pw', change.svcpwd);
      if (change.address !== undefined) set('CUSTADDR', 'ad', change.address);
      if (change.contactnum !== undefined) set('LINKPHONE', 'ln', change.contactnum);
      if (change.postcode !== undefined) set('POSTCODE', 'pc', change.postcode);
      if (change.email !== undefined) set('EMAIL', 'em', change.email);
      if (change.simcardid !== undefined) set('ICCID', 'ic', change.simcardid);
      if (change.statusdate !== undefined) set('STATDATE', 'sd', change.statusdate);
      if (sets.length) await sql(`UPDATE TAB_SUBSCRB SET ${sets.join(', ')} WHERE SUBSCRBID = :s`, binds);
      if (change.prcpln !== undefined) {
        // The main plan is the latest one: that row changes plan.
        const cur = (await plans(' AND SUBSCRBID = :s', { s })).get(String(s));
        if (!cur) throw new Error(`schema B: subscriber ${String(s)} has no main plan`);
        await sql('UPDATE TAB_SUBSCRBPRCPLN SET PRCPLNID = :p WHERE SUBSCRBID = :s AND PRCPLNID = :old AND PRCPLNTYPEID < 100', { p: change.prcpln, s, old: cur.prcplnid });
      }
    },
    async insertSubscriber(n) {
      const area = bAreaId(n.region);
      await sql(
        `INSERT INTO TAB_SUBSCRB (SUBSCRBID, SVCNUM, SVCID, SVCSTAT, CUSTID, AREAID, SUBSCRBPWD, CUSTNAME, CERTTYPE, CERTNO, OPENDATE, STATDATE)
         VALUES (:s, :n, :net, :st, :c, :ar, :pw, :name, :it, :in, :o, :sd)`,
        { s: n.subscrbid, n: n.svcnum, net: code(B_SVCID, n.nettype, 'SVCID'), st: code(B_SVCSTAT, n.status, 'SVCSTAT'), c: n.custid, ar: area, pw: n.svcpwd, name: n.custname, it: n.idtype, in: n.idnum, o: n.opendate, sd: n.statusdate },
      );
      await sql('INSERT INTO TAB_ACCTRELATION (ACCTID, SUBSCRBID, ACCTITMTYPEID, EFFDATE, EXPDATE) VALUES (:a, :s, 1, :o, NULL)', { a: n.acctid, s: n.subscrbid, o: n.opendate });
      await sql('INSERT INTO TAB_SUBSCRBPRCPLN (SUBSCRBID, PRCPLNID, PRCPLNTYPEID, AREAID, BEGTIME, ENDTIME) VALUES (:s, :p, 1, :ar, :o, NULL)', { s: n.subscrbid, p: n.prcpln, ar: area, o: n.opendate });
    },
    async deleteSubscriber(s) {
      await sql('DELETE FROM TAB_SUBSCRBPRCPLN WHERE SUBSCRBID = :s', { s });
      await sql('DELETE FROM TAB_ACCTRELATION WHERE SUBSCRBID = :s', { s });
      await sql('DELETE FROM TAB_SUBSCRB WHERE SUBSCRBID = :s', { s });
    },
    async balance(a) {
      // The balance is the sum of the account's books (fen).
      const [r] = await sql<{ balance: unknown }>('SELECT CAST(SUM(THISBAL) AS VARCHAR(30)) AS BALANCE FROM TAB_ACCOUNTPREDEPOSIT WHERE ACCTID = :a GROUP BY ACCTID', { a });
      return r ? big(r.balance) : undefined;
    },
    async setBalance(a, fen) {
      // The cash book holds all of it: the other books are emptied (kept, so the account keeps them).
      const [cash] = await sql<{ n: unknown }>('SELECT COUNT(*) AS N FROM TAB_ACCOUNTPREDEPOSIT WHERE ACCTID = :a AND BOOKTYPE = 1', { a });
      if (!Number(cash.n)) return;
      await sql('UPDATE TAB_ACCOUNTPREDEPOSIT SET THISBAL = 0 WHERE ACCTID = :a AND BOOKTYPE <> 1', { a });
      await sql('UPDATE TAB_ACCOUNTPREDEPOSIT SET THISBAL = :b WHERE ACCTID = :a AND BOOKTYPE = 1', { b: BigInt(fen), a });
    },
    async deleteBalance(a) {
      await sql('DELETE FROM TAB_ACCOUNTPREDEPOSIT WHERE ACCTID = :a', { a });
    },
    async accountCredit(a) {
      const [r] = await sql<{ acctid: unknown; paytype: string; paytypename: string | null; creditlevel: unknown; creditfee: unknown }>(
        'SELECT A.ACCTID, A.PAYTYPE, T.PAYTYPENAME, T.CREDITLEVEL, T.CREDITFEE FROM TAB_ACCT A LEFT JOIN TAB_PAYTYPE T ON T.PAYTYPE = A.PAYTYPE WHERE A.ACCTID = :a',
        { a },
      );
      if (!r) return undefined;
      const mode = ACCT_PAYTYPE.get(String(r.paytype).trim());
      return { acctid: r.acctid, pay_mode: mode === undefined ? null : Number(mode), paytypename: r.paytypename, credit_level: r.creditlevel, credit_limit: r.creditfee };
    },
    async setAccountPayMode(a, mode) {
      await sql('UPDATE TAB_ACCT SET PAYTYPE = :p WHERE ACCTID = :a', { p: code(B_ACCT_PAYTYPE, mode, 'PAYTYPE'), a });
    },
    async setCreditLimit(mode, limit) {
      await sql('UPDATE TAB_PAYTYPE SET CREDITFEE = :l WHERE PAYTYPE = :p', { l: BigInt(limit), p: code(B_ACCT_PAYTYPE, mode, 'PAYTYPE') });
    },
    async deletePayType(mode) {
      const p = code(B_ACCT_PAYTYPE, mode, 'PAYTYPE');
      const [r] = await sql<{ n: string; l: unknown; c: unknown }>('SELECT PAYTYPENAME AS n, CREDITLEVEL AS l, CAST(CREDITFEE AS VARCHAR(30)) AS c FROM TAB_PAYTYPE WHERE PAYTYPE = :p', { p });
      await sql('DELETE FROM TAB_PAYTYPE WHERE PAYTYPE = :p', { p });
      return async () => {
        await sql('INSERT INTO TAB_PAYTYPE (PAYTYPE, PAYTYPENAME, CREDITLEVEL, CREDITFEE) VALUES (:p, :n, :l, :c)', { p, n: r.n, l: Number(r.l), c: big(r.c) });
      };
    },
    async deleteAccount(a) {
      await sql('DELETE FROM TAB_ACCT WHERE ACCTID = :a', { a });
    },
    async services(s) {
      const rows = await sql<{ subsvcid: string; srvgpara: string | null; srvgstat: string; orderdate: unknown; removedate: unknown }>(
        'SELECT SUBSVCID, SRVGPARA, SRVGSTAT, ORDERDATE, REMOVEDATE FROM TAB_SRVG WHERE SUBSCRBID = :s',
        { s },
      );
      return rows
        .map((r) => ({ srvgid: back(SUBSVC, r.subsvcid, 'SUBSVCID'), param: r.srvgpara, status: Number(back(SRVGSTAT, r.srvgstat, 'SRVGSTAT')), startdate: r.orderdate, enddate: r.removedate }))
        .sort((x, y) => (x.srvgid < y.srvgid ? -1 : x.srvgid > y.srvgid ? 1 : 0));
    },
    async deleteServices(s, ids) {
      if (!ids) await sql('DELETE FROM TAB_SRVG WHERE SUBSCRBID = :s', { s });
      else for (const g of ids) await sql('DELETE FROM TAB_SRVG WHERE SUBSCRBID = :s AND SUBSVCID = :g', { s, g: code(B_SUBSVCID, g, 'SUBSVCID') });
    },
    async insertService(s, v) {
      await sql('INSERT INTO TAB_SRVG (SUBSCRBID, SUBSVCID, SRVGPARA, SRVGSTAT, ORDERDATE, REMOVEDATE) VALUES (:s, :g, :p, :st, :a, :b)', {
        s,
        g: code(B_SUBSVCID, v.srvgid, 'SUBSVCID'),
        p: v.param,
        st: code(B_SRVGSTAT, v.status, 'SRVGSTAT'),
        a: v.startdate,
        b: v.enddate,
      });
    },
    async billItems(s, c) {
      // The subscriber's rows in every area's table (a number may have moved); the item is FEE + DFEE (厘), the discount DFEE.
      const names = new Map((await sql<{ acctitmid: string; acctitmname: string }>('SELECT ACCTITMID, ACCTITMNAME FROM TAB_ACCTITEM')).map((r) => [String(r.acctitmid).trim(), r.acctitmname]));
      const out: BillItem[] = [];
      for (const table of BILL_TABLES) {
        const rows = await sql<{ acctitmid: string; li: unknown; dli: unknown }>(
          `SELECT ACCTITMID, CAST(FEE + DFEE AS VARCHAR(30)) AS LI, CAST(DFEE AS VARCHAR(30)) AS DLI FROM ${table} WHERE SUBSCRBID = :s AND BILLINGCYCLID = :c`,
          { s, c },
        );
        for (const r of rows) out.push({ item: itemOf(r.acctitmid), itemName: names.get(String(r.acctitmid).trim()) as string, amount: liToFen(big(r.li)), discount: liToFen(big(r.dli)) });
      }
      return out.sort((x, y) => x.item - y.item);
    },
    async deleteBillItems(s, c, items) {
      for (const table of BILL_TABLES) for (const i of items) await sql(`DELETE FROM ${table} WHERE SUBSCRBID = :s AND BILLINGCYCLID = :c AND ACCTITMID = :i`, { s, c, i: bAcctItem(i) });
    },
    async insertBillItem(b) {
      // 厘 = fen × 10; FEE is the item net of DFEE. Item names are B's TAB_ACCTITEM: the name given must be the item's.
      const [name] = await sql<{ n: string }>('SELECT ACCTITMNAME AS n FROM TAB_ACCTITEM WHERE ACCTITMID = :i', { i: bAcctItem(b.item) });
      if (!name || name.n !== b.itemName) throw new Error(`schema B: item ${b.item} is named ${name?.n ?? 'nothing'} in TAB_ACCTITEM, not ${b.itemName}`);
      const amount = BigInt(b.amount) * 10n;
      const discount = BigInt(b.discount) * 10n;
      await sql(`INSERT INTO ${bBillTable(b.region)} (SUBSCRBID, ACCTID, BILLINGCYCLID, ACCTITMID, FEE, DFEE, RECSTAT) VALUES (:s, :a, :c, :i, :fee, :dfee, '15')`, {
        s: b.subscrbid,
        a: b.acctid,
        c: b.cycle,
        i: bAcctItem(b.item),
        fee: amount - discount,
        dfee: discount,
      });
    },
    async fees(s, c) {
      const month = Number(c);
      const usage = await feeLines('TAB_ACC_GSM_SUM_FEE', [String(s)], month);
      const rents = await feeLines('TAB_ACC_GSM_HOT_RENT', [String(s)], month);
      // Each line rounded on its own; a total summed in 厘 and rounded once.
      const line = (r: { acctitmid: string; li: unknown; updtime: unknown }): FeeLine => ({ item: itemOf(r.acctitmid), amount: liToFen(big(r.li)), updated: r.updtime });
      const total = (rows: { li: unknown }[]) => liToFen(rows.reduce((a, r) => a + big(r.li), 0n));
      return { usage: usage.map(line), rents: rents.map(line), usageTotal: total(usage), rentTotal: total(rents) };
    },
    async accountCharges(a, c) {
      const subs = await numbersOf(a);
      const month = Number(c);
      const total = (rows: { li: unknown }[]) => liToFen(rows.reduce((x, r) => x + big(r.li), 0n));
      return { usage: total(await feeLines('TAB_ACC_GSM_SUM_FEE', subs, month)), rents: total(await feeLines('TAB_ACC_GSM_HOT_RENT', subs, month)) };
    },
    async deleteFees(by, cycle) {
      const subs = 'subscrbid' in by ? [String(by.subscrbid)] : await numbersOf(by.acctid);
      for (const table of ['TAB_ACC_GSM_SUM_FEE', 'TAB_ACC_GSM_HOT_RENT'])
        for (const s of subs) await sql(`DELETE FROM ${table} WHERE SUBSCRBID = :s${cycle === undefined ? '' : ' AND MONTH = :m'}`, { s: BigInt(s), ...(cycle === undefined ? {} : { m: Number(cycle) }) });
    },
    insertUsage: (f) => insertFee('TAB_ACC_GSM_SUM_FEE', f),
    insertRent: (f) => insertFee('TAB_ACC_GSM_HOT_RENT', f),
    async payBySerial(source, serial) {
      return (await payRows('WHERE CHANNEL = :s AND SERIALNO = :r', { s: source, r: serial }))[0];
    },
    paysOfSerial: (serial) => payRows('WHERE SERIALNO = :r ORDER BY PAYSN', { r: serial }),
    paysOf: (s) => payRows('WHERE SUBSCRBID = :s ORDER BY PAYSN', { s }),
    paysSince: (since, mode) => payRows('WHERE PAYDATE >= :t AND PAYTYPE = :m ORDER BY PAYDATE DESC, PAYSN DESC', { t: since, m: code(B_PAY_PAYTYPE, mode, 'TAB_PAY.PAYTYPE') }),
    async payCount(a) {
      return Number((await sql<{ n: unknown }>('SELECT COUNT(*) AS N FROM TAB_PAY WHERE ACCTID = :a', { a }))[0].n);
    },
    async insertPay(p) {
      await sql(
        `INSERT INTO TAB_PAY (PAYSN, ACCTID, SUBSCRBID, SVCNUM, PAYTYPE, PAYFEE, PAYDATE, CHANNEL, SERIALNO, OPERID, PAYSTAT, ORIGPAYSN, CANCELPAYSN)
         VALUES (:p, :a, :s, :n, :m, :amt, :t, :src, :ser, :op, :st, :o, :r)`,
        {
          p: p.paysn,
          a: p.acctid,
          s: p.subscrbid,
          n: p.svcnum,
          m: code(B_PAY_PAYTYPE, p.paymode, 'TAB_PAY.PAYTYPE'),
          amt: BigInt(p.amount),
          t: p.paytime,
          src: p.source,
          ser: p.serial,
          op: p.operator,
          st: code(B_PAYSTAT, p.status, 'PAYSTAT'),
          o: p.orig_paysn ?? null,
          r: p.reversed_by ?? null,
        },
      );
    },
    async depositOf(p) {
      const [r] = await sql<{ amount: unknown; acctid: unknown }>('SELECT CAST(DEPOSITFEE AS VARCHAR(30)) AS AMOUNT, ACCTID FROM TAB_PREDEPOSITRECORD WHERE PAYSN = :p', { p });
      return r && { acctid: r.acctid, amount: big(r.amount) };
    },
    async depositCount(a) {
      return Number((await sql<{ n: unknown }>('SELECT COUNT(*) AS N FROM TAB_PREDEPOSITRECORD WHERE ACCTID = :a', { a }))[0].n);
    },
    async depositTotals(a, type) {
      const [r] = await sql<{ b: unknown; i: unknown; o: unknown }>(
        'SELECT CAST(DTALBAL AS VARCHAR(30)) AS B, CAST(INFEE AS VARCHAR(30)) AS I, CAST(OUTFEE AS VARCHAR(30)) AS O FROM TAB_ACCOUNTPREDEPOSITDTAL WHERE ACCTID = :a AND DEPOSITTYPEID = :t',
        { a, t: type },
      );
      return r && { balance: big(r.b), totalIn: big(r.i), totalOut: big(r.o) };
    },
    async noPrintRules() {
      const rows = await sql<{ p: string; r: string }>('SELECT PRCPLNID AS p, AREAID AS r FROM TAB_PRCPLN_NOPRINT');
      return rows
        .map((r) => ({ prcpln: r.p, region: region(r.r) }))
        .sort((x, y) => (x.prcpln < y.prcpln ? -1 : x.prcpln > y.prcpln ? 1 : x.region < y.region ? -1 : x.region > y.region ? 1 : 0));
    },
    async addNoPrint(p, r, remark, created) {
      await sql('INSERT INTO TAB_PRCPLN_NOPRINT (PRCPLNID, AREAID, REMARK, CREATEDATE) VALUES (:p, :r, :m, :c)', { p, r: bAreaId(r), m: remark, c: created });
    },
    async removeNoPrint(p, r) {
      if (r === undefined) await sql('DELETE FROM TAB_PRCPLN_NOPRINT WHERE PRCPLNID = :p', { p });
      else await sql('DELETE FROM TAB_PRCPLN_NOPRINT WHERE PRCPLNID = :p AND AREAID = :r', { p, r: bAreaId(r) });
    },
  };
}

/** The facts of a schema. */
export function schemaFacts(schema: 'a' | 'b', sql: Sql): SchemaFacts {
  return schema === 'b' ? schemaBFacts(sql) : defaultFacts(sql);
}
