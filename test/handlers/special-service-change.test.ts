// CS-24 special-service change, over a real socket against the seeded database: TAB_SRVG, the
// USR_BUSI_SRVG change and the switch command (USR_BUSI_RECORD status 5, PARAM `<SRVGID> <param>`)
// in one transaction; CS-04 and CS-05 show them; refusals and the re-send of a serial.
import { BUSI_TYPES } from '../../src/domain/codes.js';
import { handlerSuite, type Harness } from '../helpers/seeded.js';
import { busiRecords, checkRecorded, freshSubscriber, looseLayouts, str } from './acceptance-expected.js';

const { SRVG_ADD, SRVG_REMOVE, SRVG_MODIFY } = BUSI_TYPES;

async function srvg(h: Harness, subscrbid: number, srvgid: string) {
  const r = (await h.facts.services(subscrbid)).find((x) => x.srvgid === srvgid);
  return r && { param: str(r.param), status: Number(r.status), started: r.startdate, ended: r.enddate === null ? null : r.enddate };
}

async function busiSrvg(h: Harness, busisn: string) {
  const rows = await h.sql<Record<string, unknown>>('SELECT SUBSCRBID, SVCNUM, SRVGID, ACTION, PARAM, OPERATOR FROM USR_BUSI_SRVG WHERE BUSISN = :b', { b: BigInt(busisn) });
  return rows.map((r) => ({ subscrbid: Number(r.subscrbid), svcnum: str(r.svcnum), srvgid: str(r.srvgid), action: str(r.action), param: str(r.param), operator: str(r.operator) }));
}

