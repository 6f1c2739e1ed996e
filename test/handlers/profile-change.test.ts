// CS-20 profile change, over a real socket against the seeded database: only address, contact
// phone, post code and e-mail change; empty = unchanged, `clear` empties; the record (status 1,
// PARAM naming the changed fields, never their values); refusals and the re-send of a serial.
import { BUSI_TYPES } from '../../src/domain/codes.js';
import { handlerSuite, type Harness } from '../helpers/seeded.js';
import { busiRecords, checkRecorded, freshSubscriber, looseLayouts, str, subscriberState } from './acceptance-expected.js';

const TYPE = BUSI_TYPES.PROFILE_CHANGE.code;
const EMPTY = { address: '', contactNum: '', postCode: '', email: '', clear: 0 };

/** Every column CS-20 must leave alone, and the four it may change (NULL kept apart from ''). */
async function row(h: Harness, subscrbid: number) {
  const r = (await h.facts.subscriber(subscrbid))!;
  const v = (x: unknown) => (x === null ? null : String(x).trimEnd());
  return {
    fixed: { svcnum: v(r.svcnum), custname: v(r.custname), idtype: v(r.idtype), idnum: v(r.idnum), prcpln: v(r.prcpln), status: Number(r.status), svcpwd: v(r.svcpwd), imsi: v(r.imsi), simcardid: v(r.simcardid) },
    address: v(r.address),
    contactnum: v(r.contactnum),
    postcode: v(r.postcode),
    email: v(r.email),
  };
}

