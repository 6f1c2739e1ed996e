// The shadow relay's tap for a text framing profile (issue 16 with issue 19; docs/framing.md):
// the same Framing as v1 (src/shadow/framing.ts), read from the profile's data. The tap cuts the
// bytes into packets with the production packet decoder and gathers the packets of one message
// (a request or a reply sent in several packets) into one unit, so the relay mirrors and compares
// whole messages; heartbeats are neither mirrored nor compared. Like v1's, the tap never changes
// a byte the client or the primary sent.
//
// Correlation follows the profile: `order` (h2, bss86) — the n-th reply of a connection answers
// its n-th request, so every message has the key 0 and the relay's per-key queues are plain
// FIFOs; `serial` (card-recharge) — the reply carries the request's serial, and the serial is the
// key. Neither can be rewritten the way v1's seq is (a rewritten serial would break the check
// code), so mirror targets get the client's bytes unchanged (src/shadow/mirror.ts).
import { gbkDecode } from '../../protocol/gbk.js';
import type { FramingProfile, HeaderField } from '../../protocol/framing/profile.js';
import { PacketAssembler, PacketDecoder, PacketError, unpad, type Packet } from '../../protocol/framing/packet.js';
import { bizOfHeader, resultOf } from '../../protocol/framing/codes.js';
import { decodeTextBody } from '../../protocol/framing/text-body.js';
import type { BodyRecord, Layout } from '../../protocol/layout-types.js';
import type { DecodedReply, Direction, Framing, PacketHead, Reassembler, Splitter } from './framing.js';

/** The packets each message the tap cut is made of (its header fields read once, by the splitter). */
const PACKETS = new WeakMap<Buffer, readonly Packet[]>();

/** Replies hold many packets (a 500-record page): the tap's own bound on one reply's packets. */
const MAX_REPLY_PACKETS = 10_000;

function decoderFor(p: FramingProfile, dir: Direction): PacketDecoder {
  // The tap reads what the primary accepted: no heartbeat rate of its own; a reply heartbeat is the profile's reply.
  const hb = p.heartbeat;
  if (!hb) return new PacketDecoder(p);
  return new PacketDecoder({ ...p, heartbeat: { ...hb, request: dir === 'request' ? hb.request : hb.reply, maxPerMinute: Number.MAX_SAFE_INTEGER } });
}

function field(p: FramingProfile, raw: Readonly<Record<string, string>>, f: HeaderField | undefined): string {
  return f ? unpad(f, raw[f.name]).trim() : '';
}

/** The byte ranges of a packet that are noise by nature: the time field and the check code computed over it. */
function noiseRanges(p: FramingProfile): [number, number][] {
  const at = p.start === undefined ? 0 : 1;
  return p.header.filter((f) => f.role === 'time' || f.role === 'check').map((f) => [at + f.offset, at + f.offset + f.width]);
}

function samePacket(a: Buffer, b: Buffer, noise: readonly [number, number][]): boolean {
  if (a.length !== b.length) return false;
  let from = 0;
  for (const [start, end] of noise) {
    if (a.compare(b, from, start, from, start) !== 0) return false;
    from = end;
  }
  return a.compare(b, from, a.length, from, a.length) === 0;
}

function safeText(b: Buffer): string {
  try {
    return gbkDecode(b);
  } catch {
    return b.toString('latin1');
  }
}