handlerSuite('CS-24 special-service-change', async (t, h) => {
  t.test('CS-24: add, modify and remove call forwarding: TAB_SRVG, USR_BUSI_SRVG, the queued command and CS-04/CS-05', async (t) => {
    const s = await freshSubscriber(h, 'G');
    await h.facts.deleteServices(s.subscrbid, ['CFB']);
    const steps = [
      { action: 'A', param: '13897012345', type: SRVG_ADD.code, status: 1 },
      { action: 'M', param: '13897054321', type: SRVG_MODIFY.code, status: 1 },
      { action: 'D', param: '', type: SRVG_REMOVE.code, status: 0 },
      { action: 'A', param: '13897000009', type: SRVG_ADD.code, status: 1 },
    ];
    for (const st of steps) {
      const r = await h.call('cs', 'special-service-change', { svcnum: s.svcnum, srvgid: 'CFB', action: st.action, param: st.param }, { operator: 'KF1001' });
      t.equal(r.result, 0, `${st.action}: ${r.message}`);
      t.same({ busitype: r.body?.busitype, busiStatus: r.body?.busiStatus, status: r.body?.status }, { busitype: st.type, busiStatus: 5, status: 1 }, `${st.action}: the reply`);
      const want = st.action === 'D' ? 'CFB' : `CFB ${st.param}`;
      await checkRecorded(t, h, r.body as never, { subscrbid: s.subscrbid, svcnum: s.svcnum, busitype: st.type, busiStatus: 5, operator: 'KF1001', param: want });
      t.same(await busiSrvg(h, String(r.body?.busisn)), [{ subscrbid: s.subscrbid, svcnum: s.svcnum, srvgid: 'CFB', action: st.action, param: st.param, operator: 'KF1001' }], `${st.action}: USR_BUSI_SRVG under the same BUSISN`);
      const row = await srvg(h, s.subscrbid, 'CFB');
      t.equal(row?.status, st.status, `${st.action}: TAB_SRVG.STATUS`);
      if (st.action !== 'D') t.equal(row?.param, st.param, `${st.action}: TAB_SRVG.PARAM`);
      t.equal(row?.ended === null, st.status === 1, `${st.action}: ENDDATE ${st.status === 1 ? 'cleared' : 'set'}`);
      // CS-04 lists the service as it is now and this change first.
      const q = await h.call('cs', 'special-services', { svcnum: s.svcnum });
      const svc = (q.body?.services as { srvgid: string; status: number; param: string }[]).find((x) => x.srvgid === 'CFB');
      t.same(svc && { status: svc.status, param: svc.param }, { status: st.status, param: row?.param }, `${st.action}: CS-04 services`);
      const first = (q.body?.changes as { busisn: string; action: string }[])[0];
      t.same(first && { busisn: first.busisn, action: first.action }, { busisn: r.body?.busisn, action: st.action }, `${st.action}: CS-04 changes`);
    }
  });

  t.test('CS-24: a service without parameter (call waiting) on a CDMA number', async (t) => {
    const s = await freshSubscriber(h, 'C');
    await h.facts.deleteServices(s.subscrbid, ['CW']);
    const r = await h.call('cs', 'special-service-change', { svcnum: s.svcnum, srvgid: 'CW', action: 'A', param: '' });
    t.equal(r.result, 0, r.message);
    await checkRecorded(t, h, r.body as never, { subscrbid: s.subscrbid, svcnum: s.svcnum, busitype: SRVG_ADD.code, busiStatus: 5, operator: 'TEST01', param: 'CW' });
    t.same((await srvg(h, s.subscrbid, 'CW'))?.status, 1);
  });

  t.test('CS-24: refusals of the service state (2004) and of the parameter (1006); nothing written', async (t) => {
    const f = h.fx.first; // CFU on, with its forwarding number
    const cfu = await srvg(h, f.subscrbid, 'CFU');
    t.equal(cfu?.status, 1, 'the fixture has CFU on');
    await h.facts.deleteServices(f.subscrbid, ['CW', 'CFNRY']);
    const before = await busiRecords(h, f.subscrbid);
    const cases: [Record<string, string>, number, RegExp][] = [
      [{ srvgid: 'CFU', action: 'A', param: '13897011111' }, 2004, /已开通/],
      [{ srvgid: 'CW', action: 'D', param: '' }, 2004, /未开通/],
      [{ srvgid: 'CFNRY', action: 'M', param: '13897011111' }, 2004, /未开通/],
      [{ srvgid: 'CFU', action: 'M', param: cfu!.param }, 1006, /相同/],
      [{ srvgid: 'CFU', action: 'M', param: '' }, 1006, /需要呼转号码/],
      [{ srvgid: 'CFNRY', action: 'A', param: '' }, 1006, /需要呼转号码/],
      [{ srvgid: 'CW', action: 'A', param: '13897011111' }, 1006, /不带参数/],
      [{ srvgid: 'CFU', action: 'D', param: '13897011111' }, 1006, /不带参数/],
      [{ srvgid: 'CLIP', action: 'M', param: '' }, 1006, /没有可修改的参数/],
    ];
    for (const [body, code, why] of cases) {
      const r = await h.call('cs', 'special-service-change', { svcnum: f.svcnum, ...body });
      t.equal(r.result, code, `${body.action} ${body.srvgid}: ${r.message}`);
      t.match(r.message, why);
    }
    const loose = looseLayouts('special-service-change');
    for (const body of [{ srvgid: 'XYZ', action: 'A', param: '' }, { srvgid: 'CFU', action: 'X', param: '' }, { srvgid: 'CFU', action: 'M', param: '1389A' }]) {
      const r = await h.call('cs', 'special-service-change', { svcnum: f.svcnum, ...body }, { layouts: loose });
      t.equal(r.result, 1006, `${JSON.stringify(body)}: ${r.message}`);
    }
    t.same(await busiRecords(h, f.subscrbid), before, 'no business record');
    t.same(await srvg(h, f.subscrbid, 'CFU'), cfu, 'TAB_SRVG unchanged');
    t.equal((await h.call('cs', 'special-service-change', { svcnum: '13990000000', srvgid: 'CW', action: 'A', param: '' })).result, 2001, 'unknown number');
  });

  t.test('CS-24: the status table: add only while active, remove also while suspended', async (t) => {
    const sus = h.fx.gsmSuspended;
    await h.facts.deleteServices(sus.subscrbid, ['IDD']);
    const add = await h.call('cs', 'special-service-change', { svcnum: sus.svcnum, srvgid: 'IDD', action: 'A', param: '' });
    t.equal(add.result, 2004);
    t.match(add.message, /特服开通只能从正常状态受理/);
    await h.facts.insertService(sus.subscrbid, { srvgid: 'IDD', param: null, status: 1, startdate: new Date(2024, 0, 1), enddate: null });
    const rm = await h.call('cs', 'special-service-change', { svcnum: sus.svcnum, srvgid: 'IDD', action: 'D', param: '' });
    t.equal(rm.result, 0, rm.message);
    t.equal(rm.body?.status, 2, 'the subscriber stays suspended');
    t.equal((await srvg(h, sus.subscrbid, 'IDD'))?.status, 0);
  });

  t.test('CS-24: the same service added by several requests at once: one accepted, one row, one change, one command', async (t) => {
    const s = await freshSubscriber(h, 'G');
    await h.facts.deleteServices(s.subscrbid, ['CFNRY']);
    const before = await busiRecords(h, s.subscrbid);
    const replies = await Promise.all(
      Array.from({ length: 5 }, (_, k) => h.call('cs', 'special-service-change', { svcnum: s.svcnum, srvgid: 'CFNRY', action: 'A', param: `1389700000${k}` })),
    );
    t.same(replies.map((r) => r.result).sort(), [0, 2004, 2004, 2004, 2004], replies.map((r) => r.message).join(' / '));
    const won = replies.find((r) => r.result === 0)!;
    t.equal((await busiRecords(h, s.subscrbid)).length, before.length + 1, 'one business record');
    const n = await h.sql<Record<string, unknown>>("SELECT COUNT(*) AS N FROM USR_BUSI_SRVG WHERE SUBSCRBID = :s AND SRVGID = 'CFNRY'", { s: s.subscrbid });
    t.equal(Number(n[0].n), 1, 'one USR_BUSI_SRVG row');
    t.equal((await busiSrvg(h, String(won.body?.busisn)))[0]?.param, (await srvg(h, s.subscrbid, 'CFNRY'))?.param, 'TAB_SRVG holds the accepted one');
  });

  t.test('CS-24: a request re-sent with the same serial gets the same reply; one record, one change', async (t) => {
    const s = await freshSubscriber(h, 'G');
    await h.facts.deleteServices(s.subscrbid, ['ROAMI']);
    const body = { svcnum: s.svcnum, srvgid: 'ROAMI', action: 'A', param: '' };
    const before = await busiRecords(h, s.subscrbid);
    const a = await h.call('cs', 'special-service-change', body, { serial: 'CS24-RESEND-1' });
    t.equal(a.result, 0, a.message);
    const b = await h.call('cs', 'special-service-change', body, { serial: 'CS24-RESEND-1' });
    t.same({ result: b.result, body: b.body }, { result: a.result, body: a.body }, 'the same reply (not 2004 already on)');
    t.equal((await busiRecords(h, s.subscrbid)).length, before.length + 1, 'one USR_BUSI_RECORD row');
    const n = await h.sql<Record<string, unknown>>("SELECT COUNT(*) AS N FROM USR_BUSI_SRVG WHERE SUBSCRBID = :s AND SRVGID = 'ROAMI'", { s: s.subscrbid });
    t.equal(Number(n[0].n), 1, 'one USR_BUSI_SRVG row');
  });
});
