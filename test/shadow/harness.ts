// Issue 16 test harness: a primary bssgate on SQLite database A and a candidate bssgate on a copy
// of A with known changes, each a real Gateway on 127.0.0.1 (all four interfaces), and the
// shadow relay in front of the primary. Also: raw-socket runs of a mixed list of read-only
// requests (the bytes each client received), and small fake candidates (slow, garbage).
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import pino from 'pino';
import type { Config, DatabaseConfig, InterfaceConfig } from '../../src/config/types.js';
import { createLogs } from '../../src/log/index.js';
import { openStore } from '../../src/store/open.js';
import { ensureDatabase } from '../../src/store/init.js';
import { demoFixtures, type DemoFixtures } from '../../src/store/demo.js';
import type { AdminStore, Row } from '../../src/store/types.js';
import { Gateway } from '../../src/server/gateway.js';
import { HANDLERS, LAYOUTS_BY_CODE } from '../../handlers/index.js';
import { businessByName } from '../../protocol/business-types.js';
import { encodeRequest } from '../../protocol/message.js';
import { FrameDecoder } from '../../protocol/frame.js';
import type { BodyRecord } from '../../protocol/layout-types.js';
import type { Clock, InterfaceKind } from '../../src/types.js';
import { testInterface } from '../helpers/gateway.js';
import { cycleOf, SEED, SEED_SCRYPT, SEED_SUBSCRIBERS } from '../helpers/seeded.js';
import { forgetTicketTables } from '../../src/store/queries/define.js';
import { V1_FRAMING } from '../../src/shadow/framing.js';
import type { ShadowInterface } from '../../src/shadow/config.js';
import { readOnlyTypes } from '../../src/shadow/config.js';

export const KINDS: InterfaceKind[] = ['cs', 'card', 'print', 'sms'];

export interface RunningGateway {
  ports: Record<InterfaceKind, number>;
  /** The port of any interface by name (the four kinds and the `extra` ones). */
  portOf(name: string): number;
  store: AdminStore;
  sql<T = Row>(sql: string, binds?: Record<string, string | number | bigint | null>): Promise<T[]>;
  stop(): Promise<void>;
}

export function fixedClock(at: number): Clock {
  return { now: () => at, date: () => new Date(at) };
}

let sqlN = 0;

export async function startGatewayOn(t: Test, dir: string, dbFile: string, clock: Clock, tag: string, extra: Partial<InterfaceConfig>[] = []): Promise<RunningGateway> {
  const database: DatabaseConfig = { type: 'sqlite', path: dbFile, poolMax: 1, passwordStorage: 'scrypt', demoSubscribers: 0, demoSeed: SEED };
  const interfaces: InterfaceConfig[] = [...KINDS.map((kind) => testInterface({ name: kind, kind })), ...extra.map((o) => testInterface(o))];
  const config: Config = {
    files: [],
    interfaces,
    database,
    log: { dir: join(dir, `logs-${tag}`), level: 'warn', retentionDays: 30, requests: false },
    shutdownGraceMs: 2_000,
  };
  const logs = createLogs(config.log, { clock });
  const store = await openStore(database, logs.main);
  const gateway = new Gateway({ config, store, logs, clock, handlers: HANDLERS });
  const bound = await gateway.start();
  const ports = {} as Record<InterfaceKind, number>;
  const byName = new Map<string, number>();
  for (const b of bound) {
    byName.set(b.name, b.port);
    if (b.name === b.kind) ports[b.kind as InterfaceKind] = b.port;
  }
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await gateway.stop(2_000);
    await store.close();
    await logs.close();
  };
  t.teardown(stop);
  return {
    ports,
    portOf(name) {
      const p = byName.get(name);
      if (p === undefined) throw new Error(`no interface ${name}`);
      return p;
    },
    store,
    sql: (sql, binds = {}) => store.all({ name: `shadow.sql.${++sqlN}`, sql }, binds),
    stop,
  };
}

export interface Databases {
  dir: string;
  a: string;
  b: string;
  fx: DemoFixtures;
  now: Date;
  /** The subscriber whose previous-cycle detail lost one record in B, and that record's index in A's answer. */
  detail: { svcnum: string; cycle: string };
}

