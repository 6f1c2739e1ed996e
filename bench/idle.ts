// Benchmark: what idle connections cost. The gateway runs in a child process of its own (its RSS is
// then its own); this process holds N idle client connections to it (connected, never sending)
// while the load client (bench/load.ts, a third process) measures CS-01 at 16 connections one at a
// time. Rounds: without idle connections, with them, and without again (after they closed).
// Prints JSON: the gateway's RSS and heap with 0 and N idle connections, and the active load's
// requests/s and p99 in each round. Targets: RSS ≤ 150 MB with 10,000 idle; the active p99
// unchanged. Everything on 127.0.0.1; bounded in time (the whole run is killed after 10 minutes).
//   node dist/bench/idle.js [idle=10000] [secondsPerRound=3]
import net from 'node:net';
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeRequest } from '../protocol/message.js';
import { load, type LoadResult } from './load.js';
import type { Config } from '../src/config/types.js';

const DEADLINE_MS = 10 * 60_000;

interface Memory {
  rss: number;
  heapUsed: number;
  external: number;
  connections?: number;
}

type ToServer = { cmd: 'memory' } | { cmd: 'stop' };
type FromServer = { port: number } | ({ memory: true } & Memory) | { error: string };

/** The child: a gateway with room for the idle connections; answers memory questions. */
async function serverMain(dir: string, idle: number): Promise<void> {
  const { startGateway } = await import('../src/serve.js');
  const config: Config = {
    files: [],
    interfaces: [
      {
        name: 'cs', kind: 'cs', host: '127.0.0.1', port: 0, maxFrame: 65536, maxConnections: idle + 64,
        // Idle connections must outlive the run; the frame timeout does not apply to a connection that sends nothing.
        idleTimeoutMs: DEADLINE_MS, frameTimeoutMs: 10_000, drainTimeoutMs: 30_000, requestTimeoutMs: 15_000, maxPipeline: 64, allow: [],
      },
    ],
    database: { type: 'sqlite', path: join(dir, 'bench.db'), poolMax: 1, passwordStorage: 'scrypt', demoSubscribers: 0, demoSeed: 1 },
    log: { dir: join(dir, 'logs'), level: 'info', retentionDays: 30, requests: true },
    shutdownGraceMs: 5_000,
  };
  const running = await startGateway(config);
  const send = (m: FromServer) => process.send!(m);
  process.on('message', async (m: ToServer) => {
    if (m.cmd === 'memory') {
      // Two GCs when exposed (--expose-gc): the figure is what stays, not garbage not yet collected.
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      gc?.();
      const u = process.memoryUsage();
      send({ memory: true, rss: u.rss, heapUsed: u.heapUsed, external: u.external });
    } else if (m.cmd === 'stop') {
      await running.stop();
      process.exit(0);
    }
  });
  send({ port: running.bound[0].port });
}

function ask(child: ChildProcess): Promise<Memory> {
  return new Promise((resolve) => {
    const on = (m: FromServer) => {
      if ('memory' in m) {
        child.off('message', on);
        resolve(m);
      }
    };
    child.on('message', on);
    child.send({ cmd: 'memory' } satisfies ToServer);
  });
}

/** N connections, opened 500 at a time; resolves once all are established. */
async function openIdle(port: number, n: number): Promise<net.Socket[]> {
  const sockets: net.Socket[] = [];
  for (let i = 0; i < n; i += 500) {
    const batch = Math.min(500, n - i);
    await Promise.all(
      Array.from({ length: batch }, () =>
        new Promise<void>((resolve, reject) => {
          const s = net.connect({ host: '127.0.0.1', port }, () => resolve());
          s.on('error', reject);
          sockets.push(s);
        }),
      ),
    );
  }
  return sockets;
}

const MB = (b: number) => Math.round((b / 1048576) * 10) / 10;
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

async function main(): Promise<void> {
  const numbers = process.argv.slice(2).filter((a) => /^\d+(\.\d+)?$/.test(a)).map(Number);
  const idle = numbers[0] ?? 10_000;
  const seconds = numbers[1] ?? 3;
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-bench-idle-'));
  const child = fork(fileURLToPath(import.meta.url), ['--server', dir, String(idle)], { execArgv: ['--expose-gc'] });
  const deadline = setTimeout(() => {
    process.stderr.write('bench/idle: over its time limit, stopped\n');
    child.kill('SIGKILL');
    process.exit(1);
  }, DEADLINE_MS);
  deadline.unref();
  let sockets: net.Socket[] = [];
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (m: FromServer) => ('port' in m ? resolve(m.port) : reject(new Error(JSON.stringify(m)))));
      child.once('exit', (code) => reject(new Error(`gateway child exited ${code}`)));
    });
    const frame = encodeRequest({ biz: 101, seq: 1, serial: 'BENCH', time: '20261122120000', operator: 'bench' }, [], {});
    const active = () => load({ port, connections: 16, depth: 1, seconds, frameHex: frame.toString('hex') });
    const summary = (r: LoadResult) => ({ rps: Math.round(r.rps), p50ms: round(r.p50), p99ms: round(r.p99) });
    const without1 = await active();
    const memBefore = await ask(child);
    const t0 = performance.now();
    sockets = await openIdle(port, idle);
    const openedInMs = Math.round(performance.now() - t0);
    // Let the gateway settle (accept backlog, per-connection state).
    await new Promise((r) => setTimeout(r, 1000));
    const memIdle = await ask(child);
    const withIdle = await active();
    const memAfterLoad = await ask(child);
    for (const s of sockets) s.destroy();
    sockets = [];
    await new Promise((r) => setTimeout(r, 1000));
    const without2 = await active();
    const p99Without = (without1.p99 + without2.p99) / 2;
    const out = {
      bench: 'idle-connections',
      idle,
      secondsPerRound: seconds,
      node: process.version,
      openedInMs,
      gatewayMemoryMB: {
        noIdle: { rss: MB(memBefore.rss), heapUsed: MB(memBefore.heapUsed), external: MB(memBefore.external) },
        withIdle: { rss: MB(memIdle.rss), heapUsed: MB(memIdle.heapUsed), external: MB(memIdle.external) },
        withIdleAfterLoad: { rss: MB(memAfterLoad.rss), heapUsed: MB(memAfterLoad.heapUsed) },
      },
      kBPerIdleConnection: Math.round(((memIdle.rss - memBefore.rss) / idle / 1024) * 10) / 10,
      active: { without: summary(without1), withIdle: summary(withIdle), withoutAgain: summary(without2) },
      p99RatioWithIdle: round(withIdle.p99 / p99Without),
      rpsRatioWithIdle: round(withIdle.rps / ((without1.rps + without2.rps) / 2)),
      target: 'withIdle rss <= 150 MB (10,000 idle); active p99 unchanged',
      meetsRssTarget: MB(Math.max(memIdle.rss, memAfterLoad.rss)) <= 150,
    };
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  } finally {
    for (const s of sockets) s.destroy();
    child.send({ cmd: 'stop' } satisfies ToServer);
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
    });
    clearTimeout(deadline);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--server') {
  serverMain(process.argv[3], Number(process.argv[4])).catch((err) => {
    process.send?.({ error: String(err?.stack ?? err) } satisfies FromServer);
    process.exit(1);
  });
} else {
  main().catch((err) => {
    process.stderr.write(String(err?.stack ?? err) + '\n');
    process.exit(1);
  });
}
