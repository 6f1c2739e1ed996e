// PC-03 payment over a real socket against the seeded database: every table it writes, to the fen.
import { BUSI_TYPES } from '../../src/domain/codes.js';
import { char, money } from '../../protocol/fields.js';
import { handlerSuite } from '../helpers/seeded.js';
import { accountState, big, busiRecords, payRow, serial, subscriberStatus } from './card-expected.js';

handlerSuite('PC-03 payment', async (t, h) => {
  t.test('PC-03: TAB_PAY (PAYMODE 15), the deposit row and totals and ACCT_BALANCE change by exactly the amount, in one unit', async (t) => {
    const f = h.fx.first;
    const before = await accountState(h, f.acctid);
    const ser = serial('P3A');
    const r = await h.call('card', 'payment', { svcnum: f.svcnum, amount: 12345n }, { serial: ser });
    t.equal(r.result, 0, r.message);
    const after = await accountState(h, f.acctid);
    t.equal(after.balance, before.balance + 12345n, 'ACCT_BALANCE to the fen');
    t.equal(after.deposit?.balance, before.deposit!.balance + 12345n, 'TAB_ACCOUNTPREDEPOSITDTAL.BALANCE');
    t.equal(after.deposit?.totalIn, before.deposit!.totalIn + 12345n, 'TOTAL_IN');
    t.equal(after.deposit?.totalOut, before.deposit!.totalOut, 'TOTAL_OUT unchanged');
    t.equal(after.pays, before.pays + 1, 'one TAB_PAY row');
    t.equal(after.deposits, before.deposits + 1, 'one TAB_ACCOUNTPREDEPOSIT row');
    const row = await payRow(h, 'card', ser);
    t.ok(row, 'the row under SOURCE = the card client, SERIAL = the header serial');
    t.equal(Number(row.paymode), 15);
    t.equal(big(row.amount), 12345n);
    t.equal(Number(row.status), 1);
    t.equal(String(row.svcnum).trim(), f.svcnum);
    t.equal(Number(row.subscrbid), f.subscrbid);
    t.equal(row.orig_paysn, null);
    const dep = (await h.facts.depositOf(big(row.paysn)))!;
    t.equal(big(dep.amount), 12345n, 'the deposit row of that PAYSN');
    t.same(r.body, {
      amount: 12345n,
      paysn: String(row.paysn),
      acctid: String(f.acctid),
      balance: after.balance,
      realtimeBalance: (await h.call('cs', 'realtime-totals', { svcnum: f.svcnum })).body?.realtimeBalance,
      status: 1,
      resumed: 0,
    }, 'the reply: the new balance and the real-time balance as CS-12 computes it');
    const lines = await h.logLines('card', 'suc_query');
    const line = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.serial === ser);
    t.ok(line, 'a suc_query.MMDD line for the posting');
    t.equal(line?.svcnum, f.svcnum);
    t.equal(String(line?.amount), '12345');
    t.equal(String(line?.balance), String(after.balance), 'with the new balance');
    t.equal(line?.client, 'card');
    t.ok(typeof line?.time === 'string');
  });

  t.test('PC-03: amounts outside [card] min_amount..max_amount are 2010 and write nothing', async (t) => {
    const f = h.fx.cdma;
    const before = await accountState(h, f.acctid);
    // The client refuses to send an amount below the layout's minimum: these go out unchecked.
    const loose = { request: [char('svcnum', 20), money('amount')], response: [] };
    for (const amount of [0n, -5n, 1_000_001n, 9_000_000_000n]) {
      const ser = serial('P3B');
      const r = await h.call('card', 'payment', { svcnum: f.svcnum, amount }, { serial: ser, layouts: loose });
      t.equal(r.result, 2010, `${amount}: ${r.message}`);
      t.notOk(await payRow(h, 'card', ser), 'no TAB_PAY row');
    }
    t.same(await accountState(h, f.acctid), before, 'nothing changed');
    const edge = await h.call('card', 'payment', { svcnum: f.svcnum, amount: 1_000_000n }, { serial: serial('P3C') });
    t.equal(edge.result, 0, 'the maximum itself is accepted');
    const one = await h.call('card', 'payment', { svcnum: f.svcnum, amount: 1n }, { serial: serial('P3C') });
    t.equal(one.result, 0, 'and the minimum');
    t.equal((await accountState(h, f.acctid)).balance, before.balance + 1_000_001n);
  });

  t.test('PC-03: an arrears-suspended number is resumed exactly when the real-time balance gets above zero', async (t) => {
    const f = h.fx.gsmArrears;
    t.equal(await subscriberStatus(h, f.subscrbid), 3, 'the fixture is arrears-suspended');
    const recs0 = (await busiRecords(h, f.subscrbid)).length;
    const rt0 = (await h.call('cs', 'realtime-totals', { svcnum: f.svcnum })).body?.realtimeBalance as bigint;
    t.ok(rt0 < 0n, `real-time balance ${rt0} below zero`);
    // Exactly to zero: not above it, so no resume.
    const toZero = await h.call('card', 'payment', { svcnum: f.svcnum, amount: -rt0 }, { serial: serial('P3D') });
    t.equal(toZero.result, 0, toZero.message);
    t.equal(toZero.body?.realtimeBalance, 0n);
    t.equal(toZero.body?.resumed, 0, 'zero is not above zero');
    t.equal(toZero.body?.status, 3);
    t.equal(await subscriberStatus(h, f.subscrbid), 3, 'still suspended');
    t.equal((await busiRecords(h, f.subscrbid)).length, recs0, 'no command');
    const one = await h.call('card', 'payment', { svcnum: f.svcnum, amount: 1n }, { serial: serial('P3E') });
    t.equal(one.result, 0, one.message);
    t.equal(one.body?.realtimeBalance, 1n);
    t.equal(one.body?.resumed, 1, 'one fen above zero resumes');
    t.equal(one.body?.status, 1);
    t.equal(await subscriberStatus(h, f.subscrbid), 1, 'TAB_SUBSCRB active');
    const recs = await busiRecords(h, f.subscrbid);
    t.equal(recs.length, recs0 + 1, 'one business record');
    const rec = recs[recs.length - 1];
    t.equal(Number(rec.busitype), BUSI_TYPES.PAYMENT_RESUME.code, 'the payment resume');
    t.equal(Number(rec.status), 5, 'queued for the switch');
    t.match(rec.param, `PAYSN=${one.body?.paysn}`);
    const more = await h.call('card', 'payment', { svcnum: f.svcnum, amount: 500n }, { serial: serial('P3F') });
    t.equal(more.body?.resumed, 0, 'an active number gets no second command');
    t.equal((await busiRecords(h, f.subscrbid)).length, recs0 + 1);
  });

  t.test('PC-03: a suspended-on-request (2) or reserved number is paid but never resumed by a payment', async (t) => {
    for (const f of [h.fx.gsmSuspended, h.fx.gsmReservedCancel]) {
      const st = await subscriberStatus(h, f.subscrbid);
      const recs0 = (await busiRecords(h, f.subscrbid)).length;
      const r = await h.call('card', 'payment', { svcnum: f.svcnum, amount: 100000n }, { serial: serial('P3G') });
      t.equal(r.result, 0, r.message);
      t.equal(r.body?.resumed, 0);
      t.equal(await subscriberStatus(h, f.subscrbid), st, 'status unchanged');
      t.equal((await busiRecords(h, f.subscrbid)).length, recs0);
    }
  });

  t.test('PC-03 refusals: unknown number 2001, cancelled 2004, no balance row 2011 — nothing written', async (t) => {
    let ser = serial('P3H');
    t.equal((await h.call('card', 'payment', { svcnum: '13000000000', amount: 100n }, { serial: ser })).result, 2001);
    t.notOk(await payRow(h, 'card', ser));
    ser = serial('P3H');
    const c = await h.call('card', 'payment', { svcnum: h.fx.gsmCancelled.svcnum, amount: 100n }, { serial: ser });
    t.equal(c.result, 2004, c.message);
    t.notOk(await payRow(h, 'card', ser));
    const f = h.fx.noPrintOtherRegion;
    await h.facts.deleteBalance(f.acctid);
    const before = await accountState(h, f.acctid);
    ser = serial('P3H');
    t.equal((await h.call('card', 'payment', { svcnum: f.svcnum, amount: 100n }, { serial: ser })).result, 2011);
    t.notOk(await payRow(h, 'card', ser), 'rolled back');
    t.same(await accountState(h, f.acctid), before);
  });

  t.test('PC-03: concurrent payments to one account (pipelined, sharing and overlapping commits) all count, to the fen', async (t) => {
    const f = h.fx.noPrintRegional;
    const before = await accountState(h, f.acctid);
    const n = Number(process.env.PC03_CONCURRENT ?? 60);
    const amounts = Array.from({ length: n }, (_, i) => BigInt(100 + i * 7));
    const replies = await Promise.all(amounts.map((amount) => h.call('card', 'payment', { svcnum: f.svcnum, amount }, { serial: serial('P3I') })));
    t.same(replies.map((r) => r.result), amounts.map(() => 0), 'all posted');
    const total = amounts.reduce((a, b) => a + b, 0n);
    const after = await accountState(h, f.acctid);
    t.equal(after.balance, before.balance + total, 'ACCT_BALANCE exact');
    t.equal(after.deposit?.totalIn, before.deposit!.totalIn + total, 'deposit totals exact');
    t.equal(after.pays, before.pays + n);
    const balances = replies.map((r) => r.body?.balance as bigint).sort((a, b) => (a < b ? -1 : 1));
    t.equal(balances[balances.length - 1], after.balance, 'the last reply saw every payment');
    t.equal(new Set(balances).size, n, 'each reply its own balance (no two read the same state)');
  });

  t.test('PC-03 is served on the card interface only (1004 elsewhere)', async (t) => {
    t.equal((await h.call('cs', 'payment', { svcnum: h.fx.first.svcnum, amount: 100n })).result, 1004);
  });
});
