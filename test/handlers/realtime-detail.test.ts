// CS-13 real-time detail: the current cycle's voice and SMS records so far, as CS-11, over a real
// socket against the seeded database.
import { CALL_MAX_PAGE } from '../../handlers/kit/detail.js';
import { cycleOf, handlerSuite } from '../helpers/seeded.js';
import { expectedCalls, readAllPages, type CallRecord, type Paged } from '../helpers/tickets.js';

handlerSuite('CS-13 realtime-detail', async (t, h) => {
  // The gateway's clock decides the cycle; the demo was generated a moment ago.
  const current = cycleOf(new Date());

  t.test('CS-13: the current month\'s records so far, every page, as the ticket tables hold them', async (t) => {
    const f = h.fx.first;
    // Early in a month the demo has few records: add enough of this month's own, in both tables,
    // that the list takes several pages.
    const start = new Date(Number(current.slice(0, 4)), Number(current.slice(4)) - 1, 1, 0, 0, 0);
    for (let k = 0; k < 700; k++) {
      const at = new Date(start.getTime() + (k % 350) * 7_000);
      if (k % 3 === 2) {
        await h.sql(`INSERT INTO ${h.facts.ticketTable('SMS', current)} (SVCNUM, SMSTYPE, OTHERNUM, STARTTIME, SPCODE, FEE) VALUES (:s, '02', :o, :st, NULL, 0)`, { s: f.svcnum, o: `1380000${String(k).padStart(4, '0')}`, st: at });
      } else {
        await h.sql(
          `INSERT INTO ${h.facts.ticketTable('GSMCDMA', current)} (SVCNUM, CALLTYPE, OTHERNUM, STARTTIME, DURATION, ROAMTYPE, VISITAREA, LONGTYPE, CELLID, BASEFEE, LONGFEE, TOTALFEE)
           VALUES (:s, '01', :o, :st, :d, '1', '0979', '2', NULL, 60, 70, 130)`,
          { s: f.svcnum, o: `1390000${String(k).padStart(4, '0')}`, st: at, d: 30 + (k % 7) },
        );
      }
    }
    const expected = await expectedCalls(h, f.svcnum, current);
    t.ok(expected.length >= 700, `${expected.length} records this month`);
    const all = await readAllPages<CallRecord>(h, 'cs', 'realtime-detail', { svcnum: f.svcnum }, CALL_MAX_PAGE);
    t.ok(all.pageSizes.length >= 2, `${all.pageSizes.length} pages`);
    t.equal(all.pageSizes[0], CALL_MAX_PAGE);
    t.same(all.totals, all.totals.map(() => expected.length));
    t.strictSame(all.items, expected, 'merged in time order, no gap, no duplicate');
    const small = await readAllPages<CallRecord>(h, 'cs', 'realtime-detail', { svcnum: f.svcnum }, 97);
    t.strictSame(small.items, expected, 'the same list in pages of 97');
    // The same as CS-11 asked for the current cycle.
    const cs11 = await h.call<Paged<CallRecord>>('cs', 'monthly-detail', { offset: 100, limit: 200, svcnum: f.svcnum, cycle: current });
    const cs13 = await h.call<Paged<CallRecord>>('cs', 'realtime-detail', { offset: 100, limit: 200, svcnum: f.svcnum });
    t.strictSame(cs13.body, cs11.body, 'CS-13 = CS-11 for the current cycle');
    const lastMonth = await expectedCalls(h, f.svcnum, cycleOf(new Date(), 1));
    t.not(lastMonth.length, expected.length, 'last month differs (so the cycle matters)');
  });

  t.test('CS-13: a limit above the page size is answered with the page size; an offset beyond the total with an empty list', async (t) => {
    const f = h.fx.first;
    const expected = await expectedCalls(h, f.svcnum, current);
    const big = await h.call<Paged<CallRecord>>('cs', 'realtime-detail', { offset: 0, limit: 60000, svcnum: f.svcnum });
    t.equal(big.result, 0, big.message);
    t.equal(big.body?.items.length, Math.min(CALL_MAX_PAGE, expected.length));
    t.strictSame(big.body?.items, expected.slice(0, CALL_MAX_PAGE));
    const past = await h.call<Paged<CallRecord>>('cs', 'realtime-detail', { offset: expected.length + 1, limit: 10, svcnum: f.svcnum });
    t.same(past.body?.items, []);
    t.equal(past.body?.total, expected.length);
  });

  t.test('CS-13: subscribers with few records this month, CDMA included', async (t) => {
    for (const f of [h.fx.cdma, h.fx.gsmArrears, h.fx.gsmReservedCancel, h.fx.noPrintOtherRegion, h.fx.cdmaBlacklisted]) {
      const expected = await expectedCalls(h, f.svcnum, current);
      const r = await h.call<Paged<CallRecord>>('cs', 'realtime-detail', { offset: 0, limit: 200, svcnum: f.svcnum });
      t.equal(r.result, 0, `${f.svcnum}: ${r.message}`);
      t.equal(r.body?.total, expected.length, `${f.svcnum}: total`);
      t.strictSame(r.body?.items, expected.slice(0, 200), `${f.svcnum}: records`);
    }
  });

  t.test('CS-13 refusals: unknown 2001, cancelled 2004, CDMA1X number 2001, no-print plans 2006', async (t) => {
    const body = (svcnum: string) => ({ offset: 0, limit: 10, svcnum });
    t.equal((await h.call('cs', 'realtime-detail', body('13900000000'))).result, 2001);
    t.equal((await h.call('cs', 'realtime-detail', body(h.fx.gsmCancelled.svcnum))).result, 2004);
    const x = await h.call('cs', 'realtime-detail', body(h.fx.cdma1x.svcnum));
    t.equal(x.result, 2001, x.message);
    t.match(x.message, /不是/);
    for (const f of [h.fx.noPrintRegional, h.fx.noPrintProvince, h.fx.cdmaWithVoip]) {
      const r = await h.call('cs', 'realtime-detail', body(f.svcnum));
      t.equal(r.result, 2006, `${f.prcpln} ${f.region}: ${r.message}`);
    }
  });

  t.test('CS-13 is served on the customer-service interface only', async (t) => {
    t.equal((await h.call('sms', 'realtime-detail', { offset: 0, limit: 10, svcnum: h.fx.first.svcnum })).result, 1004);
  });
});
