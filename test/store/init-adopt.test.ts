// src/store/init.ts on an operator's legacy schema ("adopted" mode): `db init --force` never drops
// the operator's tables, an interrupted adoption is finished rather than refused, and the
// sequences start above the legacy ids. (Moved from test/review-store/.)
import t from 'tap';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createSqliteStore, openStore } from '../../src/store/open.js';
import { ensureDatabase, initDatabase, readMeta } from '../../src/store/init.js';
import { SCHEMA_VERSION } from '../../src/store/schema.js';
import type { AdminStore, QueryDef } from '../../src/store/types.js';
import type { DatabaseConfig } from '../../src/config/types.js';
import { withTempDatabase } from './contract-pg-helper.js';

const log = pino({ level: 'silent' });
const now = new Date(2024, 10, 22, 10, 0, 0);
const pgUrl = process.env.BSSGATE_TEST_PG_URL;

type Test = { teardown(fn: () => unknown): void };

/** The legacy tables: TAB_SUBSCRB (SUBSCRBID 1) and USR_BUSI_RECORD (BUSISN up to 5000). */
async function addLegacyTables(store: AdminStore): Promise<void> {
  await store.exec('CREATE TABLE TAB_SUBSCRB (SUBSCRBID INTEGER PRIMARY KEY, SVCNUM VARCHAR(20))');
  await store.exec("INSERT INTO TAB_SUBSCRB VALUES (1, '13997001234')");
  await store.exec('CREATE TABLE USR_BUSI_RECORD (BUSISN BIGINT PRIMARY KEY, SVCNUM VARCHAR(20))');
  await store.exec("INSERT INTO USR_BUSI_RECORD VALUES (5000, '13997001234')");
}

/** A "legacy" SQLite database. */
async function legacyDb(t: Test): Promise<AdminStore> {
  const dir = mkdtempSync(join(tmpdir(), 'bsg-init-adopt-'));
  const store = createSqliteStore(join(dir, 'legacy.db'), log, { fileCheckMs: 0 });
  t.teardown(() => store.close());
  await addLegacyTables(store);
  return store;
}

const COUNT_SUBS: QueryDef = { name: 'adopt.count-subs', sql: 'SELECT COUNT(*) AS N FROM TAB_SUBSCRB' };
const NEXT_BUSISN: QueryDef = { name: 'adopt.next-busisn', sql: 'SELECT {{nextval SEQ_BUSISN}} AS V', bigint: ['v'] };

t.test('db init --force on an ADOPTED legacy database must not drop the operator tables', async (t) => {
  const store = await legacyDb(t);
  const r = await ensureDatabase(store, { demoSubscribers: 0, demoSeed: 1, now, log });
  t.equal(r.mode, 'adopted');
  // The operator later runs `bssgate db init --force`: refused, nothing dropped.
  await t.rejects(initDatabase(store, { demo: 0, seed: 1, now, force: true, log }), /--force refused.*adopted/);
  t.ok(await store.tableExists('TAB_SUBSCRB'), 'legacy TAB_SUBSCRB still exists');
  t.ok(await store.tableExists('BSG_META'), 'our tables are not dropped either');
  const n = await store.one<{ n: number }>(COUNT_SUBS);
  t.equal(Number(n?.n), 1, "the operator's subscriber row is still there");
});

t.test('db init --force on a legacy database without BSG_META is refused too', async (t) => {
  const store = await legacyDb(t);
  await t.rejects(initDatabase(store, { demo: 0, seed: 1, now, force: true, log }), /--force refused.*TAB_SUBSCRB.*did not create/);
  t.ok(await store.tableExists('TAB_SUBSCRB'));
  t.notOk(await store.tableExists('BSG_META'), 'nothing adopted either');
});

t.test('an adoption interrupted before schema_version is written is finished on the next start', async (t) => {
  const store = await legacyDb(t);
  // simulate a crash between adding BSG_META (a missing table) and the final schema_version row
  const crashing: AdminStore = Object.create(store);
  crashing.bulkInsert = async () => {
    throw new Error('simulated crash');
  };
  await t.rejects(ensureDatabase(crashing, { demoSubscribers: 0, demoSeed: 1, now, log }));
  const err = await ensureDatabase(store, { demoSubscribers: 0, demoSeed: 1, now, log }).then(
    () => undefined,
    (e: Error) => e,
  );
  t.notMatch(err?.message ?? '', /--force/, 'a half-finished adoption must not recommend --force (it destroys legacy data)');
  t.equal(err, undefined, 'the adoption is finished');
  const meta = await readMeta(store);
  t.ok(meta.adopted_at, 'adopted_at');
  t.equal(meta.schema_version, String(SCHEMA_VERSION), 'schema_version written last');
  t.ok(await store.tableExists('BSG_CMD_QUEUE'));
  t.equal(Number((await store.one<{ n: number }>(COUNT_SUBS))?.n), 1, 'legacy data untouched');

  // interrupted after adopted_at: the next start finishes it as well
  await store.exec("DELETE FROM BSG_META WHERE KEY = 'schema_version'");
  const again = await ensureDatabase(store, { demoSubscribers: 0, demoSeed: 1, now, log });
  t.equal(again.mode, 'adopted', 'a re-run of the adoption');
  t.equal((await readMeta(store)).schema_version, String(SCHEMA_VERSION));
  const row = await store.one<{ v: bigint }>(NEXT_BUSISN);
  t.equal(row?.v, 5001n, 're-running leaves the sequence above the legacy ids (no duplicate BSG_SEQUENCE rows)');
});

