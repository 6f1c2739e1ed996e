// A text framing profile (issue 19, docs/framing.md): how a legacy client family writes a packet
// — start byte, ASCII length field, fixed-width header fields, TAB/CRLF body, 0x1A terminator —
// declared as data in a JSON file and loaded strictly: every problem names the file and the JSON
// path of the offending value. Nothing here knows about sockets or the v1 wire.
import { readFileSync } from 'node:fs';
import { businessByCode, businessById, businessByName } from '../business-types.js';
import { returnCode } from '../return-codes.js';
import { CHECK_ALGORITHMS, sm4Available, type CheckAlgorithm } from './check-code.js';

/** What a header field carries. */
export type HeaderRole =
  | 'length' // the packet size, ASCII digits
  | 'constant' // a fixed value (a version "10"); checked on requests, written on replies
  | 'serial' // 流水号: the request's serial (its idempotency key for write functions)
  | 'flag' // 标志: success/failure of a reply; what a request carries is not checked
  | 'service' // 服务类型 / 交易类型: the business type, through the service table
  | 'packet' // 包编号: packet number of this request or reply, from 1
  | 'last' // 最后一包标志
  | 'error' // 错误码: "00000" on success, the error table otherwise
  | 'operator' // 营业员 / 工号
  | 'time' // request time; echoed in the reply
  | 'check' // 验证码 (check code): computed as the profile's `check` block says
  | 'echo'; // anything else (phone, office, number type…): read, and echoed in the reply

const ROLES: readonly HeaderRole[] = ['length', 'constant', 'serial', 'flag', 'service', 'packet', 'last', 'error', 'operator', 'time', 'check', 'echo'];
/** Roles that may appear at most once. */
const SINGLE_ROLES: readonly HeaderRole[] = ['length', 'serial', 'flag', 'service', 'packet', 'last', 'error', 'operator', 'time', 'check'];

export interface HeaderField {
  name: string;
  role: HeaderRole;
  width: number;
  /** Offset from the first header byte (after the start byte). */
  offset: number;
  /** Padding byte of a value shorter than the width. */
  pad: string;
  align: 'left' | 'right';
  /** constant: the value; flag: what a request is written with. */
  value?: string;
  /** flag: success / failure values. last: last / more values. */
  yes?: string;
  no?: string;
  /** time: the layout of the value. */
  format?: 'YYYYMMDDHHMMSS' | 'YYMMDDHHMMSS';
}

export type LengthPart = 'start' | 'header' | 'body' | 'terminator';

/** One part of the bytes a check code covers: a header field as on the wire (or its first/last n bytes), or the packet's body. */
export type CheckCover = { kind: 'field'; field: HeaderField; first?: number; last?: number } | { kind: 'body' };

/** A profile's check code (验证码): the algorithm, the bytes it covers, how it is written in its header field. */
export interface CheckSpec {
  field: HeaderField;
  algorithm: CheckAlgorithm;
  /** ISO/IEC 9797-1 padding method of the block-cipher MACs (ignored by hmac-sha256). */
  padding: 1 | 2;
  /** In order: the covered bytes are their concatenation. */
  covers: readonly CheckCover[];
  encoding: 'base64' | 'hex' | 'HEX';
  /** How many leading bytes of the code are written. */
  bytes: number;
}

export interface ProfileExample {
  comment: string;
  direction: 'request' | 'reply';
  packet: Buffer;
}

