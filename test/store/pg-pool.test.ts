// PostgreSQL store: a busy pool is not a database that is down; the [database] password is used.
// Runs when BSSGATE_TEST_PG_URL is set (own database per run).
import t from 'tap';
import pino from 'pino';
import { GatewayError } from '../../protocol/return-codes.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { openStore } from '../../src/store/open.js';
import { withTempDatabase } from './contract-pg-helper.js';
import type { QueryDef } from '../../src/store/types.js';

const base = process.env.BSSGATE_TEST_PG_URL;
const PING: QueryDef = { name: 'pgpool.ping', sql: 'SELECT 1 AS ok' };

if (!base) {
  t.test('postgres pool', { skip: 'BSSGATE_TEST_PG_URL is not set' }, () => undefined);
} else {
  const log = pino({ level: 'silent' });
  const db = await withTempDatabase(t, base, 'pool');

  t.test('every pooled connection busy longer than connectTimeoutMs: 9001 for that call only, the store stays up', async (t) => {
    // poolMax 2 and a short checkout timeout keep the test quick; the defaults (8, 5 s) behave the same
    const store = await PostgresStore.open(db.url, log, { poolMax: 2, connectTimeoutMs: 300 });
    t.teardown(() => store.close());
    const hold = (ms: number) =>
      store.transaction(async (tx) => {
        await tx.one(PING);
        await new Promise((r) => setTimeout(r, ms));
      });
    const busy = [hold(800), hold(800)];
    await new Promise((r) => setTimeout(r, 50));
    const read = await store.one(PING).then(() => undefined, (e: unknown) => e);
    t.match(read, { name: 'GatewayError', code: 9001 }, 'the read that found no free connection answers 9001');
    t.ok(read instanceof GatewayError);
    t.equal(store.unavailable, false, 'a busy pool is not an unavailable database (the store is not marked down)');
    await Promise.allSettled(busy);
    const after = await store.one(PING).then(() => 'ok', (e: Error) => e.message);
    t.equal(after, 'ok', 'the next query after the busy spell is served');
  });

  t.test('a real connect failure still marks the store down', async (t) => {
    const u = new URL(base);
    u.port = '1'; // nothing listens there
    const store = await PostgresStore.open(u.toString(), log, { connectTimeoutMs: 300 });
    t.teardown(() => store.close());
    t.equal(store.unavailable, true);
  });

  // The test server may use trust auth (the development machines) or passwords (a fresh
  // install, as .ci/run sets up): the real password, if any, is moved out of the URL into the
  // config, so each test connects on both.
  const real = new URL(db.url);
  const realPassword = decodeURIComponent(real.password) || 'from-config';
  real.password = '';

  t.test('[database] password / BSSGATE_DB_PASSWORD is used for postgres when the URL has none (docs/config.md)', async (t) => {
    const store = await openStore(
      { type: 'postgres', url: real.toString(), password: realPassword, poolMax: 1, passwordStorage: 'plain', demoSubscribers: 0, demoSeed: 1 },
      log,
    );
    t.teardown(() => store.close());
    const pool = (store as unknown as { pool: { options: { password?: unknown } } }).pool;
    t.equal(pool.options.password, realPassword, 'the configured password reaches the pg pool');
    await store.ping();
  });

  t.test('a password in the URL wins over [database] password', async (t) => {
    const u = new URL(db.url);
    if (!u.password) u.password = 'in-url';
    const store = await openStore(
      { type: 'postgres', url: u.toString(), password: 'from-config-' + Date.now(), poolMax: 1, passwordStorage: 'plain', demoSubscribers: 0, demoSeed: 1 },
      log,
    );
    t.teardown(() => store.close());
    const pool = (store as unknown as { pool: { options: { password?: unknown } } }).pool;
    t.equal(pool.options.password, undefined, 'the pool takes the URL password');
  });

  t.test('group commit leaves a connection for reads: at most poolMax - 1 batches at once', async (t) => {
    const store = await PostgresStore.open(db.url, log, { poolMax: 2, connectTimeoutMs: 300 });
    t.teardown(() => store.close());
    const units = Array.from({ length: 8 }, () =>
      store.unitOfWork(async (tx) => {
        await tx.one(PING);
        await new Promise((r) => setTimeout(r, 100));
      }),
    );
    await new Promise((r) => setTimeout(r, 30));
    t.equal(await store.one(PING).then(() => 'ok', (e: Error) => e.message), 'ok', 'a read is served while units run');
    await Promise.all(units);
  });
}
