// Issue 19: framing profiles as data (strict loader), the text body codec, and a packet decoder
// that never trusts the peer — split at every offset and random input, for each shipped profile.
import t, { type Test } from 'tap';
import fc from 'fast-check';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodePackets, loadFramingProfile, PacketAssembler, PacketDecoder, PacketError, splitBody, type Item } from '../../protocol/framing/packet.js';
import { parseProfile, ProfileError, type FramingProfile } from '../../protocol/framing/profile.js';
import { decodeTextBody, encodeTextBody } from '../../protocol/framing/text-body.js';
import { LAYOUTS_BY_CODE } from '../../handlers/index.js';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/config/types.js';

const file = (n: string) => fileURLToPath(new URL(`../../config/framing/${n}.json`, import.meta.url));
const json = (n: string) => JSON.parse(readFileSync(file(n), 'utf8')) as Record<string, unknown>;
const H2 = loadFramingProfile(file('h2'));
const BSS = loadFramingProfile(file('bss86'));
const SHIPPED: FramingProfile[] = [H2, BSS];

/** The shipped card-recharge profile: '@', the length without '@'/0x1A, the heartbeat, a check code, a fixed-width body. */
const CARD = loadFramingProfile(file('card-recharge'));

function profileError(t: Test, fn: () => unknown): ProfileError {
  try {
    fn();
  } catch (err) {
    t.type(err, ProfileError);
    return err as ProfileError;
  }
  t.fail('expected a ProfileError');
  return new ProfileError('', '', '');
}

t.test('issue 19: the shipped profiles load; each example packet reads', async (t) => {
  t.equal(H2.headerSize, 23);
  t.equal(BSS.headerSize, 86);
  t.equal(CARD.headerSize, 113);
  t.ok(H2.examples.length >= 3 && BSS.examples.length >= 3);
});

t.test('issue 19: card-recharge loads with its check code: 3DES retail MAC over time + accessId + the last 8 of the serial, base64 in a 32-character field', async (t) => {
  const p = loadFramingProfile(file('card-recharge'));
  t.equal(p.check?.algorithm, '3des-mac');
  t.equal(p.check?.field.name, 'check');
  t.same(p.check?.covers.map((c) => (c.kind === 'body' ? 'body' : `${c.field.name}${c.last ? `[-${c.last}]` : ''}`)), ['time', 'accessId', 'serial[-8]']);
  t.equal(p.check?.encoding, 'base64');
  t.equal(p.check?.bytes, 8);
});

t.test('issue 19: check-code declarations are checked at load, each problem naming its JSON path', async (t) => {
  const bad = (mut: (d: Record<string, unknown> & { header: Record<string, unknown>[]; check: Record<string, unknown> }) => void, opts?: { ciphers?: string[] }) => {
    const d = json('card-recharge') as Record<string, unknown> & { header: Record<string, unknown>[]; check: Record<string, unknown> };
    mut(d);
    return profileError(t, () => parseProfile(d, 'x.json', opts));
  };
  t.equal(bad((d) => delete (d as { check?: unknown }).check).path, '$.check', 'a check field without a check block (a code nobody verifies) is refused');
  t.equal(bad((d) => (d.check.algorithm = 'md5')).path, '$.check.algorithm');
  t.equal(bad((d) => (d.check.algorithm = 'hmac-sha256')).path, '$.check.bytes', 'HMAC-SHA-256 in base64 is 44 characters: more than the 32 of the field');
  t.equal(bad((d) => (d.check.covers = ['time', 'nosuch'])).path, '$.check.covers[1]');
  t.equal(bad((d) => (d.check.covers = ['check'])).path, '$.check.covers[0]', 'a code cannot cover itself');
  t.equal(bad((d) => (d.check.covers = [{ field: 'serial', first: 2, last: 2 }])).path, '$.check.covers[0]');
  t.equal(bad((d) => (d.check.encoding = 'base32')).path, '$.check.encoding');
  const sm4 = bad((d) => (d.check.algorithm = 'sm4-mac'), { ciphers: ['des-ede3-cbc'] });
  t.equal(sm4.path, '$.check.algorithm', 'sm4-mac on a Node without SM4 is refused');
  t.match(sm4.problem, /SM4 \(sm4-cbc\).*getCiphers/);
  const noField = json('h2') as Record<string, unknown>;
  noField.check = { algorithm: '3des-mac', covers: ['body'], encoding: 'hex' };
  t.equal(profileError(t, () => parseProfile(noField, 'x.json')).path, '$.check', 'a check block without a check field');
  // Accepted: HMAC-SHA-256 kept to 24 bytes (32 base64 characters); SM4 where node:crypto has it.
  const ok = json('card-recharge') as Record<string, unknown> & { check: Record<string, unknown> };
  ok.check = { algorithm: 'hmac-sha256', bytes: 24, covers: ['serial', 'body'], encoding: 'base64' };
  t.equal(parseProfile(ok, 'x.json').check?.bytes, 24);
  ok.check = { algorithm: 'sm4-mac', covers: ['serial'], encoding: 'HEX' };
  t.equal(parseProfile(ok, 'x.json', { ciphers: ['sm4-cbc'] }).check?.algorithm, 'sm4-mac');
});

