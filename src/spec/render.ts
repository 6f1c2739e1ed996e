// protocol/SPEC.md is partly generated from the handler list: every served business type's
// section (request and response fields in `| field | wire | bytes | notes |` tables, the return
// codes it answers, an annotated hex example of a request and of a successful response) and the
// coverage table. The generated parts sit between <!-- BEGIN GENERATED: x --> and
// <!-- END GENERATED: x --> markers; `bssgate spec` rewrites them, and a test fails when the
// committed SPEC.md differs from what the layouts give.
import { BUSINESS_ROWS, type BusinessRow } from '../../protocol/business-types.js';
import { HEADER_SIZE } from '../../protocol/header.js';
import { layoutTable } from '../../protocol/describe.js';
import type { Field, Layout } from '../../protocol/layout-types.js';
import { encodeRequest, encodeResponse } from '../../protocol/message.js';
import { decodeHeader } from '../../protocol/header.js';
import { RETURN_CODES, returnCode } from '../../protocol/return-codes.js';
import type { BodyRecord, BodyValue } from '../../protocol/layout-types.js';
import type { FunctionContract } from '../types.js';
import { FAMILY_ORDER, NON_WIRE, PLANNED } from './coverage.js';
import type { FramingProfile } from '../../protocol/framing/profile.js';
import { renderTextFraming } from './text-framing.js';

/** Codes every business type can answer besides its own refusals (SPEC.md section 8). */
export const COMMON_REQUEST = ['BUSINESS_NOT_SERVED', 'BODY_MISMATCH', 'INVALID_FIELD'] as const;
export const COMMON_SYSTEM = ['DATABASE_UNAVAILABLE', 'TIMEOUT', 'SHUTTING_DOWN', 'INTERNAL_ERROR'] as const;

export const EXAMPLE_HEAD = { seq: 1, serial: 'CS2024060100000001', time: '20240601093000', operator: 'OP001' };
/** The `time` of every example response: the gateway's own, one second after the request's (SPEC.md section 2). */
export const EXAMPLE_ANSWER_TIME = '20240601093001';
const BYTES_COL = 62; // width of the bytes column: 20 bytes a line

function hexBytes(b: Buffer): string {
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ');
}

function hexLines(offset: number, bytes: Buffer, comment: string): string[] {
  const out: string[] = [];
  if (bytes.length === 0) return out;
  for (let i = 0; i < bytes.length; i += 20) {
    const chunk = bytes.subarray(i, i + 20);
    const note = i === 0 ? comment : `${comment.split(' ')[0]} (continued)`;
    out.push(`${String(offset + i).padStart(4)}  ${hexBytes(chunk).padEnd(BYTES_COL)}# ${note}`);
  }
  return out;
}

function shownValue(f: Field, v: BodyValue | undefined): string {
  if ((f.type === 'char' || f.type === 'text') && f.secret) return `${JSON.stringify(v)} (secret: never logged)`;
  if (f.type === 'money') return `${String(v)} fen`;
  if (typeof v === 'string') {
    if (f.type === 'char' && f.codes) {
      const m = f.codes.find((c) => c.code === v);
      return `${JSON.stringify(v)}${m ? ` = ${m.en}` : ''}`;
    }
    return v === '' ? '(none: spaces)' : JSON.stringify(v);
  }
  if (typeof v === 'number' && (f.type === 'u8' || f.type === 'u16' || f.type === 'u32') && f.codes) {
    const m = f.codes.find((c) => c.code === v);
    return `${v}${m ? ` = ${m.en}` : ''}`;
  }
  return String(v);
}

