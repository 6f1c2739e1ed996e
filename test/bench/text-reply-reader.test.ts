// Issue 19: the load client's lean reader of a text profile's replies (bench/text-reply-reader.ts)
// counts the replies and reads their results exactly as the production packet decoder and
// assembler (protocol/framing/packet.ts, resultOf) do — single- and multi-packet replies of the
// three shipped profiles and of an operator's profile, cut at every byte boundary — and refuses a
// malformed stream (it throws) instead of miscounting.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { encodePackets, loadFramingProfile, PacketAssembler, PacketDecoder } from '../../protocol/framing/packet.js';
import { parseProfile, type FramingProfile } from '../../protocol/framing/profile.js';
import { resultOf } from '../../protocol/framing/codes.js';
import { TextReplyError, TextReplyReader } from '../../bench/text-reply-reader.js';

const file = (n: string) => fileURLToPath(new URL(`../../config/framing/${n}.json`, import.meta.url));
const KEY = Buffer.from('0123456789ABCDEFFEDCBA9876543210', 'hex');

/** An operator's profile unlike the shipped ones: a '#' start byte, a zero-padded right-aligned length counting everything, Y/N last flag, a 6-digit error field with a table, a constant, a heartbeat. */
const OPERATOR = parseProfile(
  {
    name: 'operator-x',
    start: '#',
    terminator: '0x1A',
    length: { counts: ['start', 'header', 'body', 'terminator'] },
    header: [
      { name: 'ver', role: 'constant', width: 3, value: 'V2' },
      { name: 'len', role: 'length', width: 6, pad: '0', align: 'right' },
      { name: 'svc', role: 'service', width: 4 },
      { name: 'ok', role: 'flag', width: 2, yes: 'OK', no: 'NO', value: '  ' },
      { name: 'err', role: 'error', width: 6, pad: ' ', align: 'right' },
      { name: 'no', role: 'packet', width: 3, pad: ' ', align: 'left' },
      { name: 'fin', role: 'last', width: 1, yes: 'Y', no: 'N' },
    ],
    errors: { table: { '9001': 'E1', '2001': 'E2001' } },
    heartbeat: { request: 'PING', reply: 'PONG' },
  },
  'operator-x.json',
);
const SHIPPED = ['h2', 'bss86', 'card-recharge'].map((n) => loadFramingProfile(file(n)));
const ALL: FramingProfile[] = [...SHIPPED, OPERATOR];

/** A copy of the profile with small packets, so that a body of some hundred bytes leaves in several. */
const small = (p: FramingProfile, size: number): FramingProfile => ({ ...p, packets: { ...p.packets, size } });

/** A deterministic ASCII body (records separated by the profile's separator; never the terminator). */
function body(p: FramingProfile, n: number, seed: number): Buffer {
  const out = Buffer.alloc(n);
  let x = seed * 2654435761;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = 0x21 + (x % 90);
  }
  const rs = Buffer.from(p.body.recordSeparator, 'latin1');
  for (let i = 17; i + rs.length < n; i += 23) rs.copy(out, i);
  return out;
}

/** Replies of every kind the gateway writes: answers and refusals (error table rows and digits), one packet and several. */
function replies(p: FramingProfile): Buffer {
  const ef = p.role.error?.name;
  const ff = p.role.flag?.name;
  const kinds: { error: string; flag: 'yes' | 'no'; len: number }[] = [
    { error: '0', flag: 'yes', len: 0 },
    { error: '0', flag: 'yes', len: 30 },
    { error: '02001', flag: 'no', len: 12 },
    { error: p.errors.table.values().next().value ?? '09001', flag: 'no', len: 0 },
    { error: '0', flag: 'yes', len: 700 },
    { error: '00000', flag: 'no', len: 5 },
    { error: '09003', flag: 'no', len: 400 },
    { error: '0', flag: 'yes', len: 1 },
  ];
  const sp = small(p, (p.start === undefined ? 0 : 1) + p.headerSize + 1 + 97);
  const parts: Buffer[] = [];
  kinds.forEach((k, i) => {
    const values: Record<string, string> = {};
    if (ef) values[ef] = k.error.padStart(p.role.error!.width, p.role.error!.pad === '0' ? '0' : ' ').slice(-p.role.error!.width);
    if (ff) values[ff] = k.flag === 'yes' ? p.role.flag!.yes! : p.role.flag!.no!;
    if (p.role.serial) values[p.role.serial.name] = `S${i}`;
    if (p.role.time) values[p.role.time.name] = '261201120000';
    parts.push(...encodePackets(sp, values, body(p, k.len, i + 1), p.check ? KEY : undefined));
    // A heartbeat answered between replies (profiles that have one).
    if (p.heartbeat && i === 2) parts.push(Buffer.concat([p.start === undefined ? Buffer.alloc(0) : Buffer.from([p.start]), p.heartbeat.reply, Buffer.from([p.terminator])]));
  });
  return Buffer.concat(parts);
}

