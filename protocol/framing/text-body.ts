// A body as text (docs/framing.md "Body"): the same layouts as the v1 wire (protocol/layout.ts),
// written as records of fields. The top-level fields that are not lists form the first record, in
// layout order; each list follows as its records (one per item, its fields in order), preceded by
// a record holding its count — except, with listCount "when-needed", a single list that ends the
// layout (the reader takes the remaining records). Records are joined by the record separator
// (CRLF), fields by the field separator (TAB); the whole body is GBK.
//
// Decoding checks syntax only (digits, decimals, the record and field counts); the values then go
// through the v1 request encoder in strict mode, which applies every rule of the layout (widths,
// ranges, patterns, codes, calendar dates) exactly as for a v1 request.
import { GatewayError } from '../return-codes.js';
import { gbkBoundary, gbkDecode, gbkEncode, GbkDecodeError } from '../gbk.js';
import type { BodyRecord, Field, Layout } from '../layout-types.js';
import type { FramingProfile } from './profile.js';

type Body = FramingProfile['body'];
type Fixed = NonNullable<FramingProfile['fixed']>;

export interface Shape {
  scalars: Field[];
  lists: { field: Extract<Field, { type: 'list' }>; counted: boolean }[];
}

const shapes = new WeakMap<Layout, { always?: Shape; 'when-needed'?: Shape }>();

function shapeOf(layout: Layout, listCount: Body['listCount']): Shape {
  let byMode = shapes.get(layout);
  if (!byMode) shapes.set(layout, (byMode = {}));
  const hit = byMode[listCount];
  if (hit) return hit;
  const scalars = layout.filter((f) => f.type !== 'list');
  const listFields = layout.filter((f): f is Extract<Field, { type: 'list' }> => f.type === 'list');
  for (const l of listFields) {
    if (l.of.some((f) => f.type === 'list')) throw new Error(`layout field ${l.name}: a list inside a list has no text form`);
  }
  const uncounted = listCount === 'when-needed' && listFields.length === 1 && layout[layout.length - 1] === listFields[0];
  const shape: Shape = { scalars, lists: listFields.map((field) => ({ field, counted: !uncounted })) };
  byMode[listCount] = shape;
  return shape;
}

/**
 * How a layout is cut into records on a profile: the fields of the first record, and each list
 * with whether a count record precedes its items (the spec's text tables, src/spec/text-framing.ts).
 */
export function textShape(profile: FramingProfile, layout: Layout): Readonly<Shape> {
  return shapeOf(layout, profile.body.listCount);
}

// Control characters of a reply value (free text may hold tabs and line breaks) would end a field
// or a record: written as spaces.
const CONTROL_RE = /[\x00-\x1f\x7f]/g;

function formatValue(body: Body, f: Field, v: unknown): string {
  let s: string;
  switch (f.type) {
    case 'money': {
      const n = typeof v === 'bigint' ? v : BigInt(v as number);
      if (body.money === 'fen') s = n.toString();
      else {
        const neg = n < 0n;
        const a = neg ? -n : n;
        s = `${neg ? '-' : ''}${a / 100n}.${String(a % 100n).padStart(2, '0')}`;
      }
      break;
    }
    case 'u8':
    case 'u16':
    case 'u32':
      s = String(v);
      break;
    default:
      s = v === undefined || v === null ? '' : String(v).replace(CONTROL_RE, ' ');
  }
  return s === '' ? body.empty : s;
}

// ── fixed-width bodies (body.format = fixed) ──
// Each record is its fields at fixed byte widths, no field separator: char fields at their layout
// width, dates 8, date-times 14, cycles 6, numbers and money at the profile's widths, text at its
// widths.fields entry, else the layout's maxBytes, else widths.text. Values are space-padded (text,
// codes and dates left-aligned; numbers as numberAlign says); all spaces is an empty value.
// Records are joined by the record separator as in a delimited body; a list's count record is its
// count in digits.

/**
 * What fixedWidth reads of a field: a layout Field, or the machine-readable spec's description of
 * one (src/spec/json.ts SpecField, used by the text dissector).
 */
export interface FixedWidthField {
  name: string;
  type: Field['type'];
  width?: number | null;
  maxBytes?: number;
}

