// CS-01 with a fixed number of requests, for instruction counts (issue 17): one server (the
// gateway or the minimal CS-01 server) in this process; the load client, 16 connections one
// request at a time (or `depth` outstanding), in a child process that sends exactly `requests`
// requests and exits. Run the server under callgrind (which does not follow the child) twice,
// with two request counts: the difference of the instruction counts divided by the difference
// of the requests is the server's instructions per request, warm-up and start-up cancelled out,
// and nearly the same whatever else the machine is doing (throughput and CPU time are not).
//   valgrind --tool=callgrind --callgrind-out-file=/tmp/c.out node dist/bench/cs01-count.js <gateway|minimal> <requests> [depth=1]
//   (then: `Collected : N` in valgrind's output, or callgrind_annotate /tmp/c.out | head)
import net from 'node:net';
import { fork } from 'node:child_process';
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

/** The child: `requests` requests over 16 connections, `depth` outstanding on each; exits when all are answered. */
function client(port: number, requests: number, depth: number): void {
  const frame = encodeRequest({ biz: 101, seq: 1, serial: 'BENCH', time: '20261122120000', operator: 'bench' }, [], {});
  let sent = 0;
  let answered = 0;
  const kill = setTimeout(() => process.exit(3), 600_000);
  for (let c = 0; c < CONNECTIONS; c++) {
    const s = net.connect(port, '127.0.0.1');
    s.setNoDelay(true);
    let pending: Buffer = Buffer.alloc(0);
    const send = () => {
      if (sent >= requests) return;
      sent++;
      s.write(frame);
    };
    s.on('connect', () => {
      for (let i = 0; i < depth; i++) send();
    });
    s.on('data', (chunk: Buffer) => {
      pending = eachFrame(pending, chunk, (f) => {
        if (f.readUInt16BE(56) !== 0) {
          process.stderr.write(`result ${f.readUInt16BE(56)}\n`);
          process.exit(4);
        }
        answered++;
        if (answered === requests) {
          clearTimeout(kill);
          process.send!({ answered }, () => process.exit(0));
          return;
        }
        send();
      });
    });
    s.on('error', (err) => {
      process.stderr.write(`${err.message}\n`);
      process.exit(5);
    });
  }
}

async function main(): Promise<void> {
  const [who, n, d] = process.argv.slice(2);
  if (who === '--client') {
    client(Number(n), Number(d), Number(process.argv[5] ?? 1));
    return;
  }
  const requests = Number(n);
  const depth = Number(d ?? 1);
  if (!['gateway', 'minimal'].includes(who) || !(requests > 0)) {
    process.stderr.write('usage: cs01-count.js <gateway|minimal> <requests> [depth=1]\n');
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
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const answered = await new Promise<number>((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--client', String(port), String(requests), String(depth)]);
    child.once('message', (m: { answered: number }) => resolve(m.answered));
    child.once('exit', (code) => (code ? reject(new Error(`client exited ${code}`)) : undefined));
  });
  const cpu = process.cpuUsage(cpu0);
  const ms = performance.now() - t0;
  await close();
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(JSON.stringify({ who, requests: answered, depth, ms: Math.round(ms), cpuUsPerRequest: Math.round(((cpu.user + cpu.system) / answered) * 100) / 100 }) + '\n');
}

main().catch((err) => {
  process.stderr.write(String(err?.stack ?? err) + '\n');
  process.exit(1);
});
