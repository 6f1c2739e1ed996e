// Issue 19 check codes: known-answer tests of the primitives from published vectors; the
// JavaScript DES (protocol/framing/des.ts) against published DES/3DES vectors and node:crypto.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkCode, desCbc, hmacSha256, mac9797Alg3, macSm4, pad9797, sameCode, sm4Available, sm4Cbc } from '../../protocol/framing/check-code.js';
import { coveredBytes, packetCode, verifyPacket } from '../../protocol/framing/check.js';
import { cbcEncrypt, desKeySchedule, RetailMac, retailMacKey, reverseSchedule } from '../../protocol/framing/des.js';
import { encodePackets, loadFramingProfile } from '../../protocol/framing/packet.js';
import { parseProfile } from '../../protocol/framing/profile.js';

const hex = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');

t.test('issue 19 HMAC-SHA-256: RFC 4231 test cases 1 and 2', async (t) => {
  t.equal(hmacSha256(Buffer.alloc(20, 0x0b), Buffer.from('Hi There')).toString('hex'), 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7', 'case 1');
  t.equal(hmacSha256(Buffer.from('Jefe'), Buffer.from('what do ya want for nothing?')).toString('hex'), '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843', 'case 2');
  t.ok(checkCode('hmac-sha256', Buffer.from('Jefe'), Buffer.from('what do ya want for nothing?')).equals(hex('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843')));
});

t.test('issue 19 DES (single, through des-ede3 with K1 = K2 = K3): the textbook vector 133457799BBCDFF1 / 0123456789ABCDEF → 85E813540F0AB405', async (t) => {
  t.equal(desCbc(hex('133457799BBCDFF1'), hex('0123456789ABCDEF')).toString('hex').toUpperCase(), '85E813540F0AB405');
});

t.test('issue 19 3DES MAC: ISO/IEC 9797-1 MAC algorithm 3, Annex B ("Now is the time for all ", K = 0123456789ABCDEF FEDCBA9876543210, padding 1) → A1C72E74EA3FA9B6', async (t) => {
  const key = hex('0123456789ABCDEF FEDCBA9876543210');
  t.equal(mac9797Alg3(key, Buffer.from('Now is the time for all ')).toString('hex').toUpperCase(), 'A1C72E74EA3FA9B6');
  t.ok(checkCode('3des-mac', key, Buffer.from('Now is the time for all ')).equals(hex('A1C72E74EA3FA9B6')));
  t.not(mac9797Alg3(key, Buffer.from('Now is the time for all!')).toString('hex').toUpperCase(), 'A1C72E74EA3FA9B6', 'one byte changed, another code');
  t.throws(() => mac9797Alg3(Buffer.alloc(8), Buffer.from('x')), /16 bytes/, 'a key of the wrong length is refused');
});

t.test('issue 19 checkCode (3des-mac in JavaScript; sm4-mac on kept cipher contexts, one per key, chained across calls) gives the codes of fresh node:crypto contexts: random keys, every length 0..70, both paddings, interleaved keys', async (t) => {
  const { randomBytes } = await import('node:crypto');
  const keys = [randomBytes(16), randomBytes(16), hex('0123456789ABCDEFFEDCBA9876543210')];
  let checked = 0;
  for (let round = 0; round < 2; round++) {
    for (let len = 0; len <= 70; len++) {
      for (const key of keys) {
        const data = randomBytes(len);
        for (const padding of [1, 2] as const) {
          if (!checkCode('3des-mac', key, data, padding).equals(mac9797Alg3(key, data, padding))) t.fail(`3des-mac, ${len} bytes, padding ${padding}`);
          if (sm4Available() && !checkCode('sm4-mac', key, data, padding).equals(macSm4(key, data, padding))) t.fail(`sm4-mac, ${len} bytes, padding ${padding}`);
          checked++;
        }
      }
    }
  }
  t.equal(checked, 2 * 71 * keys.length * 2, 'every case compared');
  const data = Buffer.from('Now is the time for all ');
  const copy = Buffer.from(data);
  checkCode('3des-mac', keys[2], data);
  t.ok(data.equals(copy), 'the data is not changed');
});

t.test('issue 19 ISO/IEC 9797-1 padding methods 1 and 2; codes compared in constant time', async (t) => {
  t.equal(pad9797(Buffer.alloc(0), 1).length, 8, 'method 1: empty data is one zero block');
  t.equal(pad9797(Buffer.alloc(8, 1), 1).length, 8, 'method 1: a whole block is not padded');
  t.same([...pad9797(Buffer.alloc(8, 1), 2).subarray(8)], [0x80, 0, 0, 0, 0, 0, 0, 0], 'method 2: always a 0x80 byte');
  t.ok(sameCode(hex('A1C72E74EA3FA9B6'), hex('A1C72E74EA3FA9B6')));
  t.notOk(sameCode(hex('A1C72E74EA3FA9B6'), hex('A1C72E74EA3FA9B7')));
  t.notOk(sameCode(hex('A1C72E74EA3FA9B6'), hex('A1C72E74EA3FA9')));
});

t.test('issue 19 SM4: GB/T 32907-2016 Appendix A example 1 (K = P = 0123456789ABCDEFFEDCBA9876543210 → 681EDF34D206965E86B3E94F536E4246); the SM4 MAC (ISO/IEC 9797-1 MAC algorithm 1)', async (t) => {
  t.ok(sm4Available(), 'this Node/OpenSSL build has sm4-cbc (crypto.getCiphers())');
  t.notOk(sm4Available(['des-ede3-cbc']), 'a build without it is told apart');
  const k = hex('0123456789ABCDEFFEDCBA9876543210');
  t.equal(sm4Cbc(k, k).toString('hex').toUpperCase(), '681EDF34D206965E86B3E94F536E4246', 'one block');
  t.equal(macSm4(k, k).toString('hex').toUpperCase(), '681EDF34D206965E86B3E94F536E4246', 'the MAC of one whole block (padding 1 adds nothing) is its cipher block');
  t.ok(checkCode('sm4-mac', k, k).equals(hex('681EDF34D206965E86B3E94F536E4246')));
  // Two blocks: CBC chains them, E(E(P) xor P).
  const c1 = hex('681EDF34D206965E86B3E94F536E4246');
  const x = Buffer.from(c1.map((b, i) => b ^ k[i]));
  t.ok(macSm4(k, Buffer.concat([k, k])).equals(sm4Cbc(k, x)), 'two blocks: the second enciphered after the first is XORed in');
  t.equal(macSm4(k, Buffer.from('abc'), 2).length, 16, 'padding 2: 16 bytes');
  t.not(macSm4(k, Buffer.from('abc'), 1).toString('hex'), macSm4(k, Buffer.from('abc'), 2).toString('hex'), 'the padding method changes the code');
  t.throws(() => sm4Cbc(Buffer.alloc(8), k), /16 bytes/);
});

t.test('issue 19 card-recharge A9: the code covers time + accessId + the last 8 of the serial, as on the wire; base64 of the 8-byte retail MAC, left in a 32-character field', async (t) => {
  const p = loadFramingProfile(fileURLToPath(new URL('../../config/framing/card-recharge.json', import.meta.url)));
  const key = hex('0123456789ABCDEF FEDCBA9876543210');
  const values = { serial: 'QH000000000000000152', service: '010201', bizType: '01', phone: '13997000001', phoneType: '1', accessId: '001', time: '240601093001' };
  const [pkt] = encodePackets(p, values, Buffer.from('13997000001'), key);
  const covered = Buffer.from('240601093001' + '001' + '00000152', 'latin1');
  const want = mac9797Alg3(key, covered).toString('base64');
  t.equal(want.length, 12);
  const at = 1 + p.check!.field.offset;
  t.equal(pkt.toString('latin1', at, at + 32), want.padEnd(32, ' '), 'the check field');
  t.ok(verifyPacket(p, key, pkt), 'verifies');
  const other = Buffer.from(pkt);
  other.write('9', 1 + p.role.serial!.offset + 19, 'latin1'); // the serial's last character
  t.notOk(verifyPacket(p, key, other), 'a covered byte changed: refused');
  const body = Buffer.from(pkt);
  body[body.length - 2] ^= 1;
  t.ok(verifyPacket(p, key, body), 'the body is not covered by this profile');
  t.notOk(verifyPacket(p, hex('0123456789ABCDEF 0123456789ABCDEF'), pkt), 'another key: refused');
  const blank = Buffer.from(pkt);
  blank.write(' '.repeat(32), at, 'latin1');
  t.notOk(verifyPacket(p, key, blank), 'no code: refused');
});

t.test('issue 19 check codes over the body, hex: HMAC-SHA-256 (RFC 4231 case 2) as a profile declares it', async (t) => {
  const doc = JSON.parse(readFileSync(fileURLToPath(new URL('../../config/framing/card-recharge.json', import.meta.url)), 'utf8')) as Record<string, unknown>;
  doc.check = { algorithm: 'hmac-sha256', bytes: 16, covers: ['body'], encoding: 'HEX' };
  delete doc.body;
  const p = parseProfile(doc, 'hmac (test)');
  const [pkt] = encodePackets(p, { serial: 'S1', service: '010201', time: '240601093001' }, Buffer.from('what do ya want for nothing?'), Buffer.from('Jefe'));
  const at = 1 + p.check!.field.offset;
  t.equal(pkt.toString('latin1', at, at + 32), '5BDCC146BF60754E6A042426089575C7', 'the first 16 bytes of the RFC 4231 case 2 HMAC, upper-case hex');
  const lower = Buffer.from(pkt);
  lower.write('5bdcc146bf60754e6a042426089575c7', at, 'latin1');
  t.ok(verifyPacket(p, Buffer.from('Jefe'), lower), 'hex is read in either case');
});

t.test('issue 19 checkCode (kept cipher contexts) equals the reference MACs, call after call, for every length and both paddings', async (t) => {
  const k3 = hex('0123456789ABCDEF FEDCBA9876543210');
  const k4 = hex('0123456789ABCDEFFEDCBA9876543210');
  for (let len = 0; len <= 40; len++) {
    const data = Buffer.from(Array.from({ length: len }, (_, i) => (i * 37 + len) & 0xff));
    for (const padding of [1, 2] as const) {
      t.ok(checkCode('3des-mac', k3, data, padding).equals(mac9797Alg3(k3, data, padding)), `3des-mac ${len} bytes, padding ${padding}`);
      t.ok(checkCode('sm4-mac', k4, data, padding).equals(macSm4(k4, data, padding)), `sm4-mac ${len} bytes, padding ${padding}`);
    }
  }
  t.throws(() => checkCode('3des-mac', Buffer.alloc(8), Buffer.from('x')), /16 bytes/);
});

// ── protocol/framing/des.ts: the JavaScript DES the 3DES MAC runs on ──

/** DES / 3DES of whole blocks in ECB mode by the JavaScript implementation (one stage: DES; K1, K2, K3: EDE). */
function jsEcb(key: Buffer, data: Buffer): Buffer {
  const ks = key.length === 8 ? [desKeySchedule(key)] : [desKeySchedule(key, 0), reverseSchedule(desKeySchedule(key, 8)), desKeySchedule(key, 16)];
  const out: Buffer[] = [];
  for (let at = 0; at < data.length; at += 8) out.push(cbcEncrypt(ks, data.subarray(at, at + 8)));
  return Buffer.concat(out);
}

t.test('issue 19 JavaScript DES: published vectors (the textbook key 133457799BBCDFF1; FIPS 81 "Now is the time for all "; NIST SP 800-17 variable-plaintext and variable-key first entries)', async (t) => {
  t.equal(jsEcb(hex('133457799BBCDFF1'), hex('0123456789ABCDEF')).toString('hex').toUpperCase(), '85E813540F0AB405');
  t.equal(jsEcb(hex('0123456789ABCDEF'), Buffer.from('Now is the time for all ')).toString('hex').toUpperCase(), '3FA40E8A984D48156A271787AB8883F9893D51EC4B563B53');
  t.equal(jsEcb(hex('0101010101010101'), hex('8000000000000000')).toString('hex').toUpperCase(), '95F8A5E5DD31D900');
  t.equal(jsEcb(hex('8001010101010101'), hex('0000000000000000')).toString('hex').toUpperCase(), '95A8D72813DAA94D');
  t.equal(jsEcb(hex('FE01010101010101'), hex('0000000000000000')).toString('hex'), jsEcb(hex('FF01010101010101'), hex('0000000000000000')).toString('hex'), 'parity bits are ignored');
});

t.test('issue 19 JavaScript 3DES: NIST SP 800-67 example (K1 0123456789ABCDEF, K2 23456789ABCDEF01, K3 456789ABCDEF0123, "The qufck brown fox jump")', async (t) => {
  t.equal(jsEcb(hex('0123456789ABCDEF 23456789ABCDEF01 456789ABCDEF0123'), Buffer.from('The qufck brown fox jump')).toString('hex').toUpperCase(), 'A826FD8CE53B855FCCE21C8112256FE668D5C05DD9B6B900');
});

t.test('issue 19 JavaScript DES and 3DES in CBC mode equal node:crypto des-ede3-cbc: random keys, every whole-block length to 200 bytes', async (t) => {
  const { createCipheriv, randomBytes } = await import('node:crypto');
  const node = (key24: Buffer, data: Buffer) => {
    const c = createCipheriv('des-ede3-cbc', key24, Buffer.alloc(8));
    c.setAutoPadding(false);
    return Buffer.concat([c.update(data), c.final()]);
  };
  let n = 0;
  for (let len = 8; len <= 200; len += 8) {
    for (let i = 0; i < 4; i++) {
      const k = randomBytes(24);
      const data = randomBytes(len);
      const three = cbcEncrypt([desKeySchedule(k, 0), reverseSchedule(desKeySchedule(k, 8)), desKeySchedule(k, 16)], data);
      if (!three.equals(node(k, data))) t.fail(`3DES, ${len} bytes, key ${k.toString('hex')}`);
      const k1 = k.subarray(0, 8);
      if (!cbcEncrypt([desKeySchedule(k1)], data).equals(desCbc(k1, data))) t.fail(`DES, ${len} bytes, key ${k1.toString('hex')}`);
      n++;
    }
  }
  t.equal(n, 25 * 4, 'every case compared');
});

t.test('issue 19 the JavaScript retail MAC (checkCode 3des-mac, RetailMac fed in pieces) equals ISO/IEC 9797-1 MAC algorithm 3 through node:crypto: random keys, every length 0..200, both paddings', async (t) => {
  const { randomBytes } = await import('node:crypto');
  let n = 0;
  for (let len = 0; len <= 200; len++) {
    const key = randomBytes(16);
    const data = randomBytes(len);
    for (const padding of [1, 2] as const) {
      const want = mac9797Alg3(key, data, padding);
      if (!checkCode('3des-mac', key, data, padding).equals(want)) t.fail(`checkCode, ${len} bytes, padding ${padding}`);
      // In pieces, as a packet's covered ranges are fed.
      const m = new RetailMac().begin(retailMacKey(key));
      const cut1 = Math.floor(len / 3);
      const cut2 = Math.floor((2 * len) / 3) + (len % 2);
      m.update(data, 0, cut1).update(data, cut1, Math.min(cut2, len)).update(data, Math.min(cut2, len), len);
      const got = Buffer.alloc(8);
      m.final(padding, got);
      if (!got.equals(want)) t.fail(`RetailMac in pieces, ${len} bytes, padding ${padding}`);
      n++;
    }
  }
  t.equal(n, 201 * 2, 'every case compared');
  t.throws(() => retailMacKey(Buffer.alloc(8)), /16 bytes/, 'a key of the wrong length is refused');
});

t.test('issue 19 packet codes (sign, verify, packetCode) equal the reference — the covered bytes concatenated, the node:crypto MAC, Buffer encodings — for every algorithm, encoding, padding and alignment (a hex code beginning with the pad "0" of a right-aligned field verifies: it did not)', async (t) => {
  const { randomBytes } = await import('node:crypto');
  const base = JSON.parse(readFileSync(fileURLToPath(new URL('../../config/framing/card-recharge.json', import.meta.url)), 'utf8')) as { header: { name: string; pad?: string; align?: string }[]; check: Record<string, unknown>; examples?: unknown };
  const variants: [string, (d: typeof base) => void][] = [
    ['as shipped (3des-mac, base64, padding 1)', () => {}],
    ['3des-mac, padding 2, covering the body too, HEX', (d) => Object.assign(d.check, { padding: 2, encoding: 'HEX', covers: ['time', 'body', { field: 'serial', first: 5 }] })],
    ['3des-mac, hex, 5 bytes, right-aligned with "0"', (d) => {
      Object.assign(d.check, { encoding: 'hex', bytes: 5 });
      Object.assign(d.header.find((h) => h.name === 'check')!, { pad: '0', align: 'right' });
    }],
    ['3des-mac, base64 of 7 bytes (one "=")', (d) => Object.assign(d.check, { bytes: 7, covers: ['body'] })],
    ['hmac-sha256, base64 of 24 bytes', (d) => Object.assign(d.check, { algorithm: 'hmac-sha256', bytes: 24, covers: ['serial', 'body'] })],
    ['sm4-mac, hex of 16 bytes, padding 2', (d) => Object.assign(d.check, { algorithm: 'sm4-mac', encoding: 'hex', padding: 2, covers: ['phone', 'body'] })],
  ];
  for (const [name, mut] of variants) {
    const d = JSON.parse(JSON.stringify(base)) as typeof base;
    delete d.examples;
    mut(d);
    const p = parseProfile(d, `${name}.json`);
    const c = p.check!;
    for (let i = 0; i < 30; i++) {
      const key = randomBytes(16);
      const body = Buffer.from(randomBytes(i * 7).toString('hex').slice(0, i * 7), 'latin1');
      const [pkt] = encodePackets(p, { serial: `S${i}`.padStart(i % 20 + 1, '7'), service: '010201', phone: `139${i}`, accessId: '001', time: '261207061500' }, body, key);
      // The reference: the covered bytes concatenated, the MAC of node:crypto (the algorithms' reference functions), the Buffer encoding.
      const parts = c.covers.map((cov) => {
        if (cov.kind === 'body') return pkt.subarray(1 + p.headerSize, pkt.length - 1);
        const a = 1 + cov.field.offset;
        const b = a + cov.field.width;
        return cov.first !== undefined ? pkt.subarray(a, a + cov.first) : cov.last !== undefined ? pkt.subarray(b - cov.last, b) : pkt.subarray(a, b);
      });
      const covered = Buffer.concat(parts);
      t.ok(coveredBytes(p, c, pkt).equals(covered), `${name}: the covered bytes`);
      const mac = (c.algorithm === '3des-mac' ? mac9797Alg3(key, covered, c.padding) : c.algorithm === 'sm4-mac' ? macSm4(key, covered, c.padding) : hmacSha256(key, covered)).subarray(0, c.bytes);
      const text = c.encoding === 'base64' ? mac.toString('base64') : c.encoding === 'hex' ? mac.toString('hex') : mac.toString('hex').toUpperCase();
      const at = 1 + c.field.offset;
      if (packetCode(p, key, pkt) !== text) t.fail(`${name} #${i}: packetCode`);
      const field = c.field.align === 'left' ? text.padEnd(c.field.width, c.field.pad) : text.padStart(c.field.width, c.field.pad);
      if (pkt.toString('latin1', at, at + c.field.width) !== field) t.fail(`${name} #${i}: the signed field ${pkt.toString('latin1', at, at + c.field.width)}, expected ${field}`);
      if (!verifyPacket(p, key, pkt)) t.fail(`${name} #${i}: verifies`);
      const bad = Buffer.from(pkt);
      bad[at + (c.field.align === 'left' ? 0 : c.field.width - 1)] ^= 0x01;
      if (verifyPacket(p, key, bad)) t.fail(`${name} #${i}: a changed code verifies`);
      if (c.encoding !== 'base64') {
        const other = Buffer.from(pkt);
        other.write(c.encoding === 'hex' ? field.toUpperCase() : field.toLowerCase(), at, 'latin1');
        if (!verifyPacket(p, key, other)) t.fail(`${name} #${i}: hex is read in either case`);
      }
      const dropped = c.field.align === 'left' ? text.slice(-1) : text.slice(0, 1);
      const short = Buffer.from(pkt);
      if (dropped !== c.field.pad) short.write(c.field.align === 'left' ? text.slice(0, -1).padEnd(c.field.width, c.field.pad) : text.slice(1).padStart(c.field.width, c.field.pad), at, 'latin1');
      if (dropped !== c.field.pad && verifyPacket(p, key, short)) t.fail(`${name} #${i}: a code one character short verifies`);
    }
    t.pass(`${name}: 30 packets`);
  }
});
