// CS-21 emergency suspend, over a real socket against the seeded database: the status change, the
// business record queued for the switch (status 5) in the same transaction, CS-05's view of it,
// the refusals and the re-send of a serial.
import { BUSI_TYPES } from '../../src/domain/codes.js';
import { handlerSuite } from '../helpers/seeded.js';
import { busiRecords, checkRecorded, freshSubscriber, looseLayouts, subscriberState } from './acceptance-expected.js';

const TYPE = BUSI_TYPES.EMERGENCY_SUSPEND.code;

handlerSuite('CS-21 emergency-suspend', async (t, h) => {
  t.test('CS-21: an active number is suspended (status 2) and its command queued in status 5, shown by CS-05', async (t) => {
    const f = h.fx.first;
    const before = await busiRecords(h, f.subscrbid);
    const r = await h.call('cs', 'emergency-suspend', { svcnum: f.svcnum }, { operator: 'KF1001' });
    t.equal(r.result, 0, r.message);
    t.same({ busiStatus: r.body?.busiStatus, status: r.body?.status }, { busiStatus: 5, status: 2 });
    const sub = await subscriberState(h, f.subscrbid);
    t.equal(sub.status, 2, 'TAB_SUBSCRB.STATUS is 2');
    t.equal(sub.operator, 'KF1001', 'TAB_SUBSCRB.OPERATOR is the header operator');
    await checkRecorded(t, h, r.body as never, { subscrbid: f.subscrbid, svcnum: f.svcnum, busitype: TYPE, busiStatus: 5, operator: 'KF1001', param: '' });
    t.equal((await busiRecords(h, f.subscrbid)).length, before.length + 1, 'exactly one record added');
  });

  t.test('CS-21: numbers of every network (CDMA, IP Phone, CDMA1X) are suspended the same way', async (t) => {
    for (const net of ['C', 'V', 'X'] as const) {
      const s = await freshSubscriber(h, net);
      const r = await h.call('cs', 'emergency-suspend', { svcnum: s.svcnum });
      t.equal(r.result, 0, `${net} ${s.svcnum}: ${r.message}`);
      t.equal((await subscriberState(h, s.subscrbid)).status, 2);
      await checkRecorded(t, h, r.body as never, { subscrbid: s.subscrbid, svcnum: s.svcnum, busitype: TYPE, busiStatus: 5, operator: 'TEST01' });
    }
  });

  t.test('CS-21: refused 2004 with the reason from a status the table does not accept; nothing written', async (t) => {
    for (const f of [h.fx.gsmSuspended, h.fx.gsmArrears, h.fx.gsmReservedCancel]) {
      const before = await busiRecords(h, f.subscrbid);
      const state = await subscriberState(h, f.subscrbid);
      const r = await h.call('cs', 'emergency-suspend', { svcnum: f.svcnum });
      t.equal(r.result, 2004, `${f.svcnum} (status ${f.status})`);
      t.match(r.message, /当前状态为.+紧急停机只能从正常状态受理/, 'the reason names the current status and the accepted one');
      t.same(await busiRecords(h, f.subscrbid), before, 'no record');
      t.same(await subscriberState(h, f.subscrbid), state, 'status unchanged');
    }
    const c = await h.call('cs', 'emergency-suspend', { svcnum: h.fx.gsmCancelled.svcnum });
    t.equal(c.result, 2004, 'a cancelled number');
    t.match(c.message, /已销户/);
  });

  t.test('CS-21: an unknown number is 2001, a malformed one 1006', async (t) => {
    const u = await h.call('cs', 'emergency-suspend', { svcnum: '13990000000' });
    t.equal(u.result, 2001, u.message);
    // The client checks requests itself: sent with the rules stripped, the gateway answers 1006.
    const bad = await h.call('cs', 'emergency-suspend', { svcnum: '1399A' }, { layouts: looseLayouts('emergency-suspend') });
    t.equal(bad.result, 1006, bad.message);
    t.match(bad.message, /svcnum/);
  });

  t.test('CS-21: the same number suspended by several requests at once: exactly one is accepted, one command queued', async (t) => {
    const s = await freshSubscriber(h, 'G');
    const before = await busiRecords(h, s.subscrbid);
    // Pipelined on one connection: the gateway runs them concurrently (units of one or several commit batches).
    const replies = await Promise.all(Array.from({ length: 6 }, () => h.call('cs', 'emergency-suspend', { svcnum: s.svcnum })));
    t.same(replies.map((r) => r.result).sort(), [0, 2004, 2004, 2004, 2004, 2004], replies.map((r) => r.message).join(' / '));
    const added = (await busiRecords(h, s.subscrbid)).slice(before.length);
    t.same(added.map((x) => [String(x.busisn), x.busitype, x.status]), [[replies.find((r) => r.result === 0)?.body?.busisn, TYPE, 5]], 'one record, the accepted one');
    t.equal((await subscriberState(h, s.subscrbid)).status, 2);
  });

  t.test('CS-21: a request re-sent with the same serial gets the same reply; one record, one status change', async (t) => {
    const s = await freshSubscriber(h, 'G');
    const before = await busiRecords(h, s.subscrbid);
    const serial = 'CS21-RESEND-1';
    const a = await h.call('cs', 'emergency-suspend', { svcnum: s.svcnum }, { serial });
    t.equal(a.result, 0, a.message);
    const state = await subscriberState(h, s.subscrbid);
    const b = await h.call('cs', 'emergency-suspend', { svcnum: s.svcnum }, { serial });
    t.same({ result: b.result, body: b.body }, { result: a.result, body: a.body }, 'the same reply (not a 2004 for the now-suspended number)');
    const after = await busiRecords(h, s.subscrbid);
    t.equal(after.length, before.length + 1, 'one USR_BUSI_RECORD row');
    t.equal(after.filter((x) => x.busitype === TYPE && x.status === 5).length, 1, 'one queued command');
    t.same(await subscriberState(h, s.subscrbid), state, 'one status change');
    // A new serial is a new request: the table refuses it from status 2.
    const c = await h.call('cs', 'emergency-suspend', { svcnum: s.svcnum }, { serial: `${serial}-2` });
    t.equal(c.result, 2004);
  });
});
