// CS-26 cancel the reservation, over a real socket against the seeded database: status 1 and the
// IMSI-MDN re-enabling command queued (status 5) in one transaction, CS-05's view of it, the
// refusals and the re-send of a serial; CS-25 then CS-26 on one number.
import { BUSI_TYPES } from '../../src/domain/codes.js';
import { handlerSuite } from '../helpers/seeded.js';
import { busiRecords, checkRecorded, freshSubscriber, looseLayouts, subscriberState } from './acceptance-expected.js';

const TYPE = BUSI_TYPES.UNRESERVE_CANCEL.code;

handlerSuite('CS-26 cancellation-unreserve', async (t, h) => {
  t.test('CS-26: a reserved number is active again (status 1), the command queued in status 5, shown by CS-05', async (t) => {
    const f = h.fx.gsmReservedCancel;
    const before = await busiRecords(h, f.subscrbid);
    const r = await h.call('cs', 'cancellation-unreserve', { svcnum: f.svcnum }, { operator: 'KF2002' });
    t.equal(r.result, 0, r.message);
    t.same({ busiStatus: r.body?.busiStatus, status: r.body?.status }, { busiStatus: 5, status: 1 });
    const sub = await subscriberState(h, f.subscrbid);
    t.same({ status: sub.status, operator: sub.operator }, { status: 1, operator: 'KF2002' });
    await checkRecorded(t, h, r.body as never, { subscrbid: f.subscrbid, svcnum: f.svcnum, busitype: TYPE, busiStatus: 5, operator: 'KF2002', param: '' });
    t.equal((await busiRecords(h, f.subscrbid)).length, before.length + 1, 'exactly one record added');
  });

  t.test('CS-26: CS-25 then CS-26 on one number: two commands queued in order, status back to 1', async (t) => {
    const s = await freshSubscriber(h, 'V');
    const a = await h.call('cs', 'cancellation-reserve', { svcnum: s.svcnum });
    t.equal(a.result, 0, a.message);
    const b = await h.call('cs', 'cancellation-unreserve', { svcnum: s.svcnum });
    t.equal(b.result, 0, b.message);
    t.ok(BigInt(String(b.body?.busisn)) > BigInt(String(a.body?.busisn)), 'the later command has the later BUSISN (queue order)');
    const recs = (await busiRecords(h, s.subscrbid)).slice(-2);
    t.same(recs.map((x) => [x.busitype, x.status]), [[BUSI_TYPES.RESERVE_CANCEL.code, 5], [TYPE, 5]]);
    t.equal((await subscriberState(h, s.subscrbid)).status, 1);
  });

  t.test('CS-26: refused 2004 with the reason from every status but 4; nothing written', async (t) => {
    for (const f of [h.fx.first, h.fx.gsmSuspended, h.fx.gsmArrears, h.fx.gsmCancelled]) {
      const before = await busiRecords(h, f.subscrbid);
      const state = await subscriberState(h, f.subscrbid);
      const r = await h.call('cs', 'cancellation-unreserve', { svcnum: f.svcnum });
      t.equal(r.result, 2004, `${f.svcnum} (status ${f.status})`);
      if (f.status !== 5) t.match(r.message, /取消销户预约只能从预约销户状态受理/);
      t.same(await busiRecords(h, f.subscrbid), before, 'no record');
      t.same(await subscriberState(h, f.subscrbid), state, 'status unchanged');
    }
  });

  t.test('CS-26: an unknown number is 2001, a malformed one 1006', async (t) => {
    t.equal((await h.call('cs', 'cancellation-unreserve', { svcnum: '13990000000' })).result, 2001);
    const bad = await h.call('cs', 'cancellation-unreserve', { svcnum: '12' }, { layouts: looseLayouts('cancellation-unreserve') });
    t.equal(bad.result, 1006, bad.message);
  });

  t.test('CS-26: a request re-sent with the same serial gets the same reply; one record, one status change', async (t) => {
    const s = await freshSubscriber(h, 'G', 4);
    const before = await busiRecords(h, s.subscrbid);
    const a = await h.call('cs', 'cancellation-unreserve', { svcnum: s.svcnum }, { serial: 'CS26-RESEND-1' });
    t.equal(a.result, 0, a.message);
    const state = await subscriberState(h, s.subscrbid);
    const b = await h.call('cs', 'cancellation-unreserve', { svcnum: s.svcnum }, { serial: 'CS26-RESEND-1' });
    t.same({ result: b.result, body: b.body }, { result: a.result, body: a.body }, 'the same reply');
    t.equal((await busiRecords(h, s.subscrbid)).length, before.length + 1, 'one USR_BUSI_RECORD row');
    t.same(await subscriberState(h, s.subscrbid), state, 'one status change');
  });
});
