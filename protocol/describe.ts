// A layout described for people: the field list with wire widths (the CLI) and the Markdown table
// of SPEC.md (src/spec/render.ts). Not used on the request path.
import { fixedBytes, fixedSize } from './layout.js';
import type { Field, Layout } from './layout-types.js';
import { isSecret } from './redact.js';

export interface FieldDescription {
  name: string;
  type: Field['type'];
  /** Bytes on the wire when fixed; undefined for text and lists. */
  bytes: number | undefined;
  /** How the field is laid out, e.g. "char(11)", "uint16 n + n bytes GBK". */
  wire: string;
  secret: boolean;
  doc: string;
  /** Record fields of a list. */
  of?: FieldDescription[];
}

function wireOf(f: Field): string {
  switch (f.type) {
    case 'char':
      return `char(${f.width}) GBK, space-padded`;
    case 'text':
      return `uint16 n + n bytes GBK${f.maxBytes !== undefined ? `, n ≤ ${f.maxBytes}` : ''}`;
    case 'u8':
      return 'uint8';
    case 'u16':
      return 'uint16';
    case 'u32':
      return 'uint32';
    case 'money':
      return 'int64 fen';
    case 'date':
      return `YYYYMMDD${f.optional ? ' or 8 spaces' : ''}`;
    case 'datetime':
      return `YYYYMMDDHHMMSS${f.optional ? ' or 14 spaces' : ''}`;
    case 'cycle':
      return `YYYYMM${f.optional ? ' or 6 spaces' : ''}`;
    case 'list': {
      const item = fixedSize(f.of);
      return `uint16 n + n records (${item === undefined ? 'variable' : `${item} bytes each`})${f.maxItems !== undefined ? `, n ≤ ${f.maxItems}` : ''}`;
    }
  }
}

function docOf(f: Field): string {
  const parts: string[] = [];
  if (f.doc) parts.push(f.doc);
  if ((f.type === 'u8' || f.type === 'u16' || f.type === 'u32' || f.type === 'money') && (f.min !== undefined || f.max !== undefined)) {
    parts.push(`range ${f.min ?? '…'}..${f.max ?? '…'}`);
  }
  if (f.type === 'char' && f.pattern) parts.push(`pattern ${f.pattern}`);
  if ((f.type === 'char' || f.type === 'u8' || f.type === 'u16' || f.type === 'u32') && f.codes) {
    parts.push(f.codes.map((c) => `${typeof c.code === 'string' ? `\`${c.code}\`` : c.code} ${c.zh} ${c.en}`).join(', '));
  }
  return parts.join('; ');
}

/** The field list with byte widths, for SPEC generation and the CLI. */
export function describeLayout(layout: Layout): FieldDescription[] {
  return layout.map((f) => ({
    name: f.name,
    type: f.type,
    bytes: fixedBytes(f),
    wire: wireOf(f),
    secret: isSecret(f),
    doc: docOf(f),
    ...(f.type === 'list' ? { of: describeLayout(f.of) } : {}),
  }));
}

/** A Markdown table of a layout (list records indented as `items[].field`). */
export function layoutTable(layout: Layout): string {
  const rows = ['| field | wire | bytes | notes |', '|---|---|---|---|'];
  const walk = (fields: FieldDescription[], prefix: string): void => {
    for (const d of fields) {
      const notes = [d.secret ? '**secret**' : '', d.doc].filter(Boolean).join('; ');
      rows.push(`| \`${prefix}${d.name}\` | ${d.wire} | ${d.bytes ?? 'var'} | ${notes} |`);
      if (d.of) walk(d.of, `${prefix}${d.name}[].`);
    }
  };
  walk(describeLayout(layout), '');
  if (layout.length === 0) rows.push('| (empty) | | 0 | |');
  return rows.join('\n');
}
