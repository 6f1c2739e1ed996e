// C1-02 CDMA1X real-time fees, over a real socket against the seeded database.
import { char } from '../../protocol/fields.js';
import { cycleOf, handlerSuite } from '../helpers/seeded.js';
import { expectedRealtime, sameRealtime } from './bills-expected.js';

handlerSuite('C1-02 c1x-realtime-fees', async (t, h) => {
  const x = h.fx.cdma1x;
  const cycle = cycleOf(h.now);

  t.test('C1-02: the data card\'s fees this cycle and the real-time balance, as the tables hold them', async (t) => {
    const rows = (await h.facts.subscribers()).filter((r) => r.nettype === 'X' && [1, 2, 3, 4].includes(Number(r.status)));
    t.ok(rows.length >= 3, 'several data cards in the demo');
    t.equal(Number(rows[0].subscrbid), x.subscrbid, 'the fixture first');
    for (const o of rows.slice(0, 4)) {
      const e = await expectedRealtime(h, Number(o.subscrbid), Number(o.acctid), cycle);
      const r = await h.call('cs', 'c1x-realtime-fees', { svcnum: o.svcnum });
      t.equal(r.result, 0, `${o.svcnum}: ${r.message}`);
      t.equal(r.body?.cycle, cycle);
      sameRealtime(t, r.body, e, o.svcnum);
    }
    const e = await expectedRealtime(h, x.subscrbid, x.acctid, cycle);
    t.ok(e.usage.some((u) => u.item === 105), 'data usage (105)');
    t.ok(e.rents.some((u) => u.item === 201), 'monthly rent (201)');
  });

  t.test('C1-02: no fee rows this cycle gives zeros', async (t) => {
    await h.facts.deleteFees({ subscrbid: x.subscrbid });
    const r = await h.call('cs', 'c1x-realtime-fees', { svcnum: x.svcnum });
    t.equal(r.result, 0, r.message);
    t.same([r.body?.usage, r.body?.rents, r.body?.usageTotal, r.body?.rentTotal, r.body?.accountCharges], [[], [], 0n, 0n, 0n]);
    t.equal(r.body?.realtimeBalance, x.balance);
  });

  t.test('C1-02 refusals: a number of another network 2001, unknown 2001, cancelled 2004, bad number 1006', async (t) => {
    for (const f of [h.fx.first, h.fx.cdma, h.fx.voip]) {
      const r = await h.call('cs', 'c1x-realtime-fees', { svcnum: f.svcnum });
      t.equal(r.result, 2001, `${f.nettype}: ${r.message}`);
      t.match(r.message, /CDMA1X/);
    }
    t.equal((await h.call('cs', 'c1x-realtime-fees', { svcnum: '13300000000' })).result, 2001);
    await h.facts.setSubscriber(x.subscrbid, { status: 5 });
    try {
      t.equal((await h.call('cs', 'c1x-realtime-fees', { svcnum: x.svcnum })).result, 2004);
    } finally {
      await h.facts.setSubscriber(x.subscrbid, { status: x.status });
    }
    const loose = { request: [char('svcnum', 20)], response: [] };
    t.equal((await h.call('cs', 'c1x-realtime-fees', { svcnum: '1339750000X' }, { layouts: loose })).result, 1006);
  });

  t.test('C1-02 is served on the customer-service interface only (1004 elsewhere)', async (t) => {
    t.equal((await h.call('card', 'c1x-realtime-fees', { svcnum: x.svcnum })).result, 1004);
  });
});
