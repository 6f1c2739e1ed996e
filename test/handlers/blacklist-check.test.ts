// CS-16 blacklist check, over a real socket against the seeded database.
import { char } from '../../protocol/fields.js';
import { handlerSuite } from '../helpers/seeded.js';

handlerSuite('CS-16 blacklist-check', async (t, h) => {
  const inForce = async (idnum: string) =>
    Number((await h.sql<{ n: unknown }>('SELECT COUNT(*) AS N FROM TAB_SPECIALCUSTLST WHERE IDNUM = :i AND STATUS = 1', { i: idnum }))[0].n);
  const add = (listid: number, idnum: string, status: number) =>
    h.sql(
      `INSERT INTO TAB_SPECIALCUSTLST (LISTID, IDTYPE, IDNUM, CUSTNAME, LISTTYPE, REASON, OWED, REGION, STATUS, CREATED)
       VALUES (:l, '1', :i, '测试', 2, '冒用他人证件开户', 0, '0972', :s, :c)`,
      { l: listid, i: idnum, s: status, c: new Date(2024, 2, 1, 10, 0, 0) },
    );

  t.test('CS-16: the blacklisted fixture is listed, with the count TAB_SPECIALCUSTLST holds', async (t) => {
    const f = h.fx.cdmaBlacklisted;
    const r = await h.call('cs', 'blacklist-check', { idNum: f.idNum });
    t.equal(r.result, 0, r.message);
    t.same(r.body, { listed: 1, count: await inForce(f.idNum) });
    t.equal(r.body?.count, 1);
  });

  t.test('CS-16: an ID number without entries is not listed (any network: GSM, CDMA, VOIP customers)', async (t) => {
    for (const f of [h.fx.first, h.fx.cdma, h.fx.voip]) {
      const r = await h.call('cs', 'blacklist-check', { idNum: f.idNum });
      t.equal(r.result, 0, r.message);
      t.same(r.body, { listed: 0, count: 0 }, f.idNum);
      t.equal(await inForce(f.idNum), 0);
    }
  });

  t.test('CS-16: only entries in force count — lifted entries do not', async (t) => {
    const idnum = h.fx.first.idNum;
    await add(930_001, idnum, 0);
    t.same((await h.call('cs', 'blacklist-check', { idNum: idnum })).body, { listed: 0, count: 0 }, 'a lifted entry only');
    await add(930_002, idnum, 1);
    await add(930_003, idnum, 1);
    t.same((await h.call('cs', 'blacklist-check', { idNum: idnum })).body, { listed: 1, count: 2 });
    t.equal(await inForce(idnum), 2);
    // Lifting the fixture's entry takes it off the list.
    const f = h.fx.cdmaBlacklisted;
    await h.sql('UPDATE TAB_SPECIALCUSTLST SET STATUS = 0 WHERE IDNUM = :i', { i: f.idNum });
    t.same((await h.call('cs', 'blacklist-check', { idNum: f.idNum })).body, { listed: 0, count: 0 });
  });

  t.test('CS-16 refusals: a bad ID number 1006', async (t) => {
    const loose = { request: [char('idNum', 32)], response: [] };
    const bad = await h.call('cs', 'blacklist-check', { idNum: '6301 0219' }, { layouts: loose });
    t.equal(bad.result, 1006, bad.message);
    t.match(bad.message, /idNum/);
    t.equal(bad.body, undefined);
  });

  t.test('CS-16 is served on the customer-service interface only (1004 elsewhere)', async (t) => {
    t.equal((await h.call('sms', 'blacklist-check', { idNum: h.fx.cdmaBlacklisted.idNum })).result, 1004);
  });
});
