// Issue 15, the proof for writes: the same mixed run of write business types on the default schema
// (A) and on reference schema B (config/schemas/b/queries.sql through [database] queries) gives the
// same answers over the wire, the same money and state read back over the wire (every read-only
// business type on every number touched), the same rows in each schema's own tables and codes, and
// the same switch commands delivered by the scanner to the switch simulator:
//   PC-03 payment; its re-send (same serial) posted once; a second payment reversed by PC-04, the
//   reversal re-tried (2009); PC-04 of a serial never posted (2008, a tombstone) and PC-03 under it
//   (2009); PC-03 that resumes an arrears-suspended number (queues PAYMENT_RESUME); CS-21 emergency suspend and CS-23 conditional
//   resume (queue switch commands); CS-20 profile, CS-22 password and CS-24 special-service changes;
//   a wrong password (the lockout counters); then the scanner (OC-01…03) delivers every queued command
//   and PC-07 reconciles a card file (agreeing lines, a correction, a payment we lacked).
// A and B run side by side, and SQLite and PostgreSQL side by side (BSSGATE_TEST_PG_URL).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import pino from 'pino';
import type { DatabaseConfig, SwitchConfig } from '../../src/config/types.js';
import { openStore, type BatchingStore } from '../../src/store/open.js';
import { ensureDatabase } from '../../src/store/init.js';
import { demoFixtures } from '../../src/store/demo.js';
import { B_PAY_PAYTYPE, B_PAYSTAT, B_SRVGSTAT, B_SUBSVCID, B_SVCSTAT, schemaBTarget } from '../../src/store/schemas/b.js';
import type { AdminStore } from '../../src/store/types.js';
import { startSwitchSim, type SocketSwitchSim } from '../../src/sim/switch.js';
import { startScanner } from '../../src/scanner/switches.js';
import { withTempDatabase } from './contract-pg-helper.js';
import { backends, SEED, SEED_SCRYPT } from '../helpers/seeded.js';
import { scannerConfig, switchConfig } from '../scanner/helpers.js';
import { json, QUERIES, serveStore } from './schema-b-shared.js';
import { reconcile } from '../../src/reconcile/run.js';
import { parseReconFile } from '../../src/reconcile/parse.js';
import { DEFAULT_CARD } from '../../src/config/keys.js';

t.setTimeout(360_000);
// The back ends side by side (each runs A and B side by side).
t.jobs = 2;

const log = pino({ level: 'warn' });
const silent = pino({ level: 'silent' });
const fx = demoFixtures(SEED);
/** Every fixture is among the first 20 subscribers: the smallest demo that holds them. */
const SUBSCRIBERS = 20;
const TOUCHED = [fx.first, fx.gsmArrears, fx.gsmSuspended, fx.cdma];

/** What one schema answered and holds after the run. */
interface Outcome {
  /** The write requests' answers, in order. */
  writes: [string, string][];
  /** Every read-only business type on every touched number, after the scanner delivered. */
  reads: Map<string, string>;
  /** The rows the run wrote, in the default schema's codes (B's mapped back with src/store/schemas/b.ts). */
  rows: Record<string, unknown>;
  /** What the switch simulators executed: switch, BUSISN, the rendered lines. */
  delivered: string[];
  /** PC-07: the reconciliation's differences and postings. */
  recon: string;
}

const inverse = <K extends string | number>(m: Record<K, string>) => new Map(Object.entries(m).map(([k, v]) => [v as string, k]));
const SVCSTAT = inverse(B_SVCSTAT);
const PAYSTAT = inverse(B_PAYSTAT);
const PAYTYPE = inverse(B_PAY_PAYTYPE);
const SUBSVC = inverse(B_SUBSVCID);
const SRVGSTAT = inverse(B_SRVGSTAT);
const trim = (v: unknown) => (typeof v === 'string' ? v.trim() : v);
const str = (v: unknown) => (v === null || v === undefined ? null : String(trim(v)));