/**
 * Database A (the demo, seeded) and B, a copy of A with four known changes:
 *  - one balance: fx.first's account +100 fen (CS-14 balance)
 *  - one status: fx.gsmArrears from its status to 1 (CS-08 status, statusText)
 *  - one detail record removed: the earliest previous-cycle call of `detail.svcnum` (CS-11)
 *  - a list order changed: the OPENDATEs of fx.cdmaWithVoip and fx.cdma1x swapped, so VO-07
 *    lists the customer's numbers in another order (OPENDATE itself is not in VO-07's answer)
 */
export async function makeDatabases(t: Test): Promise<Databases> {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-shadow-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const a = join(dir, 'a.db');
  const b = join(dir, 'b.db');
  const now = new Date();
  const log = pino({ level: 'warn' });
  const database: DatabaseConfig = { type: 'sqlite', path: a, poolMax: 1, passwordStorage: 'scrypt', demoSubscribers: 0, demoSeed: SEED };
  let store = await openStore(database, log);
  await ensureDatabase(store, { demoSubscribers: SEED_SUBSCRIBERS, demoSeed: SEED, now, log, passwordStorage: 'scrypt', scrypt: SEED_SCRYPT });
  forgetTicketTables();
  const fx = demoFixtures(SEED);
  const cycle = cycleOf(now, 1);
  // A subscriber with a handful of previous-cycle calls (all on one page of 200).
  const rows = await store.all<{ svcnum: string; n: number }>(
    {
      name: 'shadow.pick',
      // On the first subscriber's price plan, which allows detail queries (some plans refuse them, 2006).
      sql: `SELECT SVCNUM AS svcnum, COUNT(*) AS n FROM TICKET_GSMCDMA_${cycle}
WHERE SVCNUM IN (SELECT SVCNUM FROM TAB_SUBSCRB WHERE PRCPLN = :plan AND STATUS = 1)
GROUP BY SVCNUM HAVING COUNT(*) BETWEEN 3 AND 150 ORDER BY SVCNUM`,
    },
    { plan: fx.first.prcpln },
  );
  const avoid = new Set([fx.first.svcnum, fx.gsmArrears.svcnum, fx.cdma.svcnum]);
  const pick = rows.find((r) => !avoid.has(r.svcnum));
  if (!pick) throw new Error('no subscriber with 3–150 previous-cycle calls');
  await store.close();
  for (const ext of ['', '-wal', '-shm']) if (existsSync(a + ext)) copyFileSync(a + ext, b + ext);
  store = await openStore({ ...database, path: b }, log);
  await store.exec(`UPDATE ACCT_BALANCE SET BALANCE = BALANCE + 100 WHERE ACCTID = ${fx.first.acctid}`);
  await store.exec(`UPDATE TAB_SUBSCRB SET STATUS = 1 WHERE SUBSCRBID = ${fx.gsmArrears.subscrbid}`);
  await store.exec(
    `DELETE FROM TICKET_GSMCDMA_${cycle} WHERE rowid = (SELECT rowid FROM TICKET_GSMCDMA_${cycle} WHERE SVCNUM = '${pick.svcnum}' ORDER BY STARTTIME LIMIT 1)`,
  );
  const [o1] = await store.all<{ d: string }>({ name: 'shadow.o1', sql: `SELECT OPENDATE AS d FROM TAB_SUBSCRB WHERE SUBSCRBID = ${fx.cdmaWithVoip.subscrbid}` }, {});
  const [o2] = await store.all<{ d: string }>({ name: 'shadow.o2', sql: `SELECT OPENDATE AS d FROM TAB_SUBSCRB WHERE SUBSCRBID = ${fx.cdma1x.subscrbid}` }, {});
  await store.exec(`UPDATE TAB_SUBSCRB SET OPENDATE = '${o2.d}' WHERE SUBSCRBID = ${fx.cdmaWithVoip.subscrbid}`);
  await store.exec(`UPDATE TAB_SUBSCRB SET OPENDATE = '${o1.d}' WHERE SUBSCRBID = ${fx.cdma1x.subscrbid}`);
  await store.close();
  return { dir, a, b, fx, now, detail: { svcnum: pick.svcnum, cycle } };
}

