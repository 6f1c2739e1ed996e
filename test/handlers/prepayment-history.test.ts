// CS-17 prepayment history, over a real socket against the seeded database.
import { char, u16, u32 } from '../../protocol/fields.js';
import { formatDateTime } from '../../src/time.js';
import { handlerSuite } from '../helpers/seeded.js';

const wire = (v: unknown): string => (v instanceof Date ? formatDateTime(v) : v === null ? '' : String(v).replace(/\D/g, '').slice(0, 14));
const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v).trimEnd());
const big = (v: unknown): bigint => BigInt(String(v));

type Item = { paysn: string; paymode: number; amount: bigint; paytime: string; source: string; serial: string; payStatus: number; operator: string };

handlerSuite('CS-17 prepayment-history', async (t, h) => {
  /** Every TAB_PAY row of the subscriber, in the documented order (sorted here, not by the SQL under test). */
  const expected = async (subscrbid: number): Promise<Item[]> => {
    const rows = await h.facts.paysOf(subscrbid);
    return rows
      .map((r) => ({
        paysn: String(r.paysn), paymode: Number(r.paymode), amount: big(r.amount), paytime: wire(r.paytime), source: str(r.source),
        serial: str(r.serial), payStatus: Number(r.status), operator: str(r.operator),
      }))
      .sort((a, b) => b.paytime.localeCompare(a.paytime) || (big(b.paysn) > big(a.paysn) ? 1 : -1));
  };
  const addPay = (f: { subscrbid: number; acctid: number; svcnum: string }, paysn: number, amount: bigint, at: Date, o: { mode?: number; status?: number; serial?: string } = {}) =>
    h.facts.insertPay({ paysn, acctid: f.acctid, subscrbid: f.subscrbid, svcnum: f.svcnum, paymode: o.mode ?? 1, amount, paytime: at, source: 'HALL', serial: o.serial ?? `T${paysn}`, operator: 'XN0023', status: o.status ?? 1 });

  t.test('CS-17: answers every TAB_PAY row of the number, newest first, to the fen, on every network', async (t) => {
    let some = 0;
    for (const f of [h.fx.first, h.fx.gsmArrears, h.fx.gsmSuspended, h.fx.cdma, h.fx.cdmaArrears, h.fx.cdmaWithVoip, h.fx.voip, h.fx.cdma1x]) {
      const r = await h.call('cs', 'prepayment-history', { offset: 0, limit: 200, svcnum: f.svcnum });
      t.equal(r.result, 0, `${f.svcnum}: ${r.message}`);
      const all = await expected(f.subscrbid);
      t.same(r.body, { total: all.length, items: all }, `${f.svcnum}: the database rows`);
      some += all.length;
    }
    t.ok(some > 4, 'the fixtures have payments to compare');
  });

  t.test('CS-17: a reversed payment keeps its amount (status 2); its reversal is a negative row of its own (status 3)', async (t) => {
    const f = h.fx.first;
    const r = await h.call('cs', 'prepayment-history', { offset: 0, limit: 200, svcnum: f.svcnum });
    const items = r.body?.items as Item[];
    t.equal(items.length, f.payments + 1, 'three card payments and one reversal');
    const reversed = items.find((i) => i.payStatus === 2);
    const reversal = items.find((i) => i.payStatus === 3);
    t.ok(reversed && reversal);
    t.equal(reversal?.amount, -(reversed?.amount ?? 0n), 'the reversal carries the negated amount');
    t.ok(reversal!.paytime > reversed!.paytime && items.indexOf(reversal!) < items.indexOf(reversed!), 'the later reversal comes first');
    t.equal(reversed?.paymode, 15);
    t.equal(reversed?.source, 'CARDSYS');
    t.equal(f.cardPayment?.source, 'CARDSYS');
    t.ok(items.some((i) => i.serial === f.cardPayment?.serial && i.paysn === String(f.cardPayment?.paysn)), 'the fixture card payment with its serial');
  });

  t.test('CS-17: pages cover every row once; ties broken by PAYSN; a larger limit is answered with 200; amounts beyond 2^53 exact', async (t) => {
    const f = h.fx.cdma1x;
    for (let k = 0; k < 210; k++) await addPay(f, 97000000 + k, BigInt(100 + k), new Date(2030, 0, 1, 0, Math.floor(k / 2), 0), { mode: k % 3 === 0 ? 2 : 1 });
    await addPay(f, 97000999, 9007199254740993n, new Date(2031, 0, 1, 0, 0, 0));
    const all = await expected(f.subscrbid);
    const first = await h.call('cs', 'prepayment-history', { offset: 0, limit: 65535, svcnum: f.svcnum });
    t.equal(first.result, 0, first.message);
    t.equal(first.body?.total, all.length);
    const items = first.body?.items as Item[];
    t.equal(items.length, 200, 'at most 200 a page');
    t.equal(items[0].amount, 9007199254740993n);
    t.same(items.slice(1, 3).map((i) => i.paysn), ['97000209', '97000208'], 'same PAYTIME: the larger PAYSN first');
    const rest = await h.call('cs', 'prepayment-history', { offset: 200, limit: 200, svcnum: f.svcnum });
    t.same([...items, ...(rest.body?.items as Item[])], all, 'the two pages are every row, in order');
    t.same((await h.call('cs', 'prepayment-history', { offset: all.length, limit: 5, svcnum: f.svcnum })).body, { total: all.length, items: [] });
  });

  t.test("CS-17: a cancelled number is answered; another subscriber's payment under the same number is not shown", async (t) => {
    const f = h.fx.gsmCancelled;
    t.same(await expected(f.subscrbid), [], 'the demo leaves cancelled subscribers without payments');
    await addPay(f, 97100001, 5000n, new Date(2020, 4, 1, 10, 0, 0));
    await addPay({ ...f, subscrbid: 199100001, acctid: 399100001 }, 97100002, 7000n, new Date(2020, 5, 1, 10, 0, 0));
    const r = await h.call('cs', 'prepayment-history', { offset: 0, limit: 10, svcnum: f.svcnum });
    t.equal(r.result, 0, r.message);
    t.same(r.body, { total: 1, items: await expected(f.subscrbid) });
    t.equal((r.body?.items as Item[])[0].paysn, '97100001');
  });

  t.test('CS-17 refusals: unknown number 2001, bad number 1006', async (t) => {
    t.equal((await h.call('cs', 'prepayment-history', { offset: 0, limit: 10, svcnum: '13000000000' })).result, 2001);
    const loose = { request: [u32('offset'), u16('limit'), char('svcnum', 20)], response: [] };
    const bad = await h.call('cs', 'prepayment-history', { offset: 0, limit: 10, svcnum: '139 0000' }, { layouts: loose });
    t.equal(bad.result, 1006, bad.message);
    t.match(bad.message, /svcnum/);
  });

  t.test('CS-17 is served on the customer-service interface only (1004 elsewhere)', async (t) => {
    t.equal((await h.call('card', 'prepayment-history', { offset: 0, limit: 1, svcnum: h.fx.first.svcnum })).result, 1004);
  });
});
