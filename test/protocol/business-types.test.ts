import t from 'tap';
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
    t.equal(BUSINESS_TYPES[r.key].code, r.code);
  }
  t.equal(businessByCode(999), undefined);
  t.equal(businessByName('nope'), undefined);
});

t.test('codes follow the inventory numbering: CS-nn → 100+nn, VO → 200+, C1 → 230+, PC → 300+, PR → 400+, SM → 500+', async (t) => {
  for (const r of BUSINESS_ROWS) {
    t.equal(r.ids.length, 1);
    t.equal(r.code, codeForId(r.ids[0]), `${r.ids[0]} → ${r.code}`);
  }
  t.equal(codeForId('CS-26'), 126);
  t.equal(codeForId('C1-03'), 233);
  t.equal(codeForId('OC-01'), undefined);
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
    t.same(r.interfaces, [home[r.ids[0].slice(0, 2) as keyof typeof home]], `${r.ids[0]}`);
  }
});

t.test('PC-06, PC-07, PC-09 and PR-04 are not wire functions and have no code', async (t) => {
  for (const id of ['PC-06', 'PC-07', 'PC-09', 'PR-04']) t.equal(businessById(id), undefined, id);
  t.equal(BUSINESS_ROWS.length, 24 + 11 + 3 + 6 + 3 + 2);
});

t.test('CS-01: the layout table gives connection-check an empty request and the SPEC response fields', async (t) => {
  const { CONNECTION_CHECK, LAYOUTS_BY_CODE } = await import('../../protocol/business-layouts.js');
  const { CS01_RESPONSE } = await import('../fixtures/protocol/frames.js');
  t.equal(LAYOUTS_BY_CODE.get(101), CONNECTION_CHECK);
  t.same(CONNECTION_CHECK.request, []);
  t.same(
    CONNECTION_CHECK.response.map((f) => [f.name, f.type]),
    CS01_RESPONSE.map((f) => [f.name, f.type]),
  );
  for (const code of LAYOUTS_BY_CODE.keys()) t.ok(businessByCode(code), `${code} is a business type`);
});
