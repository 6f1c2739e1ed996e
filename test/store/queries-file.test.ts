// Issue 15 (first half): the operator's queries file ([database] queries), `bssgate db queries`,
// `bssgate db check` and the check `serve` runs at start — on SQLite and PostgreSQL (fresh
// databases), over a real socket. docs/operator-schema.md.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import Database from 'better-sqlite3';
import '../../src/store/queries/all.js';
import { loadQueriesText, parseQueriesText, QueriesFileError } from '../../src/store/queries/file.js';
import { queryNames, ticketTableOf, forgetTicketTables } from '../../src/store/queries/define.js';
import { ACCOUNT_BALANCE } from '../../src/store/queries/account.js';
import { CALL_DETAIL_PAGE } from '../../src/store/queries/tickets.js';
import { columnOfError, typeMismatch } from '../../src/store/queries/check.js';
import { describeOracle } from '../../src/store/oracle.js';
import { describeStatement } from '../../src/store/postgres.js';
import { openStore } from '../../src/store/open.js';
import { demoFixtures } from '../../src/store/demo.js';
import { BssClient } from '../../src/client.js';
import { cli, freePort, root, serve } from '../helpers/serve.js';
import { sqlBackends } from './sql-backends.js';

t.setTimeout(360_000);
const dir = mkdtempSync(join(tmpdir(), 'bsg-queries-'));
const silent = pino({ level: 'silent' });

