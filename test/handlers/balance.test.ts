// CS-14 account balance, over a real socket against the seeded database.
import { char } from '../../protocol/fields.js';
import { handlerSuite } from '../helpers/seeded.js';

handlerSuite('CS-14 balance', async (t, h) => {
  t.test('CS-14: answers the balance ACCT_BALANCE holds for the number\'s account, to the fen', async (t) => {
    for (const f of [h.fx.first, h.fx.gsmArrears, h.fx.cdma, h.fx.voip]) {
      const r = await h.call('cs', 'balance', { svcnum: f.svcnum });
      t.equal(r.result, 0, `${f.svcnum}: ${r.message}`);
      t.equal(r.body?.acctid, String(f.acctid));
      t.equal(r.body?.balance, await h.facts.balance(f.acctid), `${f.svcnum} balance`);
      t.equal(r.body?.balance, f.balance, 'the fixture balance');
      t.match(r.body?.updated, /^\d{14}$/);
    }
  });

  t.test('CS-14: a balance beyond 2^53 fen and a negative one travel exactly', async (t) => {
    await h.facts.setBalance(h.fx.cdma1x.acctid, 9007199254740993n);
    t.equal((await h.call('cs', 'balance', { svcnum: h.fx.cdma1x.svcnum })).body?.balance, 9007199254740993n);
    await h.facts.setBalance(h.fx.cdma1x.acctid, -1n);
    t.equal((await h.call('cs', 'balance', { svcnum: h.fx.cdma1x.svcnum })).body?.balance, -1n);
  });

  t.test('CS-14 refusals: unknown number 2001, cancelled number 2004, no balance row 2011, bad number 1006', async (t) => {
    t.equal((await h.call('cs', 'balance', { svcnum: '13000000000' })).result, 2001);
    const cancelled = await h.call('cs', 'balance', { svcnum: h.fx.gsmCancelled.svcnum });
    t.equal(cancelled.result, 2004, cancelled.message);
    t.match(cancelled.message, /已销户/);
    await h.facts.deleteBalance(h.fx.noPrintProvince.acctid);
    t.equal((await h.call('cs', 'balance', { svcnum: h.fx.noPrintProvince.svcnum })).result, 2011);
    // The client refuses the bad number itself; sent with a looser layout, the gateway answers 1006.
    const loose = { request: [char('svcnum', 20)], response: [] };
    const bad = await h.call('cs', 'balance', { svcnum: '1390000000A' }, { layouts: loose });
    t.equal(bad.result, 1006, bad.message);
    t.match(bad.message, /svcnum/);
  });

  t.test('CS-14 is served on the customer-service interface only (1004 elsewhere)', async (t) => {
    t.equal((await h.call('card', 'balance', { svcnum: h.fx.first.svcnum })).result, 1004);
  });
});