/** Annotate a body laid out by `layout` starting at `at` of `frame`; returns the offset after it. */
function annotateBody(layout: Layout, value: BodyRecord, frame: Buffer, at: number, prefix: string, out: string[]): number {
  let off = at;
  for (const f of layout) {
    const v = value[f.name];
    const path = prefix + f.name;
    let n: number;
    switch (f.type) {
      case 'u8':
        n = 1;
        break;
      case 'u16':
        n = 2;
        break;
      case 'u32':
        n = 4;
        break;
      case 'money':
        n = 8;
        break;
      case 'char':
        n = f.width;
        break;
      case 'date':
        n = 8;
        break;
      case 'datetime':
        n = 14;
        break;
      case 'cycle':
        n = 6;
        break;
      case 'text': {
        const len = frame.readUInt16BE(off);
        out.push(...hexLines(off, frame.subarray(off, off + 2), `${path} length ${len}`));
        off += 2;
        out.push(...hexLines(off, frame.subarray(off, off + len), `${path} ${shownValue(f, v)}`));
        off += len;
        continue;
      }
      case 'list': {
        const items = (v as BodyRecord[]) ?? [];
        out.push(...hexLines(off, frame.subarray(off, off + 2), `${path} count ${items.length}`));
        off += 2;
        items.forEach((item, i) => {
          off = annotateBody(f.of, item, frame, off, `${path}[${i}].`, out);
        });
        continue;
      }
    }
    out.push(...hexLines(off, frame.subarray(off, off + n), `${path} ${shownValue(f, v)}`));
    off += n;
  }
  return off;
}

function annotateHeader(frame: Buffer, row: BusinessRow, kind: 'request' | 'response', result: number): string[] {
  const h = decodeHeader(frame);
  const bodyBytes = frame.length - HEADER_SIZE;
  const echoed = kind === 'response' ? ', echoed' : '';
  const rc = returnCode(result);
  return [
    ...hexLines(0, frame.subarray(0, 4), `length = ${frame.length - 4}: 56 + ${bodyBytes} body bytes`),
    ...hexLines(4, frame.subarray(4, 5), 'version 1'),
    ...hexLines(5, frame.subarray(5, 6), kind === 'request' ? 'kind 1 = request' : 'kind 2 = response'),
    ...hexLines(6, frame.subarray(6, 8), `biz ${row.code} = ${row.key}${row.ids.length ? ` (${row.ids.join(', ')})` : ''}${echoed}`),
    ...hexLines(8, frame.subarray(8, 12), `seq ${h.seq}${echoed}`),
    ...hexLines(12, frame.subarray(12, 32), `serial ${JSON.stringify(h.serial)}${echoed}`),
    ...hexLines(32, frame.subarray(32, 46), `time ${JSON.stringify(h.time)}${kind === 'response' ? ": the gateway's when it answered" : ''}`),
    ...hexLines(46, frame.subarray(46, 56), `operator ${JSON.stringify(h.operator)}${echoed}`),
    ...hexLines(56, frame.subarray(56, 58), kind === 'request' ? 'result 0 (always 0 in a request)' : `result ${result} = ${rc?.name ?? '?'}`),
    ...hexLines(58, frame.subarray(58, 60), 'reserved 0'),
  ];
}

function hexBlock(name: string, lines: string[]): string {
  return [`<!-- hex:${name} -->`, '```text', ...lines, '```'].join('\n');
}

function codeCell(name: keyof typeof RETURN_CODES): string {
  return `${RETURN_CODES[name].code} \`${name}\``;
}

/** The example request of a business type (EXAMPLE_HEAD, the contract's example body) and its annotation. */
export function exampleRequest(h: FunctionContract, row: BusinessRow): { req: Buffer; lines: string[] } {
  const req = encodeRequest({ biz: row.code, ...EXAMPLE_HEAD }, h.request, h.example!.request);
  const lines = annotateHeader(req, row, 'request', 0);
  annotateBody(h.request, h.example!.request, req, HEADER_SIZE, '', lines);
  return { req, lines };
}

/**
 * The answer to `req` the gateway would send at EXAMPLE_ANSWER_TIME: result 0 with the contract's
 * example reply, or `result` with only its message; and its annotation.
 */
export function exampleResponse(h: FunctionContract, row: BusinessRow, req: Buffer, result: number): { res: Buffer; lines: string[] } {
  const rc = returnCode(result);
  if (!rc) throw new Error(`result ${result} is not in protocol/return-codes.ts`);
  const res =
    result === 0
      ? encodeResponse(decodeHeader(req), 0, rc.message, h.response, h.example!.response, EXAMPLE_ANSWER_TIME)
      : encodeResponse(decodeHeader(req), result, rc.message, undefined, undefined, EXAMPLE_ANSWER_TIME);
  const lines = annotateHeader(res, row, 'response', result);
  const msgLen = res.readUInt16BE(HEADER_SIZE);
  lines.push(...hexLines(HEADER_SIZE, res.subarray(HEADER_SIZE, HEADER_SIZE + 2), `message length ${msgLen}`));
  lines.push(...hexLines(HEADER_SIZE + 2, res.subarray(HEADER_SIZE + 2, HEADER_SIZE + 2 + msgLen), `message ${rc.message} in GBK`));
  if (result === 0) annotateBody(h.response, h.example!.response, res, HEADER_SIZE + 2 + msgLen, '', lines);
  return { res, lines };
}

