// Text packets of a framing profile (docs/framing.md): cutting them out of a byte stream, reading
// their header, reassembling a request (or reply) sent in several packets, and writing packets.
// The decoder never trusts the peer: it reads up to the terminator, and the length field, the
// start byte, the digits, the packet numbers and the flags must all agree with what arrived, or
// the stream is refused (a PacketError: the connection answers it, when it can, and closes).
// Every buffer is bounded: an unterminated packet by the profile's packet size, a request by its
// packet count and byte limit, heartbeats by a rate.
import { GatewayError, type ReturnCodeName } from '../return-codes.js';
import { gbkBoundary } from '../gbk.js';
import { loadProfile, padField, ProfileError, unpad, type FramingProfile, type HeaderField } from './profile.js';

// A header field's padding lives with the profile (check.ts needs it and packet.ts needs check.ts).
export { padField, unpad };
import { signPacket } from './check.js';

/** One packet read: its header values by field name (as on the wire, padding kept) and its body. */
export interface Packet {
  raw: Record<string, string>;
  /** The packet number (1 when the profile has none). */
  packetNo: number;
  /** Last packet of its request or reply (true when the profile has no last flag). */
  last: boolean;
  body: Buffer;
  /** The whole packet, start byte through terminator (what a check code is verified over). */
  bytes: Buffer;
}

export type Item = { kind: 'packet'; packet: Packet } | { kind: 'heartbeat' };

/**
 * A stream the profile cannot read any further. `raw` holds the header fields read before the
 * problem (so an answer can be addressed), `items` the whole items of the same push before it.
 */
export class PacketError extends GatewayError {
  items: Item[] = [];
  constructor(
    rc: ReturnCodeName,
    detail: string,
    readonly raw?: Record<string, string>,
  ) {
    super(rc, detail);
    this.name = 'PacketError';
  }
}


/** A numeric header field's value, or NaN when it is not digits (after its padding). */
export function fieldNumber(f: HeaderField, s: string): number {
  const t = unpad(f, s);
  if (t === '' && f.pad === '0' && s.length > 0) return 0;
  // Digits only (what /^[0-9]+$/ accepts), read without a regular expression: the hot path of every packet.
  const n = t.length;
  if (n === 0) return NaN;
  if (n > 15) return /^[0-9]+$/.test(t) ? Number(t) : NaN;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = t.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  return v;
}


function overhead(p: FramingProfile): number {
  return (p.start === undefined ? 0 : 1) + p.headerSize + 1;
}

/** The value of the length field for a packet with a body of `bodyLength` bytes. */
export function lengthValue(p: FramingProfile, bodyLength: number): number {
  const c = p.lengthCounts;
  return (c.has('start') ? 1 : 0) + (c.has('header') ? p.headerSize : 0) + (c.has('body') ? bodyLength : 0) + (c.has('terminator') ? 1 : 0);
}

function show(b: number): string {
  return b >= 0x21 && b <= 0x7e ? `'${String.fromCharCode(b)}' (0x${b.toString(16).toUpperCase().padStart(2, '0')})` : `0x${b.toString(16).toUpperCase().padStart(2, '0')}`;
}

/**
 * What reading and writing a profile's packets needs that never changes once it is loaded,
 * computed once per profile: the padded constants and flag values (compared as read), the
 * length field's position. Kept by the profile object.
 */
interface Layout {
  /** Header fields tile the header without gaps (what every loaded profile does): one latin1 read and write per packet. */
  contiguous: boolean;
  constants: { f: HeaderField; padded: string }[];
  lastYes: string | undefined;
  lastNo: string | undefined;
  /** The header as written when a field is given no value: each field all padding. */
  blank: readonly string[];
}
const layouts = new WeakMap<FramingProfile, Layout>();

function layoutOf(p: FramingProfile): Layout {
  let l = layouts.get(p);
  if (l) return l;
  let at = 0;
  let contiguous = true;
  for (const f of p.header) {
    if (f.offset !== at) contiguous = false;
    at = f.offset + f.width;
  }
  if (at !== p.headerSize) contiguous = false;
  const last = p.role.last;
  l = {
    contiguous,
    constants: p.header.filter((f) => f.role === 'constant').map((f) => ({ f, padded: padField(f, f.value!) })),
    lastYes: last ? padField(last, last.yes!) : undefined,
    lastNo: last ? padField(last, last.no!) : undefined,
    blank: p.header.map((f) => padField(f, '')),
  };
  layouts.set(p, l);
  return l;
}

