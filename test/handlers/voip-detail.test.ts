// VO-08 IP Phone call detail by card or by bound number, over a real socket against the seeded
// database: the IP Phone ticket rows of the month (TICKET_163_<yyyymm>; schema B: its name for it), in time order, paged.
import { char, u16, u32 } from '../../protocol/fields.js';
import { VOIP_MAX_PAGE } from '../../handlers/kit/detail.js';
import { cycleOf, handlerSuite } from '../helpers/seeded.js';
import { expectedVoip, readAllPages, type Paged, type VoipRecord } from '../helpers/tickets.js';

handlerSuite('VO-08 voip-detail', async (t, h) => {
  const v = h.fx.voip;
  const card = v.cardnum!;
  const bound = h.fx.cdmaWithVoip; // a CDMA number bound to v's card; plan C009 (no-print, province-wide)
  const cur = cycleOf(h.now);
  const last = cycleOf(h.now, 1);
  const older = cycleOf(h.now, 2);
  const dayOf = (cycle: string, day: number, sec: number) => new Date(Number(cycle.slice(0, 4)), Number(cycle.slice(4)) - 1, day, 10, 0, sec);
  const ticket = (cycle: string, cardnum: string, svcnum: string, other: string, at: Date, dur: number, lt: string, fee: number) =>
    h.sql(`INSERT INTO ${h.facts.ticketTable('163', cycle)} (CARDNUM, SVCNUM, OTHERNUM, STARTTIME, DURATION, LONGTYPE, FEE) VALUES (:c, :s, :o, :st, :d, :lt, :f)`, {
      c: cardnum,
      s: svcnum,
      o: other,
      st: at,
      d: dur,
      lt: lt,
      f: fee,
    });

  // Last month, besides the demo's own calls: calls charged to the card from the bound CDMA number,
  // from the card's own number, calls from v's number with another card, and a stranger's calls.
  for (let k = 0; k < 40; k++) await ticket(last, card, k % 2 ? bound.svcnum : v.svcnum, `0106551${String(k).padStart(4, '0')}`, dayOf(last, 1 + (k % 20), k), 60 + k, '2', 30 + k);
  for (let k = 0; k < 5; k++) await ticket(last, '1790999999999999', v.svcnum, `0216551${k}`, dayOf(last, 3, 30 + k), 90, '1', 20);
  await ticket(last, '1790999999999998', '13912345678', '02100000000', dayOf(last, 3, 30), 90, '1', 20);
  // Same second, different fields: the tie-breaker (svcnum, othernum, duration, fee…).
  for (const [s, o, d] of [[v.svcnum, '0100000002', 50], [bound.svcnum, '0100000001', 50], [v.svcnum, '0100000001', 70], [v.svcnum, '0100000001', 50]] as const) {
    await ticket(last, card, s, o, dayOf(last, 25, 0), d, '2', 30);
  }

  t.test('VO-08 by card (C): every call charged to the card, from any bound number, every page', async (t) => {
    for (const cycle of [cur, last, older]) {
      const expected = await expectedVoip(h, 'CARDNUM', card, cycle);
      const all = await readAllPages<VoipRecord>(h, 'cs', 'voip-detail', { by: 'C', number: card, cycle }, 7);
      t.strictSame(all.items, expected, `${cycle}: the card's calls in order`);
      t.same(all.totals, all.totals.map(() => expected.length), `${cycle}: total ${expected.length}`);
    }
    const r = await h.call<Paged<VoipRecord>>('cs', 'voip-detail', { offset: 0, limit: 500, by: 'C', number: card, cycle: last });
    const items = r.body?.items ?? [];
    t.ok(items.length >= 44, `${items.length} calls last month`);
    t.ok(items.some((i) => i.svcnum === bound.svcnum) && items.some((i) => i.svcnum === v.svcnum), 'calls from both bound numbers');
    t.notOk(items.some((i) => i.cardnum !== card), 'only this card');
    const tied = items.filter((i) => i.start === `${last}25100000`);
    t.same(
      tied.map((i) => [i.svcnum, i.othernum, i.duration]),
      [
        [v.svcnum, '0100000001', 50],
        [v.svcnum, '0100000001', 70],
        [v.svcnum, '0100000002', 50],
        [bound.svcnum, '0100000001', 50],
      ].sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : String(a[0]) > String(b[0]) ? 1 : 0)),
      'same second: by calling number, other number, duration',
    );
  });

  t.test('VO-08 by bound number (N): the calls made from that number, with any card', async (t) => {
    for (const cycle of [cur, last, older]) {
      const expected = await expectedVoip(h, 'SVCNUM', v.svcnum, cycle);
      const r = await h.call<Paged<VoipRecord>>('cs', 'voip-detail', { offset: 0, limit: 500, by: 'N', number: v.svcnum, cycle });
      t.equal(r.result, 0, r.message);
      t.equal(r.body?.total, expected.length, `${cycle}: total`);
      t.strictSame(r.body?.items, expected, `${cycle}: records`);
    }
    const r = await h.call<Paged<VoipRecord>>('cs', 'voip-detail', { offset: 0, limit: 500, by: 'N', number: v.svcnum, cycle: last });
    const items = r.body?.items ?? [];
    t.ok(items.some((i) => i.cardnum === '1790999999999999'), 'a call with another card');
    t.notOk(items.some((i) => i.svcnum !== v.svcnum), 'no call of the other bound number');
    // A mobile number that is a subscriber of its own, with IP Phone calls.
    const g = h.fx.gsmArrears;
    await ticket(older, card, g.svcnum, '01012345678', dayOf(older, 9, 9), 61, '2', 60);
    const gr = await h.call<Paged<VoipRecord>>('cs', 'voip-detail', { offset: 0, limit: 10, by: 'N', number: g.svcnum, cycle: older });
    t.equal(gr.result, 0, gr.message);
    t.strictSame(gr.body?.items, await expectedVoip(h, 'SVCNUM', g.svcnum, older));
    t.equal(gr.body?.total, 1);
  });

  t.test('VO-08: limit above the page size, offset beyond the total, a month without tables', async (t) => {
    for (let k = 0; k < VOIP_MAX_PAGE + 20; k++) await ticket(older, card, v.svcnum, '09710000000', new Date(dayOf(older, 2, 0).getTime() + k * 60_000), k, '1', 20);
    const expected = await expectedVoip(h, 'CARDNUM', card, older);
    const big = await h.call<Paged<VoipRecord>>('cs', 'voip-detail', { offset: 0, limit: 65535, by: 'C', number: card, cycle: older });
    t.equal(big.result, 0, big.message);
    t.equal(big.body?.items.length, VOIP_MAX_PAGE, `answered with at most ${VOIP_MAX_PAGE}`);
    t.strictSame(big.body?.items, expected.slice(0, VOIP_MAX_PAGE));
    t.equal(big.body?.total, expected.length);
    const rest = await h.call<Paged<VoipRecord>>('cs', 'voip-detail', { offset: VOIP_MAX_PAGE, limit: 65535, by: 'C', number: card, cycle: older });
    t.strictSame(rest.body?.items, expected.slice(VOIP_MAX_PAGE));
    const past = await h.call<Paged<VoipRecord>>('cs', 'voip-detail', { offset: expected.length + 5, limit: 10, by: 'C', number: card, cycle: older });
    t.same(past.body?.items, []);
    t.equal(past.body?.total, expected.length);
    const none = await h.call<Paged<VoipRecord>>('cs', 'voip-detail', { offset: 0, limit: 10, by: 'C', number: card, cycle: cycleOf(h.now, 24) });
    t.equal(none.result, 0, none.message);
    t.equal(none.body?.total, 0);
    t.same(none.body?.items, []);
  });

  t.test('VO-08 refusals: unknown card or number 2001, cancelled 2004, no-print plan 2006, bad key or cycle 1006', async (t) => {
    const body = (by: string, number: string) => ({ offset: 0, limit: 10, by, number, cycle: last });
    t.equal((await h.call('cs', 'voip-detail', body('C', '1790000000009999'))).result, 2001, 'unknown card');
    t.equal((await h.call('cs', 'voip-detail', body('C', v.svcnum))).result, 2001, 'a phone number is no card');
    t.equal((await h.call('cs', 'voip-detail', body('N', '13000000000'))).result, 2001, 'unknown number');
    t.equal((await h.call('cs', 'voip-detail', body('N', h.fx.gsmCancelled.svcnum))).result, 2004);
    const np = await h.call('cs', 'voip-detail', body('N', bound.svcnum));
    t.equal(np.result, 2006, `the bound number's own plan ${bound.prcpln}: ${np.message}`);
    const loose = { request: [u32('offset'), u16('limit'), char('by', 1), char('number', 20), char('cycle', 6)], response: [] };
    const badKey = await h.call('cs', 'voip-detail', body('X', card), { layouts: loose });
    t.equal(badKey.result, 1006, badKey.message);
    t.match(badKey.message, /by/);
    const badCycle = await h.call('cs', 'voip-detail', { ...body('C', card), cycle: '202513' }, { layouts: loose });
    t.equal(badCycle.result, 1006, badCycle.message);
  });

  t.test('VO-08 is served on the customer-service interface only', async (t) => {
    t.equal((await h.call('print', 'voip-detail', { offset: 0, limit: 10, by: 'C', number: card, cycle: last })).result, 1004);
  });
});