export interface FramingProfile {
  /** The JSON file it was loaded from (messages). */
  file: string;
  name: string;
  description: string;
  /** A byte before the header ('@'), or undefined. */
  start: number | undefined;
  terminator: number;
  /** What the length field counts. */
  lengthCounts: ReadonlySet<LengthPart>;
  header: readonly HeaderField[];
  headerSize: number;
  /** The header field of each single role. */
  role: Partial<Record<HeaderRole, HeaderField>>;
  body: {
    fieldSeparator: string;
    recordSeparator: string;
    encoding: 'gbk';
    /** fen: signed digits of fen ("12345"); yuan: two decimals ("123.45"). */
    money: 'fen' | 'yuan';
    /** How an empty value is written ("" or a single space). Read back as ''. */
    empty: string;
    /** always: every list is preceded by a record holding its count; when-needed: except a single list that ends the layout. */
    listCount: 'always' | 'when-needed';
    /** What the body of a refused request's reply holds: the message, or nothing. */
    errorBody: 'message' | 'empty';
  };
  packets: {
    /** Largest packet in bytes, everything included (start byte to terminator). */
    size: number;
    /** Largest number of packets of one request, and its largest reassembled body. */
    maxRequestPackets: number;
    maxRequestBytes: number;
  };
  services: {
    /** Wire service code (as read, padding trimmed) → business code. */
    table: ReadonlyMap<string, number>;
    /** Business code → wire service code (the first table row naming it). */
    reverse: ReadonlyMap<number, string>;
    /** A code not in the table: 'code' = its digits are the business code; 'unknown' = 1003. */
    otherwise: 'code' | 'unknown';
  };
  errors: {
    /** bssgate return code → the error code field's value. */
    table: ReadonlyMap<number, string>;
    /** A return code not in the table: 'code' = its digits zero-padded to the field's width. */
    otherwise: 'code';
  };
  correlation: 'order' | 'serial';
  heartbeat: { request: Buffer; reply: Buffer; maxPerMinute: number } | undefined;
  examples: readonly ProfileExample[];
  /** The check code, when the header has one (docs/framing.md "Check codes"). */
  check: CheckSpec | undefined;
  /** body.format = fixed: every layout field at a fixed width (docs/framing.md "Fixed-width bodies"). */
  fixed: FixedWidths | undefined;
}

/** How a fixed-width body writes each field type: widths in GBK bytes, padding, alignment. */
export interface FixedWidths {
  /** Width of u8/u16/u32/money values and of text fields with no maxBytes (char, date, datetime, cycle have their own). */
  u8: number;
  u16: number;
  u32: number;
  money: number;
  text: number;
  /** Per layout field name: a width that wins over the type's. */
  fields: ReadonlyMap<string, number>;
  /** Numbers (u8…u32, money): left (value then spaces, the default) or right (spaces then value). Text is always left. */
  numberAlign: 'left' | 'right';
}

