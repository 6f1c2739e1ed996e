// Benchmark: several workers on one host. CS-01 (logs on, SQLite) through `bssgate serve`
// with [server] workers = 1 and = 2, against the raw echo baseline (bench/load.ts) in one
// process and in a 2-worker cluster, same load client, same run; and the cost of the two ways
// node:cluster can spread connections (SCHED_RR: the primary accepts and hands each socket to a
// worker in turn; SCHED_NONE: every worker accept()s on the shared socket, the kernel picks —
// the nearest Node 20 has to SO_REUSEPORT, which its net module does not offer): connections
// per second (connect, one request, close) and how evenly they land. Prints JSON.
//   node dist/bench/workers.js [secondsPerRun=3]
import cluster from 'node:cluster';
import net from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeRequest } from '../protocol/message.js';
import { echoServer, load, type LoadResult } from './load.js';
import { eachFrame } from './length-prefixed.js';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '../src/cli.js');
const seconds = Number(process.argv.slice(2).find((a) => /^\d+(\.\d+)?$/.test(a)) ?? 3);
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
const frame = encodeRequest({ biz: 101, seq: 1, serial: 'BENCH', time: '20261122120000', operator: 'bench' }, [], {});

// ── the echo cluster (this same file, run as `workers.js --echo-cluster N`) ───────────────────────
if (process.argv[2] === '--echo-cluster') {
  const n = Number(process.argv[3]);
  if (cluster.isPrimary) {
    for (let i = 0; i < n; i++) cluster.fork();
    let ready = 0;
    cluster.on('message', (_w, m: { port: number }) => {
      if (++ready === n) process.stdout.write(`port ${m.port}\n`);
    });
    // On SIGTERM: print how many connections each worker got, then stop.
    process.on('SIGTERM', () => {
      const ws = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined);
      const counts: number[] = [];
      for (const w of ws) {
        w.once('message', (m: { conns: number }) => {
          counts.push(m.conns);
          if (counts.length === ws.length) {
            process.stdout.write(`conns ${counts.join(',')}\n`);
            for (const x of ws) x.kill();
            process.exit(0);
          }
        });
        w.send('count');
      }
    });
  } else {
    // Each worker counts the connections it got and reports them when the primary asks.
    let conns = 0;
    const server = net.createServer((s) => {
      conns++;
      s.setNoDelay(true);
      let rest: Buffer = Buffer.alloc(0);
      s.on('data', (chunk: Buffer) => (rest = eachFrame(rest, chunk, (f) => s.write(f))));
      s.on('error', () => undefined);
    });
    server.listen(Number(process.argv[4] ?? 0), '127.0.0.1', () => process.send!({ port: (server.address() as net.AddressInfo).port }));
    process.on('message', (m) => {
      if (m === 'count') process.send!({ conns, pid: process.pid });
    });
  }
}

function startEchoCluster(n: number, policy: 'rr' | 'none', port: number): Promise<{ child: ChildProcess; port: number; output(): string }> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--echo-cluster', String(n), String(port)], {
    env: { ...process.env, NODE_CLUSTER_SCHED_POLICY: policy },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /port (\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]), output: () => out });
    });
    child.once('exit', (code) => reject(new Error(`echo cluster exited ${code}`)));
  });
}

async function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => res(p));
    });
  });
}

/** `bssgate serve` with [server] workers = n on a fresh SQLite database, logs on. */
async function startGateway(dir: string, n: number): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const ini = join(dir, `w${n}.ini`);
  writeFileSync(
    ini,
    `[interface.cs]\nhost = 127.0.0.1\nport = ${port}\nmax_connections = 1024\n\n[database]\ntype = sqlite\npath = data/w${n}.db\n\n` +
      `[log]\ndir = logs-w${n}\n\n[server]\nworkers = ${n}\n`,
  );
  const child = spawn(process.execPath, [cli, 'serve', ini], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('Stop with')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`bssgate serve exited ${code}`)));
  });
  return { child, port };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((res) => {
    child.once('exit', () => res());
    child.kill('SIGTERM');
  });
}

