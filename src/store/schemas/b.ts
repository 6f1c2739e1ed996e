// Reference schema "B" (issue 15): a second schema of the same family as bssgate's own, modelled on
// public evidence of another province's system (docs/operator-schema.md, "Schema B"):
//   - TAB_SUBSCRB has no account id and no price plan: the subscriber → account link is the
//     time-ranged TAB_ACCTRELATION (ACCTITMTYPEID 1 or -1 = all items; EXPDATE NULL = open), the
//     plan the time-ranged TAB_SUBSCRBPRCPLN (PRCPLNTYPEID < 100 = main plan; ENDTIME NULL = open);
//   - character codes: SVCSTAT ('0' active … '9' cancelled), SVCID ('10' GSM, '20' CDMA, '21'
//     CDMA1X, '30' IP Phone), six-digit AREAID ('097100'), PAYTYPE '10'…'17' ('14' payment card);
//   - usage and bill fees in 厘 (1/1000 yuan: FEE + DFEE), other money columns in fen;
//   - one bill-detail table per area (TAB_BILLDETAIL_<areaid>), item names in TAB_ACCTITEM;
//   - other column names for the same facts (SUBSCRBPWD, ICCID, IPCARDNO, CERTNO, STATDATE …);
//   - payments in a differently shaped TAB_PAY (PAYTYPE, PAYFEE, PAYDATE, PAYSTAT …) and the
//     balance as the sum of an account's TAB_ACCOUNTPREDEPOSIT books (THISBAL).
//   - monthly ticket tables of the same columns under other names, from the `-- table:` templates of
//     its queries file (TICKET_CDMA_VOICE_<yymm> …, see bTicketNaming);
// BSG_* tables (bssgate's own) are the same as in the default schema.
//
// The demo of schema B is the default demo (src/store/demo.ts generateDemo) written through
// `schemaBTarget`: the same logical rows, translated here into B's tables, codes and units, so the
// two can never drift. config/schemas/b/queries.sql maps every query back to the contract.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REGIONS, PROVINCE_WIDE_REGION, FEE_ITEMS } from '../../domain/codes.js';
import type { BindValue } from '../types.js';
import { TABLES, columnsOf, ticketKindOf, ticketTableDef, type Column, type Table, type TicketKind } from '../schema.js';
import type { DemoTarget, Emit } from '../demo.js';
import { tableTemplate, templateProblems, ticketNaming, type TicketNaming } from '../queries/define.js';
import { parseQueriesText, QueriesFileError } from '../queries/file.js';

type Row = BindValue[];

const id = (name: string, doc?: string, nullable = false): Column => ({ name, type: 'id', nullable, doc });
const int = (name: string, doc?: string, nullable = false): Column => ({ name, type: 'int', nullable, doc });
const fen = (name: string, doc = 'fen'): Column => ({ name, type: 'bigint', doc });
const li = (name: string, doc = '厘 (1/1000 yuan)'): Column => ({ name, type: 'bigint', doc });
const text = (name: string, size: number, doc?: string, nullable = false): Column => ({ name, type: 'text', size, nullable, doc });
const char = (name: string, size: number, doc?: string, nullable = false): Column => ({ name, type: 'char', size, nullable, doc });
const ts = (name: string, doc?: string, nullable = false): Column => ({ name, type: 'timestamp', nullable, doc });

// ---------------------------------------------------------------------------------------------
// Code maps (ours → B). The queries file maps them back in SQL (CASE), see queries.sql.

