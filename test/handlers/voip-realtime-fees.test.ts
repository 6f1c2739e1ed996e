// VO-04 IP Phone real-time fees by card or phone number, over a real socket against the seeded database.
import { char } from '../../protocol/fields.js';
import { cycleOf, handlerSuite } from '../helpers/seeded.js';
import { expectedRealtime, sameRealtime } from './bills-expected.js';

handlerSuite('VO-04 voip-realtime-fees', async (t, h) => {
  const v = h.fx.voip;
  const cycle = cycleOf(h.now);

  t.test('VO-04: by card (C) and by IP Phone number (P), this cycle\'s fees and real-time balance as the tables hold them', async (t) => {
    t.ok(v.cardnum, 'the VOIP fixture has a card');
    const e = await expectedRealtime(h, v.subscrbid, v.acctid, cycle);
    t.ok(e.usage.length > 0 && e.rents.length > 0, 'the fixture has IP usage and a rent this cycle');
    t.ok(e.usage.every((u) => u.item === 106), 'IP long distance (106)');
    for (const [by, number] of [['C', v.cardnum!], ['N', v.svcnum]] as const) {
      const r = await h.call('cs', 'voip-realtime-fees', { by, number });
      t.equal(r.result, 0, `${by} ${number}: ${r.message}`);
      t.equal(r.body?.svcnum, v.svcnum, 'the IP Phone number');
      t.equal(r.body?.cycle, cycle);
      t.equal(r.body?.acctid, String(v.acctid));
      sameRealtime(t, r.body, e, `${by} ${number}`);
      t.equal(r.body?.realtimeBalance, v.balance - e.usageTotal - e.rentTotal);
    }
  });

  t.test('VO-04: another IP Phone subscriber of the demo, by card', async (t) => {
    const rows = (await h.facts.subscribers()).filter((r) => r.nettype === 'V' && [1, 2, 3].includes(Number(r.status)) && Number(r.subscrbid) !== v.subscrbid);
    t.ok(rows.length > 0);
    const o = rows[0];
    const e = await expectedRealtime(h, Number(o.subscrbid), Number(o.acctid), cycle);
    const r = await h.call('cs', 'voip-realtime-fees', { by: 'C', number: o.cardnum! });
    t.equal(r.result, 0, r.message);
    sameRealtime(t, r.body, e, o.cardnum!);
  });

  t.test('VO-04: no fee rows this cycle gives zeros', async (t) => {
    await h.facts.deleteFees({ subscrbid: v.subscrbid });
    const r = await h.call('cs', 'voip-realtime-fees', { by: 'N', number: v.svcnum });
    t.equal(r.result, 0, r.message);
    t.same([r.body?.usage, r.body?.rents, r.body?.total, r.body?.rated], [[], [], 0n, '']);
    t.equal(r.body?.realtimeBalance, v.balance);
  });

  t.test('VO-04 refusals: a non-IP-Phone number 2001, unknown card 2001, cancelled 2004, bad lookup code 1006', async (t) => {
    const cdma = await h.call('cs', 'voip-realtime-fees', { by: 'N', number: h.fx.cdmaWithVoip.svcnum });
    t.equal(cdma.result, 2001, cdma.message);
    t.match(cdma.message, /IP电话/);
    t.equal((await h.call('cs', 'voip-realtime-fees', { by: 'C', number: '1790999999999999' })).result, 2001);
    await h.facts.setSubscriber(v.subscrbid, { status: 5 });
    try {
      const c = await h.call('cs', 'voip-realtime-fees', { by: 'C', number: v.cardnum! });
      t.equal(c.result, 2004, c.message);
    } finally {
      await h.facts.setSubscriber(v.subscrbid, { status: v.status });
    }
    const loose = { request: [char('by', 1), char('number', 20)], response: [] };
    const bad = await h.call('cs', 'voip-realtime-fees', { by: 'X', number: v.svcnum }, { layouts: loose });
    t.equal(bad.result, 1006, bad.message);
    t.match(bad.message, /by/);
  });

  t.test('VO-04 is served on the customer-service interface only (1004 elsewhere)', async (t) => {
    t.equal((await h.call('sms', 'voip-realtime-fees', { by: 'N', number: v.svcnum })).result, 1004);
  });
});
