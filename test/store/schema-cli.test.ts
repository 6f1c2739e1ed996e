import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import pino from 'pino';
import { Command } from 'commander';
import { registerDbCommands } from '../../src/store/db-commands.js';
import { createSqliteStore } from '../../src/store/open.js';
import { renderDdlScript } from '../../src/store/ddl.js';
import type { Config, DatabaseConfig } from '../../src/config/types.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bsg-dbcli-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
const log = pino({ level: 'silent' });

function program(db: Partial<DatabaseConfig> = {}) {
  const printed: string[] = [];
  const loaded: string[][] = [];
  const cfg: Config = {
    files: [],
    interfaces: [],
    database: { type: 'sqlite', path: path.join(dir, 'cli.db'), poolMax: 1, passwordStorage: 'plain', demoSubscribers: 0, demoSeed: 1, ...db },
    log: { dir, level: 'info', retentionDays: 1, requests: false },
    shutdownGraceMs: 1000,
  };
  const p = new Command().exitOverride();
  registerDbCommands(p, {
    loadConfig: (files) => {
      loaded.push(files);
      return cfg;
    },
    openStore: async (c) => createSqliteStore(c.path ?? '', log),
    out: (s) => void printed.push(s),
    log,
  });
  return { p, printed, loaded };
}

t.test('db ddl prints the rendering of each dialect', async (t) => {
  for (const d of ['sqlite', 'postgres', 'oracle']) {
    const { p, printed } = program();
    await p.parseAsync(['node', 'bssgate', 'db', 'ddl', '--dialect', d]);
    t.equal(printed.join(''), renderDdlScript(d as 'oracle'), d);
  }
  const { p, printed } = program();
  await p.parseAsync(['node', 'bssgate', 'db', 'ddl', '--dialect', 'oracle', '--month', '202405']);
  t.match(printed.join(''), /CREATE TABLE TICKET_GSMCDMA_202405 \(/);
  await t.rejects(program().p.parseAsync(['node', 'bssgate', 'db', 'ddl', '--dialect', 'mysql']), /sqlite, postgres or oracle/);
  await t.rejects(program().p.parseAsync(['node', 'bssgate', 'db', 'ddl', '--dialect', 'oracle', '--month', '2024-05']), /YYYYMM/);
});

t.test('db init creates schema and demo from the config, reports it, and does nothing the second time', async (t) => {
  const { p, printed, loaded } = program({ demoSubscribers: 5, demoSeed: 3 });
  await p.parseAsync(['node', 'bssgate', 'db', 'init', '--demo', '40', '--now', '2025-05-15T12:00:00', 'my.ini']);
  t.same(loaded, [['my.ini']]);
  t.match(printed.join(''), /created the schema in .*cli\.db \(sqlite\): 40 demo subscribers \(seed 3\), \d+ rows in [\d.]+ s/);
  const again = program();
  await again.p.parseAsync(['node', 'bssgate', 'db', 'init', '-c', 'my.ini']);
  t.same(again.loaded, [['my.ini']], 'the file of -c (the same as the argument form)');
  // Issue 18: no default configuration file.
  await t.rejects(program().p.parseAsync(['node', 'bssgate', 'db', 'init']), /db init: no configuration file given/);
  t.match(again.printed.join(''), /already initialised/);
  const store = createSqliteStore(path.join(dir, 'cli.db'), log);
  t.teardown(() => store.close());
  const n = await store.one<{ c: number }>({ name: 't.c', sql: 'SELECT COUNT(*) AS C FROM TAB_SUBSCRB' });
  t.equal(n?.c, 40);
  await t.rejects(program().p.parseAsync(['node', 'bssgate', 'db', 'init', '--demo', '-3']), /--demo/);
});

t.test('db fixtures prints the demo credentials of a seed', async (t) => {
  const { p, printed } = program();
  await p.parseAsync(['node', 'bssgate', 'db', 'fixtures', '--seed', '4']);
  const j = JSON.parse(printed.join('')) as { first: { svcnum: string; password: string } };
  t.match(j.first.svcnum, /^1\d{10}$/);
  t.match(j.first.password, /^\d{6}$/);
});
