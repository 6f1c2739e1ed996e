// Issue 19: the example vectors of docs/framing.md, per shipped profile (h2, bss86, card-recharge), are what
// src/server/framing-vectors.ts makes through the gateway's own text session (a stale section
// fails here: `npm run docs:framing`), and each reply vector reads back, with the profile's packet
// decoder and the response layout, as the spec example's reply.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTRACTS } from '../../handlers/contracts/index.js';
import { framingVectors, shippedProfiles, updateFramingDoc, VECTOR_CHECK_KEY } from '../../src/server/framing-vectors.js';
import { verifyPacket } from '../../protocol/framing/check.js';
import { PacketAssembler, PacketDecoder } from '../../protocol/framing/packet.js';
import { decodeTextBody } from '../../protocol/framing/text-body.js';
import { root } from '../helpers/serve.js';

const profiles = shippedProfiles(root);

t.test('issue 19 docs/framing.md: the example vectors section is current (npm run docs:framing)', async (t) => {
  const file = join(root, 'docs/framing.md');
  const old = readFileSync(file, 'utf8');
  const fresh = await updateFramingDoc(old, profiles, CONTRACTS);
  t.ok(fresh === old, 'docs/framing.md is current');
  for (const p of profiles) t.match(old, `### Profile \`${p.name}\``);
});

for (const p of profiles) {
  t.test(`issue 19 ${p.name}: every vector's reply reads back as its spec example's reply (CS-01 … SM-02)`, async (t) => {
    const vs = await framingVectors(p, CONTRACTS);
    t.ok(vs.length >= (p.role.serial ? 45 : 38), `${vs.length} business types`);
    for (const v of vs) {
      const dec = new PacketDecoder(p);
      const asm = new PacketAssembler(p, { maxPackets: 100, maxBytes: 1 << 24 });
      let body: Buffer | undefined;
      for (const it of dec.push(Buffer.concat(v.reply))) if (it.kind === 'packet') body = asm.add(it.packet)?.body ?? body;
      t.ok(body, `${v.contract.name}: a whole reply`);
      const got = decodeTextBody(p, v.contract.response, body!);
      // Free text written with a control character has it as a space (docs/framing.md "Body").
      const want = JSON.parse(JSON.stringify(v.contract.example!.response, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : typeof x === 'string' ? x.replace(/[\x00-\x1f\x7f]/g, ' ') : x)));
      t.strictSame(JSON.parse(JSON.stringify(got, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x))), want, `${[...v.contract.ids, v.contract.name].join(' ')}: the example reply`);
    }
  });
}

t.test('issue 19 card-recharge: every vector packet, both ways, carries a check code that verifies under the documented test key; the profile\'s example packets too', async (t) => {
  const p = profiles.find((x) => x.name === 'card-recharge')!;
  t.ok(p.check, 'card-recharge is shipped with its check code');
  const vs = await framingVectors(p, CONTRACTS);
  let n = 0;
  for (const v of vs) {
    for (const pkt of [...v.request, ...v.reply]) {
      t.ok(verifyPacket(p, VECTOR_CHECK_KEY, pkt), `${v.contract.name}: ${pkt.length} bytes`);
      n++;
    }
  }
  t.ok(n >= 90, `${n} packets`);
  for (const ex of p.examples) t.ok(verifyPacket(p, VECTOR_CHECK_KEY, ex.packet), `example: ${ex.comment.slice(0, 40)}`);
  t.ok(p.examples.length >= 2);
});
