// VO-06 card number and user name of a phone number, over a real socket against the seeded database.
import { char } from '../../protocol/fields.js';
import { formatDateTime } from '../../src/time.js';
import { handlerSuite } from '../helpers/seeded.js';

const wire = (v: unknown): string => (v instanceof Date ? formatDateTime(v) : v === null ? '' : String(v).replace(/\D/g, '').slice(0, 14));
const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v).trimEnd());
type Card = { cardnum: string; username: string; voipnum: string; status: number; binddate: string };

handlerSuite('VO-06 voip-card-of-number', async (t, h) => {
  /** The live cards bound to a number, in order of binding (sorted here, not by the SQL under test). */
  const expected = async (bindnum: string): Promise<Card[]> => {
    // TAB_VOIPSUBSCRB has the same shape in both schemas; the bound subscriber's number and status are h.facts'.
    const binds = await h.sql<{ cardnum: string; username: string; binddate: unknown; subscrbid: unknown }>(
      'SELECT CARDNUM, USERNAME, BINDDATE, SUBSCRBID FROM TAB_VOIPSUBSCRB WHERE BINDNUM = :b',
      { b: bindnum },
    );
    const subs = new Map((await h.facts.subscribers()).map((s) => [String(s.subscrbid), s]));
    const rows = binds.flatMap((b) => {
      const s = subs.get(String(b.subscrbid));
      return s ? [{ ...b, svcnum: s.svcnum, status: s.status }] : [];
    });
    return rows
      .map((r) => ({ cardnum: str(r.cardnum), username: str(r.username), voipnum: str(r.svcnum), status: Number(r.status), binddate: wire(r.binddate) }))
      .filter((c) => c.status !== 5)
      .sort((a, b) => a.binddate.localeCompare(b.binddate) || (a.cardnum < b.cardnum ? -1 : 1));
  };
  const setStatus = (subscrbid: number, status: number) => h.facts.setSubscriber(subscrbid, { status: status });
  const v = h.fx.voip;

  t.test('VO-06: the CDMA number bound to the fixture card answers that card, its user name and IP Phone number', async (t) => {
    const r = await h.call('cs', 'voip-card-of-number', { svcnum: h.fx.cdmaWithVoip.svcnum });
    t.equal(r.result, 0, r.message);
    const cards = r.body?.cards as Card[];
    t.equal(cards.length, 1);
    t.equal(cards[0].cardnum, v.cardnum);
    t.equal(cards[0].username, v.custName, 'GBK user name intact');
    t.equal(cards[0].voipnum, v.svcnum);
    t.equal(cards[0].status, v.status);
    t.match(cards[0].binddate, /^\d{14}$/);
    t.same(r.body, { cards: await expected(h.fx.cdmaWithVoip.svcnum) }, 'what the database holds');
    // The card's own IP Phone number is bound to it too.
    const own = await h.call('cs', 'voip-card-of-number', { svcnum: v.svcnum });
    t.same(own.body, { cards: await expected(v.svcnum) });
    t.equal((own.body?.cards as Card[])[0].cardnum, v.cardnum);
  });

  t.test('VO-06: a number bound to several cards answers them all in order of binding; a cancelled card is left out', async (t) => {
    const [other] = (await h.facts.subscribers()).filter((r) => r.nettype === 'V' && Number(r.status) !== 5 && Number(r.subscrbid) !== v.subscrbid);
    t.ok(other, 'another live IP Phone card in the demo');
    const bindnum = h.fx.cdmaWithVoip.svcnum;
    await h.sql('INSERT INTO TAB_VOIPSUBSCRB (CARDNUM, BINDNUM, SUBSCRBID, CUSTID, USERNAME, BINDDATE) VALUES (:c, :b, :s, :cu, :u, :d)', {
      c: str(other.cardnum), b: bindnum, s: Number(other.subscrbid), cu: Number(other.custid), u: '格桑卓玛', d: new Date(2001, 0, 1, 0, 0, 0),
    });
    const r = await h.call('cs', 'voip-card-of-number', { svcnum: bindnum });
    t.equal(r.result, 0, r.message);
    const cards = r.body?.cards as Card[];
    t.same(cards.map((c) => c.cardnum), [str(other.cardnum), v.cardnum], 'the earlier binding first');
    t.same(cards[0], { cardnum: str(other.cardnum), username: '格桑卓玛', voipnum: str(other.svcnum), status: cards[0].status, binddate: '20010101000000' });
    t.same(r.body, { cards: await expected(bindnum) });
    await setStatus(v.subscrbid, 5);
    try {
      const left = await h.call('cs', 'voip-card-of-number', { svcnum: bindnum });
      t.same((left.body?.cards as Card[]).map((c) => c.cardnum), [str(other.cardnum)], "the cancelled subscriber's card is gone");
    } finally {
      await setStatus(v.subscrbid, v.status);
    }
  });

  t.test('VO-06 refusals: a number bound to no card 2012, a number bound only to a cancelled card 2012, bad number 1006', async (t) => {
    const none = await h.call('cs', 'voip-card-of-number', { svcnum: h.fx.first.svcnum });
    t.equal(none.result, 2012, none.message);
    t.equal((await h.call('cs', 'voip-card-of-number', { svcnum: '09718000000' })).result, 2012);
    await setStatus(v.subscrbid, 5);
    try {
      t.equal((await h.call('cs', 'voip-card-of-number', { svcnum: v.svcnum })).result, 2012);
    } finally {
      await setStatus(v.subscrbid, v.status);
    }
    const bad = await h.call('cs', 'voip-card-of-number', { svcnum: '0971-8000' }, { layouts: { request: [char('svcnum', 20)], response: [] } });
    t.equal(bad.result, 1006, bad.message);
  });

  t.test('VO-06 is served on the customer-service interface only (1004 elsewhere)', async (t) => {
    t.equal((await h.call('sms', 'voip-card-of-number', { svcnum: v.svcnum })).result, 1004);
  });
});
