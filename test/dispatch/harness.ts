// Harness of the dispatcher's write tests (PC-06 idempotency, no false 9xxx, group commit): a
// real gateway over a database with bssgate's schema (SQLite, and PostgreSQL when
// BSSGATE_TEST_PG_URL is set), test-only write handlers (codes outside the business-type table)
// that insert one TST_WRITE row per execution, raw sockets to send exact frames.
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import type { ClientConfig, Config, DatabaseConfig, InterfaceConfig } from '../../src/config/types.js';
import { createLogs, type Logs } from '../../src/log/index.js';
import { openStore } from '../../src/store/open.js';
import { ensureDatabase } from '../../src/store/init.js';
import type { AdminStore, QueryDef, Row, Store } from '../../src/store/types.js';
import { Gateway } from '../../src/server/gateway.js';
import type { HandlerModule, WriteContext } from '../../src/types.js';
import { systemClock } from '../../src/clock.js';
import { encodeRequest } from '../../protocol/message.js';
import { FrameDecoder } from '../../protocol/frame.js';
import { GatewayError } from '../../protocol/return-codes.js';
import { KeptRefusal } from '../../src/kept-refusal.js';
import type { Layout } from '../../protocol/layout-types.js';
import { testInterface } from '../helpers/gateway.js';
import { allText, familyLines } from '../helpers/log-files.js';
import { withTempDatabase } from '../store/contract-pg-helper.js';
import connectionCheck from '../../handlers/connection-check.js';

export const WRITE_BIZ = 60101;
/** n: a value written; ms: sleep inside the unit; refuse: 1 plain refusal (2001), 2 KeptRefusal (2008, its writes commit); lock: 1 = also UPDATE TST_LOCK row 1; slow: 1 = also insert into TST_SLOWCOMMIT (PostgreSQL: its deferred trigger sleeps at COMMIT). */
export const WRITE_REQ: Layout = [
  { name: 'n', type: 'u32' },
  { name: 'ms', type: 'u16' },
  { name: 'refuse', type: 'u8' },
  { name: 'lock', type: 'u8' },
  { name: 'slow', type: 'u8' },
];
/** n echoed; execs: TST_WRITE rows of this serial seen by the unit after its insert (1 unless it ran twice); at: a value of this execution (its time in µs) so replays can be told from re-executions. */
export const WRITE_RES: Layout = [
  { name: 'n', type: 'u32' },
  { name: 'execs', type: 'u32' },
  { name: 'at', type: 'money' },
];

const Q_INSERT: QueryDef = { name: 'tst.insert', sql: 'INSERT INTO TST_WRITE (SERIAL, N) VALUES (:serial, :n)' };
const Q_COUNT: QueryDef = { name: 'tst.count', sql: 'SELECT COUNT(*) AS C FROM TST_WRITE WHERE SERIAL = :serial' };
const Q_LOCK: QueryDef = { name: 'tst.lock', sql: 'UPDATE TST_LOCK SET N = N + 1 WHERE ID = 1' };
const Q_SLOW: QueryDef = { name: 'tst.slow', sql: 'INSERT INTO TST_SLOWCOMMIT (X) VALUES (1)' };

let atCounter = 0n;

export const writer: HandlerModule = {
  biz: WRITE_BIZ,
  ids: ['PC-06'],
  name: 'test-write',
  interfaces: ['cs', 'card'],
  request: WRITE_REQ,
  response: WRITE_RES,
  write: true,
  async handle(req, c) {
    const ctx = c as WriteContext;
    const n = req.n as number;
    await ctx.tx.run(Q_INSERT, { serial: ctx.serial, n });
    if (req.lock) await ctx.tx.run(Q_LOCK);
    if (req.slow) await ctx.tx.run(Q_SLOW);
    if (req.ms) await new Promise((r) => setTimeout(r, req.ms as number));
    if (req.refuse === 1) throw new GatewayError('NO_SUBSCRIBER', String(n));
    if (req.refuse === 2) throw new KeptRefusal('ORIGINAL_NOT_FOUND', String(n));
    const row = await ctx.tx.one<{ c: number }>(Q_COUNT, { serial: ctx.serial });
    return { n, execs: Number(row?.c ?? 0), at: BigInt(Date.now()) * 1000n + (atCounter++ % 1000n) };
  },
};

export const HANDLERS: HandlerModule[] = [...connectionCheck, writer];

