// protocol/SPEC.md section 10 (issue 19): every business type over every shipped text framing
// profile — the text body's records and fields in order, how each field is written as text in
// that profile (read from the profile's data: money in fen or yuan, fixed widths, list counts),
// and the profile's request and reply packets of the business type's spec example. The packets
// are src/server/framing-vectors.ts's (made through the client's packet writer and the gateway's
// own text session): the one source of the text vectors, which docs/framing.md points to.
import { BUSINESS_ROWS, type BusinessRow } from '../../protocol/business-types.js';
import type { Field, Layout } from '../../protocol/layout-types.js';
import { padField, type FramingProfile } from '../../protocol/framing/profile.js';
import { fixedWidth, textShape } from '../../protocol/framing/text-body.js';
import type { FunctionContract } from '../types.js';
import { framingVectors, showPacket, VECTOR_CHECK_KEY, VECTOR_OPERATOR, VECTOR_SERIAL, type FramingVector } from '../server/framing-vectors.js';

const NUMERIC = new Set<Field['type']>(['u8', 'u16', 'u32', 'money']);
const bytes = (n: number) => `${n} byte${n === 1 ? '' : 's'}`;

function typeOf(f: Field): string {
  switch (f.type) {
    case 'char':
      return `char(${f.width})${f.codes ? ' code' : ''}`;
    case 'text':
      return f.maxBytes !== undefined ? `text ≤ ${f.maxBytes}` : 'text';
    case 'u8':
    case 'u16':
    case 'u32':
      return `${f.type}${f.codes ? ' code' : ''}`;
    default:
      return `${f.type}${'optional' in f && f.optional ? ', optional' : ''}`;
  }
}

/** How a field is written as text in a profile (one table cell). */
function formatCell(p: FramingProfile, f: Field): string {
  let s: string;
  switch (f.type) {
    case 'char':
      s = p.fixed ? 'as is' : `as is, ≤ ${bytes(f.width)}`;
      break;
    case 'text':
      s = 'GBK text';
      break;
    case 'u8':
    case 'u16':
    case 'u32':
      s = 'digits';
      break;
    case 'money':
      s = p.body.money === 'fen' ? 'fen: `12345`' : 'yuan: `123.45`';
      break;
    case 'date':
      s = '`YYYYMMDD`';
      break;
    case 'datetime':
      s = '`YYYYMMDDHHMMSS`';
      break;
    case 'cycle':
      s = '`YYYYMM`';
      break;
    case 'list':
      throw new Error(`${f.name}: a list is records, not a field`);
  }
  if ('optional' in f && f.optional) s += ' or empty';
  if (p.fixed) {
    const w = fixedWidth(p.fixed, f);
    s += `; ${bytes(w)}, ${NUMERIC.has(f.type) ? p.fixed.numberAlign : 'left'}`;
  }
  return s;
}

interface Row {
  record: string;
  field: string;
  type: string;
  /** One cell per profile. */
  cells: string[];
}

/** The rows of a layout's text body, one cell per profile. */
function layoutRows(profiles: readonly FramingProfile[], layout: Layout): Row[] {
  const rows: Row[] = [];
  for (const f of layout) {
    if (f.type !== 'list') rows.push({ record: '1', field: `\`${f.name}\``, type: typeOf(f), cells: profiles.map((p) => formatCell(p, f)) });
  }
  for (const l of layout) {
    if (l.type !== 'list') continue;
    rows.push({
      record: 'next',
      field: `(count of \`${l.name}\`)`,
      type: '',
      cells: profiles.map((p) => (textShape(p, layout).lists.find((x) => x.field === l)!.counted ? 'digits: the number of item records' : 'none: the item records are the rest of the body')),
    });
    for (const f of l.of) {
      rows.push({ record: `one per item`, field: `\`${l.name}[].${f.name}\``, type: typeOf(f), cells: profiles.map((p) => formatCell(p, f)) });
    }
  }
  return rows;
}

/** A Markdown table of a layout's text body; profiles writing every field alike share a column. */
function layoutTable(profiles: readonly FramingProfile[], layout: Layout): string {
  if (layout.length === 0) return 'An empty body on every profile.';
  const rows = layoutRows(profiles, layout);
  const groups: { names: string[]; index: number }[] = [];
  profiles.forEach((p, i) => {
    const same = groups.find((g) => rows.every((r) => r.cells[g.index] === r.cells[i]));
    if (same) same.names.push(p.name);
    else groups.push({ names: [p.name], index: i });
  });
  return [
    `| record | field | layout type | ${groups.map((g) => g.names.join(', ')).join(' | ')} |`,
    `|---|---|---|${groups.map(() => '---|').join('')}`,
    ...rows.map((r) => `| ${r.record} | ${r.field} | ${r.type} | ${groups.map((g) => r.cells[g.index]).join(' | ')} |`),
  ].join('\n');
}

function serviceCode(p: FramingProfile, row: BusinessRow): string {
  const f = p.role.service;
  if (!f) return '—';
  // A code the table does not name is written as the business code itself (padded as the field says).
  const v = p.services.reverse.get(row.code) ?? (p.services.otherwise === 'code' ? String(row.code) : undefined);
  return v === undefined ? '— (not served)' : padField(f, v);
}

