// Issue 15, "done when": `bssgate db check` on a schema-B demo database (config/schemas/b/queries.sql
// named by [database] queries) prints ok for every query, reads and writes and the scanner's alike,
// and exits 0; after ALTER TABLE … RENAME COLUMN of a column a B query uses, it exits 1 naming the
// query and the column, and `serve` refuses to start with the same line. SQLite always, PostgreSQL
// when BSSGATE_TEST_PG_URL is set. Oracle (no server here): every block of B's file renders for
// Oracle with its binds as :b1…:bn and no portable marker left.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import t, { type Test } from 'tap';
import Database from 'better-sqlite3';
import pg from 'pg';
import '../../src/store/queries/all.js';
import { loadQueriesFile } from '../../src/store/queries/file.js';
import { queryNames, registeredQuery } from '../../src/store/queries/define.js';
import { describeOracle } from '../../src/store/oracle.js';
import { render } from '../../src/store/dialect.js';
import { cli, root } from '../helpers/serve.js';
import { withTempDatabase } from './contract-pg-helper.js';

t.setTimeout(360_000);

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

interface Backend {
  name: string;
  database(t: Test): Promise<{ section: string; exec(sql: string): Promise<void> }>;
}

const dir = mkdtempSync(join(tmpdir(), 'bsg-b-check-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const backends: Backend[] = [
  {
    name: 'SQLite',
    async database() {
      const f = join(dir, 'b.db');
      return {
        section: `[database]\npath = ${f}\n`,
        async exec(sql) {
          const d = new Database(f);
          d.exec(sql);
          d.close();
        },
      };
    },
  },
];
const PG = process.env.BSSGATE_TEST_PG_URL;
if (PG) {
  backends.push({
    name: 'PostgreSQL',
    async database(t) {
      const db = await withTempDatabase(t, PG, 'bcheck');
      return {
        section: `[database]\ntype = postgres\nurl = ${db.url}\npool_max = 2\n`,
        async exec(sql) {
          const c = new pg.Client({ connectionString: db.url });
          await c.connect();
          await c.query(sql);
          await c.end();
        },
      };
    },
  });
}

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
