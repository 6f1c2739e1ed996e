// How the shadow relay reads a connection's bytes, without ever changing them (issue 16). The
// relay forwards the raw chunks; a Framing only *taps* them: it splits the stream into frames,
// reads the few header facts the relay needs to correlate a request with its answers (business
// type, serial, seq) and reassembles an answer that spans several packets, then decodes it with
// the business type's response layout for the comparison.
//
// Two framings implement it: the v1 binary framing (protocol/SPEC.md), here, and a text framing
// profile (issue 19, docs/framing.md), src/shadow/text-framing.ts; nothing else in src/shadow/
// knows how either is laid out.
import { FrameDecoder } from '../../protocol/frame.js';
import {
  BIZ_OFFSET, decodeHeader, HEADER_SIZE, KIND_OFFSET, KIND_REQUEST, KIND_RESPONSE, OPERATOR_OFFSET, PROTOCOL_VERSION, RESULT_OFFSET,
  SEQ_OFFSET, SERIAL_OFFSET, TIME_OFFSET, VERSION_OFFSET,
} from '../../protocol/header.js';
import { decodeResponse } from '../../protocol/message.js';
import type { BodyRecord, Layout } from '../../protocol/layout-types.js';

/** Header facts of one packet, as far as the relay needs them. */
export interface PacketHead {
  /** 'request' or 'response'; anything else is not a packet the relay can correlate. */
  kind: 'request' | 'response' | 'other';
  biz: number;
  /** Correlation key within one connection (v1: the header's seq; text: the serial, or 0 when replies come in order). */
  seq: number | string;
  serial: string;
  /** Result code of a response (0 in requests). */
  result: number;
}

/** One answer, its packets reassembled, decoded with the business type's response layout. */
export interface DecodedReply {
  result: number;
  message: string;
  /** Business fields (present when result is 0 and a layout was given). */
  body?: BodyRecord;
  /** Header fields of the answer that are not its business content (compared as noise). */
  header: Record<string, string | number>;
}

/** Which way a connection's bytes go: the client's requests, or the answers to them. */
export type Direction = 'request' | 'response';

/** Splits one direction of a connection into packets; throws when the stream cannot be framed. */
export interface Splitter {
  push(chunk: Buffer): Buffer[];
}

/** Collects the packets of one answer; returns them all once the answer is complete. */
export interface Reassembler {
  push(packet: Buffer, head: PacketHead): Buffer[] | undefined;
}

export interface Framing {
  readonly name: string;
  /**
   * How an answer finds its request: `rewrite` — by a key in the packet that the shadow may set
   * (v1's seq: withKey); `own-key` — by a key the packet carries and the shadow must not change
   * (a serial covered by a check code); `order` — the n-th answer of a connection is the n-th
   * request's (every packet's key is the same).
   */
  readonly correlation: 'rewrite' | 'own-key' | 'order';
  /** A splitter for one direction of one connection. */
  splitter(maxFrame: number, dir: Direction): Splitter;
  /** Header facts of a packet read in direction `dir`; throws when its header cannot be read. */
  head(packet: Buffer, dir: Direction): PacketHead;
  /** Per connection: gathers multi-packet answers. */
  reassembler(): Reassembler;
  /** Decode a whole answer (its packets, in order) with the response layout; throws on garbage. */
  decodeReply(packets: readonly Buffer[], layout: Layout | undefined): DecodedReply;
  /**
   * A copy of a packet with its correlation key (v1: seq) set to `key` (correlation `rewrite`;
   * the others return the packet itself). The shadow sends every mirror target its requests on
   * one shared connection under keys of its own, and puts the client's key back into the
   * target's answers before comparing them.
   */
  withKey(packet: Buffer, key: number | string): Buffer;
  /**
   * withKey in place, on a packet the shadow owns (a target's answer, read into a buffer of the
   * shadow's): returns the packet, its key set (the others: the packet, untouched).
   */
  setKey(packet: Buffer, key: number | string): Buffer;
  /**
   * withKey into a buffer of the caller's: the packet copied to `into` at `at`, its key set there
   * (the others: copied as it is). Returns the offset after it. The packet is not touched.
   */
  copyWithKey(packet: Buffer, key: number | string, into: Buffer, at: number): number;
  /**
   * The fast path of the comparison: true when two whole answers are the same bytes once the
   * bytes that are noise by nature (v1: the header's time, the sender's clock) are left out.
   * Such answers decode to the same fields, so they are identical without decoding them; any
   * other difference (false) is decoded and compared field by field.
   */
  sameAnswer(a: readonly Buffer[], b: readonly Buffer[]): boolean;
}

