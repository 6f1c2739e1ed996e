// VO-03 IP Phone monthly bill by card or phone number, over a real socket against the seeded database.
import { char } from '../../protocol/fields.js';
import { cycleOf, handlerSuite } from '../helpers/seeded.js';
import { expectedBill } from './bills-expected.js';

handlerSuite('VO-03 voip-monthly-bill', async (t, h) => {
  const v = h.fx.voip;

  t.test('VO-03: by card (C) and by IP Phone number (P) answer the same bill, as TAB_BILLDETAIL holds it', async (t) => {
    t.ok(v.cardnum, 'the VOIP fixture has a card');
    for (const back of [1, 2, 5]) {
      const cycle = cycleOf(h.now, back);
      const e = await expectedBill(h, v.subscrbid, cycle);
      t.ok(e.items.length > 0, `${cycle}: billed`);
      for (const [by, number] of [['C', v.cardnum!], ['N', v.svcnum]] as const) {
        const r = await h.call('cs', 'voip-monthly-bill', { by, number, cycle });
        t.equal(r.result, 0, `${by} ${number} ${cycle}: ${r.message}`);
        t.equal(r.body?.svcnum, v.svcnum, 'the IP Phone number billed');
        t.equal(r.body?.cycle, cycle);
        t.same(r.body?.items, e.items, `${by} ${cycle}: items by item code`);
        t.equal(r.body?.total, e.total, `${by} ${cycle}: total by SQL SUM`);
        t.equal(r.body?.discountTotal, e.discountTotal);
      }
    }
  });

  t.test('VO-03: the IP Phone bill carries the IP long-distance item (106)', async (t) => {
    const r = await h.call('cs', 'voip-monthly-bill', { by: 'N', number: v.svcnum, cycle: cycleOf(h.now, 1) });
    t.ok((r.body?.items as { item: number }[]).some((i) => i.item === 106), 'item 106 IP长途费');
  });

  t.test('VO-03 refusals: a non-IP-Phone number 2001, unknown card 2001, no bill 2012, bad lookup code or cycle 1006', async (t) => {
    const cycle = cycleOf(h.now, 1);
    const gsm = await h.call('cs', 'voip-monthly-bill', { by: 'N', number: h.fx.first.svcnum, cycle });
    t.equal(gsm.result, 2001, gsm.message);
    t.match(gsm.message, /IP电话/);
    t.equal((await h.call('cs', 'voip-monthly-bill', { by: 'C', number: '1790999999999999', cycle })).result, 2001, 'unknown card');
    // The IP Phone number is not a card number.
    t.equal((await h.call('cs', 'voip-monthly-bill', { by: 'C', number: v.svcnum, cycle })).result, 2001, 'a number sent as a card');
    t.equal((await h.call('cs', 'voip-monthly-bill', { by: 'C', number: v.cardnum!, cycle: cycleOf(h.now) })).result, 2012, 'current cycle');
    const loose = { request: [char('by', 1), char('number', 20), char('cycle', 6)], response: [] };
    const badBy = await h.call('cs', 'voip-monthly-bill', { by: 'X', number: v.svcnum, cycle }, { layouts: loose });
    t.equal(badBy.result, 1006, badBy.message);
    t.match(badBy.message, /by/);
    const badCycle = await h.call('cs', 'voip-monthly-bill', { by: 'N', number: v.svcnum, cycle: '202413' }, { layouts: loose });
    t.equal(badCycle.result, 1006, badCycle.message);
    t.match(badCycle.message, /cycle/);
  });

  t.test('VO-03: a cancelled IP Phone subscriber\'s bill is answered by card', async (t) => {
    const cycle = cycleOf(h.now, 1);
    const e = await expectedBill(h, v.subscrbid, cycle);
    await h.facts.setSubscriber(v.subscrbid, { status: 5 });
    try {
      const r = await h.call('cs', 'voip-monthly-bill', { by: 'C', number: v.cardnum!, cycle });
      t.equal(r.result, 0, r.message);
      t.equal(r.body?.total, e.total);
    } finally {
      await h.facts.setSubscriber(v.subscrbid, { status: v.status });
    }
  });

  t.test('VO-03 is served on the customer-service interface only (1004 elsewhere)', async (t) => {
    t.equal((await h.call('print', 'voip-monthly-bill', { by: 'N', number: v.svcnum, cycle: cycleOf(h.now, 1) })).result, 1004);
  });
});
