// PR-02 print kiosk monthly call detail: CS-11 on the print interface, behind the number's service
// password and its lockout, over a real socket against the seeded database.
import { char, u16, u32 } from '../../protocol/fields.js';
import { CALL_MAX_PAGE } from '../../handlers/kit/detail.js';
import { cycleOf, handlerSuite } from '../helpers/seeded.js';
import { expectedCalls, readAllPages, type CallRecord, type Paged } from '../helpers/tickets.js';

handlerSuite('PR-02 print-monthly-detail', async (t, h) => {
  const last = cycleOf(h.now, 1);

  t.test('PR-02: with the right password, every page is CS-11\'s list: voice + SMS merged in time order', async (t) => {
    const f = h.fx.first;
    const expected = await expectedCalls(h, f.svcnum, last);
    t.ok(expected.length > CALL_MAX_PAGE, `${expected.length} records`);
    const all = await readAllPages<CallRecord>(h, 'print', 'print-monthly-detail', { svcnum: f.svcnum, password: f.password, cycle: last }, CALL_MAX_PAGE);
    t.strictSame(all.items, expected);
    t.same(all.totals, all.totals.map(() => expected.length));
    const page = { offset: 300, limit: 200, svcnum: f.svcnum, cycle: last };
    const pr = await h.call<Paged<CallRecord>>('print', 'print-monthly-detail', { ...page, password: f.password });
    const cs = await h.call<Paged<CallRecord>>('cs', 'monthly-detail', page);
    t.strictSame(pr.body, cs.body, 'the same page as CS-11');
    for (const f2 of [h.fx.cdma, h.fx.gsmArrears]) {
      const r = await h.call<Paged<CallRecord>>('print', 'print-monthly-detail', { offset: 0, limit: 100, svcnum: f2.svcnum, password: f2.password, cycle: last });
      t.equal(r.result, 0, r.message);
      const e = await expectedCalls(h, f2.svcnum, last);
      t.equal(r.body?.total, e.length);
      t.strictSame(r.body?.items, e.slice(0, 100));
    }
  });

  t.test('PR-02: a limit above the page size, an offset beyond the total, a month without tables', async (t) => {
    const f = h.fx.first;
    const expected = await expectedCalls(h, f.svcnum, last);
    const big = await h.call<Paged<CallRecord>>('print', 'print-monthly-detail', { offset: 0, limit: 65535, svcnum: f.svcnum, password: f.password, cycle: last });
    t.equal(big.body?.items.length, CALL_MAX_PAGE);
    t.strictSame(big.body?.items, expected.slice(0, CALL_MAX_PAGE));
    const past = await h.call<Paged<CallRecord>>('print', 'print-monthly-detail', { offset: expected.length + 1, limit: 10, svcnum: f.svcnum, password: f.password, cycle: last });
    t.same(past.body?.items, []);
    t.equal(past.body?.total, expected.length);
    const none = await h.call<Paged<CallRecord>>('print', 'print-monthly-detail', { offset: 0, limit: 10, svcnum: f.svcnum, password: f.password, cycle: cycleOf(h.now, 24) });
    t.equal(none.result, 0, none.message);
    t.equal(none.body?.total, 0);
    t.same(none.body?.items, []);
  });

  t.test('PR-02: no detail without the password: wrong 2002, and the lockout of the password checks (2003 even with the right one)', async (t) => {
    const f = h.fx.gsmSuspended;
    const body = (password: string) => ({ offset: 0, limit: 10, svcnum: f.svcnum, password, cycle: last });
    try {
      const wrong = await h.call('print', 'print-monthly-detail', body('Wr0ng-PR02'));
      t.equal(wrong.result, 2002, wrong.message);
      t.notOk(wrong.body, 'no records');
      const [row] = await h.sql<{ n: unknown }>('SELECT FAILS_IN_WINDOW AS n FROM BSG_AUTH_FAIL WHERE SVCNUM = :s', { s: f.svcnum });
      t.equal(Number(row?.n), 1, 'the failure is counted in BSG_AUTH_FAIL');
      t.equal((await h.call('print', 'print-monthly-detail', body(f.password))).result, 0, 'the right password answers (and resets the count)');
      t.same(await h.sql('SELECT SVCNUM FROM BSG_AUTH_FAIL WHERE SVCNUM = :s', { s: f.svcnum }), [], 'counters reset');
      for (let k = 0; k < 10; k++) t.equal((await h.call('print', 'print-monthly-detail', body(`Wr0ng-${k}`))).result, 2002, `failure ${k + 1}`);
      const locked = await h.call('print', 'print-monthly-detail', body(f.password));
      t.equal(locked.result, 2003, `the 11th attempt, with the right password: ${locked.message}`);
      const pr01 = await h.call('print', 'print-authenticate', { svcnum: f.svcnum, password: f.password });
      t.equal(pr01.result, 2003, 'the same lock as PR-01');
    } finally {
      await h.sql('DELETE FROM BSG_AUTH_FAIL WHERE SVCNUM = :s', { s: f.svcnum });
    }
    t.equal((await h.call('print', 'print-monthly-detail', body(f.password))).result, 0, 'cleared: answered again');
    const log = await h.allLogText();
    t.notOk(log.includes('Wr0ng-PR02'), 'a wrong password is in no log');
  });

  t.test('PR-02: the order is number, password, no-print plan; the password is never logged', async (t) => {
    const np = h.fx.noPrintRegional;
    const wrongNp = await h.call('print', 'print-monthly-detail', { offset: 0, limit: 10, svcnum: np.svcnum, password: 'N0tHis-pw', cycle: last });
    t.equal(wrongNp.result, 2002, `a no-print number with a wrong password learns nothing of its plan: ${wrongNp.message}`);
    t.notMatch(wrongNp.message, /套餐/);
    const rightNp = await h.call('print', 'print-monthly-detail', { offset: 0, limit: 10, svcnum: np.svcnum, password: np.password, cycle: last });
    t.equal(rightNp.result, 2006, rightNp.message);
    t.equal((await h.call('print', 'print-monthly-detail', { offset: 0, limit: 10, svcnum: '13900000000', password: 'x', cycle: last })).result, 2001);
    t.equal((await h.call('print', 'print-monthly-detail', { offset: 0, limit: 10, svcnum: h.fx.gsmCancelled.svcnum, password: h.fx.gsmCancelled.password, cycle: last })).result, 2004);
    t.equal((await h.call('print', 'print-monthly-detail', { offset: 0, limit: 10, svcnum: h.fx.cdma1x.svcnum, password: h.fx.cdma1x.password, cycle: last })).result, 2001, 'a CDMA1X card: PR-03');
    await h.sql('DELETE FROM BSG_AUTH_FAIL WHERE SVCNUM = :s', { s: np.svcnum });
    // A plain-text stored password that cannot be confused with anything else in the logs.
    const f = h.fx.gsmReservedCancel;
    const secret = 'Kiosk#Pw-7731';
    const orig = { p: (await h.facts.subscriber(f.subscrbid))!.svcpwd };
    await h.facts.setSubscriber(f.subscrbid, { svcpwd: secret });
    try {
      const r = await h.call<Paged<CallRecord>>('print', 'print-monthly-detail', { offset: 0, limit: 50, svcnum: f.svcnum, password: secret, cycle: last });
      t.equal(r.result, 0, r.message);
      t.strictSame(r.body?.items, (await expectedCalls(h, f.svcnum, last)).slice(0, 50));
      t.notOk((await h.allLogText()).includes(secret), 'the password is in no log');
      t.ok((await h.logLines('print', 'query')).some((l) => l.includes(f.svcnum)), 'the request itself is logged');
    } finally {
      await h.facts.setSubscriber(f.subscrbid, { svcpwd: orig.p });
    }
  });

  t.test('PR-02 refusals of the layout: bad cycle 1006; served on the print interface only', async (t) => {
    const f = h.fx.first;
    const loose = { request: [u32('offset'), u16('limit'), char('svcnum', 20), char('password', 16), char('cycle', 6)], response: [] };
    const bad = await h.call('print', 'print-monthly-detail', { offset: 0, limit: 10, svcnum: f.svcnum, password: f.password, cycle: '202499' }, { layouts: loose });
    t.equal(bad.result, 1006, bad.message);
    t.equal((await h.call('cs', 'print-monthly-detail', { offset: 0, limit: 10, svcnum: f.svcnum, password: f.password, cycle: last })).result, 1004);
  });
});