export interface Req {
  iface: InterfaceKind;
  business: string;
  body: BodyRecord;
}

/** A request of every read-only business type (the default mirror set), on its interface. */
export function mixedRun(db: Databases): Req[] {
  const { fx } = db;
  const prev = cycleOf(db.now, 1);
  const card = fx.cdmaWithVoip.cardnum!;
  const r = (iface: InterfaceKind, business: string, body: BodyRecord = {}): Req => ({ iface, business, body });
  const list: Req[] = [
    ...KINDS.map((k) => r(k, 'connection-check')),
    r('cs', 'authenticate', { svcnum: fx.first.svcnum, password: fx.first.password }),
    r('cs', 'profile', { svcnum: fx.first.svcnum }),
    r('cs', 'special-services', { svcnum: fx.first.svcnum }),
    r('cs', 'change-records', { offset: 0, limit: 20, svcnum: fx.first.svcnum }),
    r('cs', 'puk-by-number', { svcnum: fx.first.svcnum }),
    r('cs', 'puk-by-sim', { simcardid: fx.stockSim.simcardid }),
    r('cs', 'status', { svcnum: fx.gsmArrears.svcnum }),
    r('cs', 'credit-level', { svcnum: fx.first.svcnum }),
    r('cs', 'monthly-bill', { svcnum: fx.first.svcnum, cycle: prev }),
    r('cs', 'monthly-detail', { offset: 0, limit: 200, svcnum: db.detail.svcnum, cycle: prev }),
    r('cs', 'realtime-totals', { svcnum: fx.cdma.svcnum }),
    r('cs', 'realtime-detail', { offset: 0, limit: 200, svcnum: fx.cdma.svcnum }),
    r('cs', 'balance', { svcnum: fx.first.svcnum }),
    r('cs', 'blacklist-query', { offset: 0, limit: 20, idNum: fx.cdmaBlacklisted.idNum }),
    r('cs', 'blacklist-check', { idNum: fx.cdmaBlacklisted.idNum }),
    r('cs', 'prepayment-history', { offset: 0, limit: 50, svcnum: fx.first.svcnum }),
    r('cs', 'voip-authenticate', { svcnum: fx.voip.svcnum, password: fx.voip.password }),
    r('cs', 'voip-profile', { svcnum: fx.voip.svcnum }),
    r('cs', 'voip-monthly-bill', { by: 'C', number: card, cycle: prev }),
    r('cs', 'voip-realtime-fees', { by: 'N', number: fx.voip.svcnum }),
    r('cs', 'voip-card-numbers', { cardnum: card }),
    r('cs', 'voip-card-of-number', { svcnum: fx.cdmaWithVoip.svcnum }),
    r('cs', 'voip-same-customer', { by: 'C', number: card }),
    r('cs', 'voip-detail', { offset: 0, limit: 100, by: 'C', number: card, cycle: prev }),
    r('cs', 'voip-prepayment-history', { offset: 0, limit: 50, cardnum: card }),
    r('cs', 'voip-service-changes', { cardnum: card }),
    r('cs', 'voip-command-records', { offset: 0, limit: 20, cardnum: card }),
    r('cs', 'c1x-monthly-bill', { svcnum: fx.cdma1x.svcnum, cycle: prev }),
    r('cs', 'c1x-realtime-fees', { svcnum: fx.cdma1x.svcnum }),
    r('cs', 'c1x-data-detail', { offset: 0, limit: 200, svcnum: fx.cdma1x.svcnum, cycle: prev }),
    r('card', 'card-verify', { svcnum: fx.first.svcnum, password: fx.first.password }),
    r('card', 'card-subscriber-info', { svcnum: fx.first.svcnum }),
    r('card', 'card-balance', { svcnum: fx.cdma.svcnum }),
    r('card', 'recent-card-payments', { minutes: 60, offset: 0, limit: 50 }),
    r('print', 'print-authenticate', { svcnum: fx.first.svcnum, password: fx.first.password }),
    r('print', 'print-monthly-detail', { offset: 0, limit: 200, svcnum: fx.first.svcnum, password: fx.first.password, cycle: prev }),
    r('print', 'print-c1x-detail', { offset: 0, limit: 200, svcnum: fx.cdma1x.svcnum, password: fx.cdma1x.password, cycle: prev }),
    r('sms', 'sms-verify', { svcnum: fx.first.svcnum, password: fx.first.password }),
    r('sms', 'sms-realtime-fees', { svcnum: fx.cdma.svcnum }),
  ];
  // Every read-only type is in the run (the harness must keep up with the registry).
  const inRun = new Set(list.map((x) => businessByName(x.business)!.code));
  const missing = readOnlyTypes().filter((c) => !inRun.has(c));
  if (missing.length > 0) throw new Error(`mixedRun lacks read-only business types ${missing.join(', ')}`);
  return list;
}

