// Requests and responses: header + body in one Buffer. Pure functions; the connection only
// writes what they return (as node-postgres's pg-protocol serializer).
//
// Response body (protocol/SPEC.md section 4): a variable-length GBK message (uint16 byte count + bytes: 成功 or
// the reason), then — only when result is 0 — the business fields of the response layout.
import { GatewayError } from './return-codes.js';
import {
  checkHeader,
  decodeHeader,
  HEADER_SIZE,
  TIME_RE,
  KIND_REQUEST,
  KIND_RESPONSE,
  PROTOCOL_VERSION,
  writeHeader,
  writeHeaderFields,
  type Header,
} from './header.js';
import { decodeBody, MAX_TEXT_BYTES, prepareBody, readPrepared, sizeBody, writeBody, writeBodyParts, type Part, type PreparedBody } from './layout.js';
import { gbkBoundary, gbkDecode, gbkEncode, GbkDecodeError, isAsciiString } from './gbk.js';
import type { BodyRecord, Layout } from './layout-types.js';

/** Header values a client chooses for a request. */
export interface RequestHead {
  biz: number;
  seq: number;
  serial: string;
  /** YYYYMMDDHHMMSS, sender's local time. */
  time: string;
  operator: string;
}

export interface DecodedResponse {
  header: Header;
  message: string;
  /** The business fields: present when result is 0 and a layout was given. */
  body?: BodyRecord;
}

const EMPTY_PREPARED: PreparedBody = { size: 0, parts: [] };

/** Encode a request frame; the body is checked in strict mode (INVALID_FIELD names the field). */
export function encodeRequest(head: RequestHead, layout: Layout, body: BodyRecord): Buffer {
  const header: Header = {
    version: PROTOCOL_VERSION,
    kind: KIND_REQUEST,
    biz: head.biz,
    seq: head.seq,
    serial: head.serial,
    time: head.time,
    operator: head.operator,
    result: 0,
    reserved: 0,
  };
  checkHeader(header);
  const prepared = layout.length === 0 ? EMPTY_PREPARED : prepareBody(layout, body, 'strict');
  const buf = Buffer.allocUnsafe(HEADER_SIZE + prepared.size);
  writeHeader(buf, 0, header, prepared.size);
  writeBody(layout, body, prepared, buf, HEADER_SIZE);
  return buf;
}

/** Decode and validate the body of a request frame (the whole frame, length field included). */
export function decodeRequestBody(frame: Buffer, layout: Layout): BodyRecord {
  if (frame.length < HEADER_SIZE) throw new GatewayError('FRAME_TOO_SHORT', `${frame.length} bytes`);
  if (layout.length === 0) {
    // No fields (CS-01 and the like): decodeBody's answer without a view of the empty body (issue 17).
    if (frame.length !== HEADER_SIZE) throw new GatewayError('BODY_MISMATCH', `${frame.length - HEADER_SIZE} bytes after the body`);
    return {};
  }
  return decodeBody(layout, frame.subarray(HEADER_SIZE));
}

/** A request body read through the v1 rules (readRequest). */
export interface ReadRequest {
  /** What decodeRequestBody would read. */
  body: BodyRecord;
  /** The strict encoder's sizing pass of the body given: encodePrepared writes the v1 frame's body bytes from it. */
  prepared: PreparedBody;
}

/**
 * A request body as decodeRequestBody reads it from the frame encodeRequest makes of it, without
 * the frame (issue 19: a text framing profile's request): the strict encoder's checks and errors
 * first (a value it refuses: the same INVALID_FIELD or AMOUNT_OUT_OF_BOUNDS), then the decoder's
 * (codes, patterns of what is read back), and the same values (char fields without trailing spaces).
 */
export function readRequest(layout: Layout, body: BodyRecord): ReadRequest {
  const prepared = layout.length === 0 ? EMPTY_PREPARED : prepareBody(layout, body, 'strict');
  return { body: readPrepared(layout, body, prepared), prepared };
}

