// Load generator, run as a child process so it does not share the server's event loop.
// N connections; each keeps `depth` requests outstanding (1 = one at a time) for `seconds`.
// Speaks only length-prefixed frames: the same load against the echo server and the gateway.
import net from 'node:net';
import { eachFrame } from './length-prefixed.js';

interface Params {
  port: number;
  connections: number;
  depth: number;
  seconds: number;
  warmupSeconds: number;
  /** The request frame, hex. */
  frameHex: string;
}

async function main() {
  const p: Params = JSON.parse(process.argv[2]);
  const frame = Buffer.from(p.frameHex, 'hex');
  const lat: number[] = [];
  let done = 0;
  let measuring = false;
  let stopping = false;
  const sockets: net.Socket[] = [];
  const run = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port: p.port });
      sockets.push(s);
      s.setNoDelay(true);
      const sent: bigint[] = [];
      let buf: Buffer = Buffer.alloc(0);
      const send = () => {
        sent.push(process.hrtime.bigint());
        s.write(frame);
      };
      s.on('connect', () => {
        for (let i = 0; i < p.depth; i++) send();
      });
      s.on('data', (chunk: Buffer) => {
        buf = eachFrame(buf, chunk, () => {
          const t0 = sent.shift()!;
          if (measuring) {
            lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
            done++;
          }
          if (!stopping) send();
        });
        if (stopping && sent.length === 0) {
          s.end();
          resolve();
        }
      });
      s.on('error', reject);
    });
  const all = Array.from({ length: p.connections }, run);
  await new Promise((r) => setTimeout(r, p.warmupSeconds * 1000));
  measuring = true;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, p.seconds * 1000));
  measuring = false;
  const elapsed = (performance.now() - t0) / 1000;
  stopping = true;
  // Bounded: whatever has not drained within 5 s is cut.
  await Promise.race([Promise.all(all), new Promise((r) => setTimeout(r, 5000))]);
  for (const s of sockets) s.destroy();
  lat.sort((a, b) => a - b);
  const q = (x: number) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor(x * lat.length))] : NaN);
  process.send!({ requests: done, rps: done / elapsed, p50: q(0.5), p99: q(0.99), max: lat[lat.length - 1] ?? NaN });
}

main().catch((err) => {
  process.send!({ error: String(err) });
});
