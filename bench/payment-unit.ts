// Benchmark: the CPU of one PC-03 payment's unit of work in process, without sockets, logs or the
// simulator: the store's statements, the posting domain and the idempotency ledger row, as
// dispatch runs them (LEDGER_GET before the unit, pay() + LEDGER_INSERT in it), `units` at a time
// so group commit shares the commits. A figure a loaded machine disturbs less than payments/s.
//   node dist/bench/payment-unit.js [payments=3000] [--concurrency 32] [--pg URL] [--max-concurrent N] [--statement-times]
// --max-concurrent: group commit's concurrent batches (default: 1 on SQLite, pool − 1 = 7 on PostgreSQL).
import fs from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { openStore } from '../src/store/open.js';
import { ensureDatabase } from '../src/store/init.js';
import { pay } from '../src/domain/posting.js';
import { LEDGER_GET, LEDGER_INSERT } from '../src/store/queries/idempotency.js';
import { countStatements, statements, statementTimes as times } from './statements.js';
import type { DatabaseConfig } from '../src/config/types.js';
import type { BatchingStore } from '../src/store/open.js';

const args = process.argv.slice(2);
const value = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const N = Number(args.find((a) => /^\d+$/.test(a)) ?? 3000);
const CONC = Number(value('--concurrency') ?? 32);
const PG = value('--pg');
const MAX_CONCURRENT = value('--max-concurrent');
const log = pino({ level: 'silent' });
countStatements(args.includes('--statement-times'));

const clock = { now: () => Date.now(), date: () => new Date() };
const card = { minAmount: 1n, maxAmount: 10_000_000n } as never;

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(join(os.tmpdir(), 'bsg-bench-unit-'));
  let cfg: DatabaseConfig = { type: 'sqlite', path: join(dir, 'u.db'), poolMax: 1, passwordStorage: 'scrypt', demoSubscribers: 0, demoSeed: 1 } as DatabaseConfig;
  let dbName: string | undefined;
  if (PG) {
    const { default: pg } = await import('pg');
    dbName = `bsg_unit_${process.pid}`;
    const c = new pg.Client({ connectionString: PG });
    await c.connect();
    await c.query(`CREATE DATABASE ${dbName}`);
    await c.end();
    const u = new URL(PG);
    u.pathname = `/${dbName}`;
    cfg = { type: 'postgres', url: u.toString(), poolMax: 8, passwordStorage: 'scrypt', demoSubscribers: 0, demoSeed: 1 } as DatabaseConfig;
  }
  const store = (await openStore(cfg, log, MAX_CONCURRENT ? { maxConcurrent: Number(MAX_CONCURRENT) } : {})) as BatchingStore;
  try {
    await ensureDatabase(store, { demoSubscribers: 2000, demoSeed: 1, now: new Date(), log, passwordStorage: 'scrypt', scrypt: { N: 1024, r: 8, p: 1 } });
    const numbers = (await store.all<{ svcnum: string }>({ name: 'bench.numbers', sql: 'SELECT SVCNUM AS svcnum FROM TAB_SUBSCRB WHERE STATUS IN (1, 3)' })).map((r) => String(r.svcnum));
    const prefix = `U${Date.now().toString(36).toUpperCase().slice(-6)}`;
    let next = 0;
    const one = async (i: number) => {
      const serial = `${prefix}${i}`;
      const key = { client: 'bench', biz: 303, serial };
      await store.one(LEDGER_GET, key);
      await store.unitOfWork(async (tx) => {
        const p = await pay({ tx, clock, card, operator: 'bench', dialect: store.dialect }, { svcnum: numbers[i % numbers.length], amount: 100n + BigInt(i % 5000), source: 'bench', serial });
        await tx.run(LEDGER_INSERT, { ...key, hash: 'h'.repeat(64), result: 0, reply: Buffer.alloc(60), iface: 'card', created: clock.date(), attempt: 'a'.repeat(16) });
        return p;
      });
    };
    const run = async (n: number) => {
      const worker = async () => {
        for (;;) {
          const i = next++;
          if (i >= n) return;
          await one(i);
        }
      };
      await Promise.all(Array.from({ length: CONC }, worker));
    };
    await run(Math.min(500, N)); // warm-up: prepared statements, JIT
    next = 1_000_000;
    statements.n = 0;
    statements.counting = true;
    times.clear();
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    await run(1_000_000 + N);
    const wall = Number(process.hrtime.bigint() - t0) / 1e3;
    const cpu = process.cpuUsage(cpu0);
    statements.counting = false;
    const g = (store as unknown as { groupStats?: { batches: number; units: number } }).groupStats;
    const out = {
      backend: store.dialect,
      payments: N,
      concurrency: CONC,
      ...(MAX_CONCURRENT ? { max_concurrent_batches: Number(MAX_CONCURRENT) } : {}),
      load_average: os.loadavg().map((x) => Math.round(x * 100) / 100),
      cpu_us_per_payment: Math.round((cpu.user + cpu.system) / N),
      user_us_per_payment: Math.round(cpu.user / N),
      wall_us_per_payment: Math.round(wall / N),
      statements_per_payment: Math.round((statements.n / N) * 100) / 100,
      ...(g ? { units_per_commit_overall: Math.round((g.units / Math.max(1, g.batches)) * 10) / 10 } : {}),
      ...(times.size
        ? { statement_times: Object.fromEntries([...times].sort((x, y) => y[1].us - x[1].us).map(([k, v]) => [k, { per_payment: Math.round((v.n / N) * 100) / 100, us_each: Math.round((v.us / v.n) * 100) / 100 }])) }
        : {}),
    };
    process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
    if (PG && dbName) {
      const { default: pg } = await import('pg');
      const c = new pg.Client({ connectionString: PG });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await c.end();
    }
  }
}

await main();
