import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import pino from 'pino';
import iconv from 'iconv-lite';
import { createSqliteStore } from '../../src/store/open.js';
import { ensureDatabase, initDatabase, readMeta } from '../../src/store/init.js';
import { demoColumns, demoFixtures, generateDemo, cycleOf } from '../../src/store/demo.js';
import { verifyPassword } from '../../src/store/password.js';
import { SCHEMA_VERSION, TABLES, ticketTableDef, type TicketKind } from '../../src/store/schema.js';
import { BUSI_TYPES } from '../../src/domain/codes.js';
import type { AdminStore, BindValue } from '../../src/store/types.js';

const log = pino({ level: 'silent' });
const CHEAP = { N: 1024, r: 8, p: 1 };
const NOW = new Date(2025, 4, 15, 12, 0, 0); // 2025-05-15 12:00 local
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bsg-demo-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

let seq = 0;
async function demoDb(t: Tap, seed: number, n: number, mode: 'plain' | 'scrypt' = 'scrypt'): Promise<AdminStore> {
  const store = createSqliteStore(path.join(dir, `d${seq++}.db`), log);
  t.teardown(() => store.close());
  await ensureDatabase(store, { demoSubscribers: n, demoSeed: seed, now: NOW, log, passwordStorage: mode, scrypt: CHEAP });
  return store;
}
/** The part of a tap Test the helper needs. */
interface Tap {
  teardown(fn: () => unknown): void;
}

/** sha256 over every table's rows, tables by name, rows in full-column order. */
async function hashDb(store: AdminStore): Promise<string> {
  const tables = await store.all<{ name: string }>({ name: 't.tables', sql: "SELECT name AS NAME FROM sqlite_master WHERE type = 'table' ORDER BY name" });
  const h = crypto.createHash('sha256');
  for (const { name } of tables) {
    if (name === 'BSG_META') continue; // holds nothing seed-dependent but the seed itself
    const cols = (await store.all<{ name: string }>({ name: `t.cols.${name}`, sql: `SELECT name AS NAME FROM pragma_table_info('${name}')` })).map((c) => c.name);
    const rows = await store.all({ name: `t.rows.${name}`, sql: `SELECT * FROM ${name} ORDER BY ${cols.map((_, k) => k + 1).join(', ')}` });
    h.update(name);
    h.update(JSON.stringify(rows, (_k, v) => (typeof v === 'bigint' ? v.toString() : Buffer.isBuffer(v) ? v.toString('hex') : v)));
  }
  return h.digest('hex');
}

async function count(store: AdminStore, sql: string, binds: Record<string, BindValue> = {}): Promise<number> {
  const r = await store.one<{ c: number }>({ name: `t.count.${sql}`, sql }, binds);
  return Number(r?.c ?? 0);
}

t.test('the same seed loads the same rows; a different seed different rows', async (t) => {
  const a = await hashDb(await demoDb(t, 42, 300));
  const b = await hashDb(await demoDb(t, 42, 300));
  const c = await hashDb(await demoDb(t, 43, 300));
  t.equal(a, b, 'same seed, same hash');
  t.not(a, c, 'different seed, different hash');
});

t.test('a subscriber is the same whatever the demo size (ids and rows come from its index)', async (t) => {
  const rowsOf = (n: number) => {
    const out: string[] = [];
    generateDemo({ subscribers: n, seed: 5, now: NOW, passwordStorage: 'plain' }, (table, row) => {
      if (table === 'TAB_SUBSCRB' && Number(row[0]) <= 100_000_030) out.push(JSON.stringify(row, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)));
    });
    return out;
  };
  t.same(rowsOf(30), rowsOf(200));
});