export function writeFrame(o: { seq: number; serial: string; n?: number; ms?: number; refuse?: number; lock?: number; slow?: number; operator?: string; time?: string }): Buffer {
  return encodeRequest(
    { biz: WRITE_BIZ, seq: o.seq, serial: o.serial, time: o.time ?? '20261201120000', operator: o.operator ?? 'op1' },
    WRITE_REQ,
    { n: o.n ?? 1, ms: o.ms ?? 0, refuse: o.refuse ?? 0, lock: o.lock ?? 0, slow: o.slow ?? 0 },
  );
}

/** Whole frames in a buffer of received bytes. */
export function framesOf(buf: Buffer): Buffer[] {
  return new FrameDecoder({ maxFrame: 1 << 24 }).push(buf);
}

export interface WriteGateway {
  backend: 'sqlite' | 'postgres';
  store: AdminStore;
  /** The gateway's configuration: a test may change clients before restart(). */
  config: Config;
  port: number;
  /** Ports by interface name. */
  ports: Record<string, number>;
  pgUrl?: string;
  sql<T = Row>(sql: string, binds?: Record<string, string | number | bigint | null | Date>): Promise<T[]>;
  /** TST_WRITE rows of a serial. */
  execs(serial: string): Promise<number>;
  ledgerRows(serial: string): Promise<Row[]>;
  logLines(iface: string, family: string): Promise<string[]>;
  /** Every log file's text. */
  allLogText(): Promise<string>;
  restart(): Promise<void>;
  stop(): Promise<void>;
  /** A second gateway (another "process": its own store and pool) on the same database. */
  second(): Promise<{ port: number; store: AdminStore; stop(): Promise<void> }>;
}

export interface WriteGatewayOptions {
  clients?: ClientConfig[];
  interfaces?: Partial<InterfaceConfig>[];
  /** Wrap the store the gateway uses (the tests' own reads use the real one). */
  wrap?: (s: AdminStore) => Store;
  idempotencyDays?: number;
  poolMax?: number;
}

export function backends(): { name: 'sqlite' | 'postgres'; url?: string }[] {
  const pgUrl = process.env.BSSGATE_TEST_PG_URL;
  return [{ name: 'sqlite' }, ...(pgUrl ? [{ name: 'postgres' as const, url: pgUrl }] : [])];
}

let sqlN = 0;

