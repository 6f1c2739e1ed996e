// VO-11 IP Phone command execution records by card, over a real socket against the seeded database.
import { char, u16, u32 } from '../../protocol/fields.js';
import { formatDateTime } from '../../src/time.js';
import { handlerSuite } from '../helpers/seeded.js';

const wire = (v: unknown): string => (v instanceof Date ? formatDateTime(v) : v === null ? '' : String(v).replace(/\D/g, '').slice(0, 14));
const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v).trimEnd());
const big = (v: unknown): bigint => BigInt(String(v));

interface BusiRow { busisn: unknown; busitype: unknown; status: unknown; param: string | null; operator: string; created: unknown; executed: unknown; result: string | null }
type Item = { busisn: string; busitype: number; busiStatus: number; param: string; operator: string; created: string; executed: string; result: string };

handlerSuite('VO-11 voip-command-records', async (t, h) => {
  const v = h.fx.voip;
  const card = v.cardnum!;
  const expected = async (subscrbid: number): Promise<Item[]> => {
    const rows = await h.sql<BusiRow>('SELECT BUSISN, BUSITYPE, STATUS, PARAM, OPERATOR, CREATED, EXECUTED, RESULT FROM USR_BUSI_RECORD WHERE SUBSCRBID = :s', { s: subscrbid });
    return rows
      .map((r) => ({
        busisn: String(r.busisn), busitype: Number(r.busitype), busiStatus: Number(r.status), param: str(r.param), operator: str(r.operator),
        created: wire(r.created), executed: wire(r.executed), result: str(r.result),
      }))
      .sort((a, b) => b.created.localeCompare(a.created) || (big(b.busisn) > big(a.busisn) ? 1 : -1));
  };

  t.test("VO-11: answers every USR_BUSI_RECORD row of the card's V subscriber, newest first, not those of the C number on the same card", async (t) => {
    t.equal(h.fx.cdmaWithVoip.cardnum, card, 'the fixture C number carries the same card');
    const r = await h.call('cs', 'voip-command-records', { offset: 0, limit: 64, cardnum: card });
    t.equal(r.result, 0, r.message);
    const all = await expected(v.subscrbid);
    t.ok(all.length >= 1);
    t.same(r.body, { total: all.length, items: all });
    const items = r.body?.items as Item[];
    t.ok(items.some((i) => i.busitype === 1 && i.param === '开户 V001' && i.busiStatus === 7), 'the opening of the IP Phone subscriber');
    const theirs = new Set((await expected(h.fx.cdmaWithVoip.subscrbid)).map((i) => i.busisn));
    t.notOk(items.some((i) => theirs.has(i.busisn)), "none of the C subscriber's records");
  });

  t.test('VO-11: a queued command by card is visible in state 5, then executed (7) with its time and answer', async (t) => {
    const add = { b: 96000001, s: v.subscrbid, n: v.svcnum, r: v.region, c: new Date(2031, 0, 5, 8, 30, 0) };
    await h.sql(
      `INSERT INTO USR_BUSI_RECORD (BUSISN, SUBSCRBID, SVCNUM, BUSITYPE, STATUS, REGION, NETTYPE, IMSI, PARAM, OPERATOR, CREATED, EXECUTED, RESULT)
       VALUES (:b, :s, :n, 31, 5, :r, 'V', NULL, 'IDD', 'KF1001', :c, NULL, NULL)`,
      add,
    );
    let r = await h.call('cs', 'voip-command-records', { offset: 0, limit: 1, cardnum: card });
    t.same((r.body?.items as Item[])[0], { busisn: '96000001', busitype: 31, busiStatus: 5, param: 'IDD', operator: 'KF1001', created: '20310105083000', executed: '', result: '' });
    await h.sql('UPDATE USR_BUSI_RECORD SET STATUS = 7, EXECUTED = :e, RESULT = :res WHERE BUSISN = :b', { b: 96000001, e: new Date(2031, 0, 5, 8, 30, 9), res: '执行成功' });
    r = await h.call('cs', 'voip-command-records', { offset: 0, limit: 1, cardnum: card });
    t.same((r.body?.items as Item[])[0], { busisn: '96000001', busitype: 31, busiStatus: 7, param: 'IDD', operator: 'KF1001', created: '20310105083000', executed: '20310105083009', result: '执行成功' });
    const all = await expected(v.subscrbid);
    t.equal(r.body?.total, all.length);
    // One record a page: the pages are the records in order.
    const got: Item[] = [];
    for (let offset = 0; offset < all.length; offset++) {
      const p = await h.call('cs', 'voip-command-records', { offset, limit: 1, cardnum: card });
      got.push(...(p.body?.items as Item[]));
    }
    t.same(got, all);
  });

  t.test('VO-11: the card of a cancelled subscriber is answered (a history)', async (t) => {
    const { status } = (await h.facts.subscriber(v.subscrbid))!;
    await h.facts.setSubscriber(v.subscrbid, { status: 5 });
    try {
      const r = await h.call('cs', 'voip-command-records', { offset: 0, limit: 64, cardnum: card });
      t.equal(r.result, 0, r.message);
      t.same(r.body, { total: (await expected(v.subscrbid)).length, items: await expected(v.subscrbid) });
    } finally {
      await h.facts.setSubscriber(v.subscrbid, { status: Number(status) });
    }
  });

  t.test('VO-11 refusals: unknown card 2001, a mobile number 2001, a card that is not digits 1006', async (t) => {
    t.equal((await h.call('cs', 'voip-command-records', { offset: 0, limit: 10, cardnum: '1790999999999999' })).result, 2001);
    t.equal((await h.call('cs', 'voip-command-records', { offset: 0, limit: 10, cardnum: h.fx.cdma.svcnum })).result, 2001);
    const loose = { request: [u32('offset'), u16('limit'), char('cardnum', 20)], response: [] };
    const bad = await h.call('cs', 'voip-command-records', { offset: 0, limit: 10, cardnum: 'CARD-1' }, { layouts: loose });
    t.equal(bad.result, 1006, bad.message);
    t.match(bad.message, /cardnum/);
  });

  t.test('VO-11 is served on the customer-service interface only (1004 elsewhere)', async (t) => {
    t.equal((await h.call('card', 'voip-command-records', { offset: 0, limit: 1, cardnum: card })).result, 1004);
  });
});
