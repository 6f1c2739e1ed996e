// Issue 15, "done when": `bssgate db check` on a schema-B demo database (config/schemas/b/queries.sql
// named by [database] queries) prints ok for every query, reads and writes and the scanner's alike,
// and exits 0, its ticket tables found under B's templated names (a missing month table a warning
// naming it and the template's line); after ALTER TABLE … RENAME COLUMN of a column a B query uses, it exits 1 naming the
// query and the column, and `serve` refuses to start with the same line. SQLite always, PostgreSQL
// when BSSGATE_TEST_PG_URL is set. Oracle (no server here): every block of B's file renders for
// Oracle with its binds as :b1…:bn and no portable marker left.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import t from 'tap';
import '../../src/store/queries/all.js';
import { loadQueriesFile, loadQueriesText } from '../../src/store/queries/file.js';
import { queryNames, registeredQuery } from '../../src/store/queries/define.js';
import { describeOracle } from '../../src/store/oracle.js';
import { render } from '../../src/store/dialect.js';
import { cli, freePort, root, serve } from '../helpers/serve.js';
import { allText } from '../helpers/log-files.js';
import { sqlBackends } from './sql-backends.js';
import { TICKET_KINDS } from '../../src/store/schema.js';
import { bTicketTable } from '../../src/store/schemas/b.js';

t.setTimeout(360_000);
// The back ends side by side (each spawns its own CLI processes on its own database).
t.jobs = 2;

const QUERIES = join(root, 'config/schemas/b/queries.sql');

/** The CLI, asynchronously (the back ends run side by side). */
function run(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [cli, ...args], { cwd: root });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), 300_000);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'bsg-b-check-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const backends = sqlBackends(dir, 'bcheck');

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

