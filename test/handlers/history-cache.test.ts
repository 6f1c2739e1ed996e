// The kept histories of CS-17 (TAB_PAY) and CS-05 (USR_BUSI_RECORD), issue 17, over a real socket
// against the seeded database: a page at any offset is the OFFSET query's page; rows inserted
// between two pages are in the next one as OFFSET paging gives; a payment posted through the
// gateway (PC-03 over the wire) is in the very next page even when another system's delete kept
// the count (that case needs the write publication, src/store/write-watch.ts); another system's
// in-place change is seen within the cache's ttl (the documented bounded staleness).
import Database from 'better-sqlite3';
import pg from 'pg';
import { PAGE_CACHE_DEFAULTS } from '../../handlers/kit/page-cache.js';
import { detailCaches, setDetailCacheOptions } from '../../handlers/kit/detail.js';
import { BUSI_RECORD_PAGE } from '../../src/store/queries/records.js';
import { PAY_HISTORY_PAGE } from '../../src/store/queries/payments.js';
import { MAX_PAGE as BUSI_MAX } from '../../handlers/contracts/change-records.js';
import { formatDateTime } from '../../src/time.js';
import { handlerSuite, type Harness } from '../helpers/seeded.js';

const wire = (v: unknown): string => (v instanceof Date ? formatDateTime(v) : v === null || v === undefined ? '' : String(v).replace(/\D/g, '').slice(0, 14));
const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v).trimEnd());

type Paged<T> = { total: number; items: T[] };

/** Another system's connection to the same database (the front office; another gateway process): its writes are not published in this process. */
async function otherSystem(h: Harness): Promise<{ exec(sql: string, params: (string | number)[]): Promise<void>; close(): Promise<void> }> {
  const d = h.database;
  if (d.type === 'sqlite') {
    const db = new Database(d.path!);
    db.pragma('busy_timeout = 10000');
    return {
      exec: async (sql, params) => void db.prepare(sql).run(...params),
      close: async () => void db.close(),
    };
  }
  const c = new pg.Client({ connectionString: d.url });
  await c.connect();
  return {
    exec: async (sql, params) => {
      let i = 0;
      await c.query(sql.replace(/\?/g, () => `$${++i}`), params);
    },
    close: () => c.end(),
  };
}

