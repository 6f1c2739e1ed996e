// Issue 18: what the per-number trace costs a request. The same dispatcher set-up, same run,
// rounds alternating: no trace active (the request path's one check, `traces.count !== 0`), a
// trace of ANOTHER number active (the request's number looked up), and the request's own number
// traced (its request and answer decoded and written to the trace file). CS-14 balance of an
// unknown number (one SQLite read, answered 2001) and CS-01 (no number in its body).
// Prints JSON: µs per request, and ratios against "no trace" (the baseline) per round.
//   node dist/bench/trace.js [rounds=5] [requestsPerRound=30000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { encodeRequest } from '../protocol/message.js';
import { decodeHeader } from '../protocol/header.js';
import { Dispatcher } from '../src/dispatch.js';
import { HANDLERS } from '../handlers/index.js';
import { openStore } from '../src/store/open.js';
import { ensureDatabase } from '../src/store/init.js';
import { createLogs, type Logs } from '../src/log/index.js';
import { systemClock } from '../src/clock.js';
import { Traces } from '../src/trace.js';
import type { InterfaceConfig } from '../src/config/types.js';

const args = process.argv.slice(2).map(Number);
const ROUNDS = args[0] > 0 ? args[0] : 5;
const N = args[1] > 0 ? args[1] : 30_000;

async function perRequest(fn: () => Promise<unknown>): Promise<number> {
  const run = async (n: number) => {
    for (let i = 0; i < n; i++) {
      await fn();
      if (i % 32 === 0) await new Promise((r) => setImmediate(r));
    }
  };
  await run(Math.min(5_000, N));
  const t0 = performance.now();
  await run(N);
  return Math.round(((performance.now() - t0) * 1000 * 100) / N) / 100;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-bench-trace-'));
  const iface: InterfaceConfig = {
    name: 'cs', kind: 'cs', host: '127.0.0.1', port: 0, maxFrame: 65536, maxConnections: 256, idleTimeoutMs: 60_000,
    frameTimeoutMs: 10_000, drainTimeoutMs: 30_000, requestTimeoutMs: 15_000, maxPipeline: 64, allow: [],
  };
  const silent = pino({ level: 'silent' });
  const store = await openStore({ type: 'sqlite', path: join(dir, 'b.db'), poolMax: 1, passwordStorage: 'scrypt', demoSubscribers: 0, demoSeed: 1 }, silent);
  await ensureDatabase(store, { demoSubscribers: 0, demoSeed: 1, now: new Date(), log: silent });
  const number = '13900000001';
  const allLogs: Logs[] = [];
  const allTraces: Traces[] = [];
  const dispatcher = (name: string, traced?: string) => {
    const logs = createLogs({ dir: join(dir, `logs-${name}`), level: 'info', retentionDays: 30, requests: true }, { stderr: false });
    allLogs.push(logs);
    let traces: Traces | undefined;
    if (traced) {
      traces = new Traces({ logDir: join(dir, `logs-${name}`), owner: true, log: silent, process: 'main' });
      traces.start(traced, 3600_000);
      allTraces.push(traces);
    }
    return new Dispatcher({ iface, handlers: HANDLERS, store, clock: systemClock, logs: logs.forInterface('cs'), traces });
  };
  const none = dispatcher('none');
  const other = dispatcher('other', '13900000999');
  const own = dispatcher('own', number);
  const origin = { conn: 1, peer: '127.0.0.1:5555' };
  const f114 = encodeRequest({ biz: 114, seq: 1, serial: 'BENCH', time: '20261122120000', operator: 'bench' }, HANDLERS.find((h) => h.biz === 114)!.request, { svcnum: number });
  const h114 = decodeHeader(f114);
  const f101 = encodeRequest({ biz: 101, seq: 1, serial: 'BENCH', time: '20261122120000', operator: 'bench' }, [], {});
  const h101 = decodeHeader(f101);
  const stages: Record<string, () => Promise<unknown>> = {
    cs14NoTrace: () => none.dispatch(h114, f114, origin),
    cs14OtherNumberTraced: () => other.dispatch(h114, f114, origin),
    cs14ThisNumberTraced: () => own.dispatch(h114, f114, origin),
    cs01NoTrace: () => none.dispatch(h101, f101, origin),
    cs01OtherNumberTraced: () => other.dispatch(h101, f101, origin),
  };
  const samples: Record<string, number[]> = {};
  for (let r = 0; r < ROUNDS; r++) for (const [name, fn] of Object.entries(stages)) (samples[name] ??= []).push(await perRequest(fn));
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const r2 = (x: number) => Math.round(x * 100) / 100;
  const ratio = (a: string, b: string) => {
    const per = samples[a].map((x, i) => r2(x / samples[b][i]));
    return { median: median(per), perRound: per };
  };
  const out = {
    bench: 'trace',
    unit: 'µs per request through the dispatcher (request logs on), the loop included',
    rounds: ROUNDS,
    requestsPerRound: N,
    perStage: Object.fromEntries(Object.entries(samples).map(([k, xs]) => [k, { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) }])),
    ratios: {
      cs14OtherNumberTracedToNoTrace: ratio('cs14OtherNumberTraced', 'cs14NoTrace'),
      cs14ThisNumberTracedToNoTrace: ratio('cs14ThisNumberTraced', 'cs14NoTrace'),
      cs01OtherNumberTracedToNoTrace: ratio('cs01OtherNumberTraced', 'cs01NoTrace'),
    },
  };
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  for (const t of allTraces) await t.close();
  for (const l of allLogs) await l.close();
  for (const d of [none, other, own]) d.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

main().catch((err) => {
  process.stderr.write(String(err?.stack ?? err) + '\n');
  process.exit(1);
});