for (const [i, be] of backends.entries()) {
  t.test(`issue 15: db check on a schema-B demo: ok for every query (writes, ledger, lockout, scanner); a renamed column refuses serve [${be.name}]`, async (t) => {
    const db = await be.database(t);
    const ini = join(dir, `b-${i}.ini`);
    writeFileSync(ini, `[interface.cs]\nport = ${19_600 + i}\n${db.section}queries = ${QUERIES}\n[log]\ndir = ${join(dir, `logs-${i}`)}\n`);
    const init = await run(['db', 'init', '--schema', 'b', '--demo', '40', ini]);
    t.equal(init.code, 0, init.err);

    const r = await run(['db', 'check', ini]);
    t.equal(r.code, 0, r.out + r.err);
    t.notMatch(r.out, /^FAIL/m, 'no FAIL');
    for (const name of queryNames()) t.match(r.out, new RegExp(`^ok ${esc(name)}( |$)`, 'm'), name);
    const oks = r.out.split('\n').filter((l) => l.startsWith('ok ')).length;
    t.equal(oks, queryNames().length + 9, `${oks} ok lines: every query, the 4 ticket templates and the 5 fixed tables`);

    // A query the operator knowingly leaves unused (`-- unused: <name> [why]`): its FAIL is a
    // warning and serve starts; any other FAIL still refuses the start.
    await t.test('-- unused: demotes that query\'s FAIL to a warning; serve starts; another FAIL still refuses', async (t) => {
      const base = readFileSync(QUERIES, 'utf8');
      // PC-07's reconciliation read, broken (a column B does not have): this gateway runs no reconciliation.
      const broken = base.replace(/(-- name: payments\.card-postings-between\n[\s\S]*?)WHERE CHANNEL = :source/, '$1WHERE RECONSOURCE = :source');
      t.not(broken, base);
      const qf = join(dir, `unused-${i}.sql`);
      const port = await freePort();
      const logDir = join(dir, `logs-unused-${i}`);
      const ini2 = join(dir, `unused-${i}.ini`);
      writeFileSync(ini2, `[interface.cs]\nport = ${port}\n${db.section}queries = ${qf}\n[log]\ndir = ${logDir}\n`);

      writeFileSync(qf, broken);
      const failing = await run(['db', 'check', ini2]);
      t.equal(failing.code, 1, 'undeclared: FAIL');
      t.match(failing.out, /^FAIL payments\.card-postings-between: .*column reconsource\)$/im);

      const declared = `-- unused: payments.card-postings-between no reconciliation client on this gateway\n${broken}`;
      writeFileSync(qf, declared);
      const warned = await run(['db', 'check', ini2]);
      t.equal(warned.code, 0, warned.out + warned.err);
      t.notMatch(warned.out, /^FAIL/m);
      const line = new RegExp(`^warn payments\\.card-postings-between: declared unused \\(${esc(qf)}:1: no reconciliation client on this gateway\\): .*column reconsource\\)$`, 'im').exec(warned.out)?.[0];
      t.ok(line, `the warning names the declaration and what fails:\n${warned.out}`);
      const printed = await run(['db', 'queries', ini2]);
      t.match(printed.out, /^-- unused: payments\.card-postings-between no reconciliation client on this gateway$/m, 'db queries prints the declaration back');
      const g = await serve(ini2);
      await g.stop();
      t.match(await allText(logDir), 'declared unused', 'serve started, the warning in its main log');

      // A second broken query, not declared: db check and serve refuse on it, the declared one stays a warning.
      writeFileSync(qf, declared.replace(/(-- name: payments\.insert\n[\s\S]*?)PAYSTAT/, '$1PAY_STAT'));
      const other = await run(['db', 'check', ini2]);
      t.equal(other.code, 1);
      t.match(other.out, /^FAIL payments\.insert: /m);
      t.match(other.out, /^warn payments\.card-postings-between: declared unused/m);
      const s = await run(['serve', ini2]);
      t.equal(s.code, 1);
      t.match(s.err, /FAIL payments\.insert: /, `serve refuses on the undeclared one: ${s.err}`);

      // An ok query declared unused says so.
      writeFileSync(qf, `-- unused: account.credit\n${base}`);
      const ok = await run(['db', 'check', ini2]);
      t.equal(ok.code, 0);
      t.match(ok.out, new RegExp(`^ok account\\.credit \\(declared unused \\(${esc(qf)}:1\\), and it checks ok\\)$`, 'm'));
    });

    // The ticket tables are looked up under B's names (its -- table: templates) for the current and
    // the last month: all there after the demo; one dropped, db check names it, with the template's line.
    await t.test("db check finds B's templated ticket tables for the current and the last month; a missing one is named with its template's line", async (t) => {
      for (const kind of TICKET_KINDS) t.match(r.out, new RegExp(`^ok table ticket\\.${kind}$`, 'm'), `ticket.${kind}`);
      const now = new Date();
      const month = `${now.getFullYear()}${String(now.getMonth() + 1).padStart(2, '0')}`;
      const table = bTicketTable('CDMA1X', month);
      t.match(table, /^CDMA1X_TICKET_RATE_\d{4}_\d{2}$/);
      const line = readFileSync(QUERIES, 'utf8').split('\n').findIndex((l) => l.startsWith('-- table: ticket.CDMA1X =')) + 1;
      t.ok(line > 0, 'the template line');
      await db.exec(`DROP TABLE ${table}`);
      const after = await run(['db', 'check', ini]);
      t.equal(after.code, 0, 'a missing month table is a warning, not a failure');
      t.match(after.out, new RegExp(`^warn table ticket\\.CDMA1X: ${table} not found: no records for that month \\(${esc(QUERIES)}:${line}\\)$`, 'm'), after.out);
      t.match(after.out, /^ok tickets\.data-detail-page$/m, 'the data queries are checked on the last month');
    });

    // PC-03's insert writes PAYSTAT: renamed, the check names the query, the file's line and the column.
    await db.exec('ALTER TABLE TAB_PAY RENAME COLUMN PAYSTAT TO PAY_STAT');
    const bad = await run(['db', 'check', ini]);
    t.equal(bad.code, 1, bad.out);
    const line = new RegExp(`^FAIL payments\\.insert: .*\\(${esc(QUERIES)}:\\d+, column paystat\\)$`, 'im').exec(bad.out)?.[0];
    t.ok(line, `db check names payments.insert, its line in queries.sql and PAYSTAT:\n${bad.out}`);
    t.match(bad.out, /^FAIL payments\.mark-reversed: /m, 'PC-04 mark-reversed too');
    t.match(bad.out, /^ok subscriber\.by-number$/m, 'queries that do not use the column stay ok');
    const first = /^FAIL .*$/m.exec(bad.out)![0];
    const s = await run(['serve', ini]);
    t.equal(s.code, 1, s.err);
    t.equal(s.err.trim().split('\n').length, 1, `one line: ${s.err}`);
    t.ok(s.err.includes(first), `serve says the same line: ${s.err}`);
    t.notMatch(s.err, /\n\s+at /, 'no stack trace');
  });
}