/** The rows the run wrote, read in each schema's own tables and codes, as the default schema's facts. */
async function rowsOf(store: AdminStore, schema: 'a' | 'b'): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const subs = TOUCHED.map((f) => f.subscrbid).join(', ');
  const accts = TOUCHED.map((f) => f.acctid).join(', ');
  if (schema === 'a') {
    out.pay = (await store.all({ name: 'w.a.pay', sql: `SELECT PAYSN, ACCTID, SUBSCRBID, PAYMODE, CAST(AMOUNT AS VARCHAR(30)) AS AMOUNT, SOURCE, SERIAL, STATUS, ORIG_PAYSN, REVERSED_BY FROM TAB_PAY WHERE ACCTID IN (${accts}) ORDER BY PAYSN` })).map((r) =>
      [r.paysn, r.acctid, r.subscrbid, r.paymode, r.amount, r.source, r.serial, r.status, r.orig_paysn, r.reversed_by].map(str),
    );
    out.balance = (await store.all({ name: 'w.a.bal', sql: `SELECT ACCTID, CAST(BALANCE AS VARCHAR(30)) AS BALANCE FROM ACCT_BALANCE WHERE ACCTID IN (${accts}) ORDER BY ACCTID` })).map((r) => [r.acctid, r.balance].map(str));
    out.deposits = (await store.all({ name: 'w.a.dep', sql: `SELECT PAYSN, ACCTID, DEPOSITTYPE, CAST(AMOUNT AS VARCHAR(30)) AS AMOUNT FROM TAB_ACCOUNTPREDEPOSIT WHERE ACCTID IN (${accts}) ORDER BY PAYSN` })).map((r) => [r.paysn, r.acctid, r.deposittype, r.amount].map(str));
    out.dtal = (await store.all({ name: 'w.a.dtal', sql: `SELECT ACCTID, DEPOSITTYPE, CAST(BALANCE AS VARCHAR(30)) AS B, CAST(TOTAL_IN AS VARCHAR(30)) AS I, CAST(TOTAL_OUT AS VARCHAR(30)) AS O FROM TAB_ACCOUNTPREDEPOSITDTAL WHERE ACCTID IN (${accts}) ORDER BY ACCTID, DEPOSITTYPE` })).map((r) => [r.acctid, r.deposittype, r.b, r.i, r.o].map(str));
    out.status = (await store.all({ name: 'w.a.st', sql: `SELECT SUBSCRBID, STATUS, OPERATOR FROM TAB_SUBSCRB WHERE SUBSCRBID IN (${subs}) ORDER BY SUBSCRBID` })).map((r) => [r.subscrbid, r.status, r.operator].map(str));
    out.profile = (await store.all({ name: 'w.a.pr', sql: `SELECT ADDRESS, CONTACTNUM, POSTCODE, EMAIL FROM TAB_SUBSCRB WHERE SUBSCRBID = ${fx.first.subscrbid}` })).map((r) => [r.address, r.contactnum, r.postcode, r.email].map(str));
    out.srvg = (await store.all({ name: 'w.a.srvg', sql: `SELECT SUBSCRBID, SRVGID, PARAM, STATUS FROM TAB_SRVG WHERE SUBSCRBID IN (${subs}) ORDER BY SUBSCRBID, SRVGID` })).map((r) => [r.subscrbid, r.srvgid, r.param, r.status].map(str));
  } else {
    out.pay = (await store.all({ name: 'w.b.pay', sql: `SELECT PAYSN, ACCTID, SUBSCRBID, PAYTYPE, CAST(PAYFEE AS VARCHAR(30)) AS PAYFEE, CHANNEL, SERIALNO, PAYSTAT, ORIGPAYSN, CANCELPAYSN FROM TAB_PAY WHERE ACCTID IN (${accts}) ORDER BY PAYSN` })).map((r) =>
      [r.paysn, r.acctid, r.subscrbid, PAYTYPE.get(str(r.paytype)!) ?? `?${str(r.paytype)}`, r.payfee, r.channel, r.serialno, PAYSTAT.get(str(r.paystat)!) ?? `?${str(r.paystat)}`, r.origpaysn, r.cancelpaysn].map(str),
    );
    // The balance is the sum of the account's books.
    out.balance = (await store.all({ name: 'w.b.bal', sql: `SELECT ACCTID, CAST(SUM(THISBAL) AS VARCHAR(30)) AS BALANCE FROM TAB_ACCOUNTPREDEPOSIT WHERE ACCTID IN (${accts}) GROUP BY ACCTID ORDER BY ACCTID` })).map((r) => [r.acctid, r.balance].map(str));
    out.deposits = (await store.all({ name: 'w.b.dep', sql: `SELECT PAYSN, ACCTID, DEPOSITTYPEID, CAST(DEPOSITFEE AS VARCHAR(30)) AS AMOUNT FROM TAB_PREDEPOSITRECORD WHERE ACCTID IN (${accts}) ORDER BY PAYSN` })).map((r) => [r.paysn, r.acctid, r.deposittypeid, r.amount].map(str));
    out.dtal = (await store.all({ name: 'w.b.dtal', sql: `SELECT ACCTID, DEPOSITTYPEID, CAST(DTALBAL AS VARCHAR(30)) AS B, CAST(INFEE AS VARCHAR(30)) AS I, CAST(OUTFEE AS VARCHAR(30)) AS O FROM TAB_ACCOUNTPREDEPOSITDTAL WHERE ACCTID IN (${accts}) ORDER BY ACCTID, DEPOSITTYPEID` })).map((r) => [r.acctid, r.deposittypeid, r.b, r.i, r.o].map(str));
    out.status = (await store.all({ name: 'w.b.st', sql: `SELECT SUBSCRBID, SVCSTAT, OPERID FROM TAB_SUBSCRB WHERE SUBSCRBID IN (${subs}) ORDER BY SUBSCRBID` })).map((r) => [r.subscrbid, SVCSTAT.get(str(r.svcstat)!) ?? `?${str(r.svcstat)}`, r.operid].map(str));
    out.profile = (await store.all({ name: 'w.b.pr', sql: `SELECT CUSTADDR, LINKPHONE, POSTCODE, EMAIL FROM TAB_SUBSCRB WHERE SUBSCRBID = ${fx.first.subscrbid}` })).map((r) => [r.custaddr, r.linkphone, r.postcode, r.email].map(str));
    out.srvg = (await store.all({ name: 'w.b.srvg', sql: `SELECT SUBSCRBID, SUBSVCID, SRVGPARA, SRVGSTAT FROM TAB_SRVG WHERE SUBSCRBID IN (${subs})` }))
      .map((r) => [r.subscrbid, SUBSVC.get(str(r.subsvcid)!) ?? `?${str(r.subsvcid)}`, r.srvgpara, SRVGSTAT.get(str(r.srvgstat)!) ?? `?${str(r.srvgstat)}`].map(str))
      .sort((x, y) => (x.join('\t') < y.join('\t') ? -1 : 1));
  }
  // Shared tables: the same shape in both schemas.
  out.busi = (await store.all({ name: 'w.busi', sql: `SELECT BUSISN, SUBSCRBID, BUSITYPE, STATUS, REGION, NETTYPE, PARAM, RESULT FROM USR_BUSI_RECORD WHERE SUBSCRBID IN (${subs}) ORDER BY BUSISN` })).map((r) =>
    [r.busisn, r.subscrbid, r.busitype, r.status, r.region, r.nettype, r.param, r.result].map(str),
  );
  out.busiSrvg = (await store.all({ name: 'w.busisrvg', sql: `SELECT BUSISN, SRVGID, ACTION, PARAM FROM USR_BUSI_SRVG WHERE SUBSCRBID IN (${subs}) ORDER BY BUSISN, SRVGID` })).map((r) => [r.busisn, r.srvgid, r.action, r.param].map(str));
  out.lockout = (await store.all({ name: 'w.lock', sql: `SELECT SVCNUM, FAILS_IN_WINDOW, CONSECUTIVE, HARD_LOCKED FROM BSG_AUTH_FAIL ORDER BY SVCNUM` })).map((r) => [r.svcnum, r.fails_in_window, r.consecutive, r.hard_locked].map(str));
  out.ledger = (await store.all({ name: 'w.ledger', sql: `SELECT CLIENT, BIZ, SERIAL, RESULT FROM BSG_IDEMPOTENCY ORDER BY CLIENT, BIZ, SERIAL` })).map((r) => [r.client, r.biz, r.serial, r.result].map(str));
  out.meta = (await store.all({ name: 'w.meta', sql: `SELECT KEY, VALUE FROM BSG_META WHERE KEY LIKE 'card_reconciled_through.%' ORDER BY KEY` })).map((r) => [r.key, r.value].map(str));
  return out;
}

