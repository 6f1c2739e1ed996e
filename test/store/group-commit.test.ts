// The group committer against a scripted session: what happens in which order.
import t from 'tap';
import { GroupCommitter, type TxSession } from '../../src/store/group-commit.js';
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