/** The Framing of one loaded profile (`framing = <profile file>` of a [shadow.<name>] section). */
export function textFraming(p: FramingProfile): Framing {
  const noise = noiseRanges(p).sort((x, y) => x[0] - y[0]);
  const serialKey = p.correlation === 'serial' && p.role.serial !== undefined;
  const packetsOf = (message: Buffer): readonly Packet[] => {
    const known = PACKETS.get(message);
    if (known) return known;
    // A message this tap did not cut (a test's, or a copy): read it again.
    const out: Packet[] = [];
    for (const it of decoderFor(p, 'response').push(message)) if (it.kind === 'packet') out.push(it.packet);
    if (out.length === 0) throw new PacketError('FRAME_TOO_SHORT', 'no packet in the message');
    return out;
  };
  const keyOf = (raw: Readonly<Record<string, string>>): number | string => (serialKey ? field(p, raw, p.role.serial) : 0);
  return {
    name: p.name,
    correlation: serialKey ? 'own-key' : 'order',
    splitter(maxFrame: number, dir: Direction): Splitter {
      const decoder = decoderFor(p, dir);
      const limits = dir === 'request' ? { maxPackets: p.packets.maxRequestPackets, maxBytes: p.packets.maxRequestBytes } : { maxPackets: MAX_REPLY_PACKETS, maxBytes: maxFrame };
      // One message in the making per key (serial correlation: replies' packets may interleave).
      const open = new Map<number | string, { asm: PacketAssembler; packets: Packet[] }>();
      return {
        push(chunk: Buffer): Buffer[] {
          const out: Buffer[] = [];
          for (const it of decoder.push(chunk)) {
            if (it.kind !== 'packet') continue;
            const key = keyOf(it.packet.raw);
            let m = open.get(key);
            if (!m) open.set(key, (m = { asm: new PacketAssembler(p, limits), packets: [] }));
            m.packets.push(it.packet);
            if (!m.asm.add(it.packet)) continue;
            open.delete(key);
            const message = m.packets.length === 1 ? it.packet.bytes : Buffer.concat(m.packets.map((x) => x.bytes));
            PACKETS.set(message, m.packets);
            out.push(message);
          }
          return out;
        },
      };
    },
    head(message: Buffer, dir: Direction): PacketHead {
      const first = packetsOf(message)[0];
      const raw = first.raw;
      return {
        kind: dir,
        biz: bizOfHeader(p, raw),
        seq: keyOf(raw),
        serial: field(p, raw, p.role.serial),
        result: dir === 'response' ? resultOf(p, p.role.error ? raw[p.role.error.name] : '', p.role.flag ? raw[p.role.flag.name] : '') : 0,
      };
    },
    reassembler(): Reassembler {
      // The splitter hands over whole messages.
      return { push: (message) => [message] };
    },
    decodeReply(messages: readonly Buffer[], layout: Layout | undefined): DecodedReply {
      if (messages.length !== 1) throw new Error(`a reply is one message, got ${messages.length}`);
      const packets = packetsOf(messages[0]);
      const raw = packets[0].raw;
      const result = resultOf(p, p.role.error ? raw[p.role.error.name] : '', p.role.flag ? raw[p.role.flag.name] : '');
      const text = packets.length === 1 ? packets[0].body : Buffer.concat(packets.map((x) => x.body));
      let body: BodyRecord | undefined;
      if (result === 0 && layout) body = layout.length > 0 ? decodeTextBody(p, layout, text) : {};
      const header: Record<string, string | number> = {
        serial: field(p, raw, p.role.serial),
        operator: field(p, raw, p.role.operator),
        biz: bizOfHeader(p, raw),
        seq: keyOf(raw),
      };
      if (p.role.time) header.time = raw[p.role.time.name];
      return { result, message: result === 0 ? '' : safeText(text).trim(), body, header };
    },
    withKey(message: Buffer): Buffer {
      // Never rewritten: see the correlation note above.
      return message;
    },
    setKey(message: Buffer): Buffer {
      return message;
    },
    copyWithKey(message: Buffer, _key: number | string, into: Buffer, at: number): number {
      return at + message.copy(into, at);
    },
    sameAnswer(a: readonly Buffer[], b: readonly Buffer[]): boolean {
      if (a.length !== b.length) return false;
      for (let i = 0; i < a.length; i++) {
        if (a[i].length !== b[i].length) return false;
        if (noise.length === 0) {
          if (!a[i].equals(b[i])) return false;
          continue;
        }
        const pa = packetsOf(a[i]);
        const pb = packetsOf(b[i]);
        if (pa.length !== pb.length) return false;
        for (let j = 0; j < pa.length; j++) if (!samePacket(pa[j].bytes, pb[j].bytes, noise)) return false;
      }
      return true;
    },
  };
}
