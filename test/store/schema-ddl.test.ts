import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import pino from 'pino';
import { createSqliteStore } from '../../src/store/open.js';
import { SEQUENCES, TABLES, TABLE_NAMES, TICKET_KINDS, ticketTable, ticketTableDef } from '../../src/store/schema.js';
import {
  BUSI_STATUS,
  BUSI_TYPES,
  FEE_ITEMS,
  NET_TYPES,
  PAY_MODES,
  PAY_STATUS,
  SRVG_CODES,
  SUBSCRIBER_STATUS,
  SRVG_STATUS_CODES,
  SRVG_ACTION_CODES,
  ID_TYPES,
  SIM_CARD_STATUS,
  LIST_TYPES,
  LIST_STATUS,
  SWITCH_TYPES,
} from '../../src/domain/codes.js';
import { STATUS_TRANSITIONS } from '../../src/domain/transitions.js';
import { ensureTicketTable, renderDdl, renderDdlScript, renderTicketDdl } from '../../src/store/ddl.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const REQUIRED = [
  'TAB_SUBSCRB', 'TAB_ACCT', 'TAB_PAYTYPE', 'ACCT_BALANCE', 'TAB_SRVG', 'USR_BUSI_RECORD', 'USR_BUSI_SRVG', 'RES_MOB_CARD',
  'TAB_BILLDETAIL', 'RATING2_REAL_FEE', 'BILL_RENT_ACCT_DETAIL', 'TAB_SPECIALCUSTLST', 'TAB_PAY', 'TAB_ACCOUNTPREDEPOSIT',
  'TAB_ACCOUNTPREDEPOSITDTAL', 'TAB_VOIPSUBSCRB', 'TAB_PRCPLN_NOPRINT', 'SWITCH_INS_MODEL',
  'BSG_META', 'BSG_IDEMPOTENCY', 'BSG_AUTH_FAIL', 'BSG_CMD_QUEUE',
];

// Oracle's reserved words (V$RESERVED_WORDS, RESERVED = 'Y', plus the SQL reference list): a
// column called one of these needs quoting on Oracle, which the portable SQL never does.
const ORACLE_RESERVED = new Set(
  `ACCESS ADD ALL ALTER AND ANY AS ASC AUDIT BETWEEN BY CHAR CHECK CLUSTER COLUMN COMMENT COMPRESS CONNECT CREATE CURRENT
DATE DECIMAL DEFAULT DELETE DESC DISTINCT DROP ELSE EXCLUSIVE EXISTS FILE FLOAT FOR FROM GRANT GROUP HAVING IDENTIFIED
IMMEDIATE IN INCREMENT INDEX INITIAL INSERT INTEGER INTERSECT INTO IS LEVEL LIKE LOCK LONG MAXEXTENTS MINUS MLSLABEL MODE
MODIFY NOAUDIT NOCOMPRESS NOT NOWAIT NULL NUMBER OF OFFLINE ON ONLINE OPTION OR ORDER PCTFREE PRIOR PRIVILEGES PUBLIC RAW
RENAME RESOURCE REVOKE ROW ROWID ROWNUM ROWS SELECT SESSION SET SHARE SIZE SMALLINT START SUCCESSFUL SYNONYM SYSDATE TABLE
THEN TO TRIGGER UID UNION UNIQUE UPDATE USER VALIDATE VALUES VARCHAR VARCHAR2 VIEW WHENEVER WHERE WITH`.split(/\s+/),
);

t.test('every legacy table of the inventory and every BSG_ table is defined', async (t) => {
  for (const name of REQUIRED) t.ok(TABLE_NAMES.includes(name), name);
  t.ok(TABLES.every((x) => x.name === x.name.toUpperCase()), 'table names are upper case');
});

t.test('the DDL renders for sqlite, postgres and oracle with every table and index', async (t) => {
  for (const d of ['sqlite', 'postgres', 'oracle'] as const) {
    const ddl = renderDdl(d);
    const text = ddl.join('\n');
    for (const name of REQUIRED) t.ok(ddl.some((s) => s.startsWith(`CREATE TABLE ${name} (`)), `${d}: ${name}`);
    for (const tbl of TABLES) {
      for (const ix of tbl.indexes ?? []) t.ok(text.includes(`INDEX ${ix.name} ON ${tbl.name} (${ix.columns.join(', ')})`), `${d}: ${ix.name}`);
    }
    t.ok(ddl.every((s) => !s.trimEnd().endsWith(';')), `${d}: statements carry no semicolon (oracledb rejects one)`);
    t.equal(ddl.some((s) => s.includes('BSG_SEQUENCE')), d === 'sqlite', `${d}: BSG_SEQUENCE only on sqlite`);
    for (const s of SEQUENCES) {
      t.ok(text.includes(d === 'sqlite' ? `'${s}'` : `CREATE SEQUENCE ${s} `), `${d}: sequence ${s}`);
    }
  }
});