/** The byte width of a field in a fixed-width body. */
export function fixedWidth(fixed: Fixed, f: FixedWidthField): number {
  const own = fixed.fields.get(f.name);
  if (own !== undefined) return own;
  switch (f.type) {
    case 'char':
      if (typeof f.width !== 'number') throw new Error(`layout field ${f.name}: a char field without a width`);
      return f.width;
    case 'date':
      return 8;
    case 'datetime':
      return 14;
    case 'cycle':
      return 6;
    case 'u8':
    case 'u16':
    case 'u32':
    case 'money':
      return fixed[f.type];
    case 'text':
      return f.maxBytes ?? fixed.text;
    case 'list':
      throw new Error(`layout field ${f.name}: a list has no width`);
  }
}

const SPACE = 0x20;

// Per profile and field list: the widths (a profile's fixed widths never change once loaded), and
// the body rules with empty = '' (a fixed-width field is all spaces when empty).
const widthCache = new WeakMap<FramingProfile, WeakMap<readonly Field[], number[]>>();
const bareBodies = new WeakMap<FramingProfile, Body>();

function widthsOf(profile: FramingProfile, fields: readonly Field[]): number[] {
  let byFields = widthCache.get(profile);
  if (!byFields) widthCache.set(profile, (byFields = new WeakMap()));
  let ws = byFields.get(fields);
  if (!ws) byFields.set(fields, (ws = fields.map((f) => fixedWidth(profile.fixed!, f))));
  return ws;
}

function bareBody(profile: FramingProfile): Body {
  let b = bareBodies.get(profile);
  if (!b) bareBodies.set(profile, (b = { ...profile.body, empty: '' }));
  return b;
}

const ASCII = /^[\x20-\x7e]*$/;

function fixedRecord(profile: FramingProfile, fields: readonly Field[], rec: BodyRecord): Buffer {
  const fixed = profile.fixed!;
  const widths = widthsOf(profile, fields);
  const body = bareBody(profile);
  let total = 0;
  for (const w of widths) total += w;
  const out = Buffer.alloc(total, SPACE);
  let off = 0;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    const w = widths[i];
    const s = formatValue(body, f, rec[f.name]);
    const numeric = f.type === 'u8' || f.type === 'u16' || f.type === 'u32' || f.type === 'money';
    // Digits, dates, codes: ASCII that fits (the usual case), written straight into the record.
    if (s.length <= w && ASCII.test(s)) {
      if (s.length > 0) out.write(s, numeric && fixed.numberAlign === 'right' ? off + w - s.length : off, 'latin1');
      off += w;
      continue;
    }
    let bytes = ASCII.test(s) ? Buffer.from(s, 'latin1') : gbkEncode(s);
    if (bytes.length > w) {
      // A number cut short would be another number: refused. Free text is cut on a character boundary.
      if (numeric || f.type === 'date' || f.type === 'datetime' || f.type === 'cycle') {
        throw new GatewayError('INVALID_FIELD', `${f.name}: ${JSON.stringify(s)} is wider than its ${w} bytes in this fixed-width body`);
      }
      bytes = bytes.subarray(0, gbkBoundary(bytes, w));
    }
    bytes.copy(out, numeric && fixed.numberAlign === 'right' ? off + w - bytes.length : off);
    off += w;
  }
  return out;
}

function encodeFixedBody(profile: FramingProfile, layout: Layout, rec: BodyRecord): Buffer {
  const shape = shapeOf(layout, profile.body.listCount);
  const sep = Buffer.from(profile.body.recordSeparator, 'latin1');
  const records: Buffer[] = [];
  if (shape.scalars.length > 0) records.push(fixedRecord(profile, shape.scalars, rec));
  for (const { field, counted } of shape.lists) {
    const items = (rec[field.name] as BodyRecord[] | undefined) ?? [];
    if (counted) records.push(Buffer.from(String(items.length), 'latin1'));
    for (const item of items) records.push(fixedRecord(profile, field.of, item));
  }
  const parts: Buffer[] = [];
  records.forEach((r, i) => {
    if (i > 0) parts.push(sep);
    parts.push(r);
  });
  return Buffer.concat(parts);
}

/** Split bytes on a separator (a GBK trail byte is ≥ 0x40, so a control-character separator never splits a character). */
function splitBytes(bytes: Buffer, sep: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let from = 0;
  for (;;) {
    const at = bytes.indexOf(sep, from);
    if (at < 0) break;
    out.push(bytes.subarray(from, at));
    from = at + sep.length;
  }
  out.push(bytes.subarray(from));
  return out;
}

