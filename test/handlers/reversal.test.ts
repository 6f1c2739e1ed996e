// PC-04 reversal over a real socket against the seeded database: the rows it writes, exactly once,
// the tombstone of an unknown original, and the status rule.
import { BUSI_TYPES } from '../../src/domain/codes.js';
import { handlerSuite } from '../helpers/seeded.js';
import { accountState, big, busiRecords, payRow, serial, subscriberStatus } from './card-expected.js';

handlerSuite('PC-04 reversal', async (t, h) => {
  const pay = async (svcnum: string, amount: bigint) => {
    const ser = serial('P4P');
    const r = await h.call('card', 'payment', { svcnum, amount }, { serial: ser });
    if (r.result !== 0) throw new Error(`payment: ${r.result} ${r.message}`);
    return { ser, reply: r };
  };

  t.test('PC-04: the reversal row, the payment marked reversed, deposit and ACCT_BALANCE back to the fen', async (t) => {
    const f = h.fx.first;
    const before = await accountState(h, f.acctid);
    const { ser } = await pay(f.svcnum, 4321n);
    const rser = serial('P4R');
    const r = await h.call('card', 'reversal', { svcnum: f.svcnum, origSerial: ser }, { serial: rser });
    t.equal(r.result, 0, r.message);
    const after = await accountState(h, f.acctid);
    t.equal(after.balance, before.balance, 'ACCT_BALANCE as before the payment');
    t.equal(after.deposit?.balance, before.deposit!.balance, 'deposit balance as before');
    t.equal(after.deposit?.totalIn, before.deposit!.totalIn + 4321n, 'TOTAL_IN keeps the payment');
    t.equal(after.deposit?.totalOut, before.deposit!.totalOut + 4321n, 'TOTAL_OUT has the reversal');
    t.equal(after.pays, before.pays + 2, 'two TAB_PAY rows: the payment and its reversal');
    t.equal(after.deposits, before.deposits + 2, 'two deposit rows');
    const orig = await payRow(h, 'card', ser);
    const rev = await payRow(h, 'card', rser);
    t.equal(Number(orig.status), 2, 'the payment is marked reversed');
    t.equal(big(orig.amount), 4321n, 'and keeps its amount (never edited)');
    t.equal(String(orig.reversed_by), String(rev.paysn), 'REVERSED_BY names the reversal');
    t.equal(Number(rev.status), 3, 'the reversal record');
    t.equal(big(rev.amount), -4321n, 'with the negated amount');
    t.equal(String(rev.orig_paysn), String(orig.paysn), 'ORIG_PAYSN names the payment');
    t.equal(Number(rev.paymode), 15);
    const dep = (await h.facts.depositOf(big(rev.paysn)))!;
    t.equal(big(dep.amount), -4321n, 'the negative deposit row');
    t.same(r.body, {
      amount: 4321n,
      origPaysn: String(orig.paysn),
      paysn: String(rev.paysn),
      acctid: String(f.acctid),
      balance: after.balance,
      realtimeBalance: (await h.call('cs', 'realtime-totals', { svcnum: f.svcnum })).body?.realtimeBalance,
      status: 1,
      resumed: 0,
    });
    const line = (await h.logLines('card', 'suc_query')).map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.serial === rser);
    t.equal(String(line?.amount), '-4321', 'suc_query.MMDD has the reversal');
  });

  t.test('PC-04: exactly once — a second reversal under another serial is 2009 and changes nothing', async (t) => {
    const f = h.fx.cdma;
    const { ser } = await pay(f.svcnum, 700n);
    t.equal((await h.call('card', 'reversal', { svcnum: f.svcnum, origSerial: ser }, { serial: serial('P4S') })).result, 0);
    const mid = await accountState(h, f.acctid);
    const again = await h.call('card', 'reversal', { svcnum: f.svcnum, origSerial: ser }, { serial: serial('P4S') });
    t.equal(again.result, 2009, again.message);
    t.same(await accountState(h, f.acctid), mid, 'nothing written');
  });

  t.test('PC-04: two reversals of one payment at the same moment: one wins, the other is 2009', async (t) => {
    const f = h.fx.cdma;
    const { ser } = await pay(f.svcnum, 900n);
    const before = await accountState(h, f.acctid);
    const rs = await Promise.all([1, 2, 3].map(() => h.call('card', 'reversal', { svcnum: f.svcnum, origSerial: ser }, { serial: serial('P4T') })));
    t.same(rs.map((r) => r.result).sort(), [0, 2009, 2009]);
    t.equal((await accountState(h, f.acctid)).balance, before.balance - 900n, 'reversed once');
  });

  t.test('PC-04: an unknown original is 2008 and remembered; the payment arriving late is refused 2009, not posted', async (t) => {
    const f = h.fx.cdmaWithVoip;
    const before = await accountState(h, f.acctid);
    const late = serial('P4U');
    const r = await h.call('card', 'reversal', { svcnum: f.svcnum, origSerial: late }, { serial: serial('P4V') });
    t.equal(r.result, 2008, r.message);
    const tomb = await payRow(h, 'card', late);
    t.ok(tomb, 'a tombstone in the original serial\'s place');
    t.equal(Number(tomb.status), 3);
    t.equal(big(tomb.amount), 0n);
    t.equal(tomb.orig_paysn, null);
    const mid = await accountState(h, f.acctid);
    t.equal(mid.balance, before.balance, 'no money moved');
    t.equal(mid.deposits, before.deposits, 'no deposit row');
    const again = await h.call('card', 'reversal', { svcnum: f.svcnum, origSerial: late }, { serial: serial('P4V') });
    t.equal(again.result, 2008, 'another reversal of it: still 2008');
    const p = await h.call('card', 'payment', { svcnum: f.svcnum, amount: 5000n }, { serial: late });
    t.equal(p.result, 2009, p.message);
    const after = await accountState(h, f.acctid);
    t.equal(after.balance, before.balance, 'the late payment was not posted');
    t.equal(after.pays, before.pays + 1, 'only the tombstone row');
  });

  t.test('PC-04: a serial that is not a payment of this number is 2008', async (t) => {
    const { ser } = await pay(h.fx.first.svcnum, 100n);
    const other = await h.call('card', 'reversal', { svcnum: h.fx.cdma.svcnum, origSerial: ser }, { serial: serial('P4W') });
    t.equal(other.result, 2008, `another number's payment: ${other.message}`);
    const rser = serial('P4W');
    t.equal((await h.call('card', 'reversal', { svcnum: h.fx.first.svcnum, origSerial: ser }, { serial: rser })).result, 0);
    const ofRev = await h.call('card', 'reversal', { svcnum: h.fx.first.svcnum, origSerial: rser }, { serial: serial('P4W') });
    t.equal(ofRev.result, 2008, `a reversal's serial: ${ofRev.message}`);
  });

  t.test('PC-04: a reversal driving the balance negative does not suspend; the same status rule resumes', async (t) => {
    const f = h.fx.gsmArrears;
    const recs0 = (await busiRecords(h, f.subscrbid)).length;
    const { ser, reply } = await pay(f.svcnum, 50000n);
    t.equal(reply.body?.resumed, 1, 'the payment resumed the line');
    const r = await h.call('card', 'reversal', { svcnum: f.svcnum, origSerial: ser }, { serial: serial('P4X') });
    t.equal(r.result, 0, r.message);
    t.ok((r.body?.balance as bigint) < 0n, `balance ${r.body?.balance} below zero again`);
    t.equal(r.body?.status, 1, 'still active: suspension is the nightly arrears run\'s');
    t.equal(await subscriberStatus(h, f.subscrbid), 1);
    t.equal((await busiRecords(h, f.subscrbid)).length, recs0 + 1, 'only the resume record: no suspension command');

    // The rule itself: arrears-suspended and the real-time balance above zero after the reversal.
    const g = h.fx.cdmaArrears;
    await h.facts.setBalance(g.acctid, 900000n);
    const paid = await pay(g.svcnum, 1000n);
    t.equal(paid.reply.body?.resumed, 1, 'resumed by the payment');
    await h.facts.setSubscriber(g.subscrbid, { status: 3 });
    const recs = (await busiRecords(h, g.subscrbid)).length;
    const rr = await h.call('card', 'reversal', { svcnum: g.svcnum, origSerial: paid.ser }, { serial: serial('P4Y') });
    t.equal(rr.result, 0, rr.message);
    t.equal(rr.body?.resumed, 1, 'real-time balance above zero after the reversal: resumed');
    t.equal(await subscriberStatus(h, g.subscrbid), 1);
    const all = await busiRecords(h, g.subscrbid);
    t.equal(all.length, recs + 1);
    t.equal(Number(all[all.length - 1].busitype), BUSI_TYPES.PAYMENT_RESUME.code);
  });

  t.test('PC-04 refusals: unknown number 2001 (no tombstone), cancelled 2004', async (t) => {
    const ser = serial('P4Z');
    t.equal((await h.call('card', 'reversal', { svcnum: '13000000000', origSerial: ser }, { serial: serial('P4Z') })).result, 2001);
    t.notOk(await payRow(h, 'card', ser), 'nothing remembered for a number we do not have');
    t.equal((await h.call('card', 'reversal', { svcnum: h.fx.gsmCancelled.svcnum, origSerial: ser }, { serial: serial('P4Z') })).result, 2004);
  });
});
