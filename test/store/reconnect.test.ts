// Availability: database down at start or mid-run → one clear log line, queries reject with
// 9001 DATABASE_UNAVAILABLE (nothing was done), background reconnect, ping() recovers. Never an
// unhandled rejection, never a crash.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import pino from 'pino';
import { GatewayError } from '../../protocol/return-codes.js';
import { createSqliteStore } from '../../src/store/open.js';
import { PostgresStore } from '../../src/store/postgres.js';
import type { QueryDef } from '../../src/store/types.js';
import type { Store } from '../../src/store/types.js';
import { urlFor, withTempDatabase } from './contract-pg-helper.js';

const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => unhandled.push(e);
process.on('unhandledRejection', onUnhandled);
t.teardown(() => {
  process.off('unhandledRejection', onUnhandled);
});

function capture() {
  const lines: string[] = [];
  const log = pino({ level: 'info' }, { write: (s: string) => lines.push(s) });
  return { log, text: () => lines.join('') };
}

const is9001 = (e: unknown) => e instanceof GatewayError && e.code === 9001 && e.rc === 'DATABASE_UNAVAILABLE';

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => undefined,
    (e: unknown) => e,
  );
}

/** Poll ping() until it succeeds; bounded in time. */
async function until(store: Store, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      await store.ping();
      return true;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return false;
}

const CREATE: QueryDef = { name: 'test.rc-create', sql: 'CREATE TABLE RC (ID INTEGER PRIMARY KEY, V INTEGER)' };
const INS: QueryDef = { name: 'test.rc-insert', sql: 'INSERT INTO RC (ID, V) VALUES (:id, :v)' };
const GET: QueryDef = { name: 'test.rc-get', sql: 'SELECT V FROM RC WHERE ID = :id' };

t.test('CS-01 sqlite: a database file that vanishes answers 9001 and recovers when it returns', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bsg-reconnect-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'a.db');
  const c = capture();
  const store = createSqliteStore(file, c.log, { fileCheckMs: 0 });
  t.teardown(() => store.close());
  await store.run(CREATE);
  await store.run(INS, { id: 1, v: 42 });
  fs.renameSync(file, path.join(dir, 'moved.db'));
  t.ok(is9001(await rejection(store.ping())), 'ping answers 9001');
  t.ok(is9001(await rejection(store.one(GET, { id: 1 }))), 'a read answers 9001');
  t.ok(is9001(await rejection(store.run(INS, { id: 2, v: 1 }))), 'a write answers 9001');
  t.ok(is9001(await rejection(store.transaction(async () => 1))), 'a transaction answers 9001');
  t.ok(is9001(await rejection(store.unitOfWork(async () => 1))), 'a unit of work answers 9001');
  t.match(c.text(), /database unavailable/, 'a clear log line');
  t.notOk(fs.existsSync(file), 'the store did not create an empty database in its place');
  fs.renameSync(path.join(dir, 'moved.db'), file);
  t.ok(await until(store, 10_000), 'ping recovers once the file is back');
  t.same(await store.one(GET, { id: 1 }), { v: 42 }, 'the data is there');
  t.match(c.text(), /available again/);
});

t.test('sqlite: a write blocked by another process past busy_timeout answers 9001', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bsg-busy-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'b.db');
  const store = createSqliteStore(file, pino({ level: 'silent' }), { busyTimeoutMs: 50 });
  t.teardown(() => store.close());
  await store.run(CREATE);
  const other = new Database(file);
  other.exec('BEGIN IMMEDIATE');
  t.ok(is9001(await rejection(store.run(INS, { id: 1, v: 1 }))), 'the locked write answers 9001');
  t.equal(await store.one(GET, { id: 1 }), undefined, 'reads still work under the lock, and nothing was written');
  other.exec('ROLLBACK');
  other.close();
  t.equal(await store.run(INS, { id: 1, v: 1 }), 1, 'once the lock is gone writes work');
});