function readFixedRecord(profile: FramingProfile, fields: readonly Field[], bytes: Buffer, where: string, path: (f: Field) => string): BodyRecord {
  const widths = widthsOf(profile, fields);
  const body = bareBody(profile);
  let total = 0;
  for (const w of widths) total += w;
  if (bytes.length !== total) {
    throw new GatewayError('BODY_MISMATCH', `${where} is ${bytes.length} bytes; the fixed widths of its fields make ${total} (${fields.map((f, i) => `${f.name} ${widths[i]}`).join(', ')})`);
  }
  const out: BodyRecord = {};
  let off = 0;
  fields.forEach((f, i) => {
    const slice = bytes.subarray(off, off + widths[i]);
    off += widths[i];
    let text: string;
    try {
      text = gbkDecode(slice);
    } catch (err) {
      if (err instanceof GbkDecodeError) throw new GatewayError('INVALID_FIELD', `${path(f)}: invalid GBK`);
      throw err;
    }
    // Text keeps its leading spaces (only the padding is dropped); numbers and dates are trimmed.
    const value = f.type === 'text' || f.type === 'char' ? text.replace(/ +$/, '') : text.trim();
    out[f.name] = parseValue(body, f, path(f), value) as BodyRecord[string];
  });
  return out;
}

function decodeFixedBody(profile: FramingProfile, layout: Layout, bytes: Buffer): BodyRecord {
  const b = profile.body;
  const shape = shapeOf(layout, b.listCount);
  const records = bytes.length === 0 ? [] : splitBytes(bytes, Buffer.from(b.recordSeparator, 'latin1'));
  if (records.length > 0 && records[records.length - 1].length === 0) records.pop();
  let out: BodyRecord = {};
  let at = 0;
  if (shape.scalars.length > 0) {
    out = readFixedRecord(profile, shape.scalars, records[at++] ?? Buffer.alloc(0), 'record 1', (f) => f.name);
  }
  for (const { field, counted } of shape.lists) {
    let n: number;
    if (counted) {
      const c = (records[at++] ?? Buffer.alloc(0)).toString('latin1').trim();
      if (!/^[0-9]+$/.test(c)) throw new GatewayError('BODY_MISMATCH', `record ${at}: the record count of ${field.name} is ${JSON.stringify(c.slice(0, 20))}`);
      n = Number(c);
      if (at + n > records.length) throw new GatewayError('BODY_MISMATCH', `${field.name}: ${n} records announced, ${records.length - at} present`);
    } else n = records.length - at;
    const items: BodyRecord[] = [];
    for (let i = 0; i < n; i++) {
      const where = `record ${at + 1} (${field.name}[${i}])`;
      items.push(readFixedRecord(profile, field.of, records[at++], where, (f) => `${field.name}[${i}].${f.name}`));
    }
    out[field.name] = items;
  }
  if (at < records.length) throw new GatewayError('BODY_MISMATCH', `${records.length - at} record${records.length - at === 1 ? '' : 's'} after the body's layout`);
  return out;
}

/** Write a record as a text body (GBK bytes): delimited, or fixed-width when the profile says so. */
export function encodeTextBody(profile: FramingProfile, layout: Layout, rec: BodyRecord): Buffer {
  if (profile.fixed) return encodeFixedBody(profile, layout, rec);
  const b = profile.body;
  const shape = shapeOf(layout, b.listCount);
  const records: string[] = [];
  if (shape.scalars.length > 0) records.push(shape.scalars.map((f) => formatValue(b, f, rec[f.name])).join(b.fieldSeparator));
  for (const { field, counted } of shape.lists) {
    const items = (rec[field.name] as BodyRecord[] | undefined) ?? [];
    if (counted) records.push(String(items.length));
    for (const item of items) records.push(field.of.map((f) => formatValue(b, f, item[f.name])).join(b.fieldSeparator));
  }
  return gbkEncode(records.join(b.recordSeparator));
}

/** Write a refusal's message as a body (or nothing, per the profile). */
export function encodeTextMessage(profile: FramingProfile, message: string): Buffer {
  return profile.body.errorBody === 'empty' ? Buffer.alloc(0) : gbkEncode(message.replace(CONTROL_RE, ' '));
}

function invalid(name: string, problem: string, v: string): GatewayError {
  const shown = v.length > 40 ? `${v.slice(0, 37)}...` : v;
  return new GatewayError('INVALID_FIELD', `${name}: ${problem} ${JSON.stringify(shown)}`);
}

