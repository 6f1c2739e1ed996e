// Compare two answers to the same request after decoding them with the business type's response
// layout (issue 16): the result code first, then the header fields the client relies on, the
// message, and the business fields one by one; lists record by record, an order-only difference
// reported as such. Noise normalisers drop what differs by nature: the header's time, and fields
// that are clocks (NOISE_FIELDS, plus the `ignore` key of the shadow's section).
import type { BodyRecord, BodyValue, Field, Layout } from '../../protocol/layout-types.js';
import { businessByCode } from '../../protocol/business-types.js';
import type { DecodedReply } from './framing.js';

export type DifferenceKind = 'result' | 'value' | 'order' | 'missing' | 'extra';

export interface Difference {
  /** Path of the field: `result`, `message`, `balance`, `items[3].fee`, `items` (order), `items[2]` (a record). */
  field: string;
  /** The path with list indexes removed (`items[].fee`): the unit of counting and of learned noise. */
  generic: string;
  kind: DifferenceKind;
  primary: unknown;
  candidate: unknown;
}

/** Fields that are the answering program's clock, by business code: named noise (never a difference). */
export const NOISE_FIELDS: ReadonlyMap<number, readonly string[]> = new Map([[101, ['serverTime']]]);

/** The header fields compared (besides result, compared first); `time` is the sender's clock, noise by name. */
const HEADER_FIELDS = ['serial', 'operator', 'biz', 'seq'] as const;

export interface CompareOptions {
  /** Generic paths treated as noise for this business type (from NOISE_FIELDS and `ignore`). */
  ignore?: ReadonlySet<string>;
}

/** The generic paths a business type ignores: built-in clock fields and `ignore` entries (`name:field`, `CS-14:field`, `114:field`, `*:field`). */
export function ignoredFields(biz: number, ignore: readonly string[]): Set<string> {
  const out = new Set<string>(NOISE_FIELDS.get(biz) ?? []);
  const row = businessByCode(biz);
  for (const entry of ignore) {
    const at = entry.indexOf(':');
    const who = entry.slice(0, at);
    const field = entry.slice(at + 1).replace(/\[\d+\]/g, '[]');
    if (who === '*' || who === String(biz) || (row && (who === row.name || row.ids.includes(who.toUpperCase())))) out.add(field);
  }
  return out;
}

/** A JSON-safe copy of a decoded value (bigint → string). */
export function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

function canonical(v: unknown): string {
  return JSON.stringify(plain(v));
}

function scalarEqual(a: BodyValue | undefined, b: BodyValue | undefined): boolean {
  return typeof a === 'bigint' || typeof b === 'bigint' ? String(a) === String(b) : a === b;
}

/**
 * The differences between the primary's and another answer to the same request, most important
 * first: a differing result code is the only difference reported (the bodies then say different
 * things by design), then header fields, the message, then business fields in layout order.
 */
export function compareReplies(p: DecodedReply, c: DecodedReply, layout: Layout | undefined, opts: CompareOptions = {}): Difference[] {
  const out: Difference[] = [];
  const ignore = opts.ignore ?? new Set<string>();
  if (p.result !== c.result) {
    out.push({ field: 'result', generic: 'result', kind: 'result', primary: p.result, candidate: c.result });
    return out;
  }
  for (const k of HEADER_FIELDS) {
    const path = `header.${k}`;
    if (!ignore.has(path) && p.header[k] !== c.header[k]) out.push({ field: path, generic: path, kind: 'value', primary: p.header[k], candidate: c.header[k] });
  }
  if (p.message !== c.message && !ignore.has('message')) {
    out.push({ field: 'message', generic: 'message', kind: 'value', primary: p.message, candidate: c.message });
  }
  if (layout && p.body && c.body) compareRecord(layout, p.body, c.body, '', '', ignore, out);
  return out;
}