// Response messages come from a small set (the return-code table, 成功); their GBK bytes are
// cached. Messages with details vary, so the cache is bounded and simply cleared when full.
const MESSAGE_CACHE_MAX = 512;
const MESSAGE_CACHEABLE_CHARS = 64;
const messageCache = new Map<string, Buffer>();

function messageBytes(message: string): Buffer | string {
  if (isAsciiString(message)) return message.length <= MAX_TEXT_BYTES ? message : message.slice(0, MAX_TEXT_BYTES);
  let b = messageCache.get(message);
  if (b) return b;
  b = gbkEncode(message);
  if (b.length > MAX_TEXT_BYTES) b = b.subarray(0, gbkBoundary(b, MAX_TEXT_BYTES));
  if (message.length <= MESSAGE_CACHEABLE_CHARS) {
    if (messageCache.size >= MESSAGE_CACHE_MAX) messageCache.clear();
    messageCache.set(message, b);
  }
  return b;
}

/** encodeResponse's body parts (sizeBody), emptied after each answer. */
const responseParts: Part[] = [];

/** The last response time that passed TIME_RE (encodeResponse). */
let lastValidTime: string | undefined;

/**
 * Encode the response to a request: kind 2, the request's biz/seq/serial/operator, `time`
 * (default: the request's), `result` in the header, then the message and — when result is 0
 * and a layout is given — the fields, in truncate mode (text cut on a GBK character boundary;
 * a missing or invalid value throws INTERNAL_ERROR naming the field).
 */
export function encodeResponse(
  reqHeader: Header,
  result: number,
  message: string,
  layout?: Layout,
  body?: BodyRecord,
  time?: string,
): Buffer {
  checkResult(result);
  if (time !== undefined && time !== lastValidTime) {
    if (!TIME_RE.test(time)) throw new GatewayError('INTERNAL_ERROR', 'time is not 14 digits');
    // The server time of every answer within one second is the same string: checked once.
    lastValidTime = time;
  }
  const msg = messageBytes(message);
  const msgLen = msg.length; // a string here is ASCII: one byte per character
  // The body's parts go to one reused array (no PreparedBody and parts array per answer): they are
  // written below, in this same call, and the array emptied.
  const fields = result === 0 && layout !== undefined && layout.length > 0 ? sizeBody(layout, body ?? {}, 'truncate', responseParts) : 0;
  const bodySize = 2 + msgLen + fields;
  const buf = Buffer.allocUnsafe(HEADER_SIZE + bodySize);
  writeHeaderFields(buf, 0, PROTOCOL_VERSION, KIND_RESPONSE, reqHeader.biz, reqHeader.seq, reqHeader.serial, time ?? reqHeader.time, reqHeader.operator, result, 0, bodySize);
  buf.writeUInt16BE(msgLen, HEADER_SIZE);
  if (typeof msg === 'string') buf.write(msg, HEADER_SIZE + 2, 'latin1');
  else msg.copy(buf, HEADER_SIZE + 2);
  if (fields > 0 && layout !== undefined && body !== undefined) {
    writeBodyParts(layout, body, responseParts, buf, HEADER_SIZE + 2 + msgLen);
  }
  responseParts.length = 0;
  return buf;
}

function checkResult(result: number): void {
  if (!Number.isInteger(result) || result < 0 || result > 0xffff) {
    throw new GatewayError('INTERNAL_ERROR', `result ${result} is not a uint16`);
  }
}

/** The sizing pass of a response's fields (truncate mode): only a result 0 with a layout has any. */
function prepareReply(result: number, layout: Layout | undefined, body: BodyRecord | undefined): PreparedBody {
  return result === 0 && layout !== undefined && layout.length > 0 ? prepareBody(layout, body ?? {}, 'truncate') : EMPTY_PREPARED;
}

