// A cheap stand-in for the candidate of bench/shadow.ts (BENCH_SHADOW_CANDIDATE=cheap): it asks
// the primary once for its answer to the bench's CS-14 request, then answers every request with
// those bytes under the request's seq (one write per chunk read). It tells what the shadow
// itself costs when the candidate does not compete for the same cores as a second bssgate would:
// the shadow still taps, mirrors, reassembles and compares every answer (the fast path: the
// recorded answer is the primary's bytes, its header time aside).
//   spawned by bench/shadow.ts: shadow-candidate.js <primary port> <listen port> <request frame hex>
import net from 'node:net';
import { eachFrame } from './length-prefixed.js';
import { SEQ_OFFSET } from '../protocol/header.js';

const [primaryPort, listenPort, frameHex] = process.argv.slice(2);

function record(): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port: Number(primaryPort) }, () => s.write(Buffer.from(frameHex, 'hex')));
    let rest: Buffer = Buffer.alloc(0);
    s.on('data', (chunk: Buffer) => {
      rest = eachFrame(rest, chunk, (f) => {
        resolve(Buffer.from(f));
        s.destroy();
      });
    });
    s.on('error', reject);
  });
}

const answer = await record();
const server = net.createServer((c) => {
  c.setNoDelay(true);
  let rest: Buffer = Buffer.alloc(0);
  c.on('data', (chunk: Buffer) => {
    const out: Buffer[] = [];
    rest = eachFrame(rest, chunk, (req) => {
      const a = Buffer.from(answer);
      req.copy(a, SEQ_OFFSET, SEQ_OFFSET, SEQ_OFFSET + 4);
      out.push(a);
    });
    if (out.length > 0) c.write(out.length === 1 ? out[0] : Buffer.concat(out));
  });
  c.on('error', () => undefined);
});
server.listen(Number(listenPort), '127.0.0.1', () => process.stdout.write(`candidate listening on ${listenPort}\n`));
