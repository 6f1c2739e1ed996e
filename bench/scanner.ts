// The online-command scanner (OC-01…OC-03) through the socket interface (OC-02) to the switch
// simulator, at the default [scanner] settings (poll 200 ms, batch 200, 256 in flight). Prints one
// JSON object per back end (SQLite always; PostgreSQL when BSSGATE_TEST_PG_URL is set):
//   throughput: BACKLOG status-5 records written at once (as the front office would), time until
//               the switch has acknowledged the last one → commands/s              target ≥ 2,000/s
//   latency:    records committed at RATE/s in small transactions (one every 10 ms, one INSERT) while the scanner runs; for each,
//               commit → the switch's acknowledgement (simulator answers at once) → p50/p99   target p99 ≤ 1 s
// Everything runs in this one process on 127.0.0.1 (producer, scanner, simulator share the CPU).
//
// Issue 17: each back end runs twice in the same process, "before" (claims and results command by
// command, no LISTEN: ScannerOptions setBased/listen off) and "after" (set-based, LISTEN on
// PostgreSQL; the latency producer's transactions send cmd.notify as the gateway's own units do),
// BENCH_ROUNDS times alternately, on a fresh database each. Statements per command: every
// statement the drivers send while the throughput backlog drains (bench/statements.ts), divided
// by the commands acknowledged. CPU per command: this process's user + system CPU time over the same
// window (scanner, simulator and the pg client together; PostgreSQL's own CPU is not in it), a
// figure a loaded machine disturbs less than commands per second.
//   BENCH_BACKLOG (20000) BENCH_RATE (2000) BENCH_SECONDS (5) BENCH_ROUNDS (1) BENCH_MODES (before,after)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import type { ScannerConfig, SwitchConfig } from '../src/config/types.js';
import { startScanner } from '../src/scanner/switches.js';
import { startSwitchSim } from '../src/sim/switch.js';
import { ensureDatabase } from '../src/store/init.js';
import { openStore, type BatchingStore } from '../src/store/open.js';
import { CMD_CHANNEL, CMD_NOTIFY } from '../src/store/queries/commands.js';
import { countStatements, statements } from './statements.js';
import { columnsOf } from '../src/store/schema.js';
import type { QueryDef } from '../src/store/types.js';

const BACKLOG = Number(process.env.BENCH_BACKLOG ?? 20_000);
const RATE = Number(process.env.BENCH_RATE ?? 2_000);
const LATENCY_S = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const MODES = (process.env.BENCH_MODES ?? 'before,after').split(',') as Mode[];
type Mode = 'before' | 'after';
countStatements();
const log = pino({ level: 'silent' });

/** The loader's defaults (src/config/load.ts): what "default poll settings" means. */
const DEFAULTS: ScannerConfig = {
  enabled: true,
  pollMs: 200,
  batch: 200,
  maxInFlight: 256,
  leaseMs: 60_000,
  maxAttempts: 5,
  retryBackoffMs: 5_000,
  retryBackoffMaxMs: 300_000,
  unreachableWaitMs: 30_000,
};

const COLUMNS = columnsOf('USR_BUSI_RECORD');

function row(busisn: number, now: Date): unknown[] {
  const svcnum = `139${String(busisn).padStart(8, '0')}`;
  const v: Record<string, unknown> = {
    BUSISN: busisn, SUBSCRBID: busisn, SVCNUM: svcnum, BUSITYPE: 11, STATUS: 5, REGION: '0979', NETTYPE: 'G',
    IMSI: `46000${String(busisn).padStart(10, '0')}`, PARAM: null, OPERATOR: 'BENCH', CREATED: now, EXECUTED: null, RESULT: null,
  };
  return COLUMNS.map((c) => v[c] ?? null);
}

/** The producer's INSERT of n records (one statement: a loaded machine could not offer 2,000/s with one per record). */
function insertOf(n: number): QueryDef {
  const rows = Array.from({ length: n }, (_, i) => `(${COLUMNS.map((c) => `:${c.toLowerCase()}_${i}`).join(', ')})`);
  return { name: `bench.scanner.insert-${n}`, sql: `INSERT INTO USR_BUSI_RECORD (${COLUMNS.join(', ')}) VALUES ${rows.join(', ')}` };
}

function pct(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
}

