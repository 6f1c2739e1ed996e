// The declarative layout vocabulary. A business type has one request layout and one response
// layout; the binary-parser decoder, the encoder, validation and log redaction are all derived
// from these descriptions (protocol/layout.ts). Nothing else describes a body.

/** One field of a body layout. Byte widths are GBK bytes, not characters. */
/**
 * One meaning of a code field (a status, a business type, a pay mode…): the value on the wire and
 * what it means. A code field's meanings come from the business code tables (src/domain/codes.ts)
 * and are listed in the spec; a request value outside them is INVALID_FIELD.
 */
export interface CodeMeaning {
  code: string | number;
  zh: string;
  en: string;
}

export type Field =
  /** Fixed-width GBK text, space-padded to `width` bytes; trailing spaces are stripped on decode. */
  | { name: string; type: 'char'; width: number; secret?: boolean; pattern?: RegExp; doc?: string; codes?: readonly CodeMeaning[] }
  /** Variable-length GBK text: uint16 byte count + bytes (names, addresses, messages). */
  | { name: string; type: 'text'; maxBytes?: number; secret?: boolean; doc?: string }
  /** Unsigned integers, big-endian. */
  | { name: string; type: 'u8' | 'u16' | 'u32'; doc?: string; min?: number; max?: number; codes?: readonly CodeMeaning[] }
  /** Money: signed int64 count of fen, big-endian; a bigint in TypeScript, never a float. Outside min/max: 2010 AMOUNT_OUT_OF_BOUNDS. */
  | { name: string; type: 'money'; doc?: string; min?: bigint; max?: bigint }
  /** ASCII YYYYMMDD. `optional`: all spaces on the wire = '' (no date). */
  | { name: string; type: 'date'; doc?: string; optional?: boolean }
  /** ASCII YYYYMMDDHHMMSS. `optional`: all spaces on the wire = '' (no time). */
  | { name: string; type: 'datetime'; doc?: string; optional?: boolean }
  /** ASCII YYYYMM (billing cycle). `optional`: all spaces on the wire = '' (no cycle). */
  | { name: string; type: 'cycle'; doc?: string; optional?: boolean }
  /** uint16 count + records laid out by `of`. */
  | { name: string; type: 'list'; of: Layout; maxItems?: number; doc?: string };

export type Layout = readonly Field[];

/**
 * Paging convention (docs/architecture.md "Body rules"): a request that can return many rows carries
 * `offset` (u32) and `limit` (u16); its response carries `total` (u32) before the list.
 * Layout authors use the PAGE_REQUEST / pagedResponse helpers in protocol/layout.ts.
 */

/** TypeScript value of a decoded body: field name → value. */
export type BodyValue = string | number | bigint | BodyRecord[];
export interface BodyRecord {
  [field: string]: BodyValue;
}
