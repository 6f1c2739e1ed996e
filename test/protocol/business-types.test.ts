import t from 'tap';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BUSINESS_ROWS,
  BUSINESS_TYPES,
  businessByCode,
  businessById,
  businessByName,
  codeForId,
} from '../../protocol/business-types.js';

t.test('every business code, name and inventory ID is unique and found by its lookup', async (t) => {
  const codes = new Set<number>();
  const names = new Set<string>();
  const ids = new Set<string>();
  for (const r of BUSINESS_ROWS) {
    t.notOk(codes.has(r.code), `${r.code} unique`);
    t.notOk(names.has(r.name), `${r.name} unique`);
    codes.add(r.code);
    names.add(r.name);
    for (const id of r.ids) {
      t.notOk(ids.has(id), `${id} unique`);
      ids.add(id);
      t.equal(businessById(id), r);
    }
    t.equal(businessByCode(r.code), r);
    t.equal(businessByName(r.name), r);
  }
  t.equal(businessByCode(999), undefined);
  t.equal(businessByName('nope'), undefined);
});

t.test('codes follow the inventory numbering: CS-nn → 100+nn, VO → 200+, C1 → 230+, PC → 300+, PR → 400+, SM → 500+', async (t) => {
  for (const r of BUSINESS_ROWS) {
    // bssgate's own functions (no inventory ID) take codes 190–199 of the customer-service range.
    if (r.ids.length === 0) {
      t.ok(r.code >= 190 && r.code <= 199, `${r.name}: a code of bssgate's own, ${r.code}`);
      continue;
    }
    t.equal(r.ids.length, 1);
    t.equal(r.code, codeForId(r.ids[0]), `${r.ids[0]} → ${r.code}`);
  }
  t.same(BUSINESS_ROWS.filter((r) => r.ids.length === 0).map((r) => r.key), ['LOCKOUT_CLEAR'], 'the rows without an inventory ID');
  t.equal(codeForId('CS-26'), 126);
  t.equal(codeForId('C1-03'), 233);
  t.equal(codeForId('OC-01'), undefined);
});

// The legacy inventory the table is written from: docs/legacy-inventory.md, its sections by interface.
const INVENTORY = resolve(dirname(fileURLToPath(import.meta.url)), '../../docs/legacy-inventory.md');

/** Inventory ID → the interface of the `## …` section it is listed under (null: not a listening interface). */
function inventorySections(md: string): Map<string, string | null> {
  const sectionIface: [RegExp, string | null][] = [
    [/^## Customer-service interface/, 'cs'],
    [/^## Payment-card and recharge-card interface/, 'card'],
    [/^## Self-service detail-print interface/, 'print'],
    [/^## SMS bill-query interface/, 'sms'],
    [/^## /, null],
  ];
  const out = new Map<string, string | null>();
  let iface: string | null | undefined;
  for (const line of md.split('\n')) {
    if (line.startsWith('## ')) iface = sectionIface.find(([re]) => re.test(line))![1];
    const m = /^\| ([A-Z][A-Z0-9]-\d\d) \|/.exec(line);
    if (m && iface !== undefined) out.set(m[1], iface);
  }
  return out;
}

t.test('the table agrees with the legacy inventory: IDs, numbering and the interface of each ID\'s section', async (t) => {
  const sections = inventorySections(readFileSync(INVENTORY, 'utf8'));
  t.ok(sections.size >= 50, `parsed the inventory (${sections.size} IDs)`);
  for (const id of ['CS-01', 'VO-01', 'C1-03', 'PC-09', 'PR-04', 'SM-02', 'OC-01', 'OP-05']) t.ok(sections.has(id), `the parser found ${id}`);
  for (const r of BUSINESS_ROWS) {
    for (const id of r.ids) {
      t.ok(sections.has(id), `${id} (${r.name}) is in the inventory`);
      t.equal(codeForId(id), r.code, `${id} → ${r.code} by the numbering rule`);
      const iface = sections.get(id);
      t.ok(iface, `${id} is listed under a listening interface`);
      const expected = r.key === 'CONNECTION_CHECK' ? ['cs', 'card', 'print', 'sms'] : [iface];
      t.same(r.interfaces, expected, `${id} is served on ${expected.join(', ')}`);
    }
  }
  // And the other way: every function of a listening interface is a wire row, but the four that are not.
  const notWire = new Set(['PC-06', 'PC-07', 'PC-09', 'PR-04']);
  const missing = [...sections].filter(([id, iface]) => iface !== null && !notWire.has(id) && !businessById(id)).map(([id]) => id);
  t.same(missing, [], 'every wire function of the inventory has a row');
});

t.test('names are kebab-case and keys UPPER_SNAKE', async (t) => {
  for (const r of BUSINESS_ROWS) {
    t.match(r.name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
    t.match(r.key, /^[A-Z0-9]+(_[A-Z0-9]+)*$/);
  }
});

t.test('CS-01 is served on all four interfaces; every other function on its own interface', async (t) => {
  t.same(BUSINESS_TYPES.CONNECTION_CHECK.interfaces, ['cs', 'card', 'print', 'sms']);
  const home = { CS: 'cs', VO: 'cs', C1: 'cs', PC: 'card', PR: 'print', SM: 'sms' } as const;
  for (const r of BUSINESS_ROWS) {
    if (r.code === 101) continue;
    // bssgate's own functions (no inventory ID): the operator's lockout clearing is a customer-service one.
    if (r.ids.length === 0) {
      t.same(r.interfaces, ['cs'], r.name);
      continue;
    }
    t.same(r.interfaces, [home[r.ids[0].slice(0, 2) as keyof typeof home]], `${r.ids[0]}`);
  }
});

t.test('PC-06, PC-07, PC-09 and PR-04 are not wire functions and have no code', async (t) => {
  for (const id of ['PC-06', 'PC-07', 'PC-09', 'PR-04']) t.equal(businessById(id), undefined, id);
  t.equal(BUSINESS_ROWS.length, 24 + 11 + 3 + 6 + 3 + 2 + 1, 'the inventory\'s wire functions and lockout-clear');
});