async function run(backend: string, store: BatchingStore, mode: Mode): Promise<Record<string, unknown>> {
  const after = mode === 'after';
  await ensureDatabase(store, { demoSubscribers: 0, demoSeed: 1, now: new Date(), log });
  const sim = await startSwitchSim({ kind: 'socket', name: 'bench', host: '127.0.0.1', port: 0, user: 'bss', password: 'bench-pw', maxRecords: 10 });
  const acked = new Map<number, number>();
  sim.on('record', (r: { busisn: bigint }) => acked.set(Number(r.busisn), performance.now()));
  const sw: SwitchConfig = {
    name: 'bench', kind: 'socket', simulator: false, regions: ['*'], netTypes: ['G'], switchType: 'HW_HLR',
    host: '127.0.0.1', port: sim.port, user: 'bss', password: 'bench-pw',
    resultTimeoutMs: 30_000, resultPollMs: 100, keepaliveMs: 30_000, ackTimeoutMs: 10_000, reconnectMinMs: 1_000, reconnectMaxMs: 60_000,
  };

  // Throughput: a backlog, then the scanner drains it.
  const now = new Date();
  for (let i = 0; i < BACKLOG; i += 1000) {
    await store.bulkInsert('USR_BUSI_RECORD', COLUMNS, Array.from({ length: Math.min(1000, BACKLOG - i) }, (_, k) => row(1 + i + k, now)) as never);
  }
  // As autovacuum would after a load: without statistics PostgreSQL sorts every status-5 row per claim.
  if (store.dialect !== 'sqlite') await store.run({ name: 'bench.scanner.analyze', sql: 'ANALYZE' });
  statements.n = 0;
  statements.counting = true;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const rt = await startScanner({ store, scanner: DEFAULTS, switches: [sw], log, err: log, tuning: { setBased: after, listen: after } });
  const deadline = t0 + 120_000;
  while (acked.size < BACKLOG && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  const drainMs = (acked.size ? Math.max(...acked.values()) : performance.now()) - t0;
  const drained = acked.size;
  const throughput = drained / (drainMs / 1000);
  while (rt.scanner.stats().executed < BACKLOG && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  statements.counting = false;
  const cpu = process.cpuUsage(cpu0);
  const perCommand = statements.n / Math.max(1, rt.scanner.stats().executed);
  const cpuPerCommand = (cpu.user + cpu.system) / Math.max(1, rt.scanner.stats().executed);

  // Latency: paced commits while the scanner runs.
  const committed = new Map<number, number>();
  const base = 10_000_000;
  let next = base;
  const perTick = Math.max(1, Math.round(RATE / 100));
  const insert = insertOf(perTick);
  const end = performance.now() + LATENCY_S * 1000;
  let tick = performance.now();
  while (performance.now() < end) {
    const ids = Array.from({ length: perTick }, () => next++);
    await store.transaction(async (tx) => {
      const at = new Date();
      const binds: Record<string, never> = {};
      ids.forEach((id, k) => row(id, at).forEach((v, i) => (binds[`${COLUMNS[i].toLowerCase()}_${k}`] = v as never)));
      await tx.run(insert, binds);
      // As the gateway's own units do (handlers/kit/business-record.ts): delivered with the COMMIT.
      if (after && store.dialect === 'postgres') await CMD_NOTIFY.run(tx, { channel: CMD_CHANNEL });
    });
    const t = performance.now();
    for (const id of ids) committed.set(id, t);
    tick += 10;
    const wait = tick - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  const offered = (next - base) / LATENCY_S;
  const settle = performance.now() + 10_000;
  while ([...committed.keys()].some((id) => !acked.has(id)) && performance.now() < settle) await new Promise((r) => setTimeout(r, 10));
  const lat = [...committed].map(([id, t]) => (acked.get(id) ?? Infinity) - t).sort((a, b) => a - b);
  await rt.stop(5_000);
  await sim.close();
  return {
    backend,
    mode: after ? 'after: set-based claims and results, LISTEN/NOTIFY (PostgreSQL)' : 'before: command by command, poll only',
    settings: 'defaults: poll_interval 200ms, batch 200, max_in_flight 256',
    throughput: { backlog: BACKLOG, acknowledged: drained, ms: Math.round(drainMs), commandsPerSecond: Math.round(throughput), statementsPerCommand: +perCommand.toFixed(2), cpuUsPerCommand: Math.round(cpuPerCommand), target: 2000, ratio: +(throughput / 2000).toFixed(2) },
    latency: {
      offeredPerSecond: Math.round(offered),
      commands: lat.length,
      lost: lat.filter((x) => x === Infinity).length,
      p50ms: Math.round(pct(lat, 50)),
      p99ms: Math.round(pct(lat, 99)),
      maxms: Math.round(lat[lat.length - 1]),
      targetP99ms: 1000,
      ratio: +(pct(lat, 99) / 1000).toFixed(2),
    },
  };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bsg-bench-scan-'));
  try {
    const pgBase = process.env.BSSGATE_TEST_PG_URL;
    for (let round = 1; round <= ROUNDS; round++) {
      for (const mode of MODES) {
        if (process.env.BENCH_NO_SQLITE !== '1') {
          const file = path.join(dir, `b-${round}-${mode}.db`);
          const lite = await openStore({ type: 'sqlite', path: file, poolMax: 1, passwordStorage: 'plain', demoSubscribers: 0, demoSeed: 1 }, log);
          try {
            process.stdout.write(`${JSON.stringify({ round, ...(await run('sqlite', lite, mode)), load: os.loadavg().map((x) => +x.toFixed(2)) })}\n`);
          } finally {
            await lite.close();
          }
        }
        if (pgBase) {
          const name = `bsg_bench_scan_${process.pid}_${round}_${mode}`;
          const admin = new pg.Client({ connectionString: pgBase });
          await admin.connect();
          await admin.query(`CREATE DATABASE ${name}`);
          const u = new URL(pgBase);
          u.pathname = `/${name}`;
          const store = await openStore({ type: 'postgres', url: u.toString(), poolMax: 8, passwordStorage: 'plain', demoSubscribers: 0, demoSeed: 1 }, log);
          try {
            process.stdout.write(`${JSON.stringify({ round, ...(await run('postgres', store, mode)), load: os.loadavg().map((x) => +x.toFixed(2)) })}\n`);
          } finally {
            await store.close();
            await admin.query(`DROP DATABASE IF EXISTS ${name}`);
            await admin.end();
          }
        }
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
