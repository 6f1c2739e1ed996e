// The month cache of the detail pages (issue 17), over a real socket against the seeded database:
// CS-11 pages served from the kept list are exactly the pages OFFSET paging reads from the tables
// (ties in the sort key included), and a record inserted between two pages is in the next one.
import { detailCaches } from '../../handlers/kit/detail.js';
import { cycleOf, handlerSuite } from '../helpers/seeded.js';
import { expectedCalls, type CallRecord, type Paged } from '../helpers/tickets.js';

handlerSuite('CS-11 detail month cache', async (t, h) => {
  const last = cycleOf(h.now, 1);
  const f = h.fx.first;
  const page = async (offset: number, limit: number) => {
    const r = await h.call<Paged<CallRecord>>('cs', 'monthly-detail', { offset, limit, svcnum: f.svcnum, cycle: last });
    t.equal(r.result, 0, r.message);
    return r.body!;
  };

  t.test('CS-11: pages at any offset are the table rows in the documented order, read once for the month', async (t) => {
    const expected = await expectedCalls(h, f.svcnum, last);
    const stats0 = { ...(detailCaches(h.store)?.call.stats ?? { loads: 0, hits: 0, bypass: 0 }) };
    for (const offset of [0, 1000, expected.length - 150, 200, expected.length + 5]) {
      const p = await page(offset, 200);
      t.equal(p.total, expected.length);
      t.strictSame(p.items, expected.slice(offset, offset + 200), `offset ${offset}`);
    }
    const stats = detailCaches(h.store)!.call.stats;
    t.equal(stats.loads - stats0.loads, 1, 'the month read once');
    t.equal(stats.hits - stats0.hits, 4, 'the other four pages from the kept list');
  });

  t.test('CS-11: records inserted between two pages (one before the position, one tied with a record of the next page) are in the next page, as OFFSET paging gives', async (t) => {
    const before = await expectedCalls(h, f.svcnum, last);
    const first = await page(0, 200);
    t.strictSame(first.items, before.slice(0, 200));
    const y = Number(last.slice(0, 4));
    const m = Number(last.slice(4)) - 1;
    await h.sql(
      `INSERT INTO ${h.facts.ticketTable('GSMCDMA', last)} (SVCNUM, CALLTYPE, OTHERNUM, STARTTIME, DURATION, ROAMTYPE, VISITAREA, LONGTYPE, CELLID, BASEFEE, LONGFEE, TOTALFEE)
       VALUES (:s, '01', '13900000999', :st, 7, '0', NULL, '0', NULL, 1, 0, 1)`,
      { s: f.svcnum, st: new Date(y, m, 1, 0, 0, 0) },
    );
    // Tied with the 250th record: same start second, the SMS kind sorts first.
    const tie = before[250];
    const st = new Date(Number(tie.start.slice(0, 4)), Number(tie.start.slice(4, 6)) - 1, Number(tie.start.slice(6, 8)), Number(tie.start.slice(8, 10)), Number(tie.start.slice(10, 12)), Number(tie.start.slice(12, 14)));
    await h.sql(`INSERT INTO ${h.facts.ticketTable('SMS', last)} (SVCNUM, SMSTYPE, OTHERNUM, STARTTIME, SPCODE, FEE) VALUES (:s, '01', '13900000998', :st, NULL, 10)`, { s: f.svcnum, st });
    const after = await expectedCalls(h, f.svcnum, last);
    t.equal(after.length, before.length + 2);
    const second = await page(200, 200);
    t.equal(second.total, after.length, 'the new total at once');
    t.strictSame(second.items, after.slice(200, 400), 'the next page is the tables as they are now');
    t.ok(second.items.some((i) => i.othernum === '13900000998'), 'the tied record is in it');
  });
});