t.test('issue 19: the loader is strict: each problem names the JSON path', async (t) => {
  const bad = (mut: (d: Record<string, unknown> & { header: Record<string, unknown>[] }) => void) => {
    const d = json('h2') as Record<string, unknown> & { header: Record<string, unknown>[] };
    mut(d);
    return profileError(t, () => parseProfile(d, 'x.json'));
  };
  t.equal(bad((d) => (d.header[0].width = '5')).path, '$.header[0].width');
  t.equal(bad((d) => (d.header[2].role = 'servise')).path, '$.header[2].role');
  t.equal(bad((d) => (d.header[3].colour = 'red')).path, '$.header[3].colour');
  t.equal(bad((d) => (d.bodyy = {})).path, '$.bodyy');
  t.equal(bad((d) => ((d.services as { table: Record<string, unknown> }).table['000999'] = 'CS-99')).path, '$.services.table["000999"]');
  t.equal(bad((d) => ((d.errors as { table: Record<string, unknown> }).table['1234'] = '00001')).path, '$.errors.table["1234"]');
  t.equal(bad((d) => (d.length = { counts: ['start', 'header'] })).path, '$.length.counts');
  t.equal(bad((d) => (d.header = d.header.filter((f) => f.role !== 'length'))).path, '$.header');
  t.equal(bad((d) => (d.correlation = 'serial')).path, '$.correlation', 'correlation by serial needs a serial field');
  const tmp = mkdtempSync(join(tmpdir(), 'framing-'));
  const badExample = json('h2') as { examples: { packet: string }[] };
  badExample.examples[0].packet = '25    00010100001100000\u001a';
  writeFileSync(join(tmp, 'ex.json'), JSON.stringify(badExample));
  const ex = profileError(t, () => loadFramingProfile(join(tmp, 'ex.json')));
  t.equal(ex.path, '$.examples[0].packet', 'an example whose length disagrees with its 0x1A');
  t.match(ex.problem, /length field says 25/);
  const notJson = join(tmp, 'p.json');
  writeFileSync(notJson, '{ "name": ');
  t.match(profileError(t, () => loadFramingProfile(notJson)).message, /p\.json: \$: not JSON/);
});

t.test('issue 19: [interface.x] framing: v1 by default, a profile file relative to the INI, a bad profile names INI file, section, key and the profile path', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'framing-ini-'));
  mkdirSync(join(dir, 'framing'));
  copyFileSync(file('h2'), join(dir, 'framing/h2.json'));
  copyFileSync(file('card-recharge'), join(dir, 'framing/card-recharge.json'));
  const ini = (body: string) => {
    const p = join(dir, `t${Math.random().toString(36).slice(2)}.ini`);
    writeFileSync(p, `[database]\ntype = sqlite\n${body}`);
    return p;
  };
  t.equal(loadConfig([ini('[interface.cs]\nport = 19921\n')], {}).interfaces[0].framing, undefined, 'default v1');
  t.equal(loadConfig([ini('[interface.cs]\nport = 19921\nframing = v1\n')], {}).interfaces[0].framing, undefined);
  t.equal(loadConfig([ini('[interface.cs]\nport = 19921\nframing = framing/h2.json\n')], {}).interfaces[0].framing?.name, 'h2');
  const refused = (body: string): ConfigError => {
    const p = ini(body);
    try {
      loadConfig([p], {});
    } catch (err) {
      t.type(err, ConfigError);
      t.match((err as Error).message, p);
      return err as ConfigError;
    }
    t.fail('expected a ConfigError');
    return new ConfigError('', '', '', '');
  };
  const e1 = refused('[interface.cs]\nport = 19921\nframing = framing/card-recharge.json\n');
  t.match(e1.message, /\[interface\.cs\] check_keys: profile card-recharge declares a check code \(3des-mac\) and no key is configured/, 'a profile with a check code and no key does not start');
  const e2 = refused('[interface.cs]\nport = 19921\nframing = framing/h2.json\nbody = x\n');
  t.match(e2.message, /interface\.cs/);
  t.match(refused('[interface.cs]\nport = 19921\nframing = framing/none.json\n').message, /none\.json: cannot read: ENOENT/);
});

