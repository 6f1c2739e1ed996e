// The body codec, derived from the declarative Layout (protocol/layout-types.ts): the
// binary-parser decoder, validation, the encoder, paging and sizes. Each is built once per layout
// object and cached in a WeakMap. What else is derived from a layout lives beside it: log redaction
// (protocol/redact.ts), the SPEC/CLI description (protocol/describe.ts) and the CLI's field=value
// parsing (protocol/coerce.ts).
//
// Wire encoding of the field types (all integers big-endian):
//   char      `width` bytes of GBK, space-padded; trailing spaces stripped on decode
//   text      uint16 byte count + that many GBK bytes
//   u8/u16/u32  unsigned integers
//   money     int64: signed count of fen (a bigint, never a float)
//   date      8 ASCII digits YYYYMMDD; datetime 14 digits YYYYMMDDHHMMSS; cycle 6 digits YYYYMM
//             (an `optional` one may be all spaces, decoded as '')
//   list      uint16 record count + the records, each laid out by `of`
import { Parser } from 'binary-parser/dist/binary_parser.js';
import { GatewayError } from './return-codes.js';
import { gbkBoundary, gbkDecode, gbkEncodeShared, gbkEncodeStrict, isAsciiBytes, isAsciiString, isPrintableAscii } from './gbk.js';
import type { BodyRecord, BodyValue, Field, Layout } from './layout-types.js';
import { shown } from './redact.js';

export type { BodyRecord, BodyValue, Field, Layout } from './layout-types.js';

/** 'strict' for requests (anything that does not fit is an error); 'truncate' for our own responses. */
export type EncodeMode = 'strict' | 'truncate';

/** Largest uint16: text byte counts and list record counts. */
export const MAX_TEXT_BYTES = 0xffff;
export const MAX_LIST_ITEMS = 0xffff;

const DATE_WIDTH = { date: 8, datetime: 14, cycle: 6 } as const;
const INT_MAX = { u8: 0xff, u16: 0xffff, u32: 0xffffffff } as const;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

// ---------------------------------------------------------------------------------------------
// Paging (protocol/SPEC.md section 3): a request that can return many rows carries offset (u32) + limit (u16);
// its response carries total (u32) before the list.

export const PAGE_REQUEST: Layout = Object.freeze([
  { name: 'offset', type: 'u32', doc: 'records to skip' },
  { name: 'limit', type: 'u16', min: 1, doc: 'records wanted (the server may return fewer)' },
] as const satisfies Layout);

const pagedCache = new WeakMap<Layout, Layout>();

/** Response layout of a paged query: total (u32, all matching records) then the `items` list. */
export function pagedResponse(itemLayout: Layout, opts: { maxItems?: number } = {}): Layout {
  if (opts.maxItems === undefined) {
    const hit = pagedCache.get(itemLayout);
    if (hit) return hit;
  }
  const layout: Layout = Object.freeze([
    { name: 'total', type: 'u32', doc: 'records matching the query, all pages' },
    { name: 'items', type: 'list', of: itemLayout, ...(opts.maxItems !== undefined ? { maxItems: opts.maxItems } : {}), doc: 'this page' },
  ] satisfies Layout);
  if (opts.maxItems === undefined) pagedCache.set(itemLayout, layout);
  return layout;
}

// ---------------------------------------------------------------------------------------------
// Compilation: one Parser (plus checks of the layout itself) per layout object.

// Marker a formatter returns for bytes that are not valid text; the validation pass reports it
// as INVALID_FIELD (formatters must not throw: a short body has to be reported first).
const BAD_TEXT: unique symbol = Symbol('bad text');

/**
 * The size of the body a parser is reading, for its list-count check. Each compiled layout owns
 * one, handed to every (nested) parser built for it; decodeBody sets it for the parse it starts
 * (parsing is synchronous, and a parse never starts another of the same layout).
 */
interface ParseBound {
  bodyBytes: number;
}

interface Compiled {
  parser: Parser | undefined; // undefined for the empty layout
  bound: ParseBound;
}

const compiledCache = new WeakMap<Layout, Compiled>();
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

