// Overlapping group-commit batches on PostgreSQL hold every unit's row locks until their batch
// commits, so units that never conflict on their own can deadlock across batches. The unit PostgreSQL
// kills (40P01) was rolled back to its savepoint and is re-queued for a later batch, not rejected.
// Runs when BSSGATE_TEST_PG_URL is set (own database per run).
import t from 'tap';
import pino from 'pino';
import { PostgresStore } from '../../src/store/postgres.js';
import { withTempDatabase } from './contract-pg-helper.js';
import type { QueryDef } from '../../src/store/types.js';

const base = process.env.BSSGATE_TEST_PG_URL;
const PAY: QueryDef = { name: 'gcdl.pay', sql: 'UPDATE gcdl_acct SET balance = balance + :amt WHERE acctid = :acct' };
const BAL: QueryDef = { name: 'gcdl.bal', sql: 'SELECT acctid, balance FROM gcdl_acct ORDER BY acctid', bigint: ['balance'] };

if (!base) {
  t.test('group commit deadlock retry (postgres)', { skip: 'BSSGATE_TEST_PG_URL is not set' }, () => undefined);
} else {
  const log = pino({ level: 'silent' });
  const db = await withTempDatabase(t, base, 'gcdl');

  t.test('four single-row payments to two accounts all succeed under overlapping batches', async (t) => {
    // poolMax 3 → at most 2 batches at once (one connection stays for reads):
    // batch 1 = [acct 1, acct 2], batch 2 = [acct 2, acct 1] → a lock cycle between the batches.
    const store = await PostgresStore.open(db.url, log, { poolMax: 3 });
    t.teardown(() => store.close());
    await store.exec('CREATE TABLE gcdl_acct (acctid int PRIMARY KEY, balance bigint NOT NULL)');
    await store.exec('INSERT INTO gcdl_acct VALUES (1, 0), (2, 0)');
    // Each unit touches ONE account row: as independent transactions they could never deadlock.
    const pay = (acct: number) =>
      store.unitOfWork(async (tx) => {
        await tx.run(PAY, { acct, amt: 100 });
        await new Promise((r) => setTimeout(r, 50)); // a payment's other statements take a moment
        return acct;
      });
    const before = store.groupStats.batches;
    const results = await Promise.allSettled([pay(1), pay(2), pay(2), pay(1)]);
    for (const r of results) t.comment(r.status === 'fulfilled' ? `ok ${r.value}` : `REJECTED ${(r.reason as Error).message}`);
    t.same(results.map((r) => r.status), ['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled'], 'no unit fails with a deadlock it did not cause');
    t.same(await store.all(BAL), [{ acctid: 1, balance: 200n }, { acctid: 2, balance: 200n }], 'every payment applied exactly once');
    t.ok(store.groupStats.batches - before >= 3, 'the unit PostgreSQL chose as deadlock victim ran again in a later batch');
  });

  t.test('issue 17: a unit that swallowed a statement error commits nothing, alone in its batch or not', async (t) => {
    // poolMax 2 → one batch at a time: units submitted in one turn share it
    const store = await PostgresStore.open(db.url, log, { poolMax: 2 });
    t.teardown(() => store.close());
    await store.exec('CREATE TABLE gcdl_swallow (id int PRIMARY KEY)');
    const INS: QueryDef = { name: 'gcdl.swallow.ins', sql: 'INSERT INTO gcdl_swallow (id) VALUES (:id)' };
    const IDS: QueryDef = { name: 'gcdl.swallow.ids', sql: 'SELECT id FROM gcdl_swallow ORDER BY id' };
    await store.exec('INSERT INTO gcdl_swallow VALUES (0)');
    const swallowing = (id: number) =>
      store.unitOfWork(async (tx) => {
        await tx.run(INS, { id });
        // a duplicate key: PostgreSQL aborts the transaction; the unit carries on as if nothing happened
        await tx.run(INS, { id: 0 }).catch(() => undefined);
        return 'done';
      });
    // alone in its batch: no savepoint, no RELEASE to refuse
    await t.rejects(swallowing(1), { code: '23505' }, 'alone: the unit is failed with the error it swallowed');
    t.same(await store.all(IDS), [{ id: 0 }], 'nothing of it committed');
    // with a neighbour in the batch: its savepoint is not released (no RELEASE round trip)
    const before = store.groupStats.batches;
    const [bad, good] = await Promise.allSettled([swallowing(2), store.unitOfWork(async (tx) => tx.run(INS, { id: 3 }))]);
    t.equal(store.groupStats.batches - before, 1, 'both units in one batch');
    t.match(bad, { status: 'rejected', reason: { code: '23505' } }, 'in a batch: the unit is undone and failed');
    t.match(good, { status: 'fulfilled', value: 1 }, 'its neighbour commits');
    t.same(await store.all(IDS), [{ id: 0 }, { id: 3 }]);
  });
}
