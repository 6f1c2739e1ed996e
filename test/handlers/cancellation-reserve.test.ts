// CS-25 cancellation reservation, over a real socket against the seeded database: status 4 and
// the IMSI-MDN disabling command queued (status 5) in one transaction, CS-05's view of it, the
// refusals and the re-send of a serial.
import { BUSI_TYPES } from '../../src/domain/codes.js';
import { handlerSuite } from '../helpers/seeded.js';
import { busiRecords, checkRecorded, freshSubscriber, looseLayouts, subscriberState } from './acceptance-expected.js';

const TYPE = BUSI_TYPES.RESERVE_CANCEL.code;

handlerSuite('CS-25 cancellation-reserve', async (t, h) => {
  t.test('CS-25: active, suspended and arrears-suspended numbers are reserved (status 4), the command queued in status 5, shown by CS-05', async (t) => {
    for (const f of [h.fx.first, h.fx.gsmSuspended, h.fx.gsmArrears, h.fx.cdmaArrears]) {
      const before = await busiRecords(h, f.subscrbid);
      const r = await h.call('cs', 'cancellation-reserve', { svcnum: f.svcnum }, { operator: 'XN0023' });
      t.equal(r.result, 0, `${f.svcnum} (status ${f.status}): ${r.message}`);
      t.same({ busiStatus: r.body?.busiStatus, status: r.body?.status }, { busiStatus: 5, status: 4 });
      const sub = await subscriberState(h, f.subscrbid);
      t.same({ status: sub.status, operator: sub.operator }, { status: 4, operator: 'XN0023' }, 'TAB_SUBSCRB status 4, by the header operator');
      await checkRecorded(t, h, r.body as never, { subscrbid: f.subscrbid, svcnum: f.svcnum, busitype: TYPE, busiStatus: 5, operator: 'XN0023', param: '' });
      t.equal((await busiRecords(h, f.subscrbid)).length, before.length + 1, 'exactly one record added');
    }
  });

  t.test('CS-25: refused 2004 with the reason when already reserved or cancelled; nothing written', async (t) => {
    const f = h.fx.gsmReservedCancel;
    const before = await busiRecords(h, f.subscrbid);
    const state = await subscriberState(h, f.subscrbid);
    const r = await h.call('cs', 'cancellation-reserve', { svcnum: f.svcnum });
    t.equal(r.result, 2004);
    t.match(r.message, /当前状态为预约销户，销户预约只能从正常\/报停\/欠费停机状态受理/);
    t.same(await busiRecords(h, f.subscrbid), before, 'no record');
    t.same(await subscriberState(h, f.subscrbid), state, 'status unchanged');
    t.equal((await h.call('cs', 'cancellation-reserve', { svcnum: h.fx.gsmCancelled.svcnum })).result, 2004, 'cancelled');
  });

  t.test('CS-25: an unknown number is 2001, a malformed one 1006', async (t) => {
    t.equal((await h.call('cs', 'cancellation-reserve', { svcnum: '13990000000' })).result, 2001);
    const bad = await h.call('cs', 'cancellation-reserve', { svcnum: '' }, { layouts: looseLayouts('cancellation-reserve') });
    t.equal(bad.result, 1006, bad.message);
  });

  t.test('CS-25: a request re-sent with the same serial gets the same reply; one record, one status change', async (t) => {
    const s = await freshSubscriber(h, 'C');
    const before = await busiRecords(h, s.subscrbid);
    const a = await h.call('cs', 'cancellation-reserve', { svcnum: s.svcnum }, { serial: 'CS25-RESEND-1' });
    t.equal(a.result, 0, a.message);
    const state = await subscriberState(h, s.subscrbid);
    const b = await h.call('cs', 'cancellation-reserve', { svcnum: s.svcnum }, { serial: 'CS25-RESEND-1' });
    t.same({ result: b.result, body: b.body }, { result: a.result, body: a.body }, 'the same reply');
    t.equal((await busiRecords(h, s.subscrbid)).length, before.length + 1, 'one USR_BUSI_RECORD row');
    t.same(await subscriberState(h, s.subscrbid), state, 'one status change');
  });
});