/** The spec section of one business type. */
export function renderSection(h: FunctionContract, row: BusinessRow): string {
  const parts: string[] = [`### ${row.ids.length ? `${row.ids.join(', ')} ` : ''}${row.name} (${row.code})`, '', `${row.title}. Source: \`${h.file ?? '?'}\`. Served by default on: ${row.interfaces.join(', ')}.`];
  if (h.doc) parts.push('', h.doc);
  if (h.maxPage) parts.push('', `Paged (section 3): at most **${h.maxPage}** records per page; a larger \`limit\` is answered with ${h.maxPage}.`);
  parts.push('', 'Request fields:', '', layoutTable(h.request), '', 'Response fields after the message (result 0 only):', '', layoutTable(h.response));
  const refusals = (h.refusals ?? []).map((r) => codeCell(r));
  parts.push(
    '',
    `Return codes: ${codeCell('OK')}; ${refusals.length ? `refusals ${refusals.join(', ')}; ` : ''}` +
      `and those of every business type: ${COMMON_REQUEST.map(codeCell).join(', ')}, ${COMMON_SYSTEM.map(codeCell).join(', ')} (section 8)` +
      // A write function's serial and client identity are checked before it runs (sections 2 and 8).
      (h.write ? `; as a write function also ${codeCell('MALFORMED_HEADER')} for a serial that breaks the serial rule (section 2) and ${codeCell('UNKNOWN_CLIENT')} from an address no covering \`[client.<id>]\` names (section 8).` : '.'),
  );
  if (h.example) {
    const { req, lines: reqLines } = exampleRequest(h, row);
    const { lines: resLines } = exampleResponse(h, row, req, 0);
    parts.push('', 'Example request:', '', hexBlock(`${row.code}-request`, reqLines), '', 'Its successful response:', '', hexBlock(`${row.code}-response`, resLines));
  }
  return parts.join('\n');
}

function idOrder(id: string): number {
  const [fam, n] = id.split('-');
  return FAMILY_ORDER.indexOf(fam as (typeof FAMILY_ORDER)[number]) * 100 + Number(n);
}

/** The per-business-type sections, in code order. */
export function renderFunctions(handlers: readonly FunctionContract[]): string {
  const sections: string[] = [];
  for (const row of BUSINESS_ROWS) {
    const h = handlers.find((x) => x.biz === row.code);
    if (h) sections.push(renderSection(h, row));
  }
  return sections.join('\n\n');
}

/** One example of section 7: its hex block name, frame and annotation (spec.json lists them too). */
export interface ExampleCase {
  name: string;
  biz: number;
  direction: 'request' | 'response';
  frame: Buffer;
  lines: string[];
  /** The request body, or the response fields when the result is 0. */
  body?: BodyRecord;
}

/** Section 7's examples: the CS-01 request, its success and its 9001 answer. */
export function renderExampleCases(handlers: readonly FunctionContract[]): ExampleCase[] {
  const row = BUSINESS_ROWS.find((r) => r.key === 'CONNECTION_CHECK')!;
  const h = handlers.find((x) => x.biz === row.code);
  if (!h?.example) throw new Error('section 7 needs the connection-check (101) contract and its example');
  const req = exampleRequest(h, row);
  const ok = exampleResponse(h, row, req.req, 0);
  const down = exampleResponse(h, row, req.req, RETURN_CODES.DATABASE_UNAVAILABLE.code);
  return [
    { name: 'cs01-request', biz: row.code, direction: 'request', frame: req.req, lines: req.lines, body: h.example.request },
    { name: 'cs01-response', biz: row.code, direction: 'response', frame: ok.res, lines: ok.lines, body: h.example.response },
    { name: 'cs01-9001-response', biz: row.code, direction: 'response', frame: down.res, lines: down.lines },
  ];
}