/** Read one whole packet (start byte through terminator). Throws PacketError. */
export function parsePacket(p: FramingProfile, pkt: Buffer): Packet | 'heartbeat' {
  let off = 0;
  if (p.start !== undefined) {
    if (pkt[0] !== p.start) throw new PacketError('MALFORMED_HEADER', `packet begins with ${show(pkt[0])}, not the start byte ${show(p.start)}`);
    off = 1;
  }
  const end = pkt.length - 1; // the terminator
  if (p.heartbeat && end - off === p.heartbeat.request.length && pkt.subarray(off, end).equals(p.heartbeat.request)) return 'heartbeat';
  if (end - off < p.headerSize) throw new PacketError('FRAME_TOO_SHORT', `packet of ${pkt.length} bytes; its header alone takes ${p.headerSize}`);
  const l = layoutOf(p);
  const raw: Record<string, string> = {};
  if (l.contiguous) {
    // One native read of the whole header; each field is a slice of it.
    const h = pkt.toString('latin1', off, off + p.headerSize);
    for (const f of p.header) raw[f.name] = h.slice(f.offset, f.offset + f.width);
  } else for (const f of p.header) raw[f.name] = pkt.toString('latin1', off + f.offset, off + f.offset + f.width);
  const lf = p.role.length!;
  const declared = fieldNumber(lf, raw[lf.name]);
  if (Number.isNaN(declared)) throw new PacketError('MALFORMED_HEADER', `length field ${JSON.stringify(raw[lf.name])} is not digits`, raw);
  const bodyLength = end - off - p.headerSize;
  const counted = lengthValue(p, bodyLength);
  if (declared !== counted) {
    throw new PacketError('MALFORMED_HEADER', `length field says ${declared}, the packet up to its terminator ${show(p.terminator)} makes ${counted}`, raw);
  }
  for (const { f, padded } of l.constants) {
    const v = raw[f.name];
    if (v !== padded) throw new PacketError('MALFORMED_HEADER', `${f.name} is ${JSON.stringify(v)}, expected ${JSON.stringify(padded)}`, raw);
  }
  let packetNo = 1;
  if (p.role.packet) {
    packetNo = fieldNumber(p.role.packet, raw[p.role.packet.name]);
    if (!(packetNo >= 1)) throw new PacketError('MALFORMED_HEADER', `packet number ${JSON.stringify(raw[p.role.packet.name])} is not a number from 1`, raw);
  }
  let last = true;
  if (p.role.last) {
    const f = p.role.last;
    const v = raw[f.name];
    if (v === l.lastYes) last = true;
    else if (v === l.lastNo) last = false;
    else throw new PacketError('MALFORMED_HEADER', `last-packet flag ${JSON.stringify(v)} is neither ${JSON.stringify(f.yes)} nor ${JSON.stringify(f.no)}`, raw);
  }
  return { raw, packetNo, last, body: pkt.subarray(off + p.headerSize, end), bytes: pkt };
}

export interface PacketDecoderOptions {
  /** ms clock for the heartbeat rate (default Date.now). */
  now?: () => number;
}