/** A profile that cannot be loaded: the file, the JSON path and the problem. */
export class ProfileError extends Error {
  constructor(
    readonly file: string,
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${file}: ${path}: ${problem}`);
    this.name = 'ProfileError';
  }
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

class Reader {
  constructor(readonly file: string) {}
  fail(path: string, problem: string): never {
    throw new ProfileError(this.file, path, problem);
  }
  obj(v: Json | undefined, path: string): Obj {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.fail(path, 'expected an object');
    return v;
  }
  keys(o: Obj, path: string, allowed: readonly string[]): void {
    for (const k of Object.keys(o)) {
      if (!allowed.includes(k)) this.fail(`${path}.${k}`, `unknown key; accepted here: ${allowed.join(', ')}`);
    }
  }
  str(o: Obj, key: string, path: string, def?: string): string {
    const v = o[key];
    if (v === undefined && def !== undefined) return def;
    if (typeof v !== 'string') this.fail(`${path}.${key}`, v === undefined ? 'missing (a string)' : 'expected a string');
    return v;
  }
  int(o: Obj, key: string, path: string, min: number, max: number, def?: number): number {
    const v = o[key];
    if (v === undefined && def !== undefined) return def;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      this.fail(`${path}.${key}`, `${v === undefined ? 'missing' : JSON.stringify(v)}; expected an integer ${min}–${max}`);
    }
    return v;
  }
  oneOf<T extends string>(o: Obj, key: string, path: string, values: readonly T[], def?: T): T {
    const v = this.str(o, key, path, def);
    if (!(values as readonly string[]).includes(v)) this.fail(`${path}.${key}`, `${JSON.stringify(v)}; accepted: ${values.join(' | ')}`);
    return v as T;
  }
  /** One byte, written as "0x1A" or as a one-character ASCII string ("@"). */
  byte(o: Obj, key: string, path: string): number | undefined {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string' && /^0x[0-9a-fA-F]{2}$/.test(v)) return parseInt(v.slice(2), 16);
    if (typeof v === 'string' && v.length === 1 && v.charCodeAt(0) < 0x80) return v.charCodeAt(0);
    return this.fail(`${path}.${key}`, `${JSON.stringify(v)}; expected one byte: "0x1A" or a single ASCII character such as "@"`);
  }
}

const PRINTABLE = /^[\x20-\x7e]*$/;

/** Load and check a profile file. Throws ProfileError (file, JSON path, problem). */
export function loadProfile(file: string): FramingProfile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ProfileError(file, '$', `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let json: Json;
  try {
    json = JSON.parse(text) as Json;
  } catch (err) {
    throw new ProfileError(file, '$', `not JSON: ${(err as Error).message}`);
  }
  return parseProfile(json, file);
}

/** Check a parsed profile document (loadProfile without the file read). */
export function parseProfile(json: unknown, file: string, opts: { ciphers?: readonly string[] } = {}): FramingProfile {
  const r: Reader = new Reader(file);
  const top = r.obj(json as Json, '$');
  r.keys(top, '$', ['name', 'description', 'start', 'terminator', 'length', 'header', 'body', 'packets', 'services', 'errors', 'correlation', 'heartbeat', 'examples', 'check']);
  const name = r.str(top, 'name', '$');
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) r.fail('$.name', `${JSON.stringify(name)}; expected lower-case letters, digits and -`);
  const description = r.str(top, 'description', '$', '');
  const start = r.byte(top, 'start', '$');
  const terminator = r.byte(top, 'terminator', '$');
  if (terminator === undefined) r.fail('$.terminator', 'missing (e.g. "0x1A")');
  if (start === terminator) r.fail('$.start', 'the start byte cannot be the terminator');

  // ── length ──
  const lengthObj = r.obj(top.length, '$.length');
  r.keys(lengthObj, '$.length', ['counts']);
  const countsRaw = lengthObj.counts;
  if (!Array.isArray(countsRaw) || countsRaw.length === 0) r.fail('$.length.counts', 'expected a non-empty list of: start, header, body, terminator');
  const counts = new Set<LengthPart>();
  countsRaw.forEach((c, i) => {
    if (c !== 'start' && c !== 'header' && c !== 'body' && c !== 'terminator') r.fail(`$.length.counts[${i}]`, `${JSON.stringify(c)}; accepted: start | header | body | terminator`);
    if (counts.has(c)) r.fail(`$.length.counts[${i}]`, `${c} listed twice`);
    counts.add(c);
  });
  if (counts.has('start') && start === undefined) r.fail('$.length.counts', 'counts the start byte, but the profile has none ($.start)');