function checkLayout(layout: Layout): void {
  const seen = new Set<string>();
  for (const f of layout) {
    // Field names become binary-parser variables; `$` is reserved for our hidden counters.
    if (!NAME_RE.test(f.name) || f.name === '__proto__' || f.name === 'constructor') {
      throw new Error(`layout field name ${JSON.stringify(f.name)} is not a plain identifier`);
    }
    if (seen.has(f.name)) throw new Error(`layout field ${f.name} appears twice`);
    seen.add(f.name);
    if (f.type === 'char' && (!Number.isInteger(f.width) || f.width < 1 || f.width > 0xffff)) {
      throw new Error(`layout field ${f.name}: width must be an integer 1..65535`);
    }
    if (f.type === 'list') checkLayout(f.of);
  }
}

function decodeFixedText(b: Buffer): string | typeof BAD_TEXT {
  // Strip trailing spaces on the bytes: 0x20 is never part of a GBK multi-byte character.
  let end = b.length;
  while (end > 0 && b[end - 1] === 0x20) end--;
  try {
    return gbkDecode(b, 0, end);
  } catch {
    return BAD_TEXT;
  }
}

function decodeVarText(b: Buffer): string | typeof BAD_TEXT {
  try {
    return gbkDecode(b);
  } catch {
    return BAD_TEXT;
  }
}

function decodeAscii(b: Buffer): string | typeof BAD_TEXT {
  return isAsciiBytes(b) ? b.toString('latin1') : BAD_TEXT;
}

function buildParser(layout: Layout, bound: ParseBound): Parser {
  let p = new Parser();
  for (const f of layout) {
    const n = f.name;
    switch (f.type) {
      case 'u8':
        p = p.uint8(n);
        break;
      case 'u16':
        p = p.uint16be(n);
        break;
      case 'u32':
        p = p.uint32be(n);
        break;
      case 'money':
        p = p.int64be(n);
        break;
      case 'char':
        p = p.buffer(n, { length: f.width, formatter: decodeFixedText });
        break;
      case 'text':
        p = p.uint16be(`${n}$n`).buffer(n, { length: `${n}$n`, formatter: decodeVarText });
        break;
      case 'date':
      case 'datetime':
      case 'cycle':
        p = p.buffer(n, { length: DATE_WIDTH[f.type], formatter: decodeAscii });
        break;
      case 'list': {
        // The count comes from the client: a 2-byte body must not make the parser loop 65,535
        // times. Every record takes at least minBytes(f.of) bytes, so a count the body cannot
        // hold is refused before the loop (BODY_MISMATCH).
        const least = Math.max(1, minBytes(f.of));
        p = p
          .uint16be(`${n}$n`, { assert: (count: string | number) => Number(count) * least <= bound.bodyBytes })
          .array(n, { type: buildParser(f.of, bound), length: `${n}$n` });
        break;
      }
    }
  }
  return p;
}

/** The fewest bytes a record of this layout can take on the wire (text and lists: their count). */
function minBytes(layout: Layout): number {
  let n = 0;
  for (const f of layout) n += fixedBytes(f) ?? 2;
  return n;
}

function compile(layout: Layout): Compiled {
  let c = compiledCache.get(layout);
  if (c) return c;
  checkLayout(layout);
  const bound: ParseBound = { bodyBytes: 0 };
  c = { parser: layout.length === 0 ? undefined : buildParser(layout, bound).saveOffset('$end'), bound };
  compiledCache.set(layout, c);
  return c;
}

// ---------------------------------------------------------------------------------------------
// Value checks shared by decode (validation pass) and encode.

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

function allDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/**
 * Why `s` is not a valid value of a date/datetime/cycle field, or undefined when it is.
 * Years 0001–9999 (the billing system uses far-future dates such as 20991231 for "no expiry");
 * months 01–12; days within the month (leap years by the Gregorian rule); 00–23:00–59:00–59.
 */
