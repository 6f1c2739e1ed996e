// CS-04 special services, over a real socket against the seeded database.
import { char } from '../../protocol/fields.js';
import { SRVG_CODES } from '../../src/domain/codes.js';
import { formatDateTime } from '../../src/time.js';
import { handlerSuite } from '../helpers/seeded.js';

/** A time as h.sql returns it (a Date, or SQLite's 'YYYY-MM-DD HH:MM:SS' text) in wire form. */
const wire = (v: unknown): string => (v instanceof Date ? formatDateTime(v) : v === null ? '' : String(v).replace(/\D/g, '').slice(0, 14));
const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v).trimEnd());
const big = (v: unknown): bigint => BigInt(String(v));
const NAME = new Map<string, string>(Object.values(SRVG_CODES).map((c) => [c.code, c.zh]));

interface ChangeRow { busisn: unknown; srvgid: string; action: string; param: string | null; operator: string; created: unknown }

handlerSuite('CS-04 special-services', async (t, h) => {
  /** What the database holds, in the documented orders (sorted here, not by the SQL under test). */
  const expected = async (subscrbid: number) => {
    const srvg = await h.facts.services(subscrbid);
    const services = srvg
      .map((r) => ({ srvgid: str(r.srvgid), srvgname: NAME.get(str(r.srvgid)) ?? '', param: str(r.param), status: Number(r.status), startdate: wire(r.startdate), enddate: wire(r.enddate) }))
      .sort((a, b) => a.startdate.localeCompare(b.startdate) || (a.srvgid < b.srvgid ? -1 : a.srvgid > b.srvgid ? 1 : 0));
    const chg = await h.sql<ChangeRow>('SELECT BUSISN, SRVGID, ACTION, PARAM, OPERATOR, CREATED FROM USR_BUSI_SRVG WHERE SUBSCRBID = :s', { s: subscrbid });
    const changes = chg
      .map((r) => ({ busisn: String(r.busisn), srvgid: str(r.srvgid), action: str(r.action), param: str(r.param), operator: str(r.operator), created: wire(r.created) }))
      .sort((a, b) => b.created.localeCompare(a.created) || (big(b.busisn) > big(a.busisn) ? 1 : big(b.busisn) < big(a.busisn) ? -1 : 0) || (a.srvgid < b.srvgid ? -1 : 1));
    return { services, changeTotal: changes.length, changes: changes.slice(0, 200) };
  };
  const addChange = (f: { subscrbid: number; svcnum: string }, busisn: number, srvgid: string, action: string, param: string | null, created: Date) =>
    h.sql('INSERT INTO USR_BUSI_SRVG (BUSISN, SUBSCRBID, SVCNUM, SRVGID, ACTION, PARAM, OPERATOR, CREATED) VALUES (:b, :s, :n, :g, :a, :p, :o, :c)', {
      b: busisn, s: f.subscrbid, n: f.svcnum, g: srvgid, a: action, p: param, o: 'KF1001', c: created,
    });

  t.test('CS-04: answers every TAB_SRVG service and USR_BUSI_SRVG change the database holds, in the documented orders', async (t) => {
    for (const f of [h.fx.first, h.fx.gsmArrears, h.fx.gsmSuspended, h.fx.cdma, h.fx.cdmaWithVoip, h.fx.noPrintRegional]) {
      const r = await h.call('cs', 'special-services', { svcnum: f.svcnum });
      t.equal(r.result, 0, `${f.svcnum}: ${r.message}`);
      t.same(r.body, await expected(f.subscrbid), `${f.svcnum}: the database rows`);
    }
    // The demo always gives subscriber 0 unconditional forwarding, with its target number and its 'A' change.
    const first = await h.call('cs', 'special-services', { svcnum: h.fx.first.svcnum });
    const services = first.body?.services as { srvgid: string; srvgname: string; param: string; status: number }[];
    const cfu = services.find((s) => s.srvgid === 'CFU');
    t.ok(cfu, 'CFU is listed');
    t.equal(cfu?.srvgname, '无条件呼转');
    t.match(cfu?.param, /^\d{7,}$/, 'the forwarding number');
    t.equal(cfu?.status, 1);
    const changes = first.body?.changes as { srvgid: string; action: string; param: string }[];
    t.ok(changes.some((c) => c.srvgid === 'CFU' && c.action === 'A' && c.param === cfu?.param), 'its change record');
  });

  t.test('CS-04: a service switched off keeps its end date; changes of every action, newest first, ties broken by BUSISN', async (t) => {
    const f = h.fx.cdma;
    await h.facts.deleteServices(f.subscrbid, ['SMS']);
    await h.facts.insertService(f.subscrbid, { srvgid: 'SMS', param: null, status: 0, startdate: new Date(2001, 0, 2, 3, 4, 5), enddate: new Date(2030, 5, 6, 7, 8, 9) });
    const newest = new Date(2031, 0, 1, 12, 0, 0);
    await addChange(f, 90000001, 'CFB', 'A', '13897000001', newest);
    await addChange(f, 90000002, 'CFB', 'D', null, newest);
    await addChange(f, 90000003, 'CFB', 'M', '13897000002', new Date(2030, 11, 31, 23, 59, 59));
    const r = await h.call('cs', 'special-services', { svcnum: f.svcnum });
    t.equal(r.result, 0, r.message);
    t.same(r.body, await expected(f.subscrbid));
    const services = r.body?.services as { srvgid: string; status: number; startdate: string; enddate: string; param: string }[];
    t.same(services[0], { srvgid: 'SMS', srvgname: '短信', param: '', status: 0, startdate: '20010102030405', enddate: '20300606070809' }, 'the oldest service first, switched off');
    const changes = r.body?.changes as { busisn: string; action: string }[];
    t.same(changes.slice(0, 3).map((c) => [c.busisn, c.action]), [['90000002', 'D'], ['90000001', 'A'], ['90000003', 'M']]);
  });

  t.test('CS-04: only the newest 200 changes are sent; changeTotal counts them all', async (t) => {
    const f = h.fx.noPrintProvince;
    const before = (await expected(f.subscrbid)).changeTotal;
    for (let k = 0; k < 210; k++) await addChange(f, 91000000 + k, 'CW', k % 2 ? 'A' : 'D', null, new Date(2030, 0, 1, 0, 0, k));
    const r = await h.call('cs', 'special-services', { svcnum: f.svcnum });
    t.equal(r.result, 0, r.message);
    t.equal(r.body?.changeTotal, before + 210);
    const changes = r.body?.changes as { busisn: string; created: string }[];
    t.equal(changes.length, 200);
    t.equal(changes[0].busisn, '91000209', 'the newest first');
    t.same(r.body, await expected(f.subscrbid));
  });

  t.test('CS-04 refusals: unknown number 2001, cancelled number 2004, bad number 1006', async (t) => {
    t.equal((await h.call('cs', 'special-services', { svcnum: '13000000000' })).result, 2001);
    const cancelled = await h.call('cs', 'special-services', { svcnum: h.fx.gsmCancelled.svcnum });
    t.equal(cancelled.result, 2004, cancelled.message);
    t.match(cancelled.message, /已销户/);
    const bad = await h.call('cs', 'special-services', { svcnum: '1390000000A' }, { layouts: { request: [char('svcnum', 20)], response: [] } });
    t.equal(bad.result, 1006, bad.message);
  });

  t.test('CS-04 is served on the customer-service interface only (1004 elsewhere)', async (t) => {
    t.equal((await h.call('card', 'special-services', { svcnum: h.fx.first.svcnum })).result, 1004);
  });
});