function parseValue(body: Body, f: Field, path: string, v: string): unknown {
  const isEmpty = v === '' || (body.empty === ' ' && v === ' ');
  switch (f.type) {
    case 'u8':
    case 'u16':
    case 'u32': {
      const t = v.trim();
      if (!/^[0-9]+$/.test(t)) throw invalid(path, 'not an unsigned integer', v);
      return Number(t);
    }
    case 'money': {
      const t = v.trim();
      if (body.money === 'fen') {
        if (!/^-?[0-9]+$/.test(t)) throw invalid(path, 'not an integer count of fen', v);
        return BigInt(t);
      }
      const m = /^(-?)([0-9]+)(?:\.([0-9]{1,2}))?$/.exec(t);
      if (!m) throw invalid(path, 'not an amount of yuan with at most two decimals', v);
      const fen = BigInt(m[2]) * 100n + BigInt((m[3] ?? '').padEnd(2, '0') || '0');
      return m[1] === '-' ? -fen : fen;
    }
    case 'date':
    case 'datetime':
    case 'cycle':
      return isEmpty ? '' : v.trim();
    case 'char':
      return isEmpty ? '' : v.replace(/ +$/, '');
    case 'text':
      return isEmpty ? '' : v;
    case 'list':
      // Lists are records, never a single field (shapeOf keeps them apart).
      throw new Error(`${path}: a list is not a field value`);
  }
}

function fieldsOf(body: Body, record: string, layout: readonly Field[], where: string): string[] {
  const fields = record.split(body.fieldSeparator);
  if (fields.length !== layout.length) {
    throw new GatewayError('BODY_MISMATCH', `${where} has ${fields.length} field${fields.length === 1 ? '' : 's'}, the layout ${layout.length} (${layout.map((f) => f.name).join(', ')})`);
  }
  return fields;
}

/**
 * Read a text body by a layout: syntax only (see the file comment). Throws GatewayError
 * BODY_MISMATCH (record or field counts) or INVALID_FIELD (invalid GBK, digits, decimals).
 */
export function decodeTextBody(profile: FramingProfile, layout: Layout, bytes: Buffer): BodyRecord {
  if (profile.fixed) return decodeFixedBody(profile, layout, bytes);
  const b = profile.body;
  let text: string;
  try {
    text = gbkDecode(bytes);
  } catch (err) {
    if (err instanceof GbkDecodeError) throw new GatewayError('INVALID_FIELD', 'body: invalid GBK');
    throw err;
  }
  const shape = shapeOf(layout, b.listCount);
  const records = text === '' ? [] : text.split(b.recordSeparator);
  // A body may end with a record separator.
  if (records.length > 0 && records[records.length - 1] === '') records.pop();
  const out: BodyRecord = {};
  let at = 0;
  if (shape.scalars.length > 0) {
    const fields = fieldsOf(b, records[at++] ?? '', shape.scalars, 'record 1');
    shape.scalars.forEach((f, i) => {
      out[f.name] = parseValue(b, f, f.name, fields[i]) as BodyRecord[string];
    });
  }
  for (const { field, counted } of shape.lists) {
    let n: number;
    if (counted) {
      const c = records[at++] ?? '';
      if (!/^[0-9]+$/.test(c.trim())) throw new GatewayError('BODY_MISMATCH', `record ${at}: the record count of ${field.name} is ${JSON.stringify(c.slice(0, 20))}`);
      n = Number(c.trim());
      if (at + n > records.length) throw new GatewayError('BODY_MISMATCH', `${field.name}: ${n} records announced, ${records.length - at} present`);
    } else n = records.length - at;
    const items: BodyRecord[] = [];
    for (let i = 0; i < n; i++) {
      const fields = fieldsOf(b, records[at++], field.of, `record ${at} (${field.name}[${i}])`);
      const item: BodyRecord = {};
      field.of.forEach((f, j) => {
        item[f.name] = parseValue(b, f, `${field.name}[${i}].${f.name}`, fields[j]) as BodyRecord[string];
      });
      items.push(item);
    }
    out[field.name] = items;
  }
  if (at < records.length) throw new GatewayError('BODY_MISMATCH', `${records.length - at} record${records.length - at === 1 ? '' : 's'} after the body's layout`);
  return out;
}
