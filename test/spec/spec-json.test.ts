// Issue 18: protocol/spec.json, the machine-readable spec. It is current (what the handler layouts
// give, as SPEC.md), its examples are SPEC.md's hex blocks byte for byte, and a partner can generate
// a client from it alone: a decoder is generated here as JavaScript source from spec.json (nothing
// of protocol/ is imported by the generator or the generated code), loaded, and it decodes every
// example frame to the values protocol/ decodes them to.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { HANDLERS } from '../../handlers/index.js';
import { CONTRACTS } from '../../handlers/contracts/index.js';
import { renderSpecJson, type SpecField } from '../../src/spec/json.js';
import { DEFAULT_DISSECTOR_PORTS, renderDissector } from '../../src/spec/dissector.js';
import { decodeHeader } from '../../protocol/header.js';
import { RETURN_CODES } from '../../protocol/return-codes.js';
import { decodeRequestBody, decodeResponse } from '../../protocol/message.js';
import type { BodyRecord, BodyValue } from '../../protocol/layout-types.js';
import { root, cli } from '../helpers/serve.js';

const specMd = readFileSync(join(root, 'protocol/SPEC.md'), 'utf8');
const specText = readFileSync(join(root, 'protocol/spec.json'), 'utf8');
const spec = JSON.parse(specText) as ReturnType<typeof import('../../src/spec/json.js').buildSpecJson>;

t.setTimeout(360_000);

t.test('issue 18: protocol/spec.json is what the handler layouts give (run npm run spec)', async (t) => {
  t.equal(renderSpecJson(HANDLERS), specText, 'from the handlers');
  t.equal(renderSpecJson(CONTRACTS), specText, 'from the contracts (what `bssgate spec` reads)');
});

t.test('issue 18: spec.json describes every business type, header field, return code and paging', async (t) => {
  t.equal(spec.format, 'bssgate-spec');
  t.same(spec.header.map((h) => [h.name, h.offset, h.width]), [
    ['length', 0, 4], ['version', 4, 1], ['kind', 5, 1], ['biz', 6, 2], ['seq', 8, 4], ['serial', 12, 20],
    ['time', 32, 14], ['operator', 46, 10], ['result', 56, 2], ['reserved', 58, 2],
  ]);
  for (const h of HANDLERS) {
    const b = spec.businessTypes.find((x) => x.code === h.biz);
    t.ok(b && b.served && 'request' in b, `${h.biz} ${h.name} is described`);
    if (!b || !('request' in b)) continue;
    t.equal(b.name, h.name);
    t.equal(b.paged?.maxPage, h.maxPage, `${h.name}: paging`);
    t.same(b.examples, { request: `${h.biz}-request`, response: `${h.biz}-response` }, `${h.name}: examples named`);
  }
  // A code field keeps its meanings; a list its records; money its bounds as decimal strings.
  const fields = (fs: SpecField[]): SpecField[] => fs.flatMap((f) => [f, ...fields(f.fields ?? [])]);
  const all = spec.businessTypes.flatMap((b) => ('request' in b ? [...fields(b.request), ...fields(b.response)] : []));
  t.ok(all.some((f) => f.codes && f.codes.length > 1 && f.codes.every((c) => c.en && c.zh)), 'code fields with meanings');
  t.ok(all.some((f) => f.type === 'list' && f.fields && f.fields.length > 0 && f.countPrefix === 'u16'), 'lists with their record layout');
  t.ok(all.some((f) => f.type === 'money' && typeof f.min === 'string'), 'money bounds as strings');
  t.ok(all.every((f) => f.width !== null || f.type === 'text' || f.type === 'list'), 'every fixed field has its width');
  t.same(spec.paging.request.map((f) => f.name), ['offset', 'limit']);
  t.equal(spec.returnCodes.length, Object.keys(RETURN_CODES).length, 'every return code');
  t.ok(spec.returnCodes.some((r) => r.code === 9001 && r.key === 'DATABASE_UNAVAILABLE' && r.family === 'system'));
});

t.test('issue 18: the examples of spec.json are the hex blocks of SPEC.md, all of them, byte for byte', async (t) => {
  const blocks = new Map(
    [...specMd.matchAll(/<!-- hex:([\w-]+) -->\n```text\n([\s\S]*?)\n```/g)].map((m) => [
      m[1],
      m[2].split('\n').map((l) => l.split('#')[0].trim().split(/\s+/).slice(1).join('')).join(''),
    ]),
  );
  t.same(spec.examples.map((e) => e.name).sort(), [...blocks.keys()].sort(), 'the same names');
  for (const e of spec.examples) t.equal(e.hex, blocks.get(e.name), e.name);
});

// ---- A decoder generated from spec.json alone -------------------------------------------------