  // ── header ──
  if (!Array.isArray(top.header) || top.header.length === 0) r.fail('$.header', 'expected a non-empty list of fields');
  const header: HeaderField[] = [];
  const role: Partial<Record<HeaderRole, HeaderField>> = {};
  let offset = 0;
  const names = new Set<string>();
  top.header.forEach((raw, i) => {
    const p = `$.header[${i}]`;
    const o = r.obj(raw, p);
    r.keys(o, p, ['name', 'role', 'width', 'pad', 'align', 'value', 'yes', 'no', 'format', 'doc', 'check']);
    const fname = r.str(o, 'name', p);
    if (names.has(fname)) r.fail(`${p}.name`, `${JSON.stringify(fname)} appears twice`);
    names.add(fname);
    const frole = r.oneOf(o, 'role', p, ROLES);
    const width = r.int(o, 'width', p, 1, 64);
    const pad = r.str(o, 'pad', p, ' ');
    if (pad.length !== 1 || !PRINTABLE.test(pad)) r.fail(`${p}.pad`, `${JSON.stringify(pad)}; expected one printable ASCII character (" " or "0")`);
    const align = r.oneOf(o, 'align', p, ['left', 'right'] as const, 'left');
    const f: HeaderField = { name: fname, role: frole, width, offset, pad, align };
    const fixed = (key: 'value' | 'yes' | 'no', def?: string) => {
      const v = r.str(o, key, p, def);
      if (!PRINTABLE.test(v) || v.length > width) r.fail(`${p}.${key}`, `${JSON.stringify(v)}; expected printable ASCII of at most ${width} characters`);
      return v;
    };
    if (frole === 'constant') f.value = fixed('value');
    if (frole === 'flag') {
      f.yes = fixed('yes', '1');
      f.no = fixed('no', '0');
      f.value = fixed('value', ' ');
    }
    if (frole === 'last') {
      f.yes = fixed('yes', '1');
      f.no = fixed('no', '0');
      if (f.yes === f.no) r.fail(`${p}.no`, 'the same as yes');
    }
    if (frole === 'time') {
      f.format = r.oneOf(o, 'format', p, ['YYYYMMDDHHMMSS', 'YYMMDDHHMMSS'] as const);
      if (f.format.length !== width) r.fail(`${p}.width`, `${width}; the format ${f.format} takes ${f.format.length}`);
    }
    if (frole === 'length' || frole === 'packet') {
      if (pad !== ' ' && pad !== '0') r.fail(`${p}.pad`, 'a number is padded with " " or "0"');
    }
    if (SINGLE_ROLES.includes(frole)) {
      if (role[frole]) r.fail(`${p}.role`, `a second ${frole} field (the first is ${role[frole]!.name})`);
      role[frole] = f;
    }
    header.push(f);
    offset += width;
  });
  if (!role.length) r.fail('$.header', 'no field has role "length"');
  if (role.last && !role.packet) r.fail('$.header', 'a "last" field needs a "packet" field');
  const headerSize = offset;

