// C1-03 CDMA1X data detail, over a real socket against the seeded database: the CDMA1X ticket rows (TICKET_CDMA1X_<yyyymm>; schema B: its name for it)
// of the month, in time order, paged; CDMA1X data cards only.
import { char, u16, u32 } from '../../protocol/fields.js';
import { DATA_MAX_PAGE } from '../../handlers/kit/detail.js';
import { cycleOf, handlerSuite } from '../helpers/seeded.js';
import { expectedData, readAllPages, type DataRecord, type Paged } from '../helpers/tickets.js';

handlerSuite('C1-03 c1x-data-detail', async (t, h) => {
  const x = h.fx.cdma1x;
  const last = cycleOf(h.now, 1);

  t.test('C1-03: every page of a heavy month is the data sessions in time order, no gap, no duplicate', async (t) => {
    const expected = await expectedData(h, x.svcnum, last);
    const [c] = await h.sql<{ n: unknown }>(`SELECT COUNT(*) AS n FROM ${h.facts.ticketTable('CDMA1X', last)} WHERE SVCNUM = :s`, { s: x.svcnum });
    t.ok(Number(c.n) > 1000, `${String(c.n)} sessions`);
    t.equal(expected.length, Number(c.n));
    for (const limit of [DATA_MAX_PAGE, 200]) {
      const all = await readAllPages<DataRecord>(h, 'cs', 'c1x-data-detail', { svcnum: x.svcnum, cycle: last }, limit);
      t.equal(all.pageSizes[0], limit);
      t.equal(all.pageSizes.length, Math.ceil(expected.length / limit), `pages of ${limit}`);
      t.same(all.totals, all.totals.map(() => expected.length));
      t.strictSame(all.items, expected, `pages of ${limit}: the ticket rows in order`);
    }
    const fees = expected.reduce((s, r) => s + r.fee, 0n);
    const [sum] = await h.sql<{ f: unknown }>(`SELECT SUM(FEE) AS f FROM ${h.facts.ticketTable('CDMA1X', last)} WHERE SVCNUM = :s`, { s: x.svcnum });
    t.equal(fees, BigInt(String(sum.f)), 'fees to the fen');
  });

  t.test('C1-03: each month, a limit above the page size, an offset beyond the total, a month without tables', async (t) => {
    for (const cycle of [cycleOf(h.now), last, cycleOf(h.now, 2)]) {
      const expected = await expectedData(h, x.svcnum, cycle);
      const r = await h.call<Paged<DataRecord>>('cs', 'c1x-data-detail', { offset: 0, limit: 65535, svcnum: x.svcnum, cycle });
      t.equal(r.result, 0, r.message);
      t.equal(r.body?.total, expected.length, `${cycle}: total`);
      t.equal(r.body?.items.length, Math.min(expected.length, DATA_MAX_PAGE), `${cycle}: at most ${DATA_MAX_PAGE}`);
      t.strictSame(r.body?.items, expected.slice(0, DATA_MAX_PAGE));
    }
    const expected = await expectedData(h, x.svcnum, last);
    const past = await h.call<Paged<DataRecord>>('cs', 'c1x-data-detail', { offset: expected.length, limit: 20, svcnum: x.svcnum, cycle: last });
    t.same(past.body?.items, []);
    t.equal(past.body?.total, expected.length);
    const mid = await h.call<Paged<DataRecord>>('cs', 'c1x-data-detail', { offset: 1234, limit: 17, svcnum: x.svcnum, cycle: last });
    t.strictSame(mid.body?.items, expected.slice(1234, 1251));
    const none = await h.call<Paged<DataRecord>>('cs', 'c1x-data-detail', { offset: 0, limit: 20, svcnum: x.svcnum, cycle: cycleOf(h.now, 24) });
    t.equal(none.result, 0, none.message);
    t.equal(none.body?.total, 0);
    t.same(none.body?.items, []);
  });

  t.test('C1-03: a session without a visited area, and volumes beyond 2^31 bytes, travel as stored', async (t) => {
    const cycle = cycleOf(h.now, 2);
    const at = new Date(Number(cycle.slice(0, 4)), Number(cycle.slice(4)) - 1, 28, 23, 59, 59);
    await h.sql(
      `INSERT INTO ${h.facts.ticketTable('CDMA1X', cycle)} (SVCNUM, STARTTIME, DURATION, UPVOLUME, DOWNVOLUME, APN, VISITAREA, FEE) VALUES (:s, :st, 86400, 3000000000, 4294967295, 'ctnet', NULL, 5000)`,
      { s: x.svcnum, st: at },
    );
    const expected = await expectedData(h, x.svcnum, cycle);
    const i = expected.findIndex((r) => r.downvolume === 4294967295);
    t.ok(i >= 0);
    const r = await h.call<Paged<DataRecord>>('cs', 'c1x-data-detail', { offset: i, limit: 1, svcnum: x.svcnum, cycle });
    t.same(r.body?.items, [{ start: `${cycle}28235959`, duration: 86400, upvolume: 3000000000, downvolume: 4294967295, apn: 'ctnet', visitarea: '', fee: 5000n }]);
  });

  t.test('C1-03 refusals: unknown 2001, not a CDMA1X card 2001, cancelled 2004, no-print plan 2006, bad cycle 1006', async (t) => {
    const body = (svcnum: string) => ({ offset: 0, limit: 10, svcnum, cycle: last });
    t.equal((await h.call('cs', 'c1x-data-detail', body('13300000000'))).result, 2001);
    for (const f of [h.fx.cdma, h.fx.first, h.fx.voip]) {
      const r = await h.call('cs', 'c1x-data-detail', body(f.svcnum));
      t.equal(r.result, 2001, `${f.nettype}: ${r.message}`);
      t.match(r.message, /CDMA1X/);
    }
    await h.facts.setSubscriber(x.subscrbid, { status: 5 });
    try {
      t.equal((await h.call('cs', 'c1x-data-detail', body(x.svcnum))).result, 2004);
    } finally {
      await h.facts.setSubscriber(x.subscrbid, { status: x.status });
    }
    await h.facts.addNoPrint(x.prcpln, 'Z', null, h.now);
    try {
      t.equal((await h.call('cs', 'c1x-data-detail', body(x.svcnum))).result, 2006);
    } finally {
      await h.facts.removeNoPrint(x.prcpln);
    }
    t.equal((await h.call('cs', 'c1x-data-detail', body(x.svcnum))).result, 0, 'answered again');
    const loose = { request: [u32('offset'), u16('limit'), char('svcnum', 20), char('cycle', 6)], response: [] };
    const bad = await h.call('cs', 'c1x-data-detail', { offset: 0, limit: 10, svcnum: x.svcnum, cycle: '20241' }, { layouts: loose });
    t.equal(bad.result, 1006, bad.message);
  });

  t.test('C1-03 is served on the customer-service interface only', async (t) => {
    t.equal((await h.call('print', 'c1x-data-detail', { offset: 0, limit: 10, svcnum: x.svcnum, cycle: last })).result, 1004);
  });
});
