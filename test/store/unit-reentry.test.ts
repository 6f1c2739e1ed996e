// A unit of work or transaction body that calls the store itself instead of its tx is refused at
// once (a programming error: the dispatcher answers 9999). On SQLite such a call used to queue for the
// writer lock held by its own batch, time out (9002, "nothing was done") and then commit anyway.
// Also: calls after close() answer 9001, and a transaction SQLite rolled back on its own stops the batch.
import t from 'tap';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createSqliteStore } from '../../src/store/open.js';
import type { QueryDef } from '../../src/store/types.js';

const log = pino({ level: 'silent' });
const INS: QueryDef = { name: 'reentry.audit-ins', sql: 'INSERT INTO audit (msg) VALUES (:msg)' };
const CNT: QueryDef = { name: 'reentry.audit-cnt', sql: 'SELECT COUNT(*) AS n FROM audit' };
const ROLLBACK: QueryDef = { name: 'reentry.rollback', sql: 'ROLLBACK' };

async function fresh(t: { teardown(fn: () => unknown): void }) {
  const store = createSqliteStore(join(mkdtempSync(join(tmpdir(), 'bsg-reentry-')), 'r.db'), log, { fileCheckMs: 0, unitTimeoutMs: 300 });
  t.teardown(() => store.close());
  await store.exec('CREATE TABLE audit (msg TEXT)');
  return store;
}

const count = async (store: { one<T>(q: QueryDef): Promise<T | undefined> }) => Number((await store.one<{ n: number }>(CNT))?.n);

t.test('a unit calling store.run is refused at once and nothing of it is committed', async (t) => {
  const store = await fresh(t);
  const r = store.unitOfWork(async (tx) => {
    await tx.run(INS, { msg: 'through tx' });
    await store.run(INS, { msg: 'payment audit' });
    return 'done';
  });
  await t.rejects(r, /store\.run\(\) called inside a unit of work/);
  await new Promise((res) => setTimeout(res, 100));
  t.equal(await count(store), 0, 'the unit was told it failed, and none of its writes is committed');
});

t.test('reads, transactions and nested units from inside are refused too; the tx still works', async (t) => {
  const store = await fresh(t);
  const seen = await store.unitOfWork(async (tx) => {
    const msgs: string[] = [];
    for (const call of [() => store.one(CNT), () => store.all(CNT), () => store.transaction(async () => 1), () => store.unitOfWork(async () => 1), () => store.exec('SELECT 1')]) {
      msgs.push(await call().then(() => 'served', (e: Error) => e.message));
    }
    await tx.run(INS, { msg: 'ok' });
    return msgs;
  });
  t.equal(seen.length, 5);
  for (const m of seen) t.match(m, /called inside a unit of work: use the tx/);
  t.equal(await count(store), 1, 'the unit committed its own tx write');
  const inTx = await store.transaction(async () => store.run(INS, { msg: 'x' }).then(() => 'served', (e: Error) => e.message));
  t.match(inTx, /store\.run\(\) called inside a transaction/);
});

t.test('work a unit leaves behind may use the store once the unit has finished', async (t) => {
  const store = await fresh(t);
  let later!: Promise<number>;
  await store.unitOfWork(async () => {
    later = new Promise<void>((r) => setTimeout(r, 20)).then(() => store.run(INS, { msg: 'after' }));
  });
  t.equal(await later, 1);
});

t.test('after close(): unitOfWork and the other calls answer 9001 store closed', async (t) => {
  const store = await fresh(t);
  const queued = store.unitOfWork(async (tx) => tx.run(INS, { msg: 'raced close' }));
  await store.close();
  await queued.then(
    () => t.pass('a unit submitted before close() may still complete'),
    (e: unknown) => t.match(e, { code: 9001 }, 'or answer 9001'),
  );
  const closed = { name: 'GatewayError', code: 9001, message: /store closed/ };
  await t.rejects(store.unitOfWork(async () => 1), closed);
  await t.rejects(store.transaction(async () => 1), closed);
  await t.rejects(store.run(INS, { msg: 'x' }), closed);
  await t.rejects(store.one(CNT), closed);
  await t.rejects(store.exec('SELECT 1'), closed);
  await t.rejects(store.tableExists('audit'), closed);
});

t.test('SQLite rolled the transaction back on its own: later statements do not run in autocommit', async (t) => {
  const store = await fresh(t);
  // ROLLBACK through the tx stands in for SQLITE_FULL / IOERR, after which SQLite ends the transaction
  const units = [
    store.unitOfWork(async (tx) => tx.run(INS, { msg: 'a' })),
    store.unitOfWork(async (tx) => {
      await tx.run(ROLLBACK);
      // a unit that swallows the error and goes on must not write outside the batch
      return tx.run(INS, { msg: 'b' }).then(() => 'wrote', (e: { code?: number }) => `refused ${e.code}`);
    }),
    store.unitOfWork(async (tx) => tx.run(INS, { msg: 'c' })),
  ];
  const r = await Promise.allSettled(units);
  t.same(r.map((x) => x.status), ['rejected', 'rejected', 'rejected'], 'the whole batch fails');
  t.match((r[0] as PromiseRejectedResult).reason, { code: 9001 });
  t.equal(await count(store), 0, 'nothing was committed, not even in autocommit');
  t.equal(await store.unitOfWork(async (tx) => tx.run(INS, { msg: 'd' })), 1, 'the next batch works');
});

// Issue 17: the guard's AsyncLocalStorage is disabled whenever no body is active (its promise hooks
// would otherwise tax every await of every request for the rest of the process) and enabled again
// by the next body. The guard must hold across that: in a body after the storage was disabled, and
// in overlapping bodies when one of them finishes first.
t.test('issue 17: the guard holds in later bodies and in overlapping bodies after others finished', async (t) => {
  const store = await fresh(t);
  const inside = async (tx: { run(q: QueryDef, b?: Record<string, string>): Promise<number> }, waitMs: number) => {
    await new Promise((r) => setTimeout(r, waitMs));
    const seen = await store.one(CNT).then(() => 'served', (e: Error) => e.message);
    await tx.run(INS, { msg: `after ${waitMs}` });
    return seen;
  };
  for (let i = 0; i < 3; i++) {
    t.match(await store.unitOfWork((tx) => inside(tx, 1)), /called inside a unit of work/, `unit ${i + 1}, one after another`);
    t.match(await store.transaction((tx) => inside(tx, 1)), /called inside a transaction/, `transaction ${i + 1}, one after another`);
  }
  // Units submitted together share a batch and run side by side; the short ones finish first.
  const together = await Promise.all([1, 30, 60].map((ms) => store.unitOfWork((tx) => inside(tx, ms))));
  for (const m of together) t.match(m, /called inside a unit of work/);
  t.equal(await count(store), 9, 'every body committed its own tx write');
  t.equal(await store.one(CNT).then(() => 'served'), 'served', 'outside any body the store answers');
});
