// Where each inventory ID is served, written down twice for people and checked here against the
// handler registry (handlers/index.ts): docs/legacy-inventory.md (one row per ID: business type,
// name, handler file, or the modules of an ID that is not a wire function) and the first line of
// every handler file (`// Serves CS-12 realtime-totals (112), …`), so that one grep for an ID or a
// wire name finds its file. The function's wire contract (handlers/contracts/<same name>.ts)
// starts with the same list (`// Contract of CS-12 realtime-totals (112), …`): the grep finds both.
import t from 'tap';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { HANDLERS } from '../../handlers/index.js';
import { CONTRACTS } from '../../handlers/contracts/index.js';
import { businessById, codeForId } from '../../protocol/business-types.js';
import type { FunctionContract } from '../../src/types.js';
import { INVENTORY_IDS } from '../fixtures/protocol/inventory.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOC = 'docs/legacy-inventory.md';
const doc = readFileSync(`${ROOT}${DOC}`, 'utf8');

interface DocRow {
  id: string;
  cells: string[];
}

/** The rows of the ID tables: `| ID | function | tables | legacy flow | bssgate |`. */
function idRows(md: string): DocRow[] {
  return md
    .split('\n')
    .filter((l) => /^\| [A-Z][A-Z0-9]-\d\d \|/.test(l))
    .map((l) => {
      const cells = l.split(' | ').map((c) => c.replace(/^\| ?| ?\|$/g, '').trim());
      return { id: cells[0], cells };
    });
}

/** Repository paths named in a cell (src/…, handlers/…, protocol/…). */
function pathsIn(cell: string): string[] {
  return [...cell.matchAll(/\b((?:src|handlers|protocol)\/[\w./-]+\.ts)\b/g)].map((m) => m[1]);
}

const rows = idRows(doc);

t.test(`${DOC} has one row per inventory ID, in the inventory's order`, async (t) => {
  t.same(rows.map((r) => r.id), INVENTORY_IDS);
  for (const r of rows) t.equal(r.cells.length, 5, `${r.id}: five cells`);
});

t.test(`every ID of ${DOC} maps to the handler or the modules that serve it`, async (t) => {
  for (const { id, cells } of rows) {
    const bssgate = cells[4];
    const business = businessById(id);
    const served = HANDLERS.filter((h) => h.ids.includes(id));
    if (business) {
      t.equal(served.length, 1, `${id}: one handler serves it`);
      const h = served[0];
      if (!h) continue;
      t.equal(h.biz, codeForId(id), `${id}: its code follows the numbering rule`);
      t.ok(bssgate.startsWith(`${h.biz} \`${h.name}\` (${h.file})`), `${id}: "${bssgate}" names ${h.biz} \`${h.name}\` (${h.file})`);
      t.ok(existsSync(`${ROOT}${h.file}`), `${id}: ${h.file} exists`);
    } else {
      t.same(served, [], `${id} is not a wire function: no handler serves it`);
      t.match(bssgate, /^none: /, `${id}: "none: …" and what serves it`);
      const paths = pathsIn(bssgate);
      t.ok(paths.length > 0, `${id} names the modules that serve it`);
      for (const p of paths) t.ok(existsSync(`${ROOT}${p}`), `${id}: ${p} exists`);
    }
  }
});

t.test(`every handler's IDs are in ${DOC}; a handler without an ID is among bssgate's own functions`, async (t) => {
  const own = doc.slice(doc.indexOf("## bssgate's own functions"));
  for (const h of HANDLERS) {
    for (const id of h.ids) t.ok(rows.some((r) => r.id === id && r.cells[4].includes(`(${h.file})`)), `${id} (${h.name}) is in the doc with ${h.file}`);
    if (h.ids.length === 0) {
      t.match(own, `| \`${h.name}\` | ${h.biz} | `, `${h.name} (${h.biz}) is listed`);
      t.match(own, `| ${h.file} |`, `${h.name}: ${h.file}`);
    }
  }
});

// ---------------------------------------------------------------------------------------------
// The first line of a handler file.

/** One `ID name (code)` entry of a `// Serves …` line, as the registry says it. */
function entry(h: FunctionContract): string {
  return `${h.ids.length ? `${h.ids.join(' ')} ` : ''}${h.name} (${h.biz})`;
}

t.test('the first line of every handler file lists exactly the IDs, wire names and codes it serves', async (t) => {
  const files = readdirSync(`${ROOT}handlers`).filter((f) => f.endsWith('.ts') && f !== 'index.ts');
  t.ok(files.length >= 30, `${files.length} handler files`);
  for (const f of files) {
    const file = `handlers/${f}`;
    const served = HANDLERS.filter((h) => h.file === file);
    t.ok(served.length > 0, `${file} is in the registry (handlers/index.ts)`);
    const first = readFileSync(`${ROOT}${file}`, 'utf8').split('\n', 1)[0];
    t.equal(first, `// Serves ${served.map(entry).join(', ')}.`, `${file}: first line`);
  }
  t.same([...new Set(HANDLERS.map((h) => h.file))].sort(), files.map((f) => `handlers/${f}`).sort(), 'every module of the registry is a file of handlers/');
});

t.test('the first line of every contract file (handlers/contracts/) lists the same IDs, wire names and codes as its handler', async (t) => {
  const skip = new Set(['index.ts', 'define.ts']);
  const files = readdirSync(`${ROOT}handlers/contracts`).filter((f) => f.endsWith('.ts') && !skip.has(f));
  t.ok(files.length >= 30, `${files.length} contract files`);
  for (const f of files) {
    const served = CONTRACTS.filter((c) => c.file === `handlers/${f}`);
    t.ok(served.length > 0, `handlers/contracts/${f} is in the contract table (handlers/contracts/index.ts)`);
    const first = readFileSync(`${ROOT}handlers/contracts/${f}`, 'utf8').split('\n', 1)[0];
    t.equal(first, `// Contract of ${served.map(entry).join(', ')}.`, `handlers/contracts/${f}: first line`);
  }
});
