// OP-01: the `serve` banner tells what the database holds (BSG_META and the demo subscriber's own
// row), never what the configuration asks for: a demo of another size, a changed password, a
// database without demo data and an adopted legacy database each get their own true line.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createSqliteStore } from '../../src/store/open.js';
import { ensureDatabase } from '../../src/store/init.js';
import { demoFixtures } from '../../src/store/demo.js';
import { banner, readDatabaseFacts } from '../../src/banner.js';
import type { AdminStore } from '../../src/store/types.js';
import type { Config } from '../../src/config/types.js';
import type { BoundInterface } from '../../src/server/gateway.js';

const log = pino({ level: 'silent' });
const now = new Date(2024, 10, 22, 10, 0, 0);
// The configuration asks for 10000 demo subscribers of seed 1 (h.ini.example): the banner must not say so.
const config = { database: { type: 'sqlite', path: 'data/bssgate.db', demoSubscribers: 10000, demoSeed: 1 } } as unknown as Config;
const bound: BoundInterface[] = [
  { name: 'cs', kind: 'cs', host: '127.0.0.1', port: 9921, serves: [101, 114] },
  { name: 'card', kind: 'card', host: '127.0.0.1', port: 7995, serves: [101, 201] },
];

function db(t: { teardown(fn: () => unknown): void }): AdminStore {
  const dir = mkdtempSync(join(tmpdir(), 'bsg-banner-'));
  const store = createSqliteStore(join(dir, 'b.db'), log, { fileCheckMs: 0 });
  t.teardown(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return store;
}

t.test('OP-01 banner: a demo of 30 subscribers (seed 7) is announced as such, with its real first subscriber', async (t) => {
  const store = db(t);
  await ensureDatabase(store, { demoSubscribers: 30, demoSeed: 7, passwordStorage: 'plain', now, log });
  const facts = await readDatabaseFacts(store);
  const fx = demoFixtures(7).first;
  t.same(facts, { origin: 'created', demo: { subscribers: 30, seed: 7, first: { svcnum: fx.svcnum, password: fx.password } } });
  const text = banner({ config, bound, facts });
  t.match(text, `Demo data: 30 subscribers (seed 7); e.g. ${fx.svcnum} with service password ${fx.password}.`);
  t.notMatch(text, /10000/, 'the configured size is not announced');
  t.match(text, `call 127.0.0.1:7995 card-verify svcnum=${fx.svcnum} password=${fx.password}`);
  t.match(text, `call 127.0.0.1:9921 balance svcnum=${fx.svcnum}`);

  // The operator changed that subscriber's password: the banner no longer prints one.
  await store.exec(`UPDATE TAB_SUBSCRB SET SVCPWD = 'changed' WHERE SVCNUM = '${fx.svcnum}'`);
  const changed = await readDatabaseFacts(store);
  t.same(changed.demo?.first, { svcnum: fx.svcnum, password: undefined });
  const text2 = banner({ config, bound, facts: changed });
  t.notMatch(text2, /password/, 'no password that the database does not hold');
  t.match(text2, `e.g. ${fx.svcnum}.`);
  t.match(text2, `balance svcnum=${fx.svcnum}`, 'calls without a password still shown');

  // The subscriber is gone (cancelled): not named at all.
  await store.exec(`UPDATE TAB_SUBSCRB SET STATUS = 5 WHERE SVCNUM = '${fx.svcnum}'`);
  const gone = await readDatabaseFacts(store);
  t.same(gone.demo, { subscribers: 30, seed: 7 });
  t.notMatch(banner({ config, bound, facts: gone }), fx.svcnum);
});

t.test('OP-01 banner: scrypt-stored demo passwords are checked too', async (t) => {
  const store = db(t);
  await ensureDatabase(store, { demoSubscribers: 20, demoSeed: 3, passwordStorage: 'scrypt', scrypt: { N: 1024, r: 8, p: 1 }, now, log });
  const facts = await readDatabaseFacts(store);
  t.equal(facts.demo?.first?.password, demoFixtures(3).first.password);
});

t.test('OP-01 banner: a database created without demo data gets no demo subscriber line', async (t) => {
  const store = db(t);
  await ensureDatabase(store, { demoSubscribers: 0, demoSeed: 1, now, log });
  const facts = await readDatabaseFacts(store);
  t.same(facts, { origin: 'created' });
  const text = banner({ config, bound, facts });
  t.notMatch(text, /Demo data:|password/);
  t.match(text, 'no demo data');
  t.match(text, 'call 127.0.0.1:9921 connection-check', 'the connection check is still offered');
});

t.test('OP-01 banner: an adopted legacy database gets no demo line and no password', async (t) => {
  const store = db(t);
  const fx = demoFixtures(1).first;
  await store.exec('CREATE TABLE TAB_SUBSCRB (SUBSCRBID INTEGER PRIMARY KEY, SVCNUM VARCHAR(20), SVCPWD VARCHAR(64), STATUS INTEGER)');
  // Even a legacy row that happens to carry the seed's number is not taken for demo data.
  await store.exec(`INSERT INTO TAB_SUBSCRB VALUES (1, '${fx.svcnum}', '${fx.password}', 1)`);
  const r = await ensureDatabase(store, { demoSubscribers: 10000, demoSeed: 1, now, log });
  t.equal(r.mode, 'adopted');
  const facts = await readDatabaseFacts(store);
  t.same(facts, { origin: 'adopted' });
  const text = banner({ config, bound, facts });
  t.notMatch(text, /Demo data:|password/);
  t.match(text, 'legacy schema (adopted)');
});

t.test('OP-01 banner: a database that did not answer at start is said so, nothing invented', async (t) => {
  const text = banner({ config, bound, facts: undefined });
  t.match(text, 'did not answer at start');
  t.notMatch(text, /Demo data:|password/);
});