handlerSuite(
  'CS-05 CS-17 kept histories',
  async (t, h) => {
    const f = h.fx.gsmArrears;
    const subscrbid = f.subscrbid;
    const svcnum = f.svcnum;
    /** The OFFSET query's page (the SQL the handlers ran before the cache), in wire form. */
    const payPage = async (off: number, lim: number) =>
      (await PAY_HISTORY_PAGE.all(h.store, { svcnum, subscrbid, off, lim })).map((r) => ({
        paysn: String(r.paysn), paymode: r.paymode, amount: r.amount, paytime: wire(r.paytime), source: str(r.source), serial: str(r.serial), payStatus: r.status, operator: str(r.operator),
      }));
    const busiPage = async (off: number, lim: number) =>
      (await BUSI_RECORD_PAGE.all(h.store, { subscrbid, off, lim })).map((r) => ({
        busisn: String(r.busisn), busitype: r.busitype, busiStatus: r.status, param: str(r.param), operator: str(r.operator), created: wire(r.created), executed: wire(r.executed), result: str(r.result),
      }));
    const cs17 = async (offset: number, limit = 200) => {
      const r = await h.call<Paged<{ paysn: string; payStatus: number; serial: string }>>('cs', 'prepayment-history', { offset, limit, svcnum });
      t.equal(r.result, 0, r.message);
      return r.body!;
    };
    const cs05 = async (offset: number, limit = BUSI_MAX) => {
      const r = await h.call<Paged<{ busisn: string; busiStatus: number; param: string }>>('cs', 'change-records', { offset, limit, svcnum });
      t.equal(r.result, 0, r.message);
      return r.body!;
    };
    const countOf = async (table: string) => Number((await h.sql<{ n: unknown }>(`SELECT COUNT(*) AS n FROM ${table} WHERE SUBSCRBID = :s`, { s: subscrbid }))[0].n);

    // A history long enough for offsets to matter, ties in the sort key included.
    for (let k = 0; k < 450; k++) {
      await h.facts.insertPay({ paysn: 98000000 + k, acctid: f.acctid, subscrbid, svcnum, paymode: 1, amount: BigInt(100 + k), paytime: new Date(2020, 0, 1, 0, Math.floor(k / 3), 0), source: 'HALL', serial: `H${k}`, operator: 'XN0023', status: 1 });
      await h.sql(
        `INSERT INTO USR_BUSI_RECORD (BUSISN, SUBSCRBID, SVCNUM, BUSITYPE, STATUS, REGION, NETTYPE, IMSI, PARAM, OPERATOR, CREATED)
         VALUES (:b, :s, :n, 11, 7, :r, :net, NULL, :p, 'KF1002', :c)`,
        { b: 98000000 + k, s: subscrbid, n: svcnum, r: f.region, net: f.nettype, p: `P${k}`, c: new Date(2020, 0, 1, 0, Math.floor(k / 3), 0) },
      );
    }

    t.test('CS-17, CS-05: a page at any offset equals the OFFSET query page; the history is read once', async (t) => {
      const caches = () => detailCaches(h.store)!;
      const pays = await countOf('TAB_PAY');
      const recs = await countOf('USR_BUSI_RECORD');
      await cs17(0);
      await cs05(0);
      const p0 = { ...caches().pay.stats };
      const b0 = { ...caches().busi.stats };
      for (const off of [0, 1, 199, 200, Math.floor(pays / 2), pays - 200, pays - 1, pays, pays + 10]) {
        const r = await cs17(off);
        t.equal(r.total, pays);
        t.strictSame(r.items, await payPage(off, 200), `CS-17 offset ${off}`);
      }
      for (const off of [0, 7, Math.floor(recs / 2), recs - 200, recs - 1, recs + 3]) {
        const r = await cs05(off, 64);
        t.equal(r.total, recs);
        t.strictSame(r.items, await busiPage(off, 64), `CS-05 offset ${off}`);
      }
      t.equal(caches().pay.stats.loads - p0.loads, 0, 'CS-17: no read of the history after the first');
      t.equal(caches().pay.stats.hits - p0.hits, 9);
      t.equal(caches().busi.stats.loads - b0.loads, 0, 'CS-05: no read of the history after the first');
    });

    t.test('CS-17, CS-05: rows another system inserts between two pages (one at the top, one tied in the sort key) are in the next page as OFFSET paging gives', async (t) => {
      const first = await cs17(0);
      t.strictSame(first.items, await payPage(0, 200));
      const firstB = await cs05(0);
      const other = await otherSystem(h);
      try {
        // Tied with the record at position 250 (same PAYTIME / CREATED, a PAYSN / BUSISN above its ties).
        const tieP = (await payPage(250, 1))[0];
        const tieB = (await busiPage(120, 1))[0];
        const at = (s: string) => new Date(+s.slice(0, 4), +s.slice(4, 6) - 1, +s.slice(6, 8), +s.slice(8, 10), +s.slice(10, 12), +s.slice(12, 14));
        const p2 = (n: number) => String(n).padStart(2, '0');
        const asDb = (d: Date) => `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`;
        const payIns = `INSERT INTO TAB_PAY (PAYSN, ACCTID, SUBSCRBID, SVCNUM, PAYMODE, AMOUNT, PAYTIME, SOURCE, SERIAL, OPERATOR, STATUS) VALUES (?, ?, ?, ?, 1, 7, ?, 'HALL', ?, 'FO', 1)`;
        await other.exec(payIns, [98100001, f.acctid, subscrbid, svcnum, asDb(new Date(2040, 0, 1)), 'FO1']);
        await other.exec(payIns, [98150000, f.acctid, subscrbid, svcnum, asDb(at(tieP.paytime)), 'FO2']);
        const busiIns = `INSERT INTO USR_BUSI_RECORD (BUSISN, SUBSCRBID, SVCNUM, BUSITYPE, STATUS, REGION, NETTYPE, IMSI, PARAM, OPERATOR, CREATED) VALUES (?, ?, ?, 11, 7, ?, ?, NULL, 'FO', 'FO', ?)`;
        await other.exec(busiIns, [98100001, subscrbid, svcnum, f.region, f.nettype, asDb(new Date(2040, 0, 1))]);
        await other.exec(busiIns, [98150000, subscrbid, svcnum, f.region, f.nettype, asDb(at(tieB.created))]);
      } finally {
        await other.close();
      }
      const second = await cs17(200);
      t.equal(second.total, first.total + 2, 'the new total at once');
      t.strictSame(second.items, await payPage(200, 200), 'the next page is the table as it is now');
      t.ok(second.items.some((i) => i.serial === 'FO2'), 'the tied row is in it');
      const secondB = await cs05(100);
      t.equal(secondB.total, firstB.total + 2);
      t.strictSame(secondB.items, await busiPage(100, BUSI_MAX));
    });

    t.test('PC-03 over the wire: the payment and its resume record are in the very next CS-17 / CS-05 page, even when another system deleted a row meanwhile (the count unchanged)', async (t) => {
      const before = await cs17(0);
      const beforeB = await cs05(0);
      // The front office deletes one old row of each history: with the payment's row and its resume
      // record, each count is back where it was, so only the write publication tells the kept lists.
      const other = await otherSystem(h);
      try {
        await other.exec('DELETE FROM TAB_PAY WHERE PAYSN = ?', [98000007]);
        await other.exec('DELETE FROM USR_BUSI_RECORD WHERE BUSISN = ?', [98000007]);
      } finally {
        await other.close();
      }
      const rt = (await h.call('cs', 'realtime-totals', { svcnum })).body?.realtimeBalance as bigint;
      t.ok(rt < 0n, 'the fixture is in arrears');
      const paid = await h.call('card', 'payment', { svcnum, amount: -rt + 500n }, { serial: 'HC17PAY0001' });
      t.equal(paid.result, 0, paid.message);
      t.equal(paid.body?.resumed, 1, 'the payment resumes the line: a business record');
      const after = await cs17(0);
      t.equal(after.total, before.total, 'the count is unchanged');
      t.ok(after.items.slice(0, 2).some((i) => i.paysn === String(paid.body?.paysn)), 'the payment at the top (under the row dated 2040)');
      t.strictSame(after.items, await payPage(0, 200), 'CS-17: the table as it is now');
      t.notOk((await cs17(after.total - 200)).items.some((i) => i.paysn === '98000007'), 'the deleted row is gone');
      const afterB = await cs05(0);
      t.equal(afterB.total, beforeB.total, 'the count is unchanged');
      t.ok(afterB.items.slice(0, 2).some((i) => i.param.includes(`PAYSN=${paid.body?.paysn}`)), 'the resume record at the top');
      t.strictSame(afterB.items, await busiPage(0, BUSI_MAX), 'CS-05: the table as it is now');
    });

    t.test('PC-04 and the scanner: bssgate changes in place (count unchanged for the scanner) are in the very next page', async (t) => {
      const paid = await h.call('card', 'payment', { svcnum, amount: 300n }, { serial: 'HC17PAY0002' });
      t.equal(paid.result, 0, paid.message);
      t.equal((await cs17(0)).items[0]?.payStatus, 1);
      const rev = await h.call('card', 'reversal', { svcnum, origSerial: 'HC17PAY0002' }, { serial: 'HC17REV0002' });
      t.equal(rev.result, 0, rev.message);
      const p = await cs17(0);
      t.strictSame(p.items, await payPage(0, 200));
      t.equal(p.items.find((i) => i.paysn === String(paid.body?.paysn))?.payStatus, 2, 'the original shows reversed');
      // The scanner's status change, as it writes it (by BUSISN, in a transaction of the store).
      const rec = (await cs05(0)).items[0];
      await h.store.transaction((tx) => tx.run({ name: 'test.scanner-like', sql: 'UPDATE USR_BUSI_RECORD SET STATUS = 7, RESULT = :r WHERE BUSISN = :b' }, { r: '执行成功', b: BigInt(rec.busisn) }));
      const b = await cs05(0);
      t.equal(b.items[0]?.busiStatus, 7, 'the executed status at once');
      t.strictSame(b.items, await busiPage(0, BUSI_MAX));
    });

    t.test('another system\'s in-place change (count unchanged) is seen within the ttl: the bounded staleness', async (t) => {
      let clock = 0;
      const old = setDetailCacheOptions({ ...PAGE_CACHE_DEFAULTS, now: () => clock });
      t.teardown(() => void setDetailCacheOptions(old));
      const first = await cs05(0);
      const top = first.items[0];
      const other = await otherSystem(h);
      try {
        await other.exec('UPDATE USR_BUSI_RECORD SET STATUS = 8 WHERE BUSISN = ?', [Number(top.busisn)]);
      } finally {
        await other.close();
      }
      clock += PAGE_CACHE_DEFAULTS.ttlMs - 1;
      t.equal((await cs05(0)).items[0]?.busiStatus, top.busiStatus, 'within the ttl: the list as read (another system\'s in-place change)');
      clock += 1;
      const fresh = await cs05(0);
      t.equal(fresh.items[0]?.busiStatus, 8, 'after the ttl: read again');
      t.strictSame(fresh.items, await busiPage(0, BUSI_MAX));
    });
  },
  { schemas: ['a'] },
);
