// Benchmark: durable card payments (PC-03, biz 303) per second over the wire, at 1, 16 and
// 64 concurrent clients (connections, one payment outstanding each), against the raw driver's
// single-row commits measured in the same run. Prints JSON: the figures and the ratios.
//
//   SQLite:     the gateway (in this process, startGateway) vs raw better-sqlite3 single-row
//               INSERT commits, WAL, synchronous=FULL, on the same disk, measured right before
//               and right after each gateway run (the better figure counts).  Target: ≥ 2× at 64.
//   PostgreSQL: the same against raw single-client commits (pg, one connection, one INSERT +
//               COMMIT per row).  Only with BSSGATE_TEST_PG_URL (or --pg URL).
//
// The clients are the card-system simulator (`bssgate sim card`, src/sim/card.ts) in a child
// process, closed loop (a new payment as soon as the previous one of that connection is
// answered), every payment with a fresh serial, its ledger kept in memory (a ledger file would add
// the simulator's own fsync to every payment). "Zero lost": after each run, every payment the
// simulator counted as acknowledged is in TAB_PAY exactly once with its amount, and nothing else.
//
//   node dist/bench/payments.js [secondsPerRun=5] [--clients 1,16,64] [--pg URL | --no-pg] [--no-sqlite]
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import pino from 'pino';
import { startGateway, type Running } from '../src/serve.js';
import type { Config, DatabaseConfig } from '../src/config/types.js';
import { openStore } from '../src/store/open.js';
import { ensureDatabase } from '../src/store/init.js';
import type { AdminStore } from '../src/store/types.js';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '../src/cli.js');
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const value = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const SECONDS = Number(args.find((a) => /^\d+(\.\d+)?$/.test(a)) ?? 5);
const CLIENTS = (value('--clients') ?? '1,16,64').split(',').map(Number);
const PG_URL = flag('--no-pg') ? undefined : (value('--pg') ?? process.env.BSSGATE_TEST_PG_URL);
const SUBSCRIBERS = 2000;
const CLIENT = 'bench';
const log = pino({ level: 'silent' });
const r2 = (x: number) => Math.round(x * 100) / 100;

interface SimSummary {
  acked: { P: number; R: number };
  ackedFen: { P: string; R: string };
  pending: number;
  defects: number;
  problems: string[];
  elapsedMs: number;
  serialPrefix: string;
  retryable: Record<string, number>;
  refused: Record<string, number>;
}

/** `bssgate sim card` in a child process: closed loop for SECONDS, then the drain; its JSON summary. */
function simulate(port: number, clients: number, numbersFile: string, prefix: string): Promise<SimSummary> {
  return new Promise((resolve, reject) => {
    const child = fork(
      cli,
      ['sim', 'card', `127.0.0.1:${port}`, '--rate', '0', '--duration', `${Math.round(SECONDS * 1000)}ms`, '--connections', String(clients),
        '--pipeline', '1', '--reversals', '0', '--numbers', `@${numbersFile}`, '--resend-after', '2s', '--answer-timeout', '10s', '--drain', '30s',
        '--serial-prefix', prefix, '--amounts', '100-50000', '--json'],
      { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] },
    );
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    const kill = setTimeout(() => child.kill('SIGKILL'), (SECONDS + 60) * 1000);
    child.once('exit', () => {
      clearTimeout(kill);
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()!));
      } catch {
        reject(new Error(`the simulator printed no summary: ${out}`));
      }
    });
  });
}

/** Zero lost: TAB_PAY holds exactly the acknowledged payments of the run, each once, with their amounts. */
async function audit(store: AdminStore, s: SimSummary): Promise<{ rows: number; lost: number; extra: number; fenMatch: boolean }> {
  const rows = await store.all<{ n: unknown; serials: unknown; fen: unknown }>({
    name: `bench.audit.${s.serialPrefix}`,
    sql: `SELECT COUNT(*) AS n, COUNT(DISTINCT SERIAL) AS serials, COALESCE(SUM(AMOUNT), 0) AS fen FROM TAB_PAY WHERE SERIAL LIKE '${s.serialPrefix}%'`,
  });
  const n = Number(rows[0].n);
  const distinct = Number(rows[0].serials);
  return { rows: n, lost: Math.max(0, s.acked.P - distinct), extra: n - s.acked.P, fenMatch: BigInt(String(rows[0].fen)) === BigInt(s.ackedFen.P) };
}