/** A response's message and fields as decodeResponse reads them (without the header). */
export interface ResponseContent {
  message: string;
  /** The business fields: present when result is 0 and a layout was given. */
  body?: BodyRecord;
}

/** A response through encodeResponse's checks (readResponse reads it back). */
export interface PreparedResponse {
  result: number;
  message: string;
  prepared: PreparedBody;
}

/**
 * encodeResponse's checks of a response, without its bytes (issue 19: a text framing profile's
 * answer): throws what encodeResponse throws (INTERNAL_ERROR: a result that is not a uint16, a
 * reply its layout cannot carry). readResponse then reads it as decodeResponse would.
 */
export function prepareResponse(result: number, message: string, layout?: Layout, body?: BodyRecord): PreparedResponse {
  checkResult(result);
  return { result, message, prepared: prepareReply(result, layout, body) };
}

/**
 * What decodeResponse(encodeResponse(header, result, message, layout, body), layout) reads, from
 * prepareResponse's result and the same layout and body: the message as sent (cut to 65,535
 * bytes, characters outside GBK as '?'), the fields as sent (text cut on a GBK boundary...) and
 * read back leniently. Throws what that decodeResponse would (prepareResponse already refused a
 * control character, 9999, as encodeResponse does).
 */
export function readResponse(p: PreparedResponse, layout?: Layout, body?: BodyRecord): ResponseContent {
  const m = messageBytes(p.message);
  const message = typeof m === 'string' ? m : readMessage(m, 0, m.length);
  if (p.result !== 0 || layout === undefined) return { message };
  return { message, body: readPrepared(layout, body ?? {}, p.prepared, { lenient: true }) };
}

function readMessage(buf: Buffer, start: number, end: number): string {
  try {
    return gbkDecode(buf, start, end);
  } catch (err) {
    if (err instanceof GbkDecodeError) throw new GatewayError('INVALID_FIELD', 'message: invalid GBK');
    throw err;
  }
}

/** The error response for a GatewayError: its code and its wire message (text + detail). */
export function encodeErrorResponse(reqHeader: Header, err: GatewayError, time?: string): Buffer {
  return encodeResponse(reqHeader, err.code, err.wireMessage, undefined, undefined, time);
}

/**
 * Decode a response frame (client side, tests, the CLI). Throws GatewayError: header errors as
 * decodeHeader, MALFORMED_HEADER when kind is not 2, BODY_MISMATCH / INVALID_FIELD for the body.
 * When result is not 0, nothing may follow the message.
 */
export function decodeResponse(frame: Buffer, layout?: Layout): DecodedResponse {
  const header = decodeHeader(frame);
  if (header.kind !== KIND_RESPONSE) throw new GatewayError('MALFORMED_HEADER', `kind ${header.kind} is not 2 (response)`);
  const c = decodeResponseBody(frame.subarray(HEADER_SIZE), header.result, layout);
  return c.body === undefined ? { header, message: c.message } : { header, message: c.message, body: c.body };
}

/**
 * decodeResponse without the header: the bytes after it (a reply as the idempotency ledger holds
 * it) and the result its header carries. Throws as decodeResponse does.
 */
export function decodeResponseBody(bytes: Buffer, result: number, layout?: Layout): ResponseContent {
  if (bytes.length < 2) throw new GatewayError('BODY_MISMATCH', 'no response message');
  const msgEnd = 2 + bytes.readUInt16BE(0);
  if (msgEnd > bytes.length) throw new GatewayError('BODY_MISMATCH', 'response message longer than the body');
  const message = readMessage(bytes, 2, msgEnd);
  const rest = bytes.subarray(msgEnd);
  if (result !== 0 || layout === undefined) {
    if (result !== 0 && rest.length > 0) {
      throw new GatewayError('BODY_MISMATCH', `${rest.length} bytes after the message of a result ${result}`);
    }
    return { message };
  }
  // A reply carries what the database holds: codes and patterns are request rules (lenient).
  return { message, body: decodeBody(layout, rest, { lenient: true }) };
}
