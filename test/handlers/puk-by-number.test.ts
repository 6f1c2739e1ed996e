// CS-06 PUK by phone number, over a real socket against the seeded database.
import { char } from '../../protocol/fields.js';
import { handlerSuite } from '../helpers/seeded.js';

interface CardRow { simcardid: string; imsi: string; puk: string; nettype: string; status: unknown }

handlerSuite('CS-06 puk-by-number', async (t, h) => {
  const cardOf = async (subscrbid: number): Promise<CardRow | undefined> => {
    // The subscriber's card (h.facts), then RES_MOB_CARD (the same shape in both schemas).
    const sim = (await h.facts.subscriber(subscrbid))?.simcardid;
    if (sim === null || sim === undefined) return undefined;
    const [row] = await h.sql<CardRow>('SELECT SIMCARDID, IMSI, PUK, NETTYPE, STATUS FROM RES_MOB_CARD WHERE SIMCARDID = :c', { c: sim });
    return row;
  };

  t.test('CS-06: answers the PUK RES_MOB_CARD holds for the card of the number (GSM, CDMA, CDMA1X, suspended)', async (t) => {
    for (const f of [h.fx.first, h.fx.gsmArrears, h.fx.gsmSuspended, h.fx.cdma, h.fx.cdma1x]) {
      const r = await h.call('cs', 'puk-by-number', { svcnum: f.svcnum });
      t.equal(r.result, 0, `${f.svcnum}: ${r.message}`);
      const row = await cardOf(f.subscrbid);
      t.ok(row, `${f.svcnum} has a card row`);
      t.same(r.body, { simcardid: row!.simcardid, imsi: row!.imsi, puk: row!.puk, nettype: row!.nettype.trim(), cardStatus: Number(row!.status) });
      t.equal(r.body?.simcardid, f.simcardid, 'the fixture card');
      t.equal(r.body?.puk, f.puk, 'the fixture PUK');
      t.equal(r.body?.cardStatus, 2, 'in use');
    }
    // A CDMA1X data card is a CDMA UIM.
    t.equal((await h.call('cs', 'puk-by-number', { svcnum: h.fx.cdma1x.svcnum })).body?.nettype, 'C');
  });

  t.test('CS-06: the reply follows the database (a replaced card)', async (t) => {
    const f = h.fx.noPrintOtherRegion;
    const stock = h.fx.stockSim;
    await h.facts.setSubscriber(f.subscrbid, { simcardid: stock.simcardid });
    const r = await h.call('cs', 'puk-by-number', { svcnum: f.svcnum });
    t.equal(r.result, 0, r.message);
    t.equal(r.body?.simcardid, stock.simcardid);
    t.equal(r.body?.puk, stock.puk);
    t.equal(r.body?.cardStatus, 1, 'RES_MOB_CARD still says in stock');
  });

  t.test('CS-06: the PUK is in the reply and in no log file', async (t) => {
    const fxs = [h.fx.first, h.fx.cdma, h.fx.cdma1x];
    for (const f of fxs) t.equal((await h.call('cs', 'puk-by-number', { svcnum: f.svcnum })).body?.puk, f.puk);
    const logs = await h.allLogText();
    for (const f of fxs) {
      t.ok(logs.includes(f.svcnum), `${f.svcnum}: the request was logged`);
      t.notOk(logs.includes(f.puk!), `${f.svcnum}: its PUK is in no log`);
    }
  });

  t.test('CS-06 refusals: VOIP number 2005, no card row 2005, unknown 2001, cancelled 2004, bad number 1006', async (t) => {
    const voip = await h.call('cs', 'puk-by-number', { svcnum: h.fx.voip.svcnum });
    t.equal(voip.result, 2005, voip.message);
    t.match(voip.message, /无SIM卡/);
    const f = h.fx.noPrintRegional;
    await h.facts.setSubscriber(f.subscrbid, { simcardid: '89860000999999999999' });
    const gone = await h.call('cs', 'puk-by-number', { svcnum: f.svcnum });
    t.equal(gone.result, 2005, gone.message);
    t.match(gone.message, /89860000999999999999/);
    await h.facts.setSubscriber(f.subscrbid, { simcardid: null });
    t.equal((await h.call('cs', 'puk-by-number', { svcnum: f.svcnum })).result, 2005, 'SIMCARDID NULL');
    t.equal((await h.call('cs', 'puk-by-number', { svcnum: '13000000000' })).result, 2001);
    const cancelled = await h.call('cs', 'puk-by-number', { svcnum: h.fx.gsmCancelled.svcnum });
    t.equal(cancelled.result, 2004, cancelled.message);
    t.equal(cancelled.body, undefined);
    const loose = { request: [char('svcnum', 20)], response: [] };
    const bad = await h.call('cs', 'puk-by-number', { svcnum: '139-0000000' }, { layouts: loose });
    t.equal(bad.result, 1006, bad.message);
  });

  t.test('CS-06 is served on the customer-service interface only (1004 elsewhere)', async (t) => {
    t.equal((await h.call('sms', 'puk-by-number', { svcnum: h.fx.first.svcnum })).result, 1004);
  });
});