/**
 * Section 7: the CS-01 example walked through (request, success, and the 9001 refusal), from
 * the connection-check contract's example, as the section 6 examples are.
 */
export function renderExamples(handlers: readonly FunctionContract[]): string {
  const [reqCase, ok, down] = renderExampleCases(handlers);
  const reqLines = reqCase.lines;
  const ex = ok.body!;
  return [
    `A CS-01 request: seq ${EXAMPLE_HEAD.seq}, serial \`${EXAMPLE_HEAD.serial}\`, operator \`${EXAMPLE_HEAD.operator}\`, sent at \`${EXAMPLE_HEAD.time}\``,
    '(offset, bytes, meaning; generated by the encoder, as the examples of section 6):',
    '',
    hexBlock('cs01-request', reqLines),
    '',
    `Its response: the database answered (\`database\` ${String(ex.database)}), back end \`${String(ex.dialect)}\`, answered at \`${EXAMPLE_ANSWER_TIME}\` (the gateway's time, section 2):`,
    '',
    hexBlock('cs01-response', ok.lines),
    '',
    `Had the database been down, the response would be a ${RETURN_CODES.DATABASE_UNAVAILABLE.code} \`DATABASE_UNAVAILABLE\` with only the message (section 4), \`length\` = ${down.frame.length - 4}:`,
    '',
    hexBlock('cs01-9001-response', down.lines),
  ].join('\n');
}

/** The business-type table (section 6): every row of protocol/business-types.ts. */
export function renderBusinessTypes(): string {
  return [
    '| code | key | name | IDs | title | interfaces |',
    '|---|---|---|---|---|---|',
    ...BUSINESS_ROWS.map((r) => `| ${r.code} | \`${r.key}\` | \`${r.name}\` | ${r.ids.join(', ') || '(none: bssgate\'s own)'} | ${r.title} | ${r.interfaces.join(', ')} |`),
  ].join('\n');
}

/** The coverage table (section 9): every inventory ID, its business type and status. */
export function renderCoverage(handlers: readonly FunctionContract[]): string {
  const rows: { id: string; line: string }[] = [];
  for (const row of BUSINESS_ROWS) {
    const h = handlers.find((x) => x.biz === row.code);
    for (const id of row.ids) {
      const covered = h
        ? `${h.file ?? 'handler'}${h.maxPage ? `; paged, ≤ ${h.maxPage} a page` : ''}${row.interfaces.length > 1 ? `; ${row.interfaces.length === 4 ? 'all four interfaces' : row.interfaces.join(', ')}` : ''}`
        : (PLANNED[id] ?? 'handler');
      rows.push({ id, line: `| ${id} | ${row.code} \`${row.key}\` | ${covered} | ${h ? 'implemented' : 'planned'} |` });
    }
  }
  for (const c of NON_WIRE) rows.push({ id: c.id, line: `| ${c.id} | ${c.business} | ${c.coveredBy} | ${c.status} |` });
  rows.sort((a, b) => idOrder(a.id) - idOrder(b.id));
  return ['| ID | business type | covered by | status |', '|---|---|---|---|', ...rows.map((r) => r.line)].join('\n');
}

const BLOCK = (name: string) => new RegExp(`(<!-- BEGIN GENERATED: ${name} -->\\n)[\\s\\S]*?(<!-- END GENERATED: ${name} -->)`);

/**
 * SPEC.md with its generated blocks rewritten from the handler list, and section 10 from the
 * shipped text framing profiles (src/server/framing-vectors.ts shippedProfiles). Throws when a
 * marker is missing.
 */
export async function updateSpec(spec: string, handlers: readonly FunctionContract[], profiles: readonly FramingProfile[]): Promise<string> {
  let out = spec;
  for (const [name, body] of [
    ['business-types', renderBusinessTypes()],
    ['functions', renderFunctions(handlers)],
    ['examples', renderExamples(handlers)],
    ['coverage', renderCoverage(handlers)],
    ['text-framing', await renderTextFraming(profiles, handlers)],
  ] as const) {
    const re = BLOCK(name);
    if (!re.test(out)) throw new Error(`SPEC.md has no <!-- BEGIN GENERATED: ${name} --> … <!-- END GENERATED: ${name} --> block`);
    out = out.replace(re, (_m, a: string, b: string) => `${a}${body}\n${b}`);
  }
  return out;
}
