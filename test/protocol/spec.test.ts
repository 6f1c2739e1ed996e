import t from 'tap';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RETURN_CODES } from '../../protocol/return-codes.js';
import { BUSINESS_ROWS, businessById, codeForId } from '../../protocol/business-types.js';
import { decodeHeader } from '../../protocol/header.js';
import { encodeRequest, encodeResponse } from '../../protocol/message.js';
import { INVENTORY_IDS } from '../fixtures/protocol/inventory.js';
import { HANDLERS } from '../../handlers/index.js';
import { updateSpec } from '../../src/spec/render.js';
import { shippedProfiles } from '../../src/server/framing-vectors.js';
import { root } from '../helpers/serve.js';
import { CS01_REQUEST, CS01_RESPONSE, cs01Request, cs01Response } from '../fixtures/protocol/frames.js';

const spec = readFileSync(fileURLToPath(new URL('../../protocol/SPEC.md', import.meta.url)), 'utf8');
// The legacy inventory, one row per ID (docs/legacy-inventory.md).
const INVENTORY = fileURLToPath(new URL('../../docs/legacy-inventory.md', import.meta.url));

/** Bytes of the annotated hex block after `<!-- hex:name -->`: each line is `offset  bytes # comment`. */
function specHex(name: string): string {
  const m = new RegExp(`<!-- hex:${name} -->\\n\`\`\`text\\n([\\s\\S]*?)\\n\`\`\``).exec(spec);
  if (!m) throw new Error(`no hex block ${name} in SPEC.md`);
  return m[1]
    .split('\n')
    .map((line) => line.split('#')[0].trim().split(/\s+/).slice(1).join(''))
    .join('');
}

t.test('CS-01: the SPEC hex example of the request is what the encoder produces', async (t) => {
  const h = cs01Request.header;
  t.equal(specHex('cs01-request'), encodeRequest(h, CS01_REQUEST, {}).toString('hex'));
});

t.test('CS-01: the SPEC hex example of the response is what the encoder produces', async (t) => {
  const req = decodeHeader(Buffer.from(cs01Request.bytes));
  // The gateway answers with its own time (SPEC.md section 2): the example's is one second later.
  const out = encodeResponse(req, 0, '成功', CS01_RESPONSE, cs01Response.body, '20240601093001');
  t.equal(specHex('cs01-response'), out.toString('hex'));
  const down = encodeResponse(req, 9001, '数据库不可用', undefined, undefined, '20240601093001');
  t.equal(specHex('cs01-9001-response'), down.toString('hex'), 'the 9001 example');
});

t.test('every return code appears in SPEC.md with its key and message', async (t) => {
  for (const [key, row] of Object.entries(RETURN_CODES)) {
    t.match(spec, new RegExp(`\\| ${row.code} \\| \`${key}\` \\| ${row.message} \\|`), `${key} ${row.code}`);
  }
});

t.test('the SPEC business-type table agrees with business-types.ts', async (t) => {
  const rows = spec.split('\n').filter((l) => /^\| \d{3} \| `[A-Z0-9_]+` \| `[a-z0-9-]+` \|/.test(l));
  t.equal(rows.length, BUSINESS_ROWS.length);
  for (const r of BUSINESS_ROWS) {
    t.ok(
      rows.some((l) => l.startsWith(`| ${r.code} | \`${r.key}\` | \`${r.name}\` | ${r.ids.join(', ') || "(none: bssgate's own)"} | ${r.title} | ${r.interfaces.join(', ')} |`)),
      `${r.code} ${r.key}`,
    );
  }
});

t.test('the coverage table has exactly one row per inventory ID, with a status', async (t) => {
  const ids = INVENTORY_IDS;
  t.equal(ids.length, 24 + 11 + 3 + 9 + 4 + 2 + 3 + 5, 'the inventory has 61 IDs');
  const doc = readFileSync(INVENTORY, 'utf8');
  t.same([...new Set([...doc.matchAll(/^\| ((?:CS|VO|C1|PC|PR|SM|OC|OP)-\d\d) \|/gm)].map((m) => m[1]))], ids, 'the ID list is the document\'s');
  for (const id of ids) {
    const rows = spec.split('\n').filter((l) => l.startsWith(`| ${id} |`));
    t.equal(rows.length, 1, `${id} has one coverage row`);
    const cells = rows[0]?.split('|').map((c) => c.trim()) ?? [];
    t.match(cells[4], /^(implemented|planned)$/, `${id} status`);
    const row = businessById(id);
    if (row) {
      t.match(cells[2], new RegExp(`^${row.code} \`${row.key}\``), `${id} → ${row.code}`);
      t.equal(row.code, codeForId(id), `${id} follows the numbering rule`);
    } else {
      t.match(cells[2], /^none/, `${id} is not a wire function`);
    }
  }
  t.match(spec, /\| CS-01 \| 101 `CONNECTION_CHECK` \|.*\| implemented \|/);
});

t.test('the SPEC notes the resolved contradictions VO-03, VO-05 and VO-08', async (t) => {
  for (const id of ['VO-03', 'VO-05', 'VO-08']) t.match(spec, new RegExp(`- \\*\\*${id}\\*\\*: `));
});

t.test('the generated sections of SPEC.md are what the handler layouts give (run npm run spec)', async (t) => {
  t.equal(await updateSpec(spec, HANDLERS, shippedProfiles(root)), spec);
});

t.test('every generated hex example is the encoder\'s output for that business type', async (t) => {
  for (const h of HANDLERS) {
    t.ok(specHex(`${h.biz}-request`).length >= 120, `${h.name}: request example`);
    t.ok(specHex(`${h.biz}-response`).length >= 120, `${h.name}: response example`);
    t.equal(specHex(`${h.biz}-request`), encodeRequest({ biz: h.biz, seq: 1, serial: 'CS2024060100000001', time: '20240601093000', operator: 'OP001' }, h.request, h.example!.request).toString('hex'), `${h.name} request bytes`);
  }
});

t.test('the coverage table marks implemented exactly the IDs a handler serves', async (t) => {
  for (const r of BUSINESS_ROWS) {
    const served = HANDLERS.some((h) => h.biz === r.code);
    for (const id of r.ids) t.match(spec, new RegExp(`^\\| ${id} \\|.*\\| ${served ? 'implemented' : 'planned'} \\|$`, 'm'), id);
  }
});
