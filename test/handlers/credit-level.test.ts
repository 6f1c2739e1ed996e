// CS-09 credit level, over a real socket against the seeded database.
import { char } from '../../protocol/fields.js';
import { ACCOUNT_PAY_TYPES } from '../../src/domain/codes.js';
import { handlerSuite } from '../helpers/seeded.js';

handlerSuite('CS-09 credit-level', async (t, h) => {
  const dbCredit = async (subscrbid: number) => {
    const sub = (await h.facts.subscriber(subscrbid))!;
    const row = (await h.facts.accountCredit(Number(sub.acctid)))!;
    return {
      acctid: String(row.acctid),
      payType: Number(row.pay_mode),
      payTypeName: row.paytypename,
      creditLevel: Number(row.credit_level),
      creditLimit: BigInt(String(row.credit_limit)),
    };
  };

  t.test('CS-09: answers the pay mode and credit level of the number\'s account (TAB_ACCT → TAB_PAYTYPE)', async (t) => {
    // Plans G001 (pay mode 2), G002 (1), G009 (4), G010 (5), X002 (3), C002 (2), V001 (2).
    const fxs = [h.fx.first, h.fx.gsmArrears, h.fx.noPrintRegional, h.fx.noPrintProvince, h.fx.cdma1x, h.fx.cdma, h.fx.voip];
    const modes = new Set<number>();
    for (const f of fxs) {
      const r = await h.call('cs', 'credit-level', { svcnum: f.svcnum });
      t.equal(r.result, 0, `${f.svcnum}: ${r.message}`);
      t.same(r.body, await dbCredit(f.subscrbid), `${f.svcnum}: the database rows`);
      t.equal(r.body?.acctid, String(f.acctid));
      const pt = ACCOUNT_PAY_TYPES.find((p) => p.code === r.body?.payType);
      t.ok(pt, `${f.svcnum}: pay type ${r.body?.payType} is a known one`);
      t.equal(r.body?.creditLevel, pt?.creditLevel);
      t.equal(r.body?.creditLimit, pt?.creditLimit);
      t.equal(r.body?.payTypeName, pt?.zh);
      modes.add(Number(r.body?.payType));
    }
    t.same([...modes].sort(), [1, 2, 3, 4, 5], 'every pay mode answered');
  });

  t.test('CS-09: the reply follows the database, a credit limit beyond 2^53 fen exactly', async (t) => {
    const f = h.fx.cdmaArrears;
    await h.facts.setAccountPayMode(f.acctid, 4);
    await h.facts.setCreditLimit(4, 9007199254740993n);
    const r = await h.call('cs', 'credit-level', { svcnum: f.svcnum });
    t.equal(r.result, 0, r.message);
    t.equal(r.body?.payType, 4);
    t.equal(r.body?.creditLevel, 4);
    t.equal(r.body?.creditLimit, 9007199254740993n);
    await h.facts.setCreditLimit(4, 100000);
  });

  t.test('CS-09 refusals: unknown 2001, cancelled 2004, no account 2011, pay mode without TAB_PAYTYPE row 2012, bad number 1006', async (t) => {
    t.equal((await h.call('cs', 'credit-level', { svcnum: '13000000000' })).result, 2001);
    const cancelled = await h.call('cs', 'credit-level', { svcnum: h.fx.gsmCancelled.svcnum });
    t.equal(cancelled.result, 2004, cancelled.message);
    // A pay mode whose TAB_PAYTYPE row is missing (schema B: its PAYTYPE code's row).
    const noMode = h.fx.gsmSuspended;
    await h.facts.setAccountPayMode(noMode.acctid, 5);
    const restore = await h.facts.deletePayType(5);
    try {
      const r2012 = await h.call('cs', 'credit-level', { svcnum: noMode.svcnum });
      t.equal(r2012.result, 2012, r2012.message);
      t.match(r2012.message, /付费方式 5/);
    } finally {
      await restore();
    }
    const noAcct = h.fx.noPrintOtherRegion;
    await h.facts.deleteAccount(noAcct.acctid);
    const r2011 = await h.call('cs', 'credit-level', { svcnum: noAcct.svcnum });
    t.equal(r2011.result, 2011, r2011.message);
    t.match(r2011.message, new RegExp(String(noAcct.acctid)));
    const loose = { request: [char('svcnum', 20)], response: [] };
    t.equal((await h.call('cs', 'credit-level', { svcnum: 'abc' }, { layouts: loose })).result, 1006);
  });

  t.test('CS-09 is served on the customer-service interface only (1004 elsewhere)', async (t) => {
    t.equal((await h.call('card', 'credit-level', { svcnum: h.fx.first.svcnum })).result, 1004);
  });
});
