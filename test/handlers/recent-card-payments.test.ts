// PC-08 the last hour's card payments (business type 308) against the database.
import { u16, u32 } from '../../protocol/fields.js';
import { handlerSuite } from '../helpers/seeded.js';
import { big, serial } from './card-expected.js';

handlerSuite('PC-08 recent-card-payments', async (t, h) => {
  t.test('PC-08: the PAYMODE-15 rows of the window, newest first, with total and net over all pages', async (t) => {
    const f = h.fx.first;
    const sers: string[] = [];
    for (const amount of [1000n, 2000n, 3000n]) {
      const s = serial('P8A');
      sers.push(s);
      t.equal((await h.call('card', 'payment', { svcnum: f.svcnum, amount }, { serial: s })).result, 0);
    }
    t.equal((await h.call('card', 'reversal', { svcnum: f.svcnum, origSerial: sers[1] }, { serial: serial('P8B') })).result, 0);
    // An old card payment (outside the window) and a hall payment (not PAYMODE 15) are not listed.
    const pay = { acctid: f.acctid, subscrbid: f.subscrbid, svcnum: f.svcnum, operator: 'X', status: 1 };
    await h.facts.insertPay({ ...pay, paysn: 990000001, paymode: 15, amount: 777n, paytime: new Date(Date.now() - 2 * 3600_000), source: 'card', serial: 'OLD1' });
    await h.facts.insertPay({ ...pay, paysn: 990000002, paymode: 1, amount: 888n, paytime: new Date(), source: 'HALL', serial: 'H1' });
    const since = new Date(Date.now() - 3600_000);
    const rows = await h.facts.paysSince(since, 15);
    const r = await h.call('card', 'recent-card-payments', { minutes: 60, offset: 0, limit: 200 });
    t.equal(r.result, 0, r.message);
    t.equal(r.body?.total, rows.length, 'the rows of the legacy select');
    t.equal(r.body?.net, rows.reduce((s, x) => s + big(x.amount), 0n), 'net of them');
    t.equal(r.body?.net, 4000n, 'three payments less one reversal');
    const items = r.body?.items as { paysn: string; amount: bigint; paytime: string; serial: string; payStatus: number }[];
    t.equal(items.length, 4);
    t.notOk(items.some((i) => i.serial === 'OLD1' || i.serial === 'H1'), 'neither the old nor the hall payment');
    for (let i = 1; i < items.length; i++) {
      const a = items[i - 1], b = items[i];
      t.ok(a.paytime > b.paytime || (a.paytime === b.paytime && big(a.paysn) > big(b.paysn)), 'newest first');
    }
    t.same(items.map((i) => i.payStatus).sort(), [1, 1, 2, 3]);
    const page = await h.call('card', 'recent-card-payments', { minutes: 60, offset: 1, limit: 2 });
    t.same(page.body?.items, items.slice(1, 3), 'pages');
    t.equal(page.body?.total, 4);
    const wide = await h.call('card', 'recent-card-payments', { minutes: 180, offset: 0, limit: 200 });
    t.equal(wide.body?.total, 5, 'three hours include the old one');
  });

  t.test('PC-08: minutes outside 1..1440 is refused by the server (1006), naming the field', async (t) => {
    // Sent without the client's own range check.
    const loose = { request: [u16('minutes'), u32('offset'), u16('limit')], response: [] };
    for (const minutes of [0, 1441]) {
      const r = await h.call('card', 'recent-card-payments', { minutes, offset: 0, limit: 10 }, { layouts: loose });
      t.equal(r.result, 1006, `${minutes}: ${r.message}`);
      t.match(r.message, /minutes/);
    }
  });
});