  // ── body ──
  const b = r.obj(top.body ?? {}, '$.body');
  r.keys(b, '$.body', ['format', 'fieldSeparator', 'recordSeparator', 'encoding', 'money', 'empty', 'listCount', 'errorBody', 'widths', 'numberAlign']);
  const format = r.oneOf(b, 'format', '$.body', ['delimited', 'fixed'] as const, 'delimited');
  let fixed: FixedWidths | undefined;
  if (format === 'fixed') {
    const w = r.obj(b.widths ?? {}, '$.body.widths');
    r.keys(w, '$.body.widths', ['u8', 'u16', 'u32', 'money', 'text', 'fields']);
    const fields = new Map<string, number>();
    const fo = r.obj(w.fields ?? {}, '$.body.widths.fields');
    for (const k of Object.keys(fo)) fields.set(k, r.int(fo, k, '$.body.widths.fields', 1, 4096));
    fixed = {
      u8: r.int(w, 'u8', '$.body.widths', 3, 64, 3),
      u16: r.int(w, 'u16', '$.body.widths', 5, 64, 5),
      u32: r.int(w, 'u32', '$.body.widths', 10, 64, 10),
      money: r.int(w, 'money', '$.body.widths', 12, 64, 14),
      text: r.int(w, 'text', '$.body.widths', 1, 4096, 64),
      fields,
      numberAlign: r.oneOf(b, 'numberAlign', '$.body', ['left', 'right'] as const, 'left'),
    };
  } else {
    for (const k of ['widths', 'numberAlign']) if (b[k] !== undefined) r.fail(`$.body.${k}`, 'only with "format": "fixed"');
  }
  const body: FramingProfile['body'] = {
    fieldSeparator: r.str(b, 'fieldSeparator', '$.body', '\t'),
    recordSeparator: r.str(b, 'recordSeparator', '$.body', '\r\n'),
    encoding: r.oneOf(b, 'encoding', '$.body', ['gbk'] as const, 'gbk'),
    money: r.oneOf(b, 'money', '$.body', ['fen', 'yuan'] as const, 'fen'),
    empty: r.oneOf(b, 'empty', '$.body', ['', ' '] as const, ''),
    listCount: r.oneOf(b, 'listCount', '$.body', ['always', 'when-needed'] as const, 'when-needed'),
    errorBody: r.oneOf(b, 'errorBody', '$.body', ['message', 'empty'] as const, 'message'),
  };
  const sepOk = (s: string) => s.length >= 1 && s.length <= 2 && [...s].every((c) => c.charCodeAt(0) < 0x20);
  if (!sepOk(body.fieldSeparator)) r.fail('$.body.fieldSeparator', 'expected one or two control characters (TAB is "\\t")');
  if (!sepOk(body.recordSeparator)) r.fail('$.body.recordSeparator', 'expected one or two control characters (CRLF is "\\r\\n")');
  if (body.recordSeparator.includes(body.fieldSeparator) || body.fieldSeparator.includes(body.recordSeparator)) r.fail('$.body.recordSeparator', 'must not contain the field separator (nor the reverse)');
  const term = String.fromCharCode(terminator);
  if (body.fieldSeparator.includes(term) || body.recordSeparator.includes(term)) r.fail('$.body', 'a separator contains the terminator');

  // ── packets ──
  const pk = r.obj(top.packets ?? {}, '$.packets');
  r.keys(pk, '$.packets', ['size', 'maxRequestPackets', 'maxRequestBytes']);
  const overhead = (start === undefined ? 0 : 1) + headerSize + 1;
  const lengthMax = 10 ** role.length.width - 1;
  const packets = {
    size: r.int(pk, 'size', '$.packets', overhead + 1, Math.min(16 * 1024 * 1024, lengthMax + overhead), Math.min(20_000, lengthMax)),
    maxRequestPackets: r.int(pk, 'maxRequestPackets', '$.packets', 1, 1000, 8),
    maxRequestBytes: r.int(pk, 'maxRequestBytes', '$.packets', 1, 16 * 1024 * 1024, 65536),
  };
  if (!role.packet && packets.maxRequestPackets !== 1 && pk.maxRequestPackets !== undefined) r.fail('$.packets.maxRequestPackets', 'a profile without a "packet" header field takes one packet per request');

  // ── services ──
  const sv = r.obj(top.services ?? {}, '$.services');
  r.keys(sv, '$.services', ['table', 'otherwise']);
  const table = new Map<string, number>();
  const reverse = new Map<number, string>();
  const svcWidth = role.service?.width ?? 0;
  if (sv.table !== undefined) {
    const t = r.obj(sv.table, '$.services.table');
    for (const [wire, target] of Object.entries(t)) {
      const p = `$.services.table[${JSON.stringify(wire)}]`;
      if (!role.service) r.fail(p, 'the header has no "service" field');
      if (wire.trim() === '' || wire.length > svcWidth || !PRINTABLE.test(wire)) r.fail(p, `expected a service code of at most ${svcWidth} printable ASCII characters`);
      let biz: number | undefined;
      if (typeof target === 'number') biz = businessByCode(target)?.code;
      else if (typeof target === 'string') biz = (businessById(target) ?? businessByName(target))?.code;
      if (biz === undefined) r.fail(p, `${JSON.stringify(target)} is not a business type (a code such as 101, an inventory ID such as "CS-01", or a name such as "connection-check")`);
      table.set(wire.trim(), biz);
      if (!reverse.has(biz)) reverse.set(biz, wire.trim());
    }
  }
  const services = { table, reverse, otherwise: r.oneOf(sv, 'otherwise', '$.services', ['code', 'unknown'] as const, 'code') };
  if (!role.service) r.fail('$.header', 'no field has role "service" (the business type of a request)');