/** SVCSTAT of our TAB_SUBSCRB.STATUS 1…5. */
export const B_SVCSTAT: Record<number, string> = { 1: '0', 2: '1', 3: '4', 4: '7', 5: '9' };
/** SVCID of our NETTYPE. */
export const B_SVCID: Record<string, string> = { G: '10', C: '20', X: '21', V: '30' };
/** PAYTYPE of an account's pay mode (TAB_PAYTYPE 1…5). */
export const B_ACCT_PAYTYPE: Record<number, string> = { 1: '14', 2: '10', 3: '15', 4: '12', 5: '11' };
/** PAYTYPE of a payment's mode (TAB_PAY.PAYMODE). */
export const B_PAY_PAYTYPE: Record<number, string> = { 1: '10', 2: '17', 3: '11', 15: '14' };
/** PAYSTAT of our TAB_PAY.STATUS 1…3. */
export const B_PAYSTAT: Record<number, string> = { 1: '0', 2: '1', 3: '2' };
/** SUBSVCID (9-digit, zero-padded) of our special-service codes. */
export const B_SUBSVCID: Record<string, string> = {
  CFU: '000000501',
  CFB: '000000502',
  CFNRY: '000000503',
  CW: '000000504',
  CLIP: '000000505',
  ROAMN: '000000601',
  ROAMI: '000000602',
  IDD: '000000603',
  SMS: '000000701',
  DATA: '000000801',
};
/** SRVGSTAT of our TAB_SRVG.STATUS (1 on, 0 off). */
export const B_SRVGSTAT: Record<number, string> = { 1: '0', 0: '1' };

/** AREAID of an area code ('0971' → '097100'); province-wide 'Z' → '000000'. */
export function bAreaId(region: string): string {
  return region === PROVINCE_WIDE_REGION ? '000000' : `${region}00`;
}
/** ACCTITMID of a fee item code (101 → '100101'). */
export function bAcctItem(code: number): string {
  return `10${String(code).padStart(4, '0')}`;
}

// ---------------------------------------------------------------------------------------------
// Tables.

const BSG_TABLES = TABLES.filter((t) => t.name.startsWith('BSG_'));
const SAME_TABLES = ['USR_BUSI_RECORD', 'USR_BUSI_SRVG', 'RES_MOB_CARD', 'TAB_SPECIALCUSTLST', 'TAB_VOIPSUBSCRB', 'SWITCH_INS_MODEL'];

/** The per-area bill-detail table of an area code. */
export function bBillTable(region: string): string {
  return `TAB_BILLDETAIL_${bAreaId(region)}`;
}

function billTable(region: string): Table {
  const name = bBillTable(region);
  return {
    name,
    doc: `月结帐单 bills of area ${bAreaId(region)} (schema B: one table per area)`,
    columns: [
      id('SUBSCRBID'),
      id('ACCTID'),
      char('BILLINGCYCLID', 6, 'YYYYMM'),
      char('ACCTITMID', 6, "'10' + 4-digit item code"),
      li('FEE', '厘, the item net of DFEE'),
      li('DFEE', '厘, discount or adjustment; the item is FEE + DFEE'),
      char('RECSTAT', 2, "'00' unpaid, '15' paid"),
    ],
    primaryKey: ['SUBSCRBID', 'BILLINGCYCLID', 'ACCTITMID'],
  };
}

