// CS-15 blacklist query, over a real socket against the seeded database.
import { char, u16, u32 } from '../../protocol/fields.js';
import { formatDateTime } from '../../src/time.js';
import { MAX_PAGE } from '../../handlers/blacklist-query.js';
import { handlerSuite } from '../helpers/seeded.js';

const wire = (v: unknown): string => (v instanceof Date ? formatDateTime(v) : String(v).replace(/\D/g, '').slice(0, 14));

interface ListRow {
  listid: unknown; idtype: string; custname: string; listtype: unknown; reason: string | null; owed: unknown; region: string; status: unknown; created: unknown;
}

handlerSuite('CS-15 blacklist-query', async (t, h) => {
  const dbEntries = async (idnum: string) => {
    const rows = await h.sql<ListRow>(
      'SELECT LISTID, IDTYPE, CUSTNAME, LISTTYPE, REASON, OWED, REGION, STATUS, CREATED FROM TAB_SPECIALCUSTLST WHERE IDNUM = :i',
      { i: idnum },
    );
    return rows
      .map((r) => ({
        listid: String(r.listid),
        idType: r.idtype.trim(),
        custName: r.custname,
        listType: Number(r.listtype),
        reason: r.reason ?? '',
        owed: BigInt(String(r.owed)),
        region: r.region,
        listStatus: Number(r.status),
        created: wire(r.created),
      }))
      // newest first, LISTID breaking ties
      .sort((a, b) => (a.created === b.created ? Number(BigInt(b.listid) - BigInt(a.listid)) : a.created < b.created ? 1 : -1));
  };
  const add = (listid: number, idnum: string, status: number, created: Date, reason: string | null = '恶意欠费', name = '测试') =>
    h.sql(
      `INSERT INTO TAB_SPECIALCUSTLST (LISTID, IDTYPE, IDNUM, CUSTNAME, LISTTYPE, REASON, OWED, REGION, STATUS, CREATED)
       VALUES (:l, '1', :i, :n, :t, :r, :o, '0971', :s, :c)`,
      { l: listid, i: idnum, n: name, t: status === 1 ? 1 : 2, r: reason, o: status === 1 ? 1234n : 0n, s: status, c: created },
    );

  t.test('CS-15: answers the blacklist entry of the blacklisted fixture as TAB_SPECIALCUSTLST holds it', async (t) => {
    const f = h.fx.cdmaBlacklisted;
    const r = await h.call('cs', 'blacklist-query', { offset: 0, limit: 20, idNum: f.idNum });
    t.equal(r.result, 0, r.message);
    t.equal(r.body?.total, 1);
    t.same(r.body?.items, await dbEntries(f.idNum));
    const [e] = r.body?.items as Record<string, unknown>[];
    t.equal(e.custName, f.custName);
    t.equal(e.listStatus, 1);
    t.equal(e.listType, 1);
    t.equal(e.owed, 56800n);
    t.equal(e.reason, '欠费未缴, 已催缴三次');
  });

  t.test('CS-15: lifted entries are included, newest first, LISTID breaking ties; NULL reason is empty', async (t) => {
    const f = h.fx.cdmaBlacklisted;
    const tie = new Date(2023, 5, 1, 12, 0, 0);
    await add(900_001, f.idNum, 0, new Date(2019, 0, 5, 8, 0, 0), '已结清欠费, 解除');
    await add(900_002, f.idNum, 0, tie, null);
    await add(900_003, f.idNum, 1, tie);
    const r = await h.call('cs', 'blacklist-query', { offset: 0, limit: 20, idNum: f.idNum });
    t.equal(r.body?.total, 4);
    const items = r.body?.items as Record<string, unknown>[];
    t.same(items, await dbEntries(f.idNum));
    const tied = items.filter((i) => i.created === '20230601120000').map((i) => i.listid);
    t.same(tied, ['900003', '900002'], 'the same time: the larger LISTID first');
    t.equal(items[items.length - 1].listid, '900001', 'the oldest last');
    t.same(items.map((i) => i.listStatus).filter((s) => s === 0).length, 2, 'both lifted entries');
    t.equal(items.find((i) => i.listid === '900002')?.reason, '');
    const created = items.map((i) => String(i.created));
    t.same(created, [...created].sort().reverse(), 'newest first');
  });

  t.test('CS-15: paging — the page size is clamped, total counts every entry, pages join up in order', async (t) => {
    const idnum = '63010219700101001X';
    const n = MAX_PAGE + 30;
    for (let k = 0; k < n; k++) await add(910_000 + k, idnum, k % 3 === 0 ? 0 : 1, new Date(2020, 0, 1 + (k % 40), 10, 0, 0));
    const p1 = await h.call('cs', 'blacklist-query', { offset: 0, limit: 1000, idNum: idnum });
    t.equal(p1.result, 0, p1.message);
    t.equal(p1.body?.total, n);
    t.equal((p1.body?.items as unknown[]).length, MAX_PAGE, `at most ${MAX_PAGE} a page`);
    const p2 = await h.call('cs', 'blacklist-query', { offset: MAX_PAGE, limit: 1000, idNum: idnum });
    t.equal(p2.body?.total, n);
    t.equal((p2.body?.items as unknown[]).length, 30);
    t.same([...(p1.body?.items as unknown[]), ...(p2.body?.items as unknown[])], await dbEntries(idnum), 'both pages = every entry in order');
    const small = await h.call('cs', 'blacklist-query', { offset: 5, limit: 3, idNum: idnum });
    t.same(small.body?.items, (await dbEntries(idnum)).slice(5, 8));
    const past = await h.call('cs', 'blacklist-query', { offset: n + 10, limit: 10, idNum: idnum });
    t.equal(past.result, 0);
    t.equal(past.body?.total, n);
    t.same(past.body?.items, []);
  });

  t.test('CS-15: any ID number is answered (the legacy "CDMA" is not a network filter); none listed is total 0', async (t) => {
    // A GSM subscriber's ID number gets an entry.
    const g = h.fx.first;
    await add(920_001, g.idNum, 1, new Date(2024, 1, 1, 9, 0, 0));
    const r = await h.call('cs', 'blacklist-query', { offset: 0, limit: 10, idNum: g.idNum });
    t.equal(r.body?.total, 1);
    t.equal((r.body?.items as Record<string, unknown>[])[0].listid, '920001');
    const none = await h.call('cs', 'blacklist-query', { offset: 0, limit: 10, idNum: h.fx.cdma.idNum });
    t.equal(none.result, 0);
    t.same(none.body, { total: 0, items: [] });
    // Exact comparison: a prefix of a listed number matches nothing.
    t.equal((await h.call('cs', 'blacklist-query', { offset: 0, limit: 10, idNum: h.fx.cdmaBlacklisted.idNum.slice(0, 17) })).body?.total, 0);
  });

  t.test('CS-15 refusals: a bad ID number 1006, limit 0 1006', async (t) => {
    const loose = { request: [u32('offset'), u16('limit'), char('idNum', 32)], response: [] };
    const bad = await h.call('cs', 'blacklist-query', { offset: 0, limit: 10, idNum: "6301' OR '1'='1" }, { layouts: loose });
    t.equal(bad.result, 1006, bad.message);
    t.match(bad.message, /idNum/);
    const zero = await h.call('cs', 'blacklist-query', { offset: 0, limit: 0, idNum: h.fx.cdmaBlacklisted.idNum }, { layouts: loose });
    t.equal(zero.result, 1006, zero.message);
    t.match(zero.message, /limit/);
  });

  t.test('CS-15 is served on the customer-service interface only (1004 elsewhere)', async (t) => {
    t.equal((await h.call('card', 'blacklist-query', { offset: 0, limit: 1, idNum: h.fx.cdmaBlacklisted.idNum })).result, 1004);
  });
});
