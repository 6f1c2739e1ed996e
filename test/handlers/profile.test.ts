// CS-03 profile and VO-02 IP Phone profile, over a real socket against the seeded database.
import { char } from '../../protocol/fields.js';
import { formatDateTime } from '../../src/time.js';
import { handlerSuite } from '../helpers/seeded.js';

/** A time as h.sql returns it (a Date, or SQLite's 'YYYY-MM-DD HH:MM:SS' text) in wire form. */
const wire = (v: unknown): string => (v instanceof Date ? formatDateTime(v) : v === null ? '' : String(v).replace(/\D/g, '').slice(0, 14));
const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v).trimEnd());

interface SubRow {
  subscrbid: unknown; custid: unknown; acctid: unknown; nettype: string; status: unknown; statusdate: unknown; opendate: unknown;
  region: string; prcpln: string; prcplnname: string | null; custname: string; idtype: string; idnum: string; address: string | null;
  contactnum: string | null; postcode: string | null; email: string | null; imsi: string | null; simcardid: string | null; cardnum: string | null; svcpwd: string;
}

handlerSuite('CS-03 VO-02 profile', async (t, h) => {
  const dbRow = async (subscrbid: number): Promise<SubRow> => {
    return (await h.facts.subscriber(subscrbid))!;
  };
  const expected = (r: SubRow) => ({
    subscrbid: String(r.subscrbid),
    custid: String(r.custid),
    acctid: String(r.acctid),
    nettype: str(r.nettype),
    status: Number(r.status),
    statusDate: wire(r.statusdate),
    openDate: wire(r.opendate),
    region: str(r.region),
    prcpln: str(r.prcpln),
    prcplnName: str(r.prcplnname),
    custName: str(r.custname),
    idType: str(r.idtype),
    idNum: str(r.idnum),
    address: str(r.address),
    contactNum: str(r.contactnum),
    postCode: str(r.postcode),
    email: str(r.email),
    imsi: str(r.imsi),
    simcardid: str(r.simcardid),
    cardnum: str(r.cardnum),
  });

  t.test('CS-03: answers every profile field TAB_SUBSCRB holds, with the TAB_PRCPLN name, on every network', async (t) => {
    for (const f of [h.fx.first, h.fx.gsmArrears, h.fx.gsmReservedCancel, h.fx.cdma, h.fx.voip, h.fx.cdma1x]) {
      const r = await h.call('cs', 'profile', { svcnum: f.svcnum });
      t.equal(r.result, 0, `${f.svcnum}: ${r.message}`);
      const row = await dbRow(f.subscrbid);
      t.same(r.body, expected(row), `${f.svcnum}: the database row`);
      // And against the demo's own facts, so a query reading the wrong row cannot pass.
      t.equal(r.body?.subscrbid, String(f.subscrbid));
      t.equal(r.body?.custName, f.custName, `${f.svcnum}: GBK name intact`);
      t.equal(r.body?.idNum, f.idNum);
      t.equal(r.body?.status, f.status);
      t.equal(r.body?.nettype, f.nettype);
      t.equal(r.body?.prcpln, f.prcpln);
      t.ok(String(r.body?.prcplnName).length > 0, `${f.svcnum}: plan name ${r.body?.prcplnName}`);
      t.match(r.body?.openDate, /^\d{14}$/);
      t.match(r.body?.statusDate, /^\d{14}$/);
    }
    const first = await h.call('cs', 'profile', { svcnum: h.fx.first.svcnum });
    t.equal(first.body?.prcplnName, '全球通标准套餐');
    t.match(first.body?.address, /^青海省西宁市/);
    t.equal(first.body?.simcardid, h.fx.first.simcardid);
  });

  t.test('CS-03: the service password is never part of the reply', async (t) => {
    const f = h.fx.first;
    const r = await h.call('cs', 'profile', { svcnum: f.svcnum });
    const row = await dbRow(f.subscrbid);
    const values = Object.values(r.body ?? {}).map(String);
    t.notOk(Object.keys(r.body ?? {}).some((k) => /pwd|password/i.test(k)), 'no password field');
    t.notOk(values.includes(f.password), 'the plain password is not in the reply');
    t.notOk(values.some((v) => v.includes(row.svcpwd)), 'the stored password is not in the reply');
  });

  t.test('CS-03: NULL columns follow the NULL rule; a plan missing from TAB_PRCPLN gives an empty name', async (t) => {
    const f = h.fx.noPrintOtherRegion;
    // VOIP numbers have no IMSI or SIM; the demo leaves e-mail NULL.
    const v = await h.call('cs', 'profile', { svcnum: h.fx.voip.svcnum });
    t.equal(v.body?.imsi, '');
    t.equal(v.body?.simcardid, '');
    t.equal(v.body?.email, '');
    t.equal(v.body?.cardnum, h.fx.voip.cardnum);
    await h.facts.setSubscriber(f.subscrbid, { address: null, contactnum: null, postcode: null, email: 'kefu@qh.example.cn', prcpln: 'G999' });
    const r = await h.call('cs', 'profile', { svcnum: f.svcnum });
    t.equal(r.result, 0, r.message);
    t.equal(r.body?.address, '');
    t.equal(r.body?.contactNum, '');
    t.equal(r.body?.postCode, '');
    t.equal(r.body?.email, 'kefu@qh.example.cn');
    t.equal(r.body?.prcpln, 'G999');
    t.equal(r.body?.prcplnName, '');
    t.same(r.body, expected(await dbRow(f.subscrbid)));
  });

  t.test('CS-03: a 200-byte Chinese address travels whole', async (t) => {
    const f = h.fx.noPrintRegional;
    const address = '青海省西宁市城中区南大街'.repeat(9).slice(0, 100); // 100 characters = 200 GBK bytes
    await h.facts.setSubscriber(f.subscrbid, { address });
    const r = await h.call('cs', 'profile', { svcnum: f.svcnum });
    t.equal(r.body?.address, address);
  });

  t.test('VO-02: answers an IP Phone number with the same fields', async (t) => {
    const f = h.fx.voip;
    const r = await h.call('cs', 'voip-profile', { svcnum: f.svcnum });
    t.equal(r.result, 0, r.message);
    t.same(r.body, expected(await dbRow(f.subscrbid)));
    t.equal(r.body?.nettype, 'V');
    t.equal(r.body?.cardnum, f.cardnum);
    t.same(r.body, (await h.call('cs', 'profile', { svcnum: f.svcnum })).body, 'the same reply as CS-03');
  });

  t.test('VO-02 refusals: a number of another network 2001 with the reason, unknown 2001, cancelled 2004', async (t) => {
    for (const f of [h.fx.first, h.fx.cdmaWithVoip, h.fx.cdma1x]) {
      const r = await h.call('cs', 'voip-profile', { svcnum: f.svcnum });
      t.equal(r.result, 2001, `${f.svcnum} (${f.nettype})`);
      t.match(r.message, /不是IP电话用户/);
    }
    t.equal((await h.call('cs', 'voip-profile', { svcnum: '097189999999' })).result, 2001);
    await h.facts.setSubscriber(h.fx.voip.subscrbid, { status: 5 });
    const cancelled = await h.call('cs', 'voip-profile', { svcnum: h.fx.voip.svcnum });
    t.equal(cancelled.result, 2004, cancelled.message);
    await h.facts.setSubscriber(h.fx.voip.subscrbid, { status: 1 });
    t.equal((await h.call('cs', 'voip-profile', { svcnum: h.fx.voip.svcnum })).result, 0, 'active again');
  });

  t.test('CS-03 refusals: unknown number 2001, cancelled number 2004, bad number 1006', async (t) => {
    const unknown = await h.call('cs', 'profile', { svcnum: '13000000000' });
    t.equal(unknown.result, 2001);
    t.equal(unknown.body, undefined, 'no fields after a refusal');
    const cancelled = await h.call('cs', 'profile', { svcnum: h.fx.gsmCancelled.svcnum });
    t.equal(cancelled.result, 2004, cancelled.message);
    t.match(cancelled.message, /已销户/);
    const loose = { request: [char('svcnum', 20)], response: [] };
    const bad = await h.call('cs', 'profile', { svcnum: '1390000000A' }, { layouts: loose });
    t.equal(bad.result, 1006, bad.message);
    t.match(bad.message, /svcnum/);
  });

  t.test('CS-03: a reused number answers the live subscriber, not the cancelled one', async (t) => {
    const old = h.fx.gsmCancelled;
    // Whole seconds: PostgreSQL's timestamp(0) rounds milliseconds, SQLite keeps them.
    const now = new Date(2025, 2, 3, 14, 5, 6);
    await h.facts.insertSubscriber({
      subscrbid: 199_000_001, svcnum: old.svcnum, nettype: 'G', status: 1, custid: 599_000_001, acctid: 399_000_001, region: '0971', prcpln: 'G001',
      svcpwd: 'x', custname: '新用户', idtype: '2', idnum: 'G12345678', opendate: now, statusdate: now,
    });
    const r = await h.call('cs', 'profile', { svcnum: old.svcnum });
    t.equal(r.result, 0, r.message);
    t.equal(r.body?.subscrbid, '199000001');
    t.equal(r.body?.custName, '新用户');
    t.equal(r.body?.idType, '2');
    t.equal(r.body?.openDate, formatDateTime(now));
    await h.facts.deleteSubscriber(199_000_001);
  });

  t.test('CS-03 and VO-02 are served on the customer-service interface only (1004 elsewhere)', async (t) => {
    t.equal((await h.call('card', 'profile', { svcnum: h.fx.first.svcnum })).result, 1004);
    t.equal((await h.call('print', 'voip-profile', { svcnum: h.fx.voip.svcnum })).result, 1004);
  });
});