// ---------------------------------------------------------------------------------------------
// The packet decoder.

/** A stream of requests: the profile's example requests, then a 3-packet request. */
function stream(p: FramingProfile): { bytes: Buffer; messages: number } {
  const parts = p.examples.filter((e) => e.direction === 'request').map((e) => e.packet);
  const small: FramingProfile = { ...p, packets: { ...p.packets, size: p.headerSize + 2 + 40 } };
  const lines = Array.from({ length: 6 }, (_, i) => `line${i}\tvalue ${i}`).join('\r\n');
  const multi = encodePackets(small, { service: '101', serial: 'S1', time: '240601093001' }, Buffer.from(lines));
  return { bytes: Buffer.concat([...parts, ...multi]), messages: parts.length + 1 };
}

function readAll(p: FramingProfile, chunks: Buffer[]): { messages: Buffer[]; packets: number } {
  const d = new PacketDecoder(p);
  const a = new PacketAssembler(p, { maxPackets: 16, maxBytes: 65536 });
  const messages: Buffer[] = [];
  let packets = 0;
  for (const c of chunks) {
    for (const it of d.push(c)) {
      if (it.kind !== 'packet') continue;
      packets++;
      const m = a.add(it.packet);
      if (m) messages.push(m.body);
    }
  }
  if (d.pending !== 0) throw new Error(`${d.pending} bytes held after the whole stream`);
  return { messages, packets };
}

for (const p of [...SHIPPED, CARD]) {
  t.test(`issue 19 ${p.name}: split at every offset, the same messages as in one piece`, async (t) => {
    const { bytes, messages } = stream(p);
    const whole = readAll(p, [bytes]);
    t.equal(whole.messages.length, messages);
    t.ok(whole.packets > messages, 'the last message came in several packets');
    for (let i = 0; i <= bytes.length; i++) {
      const split = readAll(p, [bytes.subarray(0, i), bytes.subarray(i)]);
      if (split.messages.length !== whole.messages.length || !split.messages.every((m, k) => m.equals(whole.messages[k]))) {
        t.fail(`split at ${i}`);
        return;
      }
    }
    // And one byte at a time.
    const bytewise = readAll(p, [...bytes].map((b) => Buffer.from([b])));
    t.strictSame(bytewise.messages, whole.messages);
  });

  t.test(`issue 19 ${p.name}: random input never throws anything but a PacketError, and never holds more than one packet`, async () => {
    const { bytes } = stream(p);
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.constantFrom(...[...bytes].map((_, i) => bytes.subarray(i, i + 30))), fc.constant(Buffer.from([p.terminator]))), { maxLength: 60 }),
        (chunks) => {
          const d = new PacketDecoder(p);
          const a = new PacketAssembler(p, { maxPackets: 4, maxBytes: 1000 });
          try {
            for (const c of chunks) {
              for (const it of d.push(Buffer.from(c)) as Item[]) if (it.kind === 'packet') a.add(it.packet);
              if (d.pending > p.packets.size) return false;
            }
          } catch (err) {
            return err instanceof PacketError;
          }
          return true;
        },
      ),
      { numRuns: 400 },
    );
  });

  t.test(`issue 19 ${p.name}: any one byte of a valid packet changed is read the same or refused with a PacketError`, async () => {
    const pkt = encodePackets(p, { service: '114', serial: 'S1', time: '240601093001' }, Buffer.from('13997000001'))[0];
    new PacketDecoder(p).push(pkt); // valid as it is
    fc.assert(
      fc.property(fc.nat(pkt.length - 1), fc.integer({ min: 0, max: 255 }), (at, v) => {
        const b = Buffer.from(pkt);
        b[at] = v;
        try {
          new PacketDecoder(p).push(b);
          return true;
        } catch (err) {
          return err instanceof PacketError;
        }
      }),
      { numRuns: 500 },
    );
  });
}

