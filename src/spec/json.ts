// protocol/spec.json: the machine-readable twin of protocol/SPEC.md, generated from the same
// handler list (`bssgate spec` writes both; a test fails when the committed file differs). It holds
// what a partner needs to generate a client or a dissector without reading prose: the framing and
// the header with offsets, widths and types; the body types; every business type's request and
// response layout (types, widths, offsets where fixed, code fields with their meanings, lists and
// their records, paging); the return codes; and every example SPEC.md shows, as hex with the
// values it stands for. docs/integrators.md describes the format. Imports protocol/ and the
// contracts only: no store, no metrics (test/architecture/light-imports.test.ts).
import { BUSINESS_ROWS, type BusinessRow } from '../../protocol/business-types.js';
import {
  BIZ_OFFSET,
  HEADER_SIZE,
  KIND_OFFSET,
  KIND_REQUEST,
  KIND_RESPONSE,
  MIN_FRAME_LENGTH,
  OPERATOR_OFFSET,
  OPERATOR_SIZE,
  PROTOCOL_VERSION,
  RESERVED_OFFSET,
  RESULT_OFFSET,
  SEQ_OFFSET,
  SERIAL_OFFSET,
  SERIAL_SIZE,
  TIME_OFFSET,
  TIME_SIZE,
  VERSION_OFFSET,
  decodeHeader,
  type Header,
} from '../../protocol/header.js';
import { fixedBytes, PAGE_REQUEST } from '../../protocol/layout.js';
import type { BodyRecord, BodyValue, Field, Layout } from '../../protocol/layout-types.js';
import { decodeResponse } from '../../protocol/message.js';
import { RETURN_CODES, codeFamily, type ReturnCodeName } from '../../protocol/return-codes.js';
import { isSecret } from '../../protocol/redact.js';
import type { FunctionContract } from '../types.js';
import { COMMON_REQUEST, COMMON_SYSTEM, exampleRequest, exampleResponse, renderExampleCases } from './render.js';

/** The format of spec.json itself; bumped when its shape changes incompatibly. */
export const SPEC_JSON_FORMAT = 1;

export type SpecFieldType = Field['type'];

/** One field of a layout, as spec.json describes it. */
export interface SpecField {
  name: string;
  type: SpecFieldType;
  /** Bytes on the wire when fixed (every type but text and list); null otherwise. */
  width: number | null;
  /** Offset from the start of the body (or of the list record), when every field before it is fixed; null otherwise. */
  offset: number | null;
  /** char/text: GBK; date, datetime, cycle: ASCII digits. */
  encoding?: 'gbk' | 'ascii';
  /** text and list: the uint16 count in front (bytes for text, records for a list). */
  countPrefix?: 'u16';
  signed?: boolean;
  secret?: boolean;
  /** date/datetime/cycle: all spaces on the wire stands for "none" (decoded as ""). */
  optional?: boolean;
  /** char: the JavaScript regular expression source a request value must match. */
  pattern?: string;
  /** Integer bounds; money bounds as decimal strings (int64). */
  min?: number | string;
  max?: number | string;
  maxBytes?: number;
  maxItems?: number;
  /** Code fields: every value and its meaning. */
  codes?: { code: string | number; zh: string; en: string }[];
  doc?: string;
  /** list: the layout of one record. */
  fields?: SpecField[];
}

export interface SpecExample {
  /** The name of the hex block in SPEC.md (`<!-- hex:NAME -->`). */
  name: string;
  biz: number;
  direction: 'request' | 'response';
  /** The whole frame, length field included, lower-case hex without separators. */
  hex: string;
  header: Omit<Header, 'version'> & { version: number };
  /** Responses: the message at the start of the body. */
  message?: string;
  /** The body's fields (a response's when result is 0); money as decimal strings. */
  body?: Record<string, JsonValue>;
}

type JsonValue = string | number | JsonValue[] | { [k: string]: JsonValue };

function jsonValue(v: BodyValue): JsonValue {
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return v.map((r) => jsonRecord(r));
  return v;
}

function jsonRecord(r: BodyRecord): Record<string, JsonValue> {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, jsonValue(v)]));
}

