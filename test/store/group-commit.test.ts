// The group committer against a scripted session: what happens in which order.
import t from 'tap';
import { GroupCommitter, MAX_ATTEMPTS, refuseInside, runTransaction, type TxSession } from '../../src/store/group-commit.js';
import type { Queryable } from '../../src/store/types.js';

function fakeSession(events: string[], failOn?: string, abortsOnError?: boolean, joinsBegin?: boolean) {
  const step = (name: string) => async () => {
    events.push(name);
    if (failOn === name) throw new Error(`${name} failed`);
  };
  const q: Queryable = {
    all: async () => [],
    one: async () => undefined,
    run: async (d) => {
      events.push('run');
      if (d.name === 'fails') throw new Error('statement failed');
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
    abortsOnError,
    ...(joinsBegin ? { beginWithSavepoint: async (n: string) => step(`BEGIN; SAVEPOINT ${n}`)() } : {}),
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

t.test('issue 17: a batch of one unit runs without SAVEPOINT/RELEASE; failing, it is rolled back, not committed', async (t) => {
  const events: string[] = [];
  const gc = new GroupCommitter(fakeSession(events));
  t.equal(await gc.submit(async (tx) => (await tx.run({ name: 'x', sql: 'x' })) && 'alone'), 'alone');
  t.same(events, ['BEGIN', 'run', 'COMMIT'], 'two statements fewer than with a savepoint');
  events.length = 0;
  await t.rejects(gc.submit(async (tx) => {
    await tx.run({ name: 'x', sql: 'x' });
    throw new Error('refused');
  }), /refused/);
  t.same(events, ['BEGIN', 'run', 'ROLLBACK'], 'its writes undone with the transaction; nothing committed');
  events.length = 0;
  const deadlocked = Object.assign(new Error('deadlock detected'), { code: '40P01' });
  let runs = 0;
  t.equal(await gc.submit(async () => {
    if (++runs === 1) throw deadlocked;
    return 'again';
  }), 'again', 'a deadlock victim alone in its batch is re-queued as before');
  t.same(events, ['BEGIN', 'ROLLBACK', 'BEGIN', 'COMMIT']);
});

t.test('issue 17: a batch of one unit whose COMMIT fails (e.g. answered ROLLBACK) rejects the unit', async (t) => {
  const events: string[] = [];
  const gc = new GroupCommitter(fakeSession(events, 'COMMIT'));
  let hook = 0;
  await t.rejects(gc.submit(async () => 'ok', { beforeCommit: async () => void hook++ }), /COMMIT failed/);
  t.equal(hook, 1, 'its beforeCommit ran before the COMMIT');
  t.same(events, ['BEGIN', 'COMMIT', 'ROLLBACK']);
});

t.test('issue 17: where a failed statement aborts the transaction (PostgreSQL), no RELEASE; a unit that caught one is undone', async (t) => {
  const events: string[] = [];
  const gc = new GroupCommitter(fakeSession(events, undefined, true));
  const r = await Promise.allSettled([
    gc.submit(async (tx) => tx.run({ name: 'x', sql: 'x' })),
    gc.submit(async (tx) => {
      await tx.run({ name: 'fails', sql: 'x' }).catch(() => undefined);
      return 'swallowed';
    }),
    gc.submit(async (tx) => tx.run({ name: 'x', sql: 'x' })),
  ]);
  t.same(events, [
    'BEGIN',
    'SAVEPOINT bsg_u0', 'run',
    'SAVEPOINT bsg_u1', 'run', 'ROLLBACK TO bsg_u1',
    'SAVEPOINT bsg_u2', 'run',
    'COMMIT',
  ]);
  t.match(r, [{ status: 'fulfilled' }, { status: 'rejected', reason: { message: 'statement failed' } }, { status: 'fulfilled' }]);
  events.length = 0;
  await t.rejects(gc.submit(async (tx) => {
    await tx.run({ name: 'fails', sql: 'x' }).catch(() => undefined);
    return 'swallowed';
  }), /statement failed/, 'alone in its batch: failed with the error it caught');
  t.same(events, ['BEGIN', 'run', 'ROLLBACK'], 'rolled back, no journal hook, no COMMIT');
});

t.test('issue 17: where the driver sends BEGIN and a SAVEPOINT together (PostgreSQL), a batch of several opens with both at once', async (t) => {
  const events: string[] = [];
  const gc = new GroupCommitter(fakeSession(events, undefined, true, true));
  const r = await Promise.allSettled([
    gc.submit(async (tx) => tx.run({ name: 'x', sql: 'x' })),
    gc.submit(async (tx) => tx.run({ name: 'fails', sql: 'x' })),
    gc.submit(async (tx) => tx.run({ name: 'x', sql: 'x' })),
  ]);
  t.same(events, [
    'BEGIN; SAVEPOINT bsg_u0', 'run',
    'SAVEPOINT bsg_u1', 'run', 'ROLLBACK TO bsg_u1',
    'SAVEPOINT bsg_u2', 'run',
    'COMMIT',
  ], 'one round trip fewer per batch; every unit still has its savepoint');
  t.match(r, [{ status: 'fulfilled' }, { status: 'rejected', reason: { message: 'statement failed' } }, { status: 'fulfilled' }]);
  events.length = 0;
  await gc.submit(async (tx) => tx.run({ name: 'x', sql: 'x' }));
  t.same(events, ['BEGIN', 'run', 'COMMIT'], 'a batch of one: a plain BEGIN, no savepoint');
});

t.test('issue 17: a failed BEGIN-and-SAVEPOINT rejects every unit of the batch, nothing run', async (t) => {
  const events: string[] = [];
  const gc = new GroupCommitter(fakeSession(events, 'BEGIN; SAVEPOINT bsg_u0', true, true));
  const r = await Promise.allSettled([gc.submit(async (tx) => tx.run({ name: 'x', sql: 'x' })), gc.submit(async (tx) => tx.run({ name: 'x', sql: 'x' }))]);
  t.same(r.map((x) => x.status), ['rejected', 'rejected']);
  t.match(String((r[0] as PromiseRejectedResult).reason), /BEGIN; SAVEPOINT bsg_u0 failed/);
  t.notOk(events.includes('run'), 'no unit ran');
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
    'run',
    'COMMIT',
    'resolved second run',
  ], 'run again in a second batch (alone in it: no savepoint); resolved only after its COMMIT');
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
  // alone in its batch, each run ends with the batch's ROLLBACK (no savepoint, issue 17)
  t.equal(events.filter((x) => x === 'ROLLBACK').length, MAX_ATTEMPTS, 'rejected only after the last batch ended');
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