t.test('each dialect gets its own types: NUMBER/VARCHAR2 BYTE/DATE, BIGINT/VARCHAR/TIMESTAMP, INTEGER/TEXT', async (t) => {
  const ora = renderDdl('oracle').join('\n');
  t.match(ora, /SVCNUM\s+VARCHAR2\(20 BYTE\) NOT NULL/);
  t.match(ora, /BALANCE\s+NUMBER\(19\) NOT NULL/);
  t.match(ora, /OPENDATE\s+DATE NOT NULL/);
  t.match(ora, /REPLY\s+BLOB NOT NULL/);
  const pg = renderDdl('postgres').join('\n');
  t.match(pg, /BALANCE\s+BIGINT NOT NULL/);
  t.match(pg, /SVCNUM\s+VARCHAR\(20\) NOT NULL/);
  t.match(pg, /OPENDATE\s+TIMESTAMP\(0\) NOT NULL/);
  t.match(pg, /REPLY\s+BYTEA NOT NULL/);
  const lite = renderDdl('sqlite').join('\n');
  t.match(lite, /SUBSCRBID\s+INTEGER NOT NULL/);
  t.match(lite, /OPENDATE\s+TEXT NOT NULL/);
  t.notMatch(lite, /COMMENT ON/);
});

t.test('money columns are 64-bit integers on every dialect, never floating point', async (t) => {
  for (const tbl of TABLES) {
    for (const c of tbl.columns) {
      if (/AMOUNT|BALANCE|FEE$|OWED|LIMIT|TOTAL_IN|TOTAL_OUT|RENT$/.test(c.name)) t.equal(c.type, 'bigint', `${tbl.name}.${c.name}`);
    }
  }
  for (const d of ['sqlite', 'postgres', 'oracle'] as const) t.notMatch(renderDdl(d).join('\n'), /^\s+[A-Z0-9_]+\s+(FLOAT|REAL|DOUBLE|NUMERIC|DECIMAL|BINARY_)/m, d);
});

t.test('no identifier is an Oracle reserved word, and every name fits Oracle 30 characters', async (t) => {
  const names: string[] = [];
  const all = [...TABLES, ...TICKET_KINDS.map((k) => ticketTableDef(k, '209912'))];
  for (const tbl of all) {
    names.push(tbl.name, `PK_${tbl.name}`, ...tbl.columns.map((c) => c.name), ...(tbl.indexes ?? []).map((i) => i.name));
  }
  names.push(...SEQUENCES);
  for (const n of names) {
    t.notOk(ORACLE_RESERVED.has(n), `${n} is not reserved`);
    t.ok(n.length <= 30, `${n} has at most 30 characters`);
    t.match(n, /^[A-Z][A-Z0-9_]*$/, `${n} needs no quoting`);
  }
  const indexNames = all.flatMap((x) => (x.indexes ?? []).map((i) => i.name));
  t.equal(new Set(indexNames).size, indexNames.length, 'index names are unique (PostgreSQL and Oracle name them per schema)');
});

t.test('every index and primary key names existing columns', async (t) => {
  for (const tbl of [...TABLES, ...TICKET_KINDS.map((k) => ticketTableDef(k, '202401'))]) {
    const cols = new Set(tbl.columns.map((c) => c.name));
    for (const c of tbl.primaryKey ?? []) t.ok(cols.has(c), `${tbl.name} pk ${c}`);
    for (const ix of tbl.indexes ?? []) for (const c of ix.columns) t.ok(cols.has(c), `${ix.name} ${c}`);
  }
});

