// Benchmark: durable card payments (PC-03, biz 303) per second over the wire, at 1, 16 and
// 64 concurrent clients (connections, one payment outstanding each), against the raw driver's
// single-row commits measured in the same run. Prints JSON: the figures and the ratios.
//
//   SQLite:     the gateway (in this process, startGateway) vs raw better-sqlite3 single-row
//               INSERT commits, WAL, synchronous=FULL, on the same disk, measured right before
//               and right after each gateway run (the better figure counts).  Target: ≥ 2× at 64.
//   PostgreSQL: the same against raw single-client commits (pg, one connection, one INSERT +
//               COMMIT per row), and against pgbench's TPC-B (the debit/credit transaction:
//               update an account, a teller, a branch, insert a history row) with the same client
//               count, `-M prepared`, on a database of its own on the same server, measured right
//               after each gateway run (issue 17's targets: ≥ 1× at 64 clients, ≥ 0.75× at 16).
//               Only with BSSGATE_TEST_PG_URL (or --pg URL); pgbench from PostgreSQL's packages
//               (skipped, saying why, when it is not installed).
//
// Gateway CPU per payment: this process's user + system CPU time while the run lasts (the gateway
// runs here; the simulator is a child process) divided by the payments acknowledged: a figure a
// loaded machine disturbs less than payments per second.
//
// Statements per payment: every statement the gateway's store sends while a run lasts (pg: each
// query, including BEGIN/SAVEPOINT/COMMIT, one round trip each; better-sqlite3: each run/get/all/
// iterate of a prepared statement), divided by the payments acknowledged in it. Counted by
// wrapping the drivers' prototypes in this process: the bench's own audit runs outside the window.
//
// The clients are the card-system simulator (`bssgate sim card`, src/sim/card.ts) in a child
// process, closed loop (a new payment as soon as the previous one of that connection is
// answered), every payment with a fresh serial, its ledger kept in memory (a ledger file would add
// the simulator's own fsync to every payment). "Zero lost": after each run, every payment the
// simulator counted as acknowledged is in TAB_PAY exactly once with its amount, and nothing else.
//
//   node dist/bench/payments.js [secondsPerRun=5] [--clients 1,16,64] [--pg URL | --no-pg] [--no-sqlite]
//                               [--pgbench-scale 10] [--profile DIR] [--statement-times]
// --profile DIR: a V8 CPU profile of this process (the gateway) for each gateway run, through
// node:inspector, written to DIR/payments-<backend>-<clients>.cpuprofile; summarise it with
// `node dist/bench/profile-summary.js FILE <acknowledged payments>` (µs per payment by stage).
// --statement-times: per statement (name, or the start of its SQL), how many a payment sends and
// µs each (better-sqlite3: the synchronous call; pg: from the call until its answer).
import { fork, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { Session } from 'node:inspector';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import pino from 'pino';
import { startGateway, type Running } from '../src/serve.js';
import type { Config, DatabaseConfig } from '../src/config/types.js';
import { openStore } from '../src/store/open.js';
import { ensureDatabase } from '../src/store/init.js';
import { countStatements, statements, statementTimes as times } from './statements.js';
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
const PGBENCH_SCALE = Number(value('--pgbench-scale') ?? 10);
const PROFILE_DIR = value('--profile');
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

/** --statement-times: µs spent in each statement, by name or SQL (bench/statements.ts). */
const STATEMENT_TIMES = flag('--statement-times');
countStatements(STATEMENT_TIMES);

/** --profile: one inspector session for the process; start() … stop(file) around each gateway run. */
const profiler = (() => {
  if (!PROFILE_DIR) return undefined;
  fs.mkdirSync(PROFILE_DIR, { recursive: true });
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((res, rej) => session.post(method, params ?? {}, (err, r) => (err ? rej(err) : res(r))));
  return {
    async start() {
      await post('Profiler.enable');
      await post('Profiler.setSamplingInterval', { interval: 100 });
      await post('Profiler.start');
    },
    async stop(name: string) {
      const { profile } = (await post('Profiler.stop')) as { profile: unknown };
      const file = join(PROFILE_DIR, `${name}.cpuprofile`);
      fs.writeFileSync(file, JSON.stringify(profile));
      return file;
    },
  };
})();

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

async function gatewayRuns(database: DatabaseConfig, dir: string, tag: string, raw: () => Promise<number>, tpcb?: (clients: number) => Promise<PgbenchResult>) {
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
      statements.n = 0;
      statements.counting = true;
      await profiler?.start();
      const cpu0 = process.cpuUsage();
      const s = await simulate(port, c, numbersFile, prefix);
      const cpu = process.cpuUsage(cpu0);
      statements.counting = false;
      const profileFile = await profiler?.stop(`payments-${tag}-${c}`);
      const sent = statements.n;
      const perStatement = STATEMENT_TIMES && s.acked.P > 0
        ? Object.fromEntries([...times].sort((x, y) => y[1].us - x[1].us).map(([k, v]) => [k, { per_payment: r2(v.n / s.acked.P), us_each: r2(v.us / v.n) }]))
        : undefined;
      times.clear();
      const g1 = groupStats();
      const rawAfter = await raw();
      const tp = tpcb ? await tpcb(c) : undefined;
      const a = await audit(store, s);
      const pps = s.acked.P / SECONDS;
      out[`clients_${c}`] = {
        payments_per_s: Math.round(pps),
        raw_commits_per_s_before_after: [Math.round(rawBefore), Math.round(rawAfter)],
        ratio_vs_better_raw: r2(pps / Math.max(rawBefore, rawAfter)),
        ...(tp === undefined ? {} : 'tps' in tp ? { pgbench_tpcb_tps: Math.round(tp.tps), ratio_vs_pgbench: r2(pps / tp.tps) } : { pgbench_tpcb: tp.skipped }),
        statements_per_payment: s.acked.P > 0 ? r2(sent / s.acked.P) : null,
        gateway_cpu_us_per_payment: s.acked.P > 0 ? Math.round((cpu.user + cpu.system) / s.acked.P) : null,
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
        ...(profileFile ? { profile: profileFile } : {}),
        ...(perStatement ? { statement_times: perStatement } : {}),
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

type PgbenchResult = { tps: number } | { skipped: string };

/** pgbench's database of its own (`pgbench -i -s PGBENCH_SCALE`), then TPC-B runs with any client count. */
async function pgbench(url: string): Promise<{ run: (clients: number) => Promise<PgbenchResult>; drop: () => Promise<void> }> {
  const which = spawnSync('pgbench', ['--version'], { encoding: 'utf8' });
  if (which.status !== 0) {
    const why = 'skipped: pgbench is not installed (Debian: postgresql-client)';
    return { run: async () => ({ skipped: why }), drop: async () => undefined };
  }
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const name = `bsg_bench_tpcb_${process.pid}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const u = new URL(url);
  const env = { ...process.env, PGPASSWORD: decodeURIComponent(u.password) };
  const conn = ['-h', u.hostname, '-p', u.port || '5432', '-U', decodeURIComponent(u.username) || 'postgres'];
  const drop = async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  };
  const init = spawnSync('pgbench', ['-i', '-q', '-s', String(PGBENCH_SCALE), ...conn, name], { encoding: 'utf8', env, timeout: 300_000 });
  if (init.status !== 0) {
    await drop();
    const why = `skipped: pgbench -i failed: ${(init.stderr || String(init.error)).trim().split('\n').pop()}`;
    return { run: async () => ({ skipped: why }), drop: async () => undefined };
  }
  return {
    drop,
    run: async (clients: number) => {
      const r = spawnSync('pgbench', ['-n', '-M', 'prepared', '-c', String(clients), '-j', String(Math.min(clients, os.cpus().length)), '-T', String(Math.max(1, Math.round(SECONDS))), ...conn, name],
        { encoding: 'utf8', env, timeout: (SECONDS + 120) * 1000 });
      const m = /tps = ([\d.]+) \(without initial connection time\)/.exec(r.stdout ?? '');
      return m ? { tps: Number(m[1]) } : { skipped: `pgbench printed no tps (exit ${r.status}): ${(r.stderr ?? '').trim().split('\n').pop()}` };
    },
  };
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
    const tpcb = await pgbench(url);
    try {
      const runs = await gatewayRuns({ type: 'postgres', url: u.toString(), poolMax: 8, passwordStorage: 'scrypt', demoSubscribers: 0, demoSeed: 1 }, dir, 'postgres', () => rawPgCommits(u.toString(), SECONDS * 1000), tpcb.run);
      return {
        baseline: 'raw pg, one connection, BEGIN + INSERT + COMMIT per row',
        second_baseline: `pgbench TPC-B, -M prepared, scale ${PGBENCH_SCALE}, the same client count, right after each gateway run`,
        gateway: runs,
        target_ratio_at_64: 2,
        target_ratio_vs_pgbench: { clients_64: 1, clients_16: 0.75 },
      };
    } finally {
      await tpcb.drop();
    }
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