/** Times the run itself wrote (today's YYYYMMDDhhmmss, or tomorrow's past midnight) are the one thing allowed to differ. */
function sameDay(s: string, days: string[]): string {
  let out = s;
  for (const d of days) out = out.replace(new RegExp(`\\b${d}\\d{6}\\b`, 'g'), `${'<today>'}`);
  return out;
}

async function until(what: string, fn: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for: ${what}`);
}

/** The mixed run on one schema: writes over the wire, the scanner delivers, then everything read back. */
async function run(store: AdminStore, dir: string, tag: string, now: Date): Promise<Outcome> {
  const login = { user: 'bss', password: 'sim-secret-1' };
  const sims: SocketSwitchSim[] = [];
  const served = await serveStore(store, dir, tag, log);
  try {
    const writes: [string, string][] = [];
    let n = 0;
    // Fixed serials (the ledger's key): the same on both schemas.
    const w = async (label: string, kind: 'cs' | 'card', business: string, body: Record<string, unknown>, serial = `BW-C${++n}`) => {
      const r = await served.call(kind, business, body as never, { serial, operator: 'KF1001' });
      writes.push([label, json({ result: r.result, message: r.message, body: r.body })]);
      return r;
    };
    const f = fx.first;
    await w('PC-03 payment', 'card', 'payment', { svcnum: f.svcnum, amount: 12345n }, 'BW-P1');
    await w('PC-03 re-sent: posted once', 'card', 'payment', { svcnum: f.svcnum, amount: 12345n }, 'BW-P1');
    await w('PC-03 second payment', 'card', 'payment', { svcnum: f.svcnum, amount: 500n }, 'BW-P2');
    await w('PC-04 reversal', 'card', 'reversal', { svcnum: f.svcnum, origSerial: 'BW-P2' }, 'BW-R1');
    await w('PC-04 re-sent', 'card', 'reversal', { svcnum: f.svcnum, origSerial: 'BW-P2' }, 'BW-R1');
    await w('PC-04 again, another serial: 2009', 'card', 'reversal', { svcnum: f.svcnum, origSerial: 'BW-P2' }, 'BW-R2');
    await w('PC-04 of a serial never posted: a tombstone', 'card', 'reversal', { svcnum: f.svcnum, origSerial: 'BW-NEVER' }, 'BW-R3');
    await w('PC-03 payment after its tombstone: 2009', 'card', 'payment', { svcnum: f.svcnum, amount: 700n }, 'BW-NEVER');
    const rt = (await served.call('cs', 'realtime-totals', { svcnum: fx.gsmArrears.svcnum })).body?.realtimeBalance as bigint;
    await w('PC-03 resumes an arrears-suspended number', 'card', 'payment', { svcnum: fx.gsmArrears.svcnum, amount: -rt + 100n }, 'BW-P3');
    await w('CS-21 emergency suspend (C network)', 'cs', 'emergency-suspend', { svcnum: fx.cdma.svcnum });
    await w('CS-23 conditional resume', 'cs', 'conditional-resume', { svcnum: fx.gsmSuspended.svcnum });
    await w('CS-20 profile change', 'cs', 'profile-change', { svcnum: f.svcnum, address: '青海省西宁市城西区五四大街8号', contactNum: '', postCode: '', email: 'wu.jp@example.cn', clear: 0 });
    await w('CS-24 special service added', 'cs', 'special-service-change', { svcnum: f.svcnum, srvgid: 'CW', action: 'A', param: '' });
    await w('CS-24 forwarding modified', 'cs', 'special-service-change', { svcnum: f.svcnum, srvgid: 'CFU', action: 'M', param: '13909710000' });
    await w('CS-24 forwarding removed', 'cs', 'special-service-change', { svcnum: f.svcnum, srvgid: 'CFU', action: 'D', param: '' });
    await w('CS-24 forwarding added again', 'cs', 'special-service-change', { svcnum: f.svcnum, srvgid: 'CFU', action: 'A', param: '13909719999' });
    await w('CS-02 wrong password (a lockout counter)', 'cs', 'authenticate', { svcnum: fx.gsmSuspended.svcnum, password: '000000' });
    await w('CS-22 password change', 'cs', 'password-change', { svcnum: f.svcnum, oldPassword: f.password, newPassword: '24681357' });
    await w('CS-02 with the new password', 'cs', 'authenticate', { svcnum: f.svcnum, password: '24681357' });

    // The scanner delivers every queued command to the switch simulators.
    for (const name of ['g-switch', 'c-switch']) sims.push(await startSwitchSim({ kind: 'socket', name, host: '127.0.0.1', port: 0, ...login }));
    const switches: SwitchConfig[] = [
      switchConfig({ name: 'g-switch', regions: ['*'], netTypes: ['G'], switchType: 'ERI_HLR', host: '127.0.0.1', port: sims[0].port, ...login }),
      switchConfig({ name: 'c-switch', regions: ['*'], netTypes: ['C'], switchType: 'ZTE_HLR', host: '127.0.0.1', port: sims[1].port, ...login }),
    ];
    const scanner = await startScanner({ store: store as BatchingStore, scanner: scannerConfig(), switches, log: silent, err: silent });
    try {
      const open = { name: 'w.open', sql: 'SELECT COUNT(*) AS N FROM USR_BUSI_RECORD WHERE STATUS IN (5, 6)' };
      await until(`${tag}: every queued command delivered`, async () => Number((await store.one<{ n: unknown }>(open))?.n) === 0);
    } finally {
      await scanner.stop(2_000);
    }
    // PC-07: the card system's file for today: BW-P1 and BW-P2 with its reversal agree; BW-P3 says
    // 100 fen more than we posted (a correction); BW-MISS we never saw (applied).
    const ts = (d: Date) => `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}${String(d.getHours()).padStart(2, '0')}${String(d.getMinutes()).padStart(2, '0')}${String(d.getSeconds()).padStart(2, '0')}`;
    const at = ts(new Date());
    const p3 = -rt + 200n;
    const lines = [`P|BW-P1|${f.svcnum}|12345|${at}`, `P|BW-P2|${f.svcnum}|500|${at}`, `R|BW-R1|BW-P2|${f.svcnum}|500|${at}`, `P|BW-P3|${fx.gsmArrears.svcnum}|${p3}|${at}`, `P|BW-MISS|${fx.cdma.svcnum}|4200|${at}`];
    const file = `H|card|${at.slice(0, 8)}|${lines.length}|${12345n + 500n - 500n + p3 + 4200n}\n${lines.join('\n')}\n`;
    const res = await reconcile(parseReconFile(file), join(dir, `recon-${tag}.txt`), { store, log: silent, card: { ...DEFAULT_CARD, reportDir: join(dir, `reports-${tag}`) } });
    const recon = json({ differences: res.differences, postings: res.postings });

    const delivered = sims.flatMap((s, i) => s.records.filter((r) => r.executed).map((r) => `${switches[i].name} ${r.busisn} ${r.lines.join(' | ')}`)).sort();
    const reads = await served.readAll(TOUCHED, now);
    return { writes, reads, rows: await rowsOf(store, tag.startsWith('a') ? 'a' : 'b'), delivered, recon };
  } finally {
    await served.stop();
    for (const s of sims) await s.close();
  }
}

const runs = backends().map((b) => ({ b }));

for (const { b } of runs) {
  t.test(`issue 15: writes on schema B as on the default schema — PC-03 (re-sent once), PC-04, resume, CS-20/21/22/23/24, lockout, scanner → switch (OC-01…03), PC-07 [${b.name}]`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'bssgate-bw-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const db = async (tag: string): Promise<DatabaseConfig> =>
      b.name === 'sqlite'
        ? { type: 'sqlite', path: join(dir, `${tag}.db`), poolMax: 1, passwordStorage: 'scrypt', demoSubscribers: 0, demoSeed: SEED }
        : { type: 'postgres', url: (await withTempDatabase(t, b.url!, `w${tag}`)).url, poolMax: 4, passwordStorage: 'scrypt', demoSubscribers: 0, demoSeed: SEED };
    const now = new Date();
    const init = { demoSubscribers: SUBSCRIBERS, demoSeed: SEED, now, log, passwordStorage: 'scrypt' as const, scrypt: SEED_SCRYPT };
    const storeA = await openStore(await db('a'), log);
    t.teardown(() => storeA.close());
    const storeB = await openStore({ ...(await db('b')), queries: QUERIES }, log);
    t.teardown(() => storeB.close());
    await Promise.all([ensureDatabase(storeA, init), ensureDatabase(storeB, { ...init, target: schemaBTarget() })]);

    const before = json(await rowsOf(storeA, 'a'));
    t.equal(json(await rowsOf(storeB, 'b')), before, 'before the run: the same facts in both schemas');
    const [a, bb] = await Promise.all([run(storeA, dir, 'a', now), run(storeB, dir, 'b', now)]);
    const end = new Date();
    const days = [...new Set([now, end].map((d) => `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`))];
    const norm = (s: string) => sameDay(s, days);

    // The run did what it says (on A), so that "the same" means something.
    const wa = new Map(a.writes);
    t.match(wa.get('PC-03 payment'), /"result":0/, 'PC-03 posted');
    t.equal(wa.get('PC-03 re-sent: posted once'), wa.get('PC-03 payment'), 'the re-send answers the same');
    t.match(wa.get('PC-04 again, another serial: 2009'), /"result":2009/);
    t.match(wa.get('PC-03 payment after its tombstone: 2009'), /"result":2009/);
    t.match(wa.get('PC-04 of a serial never posted: a tombstone'), /"result":2008/, '2008, remembered as a tombstone');
    t.match(wa.get('PC-03 resumes an arrears-suspended number'), /"resumed":"?[1-9]/, 'the payment queued a resume');
    t.match(wa.get('CS-02 wrong password (a lockout counter)'), /"result":2002/);
    for (const [k, v] of a.writes) if (k.startsWith('CS-2')) t.match(v, /"result":0/, k);
    t.match(wa.get('CS-02 with the new password'), /"result":0/);
    const bw = (a.rows.pay as string[][]).filter((r) => /^(BW|C\d)/.test(r[6] ?? ''));
    t.equal(bw.length, 7, `TAB_PAY: two payments, a reversal, a tombstone, the resuming payment (the re-send posted nothing), PC-07's correction and missing payment: ${json(bw)}`);
    t.match(a.recon, /"kind":"amount".*"action":"corrected"/, 'PC-07 corrected BW-P3');
    t.match(a.recon, /"kind":"missing-payment","serial":"BW-MISS".*"action":"applied"/, 'PC-07 applied BW-MISS');
    t.equal(norm(bb.recon), norm(a.recon), 'PC-07: the same differences and postings on B');
    t.equal(a.delivered.length, 7, `commands executed by the switches:\n${a.delivered.join('\n')}\n${json(a.rows.busi)}`);

    t.same(bb.writes.map(([k, v]) => [k, norm(v)]), a.writes.map(([k, v]) => [k, norm(v)]), 'every write answers the same on B');
    t.same(bb.rows, a.rows, 'the same payments, deposits, balances, statuses, services, records, counters and ledger rows (B read in its own tables and codes)');
    t.same(bb.delivered, a.delivered, 'the same commands, rendered the same, executed by the same switches');
    let differ = 0;
    for (const [k, v] of a.reads) {
      if (norm(bb.reads.get(k) ?? '') !== norm(v)) {
        differ++;
        if (differ <= 10) t.equal(norm(bb.reads.get(k) ?? ''), norm(v), k);
      }
    }
    t.ok(a.reads.size > 60, `${a.reads.size} read-backs over the wire`);
    t.equal(differ, 0, 'every read-only business type answers the same on B after the run');
  });
}
