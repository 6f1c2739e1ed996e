// CS-11 monthly call detail, over a real socket against the seeded database: voice and SMS of a
// month merged in time order, paged, compared with the ticket tables' rows.
import { char, u16, u32 } from '../../protocol/fields.js';
import { CALL_MAX_PAGE } from '../../handlers/kit/detail.js';
import { ticketTable } from '../../src/store/schema.js';
import { renderTicketDdl } from '../../src/store/ddl.js';
import { cycleOf, handlerSuite } from '../helpers/seeded.js';
import { expectedCalls, readAllPages, type CallRecord, type Paged } from '../helpers/tickets.js';

handlerSuite('CS-11 monthly-detail', async (t, h) => {
  const last = cycleOf(h.now, 1);

  t.test('CS-11: every page of a heavy month, concatenated, is the merged voice + SMS list in time order, no gap, no duplicate', async (t) => {
    const f = h.fx.first;
    const expected = await expectedCalls(h, f.svcnum, last);
    const [voice] = await h.sql<{ n: unknown }>(`SELECT COUNT(*) AS n FROM ${h.facts.ticketTable('GSMCDMA', last)} WHERE SVCNUM = :s`, { s: f.svcnum });
    const [sms] = await h.sql<{ n: unknown }>(`SELECT COUNT(*) AS n FROM ${h.facts.ticketTable('SMS', last)} WHERE SVCNUM = :s`, { s: f.svcnum });
    const total = Number(voice.n) + Number(sms.n);
    t.ok(Number(voice.n) > 1000 && Number(sms.n) > 300, `a heavy month: ${String(voice.n)} voice, ${String(sms.n)} SMS`);
    t.equal(expected.length, total);
    const all = await readAllPages<CallRecord>(h, 'cs', 'monthly-detail', { svcnum: f.svcnum, cycle: last }, CALL_MAX_PAGE);
    t.same(all.totals, all.totals.map(() => total), 'every page reports the total');
    t.same(all.pageSizes.slice(0, -1), all.pageSizes.slice(0, -1).map(() => CALL_MAX_PAGE), 'full pages until the last');
    t.equal(all.items.length, total);
    t.strictSame(all.items, expected, 'the pages are the ticket rows, merged in the documented order');
    t.ok(all.items.some((i) => i.kind === 'V') && all.items.some((i) => i.kind === 'S'), 'both kinds');
    for (let i = 1; i < all.items.length; i++) {
      if (all.items[i - 1].start > all.items[i].start) {
        t.fail(`record ${i} starts before record ${i - 1}`);
        break;
      }
    }
  });

  t.test('CS-11: 200-record pages (the benchmark size) give the same list', async (t) => {
    const f = h.fx.first;
    const expected = await expectedCalls(h, f.svcnum, last);
    const all = await readAllPages<CallRecord>(h, 'cs', 'monthly-detail', { svcnum: f.svcnum, cycle: last }, 200);
    t.equal(all.pageSizes[0], 200);
    t.equal(all.pageSizes.length, Math.ceil(expected.length / 200));
    t.strictSame(all.items, expected);
  });

  t.test('CS-11: a page from the middle, a limit above the page size, an offset at and beyond the total', async (t) => {
    const f = h.fx.first;
    const expected = await expectedCalls(h, f.svcnum, last);
    const mid = await h.call<Paged<CallRecord>>('cs', 'monthly-detail', { offset: 777, limit: 33, svcnum: f.svcnum, cycle: last });
    t.equal(mid.result, 0, mid.message);
    t.strictSame(mid.body?.items, expected.slice(777, 810));
    t.equal(mid.body?.total, expected.length);

    const big = await h.call<Paged<CallRecord>>('cs', 'monthly-detail', { offset: 0, limit: 65535, svcnum: f.svcnum, cycle: last });
    t.equal(big.result, 0, big.message);
    t.equal(big.body?.items.length, CALL_MAX_PAGE, `limit 65535 answered with ${CALL_MAX_PAGE}`);
    t.strictSame(big.body?.items, expected.slice(0, CALL_MAX_PAGE));
    t.equal(big.body?.total, expected.length);

    for (const offset of [expected.length, expected.length + 10, 4_000_000_000]) {
      const r = await h.call<Paged<CallRecord>>('cs', 'monthly-detail', { offset, limit: 50, svcnum: f.svcnum, cycle: last });
      t.equal(r.result, 0, r.message);
      t.same(r.body?.items, [], `offset ${offset}: empty`);
      t.equal(r.body?.total, expected.length, `offset ${offset}: the true total`);
    }
    // The last partial page: its total comes from the page itself.
    const tail = await h.call<Paged<CallRecord>>('cs', 'monthly-detail', { offset: expected.length - 3, limit: 10, svcnum: f.svcnum, cycle: last });
    t.strictSame(tail.body?.items, expected.slice(-3));
    t.equal(tail.body?.total, expected.length);
  });

  t.test('CS-11: light subscribers and a CDMA number: totals and records as the tables hold them', async (t) => {
    for (const f of [h.fx.cdma, h.fx.gsmArrears, h.fx.gsmSuspended, h.fx.noPrintOtherRegion, h.fx.cdmaArrears]) {
      for (const cycle of [cycleOf(h.now), last, cycleOf(h.now, 2)]) {
        const expected = await expectedCalls(h, f.svcnum, cycle);
        const r = await h.call<Paged<CallRecord>>('cs', 'monthly-detail', { offset: 0, limit: 100, svcnum: f.svcnum, cycle });
        t.equal(r.result, 0, `${f.svcnum} ${cycle}: ${r.message}`);
        t.equal(r.body?.total, expected.length, `${f.svcnum} ${cycle}: total`);
        t.strictSame(r.body?.items, expected.slice(0, 100), `${f.svcnum} ${cycle}: records`);
      }
    }
  });

  t.test('CS-11: records starting in the same second are ordered by the tie-breaker; duplicates are kept', async (t) => {
    const f = h.fx.gsmArrears;
    const cycle = cycleOf(h.now, 2);
    const y = Number(cycle.slice(0, 4));
    const m = Number(cycle.slice(4)) - 1;
    const at = new Date(y, m, 15, 12, 0, 0);
    const voice = (type: string, other: string, dur: number, fee: number, visit: string | null) =>
      h.sql(
        `INSERT INTO ${h.facts.ticketTable('GSMCDMA', cycle)} (SVCNUM, CALLTYPE, OTHERNUM, STARTTIME, DURATION, ROAMTYPE, VISITAREA, LONGTYPE, CELLID, BASEFEE, LONGFEE, TOTALFEE)
         VALUES (:s, :ct, :o, :st, :d, '0', :v, '0', NULL, :f, 0, :f)`,
        { s: f.svcnum, ct: type, o: other, st: at, d: dur, v: visit, f: fee },
      );
    const sms = (type: string, other: string) =>
      h.sql(`INSERT INTO ${h.facts.ticketTable('SMS', cycle)} (SVCNUM, SMSTYPE, OTHERNUM, STARTTIME, SPCODE, FEE) VALUES (:s, :ct, :o, :st, NULL, 10)`, { s: f.svcnum, ct: type, o: other, st: at });
    await sms('01', '13900000001');
    await voice('02', '13900000002', 30, 0, '0972');
    await voice('01', '13900000003', 30, 20, '0972');
    await voice('01', '13900000002', 60, 40, '0972');
    await voice('01', '13900000002', 30, 20, '0972');
    await voice('01', '13900000002', 30, 20, null);
    await voice('01', '13900000002', 30, 20, '0972'); // an exact duplicate
    await sms('01', '13900000000');
    try {
      const expected = await expectedCalls(h, f.svcnum, cycle);
      const r = await h.call<Paged<CallRecord>>('cs', 'monthly-detail', { offset: 0, limit: 500, svcnum: f.svcnum, cycle });
      t.equal(r.result, 0, r.message);
      t.strictSame(r.body?.items, expected);
      const same = (r.body?.items ?? []).filter((i) => i.start === '' + y + String(m + 1).padStart(2, '0') + '15120000');
      t.same(
        same.map((i) => [i.kind, i.type, i.othernum, i.duration, i.visitarea]),
        [
          ['S', '01', '13900000000', 0, ''],
          ['S', '01', '13900000001', 0, ''],
          ['V', '01', '13900000002', 30, ''],
          ['V', '01', '13900000002', 30, '0972'],
          ['V', '01', '13900000002', 30, '0972'],
          ['V', '01', '13900000002', 60, '0972'],
          ['V', '01', '13900000003', 30, '0972'],
          ['V', '02', '13900000002', 30, '0972'],
        ],
        'SMS before voice, then type, other number, duration, blank visit area first; the duplicate twice',
      );
      // The same list, one record a page: the order is total, paging neither skips nor repeats.
      const one = await readAllPages<CallRecord>(h, 'cs', 'monthly-detail', { svcnum: f.svcnum, cycle }, 1);
      t.strictSame(one.items, expected);
    } finally {
      await h.sql(`DELETE FROM ${h.facts.ticketTable('GSMCDMA', cycle)} WHERE SVCNUM = :s AND STARTTIME = :st`, { s: f.svcnum, st: at });
      await h.sql(`DELETE FROM ${h.facts.ticketTable('SMS', cycle)} WHERE SVCNUM = :s AND STARTTIME = :st`, { s: f.svcnum, st: at });
    }
  });

  t.test('CS-11: a month without ticket tables is no records (total 0, empty list, result 0)', async (t) => {
    for (const cycle of [cycleOf(h.now, 24), '209912']) {
      t.notOk(await h.store.tableExists(h.facts.ticketTable('GSMCDMA', cycle)), `${cycle}: no table`);
      const r = await h.call<Paged<CallRecord>>('cs', 'monthly-detail', { offset: 0, limit: 200, svcnum: h.fx.first.svcnum, cycle });
      t.equal(r.result, 0, `${cycle}: ${r.message}`);
      t.equal(r.body?.total, 0);
      t.same(r.body?.items, []);
    }
  });

  if (h.schema === 'b') {
    t.test('CS-11 (issue 15): schema B reads its own ticket table names; tables under the default names are not its months', async (t) => {
      for (const kind of ['GSMCDMA', 'SMS'] as const) {
        t.not(h.facts.ticketTable(kind, last), ticketTable(kind, last), `${kind}: another name`);
        t.ok(await h.store.tableExists(h.facts.ticketTable(kind, last)), `${h.facts.ticketTable(kind, last)} holds the demo month`);
        t.notOk(await h.store.tableExists(ticketTable(kind, last)), `no ${ticketTable(kind, last)}`);
      }
      // A month with tables under the default names only, holding a record of the number: no records on B.
      const cycle = cycleOf(h.now, 30);
      const f = h.fx.first;
      for (const s of renderTicketDdl('GSMCDMA', cycle, h.store.dialect)) await h.store.exec(s);
      try {
        await h.sql(
          `INSERT INTO ${ticketTable('GSMCDMA', cycle)} (SVCNUM, CALLTYPE, OTHERNUM, STARTTIME, DURATION, ROAMTYPE, VISITAREA, LONGTYPE, CELLID, BASEFEE, LONGFEE, TOTALFEE)
           VALUES (:s, '01', '13900000001', :st, 60, '0', NULL, '0', NULL, 10, 0, 10)`,
          { s: f.svcnum, st: new Date(Number(cycle.slice(0, 4)), Number(cycle.slice(4)) - 1, 3, 10, 0, 0) },
        );
        const r = await h.call<Paged<CallRecord>>('cs', 'monthly-detail', { offset: 0, limit: 200, svcnum: f.svcnum, cycle });
        t.equal(r.result, 0, r.message);
        t.equal(r.body?.total, 0, `${ticketTable('GSMCDMA', cycle)} is not schema B's table of ${cycle}`);
        t.same(r.body?.items, []);
      } finally {
        await h.store.exec(`DROP TABLE ${ticketTable('GSMCDMA', cycle)}`);
      }
    });
  }

  t.test('CS-11 refusals: unknown 2001, cancelled 2004, wrong network 2001, no-print plan 2006, bad cycle and limit 0 1006', async (t) => {
    const body = (svcnum: string) => ({ offset: 0, limit: 10, svcnum, cycle: last });
    t.equal((await h.call('cs', 'monthly-detail', body('13000000000'))).result, 2001);
    const cancelled = await h.call('cs', 'monthly-detail', body(h.fx.gsmCancelled.svcnum));
    t.equal(cancelled.result, 2004, cancelled.message);
    for (const f of [h.fx.cdma1x, h.fx.voip]) {
      const r = await h.call('cs', 'monthly-detail', body(f.svcnum));
      t.equal(r.result, 2001, `${f.nettype}: ${r.message}`);
      t.match(r.message, /GSM网\/CDMA网/);
    }
    const np = await h.call('cs', 'monthly-detail', body(h.fx.noPrintRegional.svcnum));
    t.equal(np.result, 2006, np.message);
    const loose = { request: [u32('offset'), u16('limit'), char('svcnum', 20), char('cycle', 6)], response: [] };
    for (const cycle of ['202413', '2024AB', '202400']) {
      const r = await h.call('cs', 'monthly-detail', { offset: 0, limit: 10, svcnum: h.fx.first.svcnum, cycle }, { layouts: loose });
      t.equal(r.result, 1006, `${cycle}: ${r.message}`);
      t.match(r.message, /cycle/);
    }
    const zero = await h.call('cs', 'monthly-detail', { offset: 0, limit: 0, svcnum: h.fx.first.svcnum, cycle: last }, { layouts: loose });
    t.equal(zero.result, 1006, zero.message);
    t.match(zero.message, /limit/);
  });

  t.test('CS-11 is served on the customer-service interface only (1004 elsewhere)', async (t) => {
    t.equal((await h.call('print', 'monthly-detail', { offset: 0, limit: 10, svcnum: h.fx.first.svcnum, cycle: last })).result, 1004);
  });
});