t.test('adopted database: sequences start above the legacy ids', async (t) => {
  const store = await legacyDb(t);
  await ensureDatabase(store, { demoSubscribers: 0, demoSeed: 1, now, log });
  const row = await store.one<{ v: bigint }>(NEXT_BUSISN);
  t.equal(row?.v, 5001n, `next BUSISN ${String(row?.v)} must not collide with legacy BUSISN 5000`);
  const sub = await store.one<{ v: bigint }>({ name: 'adopt.next-sub', sql: 'SELECT {{nextval SEQ_SUBSCRBID}} AS V', bigint: ['v'] });
  t.equal(sub?.v, 2n, 'SEQ_SUBSCRBID above MAX(TAB_SUBSCRB.SUBSCRBID)');
  const pay = await store.one<{ v: bigint }>({ name: 'adopt.next-pay', sql: 'SELECT {{nextval SEQ_PAYSN}} AS V', bigint: ['v'] });
  t.equal(pay?.v, 1n, 'a sequence without legacy ids (no TAB_PAY) starts at 1');
});

t.test('a fresh database we created can still be started over with --force', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bsg-init-fresh-'));
  const store = createSqliteStore(join(dir, 'fresh.db'), log, { fileCheckMs: 0 });
  t.teardown(() => store.close());
  const r = await ensureDatabase(store, { demoSubscribers: 0, demoSeed: 1, now, log });
  t.equal(r.mode, 'fresh');
  t.ok((await readMeta(store)).created_at, 'created_at marks a database bssgate created');
  const redo = await initDatabase(store, { demo: 0, seed: 1, now, force: true, log });
  t.equal(redo.mode, 'fresh');
});

function pgCfg(u: string): DatabaseConfig {
  return { type: 'postgres', url: u, poolMax: 2, passwordStorage: 'plain', demoSubscribers: 0, demoSeed: 1 };
}

t.test('PostgreSQL: adoption raises the sequences, --force is refused', { skip: pgUrl ? false : 'BSSGATE_TEST_PG_URL is not set' }, async (t) => {
  const db = await withTempDatabase(t, pgUrl as string, 'adopt');
  const store = await openStore(pgCfg(db.url), log);
  t.teardown(() => store.close());
  await addLegacyTables(store);
  const r = await ensureDatabase(store, { demoSubscribers: 0, demoSeed: 1, now, log });
  t.equal(r.mode, 'adopted');
  t.equal((await store.one<{ v: bigint }>(NEXT_BUSISN))?.v, 5001n, 'SEQ_BUSISN above the legacy BUSISN');
  // a re-run of the adoption (interrupted before schema_version) never lowers a sequence
  await store.exec("DELETE FROM BSG_META WHERE KEY = 'schema_version'");
  t.equal((await ensureDatabase(store, { demoSubscribers: 0, demoSeed: 1, now, log })).mode, 'adopted');
  t.equal((await store.one<{ v: bigint }>(NEXT_BUSISN))?.v, 5002n, 'the sequence continues');
  await t.rejects(initDatabase(store, { demo: 0, seed: 1, now, force: true, log }), /--force refused/);
  t.equal(Number((await store.one<{ n: number }>(COUNT_SUBS))?.n), 1, 'legacy data untouched');
});

t.test('a database of an older schema version without an in-place upgrade is refused with what to do', async (t) => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const pino = (await import('pino')).default;
  const { createSqliteStore } = await import('../../src/store/open.js');
  const { ensureDatabase } = await import('../../src/store/init.js');
  const { SCHEMA_VERSION } = await import('../../src/store/schema.js');
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-oldschema-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const log = pino({ level: 'silent' });
  const store = createSqliteStore(join(dir, 'old.db'), log);
  t.teardown(() => store.close());
  const opts = { demoSubscribers: 0, demoSeed: 1, now: new Date(2026, 10, 22), log };
  await ensureDatabase(store, opts);
  // 2: older than the first in-place upgrade (SCHEMA_UPGRADES starts at 3 → 4; test/store/init-upgrade.test.ts)
  t.ok(SCHEMA_VERSION > 2);
  await store.run({ name: 'test.downgrade', sql: "UPDATE BSG_META SET VALUE = :v WHERE KEY = 'schema_version'" }, { v: '2' });
  await t.rejects(ensureDatabase(store, opts), /older than this bssgate .*db init --force/);
});