/** JavaScript source of a decoder module for every business type of `doc` (a parsed spec.json). */
function generateDecoder(doc: typeof spec): string {
  const lines: string[] = [
    '// Generated from spec.json: decodeFrame(bytes) -> { header, message?, body? }',
    "const gbk = new TextDecoder('gbk', { fatal: true });",
    "const ascii = (b) => String.fromCharCode(...b);",
    "const trim = (s) => s.replace(/ +$/, '');",
  ];
  let n = 0;
  const gen = (fields: SpecField[]): string => {
    const fn = `layout${n++}`;
    const body: string[] = [`function ${fn}(b, o) {`, '  const r = {};'];
    for (const f of fields) {
      const k = JSON.stringify(f.name);
      switch (f.type) {
        case 'u8': body.push(`  r[${k}] = b[o]; o += 1;`); break;
        case 'u16': body.push(`  r[${k}] = (b[o] << 8) | b[o + 1]; o += 2;`); break;
        case 'u32': body.push(`  r[${k}] = new DataView(b.buffer, b.byteOffset).getUint32(o); o += 4;`); break;
        case 'money': body.push(`  r[${k}] = new DataView(b.buffer, b.byteOffset).getBigInt64(o).toString(); o += 8;`); break;
        case 'char': body.push(`  r[${k}] = gbk.decode(b.subarray(o, o + ${f.width}).subarray(0, trimLen(b, o, ${f.width}))); o += ${f.width};`); break;
        case 'date': case 'datetime': case 'cycle': body.push(`  r[${k}] = trim(ascii(b.subarray(o, o + ${f.width}))); o += ${f.width};`); break;
        case 'text': body.push(`  { const n = (b[o] << 8) | b[o + 1]; r[${k}] = gbk.decode(b.subarray(o + 2, o + 2 + n)); o += 2 + n; }`); break;
        case 'list': {
          const rec = gen(f.fields ?? []);
          body.push(`  { const n = (b[o] << 8) | b[o + 1]; o += 2; r[${k}] = []; for (let i = 0; i < n; i++) { const [x, p] = ${rec}(b, o); r[${k}].push(x); o = p; } }`);
          break;
        }
      }
    }
    body.push('  return [r, o];', '}');
    lines.push(...body);
    return fn;
  };
  lines.push('function trimLen(b, o, w) { let e = w; while (e > 0 && b[o + e - 1] === 0x20) e--; return e; }');
  const table: string[] = [];
  for (const b of doc.businessTypes) {
    if (!('request' in b)) continue;
    table.push(`  ${b.code}: { request: ${gen(b.request)}, response: ${gen(b.response)} },`);
  }
  lines.push('const LAYOUTS = {', ...table, '};');
  const hdr = doc.header
    .map((h) => {
      const at = h.offset;
      if (h.type === 'u8') return `    ${h.name}: b[${at}],`;
      if (h.type === 'u16') return `    ${h.name}: (b[${at}] << 8) | b[${at + 1}],`;
      if (h.type === 'u32') return `    ${h.name}: new DataView(b.buffer, b.byteOffset).getUint32(${at}),`;
      return `    ${h.name}: ${h.type === 'char' ? 'trim(' : '('}ascii(b.subarray(${at}, ${at + h.width}))),`;
    })
    .join('\n');
  const kindResponse = doc.header.find((h) => h.name === 'kind')!.codes!.find((c) => c.en === 'response')!.code;
  lines.push(
    'export function decodeFrame(b) {',
    '  const header = {',
    hdr,
    '  };',
    `  let o = ${doc.framing.headerSize};`,
    '  const layouts = LAYOUTS[header.biz];',
    `  if (header.kind !== ${kindResponse}) { const [body, end] = layouts.request(b, o); if (end !== b.length) throw new Error('bytes left'); return { header, body }; }`,
    '  const n = (b[o] << 8) | b[o + 1];',
    '  const message = gbk.decode(b.subarray(o + 2, o + 2 + n)); o += 2 + n;',
    `  if (header.result !== ${doc.responseBody.fieldsOnlyWhenResult}) return { header, message };`,
    "  const [body, end] = layouts.response(b, o); if (end !== b.length) throw new Error('bytes left');",
    '  return { header, message, body };',
    '}',
  );
  return lines.join('\n') + '\n';
}

function plain(v: BodyValue): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return v.map((r) => plainRecord(r));
  return v;
}
function plainRecord(r: BodyRecord): Record<string, unknown> {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, plain(v)]));
}