export function dateProblem(type: 'date' | 'datetime' | 'cycle', s: string): string | undefined {
  const width = DATE_WIDTH[type];
  const shape = type === 'date' ? 'YYYYMMDD' : type === 'datetime' ? 'YYYYMMDDHHMMSS' : 'YYYYMM';
  if (s.length !== width || !allDigits(s)) return `not ${width} digits ${shape}`;
  const y = +s.slice(0, 4);
  const m = +s.slice(4, 6);
  if (y < 1) return 'year 0000';
  if (m < 1 || m > 12) return `month ${s.slice(4, 6)}`;
  if (type === 'cycle') return undefined;
  const d = +s.slice(6, 8);
  if (d < 1 || d > daysInMonth(y, m)) return `day ${s.slice(6, 8)} of ${s.slice(0, 6)}`;
  if (type === 'date') return undefined;
  if (+s.slice(8, 10) > 23) return `hour ${s.slice(8, 10)}`;
  if (+s.slice(10, 12) > 59) return `minute ${s.slice(10, 12)}`;
  if (+s.slice(12, 14) > 59) return `second ${s.slice(12, 14)}`;
  return undefined;
}

// Control characters are refused in text: they corrupt logs and fixed-width displays. Free text
// (addresses, messages) may hold tab and line breaks.
const CONTROL_CHAR_RE = /[\x00-\x1f\x7f]/;
const CONTROL_CHAR_TEXT_RE = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;

function codeList(f: Field & { codes?: readonly { code: string | number }[] }): string {
  return (f.codes ?? []).map((c) => String(c.code)).join(', ');
}

/** A control character the decoder refuses in this field (any in `char`; in `text`, all but TAB, CR, LF). */
function controlProblem(f: Field, s: string): string | undefined {
  return (f.type === 'char' ? CONTROL_CHAR_RE : CONTROL_CHAR_TEXT_RE).test(s) ? 'contains a control character' : undefined;
}

