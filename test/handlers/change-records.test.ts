// CS-05 change records, over a real socket against the seeded database.
import { char, u16, u32 } from '../../protocol/fields.js';
import { formatDateTime } from '../../src/time.js';
import { handlerSuite } from '../helpers/seeded.js';

const wire = (v: unknown): string => (v instanceof Date ? formatDateTime(v) : v === null ? '' : String(v).replace(/\D/g, '').slice(0, 14));
const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v).trimEnd());
const big = (v: unknown): bigint => BigInt(String(v));

interface BusiRow { busisn: unknown; busitype: unknown; status: unknown; param: string | null; operator: string; created: unknown; executed: unknown; result: string | null }
type Item = { busisn: string; busitype: number; busiStatus: number; param: string; operator: string; created: string; executed: string; result: string };

handlerSuite('CS-05 change-records', async (t, h) => {
  /** Every record of the subscriber, in the documented order (sorted here, not by the SQL under test). */
  const expected = async (subscrbid: number): Promise<Item[]> => {
    const rows = await h.sql<BusiRow>('SELECT BUSISN, BUSITYPE, STATUS, PARAM, OPERATOR, CREATED, EXECUTED, RESULT FROM USR_BUSI_RECORD WHERE SUBSCRBID = :s', { s: subscrbid });
    return rows
      .map((r) => ({
        busisn: String(r.busisn), busitype: Number(r.busitype), busiStatus: Number(r.status), param: str(r.param), operator: str(r.operator),
        created: wire(r.created), executed: wire(r.executed), result: str(r.result),
      }))
      .sort((a, b) => b.created.localeCompare(a.created) || (big(b.busisn) > big(a.busisn) ? 1 : -1));
  };
  const addRecord = (f: { subscrbid: number; svcnum: string; region: string; nettype: string }, busisn: number, type: number, status: number, created: Date, extra: { param?: string; executed?: Date; result?: string } = {}) =>
    h.sql(
      `INSERT INTO USR_BUSI_RECORD (BUSISN, SUBSCRBID, SVCNUM, BUSITYPE, STATUS, REGION, NETTYPE, IMSI, PARAM, OPERATOR, CREATED, EXECUTED, RESULT)
       VALUES (:b, :s, :n, :t, :st, :r, :net, NULL, :p, :o, :c, :e, :res)`,
      { b: busisn, s: f.subscrbid, n: f.svcnum, t: type, st: status, r: f.region, net: f.nettype, p: extra.param ?? null, o: 'KF1002', c: created, e: extra.executed ?? null, res: extra.result ?? null },
    );

  t.test('CS-05: answers every USR_BUSI_RECORD row of the number, newest first, with the total', async (t) => {
    for (const f of [h.fx.first, h.fx.gsmArrears, h.fx.gsmSuspended, h.fx.gsmReservedCancel, h.fx.cdma, h.fx.voip, h.fx.cdma1x]) {
      const r = await h.call('cs', 'change-records', { offset: 0, limit: 64, svcnum: f.svcnum });
      t.equal(r.result, 0, `${f.svcnum}: ${r.message}`);
      const all = await expected(f.subscrbid);
      t.ok(all.length >= 1, `${f.svcnum} has records`);
      t.same(r.body, { total: all.length, items: all.slice(0, 64) }, `${f.svcnum}: the database rows`);
    }
    // The opening record of every demo subscriber: 开户, executed, with its time.
    const r = await h.call('cs', 'change-records', { offset: 0, limit: 64, svcnum: h.fx.gsmSuspended.svcnum });
    const items = r.body?.items as Item[];
    const open = items.find((i) => i.busitype === 1);
    t.equal(open?.busiStatus, 7);
    t.match(open?.param, /^开户 G001$/);
    t.match(open?.executed, /^\d{14}$/);
    t.ok(items.some((i) => i.busitype === 11), 'the suspended fixture has its emergency suspend record');
  });

  t.test('CS-05: a queued command shows status 5 without an execution time, then the OC-03 result (7, 8)', async (t) => {
    const f = h.fx.first;
    const at = new Date(2031, 2, 3, 10, 0, 0);
    await addRecord(f, 93000001, 11, 5, at, { param: '紧急停机' });
    let r = await h.call('cs', 'change-records', { offset: 0, limit: 1, svcnum: f.svcnum });
    t.same((r.body?.items as Item[])[0], { busisn: '93000001', busitype: 11, busiStatus: 5, param: '紧急停机', operator: 'KF1002', created: '20310303100000', executed: '', result: '' });
    await h.sql('UPDATE USR_BUSI_RECORD SET STATUS = 6 WHERE BUSISN = :b', { b: 93000001 });
    r = await h.call('cs', 'change-records', { offset: 0, limit: 1, svcnum: f.svcnum });
    t.equal((r.body?.items as Item[])[0].busiStatus, 6);
    await h.sql('UPDATE USR_BUSI_RECORD SET STATUS = 8, EXECUTED = :e, RESULT = :res WHERE BUSISN = :b', { b: 93000001, e: new Date(2031, 2, 3, 10, 0, 42), res: 'HLR返回错误: 用户数据不存在' });
    r = await h.call('cs', 'change-records', { offset: 0, limit: 1, svcnum: f.svcnum });
    t.same((r.body?.items as Item[])[0], { busisn: '93000001', busitype: 11, busiStatus: 8, param: '紧急停机', operator: 'KF1002', created: '20310303100000', executed: '20310303100042', result: 'HLR返回错误: 用户数据不存在' });
    await h.sql('UPDATE USR_BUSI_RECORD SET STATUS = 7, RESULT = :res WHERE BUSISN = :b', { b: 93000001, res: '执行成功' });
    r = await h.call('cs', 'change-records', { offset: 0, limit: 1, svcnum: f.svcnum });
    t.equal((r.body?.items as Item[])[0].busiStatus, 7);
    t.equal((r.body?.items as Item[])[0].result, '执行成功');
  });

  t.test('CS-05: pages cover every record exactly once; ties on time broken by BUSISN; a larger limit is answered with 64', async (t) => {
    const f = h.fx.cdma1x;
    // 80 more records, in pairs with the same time.
    for (let k = 0; k < 80; k++) await addRecord(f, 94000000 + k, 41, 1, new Date(2030, 0, 1, 0, 0, Math.floor(k / 2)), { param: `资料更改 ${k}` });
    const all = await expected(f.subscrbid);
    t.ok(all.length > 80);
    const got: Item[] = [];
    for (let offset = 0; ; ) {
      const r = await h.call('cs', 'change-records', { offset, limit: 30, svcnum: f.svcnum });
      t.equal(r.result, 0, r.message);
      t.equal(r.body?.total, all.length);
      const items = r.body?.items as Item[];
      if (items.length === 0) break;
      t.ok(items.length <= 30);
      got.push(...items);
      offset += items.length;
    }
    t.same(got, all, 'the pages together are every record, in order');
    t.same(got.slice(0, 2).map((i) => i.busisn), ['94000079', '94000078'], 'same CREATED: the larger BUSISN first');
    const big = await h.call('cs', 'change-records', { offset: 0, limit: 65535, svcnum: f.svcnum });
    t.equal((big.body?.items as Item[]).length, 64, 'at most 64 a page');
    const past = await h.call('cs', 'change-records', { offset: 100000, limit: 10, svcnum: f.svcnum });
    t.same(past.body, { total: all.length, items: [] }, 'an offset past the end: the total and no records');
  });

  t.test('CS-05: a cancelled number is answered: its history, the cancellation included', async (t) => {
    const f = h.fx.gsmCancelled;
    const r = await h.call('cs', 'change-records', { offset: 0, limit: 64, svcnum: f.svcnum });
    t.equal(r.result, 0, r.message);
    const all = await expected(f.subscrbid);
    t.same(r.body, { total: all.length, items: all });
    t.ok((r.body?.items as Item[]).some((i) => i.busitype === 2 && i.busiStatus === 7), 'the cancellation (销户) is among them');
  });

  t.test('CS-05 refusals: unknown number 2001, bad number 1006, limit 0 1006', async (t) => {
    t.equal((await h.call('cs', 'change-records', { offset: 0, limit: 10, svcnum: '13000000000' })).result, 2001);
    const loose = { request: [u32('offset'), u16('limit'), char('svcnum', 20)], response: [] };
    const bad = await h.call('cs', 'change-records', { offset: 0, limit: 10, svcnum: '1390000000A' }, { layouts: loose });
    t.equal(bad.result, 1006, bad.message);
    t.match(bad.message, /svcnum/);
    const zero = await h.call('cs', 'change-records', { offset: 0, limit: 0, svcnum: h.fx.first.svcnum }, { layouts: loose });
    t.equal(zero.result, 1006, zero.message);
    t.match(zero.message, /limit/);
  });

  t.test('CS-05 is served on the customer-service interface only (1004 elsewhere)', async (t) => {
    t.equal((await h.call('sms', 'change-records', { offset: 0, limit: 1, svcnum: h.fx.first.svcnum })).result, 1004);
  });

  // Last: it gives the cancelled fixture's number to a new subscriber.
  t.test('CS-05: a number that came back after cancellation shows the new owner\'s records only', async (t) => {
    const old = h.fx.gsmCancelled;
    const fresh = { subscrbid: 199000001, svcnum: old.svcnum, region: old.region, nettype: 'G' };
    await h.facts.insertSubscriber({
      subscrbid: fresh.subscrbid, svcnum: fresh.svcnum, nettype: 'G', status: 1, custid: 599000001, acctid: 399000001, region: old.region, prcpln: 'G001',
      svcpwd: '123456', custname: '新用户', idtype: '1', idnum: '630102199001011234', opendate: new Date(2031, 5, 1, 9, 0, 0), statusdate: new Date(2031, 5, 1, 9, 0, 0),
    });
    await addRecord(fresh, 95000001, 1, 7, new Date(2031, 5, 1, 9, 0, 0), { param: '开户 G001', executed: new Date(2031, 5, 1, 9, 0, 30), result: '执行成功' });
    const r = await h.call('cs', 'change-records', { offset: 0, limit: 64, svcnum: old.svcnum });
    t.equal(r.result, 0, r.message);
    t.same(r.body, { total: 1, items: await expected(fresh.subscrbid) });
    t.equal((r.body?.items as Item[])[0].busisn, '95000001');
  });
});
