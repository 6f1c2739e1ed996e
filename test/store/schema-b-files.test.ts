// Issue 15: reference schema B's DDL files are the rendering of its table list (src/store/schemas/b.ts)
// for each dialect, its monthly ticket tables are named by its queries file's templates, and
// `bssgate db init --schema b --demo N` builds it (and `--force` drops it, ticket tables included).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import t from 'tap';
import Database from 'better-sqlite3';
import { renderSchemaScript } from '../../src/store/db-commands.js';
import { bTicketNaming, bTicketTable, schemaBQueriesFile } from '../../src/store/schemas/b.js';
import { TICKET_KINDS, ticketKindOf, ticketTable } from '../../src/store/schema.js';
import { parseQueriesText } from '../../src/store/queries/file.js';
import { cli, root } from '../helpers/serve.js';
import pg from 'pg';
import { withTempDatabase } from './contract-pg-helper.js';

t.setTimeout(360_000);

for (const d of ['sqlite', 'postgres', 'oracle'] as const) {
  t.test(`issue 15: config/schemas/b/${d}.sql is what \`bssgate db ddl --schema b --dialect ${d}\` prints (not stale)`, async (t) => {
    t.equal(readFileSync(join(root, `config/schemas/b/${d}.sql`), 'utf8'), renderSchemaScript('b', d), 'regenerate with: node dist/src/cli.js db ddl --schema b --dialect ' + d);
  });
}

