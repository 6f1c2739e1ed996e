// GBK text on the wire (docs/architecture.md "Body rules", protocol/SPEC.md section 5). Decoding uses one reused ICU 'gbk'
// TextDecoder; encoding uses iconv-lite's 'gbk' table (CP936 + GBK extensions). Almost every
// field (numbers, codes, dates) is ASCII, so both directions take an ASCII fast path that never
// touches a codec.
//
// ICU's 'gbk' decoder (CP936), even with fatal: true, accepts a lone 0xFF (as U+F8F5), which
// is not a GBK byte. So gbkDecode first checks the byte structure itself — single bytes
// 0x00–0x80 (0x80 = €); lead 0x81–0xFE + trail 0x40–0x7E or 0x80–0xFE — and the decoder then
// refuses unmapped pairs and GB18030 four-byte sequences. The CP936 user-defined areas decode
// to Private Use characters, as iconv-lite encodes them.
import iconv from 'iconv-lite';

// One reused decoder: fatal, so an invalid sequence throws instead of producing U+FFFD.
const decoder = new TextDecoder('gbk', { fatal: true });

/** Thrown by gbkDecode for bytes that are not valid GBK; callers turn it into INVALID_FIELD. */
export class GbkDecodeError extends Error {
  constructor() {
    super('invalid GBK byte sequence');
    this.name = 'GbkDecodeError';
  }
}

/** True when every byte is below 0x80. */
export function isAsciiBytes(buf: Uint8Array, start = 0, end = buf.length): boolean {
  for (let i = start; i < end; i++) if (buf[i] > 0x7f) return false;
  return true;
}

/** True when every UTF-16 unit is below 0x80 (then GBK bytes = the string's latin1 bytes). */
export function isAsciiString(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** Only printable ASCII (0x20–0x7E): no byte of it needs GBK or a control-character check. */
export function isPrintableAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

/**
 * Characters a valid GBK byte run decodes to (one per single byte or double-byte pair),
 * or -1 when the bytes are not structurally GBK (0xFF, a lead byte without a valid trail).
 */
export function gbkCharCount(buf: Uint8Array, start = 0, end = buf.length): number {
  let chars = 0;
  let i = start;
  while (i < end) {
    const c = buf[i];
    if (c <= 0x80) i += 1;
    else if (c === 0xff) return -1;
    else {
      if (i + 1 >= end) return -1;
      const d = buf[i + 1];
      if (d < 0x40 || d === 0x7f || d === 0xff) return -1;
      i += 2;
    }
    chars++;
  }
  return chars;
}

// Short non-ASCII values (directions such as 主叫, statuses, item names, region names) repeat
// across rows; caching them skips the codec call. Bounded, and simply cleared when full.
const CACHE_MAX = 2048;
const CACHE_MAX_BYTES = 16;
const decodeCache = new Map<string, string>();
const encodeCache = new Map<string, Buffer>();

/** Decode GBK bytes; throws GbkDecodeError on an invalid or truncated sequence. */
export function gbkDecode(buf: Buffer, start = 0, end = buf.length): string {
  if (isAsciiBytes(buf, start, end)) return buf.toString('latin1', start, end);
  if (end - start <= CACHE_MAX_BYTES) {
    const key = buf.toString('latin1', start, end);
    let s = decodeCache.get(key);
    if (s === undefined) {
      s = decodeUncached(buf, start, end);
      if (decodeCache.size >= CACHE_MAX) decodeCache.clear();
      decodeCache.set(key, s);
    }
    return s;
  }
  return decodeUncached(buf, start, end);
}

function decodeUncached(buf: Buffer, start: number, end: number): string {
  const chars = gbkCharCount(buf, start, end);
  if (chars < 0) throw new GbkDecodeError();
  let s: string;
  try {
    s = decoder.decode(buf.subarray(start, end));
  } catch {
    throw new GbkDecodeError();
  }
  // One UTF-16 unit per single byte or pair (GBK is all in the BMP); anything else is a decoder surprise.
  if (s.length !== chars) throw new GbkDecodeError();
  return s;
}

/**
 * Encode text as GBK. ASCII strings are returned as latin1 bytes. A character that GBK cannot
 * represent becomes '?' (iconv-lite's replacement); use gbkEncodeStrict to refuse it instead.
 */
export function gbkEncode(s: string): Buffer {
  if (isAsciiString(s)) return Buffer.from(s, 'latin1');
  return iconv.encode(s, 'gbk');
}

/**
 * gbkEncode for the codec's own use: short non-ASCII results come from a cache, so the returned
 * Buffer may be shared and must never be modified (the encoder only copies from it).
 */
export function gbkEncodeShared(s: string): Buffer {
  if (s.length > CACHE_MAX_BYTES / 2) return gbkEncode(s);
  let b = encodeCache.get(s);
  if (b === undefined) {
    b = gbkEncode(s);
    if (encodeCache.size >= CACHE_MAX) encodeCache.clear();
    encodeCache.set(s, b);
  }
  return b;
}

/** Encode text as GBK, or return undefined when some character has no GBK code. */
export function gbkEncodeStrict(s: string): Buffer | undefined {
  if (isAsciiString(s)) return Buffer.from(s, 'latin1');
  const b = iconv.encode(s, 'gbk');
  if (b.indexOf(0x3f) < 0) return b; // no '?' in the output: nothing was substituted
  // iconv-lite silently substitutes '?': a round trip that changes the text reveals it.
  return iconv.decode(b, 'gbk') === s ? b : undefined;
}

/** Byte length of `s` in GBK (characters outside GBK count as their '?' replacement). */
export function gbkByteLength(s: string): number {
  if (isAsciiString(s)) return s.length;
  return iconv.encode(s, 'gbk').length;
}

/**
 * The byte length of the longest prefix of GBK bytes `b` that is at most `max` bytes and does
 * not end inside a double-byte character. GBK lead bytes are 0x81–0xFE and the byte after a
 * lead byte is always its trail, so scanning from the start finds the character boundaries.
 */
export function gbkBoundary(b: Uint8Array, max: number): number {
  if (b.length <= max) return b.length;
  let i = 0;
  while (i < b.length) {
    const n = b[i] >= 0x81 && b[i] <= 0xfe ? 2 : 1;
    if (i + n > max) break;
    i += n;
  }
  return i;
}

/** GBK bytes of `s` cut to at most `max` bytes on a character boundary. */
export function gbkTruncate(s: string, max: number): Buffer {
  const b = gbkEncode(s);
  const n = gbkBoundary(b, max);
  return n === b.length ? b : b.subarray(0, n);
}

/** `s` cut to at most `max` GBK bytes on a character boundary, as a string. */
export function truncateToBytes(s: string, max: number): string {
  if (isAsciiString(s)) return s.length <= max ? s : s.slice(0, max);
  const b = gbkEncode(s);
  if (b.length <= max) return s;
  return gbkDecode(b, 0, gbkBoundary(b, max));
}
