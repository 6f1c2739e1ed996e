// CS-08 status query, over a real socket against the seeded database.
import { char } from '../../protocol/fields.js';
import { SUBSCRIBER_STATUS } from '../../src/domain/codes.js';
import { formatDateTime } from '../../src/time.js';
import { handlerSuite } from '../helpers/seeded.js';

const wire = (v: unknown): string => (v instanceof Date ? formatDateTime(v) : String(v).replace(/\D/g, '').slice(0, 14));
const MEANING = new Map<number, string>(Object.values(SUBSCRIBER_STATUS).map((s) => [s.code, s.zh]));

handlerSuite('CS-08 status', async (t, h) => {
  const dbStatus = async (subscrbid: number) => {
    const row = (await h.facts.subscriber(subscrbid))!;
    return { nettype: row.nettype.trim(), status: Number(row.status), statusDate: wire(row.statusdate), statusText: MEANING.get(Number(row.status)) };
  };

  t.test('CS-08: answers the status TAB_SUBSCRB holds, its date and meaning, for each status 1–5', async (t) => {
    const fxs = [h.fx.first, h.fx.gsmSuspended, h.fx.gsmArrears, h.fx.gsmReservedCancel, h.fx.gsmCancelled, h.fx.cdmaArrears, h.fx.voip, h.fx.cdma1x];
    const seen = new Set<number>();
    for (const f of fxs) {
      const r = await h.call('cs', 'status', { svcnum: f.svcnum });
      t.equal(r.result, 0, `${f.svcnum}: ${r.message}`);
      t.same(r.body, await dbStatus(f.subscrbid), `${f.svcnum}: the database row`);
      t.equal(r.body?.status, f.status, `${f.svcnum}: the fixture status`);
      t.equal(r.body?.nettype, f.nettype);
      t.match(r.body?.statusDate, /^\d{14}$/);
      seen.add(Number(r.body?.status));
    }
    t.same([...seen].sort(), [1, 2, 3, 4, 5], 'every status answered');
    const arrears = await h.call('cs', 'status', { svcnum: h.fx.gsmArrears.svcnum });
    t.equal(arrears.body?.statusText, '欠费停机');
  });

  t.test('CS-08: a cancelled number is answered (status 5 已销户), not refused', async (t) => {
    const r = await h.call('cs', 'status', { svcnum: h.fx.gsmCancelled.svcnum });
    t.equal(r.result, 0, r.message);
    t.equal(r.body?.status, 5);
    t.equal(r.body?.statusText, '已销户');
  });

  t.test('CS-08: the reply follows a status change', async (t) => {
    const f = h.fx.cdma;
    const when = new Date(2024, 4, 28, 1, 30, 0);
    await h.facts.setSubscriber(f.subscrbid, { status: 2, statusdate: when });
    const r = await h.call('cs', 'status', { svcnum: f.svcnum });
    t.same(r.body, { nettype: 'C', status: 2, statusDate: '20240528013000', statusText: '报停' });
    await h.facts.setSubscriber(f.subscrbid, { status: 1 });
    t.equal((await h.call('cs', 'status', { svcnum: f.svcnum })).body?.status, 1);
  });

  t.test('CS-08: a number reused after cancellation answers the live subscriber', async (t) => {
    const old = h.fx.gsmCancelled;
    const opened = new Date(2025, 0, 2, 9, 0, 0);
    await h.facts.insertSubscriber({
      subscrbid: 199_000_002, svcnum: old.svcnum, nettype: 'G', status: 1, custid: 599_000_002, acctid: 399_000_002, region: '0971', prcpln: 'G001',
      svcpwd: 'x', custname: '新用户', idtype: '1', idnum: '630102199001011234', opendate: opened, statusdate: opened,
    });
    const r = await h.call('cs', 'status', { svcnum: old.svcnum });
    t.same(r.body, { nettype: 'G', status: 1, statusDate: '20250102090000', statusText: '正常' });
    await h.facts.deleteSubscriber(199_000_002);
    t.equal((await h.call('cs', 'status', { svcnum: old.svcnum })).body?.status, 5, 'the cancelled row again');
  });

  t.test('CS-08 refusals: unknown number 2001, bad number 1006', async (t) => {
    const unknown = await h.call('cs', 'status', { svcnum: '13000000000' });
    t.equal(unknown.result, 2001);
    t.match(unknown.message, /无此用户: 13000000000/);
    t.equal(unknown.body, undefined);
    const loose = { request: [char('svcnum', 20)], response: [] };
    const bad = await h.call('cs', 'status', { svcnum: '12' }, { layouts: loose });
    t.equal(bad.result, 1006, bad.message);
  });

  t.test('CS-08 is served on the customer-service interface only (1004 elsewhere)', async (t) => {
    t.equal((await h.call('print', 'status', { svcnum: h.fx.first.svcnum })).result, 1004);
  });
});