  // ── errors ──
  const er = r.obj(top.errors ?? {}, '$.errors');
  r.keys(er, '$.errors', ['table', 'otherwise']);
  const etable = new Map<number, string>();
  const ewidth = role.error?.width ?? 0;
  if (er.table !== undefined) {
    const t = r.obj(er.table, '$.errors.table');
    for (const [code, wire] of Object.entries(t)) {
      const p = `$.errors.table[${JSON.stringify(code)}]`;
      if (!role.error) r.fail(p, 'the header has no "error" field');
      if (!/^[0-9]+$/.test(code) || returnCode(Number(code)) === undefined) r.fail(p, `${JSON.stringify(code)} is not a bssgate return code (protocol/SPEC.md section 8)`);
      if (typeof wire !== 'string' || wire.length > ewidth || !PRINTABLE.test(wire)) r.fail(p, `expected a string of at most ${ewidth} printable ASCII characters`);
      etable.set(Number(code), wire);
    }
  }
  const errors = { table: etable, otherwise: r.oneOf(er, 'otherwise', '$.errors', ['code'] as const, 'code') };
  if (role.error && ewidth < 4) r.fail(`$.header[${header.indexOf(role.error)}].width`, 'an error field narrower than 4 digits cannot carry the return codes');

  const correlation = r.oneOf(top, 'correlation', '$', ['order', 'serial'] as const, 'order');
  if (correlation === 'serial' && !role.serial) r.fail('$.correlation', '"serial" needs a header field with role "serial"');

  // ── heartbeat ──
  let heartbeat: FramingProfile['heartbeat'];
  if (top.heartbeat !== undefined && top.heartbeat !== null) {
    const h = r.obj(top.heartbeat, '$.heartbeat');
    r.keys(h, '$.heartbeat', ['request', 'reply', 'maxPerMinute']);
    const req = r.str(h, 'request', '$.heartbeat');
    const rep = r.str(h, 'reply', '$.heartbeat', req);
    for (const [k, v] of [['request', req], ['reply', rep]] as const) {
      if (v === '' || !PRINTABLE.test(v) || v.length >= headerSize) r.fail(`$.heartbeat.${k}`, `expected 1–${headerSize - 1} printable ASCII characters (shorter than a header, so it cannot be mistaken for a packet)`);
    }
    heartbeat = { request: Buffer.from(req, 'latin1'), reply: Buffer.from(rep, 'latin1'), maxPerMinute: r.int(h, 'maxPerMinute', '$.heartbeat', 1, 600, 10) };
  }