t.test('issue 18: a decoder generated from spec.json alone decodes every example frame to the values protocol/ decodes', async (t) => {
  const dir = t.testdir();
  const file = join(dir, 'decoder.mjs');
  writeFileSync(file, generateDecoder(spec));
  const { decodeFrame } = (await import(pathToFileURL(file).href)) as { decodeFrame(b: Uint8Array): { header: Record<string, unknown>; message?: string; body?: Record<string, unknown> } };
  t.ok(spec.examples.length >= 2 * HANDLERS.length + 3, `${spec.examples.length} examples`);
  for (const e of spec.examples) {
    const bytes = Buffer.from(e.hex, 'hex');
    const got = decodeFrame(new Uint8Array(bytes));
    const h = HANDLERS.find((x) => x.biz === e.biz)!;
    const header = decodeHeader(bytes);
    t.same(got.header, { length: bytes.length - 4, ...header }, `${e.name}: header`);
    if (e.direction === 'request') {
      t.same(got.body, plainRecord(decodeRequestBody(bytes, h.request)), `${e.name}: body as protocol/ decodes it`);
    } else {
      const r = decodeResponse(bytes, h.response);
      t.equal(got.message, r.message, `${e.name}: message`);
      t.same(got.body, r.body === undefined ? undefined : plainRecord(r.body), `${e.name}: body as protocol/ decodes it`);
    }
    t.same(got.body, e.body, `${e.name}: the values spec.json states`);
  }
});

t.test('issue 18: `bssgate spec --check` fails naming spec.json when it is stale, and `bssgate spec` rewrites it', async (t) => {
  const dir = t.testdir();
  copyFileSync(join(root, 'protocol/SPEC.md'), join(dir, 'SPEC.md'));
  writeFileSync(join(dir, 'spec.json'), specText.replace('"formatVersion": 1', '"formatVersion": 0'));
  const check = spawnSync(process.execPath, [cli, 'spec', '--check', '--file', join(dir, 'SPEC.md')], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  t.equal(check.status, 1, 'exit 1');
  t.match(check.stderr, `${join(dir, 'spec.json')} is not current: run 'npm run spec'`);
  const write = spawnSync(process.execPath, [cli, 'spec', '--file', join(dir, 'SPEC.md')], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  t.equal(write.status, 0, write.stderr);
  t.match(write.stdout, `${join(dir, 'spec.json')} rewritten`);
  t.match(write.stdout, `${join(dir, 'SPEC.md')} was already current`);
  t.equal(readFileSync(join(dir, 'spec.json'), 'utf8'), specText, 'rewritten to the committed content');
});

t.test('issue 18: docs/integrators.md names what spec.json and the dissector have', async (t) => {
  const doc = readFileSync(join(root, 'docs/integrators.md'), 'utf8');
  const table = doc.slice(doc.indexOf('| key | what it holds |'), doc.indexOf('A field of a layout has'));
  const documented = [...table.matchAll(/^\| ((?:`\w+`(?:, )?)+) \|/gm)].flatMap((m) => [...m[1].matchAll(/`(\w+)`/g)].map((x) => x[1]));
  t.same(documented.sort(), Object.keys(spec).filter((k) => !['about', 'byteOrder', 'textEncoding'].includes(k)).sort(), 'every top-level key of spec.json is in the table, and only those');
  const lua = renderDissector(spec);
  const fields = new Set([...lua.matchAll(/ProtoField\.\w+\("([^"]+)"/g)].map((m) => m[1]));
  const named = [...new Set([...doc.matchAll(/`(bssgate\.[\w.<>|-]+)/g)].map((m) => m[1]))];
  t.ok(named.length >= 15, `${named.length} names in the doc`);
  for (const n of named) {
    if (n === 'bssgate.lua') continue; // the file name
    if (n === 'bssgate.ports') t.match(lua, 'bssgate.prefs.ports = Pref.string', n);
    else if (n === 'bssgate.malformed') t.match(lua, 'ProtoExpert.new("bssgate.malformed"', n);
    else if (n.includes('<')) t.ok([...fields].some((f) => /^bssgate\.[a-z0-9-]+\.(request|response)\.\w+$/.test(f)), `${n}: fields named so`);
    else t.ok(fields.has(n), `${n} is a field of the dissector`);
  }
  t.ok(fields.has('bssgate.balance.request.svcnum'), 'the doc example bssgate.balance.request.svcnum');
  t.match(doc, `default \`${DEFAULT_DISSECTOR_PORTS}\``, 'the default ports');
});

t.test('issue 18: `bssgate dissector | head -1` ends quietly; bad options are named', async (t) => {
  const r = spawnSync('sh', ['-c', `"${process.execPath}" "${cli}" dissector | head -1`], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  t.equal(r.stdout, '-- Wireshark dissector for the bssgate wire protocol, version 1.\n');
  t.equal(r.stderr, '', 'no EPIPE stack when the reader leaves early');
  const bad = spawnSync(process.execPath, [cli, 'dissector', '--ports', 'x'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  t.equal(bad.status, 1);
  t.match(bad.stderr, 'bssgate: --ports "x": expected comma-separated ports or ranges a-b');
  const missing = spawnSync(process.execPath, [cli, 'dissector', '--spec', join(t.testdir(), 'none.json')], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  t.equal(missing.status, 1);
  t.match(missing.stderr, /bssgate: --spec .*none\.json: ENOENT/);
});
