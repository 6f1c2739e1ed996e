// The load client's reader of a text profile's replies (issue 19): the counterpart of its v1 path,
// which reads the result at a fixed offset of each length-prefixed frame without decoding it.
// Packets are cut at the profile's terminator and their length field must agree with the bytes up
// to it; the start byte, the constants, the last-packet flag and the packet number are checked at
// their fixed offsets (from the profile's header definition, so any operator's profile reads); the
// result is read from the first packet's error/flag fields; a reply counts when its last packet
// arrives. No record of header fields, no body copy. Anything the production decoder and assembler
// (protocol/framing/packet.ts) would refuse that makes the count or the result uncertain throws a
// TextReplyError: a load run stops loudly rather than miscounting. Tested against the production
// decoder and assembler: test/bench/text-reply-reader.test.ts.
import { resultOf } from '../protocol/framing/codes.js';
import { padField, type FramingProfile, type HeaderField } from '../protocol/framing/profile.js';

export class TextReplyError extends Error {
  constructor(profile: FramingProfile, detail: string) {
    super(`profile ${profile.name}: reply stream refused: ${detail}`);
    this.name = 'TextReplyError';
  }
}

/** A fixed header field: its offset from the packet's first byte (start byte included) and its width. */
interface At {
  at: number;
  width: number;
}

const latin1 = (s: string) => Buffer.from(s, 'latin1');

/** Whether buf[at, at + want.length) equals `want`. */
function same(buf: Buffer, at: number, want: Buffer): boolean {
  for (let i = 0; i < want.length; i++) if (buf[at + i] !== want[i]) return false;
  return true;
}

/**
 * Reads replies out of a byte stream of a profile's packets: `push(chunk, onReply)` calls
 * `onReply(result)` once per whole reply (its last packet arrived), in order.
 */
export class TextReplyReader {
  private readonly p: FramingProfile;
  private readonly s: number;
  private readonly start: number;
  private readonly term: number;
  private readonly maxPacket: number;
  private readonly headerSize: number;
  private readonly length: At & { pad: number; left: boolean };
  /** lengthValue() of a packet with an empty body, and whether the body counts. */
  private readonly lengthBase: number;
  private readonly bodyCounts: boolean;
  private readonly constants: (At & { want: Buffer })[];
  private readonly last: (At & { yes: Buffer; no: Buffer }) | undefined;
  private readonly packet: (At & { pad: number; left: boolean }) | undefined;
  private readonly error: At | undefined;
  private readonly flag: At | undefined;
  private readonly beats: Buffer[];
  /** The error and flag fields of an answer that succeeded (what the gateway writes) and the result they read as. */
  private readonly okError: Buffer | undefined;
  private readonly okFlag: Buffer | undefined;
  private readonly okResult: number;

  private pending: Buffer = EMPTY;
  /** The packet number the next packet must carry. */
  private next = 1;
  /** The result of the reply under way (read from its first packet). */
  private result = 0;
  /** Replies counted (whole). */
  replies = 0;

  constructor(profile: FramingProfile) {
    const p = profile;
    this.p = p;
    this.s = p.start === undefined ? 0 : 1;
    this.start = p.start ?? -1;
    this.term = p.terminator;
    this.maxPacket = p.packets.size;
    this.headerSize = p.headerSize;
    const at = (f: HeaderField): At => ({ at: this.s + f.offset, width: f.width });
    const lf = p.role.length!;
    this.length = { ...at(lf), pad: lf.pad.charCodeAt(0), left: lf.align === 'left' };
    const c = p.lengthCounts;
    this.lengthBase = (c.has('start') ? 1 : 0) + (c.has('header') ? p.headerSize : 0) + (c.has('terminator') ? 1 : 0);
    this.bodyCounts = c.has('body');
    this.constants = p.header.filter((f) => f.role === 'constant').map((f) => ({ ...at(f), want: latin1(padField(f, f.value!)) }));
    const l = p.role.last;
    this.last = l ? { ...at(l), yes: latin1(padField(l, l.yes!)), no: latin1(padField(l, l.no!)) } : undefined;
    const pf = p.role.packet;
    this.packet = pf ? { ...at(pf), pad: pf.pad.charCodeAt(0), left: pf.align === 'left' } : undefined;
    this.error = p.role.error ? at(p.role.error) : undefined;
    this.flag = p.role.flag ? at(p.role.flag) : undefined;
    // A heartbeat in a reply stream: the reply to one (or the request itself, echoed).
    this.beats = p.heartbeat ? [p.heartbeat.reply, p.heartbeat.request] : [];
    const ef = p.role.error;
    const ff = p.role.flag;
    const okErr = ef ? (p.errors.table.get(0) !== undefined ? padField(ef, p.errors.table.get(0)!) : padField(ef, '0'.repeat(ef.width))) : '';
    const okFl = ff ? padField(ff, ff.yes!) : '';
    this.okError = ef ? latin1(okErr) : undefined;
    this.okFlag = ff ? latin1(okFl) : undefined;
    this.okResult = resultOf(p, okErr, okFl);
  }