function refusal(t: Test, p: FramingProfile, chunks: Buffer[], re: RegExp, assemble = false): PacketError {
  const d = new PacketDecoder(p);
  const a = new PacketAssembler(p, { maxPackets: 2, maxBytes: 100 });
  try {
    for (const c of chunks) for (const it of d.push(c)) if (assemble && it.kind === 'packet') a.add(it.packet);
  } catch (err) {
    t.type(err, PacketError);
    t.match((err as Error).message, re);
    return err as PacketError;
  }
  t.fail(`expected a refusal matching ${re}`);
  return new PacketError('MALFORMED_HEADER', '');
}

t.test('issue 19: what the decoder refuses, and with which return code', async (t) => {
  const ok = H2.examples[0].packet; // "24    00010100001100000\x1a"
  const withLen = (s: string) => Buffer.concat([Buffer.from(s, 'latin1'), ok.subarray(5)]);
  t.equal(refusal(t, H2, [withLen('25   ')], /length field says 25.*makes 24/).rc, 'MALFORMED_HEADER', 'length disagrees with the 0x1A');
  t.equal(refusal(t, H2, [withLen('2x   ')], /length field "2x   " is not digits/).rc, 'MALFORMED_HEADER');
  t.equal(refusal(t, H2, [withLen(' 24  ')], /not digits/).rc, 'MALFORMED_HEADER', 'left-aligned means no leading pad');
  const e = refusal(t, H2, [withLen('25   ')], /./);
  t.equal(e.raw?.service, '000101', 'the header read so far addresses the answer');
  // No terminator: refused once the packet size is exceeded, not held forever.
  const noEnd = Buffer.alloc(H2.packets.size + 1, 0x41);
  t.equal(refusal(t, H2, [noEnd.subarray(0, 10000), noEnd.subarray(10000)], /no terminator 0x1A within 20000 bytes/).rc, 'FRAME_TOO_LARGE');
  t.equal(refusal(t, H2, [Buffer.from('2\x1a')], /header alone takes 23/).rc, 'FRAME_TOO_SHORT');
  // Packet numbers.
  const pk = (n: string, last: string) => Buffer.from(`24    000101${n}${last}00000\x1a`, 'latin1');
  refusal(t, H2, [pk('00002', '1')], /packet number 2, expected 1/, true);
  refusal(t, H2, [pk('00001', '0'), pk('00003', '1')], /packet number 3, expected 2/, true);
  refusal(t, H2, [pk('00001', '0'), pk('00002', '0'), pk('00003', '1')], /more than 2 packets/, true);
  refusal(t, H2, [pk('00001', '2')], /last-packet flag "2"/);
  refusal(t, H2, [pk('0000x', '1')], /packet number "0000x"/);
  refusal(t, H2, [pk('00001', '0'), Buffer.from('24    00011400002100000\x1a')], /service "000114", packet 1 had "000101"/, true);
  // BSS: the version is a constant.
  const b = Buffer.from(BSS.examples[0].packet);
  b.write('11', 0, 'latin1');
  refusal(t, BSS, [b], /version is "11", expected "10"/);
  // Card recharge: '@' first, else refused at once (before any terminator arrives).
  refusal(t, CARD, [Buffer.from('X')], /begins with 'X' \(0x58\), not the start byte '@' \(0x40\)/);
});

t.test('issue 19: heartbeats are items; a flood of them is refused', async (t) => {
  let now = 1_000_000;
  const d = new PacketDecoder(CARD, { now: () => now });
  const hb = Buffer.from('@GWHEARTBEATTEST\x1a', 'latin1');
  for (let i = 0; i < 10; i++) t.strictSame(d.push(hb), [{ kind: 'heartbeat' }]);
  now += 61_000;
  t.strictSame(d.push(hb), [{ kind: 'heartbeat' }], 'a minute later the count starts over');
  for (let i = 0; i < 9; i++) d.push(hb);
  t.throws(() => d.push(hb), /more than 10 heartbeats in a minute/);
});

