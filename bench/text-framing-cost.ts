// Issue 19: the framing work of one request alone — no sockets, no store — for instruction counts
// (valgrind --tool=callgrind, repeatable on a loaded machine where CPU time is not). One wire, one
// business type's spec example (handlers/contracts), N requests: v1 = FrameDecoder → decodeHeader
// → decodeRequestBody → encodeResponse; a text profile = the same inside TextSession (packets read,
// check code verified, the body and the reply through the v1 rules without their bytes —
// readRequest, prepareResponse, readResponse, as Dispatcher.answer — the answer written as text packets, signed). Instructions
// per request = (count at N2 − count at N1) / (N2 − N1); bench/text-framing-cost.sh runs it.
//   node dist/bench/text-framing-cost.js <v1|h2|bss86|card-recharge> <biz> <requests> [--time]
import { join, resolve } from 'node:path';
import { FrameDecoder } from '../protocol/frame.js';
import { decodeHeader } from '../protocol/header.js';
import { decodeRequestBody, encodeRequest, encodeResponse, prepareResponse, readRequest, readResponse } from '../protocol/message.js';
import { encodePackets, loadFramingProfile } from '../protocol/framing/packet.js';
import { encodeTextBody } from '../protocol/framing/text-body.js';
import { CONTRACTS } from '../handlers/contracts/index.js';
import { TextSession } from '../src/server/text-session.js';
import { requestHead } from '../src/text-client.js';

const [wire, bizArg, nArg] = process.argv.slice(2);
const biz = Number(bizArg);
const n = Number(nArg);
const c = CONTRACTS.find((x) => x.biz === biz && x.example);
if (!c || !(n >= 0)) {
  process.stderr.write('usage: text-framing-cost.js <v1|h2|bss86|card-recharge> <biz with a spec example> <requests>\n');
  process.exit(2);
}
const ex = c.example!;
const root = resolve(import.meta.dirname, '../..');
const KEY = Buffer.from('0123456789ABCDEFFEDCBA9876543210', 'hex');
const TIME = '20261201120000';
const origin = { conn: 1, peer: '127.0.0.1:5555' };
const answer = (header: ReturnType<typeof decodeHeader>, frame: Buffer) => {
  decodeRequestBody(frame, c.request);
  return encodeResponse(header, 0, '成功', c.response, ex.response, TIME);
};

async function main() {
  let one: () => Promise<Buffer>;
  if (wire === 'v1') {
    const bytes = encodeRequest({ biz, seq: 1, serial: 'BENCH', time: TIME, operator: 'bench' }, c!.request, ex.request);
    const dec = new FrameDecoder({ maxFrame: 65536 });
    one = () => {
      const [f] = dec.push(bytes);
      return Promise.resolve(answer(decodeHeader(f), f));
    };
  } else {
    const profile = loadFramingProfile(join(root, 'config/framing', `${wire}.json`));
    const head = requestHead(profile, biz, { serial: profile.role.serial ? 'BENCH' : undefined, operator: 'bench', now: new Date(2026, 11, 1, 12) });
    const key = profile.check ? KEY : undefined;
    const bytes = Buffer.concat(encodePackets(profile, head.values, encodeTextBody(profile, c!.request, ex.request), key));
    const session = new TextSession(
      profile,
      {
        layouts: (b) => (b === biz ? { request: c!.request, response: c!.response } : undefined),
        // What Dispatcher.answer does with the body and the reply (the v1 rules, without the bytes).
        answer: (_header, body, _o, bodyError) => {
          if (bodyError) throw bodyError;
          readRequest(c!.request, body!);
          const r = readResponse(prepareResponse(0, '成功', c!.response, ex.response), c!.response, ex.response);
          return Promise.resolve({ result: 0, message: r.message, body: r.body });
        },
      },
      { now: () => Date.now(), date: () => new Date() },
      65536,
      key ? { client: '*', key } : undefined,
    );
    one = () => {
      const [f] = session.push(bytes);
      return session.dispatch(decodeHeader(f), f, origin);
    };
  }
  let total = 0;
  for (let i = 0; i < n; i++) total += (await one()).length;
  // --time: then as many again, timed (µs of CPU per request; take the least of several runs on a shared machine).
  if (process.argv.includes('--time')) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) total += (await one()).length;
    const cu = process.cpuUsage(c0);
    process.stdout.write(`${wire} ${biz} ${((cu.user + cu.system) / n).toFixed(3)} us/request\n`);
  } else process.stdout.write(`${wire} ${biz} ${n} requests, ${total} reply bytes\n`);
}

main().catch((err) => {
  process.stderr.write(String(err?.stack ?? err) + '\n');
  process.exit(1);
});
