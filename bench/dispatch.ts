// Per-stage cost of one CS-01 request inside the gateway, without sockets: frame decoder, header,
// response encoding, the store's ping, and the whole dispatcher with and without the request logs.
// Prints JSON (µs per request). Explains bench/cs01.ts: what the gateway adds to a bare echo.
// The two request log lines are also timed alone, written by pino's generic path (as the
// dispatcher once did) and by the templates of src/log/request-lines.ts (that change's before and
// after, same run).
// The stages alternate round after round (the machine is shared): medians, with the range.
//   node dist/bench/dispatch.js [rounds=5] [requestsPerRound=100000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { encodeRequest, encodeResponse } from '../protocol/message.js';
import { FrameDecoder } from '../protocol/frame.js';
import { decodeHeader } from '../protocol/header.js';
import { LAYOUTS_BY_CODE } from '../handlers/index.js';
const CONNECTION_CHECK = LAYOUTS_BY_CODE.get(101)!;
import { Dispatcher } from '../src/dispatch.js';
import { HANDLERS } from '../handlers/index.js';
import { openStore } from '../src/store/open.js';
import { createLogs, type Logs } from '../src/log/index.js';
import { RequestLines } from '../src/log/request-lines.js';
import { systemClock } from '../src/clock.js';
import type { InterfaceConfig } from '../src/config/types.js';

const args = process.argv.slice(2).map(Number);
const ROUNDS = args[0] > 0 ? args[0] : 5;
const N = args[1] > 0 ? args[1] : 100_000;

async function perRequest(fn: () => unknown): Promise<number> {
  // Yield to the event loop every 32 requests, as a server does between reads, so the log
  // writer's I/O completes as it would under load.
  const run = async (n: number) => {
    for (let i = 0; i < n; i++) {
      await fn();
      if (i % 32 === 0) await new Promise((r) => setImmediate(r));
    }
  };
  await run(Math.min(20_000, N));
  const t0 = performance.now();
  await run(N);
  return Math.round(((performance.now() - t0) * 1000 * 100) / N) / 100;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-bench-dispatch-'));
  const iface: InterfaceConfig = {
    name: 'cs', kind: 'cs', host: '127.0.0.1', port: 0, maxFrame: 65536, maxConnections: 256, idleTimeoutMs: 60_000,
    frameTimeoutMs: 10_000, drainTimeoutMs: 30_000, requestTimeoutMs: 15_000, maxPipeline: 64, allow: [],
  };
  const store = await openStore(
    { type: 'sqlite', path: join(dir, 'b.db'), poolMax: 1, passwordStorage: 'scrypt', demoSubscribers: 0, demoSeed: 1 },
    pino({ level: 'silent' }),
  );
  const allLogs: Logs[] = [];
  const dispatcher = (requests: boolean) => {
    const logs = createLogs({ dir: join(dir, `logs-${requests}`), level: 'info', retentionDays: 30, requests }, { stderr: false });
    allLogs.push(logs);
    return new Dispatcher({ iface, handlers: HANDLERS, store, clock: systemClock, logs: logs.forInterface('cs') });
  };
  const withLogs = dispatcher(true);
  const noLogs = dispatcher(false);
  const frame = encodeRequest({ biz: 101, seq: 1, serial: 'BENCH', time: '20261122120000', operator: 'bench' }, [], {});
  const header = decodeHeader(frame);
  const decoder = new FrameDecoder({ maxFrame: 65536 });
  const origin = { conn: 1, peer: '127.0.0.1:5555' };
  const body = { database: 1, dialect: 'sqlite', serverTime: '20261122120000' };
  // The request lines alone, same loggers, same fields: pino's generic path (what src/dispatch.ts
  // once did) and the templates.
  const lineLogs = createLogs({ dir: join(dir, 'logs-lines'), level: 'info', retentionDays: 30, requests: true }, { stderr: false });
  allLogs.push(lineLogs);
  const cs = lineLogs.forInterface('cs');
  const templates = new RequestLines(cs);
  const reqBody = {};
  const stages: Record<string, () => unknown> = {
    frameDecoder: () => decoder.push(frame),
    decodeHeader: () => decodeHeader(frame),
    encodeResponse: () => encodeResponse(header, 0, '成功', CONNECTION_CHECK.response, body, '20261122120000'),
    storePing: () => store.ping(),
    requestLinesPino: () => {
      cs.query.info({ conn: origin.conn, peer: origin.peer, seq: header.seq, biz: header.biz, serial: header.serial, operator: header.operator, sent: header.time, body: reqBody });
      cs.ans.info({ conn: origin.conn, seq: header.seq, biz: header.biz, result: 0, ms: 0.123 });
    },
    requestLinesTemplate: () => {
      templates.query(origin.conn, origin.peer, header.seq, header.biz, header.serial, header.operator, header.time, reqBody);
      templates.answer(origin.conn, header.seq, header.biz, 0, 0.123, false);
    },
    dispatchNoRequestLogs: () => noLogs.dispatch(header, frame, origin),
    dispatchWithRequestLogs: () => withLogs.dispatch(header, frame, origin),
  };
  const samples: Record<string, number[]> = {};
  const baseline: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    baseline.push(await perRequest(() => undefined));
    for (const [name, fn] of Object.entries(stages)) (samples[name] ??= []).push(await perRequest(fn));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const r2 = (x: number) => Math.round(x * 100) / 100;
  const perStage: Record<string, { median: number; min: number; max: number }> = {};
  for (const [name, xs] of Object.entries(samples)) perStage[name] = { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
  const perRound = (a: string, b: string) => samples[a].map((x, i) => r2(x / samples[b][i]));
  const out = {
    bench: 'dispatch',
    unit: 'µs per CS-01 request (the loop and its event-loop yields subtracted: baselineYield)',
    rounds: ROUNDS,
    requestsPerRound: N,
    baselineYield: median(baseline),
    perStage: Object.fromEntries(Object.entries(perStage).map(([k, v]) => [k, { median: r2(v.median - median(baseline)), min: r2(v.min - median(baseline)), max: r2(v.max - median(baseline)) }])),
    requestLinesTemplateToPino: { median: r2(median(perRound('requestLinesTemplate', 'requestLinesPino'))), perRound: perRound('requestLinesTemplate', 'requestLinesPino') },
    requestLogCost: { median: r2(median(samples.dispatchWithRequestLogs.map((x, i) => x - samples.dispatchNoRequestLogs[i]))) },
  };
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  for (const l of allLogs) await l.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

main().catch((err) => {
  process.stderr.write(String(err?.stack ?? err) + '\n');
  process.exit(1);
});
