// Lines per second of the request path's logging (one query line + one ans line per request,
// as src/dispatch.ts writes them) through src/log, against pino writing the same objects to
// /dev/null with sonic-boom (the baseline, measured in the same run). Prints JSON.
// Bounded: 3 alternating rounds of ROUND_MS per contender, ≈ 15 s in all.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import sonicBoom from 'sonic-boom';
import { createLogs } from '../src/log/index.js';

const ROUND_MS = 2000;
const ROUNDS = 3;
const BATCH = 1000;

const request = (i: number) => ({
  conn: 17, peer: '127.0.0.1:53122', seq: i, biz: 14, serial: 'CC2024112200001234', operator: 'op1001',
  body: { svcNum: '13997001234', cycle: '202411', svcPwd: '[secret]' },
});
const answer = (i: number) => ({ conn: 17, seq: i, biz: 14, code: 0, ms: 0.42 });

type Pair = { query: pino.Logger; ans: pino.Logger };

/** Requests logged (2 lines each) during ms, yielding to the event loop between batches so writes proceed. */
async function run(p: Pair, ms: number): Promise<number> {
  const end = performance.now() + ms;
  let n = 0;
  while (performance.now() < end) {
    for (let k = 0; k < BATCH; k++, n++) {
      p.query.info(request(n), 'request');
      p.ans.info(answer(n), 'answer');
    }
    await new Promise<void>((r) => setImmediate(r));
  }
  return n * 2;
}

async function main(): Promise<void> {
  const devnull = new sonicBoom.default({ dest: '/dev/null', minLength: 4096, sync: false });
  const base = pino(devnull);
  const baseline: Pair = { query: base.child({ iface: 'cs' }), ans: base.child({ iface: 'cs' }) };

  const dir = mkdtempSync(join(tmpdir(), 'bssgate-bench-log-'));
  const logs = createLogs({ dir, level: 'info', retentionDays: 30, requests: true }, { stderr: false });
  const ours: Pair = logs.forInterface('cs');

  await run(baseline, 200); // warm-up
  await run(ours, 200);
  const totals = { baseline: { lines: 0, ms: 0 }, ours: { lines: 0, ms: 0 } };
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, p] of [['baseline', baseline], ['ours', ours]] as const) {
      const t0 = performance.now();
      const lines = await run(p, ROUND_MS);
      await (name === 'ours' ? logs.flush() : new Promise<void>((res) => devnull.flush(() => res())));
      totals[name].lines += lines;
      totals[name].ms += performance.now() - t0;
    }
  }
  await logs.close();
  rmSync(dir, { recursive: true, force: true });
  const rate = (x: { lines: number; ms: number }) => Math.round((x.lines / x.ms) * 1000);
  const baselineRate = rate(totals.baseline);
  const oursRate = rate(totals.ours);
  process.stdout.write(
    `${JSON.stringify({
      bench: 'log',
      what: 'query+ans lines/s: src/log to daily files (redact, local time, rotation check) vs pino defaults to /dev/null',
      baseline_lines_per_s: baselineRate,
      ours_lines_per_s: oursRate,
      ratio: Math.round((oursRate / baselineRate) * 100) / 100,
      rounds: ROUNDS,
      round_ms: ROUND_MS,
    })}\n`,
  );
}

await main();
