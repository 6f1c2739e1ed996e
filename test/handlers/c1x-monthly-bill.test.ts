// C1-01 CDMA1X monthly bill, over a real socket against the seeded database.
import { char } from '../../protocol/fields.js';
import { cycleOf, handlerSuite } from '../helpers/seeded.js';
import { expectedBill } from './bills-expected.js';

handlerSuite('C1-01 c1x-monthly-bill', async (t, h) => {
  const x = h.fx.cdma1x;

  t.test('C1-01: answers the data card\'s TAB_BILLDETAIL items of each billed cycle and their SQL sums', async (t) => {
    for (let back = 1; back <= 6; back++) {
      const cycle = cycleOf(h.now, back);
      const e = await expectedBill(h, x.subscrbid, cycle);
      t.ok(e.items.length > 0, `${cycle}: billed`);
      const r = await h.call('cs', 'c1x-monthly-bill', { svcnum: x.svcnum, cycle });
      t.equal(r.result, 0, `${cycle}: ${r.message}`);
      t.equal(r.body?.svcnum, x.svcnum);
      t.same(r.body?.items, e.items, `${cycle}: items by item code`);
      t.equal(r.body?.total, e.total, `${cycle}: total`);
      t.equal(r.body?.discountTotal, e.discountTotal, `${cycle}: discount total`);
      t.ok((r.body?.items as { item: number }[]).some((i) => i.item === 105), `${cycle}: the data item 105 上网费`);
    }
  });

  t.test('C1-01: another CDMA1X data card of the demo is answered too', async (t) => {
    const rows = (await h.facts.subscribers()).filter((r) => r.nettype === 'X' && Number(r.status) !== 5 && Number(r.subscrbid) !== x.subscrbid);
    t.ok(rows.length > 0, 'the demo has other data cards');
    const other = rows[0];
    const cycle = cycleOf(h.now, 1);
    const e = await expectedBill(h, Number(other.subscrbid), cycle);
    const r = await h.call('cs', 'c1x-monthly-bill', { svcnum: other.svcnum, cycle });
    if (e.items.length === 0) t.equal(r.result, 2012, 'opened after the cycle: no bill');
    else {
      t.equal(r.result, 0, r.message);
      t.equal(r.body?.total, e.total);
    }
  });

  t.test('C1-01 refusals: a number of another network 2001, unknown 2001, current cycle 2012, cycle 202413 1006', async (t) => {
    const cycle = cycleOf(h.now, 1);
    for (const f of [h.fx.first, h.fx.cdma, h.fx.voip]) {
      const r = await h.call('cs', 'c1x-monthly-bill', { svcnum: f.svcnum, cycle });
      t.equal(r.result, 2001, `${f.nettype} ${f.svcnum}: ${r.message}`);
      t.match(r.message, /CDMA1X/);
    }
    t.equal((await h.call('cs', 'c1x-monthly-bill', { svcnum: '13300000000', cycle })).result, 2001);
    t.equal((await h.call('cs', 'c1x-monthly-bill', { svcnum: x.svcnum, cycle: cycleOf(h.now) })).result, 2012);
    const loose = { request: [char('svcnum', 20), char('cycle', 6)], response: [] };
    const bad = await h.call('cs', 'c1x-monthly-bill', { svcnum: x.svcnum, cycle: '202413' }, { layouts: loose });
    t.equal(bad.result, 1006, bad.message);
    t.match(bad.message, /cycle/);
  });

  t.test('C1-01 is served on the customer-service interface only (1004 elsewhere)', async (t) => {
    t.equal((await h.call('card', 'c1x-monthly-bill', { svcnum: x.svcnum, cycle: cycleOf(h.now, 1) })).result, 1004);
  });
});
