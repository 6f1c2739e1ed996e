import t from 'tap';
import fc from 'fast-check';
import Database from 'better-sqlite3';
import { dateToSqlite, render, renderSql, sqliteToDate, translateBinds } from '../../src/store/dialect.js';
import { CMD_CLAIM_QUEUED } from '../../src/store/queries/commands.js';

t.test('sqlite binds become ? per occurrence, postgres $n reused per name, oracle :bN per name', async (t) => {
  const sql = 'SELECT * FROM T WHERE A = :a AND B = :b OR A = :a';
  t.same(renderSql('sqlite', sql), { sql: 'SELECT * FROM T WHERE A = ? AND B = ? OR A = ?', names: ['a', 'b', 'a'] });
  t.same(renderSql('postgres', sql), { sql: 'SELECT * FROM T WHERE A = $1 AND B = $2 OR A = $1', names: ['a', 'b'] });
  t.same(renderSql('oracle', sql), { sql: 'SELECT * FROM T WHERE A = :b1 AND B = :b2 OR A = :b1', names: ['a', 'b'] });
});

t.test('oracle bind names are safe even when the portable name is a reserved word', async (t) => {
  const r = renderSql('oracle', 'UPDATE T SET X = :level WHERE D = :date AND U = :user');
  t.equal(r.sql, 'UPDATE T SET X = :b1 WHERE D = :b2 AND U = :b3');
  t.same(r.names, ['level', 'date', 'user']);
});

t.test('literals, quoted identifiers, comments and :: casts are not binds', async (t) => {
  const sql = `SELECT ':x', "a:b", x::text FROM T -- :c\nWHERE y = :y /* :z */ AND s = 'it''s :q'`;
  const r = translateBinds('postgres', sql);
  t.same(r.names, ['y']);
  t.equal(r.sql, `SELECT ':x', "a:b", x::text FROM T -- :c\nWHERE y = $1 /* :z */ AND s = 'it''s :q'`);
});

t.test('{{now}}, {{dual}} and {{nextval}} per dialect', async (t) => {
  const sql = 'SELECT {{now}} AS N, {{nextval SEQ_BUSISN}} AS V{{dual}}';
  t.equal(renderSql('postgres', sql).sql, "SELECT LOCALTIMESTAMP AS N, nextval('seq_busisn') AS V");
  t.equal(renderSql('oracle', sql).sql, 'SELECT SYSDATE AS N, SEQ_BUSISN.NEXTVAL AS V FROM DUAL');
  const s = renderSql('sqlite', sql);
  t.equal(s.sql, "SELECT strftime('%Y-%m-%d %H:%M:%S','now','localtime') AS N, ? AS V");
  t.same(s.names, ['__nextval_SEQ_BUSISN']);
  t.same(s.sequences, ['SEQ_BUSISN']);
  t.equal(render('oracle', { name: 'one', sql: 'SELECT 1 AS OK{{dual}}' }).sql, 'SELECT 1 AS OK FROM DUAL');
});

t.test('{{limit}} and {{page}}: LIMIT on sqlite/postgres, FETCH FIRST / OFFSET … ROWS on oracle', async (t) => {
  t.equal(renderSql('postgres', 'SELECT A FROM T ORDER BY A {{limit :n}}').sql, 'SELECT A FROM T ORDER BY A LIMIT $1');
  t.equal(renderSql('oracle', 'SELECT A FROM T ORDER BY A {{limit :n}}').sql, 'SELECT A FROM T ORDER BY A FETCH FIRST :b1 ROWS ONLY');
  t.equal(renderSql('sqlite', 'SELECT A FROM T {{limit 5}}').sql, 'SELECT A FROM T LIMIT 5');
  t.equal(renderSql('oracle', 'SELECT A FROM T {{page :off :lim}}').sql, 'SELECT A FROM T OFFSET :b1 ROWS FETCH NEXT :b2 ROWS ONLY');
  t.equal(renderSql('postgres', 'SELECT A FROM T {{page :off :lim}}').sql, 'SELECT A FROM T LIMIT $1 OFFSET $2');
  t.throws(() => renderSql('postgres', 'SELECT A FROM T {{limit 1; DROP TABLE T}}'), /limit/);
  t.throws(() => renderSql('postgres', 'SELECT {{bogus}}'), /unknown marker/);
});

t.test('OC-01: the claim query locks with SKIP LOCKED on postgres and oracle, and oracle limits by fetching', async (t) => {
  const pgSql = render('postgres', CMD_CLAIM_QUEUED.def()).sql;
  t.match(pgSql, /ORDER BY r\.BUSISN LIMIT \$2 FOR UPDATE SKIP LOCKED$/);
  t.match(pgSql, /w\.NEXT_TRY > \$1/, ':now bound');
  const ora = render('oracle', CMD_CLAIM_QUEUED.def());
  t.match(ora.sql, /ORDER BY r\.BUSISN\s+FOR UPDATE SKIP LOCKED$/, 'no FETCH FIRST beside FOR UPDATE (ORA-02014)');
  t.notMatch(ora.sql, /FETCH FIRST/);
  t.equal(ora.maxRows, 'n', 'the driver fetches at most :n rows');
  t.same(ora.names, ['now']);
  const lite = render('sqlite', CMD_CLAIM_QUEUED.def()).sql;
  t.notMatch(lite, /FOR UPDATE/, 'sqlite has no row locks: the writer lock serialises claimers');
  t.match(lite, /LIMIT \?\s*$/);
});