handlerSuite('CS-20 profile-change', async (t, h) => {
  t.test('CS-20: the given fields change, the empty ones stay; the record (status 1) names what changed; CS-03 and CS-05 show it', async (t) => {
    const s = await freshSubscriber(h, 'G');
    await h.facts.setSubscriber(s.subscrbid, { address: '青海省西宁市城中区南大街12号', contactnum: '13812345678', postcode: '810000', email: null });
    const before = await row(h, s.subscrbid);
    const r = await h.call('cs', 'profile-change', { ...EMPTY, svcnum: s.svcnum, address: '青海省西宁市城西区五四大街8号', email: 'wu.jp@example.cn' }, { operator: 'KF1001' });
    t.equal(r.result, 0, r.message);
    t.same({ busiStatus: r.body?.busiStatus, status: r.body?.status }, { busiStatus: 1, status: 1 }, 'recorded, no switch command; status unchanged');
    const after = await row(h, s.subscrbid);
    t.same(after, { ...before, address: '青海省西宁市城西区五四大街8号', email: 'wu.jp@example.cn' }, 'address and e-mail changed, everything else as it was');
    t.equal((await subscriberState(h, s.subscrbid)).operator, 'KF1001', 'TAB_SUBSCRB.OPERATOR');
    await checkRecorded(t, h, r.body as never, { subscrbid: s.subscrbid, svcnum: s.svcnum, busitype: TYPE, busiStatus: 1, operator: 'KF1001', param: '资料更改: 地址, 电子邮件' });
    const p = await h.call('cs', 'profile', { svcnum: s.svcnum });
    t.same([p.body?.address, p.body?.email, p.body?.contactNum, p.body?.postCode], ['青海省西宁市城西区五四大街8号', 'wu.jp@example.cn', '13812345678', '810000'], 'CS-03 answers the new profile');
  });

  t.test('CS-20: clear empties a field (NULL); a value equal to the stored one is not listed as changed', async (t) => {
    const s = await freshSubscriber(h, 'C');
    await h.facts.setSubscriber(s.subscrbid, { contactnum: '13897000000', postcode: '810000' });
    const before = await row(h, s.subscrbid);
    const r = await h.call('cs', 'profile-change', { ...EMPTY, svcnum: s.svcnum, contactNum: '0971-8123456', postCode: '', clear: 4 });
    t.equal(r.result, 0, r.message);
    const after = await row(h, s.subscrbid);
    t.same(after, { ...before, contactnum: '0971-8123456', postcode: null }, 'contact changed, post code NULL');
    t.equal((await busiRecords(h, s.subscrbid)).at(-1)?.param, '资料更改: 联系电话; 清除: 邮编');
    const same = await h.call('cs', 'profile-change', { ...EMPTY, svcnum: s.svcnum, contactNum: '0971-8123456' });
    t.equal(same.result, 0, same.message);
    t.equal((await busiRecords(h, s.subscrbid)).at(-1)?.param, '资料更改: 无变化', 'recorded, nothing listed');
    t.same(await row(h, s.subscrbid), after);
  });

  t.test('CS-20: accepted while suspended, arrears-suspended and reserved; refused 2004 when cancelled', async (t) => {
    for (const f of [h.fx.gsmSuspended, h.fx.gsmArrears, h.fx.gsmReservedCancel]) {
      const r = await h.call('cs', 'profile-change', { ...EMPTY, svcnum: f.svcnum, postCode: '816000' });
      t.equal(r.result, 0, `${f.svcnum} (status ${f.status}): ${r.message}`);
      t.equal(r.body?.status, f.status, 'status unchanged');
      t.equal((await row(h, f.subscrbid)).postcode, '816000');
    }
    const c = await h.call('cs', 'profile-change', { ...EMPTY, svcnum: h.fx.gsmCancelled.svcnum, postCode: '816000' });
    t.equal(c.result, 2004, c.message);
  });

  t.test('CS-20: bad field values are 1006 and change nothing; an unknown number is 2001', async (t) => {
    const f = h.fx.first;
    const before = await row(h, f.subscrbid);
    const records = await busiRecords(h, f.subscrbid);
    const cases: [Record<string, string | number>, RegExp][] = [
      [{}, /没有要修改的资料/],
      [{ address: '   ' }, /没有要修改的资料/],
      [{ email: 'not-an-address' }, /email/],
      [{ email: 'a@b@c.cn' }, /email/],
      [{ postCode: '810000', clear: 4 }, /postCode: 同时给出新值和清除/],
      [{ address: '西宁', clear: 1 }, /address/],
    ];
    for (const [body, why] of cases) {
      const r = await h.call('cs', 'profile-change', { ...EMPTY, svcnum: f.svcnum, ...body });
      t.equal(r.result, 1006, `${JSON.stringify(body)}: ${r.message}`);
      t.match(r.message, why);
    }
    const loose = looseLayouts('profile-change');
    for (const body of [{ postCode: '81000A' }, { contactNum: '+86 139' }, { clear: 16 }]) {
      const r = await h.call('cs', 'profile-change', { ...EMPTY, svcnum: f.svcnum, ...body }, { layouts: loose });
      t.equal(r.result, 1006, `${JSON.stringify(body)}: ${r.message}`);
    }
    const long = await h.call('cs', 'profile-change', { ...EMPTY, svcnum: f.svcnum, address: '长'.repeat(101) }, { layouts: { request: loose.request.map((x) => (x.name === 'address' ? { name: 'address', type: 'text' } : x)), response: loose.response } });
    t.equal(long.result, 1006, `an address of 202 bytes: ${long.message}`);
    t.same(await row(h, f.subscrbid), before, 'profile unchanged');
    t.same(await busiRecords(h, f.subscrbid), records, 'no record');
    t.equal((await h.call('cs', 'profile-change', { ...EMPTY, svcnum: '13990000000', postCode: '810000' })).result, 2001);
  });

  t.test('CS-20: a request re-sent with the same serial gets the same reply and one record', async (t) => {
    const s = await freshSubscriber(h, 'G');
    const before = await busiRecords(h, s.subscrbid);
    const body = { ...EMPTY, svcnum: s.svcnum, email: 'resend@example.cn' };
    const a = await h.call('cs', 'profile-change', body, { serial: 'CS20-RESEND-1' });
    t.equal(a.result, 0, a.message);
    const b = await h.call('cs', 'profile-change', body, { serial: 'CS20-RESEND-1' });
    t.same({ result: b.result, body: b.body }, { result: a.result, body: a.body }, 'the same reply');
    t.equal((await busiRecords(h, s.subscrbid)).length, before.length + 1, 'one USR_BUSI_RECORD row');
    t.equal(str((await row(h, s.subscrbid)).email), 'resend@example.cn');
  });
});
