// Issue #2 benchmark: CS-01 round trips through the gateway (logging on, SQLite store) against a
// raw Node length-prefixed echo server, same load client, same run. Prints JSON.
// Targets: one-at-a-time at 16 connections ≥ 0.8× the echo's requests/s with p99 ≤ 1.5× the echo's.
//   node dist/bench/cs01.js [secondsPerRound=3] [rounds=3] [--sensitivity]
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeRequest } from '../protocol/message.js';
import { echoServer, load, type LoadResult } from './load.js';
import { startGateway } from '../src/serve.js';
import type { Config } from '../src/config/types.js';

const numbers = process.argv.slice(2).filter((a) => /^\d+(\.\d+)?$/.test(a)).map(Number);
const seconds = numbers[0] ?? 3;

function loadFrame(port: number, connections: number, depth: number, frame: Buffer): Promise<LoadResult> {
  return load({ port, connections, depth, seconds, frameHex: frame.toString('hex') });
}

const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

async function main() {
  const frame = encodeRequest({ biz: 101, seq: 1, serial: 'BENCH', time: '20261122120000', operator: 'bench' }, [], {});
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-bench-'));
  const config: Config = {
    files: [],
    interfaces: [
      {
        name: 'cs', kind: 'cs', host: '127.0.0.1', port: 0, maxFrame: 65536, maxConnections: 256, idleTimeoutMs: 60_000,
        frameTimeoutMs: 10_000, drainTimeoutMs: 30_000, requestTimeoutMs: 15_000, maxPipeline: 64, allow: [],
      },
    ],
    database: { type: 'sqlite', path: join(dir, 'bench.db'), poolMax: 1, passwordStorage: 'scrypt', demoSubscribers: 0, demoSeed: 1 },
    log: { dir: join(dir, 'logs'), level: 'info', retentionDays: 30, requests: true },
    shutdownGraceMs: 5_000,
  };
  const scenarios = [
    { name: 'one-at-a-time', connections: 16, depth: 1 },
    { name: 'pipelined-32', connections: 16, depth: 32 },
  ];
  const rounds = numbers[1] ?? 3;
  const out: Record<string, unknown> = { bench: 'cs01-vs-echo', secondsPerRound: seconds, rounds, node: process.version };
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  // Echo and gateway alternate, round after round, so drift in the machine's speed (shared
  // cores) hits both; the figures are medians over the rounds.
  const running = await startGateway(config);
  for (const sc of scenarios) {
    const e: LoadResult[] = [];
    const g: LoadResult[] = [];
    for (let r = 0; r < rounds; r++) {
      const echo = await echoServer();
      e.push(await loadFrame((echo.address() as net.AddressInfo).port, sc.connections, sc.depth, frame));
      await new Promise((res) => echo.close(res));
      g.push(await loadFrame(running.bound[0].port, sc.connections, sc.depth, frame));
    }
    const eRps = median(e.map((x) => x.rps));
    const gRps = median(g.map((x) => x.rps));
    const eP99 = median(e.map((x) => x.p99));
    const gP99 = median(g.map((x) => x.p99));
    out[sc.name] = {
      connections: sc.connections,
      depth: sc.depth,
      echo: { rps: Math.round(eRps), p50ms: round(median(e.map((x) => x.p50))), p99ms: round(eP99) },
      gateway: { rps: Math.round(gRps), p50ms: round(median(g.map((x) => x.p50))), p99ms: round(gP99) },
      rpsRatio: round(gRps / eRps),
      p99Ratio: round(gP99 / eP99),
      perRoundRpsRatio: e.map((x, i) => round(g[i].rps / x.rps)),
      target: sc.depth === 1 ? 'rpsRatio >= 0.8 and p99Ratio <= 1.5' : 'reported',
      meetsTarget: sc.depth === 1 ? gRps / eRps >= 0.8 && gP99 / eP99 <= 1.5 : undefined,
    };
  }
  await running.stop();
  if (process.argv.includes('--sensitivity')) {
    // Echo with 1–4 µs of busy work per request, same load: the ratio each microsecond costs.
    const base = await echoServer();
    const b = await loadFrame((base.address() as net.AddressInfo).port, 16, 1, frame);
    await new Promise((res) => base.close(res));
    const series: Record<string, number> = {};
    for (const us of [1, 2, 3, 4]) {
      const spin = await echoServer(us * 1000);
      const r = await loadFrame((spin.address() as net.AddressInfo).port, 16, 1, frame);
      await new Promise((res) => spin.close(res));
      series[`echoPlus${us}us`] = round(r.rps / b.rps);
    }
    out.sensitivityOneAtATime = { echoRps: Math.round(b.rps), rpsRatio: series };
  }
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
}

main().catch((err) => {
  process.stderr.write(String(err?.stack ?? err) + '\n');
  process.exit(1);
});