  // ── check code ──
  let check: CheckSpec | undefined;
  if (top.check !== undefined && top.check !== null) {
    const c = r.obj(top.check, '$.check');
    r.keys(c, '$.check', ['algorithm', 'padding', 'covers', 'encoding', 'bytes', 'doc']);
    if (!role.check) r.fail('$.check', 'the header has no field with role "check" to carry the code');
    const algorithm = r.oneOf(c, 'algorithm', '$.check', CHECK_ALGORITHMS);
    if (algorithm === 'sm4-mac' && !sm4Available(opts.ciphers)) {
      r.fail('$.check.algorithm', '"sm4-mac" needs SM4 (sm4-cbc) in node:crypto, which this Node/OpenSSL build does not have (crypto.getCiphers()); the profile is refused rather than served without verifying its codes');
    }
    const full = algorithm === 'hmac-sha256' ? 32 : algorithm === 'sm4-mac' ? 16 : 8;
    const padding = r.int(c, 'padding', '$.check', 1, 2, 1) as 1 | 2;
    const encoding = r.oneOf(c, 'encoding', '$.check', ['base64', 'hex', 'HEX'] as const);
    const bytes = r.int(c, 'bytes', '$.check', 4, full, full);
    const chars = encoding === 'base64' ? 4 * Math.ceil(bytes / 3) : 2 * bytes;
    if (chars > role.check.width) r.fail('$.check.bytes', `${bytes} bytes written as ${encoding} take ${chars} characters; the field ${role.check.name} has ${role.check.width} (declare "bytes" to keep fewer)`);
    if (!Array.isArray(c.covers) || c.covers.length === 0) r.fail('$.check.covers', 'expected a non-empty list: header field names, "body", or { "field": name, "first" | "last": n }');
    const covers: CheckCover[] = c.covers.map((raw, i) => {
      const p = `$.check.covers[${i}]`;
      if (raw === 'body') return { kind: 'body' };
      let name: string;
      let first: number | undefined;
      let last: number | undefined;
      if (typeof raw === 'string') name = raw;
      else {
        const o = r.obj(raw, p);
        r.keys(o, p, ['field', 'first', 'last']);
        name = r.str(o, 'field', p);
        const f0 = header.find((h) => h.name === name);
        if (o.first !== undefined) first = r.int(o, 'first', p, 1, f0?.width ?? 64);
        if (o.last !== undefined) last = r.int(o, 'last', p, 1, f0?.width ?? 64);
        if (first !== undefined && last !== undefined) r.fail(p, 'either "first" or "last", not both');
      }
      const f = header.find((h) => h.name === name);
      if (!f) r.fail(p, `${JSON.stringify(name)} is not a header field (${header.map((h) => h.name).join(', ')}) nor "body"`);
      if (f.role === 'check') r.fail(p, 'a check code cannot cover itself');
      return { kind: 'field', field: f, ...(first !== undefined ? { first } : {}), ...(last !== undefined ? { last } : {}) };
    });
    check = { field: role.check, algorithm, padding, covers, encoding, bytes };
  } else if (role.check) {
    r.fail('$.check', `missing: the header field ${role.check.name} has role "check", so the profile must say how the code is made (algorithm, covers, encoding); a code that is not verified is refused`);
  }

  const profile: FramingProfile = {
    file,
    name,
    description,
    start,
    terminator,
    lengthCounts: counts,
    header,
    headerSize,
    role,
    body,
    packets,
    services,
    errors,
    correlation,
    heartbeat,
    examples: [],
    check,
    fixed,
  };

  // ── examples: each is a packet the profile must read ──
  const examples: ProfileExample[] = [];
  if (top.examples !== undefined) {
    if (!Array.isArray(top.examples)) r.fail('$.examples', 'expected a list');
    top.examples.forEach((raw, i) => {
      const p = `$.examples[${i}]`;
      const o = r.obj(raw, p);
      r.keys(o, p, ['comment', 'direction', 'packet']);
      const packet = Buffer.from(r.str(o, 'packet', p), 'latin1');
      examples.push({ comment: r.str(o, 'comment', p, ''), direction: r.oneOf(o, 'direction', p, ['request', 'reply'] as const), packet });
    });
  }
  profile.examples = examples;
  return profile;
}

/** A field's value without its padding. */
export function unpad(f: HeaderField, s: string): string {
  let a = 0;
  let b = s.length;
  if (f.align === 'left') while (b > a && s[b - 1] === f.pad) b--;
  else while (a < b && s[a] === f.pad) a++;
  return s.slice(a, b);
}

/** `s` padded to the field's width (throws RangeError when longer). */
export function padField(f: HeaderField, s: string): string {
  if (s.length > f.width) throw new RangeError(`header field ${f.name}: ${JSON.stringify(s)} is longer than ${f.width}`);
  const fill = f.pad.repeat(f.width - s.length);
  return f.align === 'left' ? s + fill : fill + s;
}