function textProblem(f: Field, s: string, lenient = false): string | undefined {
  const control = controlProblem(f, s);
  if (control) return control;
  if (!lenient && f.type === 'char' && f.pattern && !f.pattern.test(s)) {
    return `does not match ${f.pattern}${shown(f, s)}`.trimEnd();
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Decoding.

function invalid(path: string, problem: string): GatewayError {
  return new GatewayError('INVALID_FIELD', `${path}: ${problem}`);
}

// The validation pass: checks every value and copies it into a clean record (without the
// parser's hidden `$n` counters).
function validate(layout: Layout, raw: Record<string, unknown>, prefix: string, lenient: boolean): BodyRecord {
  const out: BodyRecord = {};
  for (const f of layout) {
    const path = prefix + f.name;
    const v = raw[f.name];
    switch (f.type) {
      case 'char':
      case 'text': {
        if (v === BAD_TEXT) throw invalid(path, 'invalid GBK');
        const s = v as string;
        if (f.type === 'text' && f.maxBytes !== undefined && (raw[`${f.name}$n`] as number) > f.maxBytes) {
          throw invalid(path, `longer than ${f.maxBytes} bytes`);
        }
        const problem = textProblem(f, s, lenient);
        if (problem) throw invalid(path, problem);
        if (!lenient && f.type === 'char' && f.codes && !f.codes.some((c) => c.code === s)) throw invalid(path, `${JSON.stringify(s)} is not one of ${codeList(f)}`);
        out[f.name] = s;
        break;
      }
      case 'u8':
      case 'u16':
      case 'u32': {
        const n = v as number;
        if ((f.min !== undefined && n < f.min) || (f.max !== undefined && n > f.max)) {
          throw invalid(path, `${n} outside ${f.min ?? 0}..${f.max ?? INT_MAX[f.type]}`);
        }
        if (!lenient && f.codes && !f.codes.some((c) => c.code === n)) throw invalid(path, `${n} is not one of ${codeList(f)}`);
        out[f.name] = n;
        break;
      }
      case 'money': {
        const n = v as bigint;
        if ((f.min !== undefined && n < f.min) || (f.max !== undefined && n > f.max)) {
          // A business refusal, not a malformed request (docs/architecture.md: an amount out of bounds is 2xxx).
          throw new GatewayError('AMOUNT_OUT_OF_BOUNDS', `${path}: ${n} fen outside ${f.min ?? INT64_MIN}..${f.max ?? INT64_MAX}`);
        }
        out[f.name] = n;
        break;
      }
      case 'date':
      case 'datetime':
      case 'cycle': {
        if (v === BAD_TEXT) throw invalid(path, 'not ASCII');
        let s = v as string;
        if (f.optional && s.trim() === '') s = '';
        else {
          const problem = dateProblem(f.type, s);
          if (problem) throw invalid(path, `${problem}${shown(f, s)}`);
        }
        out[f.name] = s;
        break;
      }
      case 'list': {
        const items = v as Record<string, unknown>[];
        if (f.maxItems !== undefined && items.length > f.maxItems) {
          throw invalid(path, `${items.length} records, at most ${f.maxItems}`);
        }
        const list: BodyRecord[] = new Array(items.length);
        for (let i = 0; i < items.length; i++) list[i] = validate(f.of, items[i], `${path}[${i}].`, lenient);
        out[f.name] = list;
        break;
      }
    }
  }
  return out;
}

export interface DecodeOptions {
  /**
   * Responses (the client side): accept code values outside a field's code list and text that
   * does not match its pattern. Those describe what a request may carry; a reply carries what the
   * database holds, and an operator's schema may have codes ours does not list (SPEC.md section 3).
   */
  lenient?: boolean;
}

/**
 * Decode and validate a body (the bytes after the 60-byte header). Throws GatewayError
 * BODY_MISMATCH (body shorter than its layout, or bytes left over after it) or INVALID_FIELD
 * (invalid GBK, control characters, pattern, min/max, calendar values), naming the field.
 */
export function decodeBody(layout: Layout, body: Buffer, opts: DecodeOptions = {}): BodyRecord {
  const { parser, bound } = compile(layout);
  if (parser === undefined) {
    if (body.length !== 0) throw new GatewayError('BODY_MISMATCH', `${body.length} bytes after the body`);
    return {};
  }
  let raw: Record<string, unknown>;
  try {
    bound.bodyBytes = body.length;
    raw = parser.parse(body) as Record<string, unknown>;
  } catch (err) {
    // binary-parser reads numbers through a DataView bounded by the body.
    if (err instanceof RangeError) throw new GatewayError('BODY_MISMATCH', 'body shorter than its layout');
    // The list-count assertion above.
    if (err instanceof Error && err.message.startsWith('Assertion error')) {
      throw new GatewayError('BODY_MISMATCH', 'a list count larger than the body can hold');
    }
    throw err;
  }
  const end = raw.$end as number;
  if (end > body.length) throw new GatewayError('BODY_MISMATCH', 'body shorter than its layout');
  if (end < body.length) throw new GatewayError('BODY_MISMATCH', `${body.length - end} bytes after the body`);
  return validate(layout, raw, '', opts.lenient === true);
}

// ---------------------------------------------------------------------------------------------
// Encoding: a sizing pass (which also checks values and GBK-encodes non-ASCII text), then one
// Buffer of the exact size is allocated and written.

/** Text parts in field order: ASCII strings are written as latin1, others are GBK bytes. */
export type Part = string | Buffer;

/** The result of the sizing pass: body size and the encoded text parts, for writeBody. */
export interface PreparedBody {
  size: number;
  parts: Part[];
}

function fail(mode: EncodeMode, path: string, problem: string): GatewayError {
  // A response we cannot encode is our own bug (9999), not a wrong request.
  return new GatewayError(mode === 'strict' ? 'INVALID_FIELD' : 'INTERNAL_ERROR', `${path}: ${problem}`);
}

function sizeText(f: Field & { type: 'char' | 'text' }, v: unknown, mode: EncodeMode, prefix: string, parts: Part[]): number {
  if (typeof v !== 'string') throw fail(mode, prefix + f.name, v === undefined ? 'missing' : 'not a string');
  const limit = f.type === 'char' ? f.width : Math.min(f.maxBytes ?? MAX_TEXT_BYTES, MAX_TEXT_BYTES);
  let ascii: boolean;
  if (mode === 'strict') {
    const problem = textProblem(f, v);
    if (problem) throw fail(mode, prefix + f.name, problem);
    ascii = isAsciiString(v);
  } else if (isPrintableAscii(v)) ascii = true;
  else {
    // Our own reply: a control character no reader accepts (decodeBody's rule) is not cut or
    // replaced but refused, 9999, as any other value the layout cannot carry (protocol/SPEC.md).
    const control = controlProblem(f, v);
    if (control) throw fail(mode, prefix + f.name, control);
    ascii = isAsciiString(v);
  }
  let part: Part;
  let n: number;
  if (ascii) {
    part = v;
    n = v.length;
    if (n > limit) {
      if (mode === 'strict') throw fail(mode, prefix + f.name, `${n} bytes, at most ${limit}`);
      part = v.slice(0, limit);
      n = limit;
    }
  } else {
    let b: Buffer;
    if (mode === 'strict') {
      const strict = gbkEncodeStrict(v);
      if (!strict) throw fail(mode, prefix + f.name, 'has a character outside GBK');
      b = strict;
    } else {
      b = gbkEncodeShared(v);
    }
    n = b.length;
    if (n > limit) {
      if (mode === 'strict') throw fail(mode, prefix + f.name, `${n} bytes, at most ${limit}`);
      // Never cut a double-byte character in half (docs/architecture.md "Body rules").
      n = gbkBoundary(b, limit);
      b = b.subarray(0, n);
    }
    part = b;
  }
  parts.push(part);
  return f.type === 'char' ? f.width : 2 + n;
}

// The slow paths of the compiled sizers: called only when the fast check failed, they find the
// exact problem and throw the error the field's checks describe (the fast check is their union).

function intFail(f: Field & { type: 'u8' | 'u16' | 'u32' }, v: unknown, mode: EncodeMode, prefix: string): never {
  const path = prefix + f.name;
  const max = INT_MAX[f.type];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) {
    throw fail(mode, path, v === undefined ? 'missing' : `not an integer 0..${max}${shown(f, v)}`);
  }
  throw fail(mode, path, `${v} outside ${f.min ?? 0}..${f.max ?? max}`);
}

function moneyFail(f: Field & { type: 'money' }, v: unknown, mode: EncodeMode, prefix: string): never {
  const path = prefix + f.name;
  if (typeof v !== 'bigint' || v < INT64_MIN || v > INT64_MAX) {
    throw fail(mode, path, v === undefined ? 'missing' : `not an int64 bigint count of fen${shown(f, v)}`);
  }
  if (mode === 'strict') throw new GatewayError('AMOUNT_OUT_OF_BOUNDS', `${path}: ${v} fen outside ${f.min ?? INT64_MIN}..${f.max ?? INT64_MAX}`);
  throw fail(mode, path, `${v} fen outside ${f.min ?? INT64_MIN}..${f.max ?? INT64_MAX}`);
}

/**
 * The last value of each date type that passed dateProblem: a reply's dates repeat (the server
 * time of every answer within one second is the same string), and the check depends on the
 * string alone, so the same value is not parsed again (issue 17).
 */
const lastValidDate: Record<'date' | 'datetime' | 'cycle', string | undefined> = { date: undefined, datetime: undefined, cycle: undefined };

function dateCheck(f: Field & { type: 'date' | 'datetime' | 'cycle' }, v: unknown, mode: EncodeMode, prefix: string): void {
  if (typeof v !== 'string') throw fail(mode, prefix + f.name, v === undefined ? 'missing' : 'not a string');
  if (f.optional && v === '') return;
  if (v === lastValidDate[f.type]) return;
  const problem = dateProblem(f.type, v);
  if (problem) throw fail(mode, prefix + f.name, `${problem}${shown(f, v)}`);
  lastValidDate[f.type] = v;
}

function listFail(f: Field & { type: 'list' }, v: unknown, mode: EncodeMode, prefix: string): never {
  const path = prefix + f.name;
  if (!Array.isArray(v)) throw fail(mode, path, v === undefined ? 'missing' : 'not a list');
  throw fail(mode, path, `${v.length} records, at most ${Math.min(f.maxItems ?? MAX_LIST_ITEMS, MAX_LIST_ITEMS)}`);
}

function notRecord(mode: EncodeMode, prefix: string): never {
  throw fail(mode, prefix || 'body', 'not a record');
}

/** Write an encoded text part at `at`; returns its byte length. Short ASCII is copied in JS (cheaper than a native call). */
function writePart(buf: Buffer, at: number, p: Part): number {
  if (typeof p !== 'string') return p.copy(buf, at);
  const n = p.length;
  if (n > 32) return buf.write(p, at, 'latin1');
  for (let k = 0; k < n; k++) buf[at + k] = p.charCodeAt(k);
  return n;
}

/** Spaces over [from, to): short runs byte by byte (Buffer#fill is a call into C++, issue 17). */
function padSpaces(buf: Buffer, from: number, to: number): void {
  if (to - from > 32) {
    buf.fill(0x20, from, to);
    return;
  }
  for (let k = from; k < to; k++) buf[k] = 0x20;
}

type Sizer = (value: BodyRecord, mode: EncodeMode, prefix: string, parts: Part[]) => number;
interface Cursor {
  off: number;
  part: number;
}
type Writer = (value: BodyRecord, buf: Buffer, c: Cursor, parts: Part[]) => void;
interface Encoder {
  size: Sizer;
  write: Writer;
}

const encoderCache = new WeakMap<Layout, Encoder>();

// Encoders are compiled once per layout, as binary-parser compiles the decoders: one function per
// (sub)layout with every field's offset arithmetic, bounds and widths inlined as constants, the
// checks of a field in one fast test and the exact error in a slow path. Output is byte-for-byte
// the interpretive encoder's (test/protocol/encode-compiled.test.ts compares them on random bodies).
function encoderOf(layout: Layout): Encoder {
  let e = encoderCache.get(layout);
  if (e) return e;
  const F: Field[] = [];
  const C: unknown[] = [];
  const SUB: Encoder[] = [];
  const constant = (v: unknown): string => `C[${C.push(v) - 1}]`;
  const size: string[] = ["if (value === null || typeof value !== 'object') notRecord(mode, prefix);", 'let size = 0, v;'];
  const write: string[] = ['let off = c.off, p = c.part, n = 0, v;'];
  for (const f of layout) {
    const fi = F.push(f) - 1;
    const K = JSON.stringify(f.name);
    switch (f.type) {
      case 'char':
      case 'text':
        size.push(`size += sizeText(F[${fi}], value[${K}], mode, prefix, parts);`);
        if (f.type === 'char') write.push(`n = writePart(buf, off, parts[p++]); if (n < ${f.width}) padSpaces(buf, off + n, off + ${f.width}); off += ${f.width};`);
        else write.push('n = writePart(buf, off + 2, parts[p++]); buf[off] = n >>> 8; buf[off + 1] = n & 0xff; off += 2 + n;');
        break;
      case 'u8':
      case 'u16':
      case 'u32': {
        const max = INT_MAX[f.type];
        const lo = Math.max(0, f.min ?? 0);
        const hi = Math.min(max, f.max ?? max);
        size.push(`v = value[${K}]; if (typeof v !== 'number' || !(v >= ${lo} && v <= ${hi}) || !Number.isInteger(v)) intFail(F[${fi}], v, mode, prefix); size += ${f.type === 'u8' ? 1 : f.type === 'u16' ? 2 : 4};`);
        if (f.type === 'u8') write.push(`buf[off++] = value[${K}];`);
        else if (f.type === 'u16') write.push(`v = value[${K}]; buf[off] = v >>> 8; buf[off + 1] = v & 0xff; off += 2;`);
        else write.push(`buf.writeUInt32BE(value[${K}], off); off += 4;`);
        break;
      }
      case 'money': {
        const lo = f.min !== undefined && f.min > INT64_MIN ? f.min : INT64_MIN;
        const hi = f.max !== undefined && f.max < INT64_MAX ? f.max : INT64_MAX;
        size.push(`v = value[${K}]; if (typeof v !== 'bigint' || v < ${constant(lo)} || v > ${constant(hi)}) moneyFail(F[${fi}], v, mode, prefix); size += 8;`);
        write.push(`buf.writeBigInt64BE(value[${K}], off); off += 8;`);
        break;
      }
      case 'date':
      case 'datetime':
      case 'cycle': {
        const w = DATE_WIDTH[f.type];
        size.push(`dateCheck(F[${fi}], value[${K}], mode, prefix); size += ${w};`);
        write.push(`n = writePart(buf, off, value[${K}]); if (n < ${w}) padSpaces(buf, off + n, off + ${w}); off += ${w};`);
        break;
      }
      case 'list': {
        const si = SUB.push(encoderOf(f.of)) - 1;
        const max = Math.min(f.maxItems ?? MAX_LIST_ITEMS, MAX_LIST_ITEMS);
        size.push(
          `v = value[${K}]; if (!Array.isArray(v) || v.length > ${max}) listFail(F[${fi}], v, mode, prefix); size += 2;`,
          `for (let i = 0; i < v.length; i++) size += SUB[${si}].size(v[i], mode, prefix + ${JSON.stringify(`${f.name}[`)} + i + '].', parts);`,
        );
        write.push(
          `v = value[${K}]; buf[off] = v.length >>> 8; buf[off + 1] = v.length & 0xff; c.off = off + 2; c.part = p;`,
          `for (let i = 0; i < v.length; i++) SUB[${si}].write(v[i], buf, c, parts);`,
          'off = c.off; p = c.part;',
        );
        break;
      }
    }
  }
  size.push('return size;');
  write.push('c.off = off; c.part = p;');
  const helpers = { F, C, SUB, sizeText, intFail, moneyFail, dateCheck, listFail, notRecord, writePart, padSpaces };
  const names = Object.keys(helpers);
  const args = Object.values(helpers);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const mk = (params: string, body: string[]) => new Function(...names, `return function (${params}) {\n${body.join('\n')}\n};`)(...args);
  e = { size: mk('value, mode, prefix, parts', size) as Sizer, write: mk('value, buf, c, parts', write) as Writer };
  encoderCache.set(layout, e);
  return e;
}

/** The sizing pass: checks every value (throws as encodeBody does) and returns size and parts. */
export function prepareBody(layout: Layout, value: BodyRecord, mode: EncodeMode): PreparedBody {
  compile(layout);
  const parts: Part[] = [];
  const size = layout.length === 0 ? 0 : encoderOf(layout).size(value, mode, '', parts);
  return { size, parts };
}

/**
 * prepareBody's sizing pass into the caller's `parts` (emptied first), returning the size: for a
 * caller that writes the body at once and reuses one parts array (encodeResponse, issue 17).
 */
export function sizeBody(layout: Layout, value: BodyRecord, mode: EncodeMode, parts: Part[]): number {
  compile(layout);
  parts.length = 0;
  return layout.length === 0 ? 0 : encoderOf(layout).size(value, mode, '', parts);
}

/** writeBody from sizeBody's parts. */
export function writeBodyParts(layout: Layout, value: BodyRecord, parts: Part[], buf: Buffer, offset: number): void {
  if (layout.length === 0) return;
  encoderOf(layout).write(value, buf, { off: offset, part: 0 }, parts);
}

/** Write a prepared body at `offset` of `buf` (which has prepared.size bytes free there). */
export function writeBody(layout: Layout, value: BodyRecord, prepared: PreparedBody, buf: Buffer, offset: number): void {
  if (layout.length === 0) return;
  encoderOf(layout).write(value, buf, { off: offset, part: 0 }, prepared.parts);
}

/**
 * What decodeBody reads from the bytes writeBody(layout, value, prepared) writes, without writing
 * or parsing them (issue 19: a text framing profile's request and reply take the v1 codec's
 * rules, not its bytes). `prepared` is prepareBody(layout, value, mode) of the same value, so the
 * encoder's checks and normalisation have run: text as it would be written (cut, and in
 * 'truncate' mode '?' for characters outside GBK), then read back as decodeBody reads it (char
 * fields without their trailing spaces, GBK decoded) and validated by the decoder's own pass, so
 * its errors are decodeBody's (a code outside a field's list in strict reading, a control
 * character a truncating encoder let through...).
 */
export function readPrepared(layout: Layout, value: BodyRecord, prepared: PreparedBody, opts: DecodeOptions = {}): BodyRecord {
  if (layout.length === 0) return {};
  return validate(layout, rawOf(layout, value, prepared.parts, { off: 0, part: 0 }), '', opts.lenient === true);
}

/** A char field's written part as decodeFixedText reads it back (trailing spaces are padding). */
function fixedPartText(p: Part): string | typeof BAD_TEXT {
  if (typeof p !== 'string') return decodeFixedText(p);
  let end = p.length;
  while (end > 0 && p.charCodeAt(end - 1) === 0x20) end--;
  return end === p.length ? p : p.slice(0, end);
}

/** The record the parser would hand validate() for the bytes writeBody writes (the `$n` counts included). */
function rawOf(layout: Layout, value: BodyRecord, parts: readonly Part[], c: Cursor): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const f of layout) {
    const v = value[f.name];
    switch (f.type) {
      case 'char':
        raw[f.name] = fixedPartText(parts[c.part++]);
        break;
      case 'text': {
        const p = parts[c.part++];
        raw[`${f.name}$n`] = p.length;
        raw[f.name] = typeof p === 'string' ? p : decodeVarText(p);
        break;
      }
      case 'u8':
      case 'u16':
      case 'u32':
        // An integer the encoder accepted; + 0: -0 is written, and read, as 0.
        raw[f.name] = (v as number) + 0;
        break;
      case 'list': {
        const items = v as BodyRecord[];
        const list: Record<string, unknown>[] = new Array(items.length);
        for (let i = 0; i < items.length; i++) list[i] = rawOf(f.of, items[i], parts, c);
        raw[f.name] = list;
        break;
      }
      default:
        // money (a bigint read back as itself); dates (digits, or '' for an optional one, which
        // validate() reads as the spaces written for it are read).
        raw[f.name] = v;
    }
  }
  return raw;
}

