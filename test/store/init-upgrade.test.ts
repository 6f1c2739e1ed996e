// issue 13 (defect 2): the in-place upgrade of an existing database to schema version 4, which adds
// BSG_IDEMPOTENCY.ATTEMPT (the in-doubt resolution's attempt id, docs/idempotency.md). A database
// of version 3 — fresh or adopted, its ledger rows kept — gets the column at the next start and
// its schema_version raised; a re-run and a second gateway starting at once find it there. SQLite,
// and PostgreSQL when BSSGATE_TEST_PG_URL is set.
import t, { type Test } from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { openStore } from '../../src/store/open.js';
import { ensureDatabase, readMeta } from '../../src/store/init.js';
import { SCHEMA_VERSION } from '../../src/store/schema.js';
import type { AdminStore } from '../../src/store/types.js';
import type { DatabaseConfig } from '../../src/config/types.js';
import { withTempDatabase } from './contract-pg-helper.js';

const log = pino({ level: 'silent' });
const opts = { demoSubscribers: 0, demoSeed: 1, now: new Date(2026, 10, 22), log };
const pgUrl = process.env.BSSGATE_TEST_PG_URL;

async function database(t: Test, backend: 'sqlite' | 'postgres'): Promise<DatabaseConfig> {
  if (backend === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'bssgate-upgrade-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    return { type: 'sqlite', path: join(dir, 'v3.db'), poolMax: 1, passwordStorage: 'plain', demoSubscribers: 0, demoSeed: 1 };
  }
  const db = await withTempDatabase(t, pgUrl!, 'upgrade');
  return { type: 'postgres', url: db.url, poolMax: 4, passwordStorage: 'plain', demoSubscribers: 0, demoSeed: 1 };
}

/** The database as schema version 3 left it: BSG_IDEMPOTENCY without ATTEMPT, one ledger row. */
async function version3(store: AdminStore): Promise<void> {
  await ensureDatabase(store, opts);
  await store.exec('ALTER TABLE BSG_IDEMPOTENCY DROP COLUMN ATTEMPT');
  await store.run({ name: 'test.v3', sql: "UPDATE BSG_META SET VALUE = '3' WHERE KEY = 'schema_version'" });
  await store.run({
    name: 'test.v3-row',
    sql: "INSERT INTO BSG_IDEMPOTENCY (CLIENT, BIZ, SERIAL, REQUEST_HASH, RESULT, REPLY, IFACE, CREATED) VALUES ('cardsys', 303, 'OLD1', 'h', 0, :reply, 'card', :created)",
  }, { reply: Buffer.from([0, 0]), created: new Date() });
}

const HAS_ATTEMPT = { name: 'test.attempt', sql: "SELECT SERIAL, ATTEMPT FROM BSG_IDEMPOTENCY WHERE SERIAL = 'OLD1'" };

for (const backend of ['sqlite', ...(pgUrl ? ['postgres' as const] : [])] as const) {
  t.test(`issue 13 PC-06: a schema version 3 database is upgraded in place to ${SCHEMA_VERSION} (BSG_IDEMPOTENCY.ATTEMPT added, rows kept) [${backend}]`, async (t) => {
    t.equal(SCHEMA_VERSION, 4, 'this test is about the 3 → 4 step');
    const cfg = await database(t, backend);
    const store = await openStore(cfg, log);
    t.teardown(() => store.close());
    await version3(store);
    await t.rejects(store.all(HAS_ATTEMPT), 'version 3: no ATTEMPT column');
    const r = await ensureDatabase(store, opts);
    t.equal(r.mode, 'existing', 'started, not refused');
    t.equal((await readMeta(store)).schema_version, String(SCHEMA_VERSION), 'schema_version raised');
    const rows = await store.all<{ serial: string; attempt: unknown }>(HAS_ATTEMPT);
    t.same(rows.map((x) => [x.serial, x.attempt ?? null]), [['OLD1', null]], 'the old ledger row is kept, with no attempt id');
    // A re-run after the column was added but before schema_version was raised (a crash): the
    // column is found and skipped.
    await store.run({ name: 'test.v3-again', sql: "UPDATE BSG_META SET VALUE = '3' WHERE KEY = 'schema_version'" });
    t.equal((await ensureDatabase(store, opts)).mode, 'existing', 'a re-run finds the column');
    t.equal((await readMeta(store)).schema_version, String(SCHEMA_VERSION));
    // Two gateways starting at the same moment on a version 3 database: one adds the column, the
    // other's ALTER fails on it and finds it there.
    await store.exec('ALTER TABLE BSG_IDEMPOTENCY DROP COLUMN ATTEMPT');
    await store.run({ name: 'test.v3-again', sql: "UPDATE BSG_META SET VALUE = '3' WHERE KEY = 'schema_version'" });
    const other = await openStore(cfg, log);
    t.teardown(() => other.close());
    const both = await Promise.all([ensureDatabase(store, opts), ensureDatabase(other, opts)]);
    t.same(both.map((x) => x.mode), ['existing', 'existing'], 'both start');
    t.equal((await readMeta(store)).schema_version, String(SCHEMA_VERSION), 'upgraded once');
    t.equal((await store.all(HAS_ATTEMPT)).length, 1, 'the column is there');
  });
}