export const B_TABLES: readonly Table[] = [
  {
    name: 'TAB_SUBSCRB',
    doc: '用户档案 subscribers (schema B: no account, no plan on the row)',
    columns: [
      id('SUBSCRBID'),
      text('SVCNUM', 20),
      char('SVCID', 2, "'10' GSM, '20' CDMA, '21' CDMA1X, '30' IP Phone"),
      char('SVCSTAT', 1, "'0' active, '1' suspended on request, '4' arrears-suspended, '7' reserved for cancellation, '9' cancelled"),
      id('CUSTID'),
      text('IMSI', 15, undefined, true),
      text('ICCID', 20, undefined, true),
      text('IPCARDNO', 20, undefined, true),
      char('AREAID', 6),
      text('SUBSCRBPWD', 128),
      text('CUSTNAME', 64),
      char('CERTTYPE', 1),
      text('CERTNO', 32),
      text('CUSTADDR', 200, undefined, true),
      text('LINKPHONE', 20, undefined, true),
      text('POSTCODE', 6, undefined, true),
      text('EMAIL', 64, undefined, true),
      ts('OPENDATE'),
      ts('STATDATE'),
      text('OPERID', 10, undefined, true),
    ],
    primaryKey: ['SUBSCRBID'],
    indexes: [
      { name: 'IXB_SUBSCRB_SVCNUM', columns: ['SVCNUM'] },
      { name: 'IXB_SUBSCRB_IPCARDNO', columns: ['IPCARDNO'] },
      { name: 'IXB_SUBSCRB_CUSTID', columns: ['CUSTID'] },
    ],
  },
  {
    name: 'TAB_ACCTRELATION',
    doc: '用户帐户关系 subscriber → account, time-ranged',
    columns: [id('ACCTID'), id('SUBSCRBID'), int('ACCTITMTYPEID', '1 or -1: all items (the paying account); others: one item'), ts('EFFDATE'), ts('EXPDATE', 'NULL = open', true)],
    primaryKey: ['SUBSCRBID', 'ACCTITMTYPEID', 'EFFDATE'],
    indexes: [{ name: 'IXB_ACCTREL_ACCTID', columns: ['ACCTID'] }],
  },
  {
    name: 'TAB_SUBSCRBPRCPLN',
    doc: '用户资费 subscriber price plans, time-ranged',
    columns: [id('SUBSCRBID'), text('PRCPLNID', 8), int('PRCPLNTYPEID', '< 100: main plan'), char('AREAID', 6), ts('BEGTIME'), ts('ENDTIME', 'NULL = open', true)],
    primaryKey: ['SUBSCRBID', 'PRCPLNID', 'BEGTIME'],
  },
  {
    name: 'TAB_ACCT',
    doc: '帐户 accounts',
    columns: [id('ACCTID'), id('CUSTID'), text('ACCTNAME', 64), char('PAYTYPE', 2, "'10' cash … '14' payment card, '15' collection"), char('AREAID', 6), text('BANKACCNO', 32, undefined, true), int('STAT', '1 active, 2 closed'), ts('CREATEDATE')],
    primaryKey: ['ACCTID'],
  },
  {
    name: 'TAB_PAYTYPE',
    doc: '付费方式 pay types and their credit level',
    columns: [char('PAYTYPE', 2), text('PAYTYPENAME', 32), int('CREDITLEVEL'), fen('CREDITFEE')],
    primaryKey: ['PAYTYPE'],
  },
  {
    name: 'TAB_ACCOUNTPREDEPOSIT',
    doc: '帐户预存 balance books of an account: the balance is the sum of THISBAL (fen)',
    columns: [id('ACCTID'), int('BOOKTYPE', '1 cash, 2 gift'), fen('THISBAL', 'fen; negative = owed'), ts('UPDTIME')],
    primaryKey: ['ACCTID', 'BOOKTYPE'],
  },
  {
    name: 'TAB_PREDEPOSITRECORD',
    doc: '预存款记录 one deposit row per payment or reversal',
    columns: [id('RECORDSN'), id('ACCTID'), id('PAYSN'), int('DEPOSITTYPEID'), fen('DEPOSITFEE'), ts('RECTIME')],
    primaryKey: ['RECORDSN'],
  },
  {
    name: 'TAB_ACCOUNTPREDEPOSITDTAL',
    doc: '预存款明细 deposit totals per account and deposit type',
    columns: [id('ACCTID'), int('DEPOSITTYPEID'), fen('DTALBAL'), fen('INFEE'), fen('OUTFEE'), ts('UPDTIME')],
    primaryKey: ['ACCTID', 'DEPOSITTYPEID'],
  },
  {
    name: 'TAB_PRCPLN',
    doc: '资费套餐 price plans',
    columns: [text('PRCPLNID', 8), text('PRCPLNNAME', 64), char('SVCID', 2), fen('RENTFEE')],
    primaryKey: ['PRCPLNID'],
  },
  {
    name: 'TAB_PRCPLN_NOPRINT',
    doc: "禁止打印详单套餐 no-print plans; AREAID '000000' = whole province",
    columns: [text('PRCPLNID', 8), char('AREAID', 6), text('REMARK', 200, undefined, true), ts('CREATEDATE')],
    primaryKey: ['PRCPLNID', 'AREAID'],
  },
  {
    name: 'TAB_SRVG',
    doc: '用户特服 special services',
    columns: [id('SUBSCRBID'), char('SUBSVCID', 9, '9-digit zero-padded service id'), text('SRVGPARA', 40, undefined, true), char('SRVGSTAT', 1, "'0' on, '1' off"), ts('ORDERDATE'), ts('REMOVEDATE', undefined, true)],
    primaryKey: ['SUBSCRBID', 'SUBSVCID'],
  },
  {
    name: 'TAB_ACCTITEM',
    doc: '帐目 fee items and their printed names',
    columns: [char('ACCTITMID', 6), text('ACCTITMNAME', 32)],
    primaryKey: ['ACCTITMID'],
  },
  {
    name: 'TAB_ACC_GSM_SUM_FEE',
    doc: '实时话费 usage fees of the month so far (厘)',
    columns: [id('SUBSCRBID'), char('ACCTITMID', 6), li('FEE'), li('DFEE'), int('MONTH', 'YYYYMM as a number'), ts('UPDTIME')],
    primaryKey: ['SUBSCRBID', 'MONTH', 'ACCTITMID'],
  },
  {
    name: 'TAB_ACC_GSM_HOT_RENT',
    doc: '月租及功能费 rents of the month so far (厘)',
    columns: [id('SUBSCRBID'), char('ACCTITMID', 6), li('FEE'), li('DFEE'), int('MONTH', 'YYYYMM as a number'), ts('UPDTIME')],
    primaryKey: ['SUBSCRBID', 'MONTH', 'ACCTITMID'],
  },
  {
    name: 'TAB_PAY',
    doc: '缴费流水 payments and reversals (schema B shape)',
    columns: [
      id('PAYSN'),
      id('ACCTID'),
      id('SUBSCRBID'),
      text('SVCNUM', 20),
      char('PAYTYPE', 2, "'10' cash, '11' cheque, '14' payment card, '17' bank"),
      fen('PAYFEE', 'fen; a reversal carries the negated amount'),
      ts('PAYDATE'),
      text('CHANNEL', 16),
      text('SERIALNO', 20),
      text('OPERID', 10),
      char('PAYSTAT', 1, "'0' posted, '1' reversed, '2' reversal record"),
      id('ORIGPAYSN', undefined, true),
      id('CANCELPAYSN', undefined, true),
    ],
    primaryKey: ['PAYSN'],
    indexes: [
      { name: 'UXB_PAY_SERIAL', columns: ['CHANNEL', 'SERIALNO'], unique: true },
      { name: 'IXB_PAY_SVCNUM', columns: ['SVCNUM', 'PAYDATE'] },
      { name: 'IXB_PAY_PAYDATE', columns: ['PAYDATE', 'PAYTYPE'] },
    ],
  },
  ...SAME_TABLES.map((n) => TABLES.find((t) => t.name === n)!),
  ...REGIONS.map((r) => billTable(r.code)),
  ...BSG_TABLES,
];