/** Write a body already through prepareBody (its checks done) into a Buffer of its own. */
export function encodePrepared(layout: Layout, value: BodyRecord, prepared: PreparedBody): Buffer {
  const buf = Buffer.allocUnsafe(prepared.size);
  writeBody(layout, value, prepared, buf, 0);
  return buf;
}

/**
 * Encode a body. 'strict' (requests): a text that does not fit its width, a character outside
 * GBK, a control character, a pattern/min/max/calendar violation or a missing value throws
 * INVALID_FIELD naming the field. 'truncate' (our responses): text too long is cut on a GBK
 * character boundary, characters outside GBK become '?'; any other bad value is our bug and
 * throws INTERNAL_ERROR.
 */
export function encodeBody(layout: Layout, value: BodyRecord, mode: EncodeMode): Buffer {
  return encodePrepared(layout, value, prepareBody(layout, value, mode));
}

// ---------------------------------------------------------------------------------------------
// Sizes (the spec's description and the frame bounds use them too).

export function fixedBytes(f: Field): number | undefined {
  switch (f.type) {
    case 'u8':
      return 1;
    case 'u16':
      return 2;
    case 'u32':
      return 4;
    case 'money':
      return 8;
    case 'char':
      return f.width;
    case 'date':
    case 'datetime':
    case 'cycle':
      return DATE_WIDTH[f.type];
    default:
      return undefined;
  }
}

/** Bytes of a record of this layout when every field is fixed-width, else undefined. */
export function fixedSize(layout: Layout): number | undefined {
  let n = 0;
  for (const f of layout) {
    const b = fixedBytes(f);
    if (b === undefined) return undefined;
    n += b;
  }
  return n;
}

/** The most bytes a body of this layout can take (text without maxBytes: 65535; lists: maxItems records). */
export function maxSize(layout: Layout): number {
  let n = 0;
  for (const f of layout) {
    if (f.type === 'text') n += 2 + Math.min(f.maxBytes ?? MAX_TEXT_BYTES, MAX_TEXT_BYTES);
    else if (f.type === 'list') n += 2 + Math.min(f.maxItems ?? MAX_LIST_ITEMS, MAX_LIST_ITEMS) * maxSize(f.of);
    else n += fixedBytes(f)!;
  }
  return n;
}
