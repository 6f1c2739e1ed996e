// The fixed wire header, version 1 (docs/architecture.md "Wire format", protocol/SPEC.md section 2). All integers big-endian.
//   offset size field
//   0      4    length    uint32: bytes after this field (header + body), at least 56
//   4      1    version   1
//   5      1    kind      1 request, 2 response
//   6      2    biz       uint16 business type
//   8      4    seq       uint32 chosen by the client, echoed in the response
//   12     20   serial    ASCII, space-padded (流水号)
//   32     14   time      ASCII YYYYMMDDHHMMSS
//   46     10   operator  ASCII, space-padded (工号 / 终端号)
//   56     2    result    uint16: 0 in requests, the return code in responses
//   58     2    reserved  0 (kept for a future MAC flag)
//   60     …    body
import { GatewayError } from './return-codes.js';

export const LENGTH_SIZE = 4;
export const VERSION_SIZE = 1;
export const KIND_SIZE = 1;
export const BIZ_SIZE = 2;
export const SEQ_SIZE = 4;
export const SERIAL_SIZE = 20;
export const TIME_SIZE = 14;
export const OPERATOR_SIZE = 10;
export const RESULT_SIZE = 2;
export const RESERVED_SIZE = 2;

export const VERSION_OFFSET = 4;
export const KIND_OFFSET = 5;
export const BIZ_OFFSET = 6;
export const SEQ_OFFSET = 8;
export const SERIAL_OFFSET = 12;
export const TIME_OFFSET = 32;
export const OPERATOR_OFFSET = 46;
export const RESULT_OFFSET = 56;
export const RESERVED_OFFSET = 58;

/** Bytes from offset 0 (including the length field) through `reserved`; the body starts here. */
export const HEADER_SIZE = 60;
/** Smallest value of the length field: the header after the length field, with an empty body. */
export const MIN_FRAME_LENGTH = HEADER_SIZE - LENGTH_SIZE;

export const PROTOCOL_VERSION = 1;
export const KIND_REQUEST = 1;
export const KIND_RESPONSE = 2;

export interface Header {
  version: number;
  /** KIND_REQUEST or KIND_RESPONSE (decodeHeader does not check it; the server answers 1009). */
  kind: number;
  biz: number;
  seq: number;
  /** Trailing spaces stripped. */
  serial: string;
  /** YYYYMMDDHHMMSS. */
  time: string;
  /** Trailing spaces stripped. */
  operator: string;
  result: number;
  reserved: number;
}