/** The spec.json form of a layout. */
export function specFields(layout: Layout): SpecField[] {
  let at: number | null = 0;
  return layout.map((f) => {
    const width = fixedBytes(f) ?? null;
    const out: SpecField = { name: f.name, type: f.type, width, offset: at };
    at = at !== null && width !== null ? at + width : null;
    switch (f.type) {
      case 'char':
        out.encoding = 'gbk';
        if (f.pattern) out.pattern = f.pattern.source;
        break;
      case 'text':
        out.encoding = 'gbk';
        out.countPrefix = 'u16';
        if (f.maxBytes !== undefined) out.maxBytes = f.maxBytes;
        break;
      case 'u8':
      case 'u16':
      case 'u32':
        if (f.min !== undefined) out.min = f.min;
        if (f.max !== undefined) out.max = f.max;
        break;
      case 'money':
        out.signed = true;
        if (f.min !== undefined) out.min = f.min.toString();
        if (f.max !== undefined) out.max = f.max.toString();
        break;
      case 'date':
      case 'datetime':
      case 'cycle':
        out.encoding = 'ascii';
        if (f.optional) out.optional = true;
        break;
      case 'list':
        out.countPrefix = 'u16';
        if (f.maxItems !== undefined) out.maxItems = f.maxItems;
        out.fields = specFields(f.of);
        break;
    }
    if (isSecret(f)) out.secret = true;
    if ((f.type === 'char' || f.type === 'u8' || f.type === 'u16' || f.type === 'u32') && f.codes) {
      out.codes = f.codes.map((c) => ({ code: c.code, zh: c.zh, en: c.en }));
    }
    if (f.doc) out.doc = f.doc;
    return out;
  });
}

function example(name: string, row: BusinessRow, frame: Buffer, direction: 'request' | 'response', body?: BodyRecord): SpecExample {
  const h = decodeHeader(frame);
  const out: SpecExample = { name, biz: row.code, direction, hex: frame.toString('hex'), header: { ...h } };
  if (direction === 'response') {
    out.message = decodeResponse(frame).message;
    if (h.result === 0 && body) out.body = jsonRecord(body);
  } else if (body) out.body = jsonRecord(body);
  return out;
}

const FAMILIES = [
  { family: 'ok', from: 0, to: 0, meaning: 'success; the business fields follow the message' },
  { family: 'request', from: 1000, to: 1999, meaning: 'the request is wrong' },
  { family: 'business', from: 2000, to: 2999, meaning: 'the business refuses' },
  { family: 'system', from: 9000, to: 9999, meaning: 'the system cannot answer now: nothing was done, the client may retry (a write with the same serial)' },
] as const;

/** The body types: bytes on the wire (null: the field's own width, or a count prefix) and encoding. */
const TYPES: { type: SpecFieldType; width: number | null; doc: string }[] = [
  { type: 'char', width: null, doc: 'fixed width (the field\'s `width`) GBK text, padded with spaces (0x20); trailing spaces are stripped on decode' },
  { type: 'text', width: null, doc: 'uint16 byte count n, then n bytes of GBK' },
  { type: 'u8', width: 1, doc: 'unsigned 8-bit integer' },
  { type: 'u16', width: 2, doc: 'unsigned 16-bit integer, big-endian' },
  { type: 'u32', width: 4, doc: 'unsigned 32-bit integer, big-endian' },
  { type: 'money', width: 8, doc: "signed 64-bit integer, big-endian, two's complement: a count of fen (分); never floating point" },
  { type: 'date', width: 8, doc: 'ASCII YYYYMMDD; an optional field may be 8 spaces (none, decoded as "")' },
  { type: 'datetime', width: 14, doc: 'ASCII YYYYMMDDHHMMSS; an optional field may be 14 spaces (none)' },
  { type: 'cycle', width: 6, doc: 'ASCII YYYYMM, a billing cycle; an optional field may be 6 spaces (none)' },
  { type: 'list', width: null, doc: 'uint16 record count n, then n records laid out by the field\'s `fields`' },
];