t.test('the demo fixtures are in the database as demoFixtures describes them (CS-02, CS-08, CS-14)', async (t) => {
  const store = await demoDb(t, 7, 200);
  const f = demoFixtures(7);
  t.equal(f.all.length, 14);
  const q = {
    name: 't.fix',
    sql: `SELECT s.SUBSCRBID, s.NETTYPE, s.STATUS, s.SVCPWD, s.IDNUM, s.CUSTID, s.REGION, s.PRCPLN, b.BALANCE
FROM TAB_SUBSCRB s JOIN ACCT_BALANCE b ON b.ACCTID = s.ACCTID WHERE s.SVCNUM = :n`,
    bigint: ['balance'],
  };
  for (const fx of f.all) {
    const row = await store.one<{ subscrbid: number; nettype: string; status: number; svcpwd: string; idnum: string; custid: number; region: string; prcpln: string; balance: bigint }>(q, { n: fx.svcnum });
    t.ok(row, `${fx.svcnum} exists`);
    if (!row) continue;
    t.equal(row.subscrbid, fx.subscrbid);
    t.equal(row.nettype, fx.nettype);
    t.equal(row.status, fx.status);
    t.equal(row.balance, fx.balance);
    t.equal(row.region, fx.region);
    t.equal(row.prcpln, fx.prcpln);
    t.equal(row.idnum, fx.idNum);
    t.match(row.svcpwd, /^scrypt\$1024\$/);
    t.equal(verifyPassword(fx.password, row.svcpwd), true, `${fx.svcnum}: the fixture password verifies`);
    t.equal(verifyPassword(fx.password === '000000' ? '000001' : '000000', row.svcpwd), false, 'another password does not');
  }
  t.equal(f.first.nettype, 'G');
  t.equal(f.first.status, 1);
  t.ok(f.first.balance > 0n);
  t.ok(f.gsmArrears.balance < 0n && f.gsmArrears.status === 3, 'PC-03: an arrears-suspended GSM subscriber below zero');
  t.equal(f.cdmaWithVoip.custid, f.voip.custid, 'VO-07: one customer');
  t.equal(f.cdma1x.custid, f.voip.custid);
  t.equal(f.cdmaWithVoip.cardnum, f.voip.cardnum, 'VO-05: the CDMA number is bound to the IP Phone card');
  // CS-06/CS-07: the first subscriber's SIM and PUK; a card in stock.
  const sim = await store.one<{ puk: string; status: number }>({ name: 't.sim', sql: 'SELECT PUK, STATUS FROM RES_MOB_CARD WHERE SIMCARDID = :s' }, { s: f.first.simcardid });
  t.equal(sim?.puk, f.first.puk);
  t.equal(sim?.status, 2);
  const stock = await store.one<{ puk: string; status: number }>({ name: 't.sim', sql: 'SELECT PUK, STATUS FROM RES_MOB_CARD WHERE SIMCARDID = :s' }, { s: f.stockSim.simcardid });
  t.same(stock, { puk: f.stockSim.puk, status: 1 });
  // CS-15/16 blacklist.
  t.equal(await count(store, 'SELECT COUNT(*) AS C FROM TAB_SPECIALCUSTLST WHERE IDNUM = :i AND STATUS = 1', { i: f.cdmaBlacklisted.idNum }), 1);
  t.equal(await count(store, 'SELECT COUNT(*) AS C FROM TAB_SPECIALCUSTLST WHERE IDNUM = :i', { i: f.cdma.idNum }), 0);
  // PC-04: the card payment of the first subscriber, and its already reversed one.
  const cp = f.first.cardPayment;
  t.ok(cp);
  const pay = await store.one<{ paymode: number; amount: bigint; status: number }>(
    { name: 't.pay', sql: 'SELECT PAYMODE, AMOUNT, STATUS FROM TAB_PAY WHERE SOURCE = :s AND SERIAL = :r', bigint: ['amount'] },
    { s: cp?.source ?? '', r: cp?.serial ?? '' },
  );
  t.same(pay, { paymode: 15, amount: cp?.amount, status: 1 });
  t.equal(await count(store, 'SELECT COUNT(*) AS C FROM TAB_PAY WHERE SUBSCRBID = :s AND STATUS = 3 AND ORIG_PAYSN IS NOT NULL', { s: f.first.subscrbid }), 1);
  // VO-06: the card's bound numbers.
  t.equal(await count(store, 'SELECT COUNT(*) AS C FROM TAB_VOIPSUBSCRB WHERE CARDNUM = :c', { c: f.voip.cardnum ?? '' }), 2);
});

