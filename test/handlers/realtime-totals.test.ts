// CS-12 real-time totals, over a real socket against the seeded database.
import { char } from '../../protocol/fields.js';
import { cycleOf, handlerSuite } from '../helpers/seeded.js';
import { expectedRealtime, sameRealtime } from './bills-expected.js';

handlerSuite('CS-12 realtime-totals', async (t, h) => {
  const cycle = cycleOf(h.now);

  t.test('CS-12: this cycle\'s usage and rents of the number, their SQL sums and the real-time balance, to the fen', async (t) => {
    let withRent = 0;
    let withUsage = 0;
    for (const f of [h.fx.first, h.fx.gsmArrears, h.fx.gsmSuspended, h.fx.cdma, h.fx.cdmaArrears, h.fx.cdmaWithVoip, h.fx.noPrintProvince, h.fx.voip, h.fx.cdma1x]) {
      const e = await expectedRealtime(h, f.subscrbid, f.acctid, cycle);
      const r = await h.call('cs', 'realtime-totals', { svcnum: f.svcnum });
      t.equal(r.result, 0, `${f.svcnum}: ${r.message}`);
      t.equal(r.body?.svcnum, f.svcnum);
      t.equal(r.body?.cycle, cycle, 'the current cycle');
      t.equal(r.body?.acctid, String(f.acctid));
      sameRealtime(t, r.body, e, f.svcnum);
      t.equal(r.body?.realtimeBalance, f.balance - e.usageTotal - e.rentTotal, `${f.svcnum}: alone on its account, balance − usage − rents`);
      if (e.rents.length) withRent++;
      if (e.usage.length) withUsage++;
    }
    t.ok(withRent >= 3 && withUsage >= 3, 'the fixtures have usage and rent rows to compare');
  });

  t.test('CS-12: a number with no fee rows this cycle answers empty lists and zeros, not an error', async (t) => {
    const f = h.fx.gsmReservedCancel;
    await h.facts.deleteFees({ acctid: f.acctid });
    const r = await h.call('cs', 'realtime-totals', { svcnum: f.svcnum });
    t.equal(r.result, 0, r.message);
    t.same(r.body?.usage, []);
    t.same(r.body?.rents, []);
    t.same([r.body?.usageTotal, r.body?.rentTotal, r.body?.total, r.body?.accountCharges], [0n, 0n, 0n, 0n]);
    t.equal(r.body?.rated, '', 'never rated: spaces on the wire');
    t.equal(r.body?.realtimeBalance, f.balance, 'the settled balance');
  });

  t.test('CS-12: rows of an earlier cycle are not this cycle\'s fees', async (t) => {
    const f = h.fx.gsmSuspended;
    const before = await h.call('cs', 'realtime-totals', { svcnum: f.svcnum });
    await h.facts.insertUsage({ subscrbid: f.subscrbid, acctid: f.acctid, svcnum: f.svcnum, cycle: cycleOf(h.now, 1), item: 103, amount: 4321n, updated: new Date(h.now.getTime() - 40 * 86_400_000) });
    const r = await h.call('cs', 'realtime-totals', { svcnum: f.svcnum });
    t.same(r.body, before.body, 'unchanged');
  });

  t.test('CS-12: the lists are the number\'s; the real-time balance is the whole account\'s', async (t) => {
    // Another number (another SUBSCRBID) paid by the same account, with usage and rent this cycle.
    const f = h.fx.cdma;
    const before = await h.call('cs', 'realtime-totals', { svcnum: f.svcnum });
    const when = new Date(h.now.getTime() - 60_000);
    const other = { subscrbid: 999000002, acctid: f.acctid, svcnum: '13397999999', cycle, updated: when };
    await h.facts.insertUsage({ ...other, item: 101, amount: 700n });
    await h.facts.insertRent({ ...other, item: 201, amount: 3000n });
    const e = await expectedRealtime(h, f.subscrbid, f.acctid, cycle);
    const r = await h.call('cs', 'realtime-totals', { svcnum: f.svcnum });
    t.equal(r.result, 0, r.message);
    sameRealtime(t, r.body, e, f.svcnum);
    t.same(r.body?.usage, before.body?.usage, 'the other number\'s usage is not listed');
    t.equal(r.body?.total, before.body?.total, 'nor in the number\'s total');
    t.equal(r.body?.accountCharges, (before.body?.accountCharges as bigint) + 3700n, 'the account\'s charges include it');
    t.equal(r.body?.realtimeBalance, (before.body?.realtimeBalance as bigint) - 3700n, 'and the real-time balance falls by it');
  });

  t.test('CS-12: a balance beyond 2^53 fen less the charges travels exactly; a negative real-time balance too', async (t) => {
    const f = h.fx.cdmaArrears;
    const e0 = await expectedRealtime(h, f.subscrbid, f.acctid, cycle);
    await h.facts.setBalance(f.acctid, 9007199254740993n);
    let r = await h.call('cs', 'realtime-totals', { svcnum: f.svcnum });
    t.equal(r.body?.balance, 9007199254740993n);
    t.equal(r.body?.realtimeBalance, 9007199254740993n - e0.accountCharges);
    t.equal(r.body?.realtimeBalance, (await expectedRealtime(h, f.subscrbid, f.acctid, cycle)).realtimeBalance, 'as SQL computes it');
    await h.facts.setBalance(f.acctid, -880n);
    r = await h.call('cs', 'realtime-totals', { svcnum: f.svcnum });
    t.equal(r.body?.realtimeBalance, -880n - e0.accountCharges);
  });

  t.test('CS-12 refusals: unknown number 2001, cancelled number 2004, no balance row 2011, bad number 1006', async (t) => {
    t.equal((await h.call('cs', 'realtime-totals', { svcnum: '13000000000' })).result, 2001);
    const cancelled = await h.call('cs', 'realtime-totals', { svcnum: h.fx.gsmCancelled.svcnum });
    t.equal(cancelled.result, 2004, cancelled.message);
    t.match(cancelled.message, /已销户/);
    await h.facts.deleteBalance(h.fx.noPrintOtherRegion.acctid);
    t.equal((await h.call('cs', 'realtime-totals', { svcnum: h.fx.noPrintOtherRegion.svcnum })).result, 2011);
    const loose = { request: [char('svcnum', 20)], response: [] };
    const bad = await h.call('cs', 'realtime-totals', { svcnum: '1390000000A' }, { layouts: loose });
    t.equal(bad.result, 1006, bad.message);
    t.match(bad.message, /svcnum/);
  });

  t.test('CS-12 is served on the customer-service interface only (1004 elsewhere)', async (t) => {
    t.equal((await h.call('sms', 'realtime-totals', { svcnum: h.fx.first.svcnum })).result, 1004);
  });
});