t.test('upsert renders ON CONFLICT on sqlite/postgres and MERGE on oracle', async (t) => {
  const sql = '{{upsert BSG_LOCK (SVCNUM) (FAILS, UPDATED)}}';
  t.equal(
    renderSql('postgres', sql).sql,
    'INSERT INTO BSG_LOCK (SVCNUM, FAILS, UPDATED) VALUES ($1, $2, $3) ON CONFLICT (SVCNUM) DO UPDATE SET FAILS = excluded.FAILS, UPDATED = excluded.UPDATED',
  );
  t.equal(
    renderSql('oracle', sql).sql,
    'MERGE INTO BSG_LOCK d USING (SELECT :b1 AS SVCNUM, :b2 AS FAILS, :b3 AS UPDATED FROM DUAL) s ON (d.SVCNUM = s.SVCNUM)' +
      ' WHEN MATCHED THEN UPDATE SET d.FAILS = s.FAILS, d.UPDATED = s.UPDATED WHEN NOT MATCHED THEN INSERT (SVCNUM, FAILS, UPDATED) VALUES (s.SVCNUM, s.FAILS, s.UPDATED)',
  );
  t.equal(renderSql('sqlite', '{{upsert T (K) ()}}').sql, 'INSERT INTO T (K) VALUES (?) ON CONFLICT (K) DO NOTHING');
});

t.test('issue 17: {{rows :b (…)}} is a derived table of a JSON list bind on every dialect; {{notify}} notifies on postgres only', async (t) => {
  const sql = 'SELECT x.busisn, x.token FROM {{rows :list (busisn id, token text)}} x';
  t.equal(renderSql('postgres', sql).sql, 'SELECT x.busisn, x.token FROM (SELECT * FROM jsonb_to_recordset(CAST($1 AS jsonb)) AS j(busisn bigint, token text)) x');
  t.equal(
    renderSql('oracle', sql).sql,
    "SELECT x.busisn, x.token FROM (SELECT busisn, token FROM JSON_TABLE(:b1, '$[*]' COLUMNS (busisn NUMBER(19) PATH '$.busisn', token VARCHAR2(4000) PATH '$.token'))) x",
  );
  const lite = renderSql('sqlite', sql);
  t.same(lite.names, ['list']);
  // Run on SQLite: a 64-bit id survives (the JSON number is read as an integer, not a float).
  const db = new Database(':memory:');
  t.teardown(() => db.close());
  const rows = db.prepare(lite.sql).safeIntegers(true).all('[{"busisn":9223372036854775807,"token":"ab"},{"busisn":2,"token":"cd"}]');
  t.same(rows, [{ busisn: 9223372036854775807n, token: 'ab' }, { busisn: 2n, token: 'cd' }]);
  t.throws(() => renderSql('postgres', '{{rows :list (busisn float)}}', 'q'), /q: \{\{rows\}\} column 'busisn float' must be a lower-case name and one of id, int, text/);
  t.throws(() => renderSql('postgres', '{{rows list (busisn id)}}', 'q'), /q: \{\{rows :bind \(COLUMN TYPE, …\)\}\} expected/);
  t.equal(renderSql('postgres', '{{notify :channel}}').sql, "SELECT pg_notify($1, '')");
  t.equal(renderSql('sqlite', '{{notify :channel}}').sql, 'SELECT ? AS CHANNEL WHERE 1 = 0');
  t.equal(renderSql('oracle', '{{notify :channel}}').sql, 'SELECT :b1 AS CHANNEL FROM DUAL WHERE 1 = 0');
  t.throws(() => renderSql('postgres', '{{notify bssgate_cmd}}', 'q'), /q: \{\{notify :channel\}\} expected/);
});

t.test('renderings are cached per QueryDef and a name may not carry two SQL texts', async (t) => {
  const q = { name: 'test.dialect-cache', sql: 'SELECT 1 FROM T WHERE A = :a' };
  t.equal(render('postgres', q), render('postgres', q), 'the same object comes back');
  t.throws(() => render('postgres', { name: 'test.dialect-cache', sql: 'SELECT 2' }), /defined twice/);
});

t.test('sqlite date text round-trips and sorts in time order', async (t) => {
  t.equal(dateToSqlite(new Date(2024, 1, 29, 7, 5, 9)), '2024-02-29 07:05:09');
  t.equal(dateToSqlite(new Date(2024, 1, 29, 7, 5, 9, 45)), '2024-02-29 07:05:09.045');
  t.equal((sqliteToDate('2024-02-29') as Date).getTime(), new Date(2024, 1, 29).getTime(), 'a bare day is local midnight');
  t.equal(sqliteToDate('not a date'), 'not a date');
  const day = fc.date({ min: new Date(1971, 0, 1), max: new Date(2099, 11, 31), noInvalidDate: true });
  fc.assert(
    fc.property(day, day, (a, b) => {
      const sa = dateToSqlite(a);
      const sb = dateToSqlite(b);
      if ((sqliteToDate(sa) as Date).getTime() !== a.getTime()) return false;
      return Math.sign(a.getTime() - b.getTime()) === Math.sign(sa < sb ? -1 : sa > sb ? 1 : 0);
    }),
    { numRuns: 2000 },
  );
});
