// CS-01 with a fixed number of requests, for instruction counts (issue 17): one server (the
// gateway or the minimal CS-01 server) in this process; the load client, 16 connections one
// request at a time (or `depth` outstanding), in a child process. The client sends `warmup`
// requests, waits, then exactly `measured` more. Under callgrind started with instrumentation off
// (which does not follow the child), the server turns instrumentation on for the measured
// requests only (callgrind_control), so the instructions collected divided by `measured` are
// the server's instructions per request, its start-up and the JIT's warm-up left out, and nearly
// the same whatever else the machine is doing (throughput and CPU time are not). Without
// callgrind it prints the CPU µs per measured request.
//   valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=/tmp/c.out \
//     node dist/bench/cs01-count.js <gateway|minimal> <warmup> <measured> [depth=1] --callgrind
//   (then `Collected : N` in valgrind's output; N / measured = instructions per request)
import net from 'node:net';
import { execFile, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { encodeRequest } from '../protocol/message.js';
import { eachFrame } from './length-prefixed.js';
import { startMinimalCs01Server } from './minimal-server.js';
import { startGateway } from '../src/serve.js';
import type { Config } from '../src/config/types.js';

const CONNECTIONS = 16;

/** The child: `warmup` requests, then (told 'go') `measured` more, over 16 connections, `depth` outstanding on each. */
function client(port: number, warmup: number, measured: number, depth: number): void {
  const frame = encodeRequest({ biz: 101, seq: 1, serial: 'BENCH', time: '20261122120000', operator: 'bench' }, [], {});
  let quota = warmup;
  let sent = 0;
  let answered = 0;
  const kill = setTimeout(() => process.exit(3), 1_800_000);
  const sockets: net.Socket[] = [];
  const send = (s: net.Socket) => {
    if (sent >= quota) return;
    sent++;
    s.write(frame);
  };
  const startAll = () => {
    for (const s of sockets) for (let i = 0; i < depth; i++) send(s);
  };
  process.on('message', (m) => {
    if (m !== 'go') return;
    quota = warmup + measured;
    startAll();
  });
  let connected = 0;
  for (let c = 0; c < CONNECTIONS; c++) {
    const s = net.connect(port, '127.0.0.1');
    s.setNoDelay(true);
    sockets.push(s);
    let pending: Buffer = Buffer.alloc(0);
    s.on('connect', () => {
      if (++connected === CONNECTIONS) startAll();
    });
    s.on('data', (chunk: Buffer) => {
      pending = eachFrame(pending, chunk, (f) => {
        if (f.readUInt16BE(56) !== 0) {
          process.stderr.write(`result ${f.readUInt16BE(56)}\n`);
          process.exit(4);
        }
        answered++;
        if (answered === warmup) {
          process.send!({ phase: 'warm' });
          return;
        }
        if (answered === warmup + measured) {
          clearTimeout(kill);
          process.send!({ phase: 'done' }, () => process.exit(0));
          return;
        }
        send(s);
      });
    });
    s.on('error', (err) => {
      process.stderr.write(`${err.message}\n`);
      process.exit(5);
    });
  }
}

/** callgrind_control on this process (asynchronous: valgrind reads the command while the event loop runs). */
function callgrind(...args: string[]): Promise<void> {
  return new Promise((resolve, reject) => execFile('callgrind_control', [...args, String(process.pid)], (err) => (err ? reject(err) : resolve())));
}

async function main(): Promise<void> {
  const args = process.argv.slice(2).filter((a) => a !== '--callgrind');
  const underCallgrind = process.argv.includes('--callgrind');
  const [who, w, n, d] = args;
  if (who === '--client') {
    client(Number(w), Number(n), Number(d), Number(args[4] ?? 1));
    return;
  }
  const warmup = Number(w);
  const measured = Number(n);
  const depth = Number(d ?? 1);
  if (!['gateway', 'minimal'].includes(who) || !(warmup > 0) || !(measured > 0)) {
    process.stderr.write('usage: cs01-count.js <gateway|minimal> <warmup> <measured> [depth=1] [--callgrind]\n');
    process.exit(2);
  }
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-cs01-count-'));
  const db = join(dir, 'bench.db');
  let port: number;
  let close: () => Promise<void>;
  if (who === 'gateway') {
    const config: Config = {
      files: [],
      interfaces: [
        {
          name: 'cs', kind: 'cs', host: '127.0.0.1', port: 0, maxFrame: 65536, maxConnections: 256, idleTimeoutMs: 600_000,
          frameTimeoutMs: 600_000, drainTimeoutMs: 600_000, requestTimeoutMs: 15_000, maxPipeline: 64, allow: [],
        },
      ],
      database: { type: 'sqlite', path: db, poolMax: 1, passwordStorage: 'scrypt', demoSubscribers: 0, demoSeed: 1 },
      log: { dir: join(dir, 'logs'), level: 'info', retentionDays: 30, requests: true },
      shutdownGraceMs: 5_000,
    };
    const running = await startGateway(config);
    port = running.bound[0].port;
    close = () => running.stop();
  } else {
    new Database(db).close();
    const m = await startMinimalCs01Server(db, join(dir, 'logs'));
    port = m.port;
    close = () => m.close();
  }
  let t0 = 0;
  let cpu0 = process.cpuUsage();
  let cpu = cpu0;
  let ms = 0;
  await new Promise<void>((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--client', String(port), String(warmup), String(measured), String(depth)]);
    child.on('message', (m: { phase: string }) => {
      if (m.phase === 'warm') {
        void (underCallgrind ? callgrind('-i', 'on') : Promise.resolve()).then(() => {
          t0 = performance.now();
          cpu0 = process.cpuUsage();
          child.send('go');
        }, reject);
      } else if (m.phase === 'done') {
        cpu = process.cpuUsage(cpu0);
        ms = performance.now() - t0;
        void (underCallgrind ? callgrind('-i', 'off') : Promise.resolve()).then(resolve, reject);
      }
    });
    child.once('exit', (code) => (code ? reject(new Error(`client exited ${code}`)) : undefined));
  });
  await close();
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(JSON.stringify({ who, warmup, measured, depth, ms: Math.round(ms), cpuUsPerRequest: Math.round(((cpu.user + cpu.system) / measured) * 100) / 100 }) + '\n');
}

main().catch((err) => {
  process.stderr.write(String(err?.stack ?? err) + '\n');
  process.exit(1);
});