// ---------------------------------------------------------------------------------------------
// Monthly ticket tables: the same columns as the default schema's, other names. The names come
// from the `-- table:` templates of B's queries file (config/schemas/b/queries.sql), the one
// source of truth: the demo creates and fills those tables, `db init --force` drops them, and the
// ticket queries read them through the same file (src/store/queries/define.ts ticketTableOf).

/** config/schemas/b/queries.sql (from src/store/schemas/ when tests run the sources, from dist/src/store/schemas/ when built). */
export function schemaBQueriesFile(): string {
  const candidates = ['../../..', '../../../..'].map((up) => join(import.meta.dirname, up, 'config/schemas/b/queries.sql'));
  const found = candidates.find((f) => existsSync(f));
  if (!found) throw new Error(`schema B: its queries file is not found (looked for ${candidates.join(', ')})`);
  return found;
}

let naming: TicketNaming | undefined;

/** How schema B names its ticket tables: the `-- table:` lines of its queries file (read once, checked as the loader does). */
export function bTicketNaming(): TicketNaming {
  if (naming) return naming;
  const file = schemaBQueriesFile();
  const templates = new Map<string, { template: string; line: number }>();
  for (const t of parseQueriesText(readFileSync(file, 'utf8'), file).templates) {
    const def = tableTemplate(t.name);
    if (!def) throw new QueriesFileError(file, t.line, undefined, `table template ${t.name}: no template of that name`);
    const problems = templateProblems(def, t.template);
    if (problems.length) throw new QueriesFileError(file, t.line, undefined, `table template ${t.name}: ${problems.join('; ')}`);
    templates.set(t.name, t);
  }
  return (naming = ticketNaming({ template: (name) => templates.get(name) }));
}