/** Connections per second: `parallel` loops of connect → one request → answer → close, for `seconds`. */
async function churn(port: number, parallel: number): Promise<number> {
  let done = 0;
  const until = performance.now() + seconds * 1000;
  const loop = async () => {
    while (performance.now() < until) {
      await new Promise<void>((resolve, reject) => {
        const s = net.connect({ host: '127.0.0.1', port }, () => s.write(frame));
        s.once('data', () => {
          done++;
          s.destroy();
          resolve();
        });
        s.once('error', reject);
      });
    }
  };
  await Promise.all(Array.from({ length: parallel }, loop));
  return done / seconds;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-bench-workers-'));
  const out: Record<string, unknown> = { bench: 'workers', secondsPerRun: seconds, node: process.version, cores: (await import('node:os')).availableParallelism() };
  const scenarios = [
    { name: 'one-at-a-time', connections: 16, depth: 1 },
    { name: 'pipelined-32', connections: 16, depth: 32 },
  ];
  const run = (port: number, sc: { connections: number; depth: number }): Promise<LoadResult> =>
    load({ port, connections: sc.connections, depth: sc.depth, seconds, frameHex: frame.toString('hex') });
  const rounds = 2;
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const echo = await echoServer();
  const ec = await startEchoCluster(2, 'rr', 0);
  const g1 = await startGateway(dir, 1);
  const g2 = await startGateway(dir, 2);
  const targets = {
    echo1: (echo.address() as net.AddressInfo).port,
    echo2workers: ec.port,
    gateway1worker: g1.port,
    gateway2workers: g2.port,
  };
  try {
    // Warm-up (discarded): a fresh process runs its first seconds unoptimised, and two workers
    // each see half the traffic, so they warm more slowly.
    for (const port of Object.values(targets)) await run(port, { connections: 16, depth: 1 });
    for (const sc of scenarios) {
      const r: Record<string, LoadResult[]> = { echo1: [], echo2workers: [], gateway1worker: [], gateway2workers: [] };
      // Round after round, every target in turn: drift in the machine's speed hits all of them.
      for (let k = 0; k < rounds; k++) for (const [name, port] of Object.entries(targets)) r[name].push(await run(port, sc));
      const rps = (name: string) => median(r[name].map((x) => x.rps));
      const p99 = (name: string) => round(median(r[name].map((x) => x.p99)));
      out[sc.name] = {
        connections: sc.connections,
        depth: sc.depth,
        rps: Object.fromEntries(Object.keys(targets).map((n) => [n, Math.round(rps(n))])),
        p99ms: Object.fromEntries(Object.keys(targets).map((n) => [n, p99(n)])),
        scaling2over1: round(rps('gateway2workers') / rps('gateway1worker')),
        gateway1VsEcho: round(rps('gateway1worker') / rps('echo1')),
        gateway2VsEcho: round(rps('gateway2workers') / rps('echo1')),
        echoScaling2over1: round(rps('echo2workers') / rps('echo1')),
      };
    }
    await new Promise((res) => echo.close(res));
    await stop(ec.child);
    await stop(g1.child);
    await stop(g2.child);
    // Spreading connections: accept rate and balance, single process vs cluster RR vs cluster NONE.
    const echoC = await echoServer();
    const single = await churn((echoC.address() as net.AddressInfo).port, 8);
    await new Promise((res) => echoC.close(res));
    const spread: Record<string, unknown> = { singleProcessConnPerSec: Math.round(single) };
    for (const policy of ['rr', 'none'] as const) {
      const ec = await startEchoCluster(2, policy, 0);
      const rate = await churn(ec.port, 8);
      spread[`cluster2_${policy}_ConnPerSec`] = Math.round(rate);
      spread[`cluster2_${policy}_vsSingle`] = round(rate / single);
      await stop(ec.child);
      spread[`cluster2_${policy}_connsPerWorker`] = /conns ([\d,]+)/.exec(ec.output())?.[1];
    }
    out.connectionSpreading = spread;
  } finally {
    for (const c of [ec.child, g1.child, g2.child]) if (c.exitCode === null) c.kill('SIGKILL');
    echo.close();
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
}

if (process.argv[2] !== '--echo-cluster') {
  main().catch((err) => {
    process.stderr.write(String(err?.stack ?? err) + '\n');
    process.exit(1);
  });
}
