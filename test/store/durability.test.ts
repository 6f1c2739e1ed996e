// docs/store.md "Durability": the program refuses to start on settings weaker than WAL+FULL /
// synchronous_commit=on, fsync=on / Oracle commit wait.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import pino from 'pino';
import { DurabilityError } from '../../src/store/errors.js';
import { createSqliteStore } from '../../src/store/open.js';
import { checkOracleDurability } from '../../src/store/oracle.js';
import { checkPgDurability, PostgresStore } from '../../src/store/postgres.js';
import { withTempDatabase } from './contract-pg-helper.js';

const silent = pino({ level: 'silent' });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bsg-durability-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

t.test('sqlite: a file database is opened in WAL mode with synchronous=FULL', async (t) => {
  const file = path.join(dir, 'ok.db');
  const store = createSqliteStore(file, silent);
  await store.ping();
  const probe = new Database(file, { readonly: true });
  t.equal(probe.pragma('journal_mode', { simple: true }), 'wal', 'the file is in WAL mode');
  probe.close();
  await store.close();
});

t.test('sqlite: a database that cannot be in WAL mode (:memory:) is refused, naming the setting', async (t) => {
  let err: unknown;
  try {
    createSqliteStore(':memory:', silent);
  } catch (e) {
    err = e;
  }
  t.ok(err instanceof DurabilityError, 'a DurabilityError');
  t.match(err, { setting: 'journal_mode', found: 'memory', message: /refusing to start: journal_mode is 'memory'.*'wal'/ });
});

function fakePg(settings: Record<string, string>) {
  return {
    query: async (sql: string) => {
      const key = sql.replace(/^SHOW /, '');
      return { rows: [{ [key]: settings[key] }] } as never;
    },
  };
}

t.test('postgres: only synchronous_commit on/remote_apply with fsync on is accepted', async (t) => {
  await checkPgDurability(fakePg({ synchronous_commit: 'on', fsync: 'on' }));
  await checkPgDurability(fakePg({ synchronous_commit: 'remote_apply', fsync: 'on' }));
  for (const sc of ['off', 'local', 'remote_write']) {
    await t.rejects(checkPgDurability(fakePg({ synchronous_commit: sc, fsync: 'on' })), {
      name: 'DurabilityError',
      setting: 'synchronous_commit',
      found: sc,
    });
  }
  await t.rejects(checkPgDurability(fakePg({ synchronous_commit: 'on', fsync: 'off' })), { setting: 'fsync', message: /fsync is 'off'.*'on'/ });
});

t.test('oracle: COMMIT_WAIT=NOWAIT or COMMIT_LOGGING=BATCH is refused; an unreadable v$parameter only warns', async (t) => {
  const ora = { OUT_FORMAT_OBJECT: 4002, STRING: 2001, createPool: async () => ({}) as never };
  const conn = (rows: Record<string, unknown>[] | Error) => ({
    execute: async () => {
      if (rows instanceof Error) throw rows;
      return { rows };
    },
    executeMany: async () => ({}),
    commit: async () => undefined,
    rollback: async () => undefined,
    close: async () => undefined,
  });
  await checkOracleDurability(conn([{ NAME: 'commit_wait', VALUE: null }]), ora, silent);
  await t.rejects(checkOracleDurability(conn([{ NAME: 'commit_wait', VALUE: 'NOWAIT' }]), ora, silent), { name: 'DurabilityError', setting: 'COMMIT_WAIT' });
  await t.rejects(checkOracleDurability(conn([{ NAME: 'commit_logging', VALUE: 'BATCH' }]), ora, silent), { name: 'DurabilityError', setting: 'COMMIT_LOGGING' });
  await t.rejects(checkOracleDurability(conn([{ NAME: 'commit_write', VALUE: 'BATCH,NOWAIT' }]), ora, silent), { name: 'DurabilityError', setting: 'COMMIT_WRITE' });
  const lines: string[] = [];
  const log = pino({ level: 'warn' }, { write: (s: string) => lines.push(s) });
  await checkOracleDurability(conn(new Error('ORA-00942: table or view does not exist')), ora, log);
  t.match(lines.join(''), /not checked/, 'the operator is told it was not checked');
});

const url = process.env.BSSGATE_TEST_PG_URL;
t.test('postgres: a connection with synchronous_commit=off is refused at open', { skip: url ? false : 'BSSGATE_TEST_PG_URL is not set' }, async (t) => {
  const db = await withTempDatabase(t, url!, 'durability');
  const weak = new URL(db.url);
  weak.searchParams.set('options', '-c synchronous_commit=off');
  await t.rejects(PostgresStore.open(weak.toString(), silent), {
    name: 'DurabilityError',
    message: /synchronous_commit is 'off'.*'on'/,
  });
  await db.admin(`ALTER DATABASE ${db.name} SET synchronous_commit = local`);
  await t.rejects(PostgresStore.open(db.url, silent), { name: 'DurabilityError', found: 'local' }, 'a database-level setting is seen too');
  await db.admin(`ALTER DATABASE ${db.name} RESET synchronous_commit`);
  const ok = await PostgresStore.open(db.url, silent);
  await ok.ping();
  await ok.close();
  t.pass('the default settings are accepted');
});
