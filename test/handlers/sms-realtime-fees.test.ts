// SM-02 real-time fee query of the SMS bill-query platform, over a real socket against the seeded database.
import { char } from '../../protocol/fields.js';
import { cycleOf, handlerSuite } from '../helpers/seeded.js';
import { expectedRealtime, sameRealtime } from './bills-expected.js';

handlerSuite('SM-02 sms-realtime-fees', async (t, h) => {
  const cycle = cycleOf(h.now);

  t.test('SM-02: on the SMS interface, this cycle\'s fees and real-time balance as the tables hold them', async (t) => {
    for (const f of [h.fx.first, h.fx.gsmArrears, h.fx.cdma, h.fx.cdmaBlacklisted, h.fx.noPrintRegional]) {
      const e = await expectedRealtime(h, f.subscrbid, f.acctid, cycle);
      const r = await h.call('sms', 'sms-realtime-fees', { svcnum: f.svcnum });
      t.equal(r.result, 0, `${f.svcnum}: ${r.message}`);
      t.equal(r.body?.svcnum, f.svcnum);
      t.equal(r.body?.cycle, cycle);
      sameRealtime(t, r.body, e, f.svcnum);
      t.equal(r.body?.realtimeBalance, f.balance - e.usageTotal - e.rentTotal);
    }
  });

  t.test('SM-02: the same answer as CS-12 for the same number', async (t) => {
    for (const f of [h.fx.first, h.fx.cdma1x]) {
      const sms = await h.call('sms', 'sms-realtime-fees', { svcnum: f.svcnum });
      const cs = await h.call('cs', 'realtime-totals', { svcnum: f.svcnum });
      t.equal(sms.result, 0, sms.message);
      t.same(sms.body, cs.body, f.svcnum);
    }
  });

  t.test('SM-02: no fee rows this cycle gives zeros', async (t) => {
    const f = h.fx.noPrintRegional;
    await h.facts.deleteFees({ subscrbid: f.subscrbid });
    const r = await h.call('sms', 'sms-realtime-fees', { svcnum: f.svcnum });
    t.equal(r.result, 0, r.message);
    t.same([r.body?.usage, r.body?.rents, r.body?.total, r.body?.rated], [[], [], 0n, '']);
    t.equal(r.body?.realtimeBalance, f.balance);
  });

  t.test('SM-02 refusals: unknown number 2001, cancelled number 2004, no balance row 2011, bad number 1006', async (t) => {
    t.equal((await h.call('sms', 'sms-realtime-fees', { svcnum: '13000000000' })).result, 2001);
    const c = await h.call('sms', 'sms-realtime-fees', { svcnum: h.fx.gsmCancelled.svcnum });
    t.equal(c.result, 2004, c.message);
    await h.facts.deleteBalance(h.fx.gsmSuspended.acctid);
    t.equal((await h.call('sms', 'sms-realtime-fees', { svcnum: h.fx.gsmSuspended.svcnum })).result, 2011);
    const loose = { request: [char('svcnum', 20)], response: [] };
    t.equal((await h.call('sms', 'sms-realtime-fees', { svcnum: '139 0000000' }, { layouts: loose })).result, 1006);
  });

  t.test('SM-02 is served on the SMS interface only (1004 elsewhere)', async (t) => {
    t.equal((await h.call('cs', 'sms-realtime-fees', { svcnum: h.fx.first.svcnum })).result, 1004);
  });
});