export async function startWriteGateway(t: Test, backend: 'sqlite' | 'postgres', pgBase: string | undefined, opts: WriteGatewayOptions = {}): Promise<WriteGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-w-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  let database: DatabaseConfig;
  let pgUrl: string | undefined;
  if (backend === 'sqlite') {
    database = { type: 'sqlite', path: join(dir, 'w.db'), poolMax: 1, passwordStorage: 'plain', demoSubscribers: 0, demoSeed: 1 };
  } else {
    const db = await withTempDatabase(t, pgBase!, 'w');
    pgUrl = db.url;
    database = { type: 'postgres', url: db.url, poolMax: opts.poolMax ?? 6, passwordStorage: 'plain', demoSubscribers: 0, demoSeed: 1 };
  }
  const config: Config = {
    files: [],
    interfaces: (opts.interfaces ?? [{}]).map((o) => testInterface(o)),
    database,
    log: { dir: join(dir, 'logs'), level: 'info', retentionDays: 30, requests: true },
    shutdownGraceMs: 2_000,
    clients: opts.clients,
    idempotencyDays: opts.idempotencyDays,
  };
  let logs: Logs = createLogs(config.log, { clock: systemClock });
  const store = await openStore(config.database, logs.main);
  await ensureDatabase(store, { demoSubscribers: 0, demoSeed: 1, now: new Date(), log: logs.main, passwordStorage: 'plain' });
  await store.exec('CREATE TABLE TST_WRITE (SERIAL VARCHAR(20) NOT NULL, N INTEGER NOT NULL)');
  await store.exec('CREATE TABLE TST_LOCK (ID INTEGER PRIMARY KEY, N INTEGER NOT NULL)');
  await store.exec('INSERT INTO TST_LOCK (ID, N) VALUES (1, 0)');
  await store.exec('CREATE TABLE TST_SLOWCOMMIT (X INTEGER NOT NULL)');
  if (backend === 'postgres') {
    await store.exec("CREATE FUNCTION tst_sleep() RETURNS trigger AS $$ BEGIN PERFORM pg_sleep(1.5); RETURN NULL; END $$ LANGUAGE plpgsql");
    await store.exec('CREATE CONSTRAINT TRIGGER tst_slow AFTER INSERT ON TST_SLOWCOMMIT DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION tst_sleep()');
  }
  const served = opts.wrap ? opts.wrap(store) : store;
  let gateway: Gateway | undefined;
  const ports: Record<string, number> = {};
  const start = async () => {
    gateway = new Gateway({ config, store: served, logs, clock: systemClock, handlers: HANDLERS });
    for (const b of await gateway.start()) ports[b.name] = b.port;
  };
  const seconds: (() => Promise<void>)[] = [];
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const s of seconds.splice(0)) await s();
    await gateway?.stop(2_000);
    await store.close();
    await logs.close();
  };
  t.teardown(stop);
  await start();
  const h: WriteGateway = {
    backend,
    store,
    config,
    get port() {
      return Object.values(ports)[0];
    },
    ports,
    pgUrl,
    sql: <T = Row>(sql: string, binds: Record<string, string | number | bigint | null | Date> = {}) => store.all<T>({ name: `w.sql.${++sqlN}`, sql }, binds),
    async execs(serial) {
      const r = await store.one<{ c: number }>({ name: 'w.execs', sql: 'SELECT COUNT(*) AS C FROM TST_WRITE WHERE SERIAL = :s' }, { s: serial });
      return Number(r?.c ?? 0);
    },
    ledgerRows: (serial) => store.all({ name: 'w.ledger', sql: 'SELECT CLIENT, BIZ, SERIAL, REQUEST_HASH, RESULT, REPLY, IFACE FROM BSG_IDEMPOTENCY WHERE SERIAL = :s ORDER BY CLIENT' }, { s: serial }),
    async logLines(iface, family) {
      await logs.flush();
      return familyLines(config.log.dir, iface, family, new Date());
    },
    async allLogText() {
      await logs.flush();
      return allText(config.log.dir);
    },
    async restart() {
      await gateway?.stop(2_000);
      await logs.close();
      logs = createLogs(config.log, { clock: systemClock });
      await start();
    },
    stop,
    async second() {
      const logs2 = createLogs({ ...config.log, dir: join(dir, 'logs2') }, { clock: systemClock });
      const store2 = await openStore(config.database, logs2.main);
      const g2 = new Gateway({ config, store: store2, logs: logs2, clock: systemClock, handlers: HANDLERS });
      const b = await g2.start();
      let done = false;
      const stop2 = async () => {
        if (done) return;
        done = true;
        await g2.stop(2_000);
        await store2.close();
        await logs2.close();
      };
      seconds.push(stop2);
      return { port: b[0].port, store: store2, stop: stop2 };
    },
  };
  return h;
}

export interface Peer {
  send(buf: Buffer): void;
  /** Wait until n answer frames arrived in total (or reject after ms). */
  frames(n: number, ms?: number): Promise<Buffer[]>;
  received(): Buffer[];
  close(): void;
}

/** A raw TCP peer, optionally from another loopback address (127.0.0.2: another client). */
export function connectPeer(port: number, localAddress?: string): Promise<Peer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port, ...(localAddress ? { localAddress } : {}) });
    const chunks: Buffer[] = [];
    let waiter: (() => void) | undefined;
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      waiter?.();
    });
    socket.on('close', () => waiter?.());
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.on('error', () => undefined);
      const all = () => framesOf(Buffer.concat(chunks));
      resolve({
        send: (buf) => void socket.write(buf),
        received: all,
        frames(n, ms = 10_000) {
          return new Promise((res, rej) => {
            const check = () => {
              const f = all();
              if (f.length >= n) {
                waiter = undefined;
                clearTimeout(timer);
                res(f);
              }
            };
            const timer = setTimeout(() => {
              waiter = undefined;
              rej(new Error(`only ${all().length} of ${n} answers within ${ms} ms`));
            }, ms);
            waiter = check;
            check();
          });
        },
        close: () => socket.destroy(),
      });
    });
  });
}

/** seq, result and body bytes of an answer frame. */
export function answer(frame: Buffer): { seq: number; result: number; serial: string; body: Buffer; execs?: number; at?: bigint } {
  const result = frame.readUInt16BE(56);
  const body = frame.subarray(60);
  const out: ReturnType<typeof answer> = { seq: frame.readUInt32BE(8), result, serial: frame.toString('latin1', 12, 32).trimEnd(), body };
  if (result === 0) {
    const msgLen = body.readUInt16BE(0);
    const f = body.subarray(2 + msgLen);
    out.execs = f.readUInt32BE(4);
    out.at = f.readBigInt64BE(8);
  }
  return out;
}