/** Cuts packets out of a byte stream (at the terminator) and reads them. */
export class PacketDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private error: PacketError | undefined;
  private beats: number[] = [];
  private readonly now: () => number;

  constructor(
    readonly profile: FramingProfile,
    opts: PacketDecoderOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
  }

  /** Bytes of an unfinished packet held. */
  get pending(): number {
    return this.buffered;
  }

  /** Feed bytes; returns the items they complete. Throws PacketError; the decoder is then dead. */
  push(chunk: Buffer): Item[] {
    if (this.error) {
      this.error.items = [];
      throw this.error;
    }
    const items: Item[] = [];
    try {
      this.pushInto(chunk, items);
    } catch (err) {
      if (err instanceof PacketError) {
        err.items = items;
        this.error = err;
        this.chunks = [];
        this.buffered = 0;
      }
      throw err;
    }
    return items;
  }

  private pushInto(chunk: Buffer, items: Item[]): void {
    const p = this.profile;
    let from = 0;
    while (from < chunk.length) {
      if (this.buffered === 0 && p.start !== undefined && chunk[from] !== p.start) {
        // Refused at once: nothing a peer sends before the start byte can be a packet.
        throw new PacketError('MALFORMED_HEADER', `packet begins with ${show(chunk[from])}, not the start byte ${show(p.start)}`);
      }
      const at = chunk.indexOf(p.terminator, from);
      if (at < 0) {
        const rest = chunk.length - from;
        if (this.buffered + rest > p.packets.size) throw this.tooLarge();
        this.chunks.push(from === 0 ? chunk : chunk.subarray(from));
        this.buffered += rest;
        return;
      }
      const n = this.buffered + (at + 1 - from);
      if (n > p.packets.size) throw this.tooLarge();
      let pkt: Buffer;
      if (this.buffered === 0) pkt = chunk.subarray(from, at + 1);
      else {
        this.chunks.push(chunk.subarray(from, at + 1));
        pkt = Buffer.concat(this.chunks, n);
        this.chunks = [];
        this.buffered = 0;
      }
      from = at + 1;
      const r = parsePacket(p, pkt);
      if (r === 'heartbeat') {
        this.beat();
        items.push({ kind: 'heartbeat' });
      } else items.push({ kind: 'packet', packet: r });
    }
  }

  private tooLarge(): PacketError {
    return new PacketError('FRAME_TOO_LARGE', `no terminator ${show(this.profile.terminator)} within ${this.profile.packets.size} bytes (the profile's packet size)`);
  }

  private beat(): void {
    const hb = this.profile.heartbeat!;
    const t = this.now();
    this.beats = this.beats.filter((x) => t - x < 60_000);
    this.beats.push(t);
    if (this.beats.length > hb.maxPerMinute) throw new PacketError('MALFORMED_HEADER', `more than ${hb.maxPerMinute} heartbeats in a minute`);
  }
}

/** Limits of one reassembled message. */
export interface AssemblyLimits {
  maxPackets: number;
  maxBytes: number;
}

/**
 * Joins the packets of one message (request or reply): numbered 1, 2, … in order, all with the
 * same service code and serial, the last one flagged; the body is the concatenation of theirs.
 */
export class PacketAssembler {
  private parts: Packet[] = [];
  private bytes = 0;
  constructor(
    readonly profile: FramingProfile,
    readonly limits: AssemblyLimits,
  ) {}

  /** Body bytes held of an unfinished message. */
  get pending(): number {
    return this.parts.length === 0 ? 0 : Math.max(1, this.bytes);
  }

  /** Add a packet; returns the whole message once its last packet arrived. Throws PacketError. */
  add(pkt: Packet): { first: Packet; body: Buffer; packets: number } | undefined {
    const p = this.profile;
    const expected = this.parts.length + 1;
    if (pkt.packetNo !== expected) {
      throw new PacketError('MALFORMED_HEADER', `packet number ${pkt.packetNo}, expected ${expected}${expected > 1 ? ` (packet ${expected - 1} was not the last)` : ''}`, pkt.raw);
    }
    if (this.parts.length > 0) {
      const first = this.parts[0];
      for (const f of [p.role.service, p.role.serial]) {
        if (f && pkt.raw[f.name] !== first.raw[f.name]) {
          throw new PacketError('MALFORMED_HEADER', `packet ${pkt.packetNo} has ${f.name} ${JSON.stringify(pkt.raw[f.name])}, packet 1 had ${JSON.stringify(first.raw[f.name])}`, pkt.raw);
        }
      }
    }
    if (expected > this.limits.maxPackets) throw new PacketError('FRAME_TOO_LARGE', `more than ${this.limits.maxPackets} packets in one message`, pkt.raw);
    this.bytes += pkt.body.length;
    if (this.bytes > this.limits.maxBytes) throw new PacketError('FRAME_TOO_LARGE', `more than ${this.limits.maxBytes} body bytes in one message`, pkt.raw);
    this.parts.push(pkt);
    if (!pkt.last) return undefined;
    const parts = this.parts;
    const body = parts.length === 1 ? pkt.body : Buffer.concat(parts.map((x) => x.body), this.bytes);
    this.parts = [];
    this.bytes = 0;
    return { first: parts[0], body, packets: parts.length };
  }
}

