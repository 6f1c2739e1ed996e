// VO-09 IP Phone prepayment history by card, over a real socket against the seeded database.
import { char, u16, u32 } from '../../protocol/fields.js';
import { formatDateTime } from '../../src/time.js';
import { handlerSuite } from '../helpers/seeded.js';

const wire = (v: unknown): string => (v instanceof Date ? formatDateTime(v) : v === null ? '' : String(v).replace(/\D/g, '').slice(0, 14));
const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v).trimEnd());
const big = (v: unknown): bigint => BigInt(String(v));

type Item = { paysn: string; paymode: number; amount: bigint; paytime: string; source: string; serial: string; payStatus: number; operator: string };

handlerSuite('VO-09 voip-prepayment-history', async (t, h) => {
  const v = h.fx.voip;
  const card = v.cardnum!;
  const expected = async (subscrbid: number): Promise<Item[]> => {
    const rows = await h.facts.paysOf(subscrbid);
    return rows
      .map((r) => ({
        paysn: String(r.paysn), paymode: Number(r.paymode), amount: big(r.amount), paytime: wire(r.paytime), source: str(r.source),
        serial: str(r.serial), payStatus: Number(r.status), operator: str(r.operator),
      }))
      .sort((a, b) => b.paytime.localeCompare(a.paytime) || (big(b.paysn) > big(a.paysn) ? 1 : -1));
  };
  const addPay = (f: { subscrbid: number; acctid: number; svcnum: string }, paysn: number, amount: bigint, at: Date, status = 1, mode = 15) =>
    h.facts.insertPay({ paysn, acctid: f.acctid, subscrbid: f.subscrbid, svcnum: f.svcnum, paymode: mode, amount, paytime: at, source: 'CARDSYS', serial: `QV${paysn}`, operator: 'CARD01', status });

  t.test("VO-09: answers every TAB_PAY row of the card's V subscriber, newest first, not those of the C number on the same card", async (t) => {
    t.equal(h.fx.cdmaWithVoip.cardnum, card, 'the fixture C number carries the same card');
    await addPay(v, 98000001, 3000n, new Date(2029, 3, 1, 10, 0, 0), 2);
    await addPay(v, 98000002, -3000n, new Date(2029, 3, 1, 10, 10, 0), 3);
    await addPay(v, 98000003, 10000n, new Date(2029, 4, 1, 10, 0, 0), 1, 1);
    await addPay(h.fx.cdmaWithVoip, 98000004, 5000n, new Date(2030, 0, 1, 10, 0, 0));
    const r = await h.call('cs', 'voip-prepayment-history', { offset: 0, limit: 200, cardnum: card });
    t.equal(r.result, 0, r.message);
    const all = await expected(v.subscrbid);
    t.equal(all.length, v.payments + 3);
    t.same(r.body, { total: all.length, items: all });
    const items = r.body?.items as Item[];
    t.same(items.slice(0, 3).map((i) => [i.paysn, i.amount, i.payStatus]), [['98000003', 10000n, 1], ['98000002', -3000n, 3], ['98000001', 3000n, 2]]);
    t.notOk(items.some((i) => i.paysn === '98000004'), "the C subscriber's payment is not the card's");
    const page2 = await h.call('cs', 'voip-prepayment-history', { offset: 1, limit: 1, cardnum: card });
    t.same(page2.body, { total: all.length, items: [all[1]] }, 'a page of one from offset 1');
  });

  t.test('VO-09: the card of a cancelled subscriber is answered (a history)', async (t) => {
    const { status } = (await h.facts.subscriber(v.subscrbid))!;
    await h.facts.setSubscriber(v.subscrbid, { status: 5 });
    try {
      const r = await h.call('cs', 'voip-prepayment-history', { offset: 0, limit: 200, cardnum: card });
      t.equal(r.result, 0, r.message);
      const all = await expected(v.subscrbid);
      t.same(r.body, { total: all.length, items: all });
    } finally {
      await h.facts.setSubscriber(v.subscrbid, { status: Number(status) });
    }
  });

  t.test('VO-09 refusals: unknown card 2001, a mobile number 2001, a card that is not digits 1006', async (t) => {
    t.equal((await h.call('cs', 'voip-prepayment-history', { offset: 0, limit: 10, cardnum: '1790999999999999' })).result, 2001);
    t.equal((await h.call('cs', 'voip-prepayment-history', { offset: 0, limit: 10, cardnum: h.fx.first.svcnum })).result, 2001);
    const loose = { request: [u32('offset'), u16('limit'), char('cardnum', 20)], response: [] };
    const bad = await h.call('cs', 'voip-prepayment-history', { offset: 0, limit: 10, cardnum: '17x' }, { layouts: loose });
    t.equal(bad.result, 1006, bad.message);
    t.match(bad.message, /cardnum/);
  });

  t.test('VO-09 is served on the customer-service interface only (1004 elsewhere)', async (t) => {
    t.equal((await h.call('card', 'voip-prepayment-history', { offset: 0, limit: 1, cardnum: card })).result, 1004);
  });
});
