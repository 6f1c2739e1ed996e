// CS-23 conditional resume, over a real socket against the seeded database: from suspended (2)
// always, from arrears-suspended (3) only when the real-time balance is above zero; the status
// change and the resume command queued (status 5) in one transaction; CS-05's view; refusals; the
// re-send of a serial.
import { BUSI_TYPES } from '../../src/domain/codes.js';
import { cycleOf, handlerSuite, type Harness } from '../helpers/seeded.js';
import { busiRecords, checkRecorded, freshSubscriber, looseLayouts, subscriberState } from './acceptance-expected.js';

const TYPE = BUSI_TYPES.CONDITIONAL_RESUME.code;

/** This cycle's unbilled usage and rents of an account, straight from the tables. */
async function unbilled(h: Harness, acctid: number): Promise<bigint> {
  const cycle = cycleOf(new Date());
  const c = await h.facts.accountCharges(acctid, cycle);
  return c.usage + c.rents;
}

const setBalance = (h: Harness, acctid: number, fen: bigint) => h.facts.setBalance(acctid, fen);

handlerSuite('CS-23 conditional-resume', async (t, h) => {
  t.test('CS-23: a suspended number (2) is resumed (status 1), the command queued in status 5, shown by CS-05', async (t) => {
    const f = h.fx.gsmSuspended;
    const before = await busiRecords(h, f.subscrbid);
    const r = await h.call('cs', 'conditional-resume', { svcnum: f.svcnum }, { operator: 'KF1001' });
    t.equal(r.result, 0, r.message);
    t.same({ busiStatus: r.body?.busiStatus, status: r.body?.status }, { busiStatus: 5, status: 1 });
    const sub = await subscriberState(h, f.subscrbid);
    t.same({ status: sub.status, operator: sub.operator }, { status: 1, operator: 'KF1001' });
    await checkRecorded(t, h, r.body as never, { subscrbid: f.subscrbid, svcnum: f.svcnum, busitype: TYPE, busiStatus: 5, operator: 'KF1001', param: '' });
    t.equal((await busiRecords(h, f.subscrbid)).length, before.length + 1);
  });

  t.test('CS-23: arrears-suspended (3): refused 2004 at or below zero real-time balance, resumed above it', async (t) => {
    const f = h.fx.gsmArrears;
    t.equal(f.status, 3);
    const owed = await unbilled(h, f.acctid);
    const before = await busiRecords(h, f.subscrbid);
    // The fixture's own balance is negative.
    const neg = await h.call('cs', 'conditional-resume', { svcnum: f.svcnum });
    t.equal(neg.result, 2004, neg.message);
    t.match(neg.message, /欠费停机, 实时余额 -\d+\.\d\d 元/);
    // Balance exactly covering the unbilled fees: real-time balance 0, still refused.
    await setBalance(h, f.acctid, owed);
    const zero = await h.call('cs', 'conditional-resume', { svcnum: f.svcnum });
    t.equal(zero.result, 2004, zero.message);
    t.match(zero.message, /实时余额 0\.00 元/);
    t.same(await busiRecords(h, f.subscrbid), before, 'no record');
    t.equal((await subscriberState(h, f.subscrbid)).status, 3, 'still arrears-suspended');
    // One fen above: resumed, the balance recorded.
    await setBalance(h, f.acctid, owed + 1n);
    const ok = await h.call('cs', 'conditional-resume', { svcnum: f.svcnum });
    t.equal(ok.result, 0, ok.message);
    t.equal((await subscriberState(h, f.subscrbid)).status, 1);
    await checkRecorded(t, h, ok.body as never, { subscrbid: f.subscrbid, svcnum: f.svcnum, busitype: TYPE, busiStatus: 5, operator: 'TEST01', param: '实时余额 0.01元' });
  });

  t.test('CS-23: the unbilled fees count: a positive balance eaten by this cycle\'s fees is refused', async (t) => {
    const s = await freshSubscriber(h, 'C', 3);
    const cycle = cycleOf(new Date());
    await h.facts.deleteFees({ acctid: s.acctid }, cycle);
    await h.facts.insertUsage({ subscrbid: s.subscrbid, acctid: s.acctid, svcnum: s.svcnum, cycle, item: 101, amount: 5000n, updated: new Date() });
    await setBalance(h, s.acctid, 4000n);
    const r = await h.call('cs', 'conditional-resume', { svcnum: s.svcnum });
    t.equal(r.result, 2004, r.message);
    t.match(r.message, /实时余额 -10\.00 元 \(余额 40\.00 元, 本月未出账费用 50\.00 元\)/);
    await setBalance(h, s.acctid, 6000n);
    const ok = await h.call('cs', 'conditional-resume', { svcnum: s.svcnum });
    t.equal(ok.result, 0, ok.message);
    t.equal((await busiRecords(h, s.subscrbid)).at(-1)?.param, '实时余额 10.00元');
  });

  t.test('CS-23: refused 2004 from active, reserved and cancelled; 2011 without a balance row; 2001 unknown; 1006 malformed', async (t) => {
    for (const f of [h.fx.first, h.fx.gsmReservedCancel, h.fx.gsmCancelled]) {
      const before = await busiRecords(h, f.subscrbid);
      const r = await h.call('cs', 'conditional-resume', { svcnum: f.svcnum });
      t.equal(r.result, 2004, `${f.svcnum} (status ${f.status}): ${r.message}`);
      if (f.status !== 5) t.match(r.message, /有条件开机只能从报停\/欠费停机状态受理/);
      t.same(await busiRecords(h, f.subscrbid), before);
    }
    const s = await freshSubscriber(h, 'G', 3);
    await h.facts.deleteBalance(s.acctid);
    t.equal((await h.call('cs', 'conditional-resume', { svcnum: s.svcnum })).result, 2011);
    t.equal((await subscriberState(h, s.subscrbid)).status, 3);
    t.equal((await h.call('cs', 'conditional-resume', { svcnum: '13990000000' })).result, 2001);
    t.equal((await h.call('cs', 'conditional-resume', { svcnum: 'x' }, { layouts: looseLayouts('conditional-resume') })).result, 1006);
  });

  t.test('CS-23: CS-21 then CS-23 on one number: suspend and resume commands queued in order', async (t) => {
    const s = await freshSubscriber(h, 'X');
    const a = await h.call('cs', 'emergency-suspend', { svcnum: s.svcnum });
    const b = await h.call('cs', 'conditional-resume', { svcnum: s.svcnum });
    t.same([a.result, b.result], [0, 0], `${a.message} / ${b.message}`);
    const recs = (await busiRecords(h, s.subscrbid)).slice(-2);
    t.same(recs.map((x) => [String(x.busisn), x.busitype, x.status]), [[a.body?.busisn, BUSI_TYPES.EMERGENCY_SUSPEND.code, 5], [b.body?.busisn, TYPE, 5]]);
    t.equal((await subscriberState(h, s.subscrbid)).status, 1);
  });

  t.test('CS-23: a request re-sent with the same serial gets the same reply; one record, one status change', async (t) => {
    const s = await freshSubscriber(h, 'G', 2);
    const before = await busiRecords(h, s.subscrbid);
    const a = await h.call('cs', 'conditional-resume', { svcnum: s.svcnum }, { serial: 'CS23-RESEND-1' });
    t.equal(a.result, 0, a.message);
    const state = await subscriberState(h, s.subscrbid);
    const b = await h.call('cs', 'conditional-resume', { svcnum: s.svcnum }, { serial: 'CS23-RESEND-1' });
    t.same({ result: b.result, body: b.body }, { result: a.result, body: a.body }, 'the same reply');
    t.equal((await busiRecords(h, s.subscrbid)).length, before.length + 1, 'one USR_BUSI_RECORD row');
    t.same(await subscriberState(h, s.subscrbid), state, 'one status change');
  });
});