  /** Whether a reply is under way: bytes of an unfinished packet held, or some of its packets read. */
  get midReply(): boolean {
    return this.pending.length > 0 || this.next > 1;
  }

  private fail(detail: string): never {
    throw new TextReplyError(this.p, detail);
  }

  /** ASCII digits of a numeric field with its padding (as fieldNumber in packet.ts), or -1. */
  private number(buf: Buffer, o: number, f: At & { pad: number; left: boolean }): number {
    let a = o + f.at;
    let b = a + f.width;
    if (f.left) while (b > a && buf[b - 1] === f.pad) b--;
    else while (a < b && buf[a] === f.pad) a++;
    if (a === b) return f.pad === 0x30 ? 0 : -1;
    let v = 0;
    for (let i = a; i < b; i++) {
      const d = buf[i] - 48;
      if (d < 0 || d > 9) return -1;
      v = v * 10 + d;
    }
    return v;
  }

  /** Feed bytes; calls `onReply(result)` for every reply whose last packet they complete. Throws TextReplyError. */
  push(chunk: Buffer, onReply: (result: number) => void): void {
    const buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let off = 0;
    const n = buf.length;
    while (off < n) {
      if (this.s && buf[off] !== this.start) this.fail(`a packet begins with byte ${buf[off]}, not the start byte ${this.start}`);
      const end = buf.indexOf(this.term, off);
      if (end < 0) {
        if (n - off > this.maxPacket) this.fail(`no terminator within ${this.maxPacket} bytes (the profile's packet size)`);
        this.pending = off === 0 ? buf : buf.subarray(off);
        return;
      }
      const size = end + 1 - off;
      if (size > this.maxPacket) this.fail(`a packet of ${size} bytes; the profile's packet size is ${this.maxPacket}`);
      const content = size - 1 - this.s;
      if (content < this.headerSize) {
        if (this.beats.some((b) => b.length === content && same(buf, off + this.s, b))) {
          off = end + 1;
          continue;
        }
        this.fail(`a packet of ${size} bytes: shorter than its header (${this.headerSize})`);
      }
      // The packet is buf[off, end]: its fields at fixed offsets from off.
      const o = off;
      const declared = this.number(buf, o, this.length);
      const counted = this.lengthBase + (this.bodyCounts ? content - this.headerSize : 0);
      if (declared !== counted) this.fail(`length field ${shown(buf, o, this.length)}; the packet up to its terminator makes ${counted}`);
      for (const c of this.constants) if (!same(buf, o + c.at, c.want)) this.fail(`constant field ${shown(buf, o, c)} is not ${JSON.stringify(c.want.toString('latin1'))}`);
      if (this.packet) {
        const no = this.number(buf, o, this.packet);
        if (no !== this.next) this.fail(`packet number ${shown(buf, o, this.packet)}, expected ${this.next}`);
      }
      let last = true;
      if (this.last) {
        if (same(buf, o + this.last.at, this.last.yes)) last = true;
        else if (same(buf, o + this.last.at, this.last.no)) last = false;
        else this.fail(`last-packet flag ${shown(buf, o, this.last)} is neither ${JSON.stringify(this.last.yes.toString('latin1'))} nor ${JSON.stringify(this.last.no.toString('latin1'))}`);
      }
      if (this.next === 1) this.result = this.resultOf(buf, o);
      off = end + 1;
      if (last) {
        this.next = 1;
        this.replies++;
        onReply(this.result);
      } else this.next++;
    }
    this.pending = EMPTY;
  }

  /** The result the first packet's error/flag fields stand for (codes.ts resultOf); the answer that succeeded without strings. */
  private resultOf(buf: Buffer, o: number): number {
    const e = this.error;
    const f = this.flag;
    if ((!e || same(buf, o + e.at, this.okError!)) && (!f || same(buf, o + f.at, this.okFlag!))) return this.okResult;
    return resultOf(this.p, e ? buf.toString('latin1', o + e.at, o + e.at + e.width) : '', f ? buf.toString('latin1', o + f.at, o + f.at + f.width) : '');
  }
}

const EMPTY = Buffer.alloc(0);

/** A field as read, for a message. */
function shown(buf: Buffer, o: number, f: At): string {
  return JSON.stringify(buf.toString('latin1', o + f.at, o + f.at + f.width));
}
