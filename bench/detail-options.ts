// Benchmark: the options for detail pages whose cost does not grow with the offset (issue 17),
// on the raw SQLite statement (better-sqlite3, in memory, no gateway): 200 numbers × a 3,000-record
// month (2,400 voice + 600 SMS), the CS-11 page query as tickets.ts writes it, timed at offset 0,
// 1,400 and 2,800; a keyset read (from the start second of record 2,800, skipping what was read of
// that second); a covering index over the sort key; the COUNT; and the whole month (what the month
// cache reads once). Mean ms per statement, printed as JSON with the ratios to offset 0.
//   node dist/bench/detail-options.js
import Database from 'better-sqlite3';

const db = new Database(':memory:');
db.exec(`CREATE TABLE G (SVCNUM TEXT, CALLTYPE TEXT, OTHERNUM TEXT, STARTTIME TEXT, DURATION INT, ROAMTYPE TEXT, VISITAREA TEXT, LONGTYPE TEXT, CELLID TEXT, BASEFEE INT, LONGFEE INT, TOTALFEE INT);
CREATE INDEX IXG ON G(SVCNUM, STARTTIME);
CREATE TABLE S (SVCNUM TEXT, SMSTYPE TEXT, OTHERNUM TEXT, STARTTIME TEXT, SPCODE TEXT, FEE INT);
CREATE INDEX IXS ON S(SVCNUM, STARTTIME);`);
const ig = db.prepare('INSERT INTO G VALUES (?,?,?,?,?,?,?,?,?,?,?,?)');
const is = db.prepare('INSERT INTO S VALUES (?,?,?,?,?,?)');
const ts = (i: number) => new Date(Date.UTC(2026, 10, 1) + i * 800_000).toISOString().slice(0, 19).replace('T', ' ');
db.transaction(() => {
  for (let n = 0; n < 200; n++) {
    const num = String(13900000000 + n);
    for (let i = 0; i < 2400; i++) ig.run(num, '01', `1389700${i % 9999}`, ts(i), 60 + (i % 300), '0', '0971', '0', 'C1', 60n, 0n, 60n);
    for (let i = 0; i < 600; i++) is.run(num, '01', `1389700${i % 9999}`, ts(i * 4 + 1), null, 10n);
  }
})();
db.exec('ANALYZE');
const parts = `SELECT 'V' AS kind, CALLTYPE AS ctype, OTHERNUM AS othernum, STARTTIME AS starttime, DURATION AS duration,
  ROAMTYPE AS roamtype, LONGTYPE AS longtype, COALESCE(VISITAREA, ' ') AS visitarea, ' ' AS spcode,
  BASEFEE AS basefee, LONGFEE AS longfee, TOTALFEE AS totalfee FROM G WHERE SVCNUM = :svcnum AND STARTTIME >= :t
UNION ALL SELECT 'S' AS kind, SMSTYPE AS ctype, OTHERNUM AS othernum, STARTTIME AS starttime, 0 AS duration,
  ' ' AS roamtype, ' ' AS longtype, ' ' AS visitarea, COALESCE(SPCODE, ' ') AS spcode,
  FEE AS basefee, 0 AS longfee, FEE AS totalfee FROM S WHERE SVCNUM = :svcnum AND STARTTIME >= :t`;
const order = 'ORDER BY starttime, kind, ctype, othernum, duration, totalfee, basefee, longfee, roamtype, longtype, visitarea, spcode';
const num = (i: number) => String(13900000000 + (i % 200));
function time(f: (i: number) => unknown, n = 200): number {
  for (let i = 0; i < 20; i++) f(i);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) f(i);
  return Math.round(((performance.now() - t0) / n) * 1000) / 1000;
}
const page = db.prepare(`${parts} ${order} LIMIT :limit OFFSET :offset`);
const out: Record<string, number> = {};
out.offset0 = time((i) => page.all({ svcnum: num(i), t: '', offset: 0, limit: 200 }));
out.offset1400 = time((i) => page.all({ svcnum: num(i), t: '', offset: 1400, limit: 200 }));
out.offset2800 = time((i) => page.all({ svcnum: num(i), t: '', offset: 2800, limit: 200 }));
const [k] = page.all({ svcnum: num(0), t: '', offset: 2799, limit: 1 }) as { starttime: string }[];
out.keyset2800 = time((i) => page.all({ svcnum: num(i), t: k.starttime, offset: 1, limit: 200 }));
out.count = time((i) => db.prepare('SELECT (SELECT COUNT(*) FROM G WHERE SVCNUM=:svcnum)+(SELECT COUNT(*) FROM S WHERE SVCNUM=:svcnum) AS c').get({ svcnum: num(i) }));
out.wholeMonth = time((i) => db.prepare(`${parts} ${order}`).all({ svcnum: num(i), t: '' }), 30);
db.exec('CREATE INDEX IXG2 ON G(SVCNUM, STARTTIME, CALLTYPE, OTHERNUM, DURATION, TOTALFEE, BASEFEE, LONGFEE, ROAMTYPE, LONGTYPE, VISITAREA); CREATE INDEX IXS2 ON S(SVCNUM, STARTTIME, SMSTYPE, OTHERNUM, FEE, SPCODE); ANALYZE;');
const cov = db.prepare(`${parts} ${order} LIMIT :limit OFFSET :offset`);
out.coveringOffset0 = time((i) => cov.all({ svcnum: num(i), t: '', offset: 0, limit: 200 }));
out.coveringOffset2800 = time((i) => cov.all({ svcnum: num(i), t: '', offset: 2800, limit: 200 }));
const ratios = Object.fromEntries(Object.entries(out).map(([key, v]) => [key, Math.round((v / out.offset0) * 100) / 100]));
process.stdout.write(`${JSON.stringify({ msPerStatement: out, ratioToOffset0: ratios }, null, 2)}\n`);