t.test("issue 15: schema B's monthly ticket tables are named by the -- table: templates of its queries file, none as the default schema names them", async (t) => {
  const file = join(root, 'config/schemas/b/queries.sql');
  t.equal(schemaBQueriesFile(), file);
  const lines = parseQueriesText(readFileSync(file, 'utf8'), file).templates;
  t.same(lines.map((l) => l.name).sort(), TICKET_KINDS.map((k) => `ticket.${k}`).sort(), 'a template for every ticket kind');
  // The names docs/operator-schema.md gives (section "Schema B"), for December 2026 and January 2027.
  const expected = {
    GSMCDMA: ['TICKET_CDMA_VOICE_2612', 'TICKET_CDMA_VOICE_2701'],
    SMS: ['TICKET_CDMA_SMS_2612', 'TICKET_CDMA_SMS_2701'],
    CDMA1X: ['CDMA1X_TICKET_RATE_2026_12', 'CDMA1X_TICKET_RATE_2027_01'],
    '163': ['TICKET_IP163_202612', 'TICKET_IP163_202701'],
  } as const;
  const doc = readFileSync(join(root, 'docs/operator-schema.md'), 'utf8');
  for (const k of TICKET_KINDS) {
    t.same([bTicketTable(k, '202612'), bTicketTable(k, '202701')], expected[k], k);
    t.not(bTicketTable(k, '202612'), ticketTable(k, '202612'), `${k}: not the default name`);
    t.equal(ticketKindOf(bTicketTable(k, '202612')), undefined, `${k}: the default naming does not take it for one of its tables`);
    t.equal(bTicketNaming().kindOf(bTicketTable(k, '202612').toLowerCase()), k, `${k}: recognised in any case (PostgreSQL lists lower case)`);
    t.equal(bTicketNaming().kindOf(ticketTable(k, '202612')), undefined, `${k}: B's naming does not take the default name for its own`);
    t.ok(doc.includes(lines.find((l) => l.name === `ticket.${k}`)!.template), `${k}: the template is in docs/operator-schema.md`);
  }
  t.throws(() => bTicketTable('SMS', '202613'), /billing cycle must be YYYYMM/, 'a month is checked before a name is built');
  const ddl = spawnSync(process.execPath, [cli, 'db', 'ddl', '--schema', 'b', '--dialect', 'postgres', '--month', '202612'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  t.equal(ddl.status, 0, ddl.stderr);
  t.same([...ddl.stdout.matchAll(/^CREATE TABLE (\S+)/gm)].map((m) => m[1]), TICKET_KINDS.map((k) => expected[k][0]), 'db ddl --schema b --month prints B\'s tables');
});

t.test('issue 15: db init --schema b --demo 40 builds schema B (codes, 厘, per-area bills); an unknown --schema is refused by name; --force starts over from B or to B', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-b-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const ini = join(dir, 'b.ini');
  writeFileSync(ini, `[interface.cs]\nkind = cs\nport = 19921\n\n[database]\ntype = sqlite\npath = ${join(dir, 'b.db')}\n`);
  const r = spawnSync(process.execPath, [cli, 'db', 'init', '--schema', 'b', '--demo', '40', ini], { cwd: root, encoding: 'utf8', timeout: 300_000 });
  t.equal(r.status, 0, `db init: ${r.stderr}`);
  t.match(r.stdout, /created the schema .* 40 demo subscribers/);
  const db = new Database(join(dir, 'b.db'), { readonly: true });
  t.same(db.prepare("SELECT VALUE FROM BSG_META WHERE KEY = 'schema'").get(), { VALUE: 'b' });
  t.same(db.prepare('SELECT SVCSTAT, SVCID, AREAID FROM TAB_SUBSCRB WHERE SUBSCRBID = 100000005').get(), { SVCSTAT: '9', SVCID: '10', AREAID: '097100' }, 'fixture 4: cancelled GSM in Xining');
  const bills = db.prepare("SELECT COUNT(*) AS n, SUM(FEE % 10) AS r FROM TAB_BILLDETAIL_097100").get() as { n: number; r: number };
  t.ok(bills.n > 0, 'bills in the Xining table');
  t.equal(bills.r, 0, 'demo fees are whole fen in 厘');
  // The ticket tables of the demo's three months, under B's names, holding the demo's tickets.
  const months = [0, 1, 2].map((back) => {
    const x = new Date(new Date().getFullYear(), new Date().getMonth() - back, 1);
    return `${x.getFullYear()}${String(x.getMonth() + 1).padStart(2, '0')}`;
  });
  const ticketNames = (d: Database.Database) => (d.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((x) => x.name);
  t.same(ticketNames(db).filter((n) => bTicketNaming().kindOf(n)), TICKET_KINDS.flatMap((k) => months.map((m) => bTicketTable(k, m))).sort(), "B's ticket tables of the three months");
  t.same(ticketNames(db).filter((n) => ticketKindOf(n)), [], 'none under the default names');
  t.ok((db.prepare(`SELECT COUNT(*) AS n FROM ${bTicketTable('GSMCDMA', months[1])}`).get() as { n: number }).n > 1000, 'last month\'s voice tickets');
  const bad = spawnSync(process.execPath, [cli, 'db', 'init', '--schema', 'c', ini], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  t.not(bad.status, 0);
  t.match(bad.stderr, /--schema must be default or one of b, got "c"/);
  db.close();

  // --force drops the tables of the schema the database was created with (BSG_META schema), not
  // only the default list: B over B, the default over B (no B table left), B over the default.
  const init = (...args: string[]) => spawnSync(process.execPath, [cli, 'db', 'init', ...args, ini], { cwd: root, encoding: 'utf8', timeout: 300_000 });
  const tables = () => {
    const d = new Database(join(dir, 'b.db'), { readonly: true });
    try {
      return {
        schema: (d.prepare("SELECT VALUE FROM BSG_META WHERE KEY = 'schema'").get() as { VALUE: string }).VALUE,
        bOnly: (d.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('TAB_ACCTRELATION', 'TAB_SUBSCRBPRCPLN', 'TAB_PREDEPOSITRECORD', 'TAB_BILLDETAIL_097100')").all() as { name: string }[]).length,
        aOnly: (d.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('ACCT_BALANCE', 'TAB_BILLDETAIL')").all() as { name: string }[]).length,
        bTickets: ticketNames(d).filter((n) => bTicketNaming().kindOf(n)).length,
        aTickets: ticketNames(d).filter((n) => ticketKindOf(n)).length,
      };
    } finally {
      d.close();
    }
  };
  const bb = init('--schema', 'b', '--force', '--demo', '5');
  t.equal(bb.status, 0, `B over B: ${bb.stderr}`);
  t.same(tables(), { schema: 'b', bOnly: 4, aOnly: 0, bTickets: 12, aTickets: 0 });
  const ab = init('--force', '--demo', '5');
  t.equal(ab.status, 0, `the default over B: ${ab.stderr}`);
  t.same(tables(), { schema: 'default', bOnly: 0, aOnly: 2, bTickets: 0, aTickets: 12 }, 'no table of schema B left, its ticket tables included');
  const ba = init('--schema', 'b', '--force', '--demo', '5');
  t.equal(ba.status, 0, `B over the default: ${ba.stderr}`);
  t.same(tables(), { schema: 'b', bOnly: 4, aOnly: 0, bTickets: 12, aTickets: 0 }, 'no table of the default schema left, its ticket tables included');
  const w = new Database(join(dir, 'b.db'));
  w.prepare("UPDATE BSG_META SET VALUE = 'z' WHERE KEY = 'schema'").run();
  w.close();
  const unknown = init('--schema', 'b', '--force', '--demo', '5');
  t.not(unknown.status, 0, 'a schema this bssgate does not know: refused');
  t.match(unknown.stderr, /db init --force refused: the database was created with schema "z", which this bssgate does not know \(default, b\); drop it by hand/);
  t.notMatch(unknown.stderr, /\n\s+at /, 'no stack trace');
  t.same(tables(), { schema: 'z', bOnly: 4, aOnly: 0, bTickets: 12, aTickets: 0 }, 'nothing dropped');
});

t.test('issue 15: on PostgreSQL, db init --force from B to B, from the default to B and from B to the default leaves none of the other schema\'s tables, ticket tables included', { skip: process.env.BSSGATE_TEST_PG_URL ? false : 'BSSGATE_TEST_PG_URL not set' }, async (t) => {
  const tmp = await withTempDatabase(t, process.env.BSSGATE_TEST_PG_URL!, 'bforce');
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-b-force-pg-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const ini = join(dir, 'b.ini');
  writeFileSync(ini, `[interface.cs]\nkind = cs\nport = 19921\n\n[database]\ntype = postgres\nurl = ${tmp.url}\npool_max = 2\npassword_storage = plain\n`);
  const init = (...args: string[]) => spawnSync(process.execPath, [cli, 'db', 'init', ...args, ini], { cwd: root, encoding: 'utf8', timeout: 300_000 });
  const tables = async () => {
    const c = new pg.Client({ connectionString: tmp.url });
    await c.connect();
    try {
      const names = (await c.query<{ name: string }>("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'")).rows.map((r) => r.name.toUpperCase());
      const schema = (await c.query<{ value: string }>("SELECT value FROM bsg_meta WHERE key = 'schema'")).rows[0]?.value;
      return {
        schema,
        bOnly: names.filter((n) => ['TAB_ACCTRELATION', 'TAB_SUBSCRBPRCPLN', 'TAB_PREDEPOSITRECORD', 'TAB_BILLDETAIL_097100'].includes(n)).length,
        aOnly: names.filter((n) => ['ACCT_BALANCE', 'TAB_BILLDETAIL'].includes(n)).length,
        bTickets: names.filter((n) => bTicketNaming().kindOf(n)).length,
        aTickets: names.filter((n) => ticketKindOf(n)).length,
      };
    } finally {
      await c.end();
    }
  };
  const b = init('--schema', 'b', '--demo', '5');
  t.equal(b.status, 0, `B: ${b.stderr}`);
  t.same(await tables(), { schema: 'b', bOnly: 4, aOnly: 0, bTickets: 12, aTickets: 0 });
  const bb = init('--schema', 'b', '--force', '--demo', '5');
  t.equal(bb.status, 0, `B over B: ${bb.stderr}`);
  t.same(await tables(), { schema: 'b', bOnly: 4, aOnly: 0, bTickets: 12, aTickets: 0 });
  const ab = init('--force', '--demo', '5');
  t.equal(ab.status, 0, `the default over B: ${ab.stderr}`);
  t.same(await tables(), { schema: 'default', bOnly: 0, aOnly: 2, bTickets: 0, aTickets: 12 }, 'no table of schema B left, its ticket tables included');
  const ba = init('--schema', 'b', '--force', '--demo', '5');
  t.equal(ba.status, 0, `B over the default: ${ba.stderr}`);
  t.same(await tables(), { schema: 'b', bOnly: 4, aOnly: 0, bTickets: 12, aTickets: 0 }, 'no table of the default schema left, its ticket tables included');
});