/** The spec.json document (an object; renderSpecJson gives its text). */
export function buildSpecJson(handlers: readonly FunctionContract[]) {
  const rc = (name: ReturnCodeName) => RETURN_CODES[name].code;
  const examples: SpecExample[] = [];
  const businessTypes = BUSINESS_ROWS.map((row) => {
    const h = handlers.find((x) => x.biz === row.code);
    const base = { code: row.code, key: row.key, name: row.name, ids: [...row.ids], title: row.title, interfaces: [...row.interfaces], served: h !== undefined };
    if (!h) return base;
    let ex: { request: string; response: string } | undefined;
    if (h.example) {
      const { req } = exampleRequest(h, row);
      const { res } = exampleResponse(h, row, req, 0);
      examples.push(example(`${row.code}-request`, row, req, 'request', h.example.request));
      examples.push(example(`${row.code}-response`, row, res, 'response', h.example.response));
      ex = { request: `${row.code}-request`, response: `${row.code}-response` };
    }
    return {
      ...base,
      write: h.write === true,
      doc: h.doc ?? '',
      paged: h.maxPage !== undefined ? { maxPage: h.maxPage, requestFields: ['offset', 'limit'], total: 'total', list: 'items' } : null,
      request: specFields(h.request),
      response: specFields(h.response),
      returnCodes: {
        ok: rc('OK'),
        refusals: (h.refusals ?? []).map(rc),
        common: [...COMMON_REQUEST.map(rc), ...COMMON_SYSTEM.map(rc)],
        write: h.write ? [rc('MALFORMED_HEADER'), rc('UNKNOWN_CLIENT')] : [],
      },
      examples: ex ?? null,
    };
  });
  for (const c of renderExampleCases(handlers)) {
    const row = BUSINESS_ROWS.find((r) => r.code === c.biz)!;
    examples.push(example(c.name, row, c.frame, c.direction, c.body));
  }
  return {
    format: 'bssgate-spec',
    formatVersion: SPEC_JSON_FORMAT,
    protocolVersion: PROTOCOL_VERSION,
    about:
      'Generated from the handler list by `bssgate spec` with protocol/SPEC.md (the prose). Integers are big-endian; text is GBK; money is a signed 64-bit count of fen.',
    byteOrder: 'big-endian',
    textEncoding: 'gbk',
    framing: {
      lengthField: { offset: 0, width: 4, type: 'u32', doc: 'bytes after this field: the rest of the header and the body' },
      headerSize: HEADER_SIZE,
      minLength: MIN_FRAME_LENGTH,
      defaultMaxFrame: 65536,
      doc: 'A frame is the 4-byte length and that many bytes. Frames are independent of TCP segments; requests may be pipelined, responses come back in request order with their seq.',
    },
    header: [
      { name: 'length', offset: 0, width: 4, type: 'u32', doc: `bytes after this field (header + body); at least ${MIN_FRAME_LENGTH}` },
      { name: 'version', offset: VERSION_OFFSET, width: 1, type: 'u8', value: PROTOCOL_VERSION, doc: `${PROTOCOL_VERSION}; anything else is answered 1002` },
      {
        name: 'kind',
        offset: KIND_OFFSET,
        width: 1,
        type: 'u8',
        codes: [
          { code: KIND_REQUEST, zh: '请求', en: 'request' },
          { code: KIND_RESPONSE, zh: '应答', en: 'response' },
        ],
      },
      { name: 'biz', offset: BIZ_OFFSET, width: 2, type: 'u16', doc: 'business type (businessTypes[].code)' },
      { name: 'seq', offset: SEQ_OFFSET, width: 4, type: 'u32', doc: 'chosen by the client, echoed unchanged in the response' },
      { name: 'serial', offset: SERIAL_OFFSET, width: SERIAL_SIZE, type: 'char', encoding: 'ascii', doc: "the client's transaction serial (流水号), printable ASCII, space-padded; blank in the answers to 1001/1002/1009" },
      { name: 'time', offset: TIME_OFFSET, width: TIME_SIZE, type: 'datetime', encoding: 'ascii', doc: "YYYYMMDDHHMMSS: the sender's local time (a response: the gateway's when it answered)" },
      { name: 'operator', offset: OPERATOR_OFFSET, width: OPERATOR_SIZE, type: 'char', encoding: 'ascii', doc: 'operator or terminal id (工号 / 终端号), printable ASCII, space-padded; blank in the answers to 1001/1002/1009' },
      { name: 'result', offset: RESULT_OFFSET, width: 2, type: 'u16', doc: '0 in requests; the return code (returnCodes) in responses' },
      { name: 'reserved', offset: RESERVED_OFFSET, width: 2, type: 'u16', doc: '0; ignored on input' },
    ],
    types: TYPES,
    responseBody: {
      message: { name: 'message', type: 'text', encoding: 'gbk', doc: '成功 on success, else the return code\'s text, possibly followed by ": " and a detail' },
      fieldsOnlyWhenResult: 0,
      doc: "Every response body starts with the message; the response layout's fields follow only when result is 0.",
    },
    paging: {
      request: specFields(PAGE_REQUEST),
      response: [
        { name: 'total', type: 'u32', width: 4, doc: 'records matching the query, all pages' },
        { name: 'items', type: 'list', width: null, countPrefix: 'u16', doc: 'this page; at most the business type\'s paged.maxPage records' },
      ],
      doc: 'Paged business types take offset and limit at the start of the request and answer total before the list items; read the next page with offset + count until total records are read.',
    },
    returnCodes: Object.entries(RETURN_CODES).map(([key, r]) => ({ code: r.code, key, message: r.message, en: r.en, family: codeFamily(r.code) })),
    returnCodeFamilies: FAMILIES,
    businessTypes,
    examples,
  };
}

export type SpecJson = ReturnType<typeof buildSpecJson>;

/** The text of protocol/spec.json. */
export function renderSpecJson(handlers: readonly FunctionContract[]): string {
  return JSON.stringify(buildSpecJson(handlers), null, 2) + '\n';
}