/** The request frames of a run on one interface: fixed serials and header time, seq 1, 2, … */
export function frames(reqs: Req[], iface: InterfaceKind): Buffer[] {
  return reqs
    .filter((r) => r.iface === iface)
    .map((r, i) => {
      const biz = businessByName(r.business)!.code;
      return encodeRequest({ biz, seq: i + 1, serial: `SH${String(i + 1).padStart(6, '0')}`, time: '20260101120000', operator: 'SHADOW' }, LAYOUTS_BY_CODE.get(biz)!.request, r.body);
    });
}

/**
 * Send frames pipelined on one raw connection and return every byte received, once `count`
 * answers have arrived (bounded in time). Also returns each answer's seq in arrival order.
 */
export async function rawRun(port: number, reqs: Buffer[], timeoutMs = 30_000): Promise<{ bytes: Buffer; seqs: number[]; ms: number[] }> {
  const sock = net.connect({ host: '127.0.0.1', port });
  const chunks: Buffer[] = [];
  const seqs: number[] = [];
  const ms: number[] = [];
  const dec = new FrameDecoder({ maxFrame: 16 * 1024 * 1024 });
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${seqs.length} of ${reqs.length} answers within ${timeoutMs} ms`)), timeoutMs);
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    sock.on('data', (c: Buffer) => {
      chunks.push(c);
      for (const f of dec.push(c)) {
        seqs.push(f.readUInt32BE(8));
        ms.push(performance.now() - t0);
      }
      if (seqs.length >= reqs.length) {
        clearTimeout(timer);
        resolve();
      }
    });
    sock.once('connect', () => {
      for (const f of reqs) sock.write(f);
    });
  });
  sock.destroy();
  return { bytes: Buffer.concat(chunks), seqs, ms };
}

export function shadowSection(over: Partial<ShadowInterface> & Pick<ShadowInterface, 'name' | 'primary' | 'candidate' | 'reportDir'>): ShadowInterface {
  return {
    file: '(test)',
    listen: { host: '127.0.0.1', port: 0 },
    framing: V1_FRAMING,
    mirror: readOnlyTypes(),
    timeoutMs: 5_000,
    maxInFlight: 256,
    samples: 5,
    ignore: [],
    maxFrame: 16 * 1024 * 1024,
    ...over,
  };
}

/** A TCP server on 127.0.0.1 that forwards to `port`, each chunk of the answers `delayMs` late (a slow candidate). */
export async function slowProxy(t: Test, port: number, delayMs: number): Promise<number> {
  const server = net.createServer((c) => {
    const up = net.connect({ host: '127.0.0.1', port });
    c.on('data', (d) => up.write(d));
    up.on('data', (d) => setTimeout(() => c.destroyed || c.write(d), delayMs));
    c.on('error', () => up.destroy());
    up.on('error', () => c.destroy());
    c.on('close', () => up.destroy());
  });
  return listenServer(t, server);
}

/** A server that answers every chunk with bytes that are not frames (a candidate gone mad). */
export async function garbageServer(t: Test): Promise<number> {
  const server = net.createServer((c) => {
    c.on('data', () => c.write(Buffer.from('\x00\x00\x00\x05HELLO GARBAGE\r\n')));
    c.on('error', () => undefined);
  });
  return listenServer(t, server);
}

/** A port nothing listens on (a stopped candidate). */
export async function deadPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function listenServer(t: Test, server: net.Server): Promise<number> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((r) => server.close(() => r()));
  });
  return (server.address() as net.AddressInfo).port;
}

/** Poll until cond() is true (bounded). */
export async function until(cond: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
