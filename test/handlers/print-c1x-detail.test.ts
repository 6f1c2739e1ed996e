// PR-03 print kiosk CDMA1X data detail: C1-03 on the print interface, behind the data card's
// service password and its lockout, over a real socket against the seeded database.
import { char, u16, u32 } from '../../protocol/fields.js';
import { DATA_MAX_PAGE } from '../../handlers/kit/detail.js';
import { cycleOf, handlerSuite } from '../helpers/seeded.js';
import { expectedData, readAllPages, type DataRecord, type Paged } from '../helpers/tickets.js';

handlerSuite('PR-03 print-c1x-detail', async (t, h) => {
  const x = h.fx.cdma1x;
  const last = cycleOf(h.now, 1);

  t.test('PR-03: with the right password, every page is C1-03\'s list of data sessions in time order', async (t) => {
    const expected = await expectedData(h, x.svcnum, last);
    t.ok(expected.length > DATA_MAX_PAGE, `${expected.length} sessions`);
    const all = await readAllPages<DataRecord>(h, 'print', 'print-c1x-detail', { svcnum: x.svcnum, password: x.password, cycle: last }, 200);
    t.strictSame(all.items, expected);
    t.same(all.totals, all.totals.map(() => expected.length));
    const page = { offset: 999, limit: 123, svcnum: x.svcnum, cycle: last };
    const pr = await h.call<Paged<DataRecord>>('print', 'print-c1x-detail', { ...page, password: x.password });
    const cs = await h.call<Paged<DataRecord>>('cs', 'c1x-data-detail', page);
    t.strictSame(pr.body, cs.body, 'the same page as C1-03');
    for (const cycle of [cycleOf(h.now), cycleOf(h.now, 2)]) {
      const e = await expectedData(h, x.svcnum, cycle);
      const r = await h.call<Paged<DataRecord>>('print', 'print-c1x-detail', { offset: 0, limit: 65535, svcnum: x.svcnum, password: x.password, cycle });
      t.equal(r.result, 0, r.message);
      t.equal(r.body?.total, e.length, `${cycle}: total`);
      t.equal(r.body?.items.length, Math.min(e.length, DATA_MAX_PAGE), `${cycle}: at most ${DATA_MAX_PAGE}`);
      t.strictSame(r.body?.items, e.slice(0, DATA_MAX_PAGE));
    }
    const past = await h.call<Paged<DataRecord>>('print', 'print-c1x-detail', { offset: expected.length, limit: 10, svcnum: x.svcnum, password: x.password, cycle: last });
    t.same(past.body?.items, []);
    t.equal(past.body?.total, expected.length);
    const none = await h.call<Paged<DataRecord>>('print', 'print-c1x-detail', { offset: 0, limit: 10, svcnum: x.svcnum, password: x.password, cycle: cycleOf(h.now, 24) });
    t.equal(none.result, 0, none.message);
    t.equal(none.body?.total, 0);
  });

  t.test('PR-03: number, then password (with the lockout), then the no-print plan', async (t) => {
    const body = (password: string) => ({ offset: 0, limit: 10, svcnum: x.svcnum, password, cycle: last });
    t.equal((await h.call('print', 'print-c1x-detail', { ...body('x'), svcnum: '13300000000' })).result, 2001);
    t.equal((await h.call('print', 'print-c1x-detail', { ...body(h.fx.cdma.password), svcnum: h.fx.cdma.svcnum })).result, 2001, 'a CDMA handset is no data card');
    await h.facts.addNoPrint(x.prcpln, x.region, null, h.now);
    try {
      const wrong = await h.call('print', 'print-c1x-detail', body('Wr0ng-PR03'));
      t.equal(wrong.result, 2002, `wrong password before the plan: ${wrong.message}`);
      const right = await h.call('print', 'print-c1x-detail', body(x.password));
      t.equal(right.result, 2006, right.message);
    } finally {
      await h.facts.removeNoPrint(x.prcpln);
    }
    try {
      for (let k = 0; k < 10; k++) await h.call('print', 'print-c1x-detail', body(`Wr0ng-${k}`));
      const locked = await h.call('print', 'print-c1x-detail', body(x.password));
      t.equal(locked.result, 2003, `locked, refused even with the right password: ${locked.message}`);
      t.equal((await h.call('print', 'print-authenticate', { svcnum: x.svcnum, password: x.password })).result, 2003, 'the same lock as PR-01');
    } finally {
      await h.sql('DELETE FROM BSG_AUTH_FAIL WHERE SVCNUM = :s', { s: x.svcnum });
    }
    t.equal((await h.call('print', 'print-c1x-detail', body(x.password))).result, 0);
    await h.facts.setSubscriber(x.subscrbid, { status: 5 });
    try {
      t.equal((await h.call('print', 'print-c1x-detail', body(x.password))).result, 2004);
    } finally {
      await h.facts.setSubscriber(x.subscrbid, { status: x.status });
    }
    t.notOk((await h.allLogText()).includes('Wr0ng-PR03'), 'no password in any log');
  });

  t.test('PR-03: bad cycle 1006; served on the print interface only', async (t) => {
    const loose = { request: [u32('offset'), u16('limit'), char('svcnum', 20), char('password', 16), char('cycle', 6)], response: [] };
    const bad = await h.call('print', 'print-c1x-detail', { offset: 0, limit: 10, svcnum: x.svcnum, password: x.password, cycle: '000000' }, { layouts: loose });
    t.equal(bad.result, 1006, bad.message);
    t.equal((await h.call('cs', 'print-c1x-detail', { offset: 0, limit: 10, svcnum: x.svcnum, password: x.password, cycle: last })).result, 1004);
  });
});
