// CS-01 round trips through the gateway (logging on, SQLite store) against two baselines of the
// same run, same load client: a raw Node length-prefixed echo server and the minimal CS-01
// server of bench/minimal-server.ts (frame split, header read, SELECT 1, two templated log lines,
// a hand-encoded reply: about the least any CS-01 server can do). Echo, minimal and gateway alternate round after
// round; medians over the rounds. Prints JSON.
// Targets: one at a time at 16 connections ≥ 0.9× the minimal server's requests/s with
// p99 ≤ 1.5× its p99; pipelined depth 32 ≥ 0.9× the minimal server pipelined. The echo ratio is
// printed beside them (the first target, before the minimal server existed, was ≥ 0.8× the echo).
//   node dist/bench/cs01.js [secondsPerRound=3] [rounds=3] [--sensitivity]
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeRequest } from '../protocol/message.js';
import { echoServer, load, type LoadResult } from './load.js';
import { startMinimalCs01Server } from './minimal-server.js';
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
  // Echo, minimal and gateway alternate, round after round, so drift in the machine's speed
  // (shared cores) hits all three; the figures are medians over the rounds.
  const running = await startGateway(config);
  const gPort = running.bound[0].port;
  const minimal = await startMinimalCs01Server(join(dir, 'bench.db'), join(dir, 'minimal-logs'));
  out.replyCheck = await compareReplies(gPort, minimal.port, frame);
  for (const sc of scenarios) {
    const e: LoadResult[] = [];
    const m: LoadResult[] = [];
    const g: LoadResult[] = [];
    for (let r = 0; r < rounds; r++) {
      const echo = await echoServer();
      e.push(await loadFrame((echo.address() as net.AddressInfo).port, sc.connections, sc.depth, frame));
      await new Promise((res) => echo.close(res));
      m.push(await loadFrame(minimal.port, sc.connections, sc.depth, frame));
      g.push(await loadFrame(gPort, sc.connections, sc.depth, frame));
    }
    const stats = (xs: LoadResult[]) => ({
      rps: Math.round(median(xs.map((x) => x.rps))),
      p50ms: round(median(xs.map((x) => x.p50))),
      p99ms: round(median(xs.map((x) => x.p99))),
    });
    const es = stats(e);
    const ms = stats(m);
    const gs = stats(g);
    const toMinimal = gs.rps / ms.rps;
    const p99ToMinimal = gs.p99ms / ms.p99ms;
    out[sc.name] = {
      connections: sc.connections,
      depth: sc.depth,
      echo: es,
      minimal: ms,
      gateway: gs,
      rpsRatioToMinimal: round(toMinimal),
      p99RatioToMinimal: round(p99ToMinimal),
      rpsRatioToEcho: round(gs.rps / es.rps),
      p99RatioToEcho: round(gs.p99ms / es.p99ms),
      minimalToEcho: round(ms.rps / es.rps),
      perRoundRpsRatioToMinimal: g.map((x, i) => round(x.rps / m[i].rps)),
      perRoundRpsRatioToEcho: g.map((x, i) => round(x.rps / e[i].rps)),
      target: sc.depth === 1 ? 'rpsRatioToMinimal >= 0.9 and p99RatioToMinimal <= 1.5' : 'rpsRatioToMinimal >= 0.9',
      meetsTarget: sc.depth === 1 ? toMinimal >= 0.9 && p99ToMinimal <= 1.5 : toMinimal >= 0.9,
    };
  }
  await minimal.close();
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

/** One request and its reply over a fresh connection. */
function roundTrip(port: number, frame: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => s.write(frame));
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => s.destroy(new Error('no reply within 5 s')), 5000);
    s.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      if (buf.length >= 4 && buf.length >= 4 + buf.readUInt32BE(0)) {
        clearTimeout(timer);
        s.destroy();
        resolve(buf.subarray(0, 4 + buf.readUInt32BE(0)));
      }
    });
    s.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/**
 * The minimal server answers what the gateway answers: the same bytes but for the two time
 * fields (the header's at offset 32 and the reply's serverTime, the last 14 bytes).
 */
async function compareReplies(gatewayPort: number, minimalPort: number, frame: Buffer) {
  const g = await roundTrip(gatewayPort, frame);
  const m = await roundTrip(minimalPort, frame);
  const mask = (b: Buffer) => {
    const c = Buffer.from(b);
    c.fill(0x30, 32, 46);
    c.fill(0x30, c.length - 14);
    return c;
  };
  const identical = mask(g).equals(mask(m));
  if (!identical) throw new Error(`minimal CS-01 reply differs from the gateway's: gateway ${g.toString('hex')} minimal ${m.toString('hex')}`);
  return { identicalButTimes: identical, bytes: g.length };
}

main().catch((err) => {
  process.stderr.write(String(err?.stack ?? err) + '\n');
  process.exit(1);
});