/** decodeHeader's checks (length, version, printable serial and operator, 14-digit time), as a yes/no. */
function headerLooksValid(p: Buffer): boolean {
  if (p.length < HEADER_SIZE || p[VERSION_OFFSET] !== PROTOCOL_VERSION) return false;
  for (let i = SERIAL_OFFSET; i < TIME_OFFSET; i++) if (p[i] < 0x20 || p[i] > 0x7e) return false;
  for (let i = TIME_OFFSET; i < OPERATOR_OFFSET; i++) if (p[i] < 0x30 || p[i] > 0x39) return false;
  for (let i = OPERATOR_OFFSET; i < RESULT_OFFSET; i++) if (p[i] < 0x20 || p[i] > 0x7e) return false;
  return true;
}

/** v1: the bytes of an answer that are noise by nature: the header's time (the sender's clock). */
export const V1_NOISE_BYTES: readonly (readonly [number, number])[] = [[TIME_OFFSET, OPERATOR_OFFSET]];

/** Equal bytes in [from, to) of a and b (same length): a plain loop for short ranges, Buffer#compare beyond. */
function sameRange(a: Buffer, b: Buffer, from: number, to: number): boolean {
  if (to - from > 256) return a.compare(b, from, to, from, to) === 0;
  for (let i = from; i < to; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameV1(a: Buffer, b: Buffer): boolean {
  if (a.length !== b.length) return false;
  // Before the time, between the masked ranges, after them: no copies, no views.
  let from = 0;
  for (const [start, end] of V1_NOISE_BYTES) {
    if (a.length < end) return a.equals(b);
    if (!sameRange(a, b, from, start)) return false;
    from = end;
  }
  return sameRange(a, b, from, a.length);
}

/** v1: a 4-byte length, a 56-byte header with biz and seq, one packet per answer. */
export const V1_FRAMING: Framing = {
  name: 'v1',
  correlation: 'rewrite',
  splitter(maxFrame: number): Splitter {
    const d = new FrameDecoder({ maxFrame });
    return { push: (chunk) => d.push(chunk) };
  },
  head(packet: Buffer): PacketHead {
    // What decodeHeader checks, without making the strings the relay does not need (time,
    // operator): on any problem decodeHeader itself is asked, for its error.
    if (!headerLooksValid(packet)) decodeHeader(packet);
    const kind = packet[KIND_OFFSET];
    let serialEnd = TIME_OFFSET;
    while (serialEnd > SERIAL_OFFSET && packet[serialEnd - 1] === 0x20) serialEnd--;
    return {
      kind: kind === KIND_REQUEST ? 'request' : kind === KIND_RESPONSE ? 'response' : 'other',
      biz: packet.readUInt16BE(BIZ_OFFSET),
      seq: packet.readUInt32BE(SEQ_OFFSET),
      serial: packet.toString('latin1', SERIAL_OFFSET, serialEnd),
      result: packet.readUInt16BE(RESULT_OFFSET),
    };
  },
  reassembler(): Reassembler {
    // Every v1 answer is one frame.
    return { push: (packet) => [packet] };
  },
  decodeReply(packets, layout): DecodedReply {
    if (packets.length !== 1) throw new Error(`v1 answers are one frame, got ${packets.length}`);
    const r = decodeResponse(packets[0], layout);
    return {
      result: r.header.result,
      message: r.message,
      body: r.body,
      header: { time: r.header.time, serial: r.header.serial, operator: r.header.operator, biz: r.header.biz, seq: r.header.seq },
    };
  },
  withKey(packet, key): Buffer {
    const copy = Buffer.allocUnsafe(packet.length);
    V1_FRAMING.copyWithKey(packet, key, copy, 0);
    return copy;
  },
  setKey(packet, key): Buffer {
    packet.writeUInt32BE(Number(key) >>> 0, SEQ_OFFSET);
    return packet;
  },
  copyWithKey(packet, key, into, at): number {
    packet.copy(into, at);
    into.writeUInt32BE(Number(key) >>> 0, at + SEQ_OFFSET);
    return at + packet.length;
  },
  sameAnswer(a, b): boolean {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameV1(a[i], b[i])) return false;
    return true;
  },
};
