// What the socket benchmarks share: the load client run in a child process (bench/load-client.ts)
// and the raw echo baseline. Prints nothing itself.
import net from 'node:net';
import { fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eachFrame } from './length-prefixed.js';

const here = dirname(fileURLToPath(import.meta.url));

export interface LoadResult {
  requests: number;
  /** Answers including the warm-up's (all the servers did while the load client ran). */
  answered?: number;
  rps: number;
  /** The load client's own CPU, ms (user + system, warm-up included). */
  cpuMs?: number;
  p50: number;
  p99: number;
  max: number;
  /** CPU the load client used (µs, user + system) from its start to the end of the measured seconds. */
  cpuUs?: number;
  /** cpuUs over the replies read by then (warm-up included): the load client's CPU per request, µs. */
  cpuUsPerReply?: number;
  /** Replies by result code (with countResults). */
  results?: Record<string, number>;
  error?: string;
}

export interface LoadParams {
  port: number;
  connections: number;
  /** Requests outstanding per connection (1 = one at a time). */
  depth: number;
  seconds: number;
  /** One request frame, hex; or a file of frames sent in rotation. */
  frameHex?: string;
  framesFile?: string;
  countResults?: boolean;
  /** A framing profile file: the frames are its text packets (bench/text-framing.ts). */
  framing?: string;
}

/** Run the load client against 127.0.0.1:port; killed if it overruns its time by 15 s. */
export function load(p: LoadParams): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(join(here, 'load-client.js'), [JSON.stringify({ warmupSeconds: 1, ...p })]);
    const kill = setTimeout(() => child.kill('SIGKILL'), (p.seconds + 15) * 1000);
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

/**
 * The baseline: frames out of the stream, each written straight back. `spinNs` > 0 busy-waits
 * that long before each answer: the sensitivity series shows what each microsecond of server
 * work per request costs in this set-up.
 */
export function echoServer(spinNs = 0): Promise<net.Server> {
  const server = net.createServer((s) => {
    s.setNoDelay(true);
    let rest: Buffer = Buffer.alloc(0);
    s.on('data', (chunk: Buffer) => {
      rest = eachFrame(rest, chunk, (frame) => {
        if (spinNs > 0) {
          const t0 = process.hrtime.bigint();
          while (process.hrtime.bigint() - t0 < BigInt(spinNs));
        }
        s.write(frame);
      });
    });
    s.on('error', () => undefined);
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r(server)));
}
