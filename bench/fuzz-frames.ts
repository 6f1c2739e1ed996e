// 10^6 random and mutated frames through FrameDecoder, decodeHeader and two random fixture
// layouts' body decoders per frame (test/protocol/fuzz.test.ts runs 10^4 through all layouts). Prints JSON counts; `untyped`
// (exceptions other than GatewayError) must be 0. Bounded: stops after 50 s whatever the count.
import { fuzz, type FuzzCounts } from '../test/fixtures/protocol/fuzz.js';

const TOTAL = Number(process.argv[2] ?? 1_000_000);
const BATCH = 10_000;
const DEADLINE_MS = 50_000;
const seed = Number(process.argv[3] ?? 1);

const start = Date.now();
const sum: FuzzCounts = { inputs: 0, frames: 0, frameErrors: 0, headers: 0, headerErrors: 0, bodies: 0, bodyErrors: 0, incomplete: 0, untyped: 0 };
let batches = 0;
while (sum.inputs < TOTAL && Date.now() - start < DEADLINE_MS) {
  const c = fuzz(seed * 100_003 + batches, Math.min(BATCH, TOTAL - sum.inputs), 4096, 2);
  for (const k of Object.keys(sum) as (keyof FuzzCounts)[]) {
    if (k !== 'firstUntyped') sum[k] += c[k] as number;
  }
  sum.firstUntyped ??= c.firstUntyped;
  batches++;
}
const ms = Date.now() - start;
console.log(JSON.stringify({ bench: 'fuzz-frames', ...sum, completed: sum.inputs >= TOTAL, ms, inputsPerSec: Math.round(sum.inputs / (ms / 1000)) }, null, 2));
process.exitCode = sum.untyped === 0 ? 0 : 1;
