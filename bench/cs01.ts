// Issue #2 benchmark: CS-01 round trips through the gateway (logging on, SQLite store) against a
// raw Node length-prefixed echo server, same load client, same run. Prints JSON.
// Targets: one-at-a-time at 16 connections ≥ 0.8× the echo's requests/s with p99 ≤ 1.5× the echo's.
//   node dist/bench/cs01.js [seconds=5]
import net from 'node:net';
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeRequest } from '../protocol/message.js';
import { startGateway } from '../src/serve.js';
import type { Config } from '../src/config/types.js';

const here = dirname(fileURLToPath(import.meta.url));
const seconds = Number(process.argv[2] ?? 5);

interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  max: number;
  error?: string;
}

function load(port: number, connections: number, depth: number, frame: Buffer): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(join(here, 'load-client.js'), [
      JSON.stringify({ port, connections, depth, seconds, warmupSeconds: 1, frameHex: frame.toString('hex') }),
    ]);
    const kill = setTimeout(() => child.kill('SIGKILL'), (seconds + 15) * 1000);
    child.once('message', (m: LoadResult) => {
      clearTimeout(kill);
      child.kill();
      if (m.error) reject(new Error(m.error));
      else resolve(m);
    });
    child.once('exit', (code) => {
      clearTimeout(kill);
      if (code) reject(new Error(`load client exited ${code}`));
    });
  });
}

/** The baseline: frames out of the stream, each written straight back. */
function echoServer(): Promise<net.Server> {
  const server = net.createServer((s) => {
    s.setNoDelay(true);
    let buf: Buffer = Buffer.alloc(0);
    s.on('data', (chunk: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      let off = 0;
      while (buf.length - off >= 4) {
        const len = buf.readUInt32BE(off);
        if (buf.length - off < 4 + len) break;
        s.write(buf.subarray(off, off + 4 + len));
        off += 4 + len;
      }
      buf = off === buf.length ? Buffer.alloc(0) : buf.subarray(off);
    });
    s.on('error', () => undefined);
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r(server)));
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
  const out: Record<string, unknown> = { bench: 'cs01-vs-echo', seconds, node: process.version };
  for (const sc of scenarios) {
    const echo = await echoServer();
    const e = await load((echo.address() as net.AddressInfo).port, sc.connections, sc.depth, frame);
    await new Promise((r) => echo.close(r));
    const running = await startGateway(config);
    const g = await load(running.bound[0].port, sc.connections, sc.depth, frame);
    await running.stop();
    out[sc.name] = {
      connections: sc.connections,
      depth: sc.depth,
      echo: { rps: Math.round(e.rps), p50ms: round(e.p50), p99ms: round(e.p99) },
      gateway: { rps: Math.round(g.rps), p50ms: round(g.p50), p99ms: round(g.p99) },
      rpsRatio: round(g.rps / e.rps),
      p99Ratio: round(g.p99 / e.p99),
      target: sc.depth === 1 ? 'rpsRatio >= 0.8 and p99Ratio <= 1.5' : 'reported',
      meetsTarget: sc.depth === 1 ? g.rps / e.rps >= 0.8 && g.p99 / e.p99 <= 1.5 : undefined,
    };
  }
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
}

main().catch((err) => {
  process.stderr.write(String(err?.stack ?? err) + '\n');
  process.exit(1);
});