// ---------------------------------------------------------------------------------------------
// Packets out, bodies.

t.test('issue 19: a long reply is split into numbered packets of at most the packet size, whole records each; concatenated it is the body', async (t) => {
  const records = Array.from({ length: 500 }, (_, i) => `V\t01\t1389700${String(i).padStart(4, '0')}\t20240502093015\t125\t0\t0\t0971\t\t60\t0\t60`);
  const body = Buffer.from(records.join('\r\n'), 'latin1');
  const pkts = encodePackets(H2, { service: '001100', flag: '1', error: '00000' }, body);
  t.ok(pkts.length >= 2, `${pkts.length} packets`);
  const read = readAll(H2, [Buffer.concat(pkts)]);
  t.equal(read.packets, pkts.length);
  t.ok(read.messages[0].equals(body));
  pkts.forEach((p, i) => {
    t.ok(p.length <= H2.packets.size, `packet ${i + 1}: ${p.length} bytes`);
    t.equal(p.toString('latin1', 12, 17), String(i + 1).padStart(5, '0'), 'numbered from 00001');
    t.equal(p.toString('latin1', 17, 18), i === pkts.length - 1 ? '1' : '0', 'the last flag');
    if (i < pkts.length - 1) t.equal(p.toString('latin1', p.length - 3, p.length - 1), '\r\n', 'whole records');
  });
  // A record longer than a packet is cut on a GBK character boundary.
  const cjk = Buffer.from([0xd6, 0xd0, 0xce, 0xc4, 0xd6, 0xd0]); // 中文中
  t.strictSame(splitBody(cjk, 3, '\r\n').map((x) => x.length), [2, 2, 2]);
});

t.test('issue 19: text bodies: layout order, lists as records, money as fen or yuan, empty values', async (t) => {
  const l111 = LAYOUTS_BY_CODE.get(111)!.response;
  const page = {
    total: 2,
    items: [
      { kind: 'V', type: '01', othernum: '13897001234', start: '20240502093015', duration: 125, roamtype: '0', longtype: '0', visitarea: '0971', spcode: '', basefee: 60n, longfee: 0n, fee: 60n },
      { kind: 'S', type: '01', othernum: '13897001234', start: '20240502093512', duration: 0, roamtype: '', longtype: '', visitarea: '', spcode: '', basefee: -5n, longfee: 0n, fee: 10n },
    ],
  };
  const h2 = encodeTextBody(H2, l111, page).toString('latin1');
  t.equal(h2.split('\r\n').length, 3, 'total, then one record per item (a single trailing list: no count record)');
  t.equal(h2.split('\r\n')[1], 'V\t01\t13897001234\t20240502093015\t125\t0\t0\t0971\t\t60\t0\t60');
  t.strictSame(decodeTextBody(H2, l111, Buffer.from(h2, 'latin1')), page);
  const yuan: FramingProfile = { ...BSS, body: { ...BSS.body, money: 'yuan', listCount: 'always' } };
  const y = encodeTextBody(yuan, l111, page).toString('latin1');
  t.equal(y.split('\r\n')[1], '2', 'listCount always: the count record');
  t.match(y, /\t0\.60\t0\.00\t0\.60/);
  t.match(y, /\t-0\.05\t/);
  t.match(y, /\t \t/, 'an empty value is one space on bss86');
  t.strictSame(decodeTextBody(yuan, l111, Buffer.from(y, 'latin1')), page);
  // Lists before other fields: each list is counted.
  const l104 = LAYOUTS_BY_CODE.get(104)!.response;
  t.ok(l104.findIndex((f) => f.type === 'list') < l104.length - 1);
  t.throws(() => decodeTextBody(H2, LAYOUTS_BY_CODE.get(114)!.request, Buffer.from('1\t2')), /record 1 has 2 fields, the layout 1 \(svcnum\)/);
  t.throws(() => decodeTextBody(H2, LAYOUTS_BY_CODE.get(111)!.request, Buffer.from('x\t1\t139\t202405')), /offset: not an unsigned integer "x"/);
  t.throws(() => decodeTextBody(yuan, LAYOUTS_BY_CODE.get(303)!.request, Buffer.from('139\t1.234')), /amount: not an amount of yuan/);
});