function compareRecord(layout: Layout, p: BodyRecord, c: BodyRecord, prefix: string, gprefix: string, ignore: ReadonlySet<string>, out: Difference[]): void {
  for (const f of layout) {
    const path = prefix + f.name;
    const generic = gprefix + f.name;
    if (ignore.has(generic)) continue;
    if (f.type === 'list') compareList(f, (p[f.name] ?? []) as BodyRecord[], (c[f.name] ?? []) as BodyRecord[], path, generic, ignore, out);
    else if (!scalarEqual(p[f.name], c[f.name])) out.push({ field: path, generic, kind: 'value', primary: plain(p[f.name]), candidate: plain(c[f.name]) });
  }
}

/**
 * Lists, record by record. Records equal in both are matched first (whatever their position);
 * when every record matches but the positions differ, that is one `order` difference. Otherwise
 * the unmatched records are paired in order and compared field by field (`items[3].fee`); what
 * remains is a record `missing` from the candidate or `extra` in it.
 */
function compareList(f: Extract<Field, { type: 'list' }>, p: BodyRecord[], c: BodyRecord[], path: string, generic: string, ignore: ReadonlySet<string>, out: Difference[]): void {
  const key = (r: BodyRecord) => canonical(stripIgnored(f.of, r, `${generic}[].`, ignore));
  const pk = p.map(key);
  const ck = c.map(key);
  if (pk.length === ck.length && pk.every((k, i) => k === ck[i])) return;
  // Match equal records, multiset-wise.
  const pool = new Map<string, number[]>();
  ck.forEach((k, i) => {
    const l = pool.get(k);
    if (l) l.push(i);
    else pool.set(k, [i]);
  });
  const unmatchedP: number[] = [];
  const matchedC = new Set<number>();
  pk.forEach((k, i) => {
    const l = pool.get(k);
    if (l && l.length > 0) matchedC.add(l.shift()!);
    else unmatchedP.push(i);
  });
  const unmatchedC = ck.map((_, i) => i).filter((i) => !matchedC.has(i));
  if (unmatchedP.length === 0 && unmatchedC.length === 0) {
    out.push({ field: path, generic, kind: 'order', primary: pk.length, candidate: ck.length });
    return;
  }
  const pairs = Math.min(unmatchedP.length, unmatchedC.length);
  for (let j = 0; j < pairs; j++) {
    const i = unmatchedP[j];
    compareRecord(f.of, p[i], c[unmatchedC[j]], `${path}[${i}].`, `${generic}[].`, ignore, out);
  }
  for (const i of unmatchedP.slice(pairs)) out.push({ field: `${path}[${i}]`, generic: `${generic}[]`, kind: 'missing', primary: plain(p[i]), candidate: null });
  for (const i of unmatchedC.slice(pairs)) out.push({ field: `${path}[${i}]`, generic: `${generic}[]`, kind: 'extra', primary: null, candidate: plain(c[i]) });
}

function stripIgnored(layout: Layout, r: BodyRecord, gprefix: string, ignore: ReadonlySet<string>): BodyRecord {
  if (ignore.size === 0) return r;
  const o: BodyRecord = {};
  for (const f of layout) if (!ignore.has(gprefix + f.name) && r[f.name] !== undefined) o[f.name] = r[f.name];
  return o;
}

/** The value at a difference's path in an answer (`result`, `message`, `header.serial`, `items[3].fee`), or undefined. */
export function valueAt(r: DecodedReply, path: string): unknown {
  if (path === 'result') return r.result;
  if (path === 'message') return r.message;
  if (path.startsWith('header.')) return r.header[path.slice(7)];
  let v: unknown = r.body;
  for (const part of path.split('.')) {
    const m = /^([^[]+)(?:\[(\d+)\])?$/.exec(part);
    if (!m || v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[m[1]];
    if (m[2] !== undefined) v = Array.isArray(v) ? v[Number(m[2])] : undefined;
  }
  return v;
}
