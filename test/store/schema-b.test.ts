// Issue 15, the proof: reference schema B (src/store/schemas/b.ts, config/schemas/b/) holds, for the
// same seed, the same logical data as the default demo in its own tables, codes and units, and its
// queries file maps it back: every read-only business type answers the same on both schemas, for
// every named fixture, over a real socket (result, message and every body field; the encoding is
// a function of those, so the frames are the same bytes apart from the header's time and serial).
// SQLite always, PostgreSQL when BSSGATE_TEST_PG_URL is set.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import pino from 'pino';
import type { DatabaseConfig } from '../../src/config/types.js';
import { openStore } from '../../src/store/open.js';
import { ensureDatabase } from '../../src/store/init.js';
import { demoFixtures } from '../../src/store/demo.js';
import { schemaBTarget } from '../../src/store/schemas/b.js';
import type { AdminStore } from '../../src/store/types.js';
import { withTempDatabase } from './contract-pg-helper.js';
import { ACCOUNT_REALTIME, REALTIME_ITEMS } from '../../src/store/queries/bills.js';
import { backends, cycleOf, SEED, SEED_SCRYPT, SEED_SUBSCRIBERS } from '../helpers/seeded.js';
import { QUERIES, serveStore } from './schema-b-shared.js';

t.setTimeout(360_000);
// The back ends side by side (each builds and asks A and B side by side).
t.jobs = 2;

const log = pino({ level: 'warn' });

async function answers(store: AdminStore, dir: string, tag: string, now: Date): Promise<Map<string, string>> {
  const served = await serveStore(store, dir, tag, log);
  try {
    return await served.readAll(demoFixtures(SEED).all, now);
  } finally {
    await served.stop();
  }
}

for (const b of backends()) {
  t.test(`issue 15: schema B answers every read-only business type as the default schema, every fixture (CS-02…CS-17, VO-*, C1-*, PC-01/02/05/08, PR-*, SM-*) [${b.name}]`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'bssgate-b-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const db = async (tag: string): Promise<DatabaseConfig> =>
      b.name === 'sqlite'
        ? { type: 'sqlite', path: join(dir, `${tag}.db`), poolMax: 1, passwordStorage: 'scrypt', demoSubscribers: 0, demoSeed: SEED }
        : { type: 'postgres', url: (await withTempDatabase(t, b.url!, tag)).url, poolMax: 4, passwordStorage: 'scrypt', demoSubscribers: 0, demoSeed: SEED };
    const now = new Date();
    const init = { demoSubscribers: SEED_SUBSCRIBERS, demoSeed: SEED, now, log, passwordStorage: 'scrypt' as const, scrypt: SEED_SCRYPT };
    const storeA = await openStore(await db('a'), log);
    t.teardown(() => storeA.close());
    // Schema B's queries file through [database] queries, as an operator's INI names it.
    const storeB = await openStore({ ...(await db('b')), queries: QUERIES }, log);
    t.teardown(() => storeB.close());
    await Promise.all([ensureDatabase(storeA, init), ensureDatabase(storeB, { ...init, target: schemaBTarget() })]);

    // Schema B really is another schema: no account or plan on the subscriber row, codes are characters.
    await t.rejects(storeB.all({ name: 't.b.acctid', sql: 'SELECT ACCTID FROM TAB_SUBSCRB' }), 'TAB_SUBSCRB of schema B has no ACCTID');
    const stat = await storeB.all<{ svcstat: string }>({ name: 't.b.stat', sql: "SELECT SVCSTAT FROM TAB_SUBSCRB WHERE SUBSCRBID = 100000005" });
    t.equal(stat[0].svcstat.trim(), '9', "the cancelled fixture is SVCSTAT '9' in schema B");

    const [expected, got] = await Promise.all([answers(storeA, dir, 'a', now), answers(storeB, dir, 'b', now)]);
    t.ok(expected.size > 300, `${expected.size} requests compared`);
    const ok = [...expected.values()].filter((v) => v.includes('"result":0')).length;
    t.ok(ok > expected.size / 2, `${ok} of them answered 0 (data, not just refusals)`);
    let differ = 0;
    for (const [k, v] of expected) {
      if (got.get(k) !== v) {
        differ++;
        if (differ <= 25) t.equal(got.get(k), v, k);
      }
    }
    t.equal(differ, 0, 'no answer differs between the two schemas');

    // Money in 厘 that does not divide into fen (the demo's does): each figure on the wire is the
    // 厘 amount it stands for / 10, rounded half away from zero; a sum is taken in 厘 and rounded
    // once (SPEC.md "Money held in 厘", docs/operator-schema.md).
    t.test('CS-12 money from 厘: ROUND(厘 / 10) half away from zero, per line and per sum in 厘', async (t) => {
      const sub = 199_999_999;
      const acct = 399_999_999;
      const cycle = cycleOf(now);
      const at = new Date(now.getFullYear(), now.getMonth(), 1, 8, 0, 0);
      await storeB.bulkInsert('TAB_ACCTRELATION', ['ACCTID', 'SUBSCRBID', 'ACCTITMTYPEID', 'EFFDATE', 'EXPDATE'], [[acct, sub, 1, at, null]]);
      await storeB.bulkInsert('TAB_ACCOUNTPREDEPOSIT', ['ACCTID', 'BOOKTYPE', 'THISBAL', 'UPDTIME'], [[acct, 1, 10000n, at]]);
      const lines: [string, bigint, bigint][] = [
        ['100101', 12340n, 5n], // 12345 厘 → 1234.5 → 1235 fen
        ['100102', 12344n, 0n], // 12344 厘 → 1234.4 → 1234
        ['100103', 5n, 0n], // 0.5 → 1
        ['100104', 10n, -5n], // FEE + DFEE = 5 → 1
        ['100301', -15n, 0n], // -1.5 → -2 (half away from zero)
      ];
      await storeB.bulkInsert('TAB_ACC_GSM_SUM_FEE', ['SUBSCRBID', 'ACCTITMID', 'FEE', 'DFEE', 'MONTH', 'UPDTIME'], lines.map(([item, fee, dfee]) => [sub, item, fee, dfee, Number(cycle), at]));
      const items = await REALTIME_ITEMS.all(storeB, { subscrbid: BigInt(sub), cycle });
      t.same(
        items.map((r) => [r.itemcode, r.amount]),
        [[101, 1235n], [102, 1234n], [103, 1n], [104, 1n], [301, -2n]],
        'each line: its 厘 / 10, rounded half away from zero',
      );
      const acc = await ACCOUNT_REALTIME.one(storeB, { acctid: BigInt(acct), cycle });
      // 12345 + 12344 + 5 + 5 - 15 = 24684 厘 → 2468.4 → 2468 (the rounded lines would add up to 2469).
      t.equal(acc?.acct_usage, 2468n, 'a sum: taken in 厘, rounded once');
      t.equal(acc?.balance, 10000n, 'the balance books are fen, unscaled');
    });
  });
}