/** How each profile writes what every body shares (the rules behind the per-business-type tables). */
function profileTable(profiles: readonly FramingProfile[]): string {
  const hex = (b: number) => `0x${b.toString(16).toUpperCase().padStart(2, '0')}`;
  const rows: [string, (p: FramingProfile) => string][] = [
    ['file', (p) => `\`config/framing/${p.name}.json\``],
    ['start byte', (p) => (p.start === undefined ? 'none' : `\`${String.fromCharCode(p.start)}\``)],
    ['header', (p) => p.header.map((f) => `${f.name} ${f.width}`).join(' │ ')],
    ['length counts', (p) => [...p.lengthCounts].join(' + ')],
    ['terminator', (p) => hex(p.terminator)],
    ['body', (p) => (p.fixed ? `fixed widths, records joined by ${JSON.stringify(p.body.recordSeparator)}` : `fields joined by ${JSON.stringify(p.body.fieldSeparator)}, records by ${JSON.stringify(p.body.recordSeparator)}`)],
    ['money', (p) => (p.body.money === 'fen' ? 'fen, signed digits: `12345`' : 'yuan, two decimals: `123.45` (a request may give 0–2)')],
    ['empty value', (p) => (p.fixed ? 'all spaces' : p.body.empty === '' ? 'nothing' : `${JSON.stringify(p.body.empty)}`)],
    ['list count record', (p) => (p.body.listCount === 'always' ? 'before every list' : 'before every list but a single list ending the layout')],
    ['largest packet', (p) => `${bytes(p.packets.size)}; a request at most ${p.packets.maxRequestPackets} packet${p.packets.maxRequestPackets === 1 ? '' : 's'}, ${p.packets.maxRequestBytes} body bytes`],
    ['serial (write functions)', (p) => (p.role.serial ? `\`${p.role.serial.name}\` (${p.role.serial.width}): the idempotency key` : 'none: a write is refused 1001, nothing done')],
    ['check code', (p) => (p.check ? `\`${p.check.field.name}\`: ${p.check.algorithm}, ${p.check.encoding}` : 'none')],
    ['refusal body', (p) => (p.body.errorBody === 'message' ? 'the GBK message' : 'empty')],
    ['error field', (p) => (p.role.error ? `\`${p.role.error.name}\` (${p.role.error.width}): ${[...p.errors.table].map(([c, w]) => `${c} → \`${w}\``).join(', ')}${p.errors.table.size ? '; ' : ''}any other code its digits zero-padded` : 'none')],
  ];
  return [`| | ${profiles.map((p) => `\`${p.name}\``).join(' | ')} |`, `|---|${profiles.map(() => '---|').join('')}`, ...rows.map(([k, fn]) => `| ${k} | ${profiles.map(fn).join(' | ')} |`)].join('\n');
}

/** SPEC.md section 10's generated block: the profile table, then every business type over every profile. */
export async function renderTextFraming(profiles: readonly FramingProfile[], contracts: readonly FunctionContract[]): Promise<string> {
  const vectors = new Map<string, Map<number, FramingVector>>();
  for (const p of profiles) vectors.set(p.name, new Map((await framingVectors(p, contracts)).map((v) => [v.contract.biz, v])));
  const parts: string[] = [
    profileTable(profiles),
    `The example packets below carry the serial \`${VECTOR_SERIAL}\` and the operator \`${VECTOR_OPERATOR}\` where the profile has those fields, the time 2024-06-01 09:30:01, the phone of the example's \`svcnum\` in the echoed fields; the check codes are made with the test key \`${VECTOR_CHECK_KEY.toString('hex').toUpperCase()}\` (ISO/IEC 9797-1 Annex B; never a production key).`,
  ];
  for (const row of BUSINESS_ROWS) {
    const c = contracts.find((x) => x.biz === row.code);
    if (!c) continue;
    const ex: string[] = [];
    const refused: string[] = [];
    for (const p of profiles) {
      const v = vectors.get(p.name)!.get(row.code);
      if (!v) {
        refused.push(p.name);
        continue;
      }
      for (const r of v.request) ex.push(`${p.name} → ${showPacket(p, r)}`);
      for (const r of v.reply) ex.push(`${p.name} ← ${showPacket(p, r)}`);
    }
    parts.push(
      [
        `### Text: ${row.ids.length ? `${row.ids.join(', ')} ` : ''}${row.name} (${row.code})`,
        '',
        `Service code, as on the wire: ${profiles.map((p) => `${p.name} \`${serviceCode(p, row)}\``).join(', ')}. Request body:`,
        '',
        layoutTable(profiles, c.request),
        '',
        'Reply body (error field all zeros; a refused request is answered with the refusal body of its profile instead):',
        '',
        layoutTable(profiles, c.response),
        '',
        `The section 6 example as text (→ request, ← reply, one packet a line)${refused.length ? `; ${refused.join(', ')}: none, no serial field, so this write is refused 1001 and nothing is done` : ''}:`,
        '',
        '```',
        ...ex,
        '```',
      ].join('\n'),
    );
  }
  return parts.join('\n\n');
}
