// VO-05 all phone numbers of an IP Phone card, over a real socket against the seeded database.
import { char } from '../../protocol/fields.js';
import { handlerSuite } from '../helpers/seeded.js';

const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v).trimEnd());
type Num = { svcnum: string; nettype: string; status: number };

handlerSuite('VO-05 voip-card-numbers', async (t, h) => {
  /** The card's live TAB_SUBSCRB numbers, V first, then by number (sorted here, not by the SQL under test). */
  const expected = async (cardnum: string): Promise<Num[]> => {
    const rows = (await h.facts.subscribers()).filter((r) => r.cardnum !== null && r.cardnum.trimEnd() === cardnum);
    return rows
      .map((r) => ({ svcnum: str(r.svcnum), nettype: str(r.nettype), status: Number(r.status) }))
      .filter((r) => r.status !== 5)
      .sort((a, b) => (a.nettype === 'V' ? 0 : 1) - (b.nettype === 'V' ? 0 : 1) || (a.svcnum < b.svcnum ? -1 : 1));
  };
  const setStatus = (subscrbid: number, status: number) => h.facts.setSubscriber(subscrbid, { status: status });

  t.test("VO-05: the fixture card answers its IP Phone number first, then the CDMA number bound to it", async (t) => {
    const card = h.fx.voip.cardnum!;
    const r = await h.call('cs', 'voip-card-numbers', { cardnum: card });
    t.equal(r.result, 0, r.message);
    t.same(r.body, {
      numbers: [
        { svcnum: h.fx.voip.svcnum, nettype: 'V', status: h.fx.voip.status },
        { svcnum: h.fx.cdmaWithVoip.svcnum, nettype: 'C', status: h.fx.cdmaWithVoip.status },
      ],
    });
    t.same(r.body, { numbers: await expected(card) }, 'what the database holds');
  });

  t.test('VO-05: every IP Phone card of the demo answers what TAB_SUBSCRB holds for it', async (t) => {
    const cards = (await h.facts.subscribers()).filter((r) => r.nettype === 'V');
    t.ok(cards.length >= 5, 'several V subscribers in the demo');
    for (const c of cards) {
      const r = await h.call('cs', 'voip-card-numbers', { cardnum: str(c.cardnum) });
      if (Number(c.status) === 5) {
        t.equal(r.result, 2004, `${str(c.cardnum)}: cancelled`);
        continue;
      }
      t.equal(r.result, 0, `${str(c.cardnum)}: ${r.message}`);
      const want = await expected(str(c.cardnum));
      t.same(r.body, { numbers: want }, `${str(c.cardnum)}`);
      t.equal(want[0].nettype, 'V');
    }
  });

  t.test('VO-05: a cancelled number is no longer one of the card\'s numbers', async (t) => {
    const c = h.fx.cdmaWithVoip;
    await setStatus(c.subscrbid, 5);
    try {
      const r = await h.call('cs', 'voip-card-numbers', { cardnum: h.fx.voip.cardnum! });
      t.equal(r.result, 0, r.message);
      t.same((r.body?.numbers as Num[]).map((n) => n.svcnum), [h.fx.voip.svcnum]);
    } finally {
      await setStatus(c.subscrbid, c.status);
    }
  });

  t.test('VO-05 refusals: unknown card 2001, a C number\'s card field without a V subscriber 2001, cancelled card 2004, bad card 1006', async (t) => {
    t.equal((await h.call('cs', 'voip-card-numbers', { cardnum: '1790999999999999' })).result, 2001);
    t.equal((await h.call('cs', 'voip-card-numbers', { cardnum: h.fx.cdma.svcnum })).result, 2001);
    await setStatus(h.fx.voip.subscrbid, 5);
    try {
      const r = await h.call('cs', 'voip-card-numbers', { cardnum: h.fx.voip.cardnum! });
      t.equal(r.result, 2004, r.message);
    } finally {
      await setStatus(h.fx.voip.subscrbid, h.fx.voip.status);
    }
    const bad = await h.call('cs', 'voip-card-numbers', { cardnum: '12' }, { layouts: { request: [char('cardnum', 20)], response: [] } });
    t.equal(bad.result, 1006, bad.message);
  });

  t.test('VO-05 is served on the customer-service interface only (1004 elsewhere)', async (t) => {
    t.equal((await h.call('card', 'voip-card-numbers', { cardnum: h.fx.voip.cardnum! })).result, 1004);
  });
});