t.test('the demo covers every network, status, balance sign and the no-print regions (PR-04)', async (t) => {
  const store = await demoDb(t, 11, 400, 'plain');
  for (const n of ['G', 'C', 'V', 'X']) t.ok((await count(store, 'SELECT COUNT(*) AS C FROM TAB_SUBSCRB WHERE NETTYPE = :n', { n })) > 0, `nettype ${n}`);
  for (const s of [1, 2, 3, 4, 5]) t.ok((await count(store, 'SELECT COUNT(*) AS C FROM TAB_SUBSCRB WHERE STATUS = :s', { s })) > 0, `status ${s}`);
  t.ok((await count(store, 'SELECT COUNT(*) AS C FROM ACCT_BALANCE WHERE BALANCE < 0')) > 0, 'negative balances');
  t.ok((await count(store, 'SELECT COUNT(*) AS C FROM ACCT_BALANCE WHERE BALANCE > 0')) > 0, 'positive balances');
  t.equal(await count(store, "SELECT COUNT(*) AS C FROM TAB_PRCPLN_NOPRINT WHERE REGION = 'Z'"), 2, 'province-wide no-print plans');
  t.equal(await count(store, "SELECT COUNT(*) AS C FROM TAB_PRCPLN_NOPRINT WHERE REGION = '0971'"), 1, 'a regional one');
  const f = demoFixtures(11);
  const pwd = await store.one<{ svcpwd: string }>({ name: 't.pwd', sql: 'SELECT SVCPWD FROM TAB_SUBSCRB WHERE SVCNUM = :n' }, { n: f.first.svcnum });
  t.equal(pwd?.svcpwd, f.first.password, "plain storage keeps the legacy plain text");
  for (const r of ['0971', '0972', '0979']) t.ok((await count(store, 'SELECT COUNT(*) AS C FROM TAB_SUBSCRB WHERE REGION = :r', { r })) > 0, `region ${r}`);
});

t.test('month-dependent data is relative to now: six billed cycles, three ticket months, nothing after now (CS-10, CS-11, CS-12)', async (t) => {
  const store = await demoDb(t, 3, 60);
  const f = demoFixtures(3);
  const cycles = await store.all<{ billcycle: string }>({ name: 't.cyc', sql: 'SELECT DISTINCT BILLCYCLE FROM TAB_BILLDETAIL ORDER BY BILLCYCLE' });
  t.same(cycles.map((c) => c.billcycle), ['202411', '202412', '202501', '202502', '202503', '202504']);
  t.equal(await count(store, "SELECT COUNT(*) AS C FROM RATING2_REAL_FEE WHERE BILLCYCLE <> '202505'"), 0, 'real-time fees only for the current cycle');
  for (const m of ['202503', '202504', '202505']) for (const k of ['GSMCDMA', 'SMS', 'CDMA1X', '163']) t.ok(await store.tableExists(`TICKET_${k}_${m}`), `TICKET_${k}_${m}`);
  t.equal(await store.tableExists('TICKET_GSMCDMA_202502'), false, 'no fourth month');
  t.equal(await store.tableExists('TICKET_GSMCDMA_202506'), false, 'no future month');
  t.equal(await count(store, "SELECT COUNT(*) AS C FROM TICKET_GSMCDMA_202505 WHERE STARTTIME > '2025-05-15 12:00:00'"), 0, 'no record after now');
  const heavy = await count(store, 'SELECT COUNT(*) AS C FROM TICKET_GSMCDMA_202504 WHERE SVCNUM = :n', { n: f.first.svcnum });
  t.ok(heavy >= 1000, `the first subscriber has thousands of records a month (${heavy} in April)`);
  t.equal(await count(store, 'SELECT COUNT(*) AS C FROM TICKET_GSMCDMA_202505 WHERE SVCNUM = :n', { n: f.gsmCancelled.svcnum }), 0, 'a cancelled number has no recent records');
  t.equal(cycleOf(NOW), '202505');
});