/** Schema B's ticket table of a kind for a month (YYYYMM), e.g. bTicketTable('GSMCDMA', '202612') → TICKET_CDMA_VOICE_2612. */
export function bTicketTable(kind: TicketKind, month: string): string {
  return bTicketNaming().table(kind, month);
}

const TICKET_COLUMNS = new Map<TicketKind, readonly string[]>();
function ticketColumns(kind: TicketKind): readonly string[] {
  let c = TICKET_COLUMNS.get(kind);
  if (!c) TICKET_COLUMNS.set(kind, (c = columnsOf(ticketTableDef(kind, 'YYYYMM'))));
  return c;
}

// ---------------------------------------------------------------------------------------------
// The writer: default demo rows → schema B rows.

const B_COLUMNS: Record<string, readonly string[]> = Object.fromEntries(B_TABLES.map((t) => [t.name, t.columns.map((c) => c.name)]));

const DAY = 86_400_000;

/** The demo target of schema B (src/store/demo.ts loadDemo, src/store/init.ts). */
export function schemaBTarget(): DemoTarget {
  const tickets = bTicketNaming();
  // The area of each subscriber seen (its bills go to its area's table). Rows of a subscriber
  // follow its TAB_SUBSCRB row; the map is trimmed so a large demo does not hold them all.
  const areaOf = new Map<string, string>();
  const write = (table: string, r: Row, out: Emit): void => {
    switch (table) {
      case 'TAB_SUBSCRB': {
        const [subscrbid, svcnum, net, status, custid, acctid, imsi, sim, card, region, plan, pwd, name, idtype, idnum, addr, contact, post, open, statusDate, op] = r;
        if (areaOf.size > 10_000) areaOf.clear();
        areaOf.set(String(subscrbid), region as string);
        const i = Number(subscrbid) - 100_000_001;
        out('TAB_SUBSCRB', [subscrbid, svcnum, B_SVCID[net as string], B_SVCSTAT[status as number], custid, imsi, sim, card, bAreaId(region as string), pwd, name, idtype, idnum, addr, contact, post, null, open, statusDate, op]);
        const openD = open as Date;
        const closed = status === 5 ? (statusDate as Date) : null;
        // The paying account: all items (1, or -1 on every other subscriber), open unless cancelled.
        out('TAB_ACCTRELATION', [acctid, subscrbid, i % 2 === 0 ? 1 : -1, openD, closed]);
        // History the queries must skip: an earlier account that paid before, and an account that pays one item only.
        if (i % 5 === 0) out('TAB_ACCTRELATION', [Number(acctid) + 50_000_000, subscrbid, 1, new Date(openD.getTime() - 400 * DAY), openD]);
        if (i % 7 === 0) out('TAB_ACCTRELATION', [Number(acctid) + 60_000_000, subscrbid, 2, openD, null]);
        // Main plan; every fourth subscriber changed plan a day after opening (from another plan).
        if (i % 4 === 0) {
          const change = new Date(openD.getTime() + DAY);
          out('TAB_SUBSCRBPRCPLN', [subscrbid, 'OLD1', 1, bAreaId(region as string), openD, change]);
          out('TAB_SUBSCRBPRCPLN', [subscrbid, plan, 1, bAreaId(region as string), change, closed]);
        } else out('TAB_SUBSCRBPRCPLN', [subscrbid, plan, 1, bAreaId(region as string), openD, closed]);
        // An add-on package (type >= 100) the plan lookups must not take for the main plan.
        if (i % 3 === 0) out('TAB_SUBSCRBPRCPLN', [subscrbid, 'PKG150', 150, bAreaId(region as string), openD, null]);
        return;
      }
      case 'TAB_ACCT': {
        const [acctid, custid, name, payMode, region, bank, status, created] = r;
        out('TAB_ACCT', [acctid, custid, name, B_ACCT_PAYTYPE[payMode as number], bAreaId(region as string), bank, status, created]);
        return;
      }
      case 'TAB_PAYTYPE': {
        const [mode, name, level, limit] = r;
        out('TAB_PAYTYPE', [B_ACCT_PAYTYPE[mode as number], name, level, limit]);
        return;
      }
      case 'ACCT_BALANCE': {
        const [acctid, balance, updated] = r;
        const b = balance as bigint;
        // Some accounts keep a gift book beside the cash book: the balance is their sum.
        if (Number(acctid) % 3 === 0 && b > 1000n) {
          out('TAB_ACCOUNTPREDEPOSIT', [acctid, 1, b - 500n, updated]);
          out('TAB_ACCOUNTPREDEPOSIT', [acctid, 2, 500n, updated]);
        } else out('TAB_ACCOUNTPREDEPOSIT', [acctid, 1, b, updated]);
        return;
      }
      case 'TAB_ACCOUNTPREDEPOSIT':
        out('TAB_PREDEPOSITRECORD', r);
        return;
      case 'TAB_ACCOUNTPREDEPOSITDTAL':
        out('TAB_ACCOUNTPREDEPOSITDTAL', r);
        return;
      case 'TAB_PRCPLN': {
        const [code, name, net, rent] = r;
        out('TAB_PRCPLN', [code, name, B_SVCID[net as string], rent]);
        return;
      }
      case 'TAB_PRCPLN_NOPRINT': {
        const [plan, region, remark, created] = r;
        out('TAB_PRCPLN_NOPRINT', [plan, bAreaId(region as string), remark, created]);
        return;
      }
      case 'TAB_SRVG': {
        const [subscrbid, code, param, status, start, end] = r;
        out('TAB_SRVG', [subscrbid, B_SUBSVCID[code as string], param, B_SRVGSTAT[status as number], start, end]);
        return;
      }
      case 'TAB_BILLDETAIL': {
        const [subscrbid, acctid, , cycle, item, , amount, discount] = r;
        const region = areaOf.get(String(subscrbid));
        if (!region) throw new Error(`schema B demo: bill of subscriber ${String(subscrbid)} before its subscriber row`);
        const a = amount as bigint;
        const d = discount as bigint;
        out(bBillTable(region), [subscrbid, acctid, cycle, bAcctItem(item as number), (a - d) * 10n, d * 10n, '15']);
        return;
      }
      case 'RATING2_REAL_FEE':
      case 'BILL_RENT_ACCT_DETAIL': {
        const [subscrbid, , , cycle, item, amount, updated] = r;
        const a = (amount as bigint) * 10n;
        // Odd subscribers carry an adjustment in DFEE: FEE + DFEE is the fee.
        const adj = Number(subscrbid) % 2 === 1 ? 3n : 0n;
        out(table === 'RATING2_REAL_FEE' ? 'TAB_ACC_GSM_SUM_FEE' : 'TAB_ACC_GSM_HOT_RENT', [subscrbid, bAcctItem(item as number), a + adj, -adj, Number(cycle), updated]);
        return;
      }
      case 'TAB_PAY': {
        const [paysn, acctid, subscrbid, svcnum, mode, amount, time, source, serial, op, status, orig, by] = r;
        out('TAB_PAY', [paysn, acctid, subscrbid, svcnum, B_PAY_PAYTYPE[mode as number], amount, time, source, serial, op, B_PAYSTAT[status as number], orig, by]);
        return;
      }
      default: {
        // The monthly ticket tables: the same columns, B's names (its templates).
        const kind = ticketKindOf(table);
        if (kind) {
          out(tickets.table(kind, table.slice(-6)), r);
          return;
        }
        // Tables of the same shape in both schemas.
        out(table, r);
      }
    }
  };
  return {
    name: 'b',
    tables: B_TABLES,
    write,
    columns: (table, fallback) => {
      if (B_COLUMNS[table]) return B_COLUMNS[table];
      const kind = tickets.kindOf(table);
      return kind ? ticketColumns(kind) : fallback(table);
    },
    tickets,
    referenceRows: () => [{ table: 'TAB_ACCTITEM', rows: Object.values(FEE_ITEMS).map((f) => [bAcctItem(f.code), f.zh]) }],
  };
}