t.test('the lookups of the inventory functions have an index', async (t) => {
  const leading = (table: string) =>
    (TABLES.find((x) => x.name === table)?.indexes ?? []).map((i) => i.columns[0]).concat(TABLES.find((x) => x.name === table)?.primaryKey?.[0] ?? []);
  t.ok(leading('TAB_SUBSCRB').includes('SVCNUM'), 'CS-02 number → subscriber');
  t.ok(leading('TAB_SUBSCRB').includes('IMSI'), 'IMSI');
  t.ok(leading('TAB_SUBSCRB').includes('SIMCARDID'), 'CS-06 SIM');
  t.ok(leading('TAB_SUBSCRB').includes('ACCTID'), 'account → numbers');
  t.ok(leading('TAB_SUBSCRB').includes('CUSTID'), 'VO-07 customer → numbers');
  t.ok(leading('TAB_SUBSCRB').includes('IDNUM'), 'ID document number');
  t.ok(leading('TAB_SUBSCRB').includes('CARDNUM'), 'VO-05 card → numbers');
  t.ok(leading('RES_MOB_CARD').includes('SIMCARDID'), 'CS-07 SIM → PUK');
  t.ok(leading('TAB_SPECIALCUSTLST').includes('IDNUM'), 'CS-15 blacklist by ID number');
  t.ok(leading('USR_BUSI_RECORD').includes('SVCNUM'), 'CS-05 change records by number');
  t.ok(leading('USR_BUSI_RECORD').includes('STATUS'), 'OC-01 status 5 scan');
  t.ok(leading('TAB_PAY').includes('ACCTID'), 'CS-17 payments of an account');
  t.ok(leading('TAB_PAY').includes('PAYTIME'), 'PC-08 last hour');
  t.ok(leading('TAB_VOIPSUBSCRB').includes('BINDNUM'), 'VO-06 phone → card');
  t.ok(leading('BSG_CMD_QUEUE').includes('STATE'), 'OC-01 claimable commands');
  const payIx = TABLES.find((x) => x.name === 'TAB_PAY')?.indexes?.find((i) => i.unique);
  t.same(payIx?.columns, ['SOURCE', 'SERIAL'], 'PC-06: a card serial is unique per source');
  for (const k of TICKET_KINDS) t.same(ticketTableDef(k, '202401').indexes?.[0].columns, ['SVCNUM', 'STARTTIME'], `CS-11 ${k} by number and time`);
});