t.test('SWITCH_INS_MODEL has templates for every switch busitype and network (OC-01, OC-02)', async (t) => {
  const store = await demoDb(t, 1, 20);
  for (const b of Object.values(BUSI_TYPES)) {
    for (const n of ['G', 'C', 'V', 'X']) {
      const c = await count(store, 'SELECT COUNT(*) AS C FROM SWITCH_INS_MODEL WHERE BUSITYPE = :b AND NETTYPE = :n', { b: b.code, n });
      if (b.switch) t.ok(c > 0, `${b.en} on ${n}`);
      else t.equal(c, 0, `${b.en} needs no switch command`);
    }
  }
  t.ok((await count(store, "SELECT COUNT(*) AS C FROM SWITCH_INS_MODEL WHERE SWITCHTYPE = 'ERI_HLR'")) > 0, 'OC-01 file switches');
  t.ok((await count(store, "SELECT COUNT(*) AS C FROM SWITCH_INS_MODEL WHERE SWITCHTYPE = 'HW_HLR'")) > 0, 'OC-02 socket switches');
});

t.test('every generated value fits its column: GBK-representable text within its byte width, money as bigint', async (t) => {
  const widths = new Map<string, Map<string, { size?: number; type: string; nullable?: boolean }>>();
  for (const tbl of TABLES) widths.set(tbl.name, new Map(tbl.columns.map((c) => [c.name, c])));
  const problems: string[] = [];
  const numbers = new Set<string>();
  let subs = 0;
  generateDemo({ subscribers: 3000, seed: 99, now: NOW, passwordStorage: 'scrypt', scrypt: CHEAP }, (table, row) => {
    const m = /^TICKET_(\w+)_(\d{6})$/.exec(table);
    const def = m ? new Map(ticketTableDef(m[1] as TicketKind, m[2]).columns.map((c) => [c.name, c])) : widths.get(table);
    const cols = demoColumns(table);
    if (!def) return void problems.push(`unknown table ${table}`);
    if (row.length !== cols.length) problems.push(`${table}: ${row.length} values for ${cols.length} columns`);
    cols.forEach((name, k) => {
      const c = def.get(name);
      const v = row[k];
      if (!c) return void problems.push(`${table}.${name} not in schema`);
      if (v === null) {
        if (!c.nullable) problems.push(`${table}.${name} null`);
        return;
      }
      if (c.type === 'text' || c.type === 'char') {
        if (typeof v !== 'string') return void problems.push(`${table}.${name} not a string`);
        const bytes = iconv.encode(v, 'gbk');
        if (iconv.decode(bytes, 'gbk') !== v) problems.push(`${table}.${name} not GBK: ${v}`);
        if (bytes.length > (c.size ?? 0)) problems.push(`${table}.${name} ${bytes.length} bytes > ${c.size}: ${v}`);
      } else if (c.type === 'bigint' && typeof v !== 'bigint') problems.push(`${table}.${name} money not bigint`);
      else if ((c.type === 'timestamp' || c.type === 'date') && !(v instanceof Date)) problems.push(`${table}.${name} not a Date`);
    });
    if (table === 'TAB_SUBSCRB') {
      subs++;
      numbers.add(String(row[1]));
    }
  });
  t.same(problems.slice(0, 20), []);
  t.equal(subs, 3000);
  t.equal(numbers.size, 3000, 'service numbers are unique');
});

