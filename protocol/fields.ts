// Field constructors with literal types, and the body types inferred from a layout. A handler
// declares its layouts with these (`request: [svcnum, cycle('cycle')]`) and gets its request
// and reply types from them (BodyOf): the layout, the validation and the TypeScript types cannot
// disagree, and a misspelt or missing reply field is a compile error (as with fastify's type
// providers). The objects are plain Field values (protocol/layout-types.ts): everything in
// protocol/layout.ts works on them unchanged.
import type { CodeMeaning, Field, Layout } from './layout-types.js';

interface TextOpts {
  secret?: boolean;
  doc?: string;
}
interface CharOpts extends TextOpts {
  pattern?: RegExp;
  codes?: readonly CodeMeaning[];
}
interface IntOpts {
  doc?: string;
  min?: number;
  max?: number;
  codes?: readonly CodeMeaning[];
}
interface MoneyOpts {
  doc?: string;
  min?: bigint;
  max?: bigint;
}
interface DateOpts {
  doc?: string;
  optional?: boolean;
}

export const char = <N extends string>(name: N, width: number, o: CharOpts = {}) => ({ name, type: 'char' as const, width, ...o });
export const text = <N extends string>(name: N, maxBytes?: number, o: TextOpts = {}) =>
  ({ name, type: 'text' as const, ...(maxBytes !== undefined ? { maxBytes } : {}), ...o });
export const u8 = <N extends string>(name: N, o: IntOpts = {}) => ({ name, type: 'u8' as const, ...o });
export const u16 = <N extends string>(name: N, o: IntOpts = {}) => ({ name, type: 'u16' as const, ...o });
export const u32 = <N extends string>(name: N, o: IntOpts = {}) => ({ name, type: 'u32' as const, ...o });
export const money = <N extends string>(name: N, o: MoneyOpts = {}) => ({ name, type: 'money' as const, ...o });
export const date = <N extends string>(name: N, o: DateOpts = {}) => ({ name, type: 'date' as const, ...o });
export const datetime = <N extends string>(name: N, o: DateOpts = {}) => ({ name, type: 'datetime' as const, ...o });
export const cycle = <N extends string>(name: N, o: DateOpts = {}) => ({ name, type: 'cycle' as const, ...o });
export const list = <N extends string, const L extends Layout>(name: N, of: L, o: { maxItems?: number; doc?: string } = {}) =>
  ({ name, type: 'list' as const, of, ...o });

/** A code field on the wire: u8 (u16 above 255) for numeric code tables, char(width) for character codes. */
export function code<N extends string>(name: N, codes: readonly (CodeMeaning & { code: number })[], o?: { doc?: string }): { name: N; type: 'u8' | 'u16'; codes: readonly CodeMeaning[]; doc?: string };
export function code<N extends string>(name: N, codes: readonly (CodeMeaning & { code: string })[], o?: { doc?: string }): { name: N; type: 'char'; width: number; codes: readonly CodeMeaning[]; doc?: string };
export function code<N extends string>(name: N, codes: readonly CodeMeaning[], o: { doc?: string } = {}): Field {
  if (codes.length === 0) throw new Error(`code field ${name}: no meanings`);
  const numeric = codes.every((c) => typeof c.code === 'number');
  if (numeric) {
    const max = Math.max(...codes.map((c) => c.code as number));
    return { name, type: max > 0xff ? 'u16' : 'u8', codes, ...o };
  }
  if (!codes.every((c) => typeof c.code === 'string')) throw new Error(`code field ${name}: codes mix numbers and text`);
  const width = Math.max(...codes.map((c) => Buffer.byteLength(String(c.code), 'latin1')));
  return { name, type: 'char', width, codes, ...o };
}

/** A copy of a field under another name (shared definitions: `rename(fields.svcnum, 'bindNumber')`). */
export const rename = <F extends Field, N extends string>(f: F, name: N) => ({ ...f, name }) as Omit<F, 'name'> & { name: N };

/** A copy of a field with another doc line. */
export const withDoc = <F extends Field>(f: F, doc: string): F => ({ ...f, doc });

// ---------------------------------------------------------------------------------------------
// Types inferred from layouts.

type ValueOf<F> = F extends { type: 'list'; of: infer O extends Layout }
  ? BodyOf<O>[]
  : F extends { type: 'money' }
    ? bigint
    : F extends { type: 'u8' | 'u16' | 'u32' }
      ? number
      : string;

/** The TypeScript value of a body laid out by L: field name → value, lists as arrays of records. */
export type BodyOf<L extends Layout> = { [F in L[number] as F['name']]: ValueOf<F> };

/** The record type of a list field `name` of layout L. */
export type ItemOf<L extends Layout, N extends string> = Extract<L[number], { name: N; type: 'list' }> extends { of: infer O extends Layout }
  ? BodyOf<O>
  : never;

// ---------------------------------------------------------------------------------------------
// Paging (protocol/SPEC.md section 3): offset/limit at the start of the request, total and the
// page after it in the response. Every paged business type declares its largest page (maxPage):
// the list's maxItems, and the limit the handler applies (a larger `limit` is answered with at
// most maxPage records; a test checks that the largest page fits the default max_frame).

export const pageRequest = [
  u32('offset', { doc: 'records to skip' }),
  u16('limit', { min: 1, doc: 'records wanted (the server may return fewer: at most the page size of this business type)' }),
] as const;

export const pagedResponse = <const L extends Layout>(item: L, maxPage: number) =>
  [u32('total', { doc: 'records matching the query, all pages' }), list('items', item, { maxItems: maxPage, doc: `this page, at most ${maxPage} records` })] as const;
