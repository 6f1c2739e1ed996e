// The check code of a packet (验证码; docs/framing.md "Check codes"): the bytes a profile's `check`
// block covers — header fields as they are on the wire, padding included, or their first/last n
// bytes, and/or the packet's body — concatenated in the declared order, run through the declared
// algorithm (protocol/framing/check-code.ts) under the client's key, the leading `bytes` of the
// result written in the check field as base64 or hex, left-aligned and padded. The gateway
// verifies the code of every request packet before the request is dispatched and writes one in
// every reply packet; the text client does the reverse.
//
// The hot path (3des-mac) feeds the covered ranges of the packet to the MAC where they lie (no copy
// of the covered bytes) and encodes the code into a scratch buffer, written into (or compared with)
// the check field byte by byte: no string, no Buffer per packet. The other algorithms go through
// checkCode over the covered bytes copied once into a scratch buffer.
import { checkCode, retailMacKeyOf } from './check-code.js';
import { RetailMac } from './des.js';
import { type CheckSpec, type FramingProfile } from './profile.js';

function startOf(p: FramingProfile): number {
  return p.start === undefined ? 0 : 1;
}

/** The bytes the code of a whole packet (start byte through terminator) covers. */
export function coveredBytes(p: FramingProfile, c: CheckSpec, pkt: Buffer): Buffer {
  return Buffer.from(coveredInto(p, c, pkt));
}

/** The covered bytes of a packet copied into `scratch` (grown when short): its first `n` bytes. */
let scratch = Buffer.allocUnsafe(512);
function coveredInto(p: FramingProfile, c: CheckSpec, pkt: Buffer): Buffer {
  const h = startOf(p);
  let n = 0;
  for (const cov of c.covers) n += cov.kind === 'body' ? pkt.length - 1 - h - p.headerSize : cov.first ?? cov.last ?? cov.field.width;
  if (scratch.length < n) scratch = Buffer.allocUnsafe(Math.max(n, 2 * scratch.length));
  let at = 0;
  for (const cov of c.covers) {
    const [a, b] = range(p, cov, pkt, h);
    at += pkt.copy(scratch, at, a, b);
  }
  return scratch.subarray(0, n);
}

function range(p: FramingProfile, cov: CheckSpec['covers'][number], pkt: Buffer, h: number): [number, number] {
  if (cov.kind === 'body') return [h + p.headerSize, pkt.length - 1];
  const a = h + cov.field.offset;
  const b = a + cov.field.width;
  return cov.first !== undefined ? [a, a + cov.first] : cov.last !== undefined ? [b - cov.last, b] : [a, b];
}

const mac = new RetailMac();
/** The raw code (its full length: 8, 16 or 32 bytes) of the last packet given to rawCode. */
const raw = Buffer.allocUnsafe(8);
function rawCode(p: FramingProfile, c: CheckSpec, key: Buffer, pkt: Buffer): Buffer {
  if (c.algorithm !== '3des-mac') return checkCode(c.algorithm, key, coveredInto(p, c, pkt), c.padding);
  const h = startOf(p);
  const m = mac.begin(retailMacKeyOf(key));
  for (const cov of c.covers) {
    if (cov.kind === 'body') m.update(pkt, h + p.headerSize, pkt.length - 1);
    else {
      const a = h + cov.field.offset;
      const b = a + cov.field.width;
      if (cov.first !== undefined) m.update(pkt, a, a + cov.first);
      else if (cov.last !== undefined) m.update(pkt, b - cov.last, b);
      else m.update(pkt, a, b);
    }
  }
  m.final(c.padding, raw, 0);
  return raw;
}

const B64 = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', 'latin1');
const HEX_LOWER = Buffer.from('0123456789abcdef', 'latin1');
const HEX_UPPER = Buffer.from('0123456789ABCDEF', 'latin1');
/** The encoded code (base64 with its '=' padding, or hex), as bytes: chars[0, n). */
const chars = Buffer.allocUnsafe(64);
function encode(c: CheckSpec, code: Buffer): number {
  const n = c.bytes;
  let o = 0;
  if (c.encoding === 'base64') {
    let i = 0;
    for (; i + 3 <= n; i += 3) {
      const v = (code[i] << 16) | (code[i + 1] << 8) | code[i + 2];
      chars[o++] = B64[v >>> 18];
      chars[o++] = B64[(v >>> 12) & 63];
      chars[o++] = B64[(v >>> 6) & 63];
      chars[o++] = B64[v & 63];
    }
    if (i < n) {
      const two = i + 1 < n;
      const v = (code[i] << 16) | (two ? code[i + 1] << 8 : 0);
      chars[o++] = B64[v >>> 18];
      chars[o++] = B64[(v >>> 12) & 63];
      chars[o++] = two ? B64[(v >>> 6) & 63] : 0x3d;
      chars[o++] = 0x3d;
    }
  } else {
    const digits = c.encoding === 'hex' ? HEX_LOWER : HEX_UPPER;
    for (let i = 0; i < n; i++) {
      chars[o++] = digits[code[i] >>> 4];
      chars[o++] = digits[code[i] & 15];
    }
  }
  return o;
}

/** The code of a packet under `key`, as its check field's text (unpadded). */
export function packetCode(p: FramingProfile, key: Buffer, pkt: Buffer): string {
  const c = p.check!;
  return chars.toString('latin1', 0, encode(c, rawCode(p, c, key, pkt)));
}

/** Write the code of a packet into its check field (in place), padded as the field says. */
export function signPacket(p: FramingProfile, key: Buffer, pkt: Buffer): void {
  const c = p.check!;
  const f = c.field;
  const n = encode(c, rawCode(p, c, key, pkt));
  if (n > f.width) throw new RangeError(`header field ${f.name}: a code of ${n} characters is longer than ${f.width}`);
  const at = startOf(p) + f.offset;
  const pad = f.pad.charCodeAt(0);
  if (f.align === 'left') {
    chars.copy(pkt, at, 0, n);
    pkt.fill(pad, at + n, at + f.width);
  } else {
    pkt.fill(pad, at, at + f.width - n);
    chars.copy(pkt, at + f.width - n, 0, n);
  }
}

/**
 * Whether a packet's check field holds its code under `key`, padded as the field says (what
 * signPacket writes; hex read in either case); compared in a time that does not depend on where
 * they differ. (Not by unpadding the field: a hex code that begins — right-aligned — or ends —
 * left-aligned — with the pad character "0" would then lose its own digits.)
 */
export function verifyPacket(p: FramingProfile, key: Buffer, pkt: Buffer): boolean {
  const c = p.check!;
  const f = c.field;
  const n = encode(c, rawCode(p, c, key, pkt));
  if (n > f.width) return false;
  const pad = f.pad.charCodeAt(0);
  const at = startOf(p) + f.offset;
  // The code's first character in the field.
  const from = f.align === 'left' ? 0 : f.width - n;
  const fold = c.encoding !== 'base64';
  let diff = 0;
  for (let i = 0; i < f.width; i++) {
    let x = pkt[at + i];
    let y = i >= from && i < from + n ? chars[i - from] : pad;
    // Hex in either case: lower-case letters read as upper-case.
    if (fold) {
      if (x >= 0x61 && x <= 0x7a) x -= 0x20;
      if (y >= 0x61 && y <= 0x7a) y -= 0x20;
    }
    diff |= x ^ y;
  }
  return diff === 0;
}