async function gatewayRuns(database: DatabaseConfig, dir: string, tag: string, raw: () => Promise<number>) {
  const store = await openStore(database, log);
  await ensureDatabase(store, { demoSubscribers: SUBSCRIBERS, demoSeed: 1, now: new Date(), log, passwordStorage: 'scrypt', scrypt: { N: 1024, r: 8, p: 1 } });
  const numbers = (await store.all<{ svcnum: string }>({ name: 'bench.numbers', sql: 'SELECT SVCNUM AS svcnum FROM TAB_SUBSCRB WHERE STATUS IN (1, 3)' })).map((r) => String(r.svcnum));
  const numbersFile = join(dir, `numbers-${tag}.txt`);
  fs.writeFileSync(numbersFile, numbers.join('\n'));
  const config: Config = {
    files: [],
    interfaces: [
      {
        name: 'card', kind: 'card', host: '127.0.0.1', port: 0, maxFrame: 65536, maxConnections: 256, idleTimeoutMs: 60_000,
        frameTimeoutMs: 10_000, drainTimeoutMs: 30_000, requestTimeoutMs: 15_000, maxPipeline: 64, allow: [],
      },
    ],
    database,
    log: { dir: join(dir, `logs-${tag}`), level: 'warn', retentionDays: 30, requests: true },
    shutdownGraceMs: 5_000,
    clients: [{ section: CLIENT, name: CLIENT, addresses: ['127.0.0.1'] }],
  };
  const running: Running = await startGateway(config, { admin: false });
  const port = running.bound[0].port;
  const out: Record<string, unknown> = {};
  try {
    const groupStats = () => (running.store as unknown as { groupStats?: { batches: number; units: number } }).groupStats;
    for (const c of CLIENTS) {
      // The raw baseline right before and right after each run: this disk's fsync cost drifts
      // by several times within minutes (shared virtual disk), so each run gets its own.
      const rawBefore = await raw();
      const g0 = { ...(groupStats() ?? { batches: 0, units: 0 }) };
      const prefix = `B${tag[0].toUpperCase()}${c}${Date.now().toString(36).toUpperCase().slice(-5)}`;
      const s = await simulate(port, c, numbersFile, prefix);
      const g1 = groupStats();
      const rawAfter = await raw();
      const a = await audit(store, s);
      const pps = s.acked.P / SECONDS;
      out[`clients_${c}`] = {
        payments_per_s: Math.round(pps),
        raw_commits_per_s_before_after: [Math.round(rawBefore), Math.round(rawAfter)],
        ratio_vs_better_raw: r2(pps / Math.max(rawBefore, rawAfter)),
        acknowledged: s.acked.P,
        unanswered_at_end: s.pending,
        retryable_9xxx: s.retryable,
        refused: s.refused,
        defects: s.defects,
        ...(s.problems.length ? { problems: s.problems.slice(0, 3) } : {}),
        tab_pay_rows: a.rows,
        lost: a.lost,
        extra_rows: a.extra,
        amounts_match: a.fenMatch,
        ...(g1 ? { mean_units_per_commit: r2((g1.units - g0.units) / Math.max(1, g1.batches - g0.batches)) } : {}),
      };
    }
  } finally {
    await running.stop();
    await store.close();
  }
  return out;
}

/** Raw better-sqlite3: single-row INSERT commits, WAL, synchronous=FULL, for `ms`. */
function rawSqliteCommits(file: string, ms: number): number {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE IF NOT EXISTS RAW_PAY (PAYSN INTEGER PRIMARY KEY, SVCNUM TEXT, AMOUNT INTEGER, SERIAL TEXT UNIQUE, PAYTIME TEXT)');
  const ins = db.prepare('INSERT INTO RAW_PAY (SVCNUM, AMOUNT, SERIAL, PAYTIME) VALUES (?, ?, ?, ?)');
  const start = performance.now();
  let n = 0;
  const tag = Date.now().toString(36);
  while (performance.now() - start < ms) ins.run('13997000001', 5000, `${tag}-${n++}`, '20261201120000');
  const rate = n / ((performance.now() - start) / 1000);
  db.close();
  return rate;
}

/** Raw pg: one connection, one INSERT + COMMIT per row, for `ms`. */
async function rawPgCommits(url: string, ms: number): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query('CREATE TABLE IF NOT EXISTS RAW_PAY (PAYSN BIGSERIAL PRIMARY KEY, SVCNUM VARCHAR(20), AMOUNT BIGINT, SERIAL VARCHAR(40) UNIQUE, PAYTIME TIMESTAMP)');
  const start = performance.now();
  let n = 0;
  const tag = Date.now().toString(36);
  while (performance.now() - start < ms) {
    await c.query('BEGIN');
    await c.query({ name: 'raw.pay', text: 'INSERT INTO RAW_PAY (SVCNUM, AMOUNT, SERIAL, PAYTIME) VALUES ($1, $2, $3, now())', values: ['13997000001', 5000, `${tag}-${n++}`] });
    await c.query('COMMIT');
  }
  const rate = n / ((performance.now() - start) / 1000);
  await c.end();
  return rate;
}

async function sqlite(dir: string) {
  const rawFile = join(dir, 'raw.db');
  const runs = await gatewayRuns({ type: 'sqlite', path: join(dir, 'bench.db'), poolMax: 1, passwordStorage: 'scrypt', demoSubscribers: 0, demoSeed: 1 }, dir, 'sqlite', async () => rawSqliteCommits(rawFile, SECONDS * 1000));
  return { baseline: 'raw better-sqlite3 single-row INSERT commits, WAL, synchronous=FULL, same disk', gateway: runs, target_ratio_at_64: 2 };
}

async function postgres(url: string, dir: string) {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const name = `bsg_bench_pay_${process.pid}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const u = new URL(url);
  u.pathname = `/${name}`;
  try {
    const runs = await gatewayRuns({ type: 'postgres', url: u.toString(), poolMax: 8, passwordStorage: 'scrypt', demoSubscribers: 0, demoSeed: 1 }, dir, 'postgres', () => rawPgCommits(u.toString(), SECONDS * 1000));
    return { baseline: 'raw pg, one connection, BEGIN + INSERT + COMMIT per row', gateway: runs, target_ratio_at_64: 2 };
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

const dir = fs.mkdtempSync(join(os.tmpdir(), 'bsg-bench-pay-'));
try {
  const out: Record<string, unknown> = { seconds_per_run: SECONDS, clients: CLIENTS, host_cpus: os.cpus().length, load_average: os.loadavg().map(r2) };
  if (!flag('--no-sqlite')) out.sqlite = await sqlite(dir);
  out.postgres = PG_URL ? await postgres(PG_URL, dir) : 'skipped: BSSGATE_TEST_PG_URL not set (or --no-pg)';
  console.log(JSON.stringify(out, null, 2));
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