/**
 * Cut a body into pieces of at most `room` bytes, each ending just after a record separator when
 * one lies within reach (whole records per packet), otherwise on a GBK character boundary. The
 * pieces concatenated are the body.
 */
export function splitBody(body: Buffer, room: number, recordSeparator: string): Buffer[] {
  if (body.length <= room) return [body];
  const sep = Buffer.from(recordSeparator, 'latin1');
  const out: Buffer[] = [];
  let pos = 0;
  while (body.length - pos > room) {
    const window = body.subarray(pos, pos + room);
    const i = window.lastIndexOf(sep);
    let cut = i >= 0 && i + sep.length <= room ? pos + i + sep.length : pos + Math.max(1, gbkBoundary(body.subarray(pos), room));
    if (cut <= pos) cut = pos + room;
    out.push(body.subarray(pos, cut));
    pos = cut;
  }
  out.push(body.subarray(pos));
  return out;
}

/**
 * Write a message as packets: `values` gives header fields by name (unpadded); the length, the
 * packet number and the last flag are computed; a field not given is all padding. A body longer
 * than the packet size leaves in several packets, numbered from 1, the last one flagged. With a
 * `checkKey`, on a profile with a check code, each packet's code is computed and written.
 * `overrides`: values that take precedence over `values` (a reply's flag and error code over the
 * request's header it echoes, without a copy of it).
 */
export function encodePackets(p: FramingProfile, values: Readonly<Record<string, string>>, body: Buffer, checkKey?: Buffer, overrides?: Readonly<Record<string, string>>): Buffer[] {
  const room = p.packets.size - overhead(p);
  const pieces = p.role.packet ? splitBody(body, room, p.body.recordSeparator) : [body];
  const l = layoutOf(p);
  const out: Buffer[] = new Array(pieces.length);
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i];
    const buf = Buffer.allocUnsafe(overhead(p) + piece.length);
    let off = 0;
    if (p.start !== undefined) buf[off++] = p.start;
    // The header as one string, each field exactly its width: one latin1 write (contiguous
    // fields, every loaded profile), else a write per field.
    let header = '';
    for (let k = 0; k < p.header.length; k++) {
      const f = p.header[k];
      let v: string;
      switch (f.role) {
        case 'length':
          v = String(lengthValue(p, piece.length));
          break;
        case 'packet':
          v = String(i + 1);
          break;
        case 'last':
          v = i === pieces.length - 1 ? f.yes! : f.no!;
          break;
        case 'constant':
          v = f.value!;
          break;
        default:
          v = overrides?.[f.name] ?? values[f.name] ?? '';
      }
      // Echoed fields come back exactly as read (padding included).
      const w = v.length === f.width ? v : v === '' ? l.blank[k] : padField(f, v);
      if (l.contiguous) header += w;
      else buf.write(w, off + f.offset, f.width, 'latin1');
    }
    if (l.contiguous) buf.write(header, off, p.headerSize, 'latin1');
    off += p.headerSize;
    piece.copy(buf, off);
    buf[off + piece.length] = p.terminator;
    // Every packet carries its own code (the check field was written as padding above).
    if (p.check && checkKey) signPacket(p, checkKey, buf);
    out[i] = buf;
  }
  return out;
}

/** loadProfile, then check that every example packet of the file reads (ProfileError otherwise). */
export function loadFramingProfile(file: string): FramingProfile {
  const p = loadProfile(file);
  p.examples.forEach((ex, i) => {
    try {
      if (ex.packet.length === 0 || ex.packet[ex.packet.length - 1] !== p.terminator) throw new PacketError('MALFORMED_HEADER', 'does not end with the terminator');
      const r = parsePacket(p, ex.packet);
      if (r !== 'heartbeat' && ex.packet.length > p.packets.size) throw new PacketError('FRAME_TOO_LARGE', `longer than packets.size ${p.packets.size}`);
    } catch (err) {
      if (err instanceof PacketError) throw new ProfileError(file, `$.examples[${i}].packet`, `does not read with this profile: ${err.message}`);
      throw err;
    }
  });
  return p;
}
