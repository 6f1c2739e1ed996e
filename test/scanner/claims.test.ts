// OC-01/OC-02 claims on the legacy contract: USR_BUSI_RECORD rows in status 5 (written by plain
// SQL, as other systems do), leases in BSG_CMD_QUEUE, fenced by a per-claim token; an expired lease
// is taken back; one number's commands in BUSISN order, never two at once. SQLite and PostgreSQL,
// each command by command and set-based (issue 17: a batch in a fixed number of statements).
import t from 'tap';
import {
  claimCommands,
  extendLease,
  finishCommand,
  finishCommands,
  releaseCommand,
  CMD_GET,
  type ClaimOptions,
  type CommandLease,
  type CommandResult,
} from '../../src/store/queries/commands.js';
import type { Binds, QueryDef, Queryable, Store } from '../../src/store/types.js';
import { backends, insertRecord, lease, record, testDb } from './helpers.js';

for (const b of backends()) for (const batch of [false, true]) {
  const claim = (s: Store, o: ClaimOptions) => claimCommands(s, { ...o, batch });
  const finish = async (s: Store, c: CommandLease, r: CommandResult, now: Date) => (batch ? (await finishCommands(s, [{ lease: c, result: r }], now, true))[0] : finishCommand(s, c, r, now));
  t.test(`OC-01 claims [${b.name}${batch ? ', set-based (issue 17)' : ''}]`, async (t) => {
    const t0 = new Date(2030, 0, 1, 12, 0, 0);
    const { store } = await testDb(t, b.name, b.url, t0);

    t.test('OC-01: a status-5 row inserted by plain SQL is claimed: 5 → 6, a lease row with a fresh token', async (t) => {
      await insertRecord(store, { busisn: 1001n, svcnum: '13997000001' });
      const [c, ...rest] = await claim(store, { owner: 'host:1:0', now: t0, leaseMs: 30_000, limit: 10 });
      t.equal(rest.length, 0);
      t.equal(c.busisn, 1001n);
      t.equal(c.attempts, 1);
      t.equal(c.busiType, 11);
      t.equal(c.imsi, '460001234567890');
      t.match(c.leaseToken, /^[0-9a-f]{32}$/);
      t.equal((await record(store, 1001n))?.status, 6, 'the legacy record says sending');
      const l = await lease(store, 1001n);
      t.equal(l?.state, 'leased');
      t.equal(l?.lease_token, c.leaseToken);
      t.same(await claim(store, { owner: 'other:2:0', now: t0, leaseMs: 30_000, limit: 10 }), [], 'a leased command is not claimable');
      t.equal(await finish(store, c, { kind: 'executed', answer: '0 执行成功', switchName: 'sw' }, t0), 'ok');
      const r = await record(store, 1001n);
      t.equal(r?.status, 7, 'executed');
      t.equal(r?.result, '0 执行成功', 'RESULT has the switch answer');
      t.ok(r?.executed, 'EXECUTED filled');
      t.equal((await lease(store, 1001n))?.state, 'done');
      t.equal((await lease(store, 1001n))?.lease_token, null, 'the token is cleared when the lease ends');
    });

    t.test('OC-01: two concurrent claimers never get the same command; an expired lease is taken back', async (t) => {
      for (let i = 1; i <= 20; i++) await insertRecord(store, { busisn: 2000n + BigInt(i), svcnum: `1390000${String(i).padStart(4, '0')}` });
      const [a, b2] = await Promise.all([
        claim(store, { owner: 'scanner-a', now: t0, leaseMs: 60_000, limit: 8 }),
        claim(store, { owner: 'scanner-b', now: t0, leaseMs: 60_000, limit: 8 }),
      ]);
      const ids = new Set([...a, ...b2].map((c) => c.busisn));
      t.equal(a.length + b2.length, 16, '16 claimed');
      t.equal(ids.size, 16, 'no command claimed twice');
      t.same(a.map((c) => c.busisn), [...a.map((c) => c.busisn)].sort((x, y) => (x < y ? -1 : 1)), 'claims come in BUSISN order');
      const rest = await claim(store, { owner: 'scanner-c', now: t0, leaseMs: 60_000, limit: 100 });
      t.equal(rest.length, 4, 'the last 4 go to a third claimer');

      const later = new Date(t0.getTime() + 61_000);
      const back = await claim(store, { owner: 'scanner-d', now: later, leaseMs: 60_000, limit: 100 });
      t.equal(back.length, 20, 'every lease expired: all taken back');
      t.ok(back.every((c) => c.takenBack && c.attempts === 2), 'taken back, the attempt counted');
      t.equal((await record(store, back[0].busisn))?.status, 6, 'the record stays sending');
      const old = [...a, ...b2, ...rest].find((c) => c.busisn === back[0].busisn)!;
      t.equal(await finish(store, old, { kind: 'executed', answer: 'late', switchName: 'sw' }, later), 'lost', 'the old owner can no longer complete it');
      t.notOk(await extendLease(store, old, new Date(later.getTime() + 1e6)), 'nor extend');
      t.equal(await finish(store, back[0], { kind: 'failed', reason: '201 用户不存在', switchName: 'sw' }, later), 'ok');
      const r = await record(store, back[0].busisn);
      t.equal(r?.status, 8);
      t.equal(r?.result, '201 用户不存在');
      for (const c of back.slice(1)) await finish(store, c, { kind: 'executed', answer: 'ok', switchName: 'sw' }, later);
    });

    t.test('OC-01: a stale delivery of the same scanner cannot change the outcome of its newer claim', async (t) => {
      await insertRecord(store, { busisn: 3001n, svcnum: '13997003001' });
      const owner = 'host1:1234:0';
      const [first] = await claim(store, { owner, now: t0, leaseMs: 30_000, limit: 10 });
      const t1 = new Date(t0.getTime() + 60_000);
      const [second] = await claim(store, { owner, now: t1, leaseMs: 30_000, limit: 10 });
      t.equal(second?.busisn, 3001n);
      t.equal(second.attempts, 2);
      t.equal(await finish(store, first, { kind: 'wait', reason: 'timeout', retryAt: t1, counted: true, switchName: 'sw' }, t1), 'lost');
      t.equal(await finish(store, second, { kind: 'executed', answer: 'ok', switchName: 'sw' }, t1), 'ok');
      t.equal((await record(store, 3001n))?.status, 7, 'executed once, not re-queued');
    });

    t.test('OC-01: release at shutdown gives it back uncounted; the released lease is refused afterwards', async (t) => {
      await insertRecord(store, { busisn: 3101n, svcnum: '13997003101' });
      const owner = 'host1:1234:0';
      const [first] = await claim(store, { owner, now: t0, leaseMs: 30_000, limit: 10 });
      t.ok(await releaseCommand(store, first, t0));
      t.equal((await record(store, 3101n))?.status, 5, 'back to queued');
      t.equal((await lease(store, 3101n))?.attempts, 0, 'the released attempt is not counted');
      const [second] = await claim(store, { owner, now: t0, leaseMs: 30_000, limit: 10 });
      t.equal(second.attempts, 1, 'same owner, same ATTEMPTS: ATTEMPTS is no fence');
      t.not(second.leaseToken, first.leaseToken, 'a new token');
      t.notOk(await releaseCommand(store, first, t0), 'the released lease cannot release again');
      t.equal(await finish(store, first, { kind: 'executed', answer: 'x', switchName: '' }, t0), 'lost');
      const row = await CMD_GET.one(store, { busisn: 3101n });
      t.equal(row?.lease_token, second.leaseToken, 'the live lease is untouched');
      await finish(store, second, { kind: 'executed', answer: 'ok', switchName: 'sw' }, t0);
    });

    t.test('OC-01: a later command of the same number waits for the earlier one, also while it waits for a retry', async (t) => {
      await insertRecord(store, { busisn: 4001n, svcnum: '13911110000', busitype: 11 });
      await insertRecord(store, { busisn: 4002n, svcnum: '13911110000', busitype: 12 });
      await insertRecord(store, { busisn: 4003n, svcnum: '13911110001' });
      const got = await claim(store, { owner: 's1', now: t0, leaseMs: 1000, limit: 100 });
      t.same(got.map((c) => c.busisn), [4001n, 4003n], 'only the earliest command of each number');
      const c1 = got[0];
      const retryAt = new Date(t0.getTime() + 5000);
      t.equal(await finish(store, c1, { kind: 'wait', reason: 'busy', retryAt, counted: true, switchName: 'sw' }, t0), 'ok');
      const r = await record(store, 4001n);
      t.equal(r?.status, 5, 'back to 5 while it waits');
      t.equal(r?.result, 'busy', 'RESULT says why it waits');
      t.same(await claim(store, { owner: 's2', now: t0, leaseMs: 1000, limit: 100 }), [], 'neither the waiting one nor the next of the number');
      const got2 = await claim(store, { owner: 's2', now: retryAt, leaseMs: 1000, limit: 100 });
      t.same(got2.map((c) => c.busisn), [4003n, 4001n], 'the expired lease of 4003 taken back first, then 4001: its retry time came');
      const again = got2[1];
      t.ok(got2[0].takenBack);
      t.equal(again.attempts, 2);
      t.equal(await finish(store, again, { kind: 'executed', answer: 'ok', switchName: 'sw' }, retryAt), 'ok');
      const [next] = await claim(store, { owner: 's2', now: retryAt, leaseMs: 1000, limit: 100 });
      t.equal(next?.busisn, 4002n, 'once it is done the next one follows');
      await finish(store, next, { kind: 'executed', answer: 'ok', switchName: 'sw' }, retryAt);
      t.equal(await finish(store, got[1], { kind: 'executed', answer: 'ok', switchName: 'sw' }, retryAt), 'lost', 'the taken-back lease is no longer s1\'s');
      await finish(store, got2[0], { kind: 'executed', answer: 'ok', switchName: 'sw' }, retryAt);
    });

    t.test('OC-01: a status-6 record without a lease row (another system is sending it) is left alone; a failed one set back to 5 is sent again', async (t) => {
      await insertRecord(store, { busisn: 5001n, svcnum: '13922220000', status: 6 });
      t.same(await claim(store, { owner: 's', now: t0, leaseMs: 1000, limit: 100 }), []);
      await insertRecord(store, { busisn: 5002n, svcnum: '13922220001' });
      const [c] = await claim(store, { owner: 's', now: t0, leaseMs: 1000, limit: 100 });
      await finish(store, c, { kind: 'failed', reason: 'refused', switchName: 'sw' }, t0);
      await store.run({ name: 'test.requeue', sql: 'UPDATE USR_BUSI_RECORD SET STATUS = 5 WHERE BUSISN = :b' }, { b: 5002n });
      const [again] = await claim(store, { owner: 's', now: t0, leaseMs: 1000, limit: 100 });
      t.equal(again?.busisn, 5002n, 'an operator re-queued it by setting status 5');
      t.equal(again.attempts, 2);
      await finish(store, again, { kind: 'executed', answer: 'ok', switchName: 'sw' }, t0);
    });

    t.test('OC-01 issue 13 (defect 8): a stalled scanner writing its outcome and a scanner taking its expired lease back lock in one order: no deadlock', { skip: b.name === 'sqlite' && 'PostgreSQL only (SQLite serialises writers)' }, async (t) => {
      // Two PostgreSQL sessions, stepped statement by statement: the finisher (scanner A, its lease
      // expired but not yet taken back) runs its first statement; then the claimer (scanner B)
      // runs its first, the claim SELECT … FOR UPDATE SKIP LOCKED; then both go on. Locking the
      // lease row before the record (the order before the fix) makes each wait for the other:
      // PostgreSQL reports "deadlock detected" and one of them fails.
      await insertRecord(store, { busisn: 6001n, svcnum: '13933330000' });
      const [mine] = await claim(store, { owner: 'scanner-a', now: t0, leaseMs: 1000, limit: 10 });
      t.equal(mine?.busisn, 6001n);
      const later = new Date(t0.getTime() + 60_000);
      const finisherFirst = deferred();
      const claimerFirst = deferred();
      /** tx whose statement i (0-based) first awaits before(i). */
      const stepped = (tx: Queryable, before: (i: number) => Promise<void> | void): Queryable => {
        let i = 0;
        const step = async <T>(run: () => Promise<T>): Promise<T> => {
          await before(i++);
          return run();
        };
        return {
          all: (q, binds) => step(() => tx.all(q, binds)),
          one: (q, binds) => step(() => tx.one(q, binds)),
          run: (q, binds) => step(() => tx.run(q, binds)),
        };
      };
      const finisherStep = async (i: number) => {
        if (i === 1) {
          finisherFirst.resolve();
          await claimerFirst.promise;
        }
      };
      const outcome: CommandResult = { kind: 'executed', answer: '0 执行成功', switchName: 'sw' };
      const finisher = batch
        ? finishCommands({ ...store, transaction: <T>(fn: (tx: Queryable) => Promise<T>) => store.transaction((tx) => fn(stepped(tx, finisherStep))) } as unknown as Store, [{ lease: mine, result: outcome }], later, true).then((v) => v[0])
        : store.transaction((tx) => finishCommand(stepped(tx, finisherStep), mine, outcome, later));
      await finisherFirst.promise;
      const claimerStore = {
        ...store,
        transaction: <T>(fn: (tx: Queryable) => Promise<T>) => store.transaction((tx) => fn(stepped(tx, (i) => void (i === 1 && claimerFirst.resolve())))),
      } as unknown as Store;
      const claimer = claim(claimerStore, { owner: 'scanner-b', now: later, leaseMs: 1000, limit: 10 });
      // Before the fix the claimer's first statement ends at once (it locked the record) while the
      // finisher holds the lease row; after it, the finisher holds the record and the claim skips it.
      const [f, c] = await Promise.allSettled([finisher, claimer]);
      const why = (r: PromiseSettledResult<unknown>) => (r.status === 'rejected' ? String((r.reason as Error)?.message ?? r.reason) : 'ok');
      t.equal(f.status, 'fulfilled', `the finisher's transaction did not fail (${why(f)})`);
      t.equal(c.status, 'fulfilled', `the claimer's transaction did not fail (${why(c)})`);
      t.equal(f.status === 'fulfilled' && f.value, 'ok', 'the outcome was written');
      t.same(c.status === 'fulfilled' && c.value.map((x) => x.busisn), [], 'the claim skipped the record being finished');
      t.equal((await record(store, 6001n))?.status, 7, 'executed');
    });

    t.test('issue 17: 40 commands are claimed and their outcomes written with a fixed number of statements; command by command it grows with the count', async (t) => {
      for (let i = 0; i < 40; i++) await insertRecord(store, { busisn: 7000n + BigInt(i), svcnum: `1397700${String(i).padStart(4, '0')}` });
      const counted = counting(store);
      const got = await claim(counted.store, { owner: 'counter', now: t0, leaseMs: 60_000, limit: 100 });
      t.equal(got.length, 40, 'all claimed');
      const claimStatements = counted.n;
      counted.n = 0;
      const verdicts = await finishCommands(counted.store, got.map((c) => ({ lease: c, result: { kind: 'executed', answer: 'ok', switchName: 'sw' } as CommandResult })), t0, batch);
      t.same(verdicts, got.map(() => 'ok'));
      if (batch) {
        t.ok(claimStatements <= 5, `claim: ${claimStatements} statements (the SELECTs, 5 → 6, the lease rows)`);
        t.ok(counted.n <= 3, `results: ${counted.n} statements (lock, lease rows, records)`);
      } else {
        t.ok(claimStatements >= 80, `claim: ${claimStatements} statements, two per command`);
        t.ok(counted.n >= 120, `results: ${counted.n} statements, three per command`);
      }
      for (const c of got) t.equal((await record(store, c.busisn))?.status, 7);
    });

    t.test('issue 17: outcomes written together, one lease lost and one record changed by hand: those two say lost and moved, the others ok', async (t) => {
      for (let i = 0; i < 6; i++) await insertRecord(store, { busisn: 7100n + BigInt(i), svcnum: `1397710${String(i).padStart(4, '0')}` });
      const got = await claim(store, { owner: 'mixed', now: t0, leaseMs: 1000, limit: 100 });
      t.equal(got.length, 6);
      // 7100's lease expires and is taken back by another scanner; 7101's record is set to 8 by someone else.
      const later = new Date(t0.getTime() + 2000);
      await store.run({ name: 'test.claims.expire-others', sql: `UPDATE BSG_CMD_QUEUE SET LEASE_UNTIL = :t WHERE BUSISN <> 7100` }, { t: new Date(t0.getTime() + 60_000) });
      const [taken] = await claim(store, { owner: 'other', now: later, leaseMs: 60_000, limit: 100 });
      t.equal(taken?.busisn, 7100n, 'taken back');
      await store.run({ name: 'test.claims.by-hand', sql: 'UPDATE USR_BUSI_RECORD SET STATUS = 8 WHERE BUSISN = 7101' });
      const verdicts = await finishCommands(store, got.map((c) => ({ lease: c, result: { kind: 'executed', answer: 'ok', switchName: 'sw' } as CommandResult })), later, batch);
      t.same(verdicts, ['lost', 'moved', 'ok', 'ok', 'ok', 'ok']);
      t.equal((await record(store, 7100n))?.status, 6, "the lost one is the other scanner's, still sending");
      t.equal((await lease(store, 7100n))?.lease_owner, 'other');
      t.equal((await record(store, 7101n))?.status, 8, 'the moved one is left as it is');
      t.equal((await lease(store, 7101n))?.state, 'done', 'its lease ended');
      for (const c of got.slice(2)) t.equal((await record(store, c.busisn))?.status, 7);
      await finish(store, taken, { kind: 'executed', answer: 'ok', switchName: 'sw' }, later);
    });
  });
}

/** A store whose transactions count the statements they run. */
function counting(store: Store): { store: Store; n: number } {
  const c = { store, n: 0 };
  const wrap = (tx: Queryable): Queryable => ({
    all: <T>(q: QueryDef, b?: Binds) => (c.n++, tx.all<T>(q, b)),
    one: <T>(q: QueryDef, b?: Binds) => (c.n++, tx.one<T>(q, b)),
    run: (q: QueryDef, b?: Binds) => (c.n++, tx.run(q, b)),
  });
  c.store = { ...store, transaction: <T>(fn: (tx: Queryable) => Promise<T>) => store.transaction((tx) => fn(wrap(tx))) } as unknown as Store;
  return c;
}

function deferred(): { promise: Promise<void>; resolve(): void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
