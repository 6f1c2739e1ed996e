// The PostgreSQL rendering executed against a real server: a fresh, uniquely named database per
// run (dropped at the end). Runs only when BSSGATE_TEST_PG_URL names the admin database
// (.ci/run sets postgres://postgres@127.0.0.1:5432/postgres).
import t from 'tap';
import pino from 'pino';
import { openStore } from '../../src/store/open.js';
import { SCHEMA_VERSION, SEQUENCES, TABLES } from '../../src/store/schema.js';
import { ensureTicketTable, renderDdl } from '../../src/store/ddl.js';
import { initDatabase, ensureDatabase, readMeta } from '../../src/store/init.js';
import { demoFixtures } from '../../src/store/demo.js';
import { verifyPassword } from '../../src/store/password.js';
import type { DatabaseConfig } from '../../src/config/types.js';
import { withTempDatabase } from './contract-pg-helper.js';

const url = process.env.BSSGATE_TEST_PG_URL;
const log = pino({ level: 'silent' });
const CHEAP = { N: 1024, r: 8, p: 1 };

function cfg(u: string): DatabaseConfig {
  return { type: 'postgres', url: u, poolMax: 2, passwordStorage: 'scrypt', demoSubscribers: 0, demoSeed: 1 };
}

t.test('the PostgreSQL DDL executes on a fresh database', { skip: url ? false : 'BSSGATE_TEST_PG_URL is not set' }, async (t) => {
  const db = await withTempDatabase(t, url as string, 'schema');
  const store = await openStore(cfg(db.url), log);
  t.teardown(() => store.close());

  for (const s of renderDdl('postgres')) await store.exec(s);
  for (const tbl of TABLES.filter((x) => !x.only)) t.ok(await store.tableExists(tbl.name), tbl.name);
  t.equal(await store.tableExists('BSG_SEQUENCE'), false, 'real sequences on PostgreSQL');
  for (const s of SEQUENCES) {
    const r = await store.one<{ n: bigint }>({ name: `t.${s}`, sql: `SELECT {{nextval ${s}}} AS N`, bigint: ['n'] });
    t.equal(r?.n, 1n, `${s} starts at 1`);
  }
  t.equal(await ensureTicketTable(store, 'GSMCDMA', '202405'), true);
  t.equal(await ensureTicketTable(store, '163', '202405'), true);
  t.equal(await ensureTicketTable(store, 'GSMCDMA', '202405'), false);
  const ix = await store.all<{ indexname: string }>({
    name: 't.ix',
    sql: "SELECT indexname FROM pg_indexes WHERE tablename = 'ticket_163_202405' ORDER BY indexname",
  });
  t.same(ix.map((r) => r.indexname), ['ix_ticket_163_202405', 'ix_ticket_163_202405_c']);
});

t.test('db init with a demo works on PostgreSQL: types, sequences, fixtures, idempotence', { skip: url ? false : 'BSSGATE_TEST_PG_URL is not set' }, async (t) => {
  const db = await withTempDatabase(t, url as string, 'schemademo');
  const store = await openStore(cfg(db.url), log);
  t.teardown(() => store.close());
  const now = new Date(2025, 4, 15, 12, 0, 0);

  const r = await initDatabase(store, { demo: 120, seed: 9, now, log, scrypt: CHEAP });
  t.equal(r.created, true);
  t.equal((await readMeta(store)).schema_version, String(SCHEMA_VERSION));
  const f = demoFixtures(9);
  const sub = await store.one<{ svcpwd: string; status: number; balance: bigint; opendate: Date }>(
    {
      name: 't.sub',
      sql: 'SELECT s.SVCPWD, s.STATUS, b.BALANCE, s.OPENDATE FROM TAB_SUBSCRB s JOIN ACCT_BALANCE b ON b.ACCTID = s.ACCTID WHERE s.SVCNUM = :n',
      bigint: ['balance'],
    },
    { n: f.gsmArrears.svcnum },
  );
  t.ok(sub, 'the arrears fixture is in the database');
  t.equal(sub?.status, 3);
  t.equal(sub?.balance, f.gsmArrears.balance, 'money round-trips as bigint');
  t.ok(sub?.opendate instanceof Date, 'timestamps come back as Date');
  t.equal(verifyPassword(f.gsmArrears.password, sub?.svcpwd ?? ''), true, 'the fixture password verifies');
  const busisn = await store.one<{ n: bigint }>({ name: 't.busisn', sql: 'SELECT {{nextval SEQ_BUSISN}} AS N', bigint: ['n'] });
  t.equal(busisn?.n, 12100n, 'SEQ_BUSISN continues after the demo rows');
  const tickets = await store.one<{ c: number }>(
    { name: 't.tk', sql: 'SELECT COUNT(*) AS C FROM TICKET_GSMCDMA_202505 WHERE SVCNUM = :n', bigint: [] },
    { n: f.first.svcnum },
  );
  t.ok(Number(tickets?.c) > 500, 'the first subscriber has hundreds of voice records this month');

  const again = await ensureDatabase(store, { demoSubscribers: 120, demoSeed: 9, now, log });
  t.equal(again.created, false, 'a second start changes nothing');
  const forced = await initDatabase(store, { demo: 30, seed: 9, now, log, force: true, scrypt: CHEAP });
  t.equal(forced.created, true, '--force starts over');
  const n = await store.one<{ c: number }>({ name: 't.cnt', sql: 'SELECT COUNT(*) AS C FROM TAB_SUBSCRB' });
  t.equal(Number(n?.c), 30);
});