t.test('ticketTable names a month and refuses anything that is not YYYYMM (table names come from requests)', async (t) => {
  t.equal(ticketTable('GSMCDMA', '202405'), 'TICKET_GSMCDMA_202405');
  t.equal(ticketTable('163', '199912'), 'TICKET_163_199912');
  for (const bad of ['202413', '202400', '2024-05', '20245', '2024051', "202405; DROP TABLE TAB_PAY", '', 'YYYYMM']) {
    t.throws(() => ticketTable('SMS', bad), RangeError, JSON.stringify(bad));
  }
  t.throws(() => ticketTable('193' as never, '202405'), RangeError);
  const ddl = renderTicketDdl('CDMA1X', '202405', 'oracle');
  t.match(ddl[0], /^CREATE TABLE TICKET_CDMA1X_202405 \(/);
  t.equal(ddl.length, 2);
});

t.test('docs/oracle-ddl.sql equals the Oracle rendering', async (t) => {
  const file = fs.readFileSync(path.join(root, 'docs/oracle-ddl.sql'), 'utf8');
  t.equal(file, renderDdlScript('oracle'), 'regenerate with: bssgate db ddl --dialect oracle > docs/oracle-ddl.sql');
});

t.test('the code tables name the busitypes and statuses the DDL comments promise', async (t) => {
  t.equal(SUBSCRIBER_STATUS.ARREARS_SUSPENDED.code, 3);
  t.equal(BUSI_TYPES.EMERGENCY_SUSPEND.switch, true);
  const codes = Object.values(BUSI_TYPES).map((b) => b.code);
  t.equal(new Set(codes).size, codes.length, 'busitype codes are unique');
});

t.test('the SQLite DDL executes, and ensureTicketTable creates a month once', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bsg-schema-'));
  const store = createSqliteStore(path.join(dir, 's.db'), pino({ level: 'silent' }));
  t.teardown(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  for (const s of renderDdl('sqlite')) await store.exec(s);
  for (const name of REQUIRED) t.ok(await store.tableExists(name), name);
  t.equal(await store.tableExists('TICKET_SMS_202405'), false, 'a month without a table: no records');
  t.equal(await ensureTicketTable(store, 'SMS', '202405'), true);
  t.equal(await ensureTicketTable(store, 'SMS', '202405'), false, 'the second call finds it');
  t.ok(await store.tableExists('ticket_sms_202405'));
  const seqs = await store.all<{ name: string; value: number }>({ name: 't.seq', sql: 'SELECT NAME, VALUE FROM BSG_SEQUENCE ORDER BY NAME' });
  t.same(seqs.map((r) => r.name).sort(), [...SEQUENCES].sort());
  const next = await store.one<{ n: bigint }>({ name: 't.nextval', sql: 'SELECT {{nextval SEQ_BUSISN}} AS N', bigint: ['n'] });
  t.equal(next?.n, 1n, "the store's nextval hands out 1 first");
});

t.test('docs/schema.md documents every table, column, code and transition', async (t) => {
  const md = fs.readFileSync(path.join(root, 'docs/schema.md'), 'utf8');
  for (const tbl of TABLES) {
    t.ok(md.includes(`### ${tbl.name}`), tbl.name);
    for (const c of tbl.columns) t.ok(md.includes(`| ${c.name} |`) || md.includes(`| **${c.name}** |`), `${tbl.name}.${c.name}`);
  }
  for (const k of TICKET_KINDS) t.ok(md.includes(`### TICKET_${k}_YYYYMM`), k);
  const tablesOfCodes = { SUBSCRIBER_STATUS, NET_TYPES, BUSI_TYPES, BUSI_STATUS, PAY_MODES, PAY_STATUS, SRVG_CODES, FEE_ITEMS, SWITCH_TYPES, SRVG_STATUS_CODES, SRVG_ACTION_CODES, ID_TYPES, SIM_CARD_STATUS, LIST_TYPES, LIST_STATUS };
  for (const [name, tbl] of Object.entries(tablesOfCodes)) {
    for (const v of Object.values(tbl)) t.ok(md.includes(`| ${v.code} | ${v.zh} | ${v.en} |`), `${name} ${v.code}`);
  }
  for (const tr of STATUS_TRANSITIONS) {
    const b = BUSI_TYPES[tr.busi];
    t.ok(md.includes(`| ${b.code} ${b.zh} | ${tr.ids} | ${tr.from.join(', ')} | ${tr.to ?? 'unchanged'} |`), `transition ${tr.busi}`);
  }
});

t.test('the status transition table only names real statuses, and every acceptance operation has a row', async (t) => {
  const statuses = new Set<number>(Object.values(SUBSCRIBER_STATUS).map((s) => s.code));
  for (const tr of STATUS_TRANSITIONS) {
    for (const s of tr.from) t.ok(statuses.has(s), `${tr.busi} from ${s}`);
    if (tr.to !== undefined) t.ok(statuses.has(tr.to), `${tr.busi} to ${tr.to}`);
    t.notOk(tr.from.includes(5), `${tr.busi}: nothing is accepted on a cancelled number`);
  }
  for (const id of ['CS-20', 'CS-21', 'CS-22', 'CS-23', 'CS-24', 'CS-25', 'CS-26', 'PC-03']) {
    t.ok(STATUS_TRANSITIONS.some((x) => x.ids.includes(id)), id);
  }
});

t.test('schema.ts imports nothing from ddl.ts (no schema ↔ ddl import cycle)', async (t) => {
  const src = fs.readFileSync(path.join(root, 'src/store/schema.ts'), 'utf8');
  t.match(src, /export const TABLES\b/, 'read the schema source');
  // Any module specifier naming ./ddl.js: import … from, export … from, import './ddl.js', import('./ddl.js').
  t.notMatch(src, /['"`]\.\/ddl(?:\.js)?['"`]/, 'no import or re-export of ./ddl.js');
});

t.test('the docs and comments state Oracle 12.1 as the floor (the SQL uses FETCH FIRST / OFFSET … ROWS)', async (t) => {
  const files: string[] = ['README.md', 'h.ini.example'];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = path.join(dir, e.name);
      if (e.isDirectory()) walk(rel);
      else if (/\.(md|ts|sql|ini|example)$/.test(e.name)) files.push(rel);
    }
  };
  for (const d of ['docs', 'src', 'config']) if (fs.existsSync(path.join(root, d))) walk(d);
  const wrong: string[] = [];
  for (const f of files) {
    fs.readFileSync(path.join(root, f), 'utf8').split('\n').forEach((line, i) => {
      // 10g/11g may be named only to exclude them; "before 12.2" reads as if older releases worked.
      if ((/\b1[01]g\b/i.test(line) && !/not supported/.test(line)) || /before 12\.2/i.test(line)) wrong.push(`${f}:${i + 1}: ${line.trim()}`);
    });
  }
  t.ok(files.length > 20, 'the walk found the sources');
  t.same(wrong, [], 'no line claims an Oracle release older than 12.1');
  t.match(fs.readFileSync(path.join(root, 'docs/store.md'), 'utf8'), /Oracle 12\.1 or later/, 'docs/store.md states the floor');
  t.match(fs.readFileSync(path.join(root, 'README.md'), 'utf8'), /Oracle 12\.1 or later/, 'README.md states the floor');
});