t.test('-- unused: lines: an unknown name or a name given twice is one loader error; db queries prints them back', async (t) => {
  const said = (text: string) => {
    try {
      loadQueriesText(text, 'q.sql', 'sqlite');
      return '';
    } catch (err) {
      return (err as Error).message;
    }
  };
  t.equal(said('-- unused: no.such.query'), 'queries file q.sql:1: query no.such.query: -- unused: no query of that name (bssgate db queries lists them)');
  t.equal(said('-- unused: tickets.call-detail-page.part.SMS'), 'queries file q.sql:1: query tickets.call-detail-page.part.SMS: -- unused: a part is checked with its query: declare tickets.call-detail-page unused');
  t.equal(said('-- unused: account.credit\n-- unused: account.credit why'), 'queries file q.sql:2: query account.credit: declared unused twice (first at line 1)');
  t.equal(said('-- unused: account.credit not served here\n-- name: account.balance\nSELECT 1 AS acctid FROM T WHERE ACCTID = :acctid'), '', 'a block after the line');
  const set = loadQueriesText('-- name: auth.password\nSELECT 1 AS svcpwd FROM T WHERE X = :subscrbid\n-- unused: account.credit not served here\n', 'q.sql', 'sqlite');
  t.match(set.unused('account.credit'), { line: 3, reason: 'not served here' });
  t.equal(set.block('auth.password')?.sql, 'SELECT 1 AS svcpwd FROM T WHERE X = :subscrbid', 'the line ends the block before it');
  const doc = readFileSync(join(root, 'docs/operator-schema.md'), 'utf8');
  for (const shown of ['queries file q.sql:1: query no.such.query: -- unused: no query of that name (bssgate db queries lists them)', 'queries file q.sql:2: query account.credit: declared unused twice (first at line 1)']) {
    t.ok(doc.includes(shown), `the doc shows: ${shown}`);
  }
  const printed = await run(['db', 'queries']);
  t.equal(printed.code, 0);
  t.match(printed.out, /^-- "-- unused: <query> \[why\]" declares/m);
});

t.test('issue 15: every block of schema B\'s queries file renders for Oracle (binds :b1…:bn, no marker left; rendering only, no server)', async (t) => {
  const set = loadQueriesFile(QUERIES, 'oracle');
  const replaced = set.replaced();
  t.ok(replaced.length >= 40, `${replaced.length} blocks`);
  for (const name of replaced) {
    const reg = registeredQuery(name);
    if (!reg || reg.kind !== 'plain') continue;
    const def = set.resolve(reg.sample());
    t.not(def.sql, reg.sample().sql, `${name}: B's SQL`);
    const r = render('oracle', def);
    t.notMatch(r.sql, /\{\{|\bLIMIT\b|::/, `${name}: no portable marker, LIMIT or :: cast`);
    t.notMatch(r.sql.replace(/--.*$/gm, '').replace(/'[^']*'/g, "''").replace(/:b\d+\b/g, ''), /:[A-Za-z_]/, `${name}: every bind rendered`);
    const columns = Object.keys(reg.columns ?? {});
    const d = await describeOracle(
      { getStatementInfo: async (sql) => ({ bindNames: [...new Set(sql.match(/:b\d+\b/g) ?? [])].map((b) => b.slice(1).toUpperCase()), metaData: columns.map((c) => ({ name: c.toUpperCase() })) }) },
      def,
      columns.length > 0,
    );
    if (columns.length) t.same(d.columns?.map((c) => c.name), columns, `${name}: described`);
  }
});