/** The production reading: the packet decoder (heartbeat replies read as the text client does) and the assembler, resultOf on the first packet. */
function production(p: FramingProfile, chunks: Buffer[]): number[] {
  const dp = p.heartbeat ? { ...p, heartbeat: { ...p.heartbeat, request: p.heartbeat.reply, maxPerMinute: Number.MAX_SAFE_INTEGER } } : p;
  const dec = new PacketDecoder(dp);
  const asm = new PacketAssembler(p, { maxPackets: 100_000, maxBytes: 1 << 28 });
  const ef = p.role.error;
  const ff = p.role.flag;
  const out: number[] = [];
  for (const c of chunks) {
    for (const it of dec.push(c)) {
      if (it.kind !== 'packet') continue;
      const m = asm.add(it.packet);
      if (m) out.push(resultOf(p, ef ? m.first.raw[ef.name] : '', ff ? m.first.raw[ff.name] : ''));
    }
  }
  return out;
}

function lean(p: FramingProfile, chunks: Buffer[]): number[] {
  const r = new TextReplyReader(p);
  const out: number[] = [];
  for (const c of chunks) r.push(c, (x) => out.push(x));
  if (r.midReply) throw new Error('bytes left over');
  if (r.replies !== out.length) throw new Error(`replies ${r.replies}, called back ${out.length}`);
  return out;
}

for (const p of ALL) {
  t.test(`issue 19 CS-01/CS-14 load reader, ${p.name}: the same replies and results as the production decoder + assembler, split at every byte boundary`, async (t) => {
    const stream = replies(p);
    const want = production(p, [stream]);
    t.equal(want.length, 8, 'eight replies');
    t.ok(want.some((x) => x !== 0) && want.includes(0), 'answers and refusals');
    const packets = stream.reduce((n, b) => n + (b === p.terminator ? 1 : 0), 0);
    t.ok(packets >= 8 + 8, `some replies span several packets (${packets} packets)`);
    t.same(lean(p, [stream]), want, 'one chunk');
    let same = 0;
    for (let i = 1; i < stream.length; i++) {
      const chunks = [stream.subarray(0, i), stream.subarray(i)];
      const got = lean(p, chunks);
      if (JSON.stringify(got) === JSON.stringify(want)) same++;
      else t.same(got, want, `split at ${i}`);
    }
    t.equal(same, stream.length - 1, 'every two-way split');
    const bytes = [...stream].map((b) => Buffer.from([b]));
    t.same(lean(p, bytes), want, 'one byte at a time');
    t.same(lean(p, [stream.subarray(0, 7), stream.subarray(7, 300), stream.subarray(300, 301), stream.subarray(301)]), production(p, [stream.subarray(0, 7), stream.subarray(7, 300), stream.subarray(300, 301), stream.subarray(301)]));
  });

  t.test(`issue 19 load reader, ${p.name}: a corrupted packet is refused (throws), as the production decoder refuses it`, async (t) => {
    const stream = replies(p);
    const s = p.start === undefined ? 0 : 1;
    const lf = p.role.length!;
    const refused = (what: string, bad: Buffer) => {
      t.throws(() => production(p, [bad]), `${what}: the production decoder refuses it`);
      t.throws(() => lean(p, [bad]), TextReplyError, `${what}: the lean reader refuses it`);
      // Cut anywhere, the same.
      for (const at of [1, s + lf.offset + 1, 50, bad.length - 1]) t.throws(() => lean(p, [bad.subarray(0, at), bad.subarray(at)]), TextReplyError, `${what}, cut at ${at}`);
    };
    // The second packet's length field off by one (disagrees with where its terminator is).
    const second = stream.indexOf(p.terminator) + 1;
    const b1 = Buffer.from(stream);
    const d = second + s + lf.offset + (lf.align === 'left' ? 0 : lf.width - 1);
    const digit = b1[d] - 48;
    b1[d] = 48 + (digit === 9 ? 8 : digit + 1);
    refused('a length field off', b1);
    // A terminator lost: two packets run together (the length disagrees).
    const b2 = Buffer.concat([stream.subarray(0, second - 1), stream.subarray(second + s)]);
    refused('a terminator lost', b2);
    // The last-packet flag neither yes nor no.
    const lastF = p.role.last!;
    const b3 = Buffer.from(stream);
    b3.fill(0x3f, s + lastF.offset, s + lastF.offset + lastF.width);
    refused('a last-packet flag "?"', b3);
    // A packet dropped from a multi-packet reply: the numbering skips.
    const sp = small(p, s + p.headerSize + 1 + 97);
    const pk = encodePackets(sp, {}, body(p, 400, 3), p.check ? KEY : undefined);
    t.ok(pk.length > 2);
    refused('a packet missing', Buffer.concat([pk[0], ...pk.slice(2)]));
    if (p.start !== undefined) {
      const b4 = Buffer.from(stream);
      b4[second] = 0x21;
      refused('a packet without its start byte', b4);
    }
    // Garbage without a terminator beyond the packet size.
    refused('no terminator within the packet size', Buffer.concat([stream.subarray(0, second), Buffer.alloc(p.packets.size + 1, s ? p.start! : 0x31)]));
  });
}
