// Store overhead and group commit, measured against the raw drivers in the same run.
// Prints one JSON object. Each measurement runs for a fixed time (MEASURE_MS), so the whole bench
// is bounded (< 30 s with PostgreSQL). PostgreSQL parts run only when BSSGATE_TEST_PG_URL is set.
//   point query:   store.one vs raw prepared get / pg named query      target ≥ 0.8×
//   durable write: store.run single-row commits vs raw better-sqlite3 (WAL, synchronous=FULL)
//   group commit:  64 concurrent unitOfWork vs raw single-row commits   target ≥ 2×
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import pino from 'pino';
import { createSqliteStore } from '../src/store/open.js';
import { PostgresStore } from '../src/store/postgres.js';
import type { QueryDef } from '../src/store/types.js';

const MEASURE_MS = Number(process.env.BENCH_MS ?? 2000);
const ROWS = 10_000;
const log = pino({ level: 'silent' });

const GET: QueryDef = { name: 'bench.get', sql: 'SELECT SVCNUM, BALANCE FROM BENCH_ACCT WHERE ID = :id', bigint: ['balance'] };
const PUT: QueryDef = { name: 'bench.put', sql: 'INSERT INTO BENCH_PAY (ID, AMOUNT) VALUES (:id, :amount)' };

/** Operations per second of an async op called back to back for MEASURE_MS. */
async function rate(op: (i: number) => Promise<unknown> | unknown, concurrency = 1): Promise<number> {
  const end = performance.now() + MEASURE_MS;
  let n = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        await op(n++);
      }
    }),
  );
  return n / ((performance.now() - start) / 1000);
}

function syncRate(op: (i: number) => unknown): number {
  const start = performance.now();
  const end = start + MEASURE_MS;
  let n = 0;
  while (performance.now() < end) for (let k = 0; k < 100; k++) op(n++);
  return n / ((performance.now() - start) / 1000);
}

const r2 = (x: number) => Math.round(x * 100) / 100;

async function sqlite(dir: string) {
  const file = path.join(dir, 'bench.db');
  const raw = new Database(file);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = FULL');
  raw.exec('CREATE TABLE BENCH_ACCT (ID INTEGER PRIMARY KEY, SVCNUM TEXT, BALANCE INTEGER); CREATE TABLE BENCH_PAY (ID INTEGER PRIMARY KEY, AMOUNT INTEGER)');
  const ins = raw.prepare('INSERT INTO BENCH_ACCT VALUES (?, ?, ?)');
  raw.transaction(() => {
    for (let i = 0; i < ROWS; i++) ins.run(i, `139${String(i).padStart(8, '0')}`, i * 100);
  })();
  const store = createSqliteStore(file, log);

  const get = raw.prepare('SELECT SVCNUM, BALANCE FROM BENCH_ACCT WHERE ID = ?');
  get.safeIntegers(true);
  const rawSync = syncRate((i) => get.get(i % ROWS));
  const rawAsync = await rate(async (i) => get.get(i % ROWS));
  const viaStore = await rate((i) => store.one(GET, { id: i % ROWS }));

  let id = 0;
  const put = raw.prepare('INSERT INTO BENCH_PAY (ID, AMOUNT) VALUES (?, ?)');
  const rawCommits = syncRate(() => put.run(id++, 100));
  const storeCommits = await rate(() => store.run(PUT, { id: id++, amount: 100n }));
  // the raw figure again after the store's: fsync cost drifts within a run (WAL growth, checkpoints)
  const rawCommits2 = syncRate(() => put.run(id++, 100));
  const rawBest = Math.max(rawCommits, rawCommits2);
  const before = { ...store.groupStats };
  const grouped = await rate(() => store.unitOfWork((tx) => tx.run(PUT, { id: id++, amount: 100n })), 64);
  const batches = store.groupStats.batches - before.batches;
  const units = store.groupStats.units - before.units;
  await store.close();
  raw.close();
  return {
    point_query: {
      raw_sync_per_s: Math.round(rawSync),
      raw_awaited_per_s: Math.round(rawAsync),
      store_per_s: Math.round(viaStore),
      ratio_vs_raw_awaited: r2(viaStore / rawAsync),
      ratio_vs_raw_sync: r2(viaStore / rawSync),
      target: 0.8,
    },
    durable_commits: {
      raw_full_sync_per_s: [Math.round(rawCommits), Math.round(rawCommits2)],
      store_run_per_s: Math.round(storeCommits),
      ratio_vs_best_raw: r2(storeCommits / rawBest),
    },
    group_commit_64: {
      units_per_s: Math.round(grouped),
      ratio_vs_best_raw_commits: r2(grouped / rawBest),
      mean_batch: r2(units / Math.max(1, batches)),
      target: 2,
    },
  };
}

async function postgres(url: string) {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const name = `bsg_bench_${process.pid}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const u = new URL(url);
  u.pathname = `/${name}`;
  try {
    const raw = new pg.Client({ connectionString: u.toString() });
    await raw.connect();
    await raw.query('CREATE TABLE BENCH_ACCT (ID INTEGER PRIMARY KEY, SVCNUM VARCHAR(20), BALANCE BIGINT); CREATE TABLE BENCH_PAY (ID INTEGER PRIMARY KEY, AMOUNT BIGINT)');
    await raw.query(`INSERT INTO BENCH_ACCT SELECT g, '139' || lpad(g::text, 8, '0'), g * 100 FROM generate_series(0, ${ROWS - 1}) g`);
    const store = await PostgresStore.open(u.toString(), log, { poolMax: 8 });
    const rawQ = await rate((i) => raw.query({ name: 'raw.get', text: 'SELECT SVCNUM, BALANCE FROM BENCH_ACCT WHERE ID = $1', values: [i % ROWS] }));
    const viaStore = await rate((i) => store.one(GET, { id: i % ROWS }));
    let id = 0;
    const rawCommits = await rate(() => raw.query({ name: 'raw.put', text: 'INSERT INTO BENCH_PAY (ID, AMOUNT) VALUES ($1, $2)', values: [id++, 100] }));
    const grouped = await rate(() => store.unitOfWork((tx) => tx.run(PUT, { id: id++, amount: 100n })), 64);
    const pooled = await rate(() => store.run(PUT, { id: id++, amount: 100n }), 64);
    await store.close();
    await raw.end();
    return {
      point_query: { raw_per_s: Math.round(rawQ), store_per_s: Math.round(viaStore), ratio: r2(viaStore / rawQ), target: 0.8 },
      commits: {
        raw_single_client_per_s: Math.round(rawCommits),
        group_commit_64_per_s: Math.round(grouped),
        ratio_group_vs_raw: r2(grouped / rawCommits),
        pool8_autocommit_64_per_s: Math.round(pooled),
      },
    };
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bsg-bench-store-'));
try {
  const out: Record<string, unknown> = { measure_ms: MEASURE_MS, sqlite: await sqlite(dir) };
  const url = process.env.BSSGATE_TEST_PG_URL;
  out.postgres = url ? await postgres(url) : 'skipped: BSSGATE_TEST_PG_URL not set';
  console.log(JSON.stringify(out, null, 2));
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