function run(args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const BALANCE_X2 = `-- name: account.balance
SELECT ACCTID AS acctid, BALANCE * 2 AS balance, UPDATED AS updated FROM ACCT_BALANCE WHERE ACCTID = :acctid;
`;

// --- the loader: one clear error each, naming the file, the line and the query ----------------

t.test('queries file: an unknown name, a bind mismatch, a duplicate, an empty block each give one error with file, line and query', async (t) => {
  const bad = (text: string, re: RegExp) => {
    try {
      loadQueriesText(text, 'q.sql', 'sqlite');
      t.fail(`accepted: ${text}`);
    } catch (err) {
      t.type(err, QueriesFileError);
      t.match((err as Error).message, re);
      t.equal((err as Error).message.split('\n').length, 1, 'one line');
    }
  };
  bad('-- a comment\n\n-- name: no.such.query\nSELECT 1', /^queries file q\.sql:3: query no\.such\.query: no query of that name/);
  bad('-- name: account.balance\nSELECT ACCTID AS acctid, BALANCE AS balance, UPDATED AS updated FROM ACCT_BALANCE WHERE ACCTID = :id', /q\.sql:1: query account\.balance: SQL uses :id, which is not a declared bind; declared: :acctid/);
  bad('-- name: account.balance\nSELECT 1 AS acctid, 2 AS balance, 3 AS updated{{dual}}', /q\.sql:1: query account\.balance: bind :acctid is declared but the SQL does not use it/);
  bad(`${BALANCE_X2}\n-- name: account.balance\n${BALANCE_X2.split('\n')[1]}`, /q\.sql:4: query account\.balance: given twice \(first at line 1\)/);
  bad('-- name: account.balance\n\n-- name: auth.password\nSELECT 1', /q\.sql:1: query account\.balance: empty block/);
  bad('-- name: account.balance @mysql\nSELECT 1', /q\.sql:1: query account\.balance: unknown dialect @mysql/);
  bad('SELECT 1\n-- name: account.balance\nSELECT 1', /q\.sql:1: SQL outside a block/);
  bad('-- table: ticket.SMS = SMS_TICKET_{month}', /q\.sql:1: table template ticket\.SMS: unknown placeholder \{month\}/);
  bad('-- table: ticket.XYZ = X_{yyyymm}', /q\.sql:1: table template ticket\.XYZ: no template of that name/);
  bad('-- name: tickets.call-detail-page.part.SMS\nSELECT 1 FROM T', /must read \{\{table\}\}/);
  bad('-- name: tickets.call-detail-page.part.CDMA1X\nSELECT 1 FROM {{table}}', /has no part CDMA1X/);
  // a dialect block wins over the generic one on its dialect only
  const both = `${BALANCE_X2}\n-- name: account.balance @postgres\nSELECT ACCTID AS acctid, BALANCE * 3 AS balance, UPDATED AS updated FROM ACCT_BALANCE WHERE ACCTID = :acctid\n`;
  t.match(loadQueriesText(both, 'q.sql', 'postgres').block('account.balance')?.sql, /BALANCE \* 3/);
  t.match(loadQueriesText(both, 'q.sql', 'sqlite').block('account.balance')?.sql, /BALANCE \* 2/);
});

t.test('queries file: comment lines after a block\'s SQL describe the next block: not part of the SQL, and its trailing ; is still removed (Oracle refuses one)', async (t) => {
  const text = `${BALANCE_X2}\n-- CS-xx: the next block replaces the password lookup\n--\n\n-- name: auth.password\nSELECT SVCPWD AS svcpwd FROM TAB_SUBSCRB WHERE SUBSCRBID = :subscrbid -- inline stays\n-- trailing words\n`;
  const set = loadQueriesText(text, 'q.sql', 'oracle');
  t.equal(set.block('account.balance')?.sql, BALANCE_X2.split('\n')[1].replace(/;$/, ''), 'no comment and no ; left in the block above');
  t.equal(set.block('auth.password')?.sql, 'SELECT SVCPWD AS svcpwd FROM TAB_SUBSCRB WHERE SUBSCRBID = :subscrbid -- inline stays', 'a comment on an SQL line stays; whole comment lines after the SQL go');
  t.same(parseQueriesText('-- name: account.balance\n-- only a comment\n', 'q.sql').blocks.map((b) => b.sql), [''], 'a block of comments alone is empty (refused as an empty block)');
});

t.test('table templates: {yyyymm} {yymm} {mm} {yyyy}; the default names are unchanged; ticket queries read the store\'s templates', async (t) => {
  const set = loadQueriesText('-- table: ticket.SMS = SMS_TICKET_{yymm}\n-- table: ticket.GSMCDMA = V{yyyy}_{mm}', 'q.sql', 'sqlite');
  t.equal(ticketTableOf('SMS', '202405'), 'TICKET_SMS_202405');
  t.equal(ticketTableOf('SMS', '202405', set), 'SMS_TICKET_2405');
  t.equal(ticketTableOf('GSMCDMA', '202405', set), 'V2024_05');
  t.throws(() => ticketTableOf('SMS', '2024-5', set), /YYYYMM/);
  const sql = CALL_DETAIL_PAGE.render('202405', ['GSMCDMA', 'SMS'], set).sql;
  t.match(sql, /FROM V2024_05 WHERE/);
  t.match(sql, /FROM SMS_TICKET_2405 WHERE/);
  t.match(CALL_DETAIL_PAGE.render('202405', ['GSMCDMA', 'SMS']).sql, /FROM TICKET_SMS_202405 WHERE/);
});

t.test('bssgate db queries prints every query in the queries-file format, and the loader reads it back on every dialect', async (t) => {
  const r = run(['db', 'queries']);
  t.equal(r.code, 0, r.err);
  for (const d of ['sqlite', 'postgres', 'oracle'] as const) {
    const set = loadQueriesText(r.out, 'printed.sql', d);
    for (const name of queryNames()) t.ok(set.block(name), `${d}: ${name} is printed`);
  }
  t.match(r.out, /-- name: account\.balance\n-- binds: :acctid id\n-- columns: acctid id, balance money, updated datetime\nSELECT ACCTID, BALANCE, UPDATED FROM ACCT_BALANCE WHERE ACCTID = :acctid\n/);
  t.match(r.out, /-- table: ticket\.GSMCDMA = TICKET_GSMCDMA_\{yyyymm\}/);
  t.match(r.out, /-- name: tickets\.call-detail-page\.part\.SMS\n/);
});

t.test('the override lives with the store: two stores in one process, one file each (CS-14 account.balance)', async (t) => {
  const a = join(dir, 'two-a.db');
  const b = join(dir, 'two-b.db');
  for (const f of [a, b]) {
    const d = new Database(f);
    d.exec('CREATE TABLE ACCT_BALANCE (ACCTID INTEGER PRIMARY KEY, BALANCE INTEGER NOT NULL, UPDATED TEXT NOT NULL)');
    d.exec("INSERT INTO ACCT_BALANCE VALUES (7, 150, '2024-05-01 10:00:00')");
    d.close();
  }
  const qf = join(dir, 'two.sql');
  writeFileSync(qf, BALANCE_X2);
  const sa = await openStore({ type: 'sqlite', path: a, queries: qf } as never, silent);
  const sb = await openStore({ type: 'sqlite', path: b } as never, silent);
  t.teardown(async () => {
    await sa.close();
    await sb.close();
  });
  t.equal((await ACCOUNT_BALANCE.one(sa, { acctid: 7n }))?.balance, 300n, 'the store with the file runs its SQL');
  t.equal((await ACCOUNT_BALANCE.one(sb, { acctid: 7n }))?.balance, 150n, 'the other store runs the default');
  t.equal((await sa.transaction((tx) => ACCOUNT_BALANCE.one(tx, { acctid: 7n })))?.balance, 300n, 'inside a transaction too');
});

t.test('db check helpers: the column an error names; types; the Oracle path (rendered: no server here)', async (t) => {
  t.equal(columnOfError('no such column: SVCPWD'), 'SVCPWD');
  t.equal(columnOfError('column "svcpwd" does not exist'), 'svcpwd');
  t.equal(columnOfError('column "svcpwd" of relation "tab_subscrb" does not exist'), 'svcpwd');
  t.equal(columnOfError('ORA-00904: "S"."SVCPWD": invalid identifier'), 'SVCPWD');
  t.equal(typeMismatch('money', 'text'), 'is declared money but the database gives text');
  t.equal(typeMismatch('money', 'NUMBER'), undefined);
  t.equal(typeMismatch('datetime', 'DATE'), undefined);
  t.equal(typeMismatch('date', 'INTEGER'), 'is declared date but the database gives INTEGER');
  t.equal(typeMismatch('text?', undefined), undefined);
  const def = ACCOUNT_BALANCE.def();
  const seen: string[] = [];
  const d = await describeOracle(
    { getStatementInfo: async (sql) => (seen.push(sql), { bindNames: ['B1'], metaData: [{ name: 'ACCTID', dbTypeName: 'NUMBER' }, { name: 'BALANCE', dbTypeName: 'NUMBER' }, { name: 'UPDATED', dbTypeName: 'DATE' }] }) },
    def,
    true,
  );
  t.same(seen, ['SELECT ACCTID, BALANCE, UPDATED FROM ACCT_BALANCE WHERE ACCTID = :b1']);
  t.same(d.columns?.map((c) => c.name), ['acctid', 'balance', 'updated']);
  await t.rejects(describeOracle({ getStatementInfo: async () => ({ bindNames: [] }) }, def, true), /binds: the database sees none, rendered B1/);
  t.same(describeStatement(def, true), { text: 'SELECT * FROM (\nSELECT ACCTID, BALANCE, UPDATED FROM ACCT_BALANCE WHERE ACCTID = $1\n) q WHERE false', values: [null] });
  t.match(describeStatement({ name: 'x', sql: 'DELETE FROM T WHERE A = :a' }, false).text, /^EXPLAIN DELETE/);
});

// --- against live databases --------------------------------------------------------------------

const backends = sqlBackends(dir, 'qfile');

for (const be of backends) {
  t.test(`${be.name}: db check, the rename of a column, serve's start check, a replaced read over the wire`, async (t) => {
    const db = await be.database(t);
    const port = await freePort();
    const logDir = join(dir, `logs-${port}`);
    const ini = join(dir, `check-${port}.ini`);
    writeFileSync(ini, `[interface.cs]\nport = ${port}\n${db.section}[log]\ndir = ${logDir}\n`);
    const init = run(['db', 'init', '--demo', '50', ini]);
    t.equal(init.code, 0, init.err);

    t.test('db check prints ok for every query of the default schema and exits 0', async (t) => {
      const r = run(['db', 'check', ini]);
      t.equal(r.code, 0, r.out + r.err);
      for (const name of queryNames()) t.match(r.out, new RegExp(`^ok ${name.replace(/[.]/g, '\\.')}( |$)`, 'm'), name);
      t.notMatch(r.out, /^FAIL/m);
    });

    t.test('CS-14: a queries file replacing account.balance changes what the wire answers', async (t) => {
      const qf = join(dir, `x2-${port}.sql`);
      writeFileSync(qf, `-- CS-14 balance doubled (a test of the mechanism)\n\n${BALANCE_X2}`);
      const ini2 = join(dir, `x2-${port}.ini`);
      writeFileSync(ini2, `[interface.cs]\nport = ${port}\n${db.section}queries = ${qf}\n[log]\ndir = ${logDir}\n`);
      const r = run(['db', 'check', ini2]);
      t.equal(r.code, 0, r.out);
      t.match(r.out, /^ok account\.balance$/m);
      const g = await serve(ini2);
      t.teardown(() => g.stop());
      const c = await BssClient.connect({ host: '127.0.0.1', port, timeoutMs: 10_000 });
      t.teardown(() => c.close());
      const fx = demoFixtures(1).first;
      const reply = await c.call('balance', { svcnum: fx.svcnum });
      t.equal(reply.result, 0, reply.message);
      t.equal(reply.body?.balance, fx.balance * 2n, 'the replaced SQL answered');
      await g.stop();
    });

    t.test('a replaced query whose result column is misnamed: db check names the file, the line and the column', async (t) => {
      const qf = join(dir, `bad-${port}.sql`);
      writeFileSync(qf, '-- name: account.balance\nSELECT ACCTID AS acctid, BALANCE AS bal, UPDATED AS updated FROM ACCT_BALANCE WHERE ACCTID = :acctid\n');
      const ini3 = join(dir, `bad-${port}.ini`);
      writeFileSync(ini3, `[interface.cs]\nport = ${port}\n${db.section}queries = ${qf}\n[log]\ndir = ${logDir}\n`);
      const r = run(['db', 'check', ini3]);
      t.equal(r.code, 1);
      t.match(r.out, new RegExp(`^FAIL account\\.balance: result column balance is missing; the SQL returns acctid, bal, updated \\(${qf.replace(/[.]/g, '\\.')}:1, column balance\\)$`, 'm'));
    });

    if (be.name === 'postgres') {
      t.test('a bare bind PostgreSQL cannot type (CASE :acctid …): db check says what to write', async (t) => {
        const qf = join(dir, `case-${port}.sql`);
        writeFileSync(qf, "-- name: account.balance\nSELECT ACCTID AS acctid, BALANCE AS balance, UPDATED AS updated FROM ACCT_BALANCE WHERE ACCTID = (CASE :acctid WHEN 1 THEN 1 ELSE 2 END)\n");
        const ini4 = join(dir, `case-${port}.ini`);
        writeFileSync(ini4, `[interface.cs]\nport = ${port}\n${db.section}queries = ${qf}\n[log]\ndir = ${logDir}\n`);
        const r = run(['db', 'check', ini4]);
        t.equal(r.code, 1, r.out);
        t.match(r.out, /^FAIL account\.balance: .*; PostgreSQL cannot tell the type of a bare bind here .*CAST\(:name AS INTEGER\)/m);
        const fixed = join(dir, `case-fixed-${port}.sql`);
        writeFileSync(fixed, "-- name: account.balance\nSELECT ACCTID AS acctid, BALANCE AS balance, UPDATED AS updated FROM ACCT_BALANCE WHERE ACCTID = (CASE CAST(:acctid AS BIGINT) WHEN 1 THEN 1 ELSE CAST(:acctid AS BIGINT) END)\n");
        writeFileSync(ini4, `[interface.cs]\nport = ${port}\n${db.section}queries = ${fixed}\n[log]\ndir = ${logDir}\n`);
        const ok = run(['db', 'check', ini4]);
        t.equal(ok.code, 0, ok.out);
        t.match(ok.out, /^ok account\.balance$/m, 'with the CAST it passes');
      });
    }

    t.test('after ALTER TABLE … RENAME COLUMN, db check exits 1 naming the query and the column, and serve refuses to start with the same line', async (t) => {
      await db.exec('ALTER TABLE TAB_SUBSCRB RENAME COLUMN SVCPWD TO SVC_PWD');
      const r = run(['db', 'check', ini]);
      t.equal(r.code, 1, r.out);
      const line = /^FAIL auth\.password: .*\(default SQL, column svcpwd\)$/im.exec(r.out)?.[0];
      t.ok(line, `db check names auth.password and SVCPWD:\n${r.out}`);
      const first = /^FAIL .*$/m.exec(r.out)![0];
      const s = run(['serve', ini]);
      t.equal(s.code, 1);
      t.equal(s.err.trim().split('\n').length, 1, `one line: ${s.err}`);
      t.ok(s.err.includes(first), `serve says the same line: ${s.err}`);
      t.notMatch(s.err, /\n\s+at /, 'no stack trace');
    });
  });
}

forgetTicketTables();

t.test('docs/operator-schema.md: the loader messages it shows are the loader\'s', async (t) => {
  const { readFileSync, readdirSync } = await import('node:fs');
  const doc = readFileSync(join(root, 'docs/operator-schema.md'), 'utf8');
  const said = (text: string) => {
    try {
      loadQueriesText(text, 'q.sql', 'sqlite');
      return '';
    } catch (err) {
      return (err as Error).message;
    }
  };
  for (const [text, shown] of [
    ['-- a comment\n\n-- name: no.such.query\nSELECT 1', 'queries file q.sql:3: query no.such.query: no query of that name (bssgate db queries lists them)'],
    ['-- name: account.balance\nSELECT ACCTID AS acctid FROM T WHERE ACCTID = :id', 'queries file q.sql:1: query account.balance: SQL uses :id, which is not a declared bind; declared: :acctid'],
    [`${BALANCE_X2}\n-- name: account.balance\n${BALANCE_X2.split('\n')[1]}`, 'queries file q.sql:4: query account.balance: given twice (first at line 1)'],
    ['-- name: account.balance\n\n-- name: auth.password\nSELECT 1', 'queries file q.sql:1: query account.balance: empty block: no SQL'],
    ['SELECT 1', 'queries file q.sql:1: SQL outside a block: start a block with -- name: <query name>'],
  ] as const) {
    t.equal(said(text), shown);
    t.ok(doc.includes(shown), `the doc shows: ${shown}`);
  }
  // src/store/queries/all.ts imports every module that defines queries (the loader looks names up after it).
  const all = readFileSync(join(root, 'src/store/queries/all.ts'), 'utf8');
  for (const f of readdirSync(join(root, 'src/store/queries'))) {
    if (!f.endsWith('.ts') || f === 'define.ts') continue;
    if (/define(Ticket)?Query\(/.test(readFileSync(join(root, 'src/store/queries', f), 'utf8'))) t.match(all, `'./${f.replace(/\.ts$/, '.js')}'`, `all.ts imports ${f}`);
  }
});