const url = process.env.BSSGATE_TEST_PG_URL;
const pgSkip = url ? false : 'BSSGATE_TEST_PG_URL is not set';

t.test('CS-01 postgres: backends terminated and connections refused → 9001, then recovery', { skip: pgSkip }, async (t) => {
  const db = await withTempDatabase(t, url!, 'reconnect');
  const c = capture();
  const store = await PostgresStore.open(db.url, c.log);
  t.teardown(() => store.close());
  await store.exec('CREATE TABLE RC (ID INTEGER PRIMARY KEY, V INTEGER)');
  await store.run(INS, { id: 1, v: 42 });
  // a transaction in flight holds a backend; the database then goes away under it
  let inTx!: () => void;
  const entered = new Promise<void>((r) => (inTx = r));
  let goOn!: () => void;
  const gate = new Promise<void>((r) => (goOn = r));
  const tx = store.transaction(async (q) => {
    await q.run(INS, { id: 2, v: 1 });
    inTx();
    await gate;
    await q.run(INS, { id: 3, v: 1 });
  });
  await entered;
  await db.admin(`ALTER DATABASE ${db.name} ALLOW_CONNECTIONS false`);
  await db.admin('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [db.name]);
  goOn();
  t.ok(is9001(await rejection(tx)), 'the transaction in flight answers 9001');
  t.ok(is9001(await rejection(store.one(GET, { id: 1 }))), 'a query answers 9001');
  t.ok(is9001(await rejection(store.ping())), 'ping answers 9001');
  t.match(c.text(), /database unavailable/, 'a clear log line');
  await new Promise((r) => setTimeout(r, 500)); // a few failed reconnect attempts
  await db.admin(`ALTER DATABASE ${db.name} ALLOW_CONNECTIONS true`);
  t.ok(await until(store, 15_000), 'ping recovers when the database accepts connections again');
  t.same(await store.one(GET, { id: 1 }), { v: 42 });
  t.equal(await store.one(GET, { id: 2 }), undefined, 'the interrupted transaction left nothing');
  t.match(c.text(), /available again/);
});

t.test('postgres: unreachable at start → the store starts degraded and answers 9001', { skip: pgSkip }, async (t) => {
  const c = capture();
  const u = new URL(url!);
  u.port = '1'; // nothing listens on port 1
  const store = await PostgresStore.open(u.toString(), c.log, { connectTimeoutMs: 1000 });
  t.ok(store.unavailable, 'degraded');
  t.ok(is9001(await rejection(store.ping())), 'ping answers 9001');
  t.ok(is9001(await rejection(store.one(GET, { id: 1 }))), 'a query answers 9001');
  t.match(c.text(), /ECONNREFUSED.*database unavailable/, 'the log line says why');
  const avail = (store as unknown as { avail: { reconnecting: boolean } }).avail;
  t.equal(avail.reconnecting, true, 'a background reconnect runs while degraded');
  await store.close();
  // close aborts the retry delay, so the loop ends promptly (bounded wait, well under p-retry's 5 s cap)
  for (let i = 0; i < 100 && avail.reconnecting; i++) await new Promise((r) => setTimeout(r, 20));
  t.equal(avail.reconnecting, false, 'close stops the background reconnect');
  const logged = c.text().length;
  await new Promise((r) => setTimeout(r, 300));
  t.equal(c.text().length, logged, 'nothing is logged after close: no further attempt');
  t.notMatch(c.text(), /reconnect stopped/, 'stopping on close is not reported as an error');
});

t.test('postgres: a database that does not exist is a configuration error at start', { skip: pgSkip }, async (t) => {
  await t.rejects(PostgresStore.open(urlFor(url!, 'bsg_no_such_database_x'), pino({ level: 'silent' })), /does not exist/);
});

t.test('no unhandled rejection happened', async (t) => {
  await new Promise((r) => setTimeout(r, 200));
  t.same(unhandled, []);
});
