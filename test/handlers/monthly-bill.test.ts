// CS-10 monthly bill, over a real socket against the seeded database.
import { char } from '../../protocol/fields.js';
import { FEE_ITEMS } from '../../src/domain/codes.js';
import { cycleOf, handlerSuite } from '../helpers/seeded.js';
import { expectedBill } from './bills-expected.js';

const FEE_CODES = new Set<number>(Object.values(FEE_ITEMS).map((f) => f.code));

handlerSuite('CS-10 monthly-bill', async (t, h) => {
  t.test('CS-10: answers the TAB_BILLDETAIL items of the cycle by item code, and their SQL sums to the fen', async (t) => {
    let checked = 0;
    for (const f of [h.fx.first, h.fx.gsmArrears, h.fx.cdma, h.fx.cdmaArrears, h.fx.noPrintRegional]) {
      for (const back of [1, 3, 6]) {
        const cycle = cycleOf(h.now, back);
        const e = await expectedBill(h, f.subscrbid, cycle);
        t.ok(e.items.length > 0, `${f.svcnum} ${cycle}: the demo billed it`);
        const r = await h.call('cs', 'monthly-bill', { svcnum: f.svcnum, cycle });
        t.equal(r.result, 0, `${f.svcnum} ${cycle}: ${r.message}`);
        t.equal(r.body?.svcnum, f.svcnum);
        t.equal(r.body?.cycle, cycle);
        t.same(r.body?.items, e.items, `${f.svcnum} ${cycle}: items in item-code order`);
        t.equal(r.body?.total, e.total, `${f.svcnum} ${cycle}: total`);
        t.equal(r.body?.discountTotal, e.discountTotal, `${f.svcnum} ${cycle}: discount total`);
        const items = (r.body?.items ?? []) as { item: number }[];
        t.ok(items.every((i) => FEE_CODES.has(i.item)), 'every item code is a FEE_ITEMS code');
        checked++;
      }
    }
    t.equal(checked, 15);
  });

  t.test('CS-10: a discount item (negative amount) and an amount beyond 2^53 fen are summed exactly', async (t) => {
    const f = h.fx.gsmArrears;
    const cycle = cycleOf(h.now, 2);
    await h.facts.deleteBillItems(f.subscrbid, cycle, [301, 103]);
    const line = { subscrbid: f.subscrbid, acctid: f.acctid, svcnum: f.svcnum, region: f.region, cycle };
    await h.facts.insertBillItem({ ...line, item: 301, itemName: '优惠', amount: -1234n, discount: -1234n });
    await h.facts.insertBillItem({ ...line, item: 103, itemName: '漫游通话费', amount: 9007199254740993n, discount: 0n });
    const e = await expectedBill(h, f.subscrbid, cycle);
    const r = await h.call('cs', 'monthly-bill', { svcnum: f.svcnum, cycle });
    t.equal(r.result, 0, r.message);
    t.same(r.body?.items, e.items);
    t.equal(r.body?.total, e.total, 'total by SQL SUM');
    t.ok((r.body?.total as bigint) > 9007199254740993n - 2000n, 'the large amount is in the total');
    t.equal(r.body?.discountTotal, e.discountTotal);
    const last = (r.body?.items as { item: number; amount: bigint; discount: bigint }[]).at(-1);
    t.same([last?.item, last?.amount, last?.discount], [301, -1234n, -1234n], 'the discount item comes last (item-code order)');
  });

  t.test('CS-10: no bill for the cycle is 2012 — the current cycle, a future one, one before the data, a subscriber billed nothing', async (t) => {
    for (const cycle of [cycleOf(h.now), cycleOf(h.now, -1), '200001']) {
      const r = await h.call('cs', 'monthly-bill', { svcnum: h.fx.first.svcnum, cycle });
      t.equal(r.result, 2012, `${cycle}: ${r.message}`);
    }
    const cur = await h.call('cs', 'monthly-bill', { svcnum: h.fx.first.svcnum, cycle: cycleOf(h.now) });
    t.match(cur.message, /尚未出帐/, 'the current cycle is not billed yet');
    const old = await h.call('cs', 'monthly-bill', { svcnum: h.fx.first.svcnum, cycle: '200001' });
    t.match(old.message, /无帐单/);
  });

  t.test('CS-10: a cancelled number\'s bill is still answered (2012 when it has none)', async (t) => {
    const f = h.fx.gsmCancelled;
    const cycle = cycleOf(h.now, 8);
    t.equal((await h.call('cs', 'monthly-bill', { svcnum: f.svcnum, cycle })).result, 2012, 'the demo has no bill for it');
    await h.facts.insertBillItem({ subscrbid: f.subscrbid, acctid: f.acctid, svcnum: f.svcnum, region: f.region, cycle, item: 201, itemName: '月租费', amount: 1800n, discount: 0n });
    const r = await h.call('cs', 'monthly-bill', { svcnum: f.svcnum, cycle });
    t.equal(r.result, 0, r.message);
    t.same(r.body?.items, [{ item: 201, itemName: '月租费', amount: 1800n, discount: 0n }]);
    t.equal(r.body?.total, 1800n);
  });

  t.test('CS-10: the bill is the subscriber\'s (SUBSCRBID), not every row under the number', async (t) => {
    // A former holder of the same number (another SUBSCRBID) billed for the same cycle.
    const f = h.fx.cdma;
    const cycle = cycleOf(h.now, 4);
    const before = await expectedBill(h, f.subscrbid, cycle);
    await h.facts.insertBillItem({ subscrbid: 999000001, acctid: 999000001, svcnum: f.svcnum, region: f.region, cycle, item: 201, itemName: '月租费', amount: 777n, discount: 0n });
    const r = await h.call('cs', 'monthly-bill', { svcnum: f.svcnum, cycle });
    t.equal(r.result, 0, r.message);
    t.equal(r.body?.total, before.total, 'the other subscriber\'s row is not counted');
    t.same(r.body?.items, before.items);
  });

  t.test('CS-10 refusals: unknown number 2001, cycle 202413 1006, bad number 1006', async (t) => {
    t.equal((await h.call('cs', 'monthly-bill', { svcnum: '13000000000', cycle: cycleOf(h.now, 1) })).result, 2001);
    // The client refuses a cycle that is not a real YYYYMM itself; with a looser layout the gateway answers 1006.
    const loose = { request: [char('svcnum', 20), char('cycle', 6)], response: [] };
    for (const cycle of ['202413', '202400', '2024AB']) {
      const bad = await h.call('cs', 'monthly-bill', { svcnum: h.fx.first.svcnum, cycle }, { layouts: loose });
      t.equal(bad.result, 1006, `${cycle}: ${bad.message}`);
      t.match(bad.message, /cycle/);
    }
    const badNum = await h.call('cs', 'monthly-bill', { svcnum: '1390000000A', cycle: cycleOf(h.now, 1) }, { layouts: loose });
    t.equal(badNum.result, 1006);
    t.match(badNum.message, /svcnum/);
  });

  t.test('CS-10 is served on the customer-service interface only (1004 elsewhere)', async (t) => {
    t.equal((await h.call('sms', 'monthly-bill', { svcnum: h.fx.first.svcnum, cycle: cycleOf(h.now, 1) })).result, 1004);
  });
});
