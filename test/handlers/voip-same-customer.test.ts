// VO-07 subscribers of the same customer, by card or mobile number, over a real socket against the seeded database.
import { char } from '../../protocol/fields.js';
import { formatDateTime } from '../../src/time.js';
import { handlerSuite } from '../helpers/seeded.js';

const wire = (v: unknown): string => (v instanceof Date ? formatDateTime(v) : v === null ? '' : String(v).replace(/\D/g, '').slice(0, 14));
const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v).trimEnd());
type Num = { svcnum: string; nettype: string; status: number; cardnum: string };

handlerSuite('VO-07 voip-same-customer', async (t, h) => {
  /** Every number of the customer: live first, then cancelled, each by opening (sorted here, not by the SQL under test). */
  const expected = async (custid: number) => {
    const rows = (await h.facts.subscribers()).filter((r) => String(r.custid) === String(custid));
    const numbers = rows
      .map((r) => ({ k: [Number(r.status) === 5 ? 1 : 0, wire(r.opendate), BigInt(String(r.subscrbid))] as const, n: { svcnum: str(r.svcnum), nettype: str(r.nettype), status: Number(r.status), cardnum: str(r.cardnum) } }))
      .sort((a, b) => a.k[0] - b.k[0] || a.k[1].localeCompare(b.k[1]) || (a.k[2] < b.k[2] ? -1 : 1))
      .map((x) => x.n);
    return { custid: String(custid), total: numbers.length, numbers };
  };
  const setStatus = (subscrbid: number, status: number) => h.facts.setSubscriber(subscrbid, { status: status });
  const { voip: v, cdmaWithVoip: c, cdma1x: x } = h.fx;

  t.test('VO-07 kind C: the card answers every number of its customer: the CDMA, IP Phone and CDMA1X numbers of the demo customer', async (t) => {
    t.equal(v.custid, c.custid);
    t.equal(x.custid, c.custid);
    const r = await h.call('cs', 'voip-same-customer', { by: 'C', number: v.cardnum! });
    t.equal(r.result, 0, r.message);
    t.same(r.body, await expected(v.custid), 'what the database holds');
    t.equal(r.body?.custid, String(v.custid));
    const numbers = r.body?.numbers as Num[];
    t.same(numbers.map((n) => n.svcnum).sort(), [c.svcnum, v.svcnum, x.svcnum].sort(), 'the three numbers of the customer');
    t.equal(numbers.find((n) => n.nettype === 'V')?.cardnum, v.cardnum);
    t.equal(numbers.find((n) => n.nettype === 'X')?.cardnum, '');
  });

  t.test('VO-07 kind M: a bound mobile number, the IP Phone number and an unbound number of the customer answer the same customer', async (t) => {
    const want = await expected(v.custid);
    for (const number of [c.svcnum, v.svcnum, x.svcnum]) {
      const r = await h.call('cs', 'voip-same-customer', { by: 'N', number });
      t.equal(r.result, 0, `${number}: ${r.message}`);
      t.same(r.body, want, number);
    }
    // A GSM subscriber bound to no card: the customer of its own TAB_SUBSCRB row.
    const r = await h.call('cs', 'voip-same-customer', { by: 'N', number: h.fx.first.svcnum });
    t.same(r.body, await expected(h.fx.first.custid));
    t.ok((r.body?.numbers as Num[]).some((n) => n.svcnum === h.fx.first.svcnum));
  });

  t.test('VO-07: a cancelled number of the customer is listed after the live ones, with status 5', async (t) => {
    await setStatus(c.subscrbid, 5);
    try {
      const r = await h.call('cs', 'voip-same-customer', { by: 'C', number: v.cardnum! });
      t.same(r.body, await expected(v.custid));
      const numbers = r.body?.numbers as Num[];
      t.same(numbers[numbers.length - 1], { svcnum: c.svcnum, nettype: 'C', status: 5, cardnum: v.cardnum });
      t.equal(r.body?.total, 3);
    } finally {
      await setStatus(c.subscrbid, c.status);
    }
  });

  t.test('VO-07 refusals: unknown card 2001, unknown number 2001, cancelled card 2004, cancelled unbound number 2004, bad kind 1006', async (t) => {
    t.equal((await h.call('cs', 'voip-same-customer', { by: 'C', number: '1790999999999999' })).result, 2001);
    t.equal((await h.call('cs', 'voip-same-customer', { by: 'C', number: h.fx.cdma.svcnum })).result, 2001, 'a mobile number is not a card');
    t.equal((await h.call('cs', 'voip-same-customer', { by: 'N', number: '13000000000' })).result, 2001);
    const cancelled = await h.call('cs', 'voip-same-customer', { by: 'N', number: h.fx.gsmCancelled.svcnum });
    t.equal(cancelled.result, 2004, cancelled.message);
    await setStatus(v.subscrbid, 5);
    try {
      t.equal((await h.call('cs', 'voip-same-customer', { by: 'C', number: v.cardnum! })).result, 2004);
    } finally {
      await setStatus(v.subscrbid, v.status);
    }
    const loose = { request: [char('by', 1), char('number', 20)], response: [] };
    const bad = await h.call('cs', 'voip-same-customer', { by: 'X', number: v.cardnum! }, { layouts: loose });
    t.equal(bad.result, 1006, bad.message);
    t.match(bad.message, /by/);
  });

  t.test('VO-07 is served on the customer-service interface only (1004 elsewhere)', async (t) => {
    t.equal((await h.call('card', 'voip-same-customer', { by: 'C', number: v.cardnum! })).result, 1004);
  });

  // Last: it binds the GSM fixture to the IP Phone card of another customer.
  t.test("VO-07 kind M: a number bound to another customer's card answers that card's customer (the legacy flow reads TAB_VOIPSUBSCRB)", async (t) => {
    const f = h.fx.first;
    t.not(f.custid, v.custid);
    await h.sql('INSERT INTO TAB_VOIPSUBSCRB (CARDNUM, BINDNUM, SUBSCRBID, CUSTID, USERNAME, BINDDATE) VALUES (:c, :b, :s, :cu, :u, :d)', {
      c: v.cardnum!, b: f.svcnum, s: v.subscrbid, cu: v.custid, u: v.custName, d: new Date(2024, 0, 1, 9, 0, 0),
    });
    const r = await h.call('cs', 'voip-same-customer', { by: 'N', number: f.svcnum });
    t.equal(r.result, 0, r.message);
    t.same(r.body, await expected(v.custid));
  });
});
