// PC-05 balance inquiry for the line and PC-02 subscriber information, over a real socket against
// the seeded database.
import { handlerSuite } from '../helpers/seeded.js';
import { accountState, serial } from './card-expected.js';

handlerSuite('PC-05 card-balance, PC-02 card-subscriber-info', async (t, h) => {
  t.test('PC-05: balance, the account\'s unbilled usage and rents, real-time balance as CS-12, on/off', async (t) => {
    for (const f of [h.fx.first, h.fx.cdma, h.fx.gsmSuspended, h.fx.gsmReservedCancel, h.fx.voip, h.fx.cdma1x]) {
      const r = await h.call('card', 'card-balance', { svcnum: f.svcnum });
      t.equal(r.result, 0, `${f.svcnum}: ${r.message}`);
      const cs12 = (await h.call('cs', 'realtime-totals', { svcnum: f.svcnum })).body!;
      const st = await accountState(h, f.acctid);
      t.equal(r.body?.balance, st.balance, 'ACCT_BALANCE');
      t.equal(r.body?.cycle, cs12.cycle);
      t.equal((r.body?.usage as bigint) + (r.body?.rents as bigint), cs12.accountCharges, "usage + rents = CS-12's account charges");
      t.equal(r.body?.realtimeBalance, cs12.realtimeBalance, 'the real-time balance of CS-12');
      t.equal(r.body?.status, f.status);
      t.equal(r.body?.power, f.status === 1 ? '1' : '0', 'on only when active');
      t.equal(r.body?.resumeAmount, 0n, 'no payment needed (on), or none can switch it on (2, 4)');
    }
  });

  t.test('PC-05: the amount quoted for an arrears-suspended line is exactly the payment that resumes it', async (t) => {
    const f = h.fx.gsmArrears;
    const r = await h.call('card', 'card-balance', { svcnum: f.svcnum });
    t.equal(r.body?.power, '0');
    const need = r.body?.resumeAmount as bigint;
    t.equal(need, 1n - (r.body?.realtimeBalance as bigint), '1 − real-time balance');
    const short = await h.call('card', 'payment', { svcnum: f.svcnum, amount: need - 1n }, { serial: serial('P5A') });
    t.equal(short.body?.resumed, 0, 'one fen less does not resume');
    const after = await h.call('card', 'card-balance', { svcnum: f.svcnum });
    t.equal(after.body?.resumeAmount, 1n, 'now one fen is missing');
    const one = await h.call('card', 'payment', { svcnum: f.svcnum, amount: 1n }, { serial: serial('P5A') });
    t.equal(one.body?.resumed, 1, 'and one fen resumes');
    const on = await h.call('card', 'card-balance', { svcnum: f.svcnum });
    t.equal(on.body?.power, '1');
    t.equal(on.body?.resumeAmount, 0n);
    t.equal(on.body?.realtimeBalance, 1n);
  });

  t.test('PC-05: arrears-suspended with a real-time balance already above zero: the minimum payment', async (t) => {
    const f = h.fx.cdmaArrears;
    await h.facts.setBalance(f.acctid, 1000000n);
    const r = await h.call('card', 'card-balance', { svcnum: f.svcnum });
    t.ok((r.body?.realtimeBalance as bigint) > 0n);
    t.equal(r.body?.resumeAmount, 1n, '[card] min_amount');
  });

  t.test('PC-05 / PC-02 refusals: unknown 2001, cancelled 2004, no balance row 2011', async (t) => {
    for (const biz of ['card-balance', 'card-subscriber-info']) {
      t.equal((await h.call('card', biz, { svcnum: '13000000000' })).result, 2001, biz);
      t.equal((await h.call('card', biz, { svcnum: h.fx.gsmCancelled.svcnum })).result, 2004, biz);
    }
    await h.facts.deleteBalance(h.fx.noPrintOtherRegion.acctid);
    t.equal((await h.call('card', 'card-balance', { svcnum: h.fx.noPrintOtherRegion.svcnum })).result, 2011);
  });

  t.test('PC-02: the profile fields of the number, as TAB_SUBSCRB and TAB_PRCPLN hold them', async (t) => {
    for (const f of [h.fx.first, h.fx.gsmArrears, h.fx.cdma, h.fx.voip]) {
      const r = await h.call('card', 'card-subscriber-info', { svcnum: f.svcnum });
      t.equal(r.result, 0, r.message);
      const row = (await h.facts.subscriber(f.subscrbid))!;
      const cs03 = (await h.call('cs', 'profile', { svcnum: f.svcnum })).body!;
      t.same(r.body, {
        custName: row.custname,
        acctid: String(row.acctid),
        nettype: String(row.nettype).trim(),
        status: Number(row.status),
        region: String(row.region).trim(),
        prcpln: String(row.prcpln).trim(),
        prcplnName: row.prcplnname ?? '',
        openDate: cs03.openDate,
      }, f.svcnum);
      t.notOk('idNum' in (r.body ?? {}), 'no ID document number for a payment terminal');
    }
  });
});