t.test('service numbers look like Qinghai numbers of their network and never repeat at 100,000', async (t) => {
  const seen = new Set<string>();
  const bad: string[] = [];
  // Only TAB_SUBSCRB matters here: walk subscribers in slices to keep memory flat.
  for (let from = 0; from < 100_000; from += 20_000) {
    generateDemo({ subscribers: 100_000, seed: 5, now: NOW, passwordStorage: 'plain' }, (table, row) => {
      if (table !== 'TAB_SUBSCRB') return;
      const n = String(row[1]);
      const net = row[2];
      const ok = net === 'G' ? /^1(39|38|37|36|35|34|59|58|50|51|52)97\d{6}$/.test(n) : net === 'V' ? /^097\d8\d{7}$/.test(n) : /^1(33|53)97\d{6}$/.test(n);
      if (!ok) bad.push(`${net} ${n}`);
      if (seen.has(n)) bad.push(`duplicate ${n}`);
      seen.add(n);
    }, from, from + 20_000);
  }
  t.same(bad.slice(0, 10), []);
  t.equal(seen.size, 100_000);
});

t.test('ensureDatabase creates once, then finds the database initialised; a half-done one is refused', async (t) => {
  const store = createSqliteStore(path.join(dir, 'ensure.db'), log);
  t.teardown(() => store.close());
  const opts = { demoSubscribers: 25, demoSeed: 2, now: NOW, log, scrypt: CHEAP };
  const first = await ensureDatabase(store, opts);
  t.equal(first.created, true);
  t.equal(first.mode, 'fresh');
  const meta = await readMeta(store);
  t.equal(meta.schema_version, String(SCHEMA_VERSION));
  t.equal(meta.demo_seed, '2');
  t.equal(meta.demo_subscribers, '25');
  const second = await ensureDatabase(store, opts);
  t.equal(second.created, false);
  t.equal(await count(store, 'SELECT COUNT(*) AS C FROM TAB_SUBSCRB'), 25, 'nothing loaded twice');
  const next = await store.one<{ n: bigint }>({ name: 't.next', sql: 'SELECT {{nextval SEQ_PAYSN}} AS N', bigint: ['n'] });
  t.equal(next?.n, 2600n, 'SEQ_PAYSN continues after the demo payments');
  const sub = await store.one<{ n: bigint }>({ name: 't.next2', sql: 'SELECT {{nextval SEQ_SUBSCRBID}} AS N', bigint: ['n'] });
  t.equal(sub?.n, 100_000_026n);

  await store.exec("DELETE FROM BSG_META WHERE KEY = 'schema_version'");
  await t.rejects(ensureDatabase(store, opts), /did not finish.*--force/);
  const redo = await initDatabase(store, { demo: 10, seed: 2, now: NOW, log, force: true, scrypt: CHEAP });
  t.equal(redo.created, true);
  t.equal(await count(store, 'SELECT COUNT(*) AS C FROM TAB_SUBSCRB'), 10);
});

t.test('a legacy database without BSG_META gets only the missing tables, its data untouched', async (t) => {
  const store = createSqliteStore(path.join(dir, 'legacy.db'), log);
  t.teardown(() => store.close());
  await store.exec('CREATE TABLE TAB_SUBSCRB (SUBSCRBID INTEGER PRIMARY KEY, SVCNUM TEXT)');
  await store.exec("INSERT INTO TAB_SUBSCRB VALUES (1, '13900000000')");
  const r = await ensureDatabase(store, { demoSubscribers: 100, demoSeed: 1, now: NOW, log });
  t.equal(r.mode, 'adopted');
  t.ok(await store.tableExists('BSG_IDEMPOTENCY'));
  t.equal(await count(store, 'SELECT COUNT(*) AS C FROM TAB_SUBSCRB'), 1, 'no demo into an operator database');
});
