// CS-07 PUK by SIM card number, over a real socket against the seeded database.
import { char } from '../../protocol/fields.js';
import { handlerSuite } from '../helpers/seeded.js';

interface CardRow { simcardid: string; imsi: string; puk: string; nettype: string; status: unknown }

handlerSuite('CS-07 puk-by-sim', async (t, h) => {
  const card = async (simcardid: string): Promise<CardRow | undefined> => {
    const [row] = await h.sql<CardRow>('SELECT SIMCARDID, IMSI, PUK, NETTYPE, STATUS FROM RES_MOB_CARD WHERE SIMCARDID = :c', { c: simcardid });
    return row;
  };
  const expected = (row: CardRow) => ({ simcardid: row.simcardid, imsi: row.imsi, puk: row.puk, nettype: row.nettype.trim(), cardStatus: Number(row.status) });

  t.test('CS-07: answers the PUK of a card in use, with its state', async (t) => {
    for (const f of [h.fx.first, h.fx.cdma, h.fx.cdma1x]) {
      const r = await h.call('cs', 'puk-by-sim', { simcardid: f.simcardid! });
      t.equal(r.result, 0, `${f.simcardid}: ${r.message}`);
      t.same(r.body, expected((await card(f.simcardid!))!));
      t.equal(r.body?.puk, f.puk, 'the fixture PUK');
      t.equal(r.body?.cardStatus, 2, 'in use');
    }
  });

  t.test('CS-07: a card in stock (nobody uses it yet) and a void card are answered too', async (t) => {
    const s = h.fx.stockSim;
    const r = await h.call('cs', 'puk-by-sim', { simcardid: s.simcardid });
    t.equal(r.result, 0, r.message);
    t.same(r.body, { simcardid: s.simcardid, imsi: s.imsi, puk: s.puk, nettype: 'G', cardStatus: 1 });
    t.same(r.body, expected((await card(s.simcardid))!));
    const [user] = (await h.facts.subscribers()).filter((x) => x.simcardid === s.simcardid);
    t.equal(user, undefined, 'no subscriber uses the stock card');
    // The cancelled subscriber's card is void.
    const v = await h.call('cs', 'puk-by-sim', { simcardid: h.fx.gsmCancelled.simcardid! });
    t.equal(v.result, 0, v.message);
    t.equal(v.body?.cardStatus, 3);
    t.equal(v.body?.puk, h.fx.gsmCancelled.puk);
  });

  t.test('CS-07: the reply follows the database', async (t) => {
    const f = h.fx.gsmArrears;
    await h.sql('UPDATE RES_MOB_CARD SET PUK = :p, STATUS = 3 WHERE SIMCARDID = :c', { p: '97531864', c: f.simcardid });
    const r = await h.call('cs', 'puk-by-sim', { simcardid: f.simcardid! });
    t.equal(r.body?.puk, '97531864');
    t.equal(r.body?.cardStatus, 3);
  });

  t.test('CS-07: the PUK is in the reply and in no log file', async (t) => {
    const cards = [h.fx.first, h.fx.cdma].map((f) => ({ simcardid: f.simcardid!, puk: f.puk! })).concat([h.fx.stockSim]);
    for (const c of cards) t.equal((await h.call('cs', 'puk-by-sim', { simcardid: c.simcardid })).body?.puk, c.puk);
    const logs = await h.allLogText();
    for (const c of cards) {
      t.ok(logs.includes(c.simcardid), `${c.simcardid}: the request was logged`);
      t.notOk(logs.includes(c.puk), `${c.simcardid}: its PUK is in no log`);
    }
  });

  t.test('CS-07 refusals: unknown card 2005, bad card number 1006', async (t) => {
    const r = await h.call('cs', 'puk-by-sim', { simcardid: '89860000999999999999' });
    t.equal(r.result, 2005, r.message);
    t.match(r.message, /无此SIM卡: 89860000999999999999/);
    t.equal(r.body, undefined);
    const loose = { request: [char('simcardid', 20)], response: [] };
    const bad = await h.call('cs', 'puk-by-sim', { simcardid: '8986-0000-0000' }, { layouts: loose });
    t.equal(bad.result, 1006, bad.message);
    t.match(bad.message, /simcardid/);
  });

  t.test('CS-07 is served on the customer-service interface only (1004 elsewhere)', async (t) => {
    t.equal((await h.call('card', 'puk-by-sim', { simcardid: h.fx.stockSim.simcardid })).result, 1004);
  });
});
