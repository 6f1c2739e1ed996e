// VO-10 IP Phone service-change records by card, over a real socket against the seeded database.
import { char } from '../../protocol/fields.js';
import { formatDateTime } from '../../src/time.js';
import { handlerSuite } from '../helpers/seeded.js';

const wire = (v: unknown): string => (v instanceof Date ? formatDateTime(v) : v === null ? '' : String(v).replace(/\D/g, '').slice(0, 14));
const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v).trimEnd());

handlerSuite('VO-10 voip-service-changes', async (t, h) => {
  const card = h.fx.voip.cardnum!;
  const counts = async (subscrbid: number) => {
    const [c] = await h.sql<{ n: unknown }>('SELECT COUNT(*) AS N FROM USR_BUSI_SRVG WHERE SUBSCRBID = :s', { s: subscrbid });
    return { services: (await h.facts.services(subscrbid)).length, changes: Number(c.n) };
  };

  t.test('VO-10: the card of a demo IP Phone subscriber without special services answers two empty lists', async (t) => {
    t.same(await counts(h.fx.voip.subscrbid), { services: 0, changes: 0 }, 'the demo gives V subscribers no TAB_SRVG rows');
    const r = await h.call('cs', 'voip-service-changes', { cardnum: card });
    t.equal(r.result, 0, r.message);
    t.same(r.body, { services: [], changeTotal: 0, changes: [] });
  });

  t.test("VO-10: answers the services and changes of the card's V subscriber, not those of the C number on the same card", async (t) => {
    const v = h.fx.voip;
    const c = h.fx.cdmaWithVoip;
    t.equal(c.cardnum, card, 'the fixture C number carries the same card');
    await h.facts.insertService(v.subscrbid, { srvgid: 'ROAMI', param: null, status: 0, startdate: new Date(2023, 1, 3, 9, 0, 0), enddate: new Date(2023, 7, 1, 0, 0, 0) });
    await h.facts.insertService(v.subscrbid, { srvgid: 'IDD', param: '00', status: 1, startdate: new Date(2024, 0, 2, 9, 0, 0), enddate: null });
    await h.facts.deleteServices(c.subscrbid, ['SMS']);
    await h.facts.insertService(c.subscrbid, { srvgid: 'SMS', param: null, status: 1, startdate: new Date(2020, 0, 1, 8, 0, 0), enddate: null });
    const change = (b: number, s: typeof v, g: string, a: string, at: Date) =>
      h.sql('INSERT INTO USR_BUSI_SRVG (BUSISN, SUBSCRBID, SVCNUM, SRVGID, ACTION, PARAM, OPERATOR, CREATED) VALUES (:b, :s, :n, :g, :a, NULL, :o, :c)', {
        b, s: s.subscrbid, n: s.svcnum, g, a, o: 'XN0001', c: at,
      });
    await change(92000001, v, 'ROAMI', 'A', new Date(2023, 1, 3, 9, 0, 0));
    await change(92000002, v, 'ROAMI', 'D', new Date(2023, 7, 1, 0, 0, 0));
    await change(92000003, v, 'IDD', 'A', new Date(2024, 0, 2, 9, 0, 0));
    await change(92000004, c, 'SMS', 'A', new Date(2025, 0, 1, 8, 0, 0));

    const r = await h.call('cs', 'voip-service-changes', { cardnum: card });
    t.equal(r.result, 0, r.message);
    t.same(r.body, {
      services: [
        { srvgid: 'ROAMI', srvgname: '国际漫游', param: '', status: 0, startdate: '20230203090000', enddate: '20230801000000' },
        { srvgid: 'IDD', srvgname: '国际长途', param: '00', status: 1, startdate: '20240102090000', enddate: '' },
      ],
      changeTotal: 3,
      changes: [
        { busisn: '92000003', srvgid: 'IDD', action: 'A', param: '', operator: 'XN0001', created: '20240102090000' },
        { busisn: '92000002', srvgid: 'ROAMI', action: 'D', param: '', operator: 'XN0001', created: '20230801000000' },
        { busisn: '92000001', srvgid: 'ROAMI', action: 'A', param: '', operator: 'XN0001', created: '20230203090000' },
      ],
    });
    // And against the rows themselves: the same count and dates as the database holds.
    t.same(await counts(v.subscrbid), { services: 2, changes: 3 });
    const row = (await h.facts.services(v.subscrbid)).find((x) => x.srvgid === 'IDD')!;
    const services = r.body?.services as { startdate: string; param: string }[];
    t.equal(services[1].startdate, wire(row.startdate));
    t.equal(services[1].param, str(row.param));
    // CS-04 by the C number answers its own services, SMS among them.
    const cs04 = await h.call('cs', 'special-services', { svcnum: c.svcnum });
    t.ok((cs04.body?.services as { srvgid: string }[]).some((s) => s.srvgid === 'SMS'));
  });

  t.test('VO-10 refusals: unknown card 2001, the card of a cancelled subscriber 2004, a card number that is not digits 1006', async (t) => {
    t.equal((await h.call('cs', 'voip-service-changes', { cardnum: '1790999999999999' })).result, 2001);
    // A mobile number is not a card.
    t.equal((await h.call('cs', 'voip-service-changes', { cardnum: h.fx.first.svcnum })).result, 2001);
    const { status } = (await h.facts.subscriber(h.fx.voip.subscrbid))!;
    await h.facts.setSubscriber(h.fx.voip.subscrbid, { status: 5 });
    try {
      const cancelled = await h.call('cs', 'voip-service-changes', { cardnum: card });
      t.equal(cancelled.result, 2004, cancelled.message);
    } finally {
      await h.facts.setSubscriber(h.fx.voip.subscrbid, { status: Number(status) });
    }
    const bad = await h.call('cs', 'voip-service-changes', { cardnum: '1790ABC' }, { layouts: { request: [char('cardnum', 20)], response: [] } });
    t.equal(bad.result, 1006, bad.message);
    t.match(bad.message, /cardnum/);
  });

  t.test('VO-10 is served on the customer-service interface only (1004 elsewhere)', async (t) => {
    t.equal((await h.call('print', 'voip-service-changes', { cardnum: card })).result, 1004);
  });
});
