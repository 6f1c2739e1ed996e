// Load generator, run as a child process so it does not share the server's event loop.
// N connections; each keeps `depth` requests outstanding (1 = one at a time) for `seconds`.
// Speaks length-prefixed frames (v1, the echo server) or, with `framing` (a profile file), the
// text packets of a framing profile (issue 19): a reply is whole when its last packet arrived, its
// result read from the profile's error/flag fields at their fixed offsets (bench/text-reply-reader.ts:
// the equivalent of the v1 path's fixed-offset read, not the production decoder and assembler,
// whose per-packet record of every header field would bill the text wires for the client's CPU
// on the shared cores). A malformed reply stream errors the run out.
//
// The request is one frame (`frameHex`, sent again and again) or a set of frames sent in
// rotation (`framesFile`: a file of length-prefixed frames one after another, e.g. 10,000
// requests for different service numbers; every send takes the next frame of the set, across
// all connections). With `countResults`, the result field of every reply (header offset 56) is
// tallied, so a run that answered errors is visible (the echo answers its request: result 0).
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { eachFrame } from './length-prefixed.js';
import { loadFramingProfile } from '../protocol/framing/packet.js';
import type { FramingProfile } from '../protocol/framing/profile.js';
import { TextReplyReader } from './text-reply-reader.js';

interface Params {
  port: number;
  connections: number;
  depth: number;
  seconds: number;
  warmupSeconds: number;
  /** The request frame, hex. */
  frameHex?: string;
  /** Or: a file of frames (each with its 4-byte length), sent in rotation. */
  framesFile?: string;
  /** Tally the replies' result codes (measured replies only). */
  countResults?: boolean;
  /** A framing profile file: frames are its text packets (frameHex: a whole request's packets). */
  framing?: string;
}

/** Calls `onReply(result)` for each whole reply in the stream (v1 frames, or a profile's packets). */
type Splitter = (chunk: Buffer, onReply: (result: number) => void) => void;

function splitter(profile: FramingProfile | undefined): Splitter {
  if (!profile) {
    let buf: Buffer = Buffer.alloc(0);
    return (chunk, onReply) => {
      buf = eachFrame(buf, chunk, (reply) => onReply(reply.length >= 58 ? reply.readUInt16BE(56) : -1));
    };
  }
  const reader = new TextReplyReader(profile);
  return (chunk, onReply) => reader.push(chunk, onReply);
}

function loadFrames(p: Params): Buffer[] {
  if (p.framesFile) {
    const frames: Buffer[] = [];
    const rest = eachFrame(Buffer.alloc(0), readFileSync(p.framesFile), (f) => frames.push(f));
    if (rest.length) throw new Error(`${p.framesFile}: ${rest.length} bytes after the last whole frame`);
    if (!frames.length) throw new Error(`${p.framesFile}: no frames`);
    return frames;
  }
  if (p.frameHex) return [Buffer.from(p.frameHex, 'hex')];
  throw new Error('frameHex or framesFile is required');
}

async function main() {
  const p: Params = JSON.parse(process.argv[2]);
  const frames = loadFrames(p);
  const profile = p.framing ? loadFramingProfile(p.framing) : undefined;
  let next = 0;
  const lat: number[] = [];
  const results = new Map<number, number>();
  let done = 0;
  /** Answers including the warm-up's (what the servers did while the load ran). */
  let answered = 0;
  let measuring = false;
  let stopping = false;
  const sockets: net.Socket[] = [];
  const run = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port: p.port });
      sockets.push(s);
      s.setNoDelay(true);
      const sent: bigint[] = [];
      const split = splitter(profile);
      const send = () => {
        const frame = frames.length === 1 ? frames[0] : frames[next++ % frames.length];
        sent.push(process.hrtime.bigint());
        s.write(frame);
      };
      s.on('connect', () => {
        for (let i = 0; i < p.depth; i++) send();
      });
      s.on('data', (chunk: Buffer) => {
        try {
          split(chunk, (code) => {
            const t0 = sent.shift();
            if (t0 === undefined) throw new Error('a reply to no request');
            answered++;
            if (measuring) {
              lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
              done++;
              if (p.countResults) results.set(code, (results.get(code) ?? 0) + 1);
            }
            if (!stopping) send();
          });
        } catch (err) {
          // A reply stream the reader refuses: the run is void (not a miscount); stop at once.
          fatal(err);
          return;
        }
        if (stopping && sent.length === 0) {
          s.end();
          resolve();
        }
      });
      s.on('error', reject);
    });
  const cpu0 = process.cpuUsage();
  const all = Array.from({ length: p.connections }, run);
  await new Promise((r) => setTimeout(r, p.warmupSeconds * 1000));
  measuring = true;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, p.seconds * 1000));
  measuring = false;
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const answeredAtCpu = answered;
  stopping = true;
  // Bounded: whatever has not drained within 5 s is cut.
  await Promise.race([Promise.all(all), new Promise((r) => setTimeout(r, 5000))]);
  for (const s of sockets) s.destroy();
  lat.sort((a, b) => a - b);
  const q = (x: number) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor(x * lat.length))] : NaN);
  process.send!({
    requests: done,
    answered,
    rps: done / elapsed,
    // The load client's own CPU (user + system, ms, warm-up included): what it takes from the shared cores.
    cpuMs: (() => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    })(),
    p50: q(0.5),
    p99: q(0.99),
    max: lat[lat.length - 1] ?? NaN,
    cpuUs: cpu.user + cpu.system,
    // The same per reply read (warm-up included, as cpuUs): the client's share of each request's CPU.
    cpuUsPerReply: answeredAtCpu ? (cpu.user + cpu.system) / answeredAtCpu : NaN,
    ...(p.countResults ? { results: Object.fromEntries(results) } : {}),
  });
}

function fatal(err: unknown): void {
  process.send!({ error: String(err) }, () => process.exit(1));
}

main().catch(fatal);