function isPrintableAscii(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

function isDigits(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** Index after the last non-space byte in [start, end). */
function trimEnd(buf: Buffer, start: number, end: number): number {
  while (end > start && buf[end - 1] === 0x20) end--;
  return end;
}

/**
 * Decode the header of a whole frame (the Buffer includes the 4-byte length field).
 * Throws GatewayError FRAME_TOO_SHORT (fewer than 60 bytes), UNSUPPORTED_VERSION (version ≠ 1)
 * or MALFORMED_HEADER (serial/operator not printable ASCII, time not 14 digits).
 * The version is checked first: a future version may lay the rest out differently.
 */
export function decodeHeader(frame: Buffer): Header {
  if (frame.length < HEADER_SIZE) {
    throw new GatewayError('FRAME_TOO_SHORT', `${frame.length} bytes, the header needs ${HEADER_SIZE}`);
  }
  const version = frame[VERSION_OFFSET];
  if (version !== PROTOCOL_VERSION) throw new GatewayError('UNSUPPORTED_VERSION', `version ${version}`);
  if (!isPrintableAscii(frame, SERIAL_OFFSET, TIME_OFFSET)) {
    throw new GatewayError('MALFORMED_HEADER', 'serial is not printable ASCII');
  }
  if (!isDigits(frame, TIME_OFFSET, OPERATOR_OFFSET)) {
    throw new GatewayError('MALFORMED_HEADER', 'time is not 14 digits YYYYMMDDHHMMSS');
  }
  if (!isPrintableAscii(frame, OPERATOR_OFFSET, RESULT_OFFSET)) {
    throw new GatewayError('MALFORMED_HEADER', 'operator is not printable ASCII');
  }
  return {
    version,
    kind: frame[KIND_OFFSET],
    biz: (frame[BIZ_OFFSET] << 8) | frame[BIZ_OFFSET + 1],
    seq: frame.readUInt32BE(SEQ_OFFSET),
    serial: frame.toString('latin1', SERIAL_OFFSET, trimEnd(frame, SERIAL_OFFSET, TIME_OFFSET)),
    time: lastTime.text(frame, TIME_OFFSET, OPERATOR_OFFSET),
    operator: lastOperator.text(frame, OPERATOR_OFFSET, trimEnd(frame, OPERATOR_OFFSET, RESULT_OFFSET)),
    result: (frame[RESULT_OFFSET] << 8) | frame[RESULT_OFFSET + 1],
    reserved: (frame[RESERVED_OFFSET] << 8) | frame[RESERVED_OFFSET + 1],
  };
}

/**
 * The last string decoded from one header field, reused while the next frame carries the same
 * bytes (issue 17): a request's send time is the same for every request of a second, and an
 * operator field is the same for most of a connection's requests. Comparing ≤ 20 bytes in JS
 * costs less than Buffer#toString's call into C++ and the string it allocates. Only for fields
 * already checked printable ASCII, so a latin1 byte is the character.
 */
class LastText {
  private readonly bytes: Uint8Array;
  private length = -1;
  private value = '';

  constructor(width: number) {
    this.bytes = new Uint8Array(width);
  }

  text(frame: Buffer, start: number, end: number): string {
    const n = end - start;
    const b = this.bytes;
    if (n === this.length) {
      let i = 0;
      while (i < n && frame[start + i] === b[i]) i++;
      if (i === n) return this.value;
    }
    for (let i = 0; i < n; i++) b[i] = frame[start + i];
    this.length = n;
    this.value = frame.toString('latin1', start, end);
    return this.value;
  }
}

const lastTime = new LastText(TIME_SIZE);
const lastOperator = new LastText(OPERATOR_SIZE);

/** A header or response time: 14 ASCII digits, YYYYMMDDHHMMSS. */
export const TIME_RE = /^[0-9]{14}$/;
const PRINTABLE_RE = /^[\x20-\x7e]*$/;

function checkAsciiField(name: string, value: string, width: number): void {
  if (typeof value !== 'string' || !PRINTABLE_RE.test(value)) {
    throw new GatewayError('MALFORMED_HEADER', `${name} is not printable ASCII`);
  }
  if (value.length > width) throw new GatewayError('MALFORMED_HEADER', `${name} longer than ${width} bytes`);
}

function checkUint(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new GatewayError('MALFORMED_HEADER', `${name} is not an integer 0..${max}`);
  }
}

/** Check a header's values fit the wire (throws MALFORMED_HEADER naming the field). */
export function checkHeader(h: Header): void {
  checkUint('version', h.version, 0xff);
  checkUint('kind', h.kind, 0xff);
  checkUint('biz', h.biz, 0xffff);
  checkUint('seq', h.seq, 0xffffffff);
  checkUint('result', h.result, 0xffff);
  checkUint('reserved', h.reserved, 0xffff);
  checkAsciiField('serial', h.serial, SERIAL_SIZE);
  checkAsciiField('operator', h.operator, OPERATOR_SIZE);
  if (typeof h.time !== 'string' || !TIME_RE.test(h.time)) {
    throw new GatewayError('MALFORMED_HEADER', 'time is not 14 digits YYYYMMDDHHMMSS');
  }
}

/**
 * Write the 60 header bytes at `offset` of `buf`; the length field becomes 56 + bodyLength.
 * The values must already be valid (checkHeader); this is the hot path and checks nothing.
 */
export function writeHeader(buf: Buffer, offset: number, h: Header, bodyLength: number): void {
  writeHeaderFields(buf, offset, h.version, h.kind, h.biz, h.seq, h.serial, h.time, h.operator, h.result, h.reserved, bodyLength);
}

/**
 * writeHeader from the values themselves: a response is addressed from its request's header
 * without building a header object per answer (issue 17). Checks nothing, as writeHeader.
 */
export function writeHeaderFields(
  buf: Buffer, offset: number, version: number, kind: number, biz: number, seq: number, serial: string, time: string, operator: string,
  result: number, reserved: number, bodyLength: number,
): void {
  // Byte stores only (issue 17): Buffer#write and #fill each cross into C++ (with their offset
  // checks), which cost more than writing these ≤ 20 bytes from JS.
  const length = MIN_FRAME_LENGTH + bodyLength;
  buf[offset] = length >>> 24;
  buf[offset + 1] = length >>> 16;
  buf[offset + 2] = length >>> 8;
  buf[offset + 3] = length;
  buf[offset + VERSION_OFFSET] = version;
  buf[offset + KIND_OFFSET] = kind;
  buf[offset + BIZ_OFFSET] = biz >>> 8;
  buf[offset + BIZ_OFFSET + 1] = biz;
  buf[offset + SEQ_OFFSET] = seq >>> 24;
  buf[offset + SEQ_OFFSET + 1] = seq >>> 16;
  buf[offset + SEQ_OFFSET + 2] = seq >>> 8;
  buf[offset + SEQ_OFFSET + 3] = seq;
  writeLatin1(buf, offset + SERIAL_OFFSET, serial, SERIAL_SIZE, true);
  writeLatin1(buf, offset + TIME_OFFSET, time, TIME_SIZE, false);
  writeLatin1(buf, offset + OPERATOR_OFFSET, operator, OPERATOR_SIZE, true);
  buf[offset + RESULT_OFFSET] = result >>> 8;
  buf[offset + RESULT_OFFSET + 1] = result;
  buf[offset + RESERVED_OFFSET] = reserved >>> 8;
  buf[offset + RESERVED_OFFSET + 1] = reserved;
}

/**
 * `s` as latin1 (the low byte of each character, as Buffer#write 'latin1') into at most `width`
 * bytes at `at`; the rest space-filled when `pad`, left as it is otherwise.
 */
function writeLatin1(buf: Buffer, at: number, s: string, width: number, pad: boolean): void {
  const n = s.length < width ? s.length : width;
  for (let i = 0; i < n; i++) buf[at + i] = s.charCodeAt(i);
  if (pad) for (let i = n; i < width; i++) buf[at + i] = 0x20;
}

/** Encode a header alone: 60 bytes whose length field announces `bodyLength` body bytes. */
export function encodeHeader(h: Header, bodyLength = 0): Buffer {
  checkHeader(h);
  const buf = Buffer.allocUnsafe(HEADER_SIZE);
  writeHeader(buf, 0, h, bodyLength);
  return buf;
}
