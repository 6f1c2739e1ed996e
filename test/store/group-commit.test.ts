// The group committer against a scripted session: what happens in which order.
import t from 'tap';
import { GroupCommitter, MAX_ATTEMPTS, refuseInside, runTransaction, type TxSession } from '../../src/store/group-commit.js';
import type { Queryable } from '../../src/store/types.js';

function fakeSession(events: string[], failOn?: string) {
  const step = (name: string) => async () => {
    events.push(name);
    if (failOn === name) throw new Error(`${name} failed`);
  };
  const q: Queryable = {
    all: async () => [],
    one: async () => undefined,
    run: async () => {
      events.push('run');
      return 1;
    },
  };
  const s: TxSession = {
    q,
    begin: step('BEGIN'),
    savepoint: async (n) => step(`SAVEPOINT ${n}`)(),
    release: async (n) => step(`RELEASE ${n}`)(),
    rollbackTo: async (n) => step(`ROLLBACK TO ${n}`)(),
    commit: step('COMMIT'),
    rollback: async () => void events.push('ROLLBACK'),
  };
  return <T>(fn: (s: TxSession) => Promise<T>) => fn(s);
}

t.test('no unit is told its outcome before the shared COMMIT returned', async (t) => {
  const events: string[] = [];
  const gc = new GroupCommitter(fakeSession(events));
  const units = [0, 1, 2].map((i) =>
    gc.submit(async (tx) => {
      await tx.run({ name: 'x', sql: 'x' });
      if (i === 1) throw new Error('unit 1');
      return i;
    }).then(
      (v) => events.push(`resolved ${v}`),
      (e: Error) => events.push(`rejected ${e.message}`),
    ),
  );
  await Promise.all(units);
  t.same(events, [
    'BEGIN',
    'SAVEPOINT bsg_u0', 'run', 'RELEASE bsg_u0',
    'SAVEPOINT bsg_u1', 'run', 'ROLLBACK TO bsg_u1',
    'SAVEPOINT bsg_u2', 'run', 'RELEASE bsg_u2',
    'COMMIT',
    'resolved 0', 'rejected unit 1', 'resolved 2',
  ]);
  t.same(gc.stats, { batches: 1, units: 3 }, 'one commit for three units');
});

t.test('a failed COMMIT rejects every unit of the batch', async (t) => {
  const events: string[] = [];
  const gc = new GroupCommitter(fakeSession(events, 'COMMIT'));
  const r = await Promise.allSettled([gc.submit(async () => 'a'), gc.submit(async () => 'b')]);
  t.same(r.map((x) => x.status), ['rejected', 'rejected']);
  t.match(String((r[0] as PromiseRejectedResult).reason), /COMMIT failed/);
  t.ok(events.includes('ROLLBACK'), 'the transaction is rolled back');
});

t.test('units submitted while a batch runs form the next batch; maxBatch caps a batch', async (t) => {
  const events: string[] = [];
  const gc = new GroupCommitter(fakeSession(events), { maxBatch: 4 });
  await Promise.all(Array.from({ length: 10 }, (_, i) => gc.submit(async () => i)));
  t.same(gc.stats, { batches: 3, units: 10 }, '4 + 4 + 2');
  t.equal(events.filter((e) => e === 'COMMIT').length, 3);
});

t.test('a unit that outlives its time limit is failed with 9002 and its Queryable closed', async (t) => {
  const events: string[] = [];
  const gc = new GroupCommitter(fakeSession(events), { unitTimeoutMs: 50 });
  let late: Queryable | undefined;
  const slow = gc.submit(async (tx) => {
    late = tx;
    await new Promise((r) => setTimeout(r, 200));
    throw new Error('too late to matter');
  });
  const quick = gc.submit(async () => 'ok');
  await t.rejects(slow, { name: 'GatewayError', code: 9002 });
  t.equal(await quick, 'ok', 'the next unit is not held up beyond the limit');
  await t.rejects(late!.run({ name: 'x', sql: 'x' }), /already finished/);
  await new Promise((r) => setTimeout(r, 250)); // the slow unit rejects later: no unhandled rejection
});

/** An error shaped like pg's deadlock report. */
function deadlock(): Error {
  return Object.assign(new Error('deadlock detected'), { code: '40P01' });
}

t.test('a unit failing with a deadlock is re-queued for a later batch and settles after that COMMIT', async (t) => {
  const events: string[] = [];
  const gc = new GroupCommitter(fakeSession(events));
  let runs = 0;
  const retried = gc.submit(async (tx) => {
    await tx.run({ name: 'x', sql: 'x' });
    if (++runs === 1) throw deadlock();
    return 'second run';
  }).then((v) => {
    events.push(`resolved ${v}`);
    return v;
  });
  const other = gc.submit(async () => 'b');
  t.equal(await retried, 'second run');
  t.equal(await other, 'b');
  t.same(events, [
    'BEGIN',
    'SAVEPOINT bsg_u0', 'run', 'ROLLBACK TO bsg_u0',
    'SAVEPOINT bsg_u1', 'RELEASE bsg_u1',
    'COMMIT',
    'BEGIN',
    'SAVEPOINT bsg_u0', 'run', 'RELEASE bsg_u0',
    'COMMIT',
    'resolved second run',
  ], 'run again in a second batch; resolved only after its COMMIT');
});

t.test('a unit that keeps deadlocking is rejected with 9001 after MAX_ATTEMPTS runs', async (t) => {
  const events: string[] = [];
  const gc = new GroupCommitter(fakeSession(events));
  let runs = 0;
  const e = await gc.submit(async () => {
    runs++;
    throw Object.assign(new Error('could not serialize access'), { code: '40001' });
  }).then(() => undefined, (err: unknown) => err);
  t.equal(runs, MAX_ATTEMPTS, 'bounded');
  t.match(e, { name: 'GatewayError', code: 9001 });
  t.match((e as Error).cause, { code: '40001' }, 'the database error is kept as the cause');
  t.equal(events.filter((x) => x === 'COMMIT').length, MAX_ATTEMPTS, 'rejected only after the last batch committed');
});

t.test('other errors are not retried', async (t) => {
  const gc = new GroupCommitter(fakeSession([]));
  let runs = 0;
  await t.rejects(gc.submit(async () => {
    runs++;
    throw Object.assign(new Error('duplicate key'), { code: '23505' });
  }), { code: '23505' });
  t.equal(runs, 1);
});

t.test('a unit or transaction body calling the store itself is refused (refuseInside)', async (t) => {
  const gc = new GroupCommitter(fakeSession([]));
  t.equal(refuseInside('run'), undefined, 'outside: allowed');
  let after: (() => Promise<unknown> | undefined) | undefined;
  const seen = await gc.submit(async () => {
    await new Promise((r) => setTimeout(r, 1));
    after = () => refuseInside('run');
    return refuseInside('run')?.catch((e: Error) => e.message);
  });
  t.match(seen, /store\.run\(\) called inside a unit of work/);
  t.equal(after!(), undefined, 'work that outlives the unit may use the store');
  const fake = fakeSession([]);
  const inTx = await fake((s) => runTransaction(s, async () => refuseInside('one')?.catch((e: Error) => e.message)));
  t.match(inTx, /store\.one\(\) called inside a transaction/);
});
