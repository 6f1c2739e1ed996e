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
    biz: frame.readUInt16BE(BIZ_OFFSET),
    seq: frame.readUInt32BE(SEQ_OFFSET),
    serial: frame.toString('latin1', SERIAL_OFFSET, trimEnd(frame, SERIAL_OFFSET, TIME_OFFSET)),
    time: frame.toString('latin1', TIME_OFFSET, OPERATOR_OFFSET),
    operator: frame.toString('latin1', OPERATOR_OFFSET, trimEnd(frame, OPERATOR_OFFSET, RESULT_OFFSET)),
    result: frame.readUInt16BE(RESULT_OFFSET),
    reserved: frame.readUInt16BE(RESERVED_OFFSET),
  };
}

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
  buf.writeUInt32BE(MIN_FRAME_LENGTH + bodyLength, offset);
  buf[offset + VERSION_OFFSET] = version;
  buf[offset + KIND_OFFSET] = kind;
  buf.writeUInt16BE(biz, offset + BIZ_OFFSET);
  buf.writeUInt32BE(seq, offset + SEQ_OFFSET);
  writePadded(buf, offset + SERIAL_OFFSET, serial, SERIAL_SIZE);
  buf.write(time, offset + TIME_OFFSET, TIME_SIZE, 'latin1');
  writePadded(buf, offset + OPERATOR_OFFSET, operator, OPERATOR_SIZE);
  buf.writeUInt16BE(result, offset + RESULT_OFFSET);
  buf.writeUInt16BE(reserved, offset + RESERVED_OFFSET);
}

function writePadded(buf: Buffer, at: number, s: string, width: number): void {
  const n = buf.write(s, at, width, 'latin1');
  buf.fill(0x20, at + n, at + width);
}

/** Encode a header alone: 60 bytes whose length field announces `bodyLength` body bytes. */
export function encodeHeader(h: Header, bodyLength = 0): Buffer {
  checkHeader(h);
  const buf = Buffer.allocUnsafe(HEADER_SIZE);
  writeHeader(buf, 0, h, bodyLength);
  return buf;
}
