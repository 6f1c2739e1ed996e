// Group commit: several independent units of work, submitted concurrently, run inside ONE
// transaction on one connection, each inside its own SAVEPOINT (none when the batch is one unit),
// then one durable COMMIT.
//   - a unit that throws is rolled back to its savepoint; only that unit is told its error;
//   - every submitter's promise settles only after the COMMIT returned (durable: WAL+FULL /
//     synchronous_commit=on / Oracle commit wait) — no unit is told "done" before that;
//   - a failed BEGIN/SAVEPOINT/COMMIT rejects every unit of the batch with its error (also one that had
//     refused on its own: that refusal may rest on rows of other units that never committed);
//   - a unit may bring a beforeCommit hook (UnitOptions): once every unit of the batch ran, the
//     hooks of the units that succeeded run together, and the COMMIT is issued only after all of
//     them resolved (the posting journal, src/log/posting-journal.ts: one write + fsync per batch);
//     a hook that rejects fails the whole batch like a failed COMMIT (rolled back, every unit rejected);
//   - batching is natural: units submitted while a batch runs wait and form the next batch
//     (no timer; the first unit after an idle period waits one event-loop turn, setImmediate, so
//     units submitted in the same turn share its commit). maxBatch caps a batch.
// Units of a batch run one after another (one connection; PostgreSQL cannot interleave statements
// of different savepoints on one client), so a slow unit delays the rest of its batch: units are
// meant to be a few statements long, as payments are (PC-03, PC-04).
// Overlapping batches (PostgreSQL/Oracle) hold each unit's row locks until their batch commits, so
// two units that touch the same rows from different batches can deadlock although each alone could
// not: the database kills one (40P01 / ORA-00060). Such a unit (and one failing with a serialization
// failure) was rolled back to its savepoint, so it is re-queued for a later batch (MAX_ATTEMPTS in
// all) instead of being rejected; it still settles only after the COMMIT of the batch it ran in.
import { AsyncLocalStorage } from 'node:async_hooks';
import { GatewayError } from '../../protocol/return-codes.js';
import { describe, isDeadlockOrSerializationFailure, unavailable } from './errors.js';
import type { AdminStore, Binds, QueryDef, Queryable, UnitOptions } from './types.js';
import { observeBatch } from '../metrics.js';
import { WriteNotes } from './write-watch.js';

/** A store that can also batch units of work into shared durable commits. */
export interface BatchingStore extends AdminStore {
  /**
   * Run fn as one unit of work in a shared transaction (group commit). Resolves with fn's value
   * once the shared COMMIT is durable; rejects with fn's error (its writes rolled back, the other
   * units unaffected) or with the commit's error (nothing of the batch was committed).
   */
  unitOfWork<T>(fn: (tx: Queryable) => Promise<T>, opts?: UnitOptions): Promise<T>;
}

/** What a driver lends the committer for one batch: an exclusive connection in autocommit state. */
export interface TxSession {
  q: Queryable;
  begin(): Promise<void>;
  savepoint(name: string): Promise<void>;
  /**
   * BEGIN and then SAVEPOINT `name`, in one round trip where the driver can send both at once
   * (PostgreSQL: one simple query). Optional: without it the committer sends the two apart.
   */
  beginWithSavepoint?(name: string): Promise<void>;
  /** Keep the unit's work (RELEASE SAVEPOINT; a no-op on Oracle, which has no RELEASE). */
  release(name: string): Promise<void>;
  /**
   * PostgreSQL: any failed statement aborts the transaction. The committer then skips RELEASE
   * (issue 17: one round trip per unit; the unit's savepoint stays until the COMMIT, nested
   * savepoints undo only their own unit) and learns of an abort from the unit's own failed
   * statements instead (a unit that caught one is undone to its savepoint and failed with it).
   */
  abortsOnError?: boolean;
  rollbackTo(name: string): Promise<void>;
  /**
   * COMMIT; rejects unless the transaction committed (PostgreSQL answers a COMMIT of an aborted
   * transaction with ROLLBACK and no error: that must reject, as a single-unit batch has no RELEASE
   * to notice the abort).
   */
  commit(): Promise<void>;
  /** Best effort; must not throw. */
  rollback(): Promise<void>;
}

export type WithSession = <T>(fn: (s: TxSession) => Promise<T>) => Promise<T>;

export interface GroupCommitOptions {
  /** Most units in one batch (default 256). */
  maxBatch?: number;
  /** A unit running longer than this is failed with TIMEOUT (9002) and rolled back; 0 = no limit (default 10000 ms). */
  unitTimeoutMs?: number;
  /**
   * Batches committing at the same time (default 1). SQLite has one writer, so 1; a pooled
   * PostgreSQL/Oracle store uses its pool size minus one (at least 1; one connection stays free for
   * plain reads), so batches overlap and the server's own WAL group commit shares the flushes.
   */
  maxConcurrent?: number;
}

interface Pending {
  fn: (tx: Queryable) => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  /** Runs so far that ended in a deadlock / serialization failure (re-queued, see runBatch). */
  conflicts: number;
  beforeCommit?: () => Promise<void>;
}

/** Runs a unit may take when each ends in a deadlock or serialization failure. */
export const MAX_ATTEMPTS = 3;

// --- re-entry guard ------------------------------------------------------------------------------
// The body of a unit of work or transaction runs inside `inside` (AsyncLocalStorage). A body that
// calls the store itself instead of its tx would, on SQLite, queue for the writer lock its own batch
// holds (hang until the unit timeout, then the write commits anyway after the unit was told 9002),
// and on PostgreSQL/Oracle take a second pooled connection outside its transaction. The drivers'
// top-level calls therefore refuse when called from inside (assertOutside). `active` is cleared when
// the body finishes, so work the body started and that outlives it (a timer, a fire-and-forget
// call) may use the store again.
interface Inside {
  what: 'unit of work' | 'transaction';
  active: boolean;
}
const inside = new AsyncLocalStorage<Inside>();
// Issue 17: an AsyncLocalStorage that has run once keeps Node's promise hooks on for the whole
// process (every promise of every request, reads included, pays for them: +0.17 µs an await was
// measured). The storage is therefore disabled whenever no body is active — getStore() is then
// undefined, which the guard reads as "outside", exactly what a finished body's `active = false`
// said before — and run() enables it again for the next body.
let activeBodies = 0;

function runInside<T>(what: Inside['what'], fn: () => Promise<T>): { work: Promise<T>; done(): void } {
  const state: Inside = { what, active: true };
  activeBodies++;
  let work: Promise<T>;
  try {
    work = Promise.resolve(inside.run(state, fn));
  } catch (e) {
    work = Promise.reject(e);
  }
  const done = () => {
    if (!state.active) return;
    state.active = false;
    if (--activeBodies === 0) inside.disable();
  };
  return { work, done };
}

/**
 * Rejects (a programming error: the dispatcher answers 9999) when called from inside the body of a
 * unit of work or transaction; undefined otherwise. Every driver calls it first in its top-level
 * all/one/run/transaction/unitOfWork (and exec/bulkInsert).
 */
export function refuseInside(call: string): Promise<never> | undefined {
  const s = inside.getStore();
  if (!s?.active) return undefined;
  return Promise.reject(
    new Error(`store.${call}() called inside a ${s.what}: use the tx it was given (the store itself would run outside, or wait for, that ${s.what})`),
  );
}

/**
 * A Queryable that refuses calls once closed: a unit (or transaction body) that keeps a reference
 * after it finished, or was timed out, must not write into someone else's savepoint or commit.
 */
export function guardQueryable(q: Queryable, trackFailures = false): { q: Queryable; close(): void; readonly failed: { error: unknown } | undefined } {
  let closed = false;
  let failed: { error: unknown } | undefined;
  const refuse = () => Promise.reject(new Error('transaction already finished: this Queryable can no longer be used'));
  // The first statement that failed (the body may have caught it): see runBatch, abortsOnError.
  // Only where a failed statement aborts the transaction (TxSession.abortsOnError): elsewhere no
  // handler per statement.
  const seen = <T>(p: Promise<T>): Promise<T> => {
    if (trackFailures) p.catch((error: unknown) => void (failed ??= { error }));
    return p;
  };
  return {
    q: {
      all: <T>(d: QueryDef, b?: Binds) => (closed ? refuse() : seen(q.all<T>(d, b))),
      one: <T>(d: QueryDef, b?: Binds) => (closed ? refuse() : seen(q.one<T>(d, b))),
      run: (d: QueryDef, b?: Binds) => (closed ? refuse() : seen(q.run(d, b))),
    },
    close() {
      closed = true;
    },
    get failed() {
      return failed;
    },
  };
}

/**
 * Store.transaction on a session the driver holds exclusively: fn gets a guarded Queryable; COMMIT
 * when fn resolves, ROLLBACK (best effort) when fn or the COMMIT throws, then fn's error.
 */
export async function runTransaction<T>(s: TxSession, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  // What the body writes to the watched history tables is published once it committed or rolled back.
  const w = new WriteNotes();
  try {
    return await transactionOn(s, w.wrap(s.q), fn);
  } finally {
    w.ended();
  }
}

async function transactionOn<T>(s: TxSession, q: Queryable, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  await s.begin();
  const g = guardQueryable(q);
  const body = runInside('transaction', () => fn(g.q));
  try {
    const v = await body.work;
    body.done();
    g.close();
    await s.commit();
    return v;
  } catch (e) {
    body.done();
    g.close();
    await s.rollback();
    throw e;
  }
}

/**
 * maxConcurrent for a pooled store (PostgreSQL/Oracle): at most poolMax - 1 batches at once (at
 * least 1), so one connection stays free for plain reads and transactions; a requested value
 * lower than that wins.
 */
export function pooledMaxConcurrent(requested: number | undefined, poolMax: number): number {
  return Math.max(1, Math.min(requested ?? Number.POSITIVE_INFINITY, poolMax - 1));
}

/**
 * The drivers' unitOfWork: refused inside another unit or transaction (refuseInside), refused with
 * the store's availability refusal (down, or closed: 9001), else submitted to the committer.
 */
export function submitUnitOfWork<T>(
  committer: GroupCommitter,
  avail: { refusal(): Error | undefined },
  fn: (tx: Queryable) => Promise<T>,
  opts?: UnitOptions,
): Promise<T> {
  const refused = avail.refusal();
  const inside = refuseInside('unitOfWork');
  if (inside) return inside;
  if (refused) return Promise.reject(refused);
  // What the unit writes to the watched history tables is published once its batch committed (or
  // it failed): the unit's promise settles only then.
  const w = new WriteNotes();
  const p = committer.submit((tx) => fn(w.wrap(tx)), opts);
  p.then(w.ended, w.ended);
  return p;
}

export class GroupCommitter {
  private queue: Pending[] = [];
  private scheduled = false;
  private inFlight = 0;
  private readonly maxBatch: number;
  private readonly maxConcurrent: number;
  private readonly unitTimeoutMs: number;
  /** Batches committed and units run, for benches and metrics. */
  readonly stats = { batches: 0, units: 0 };

  constructor(
    private readonly withSession: WithSession,
    opts: GroupCommitOptions = {},
  ) {
    this.maxBatch = Math.max(1, opts.maxBatch ?? 256);
    this.maxConcurrent = Math.max(1, opts.maxConcurrent ?? 1);
    this.unitTimeoutMs = opts.unitTimeoutMs ?? 10_000;
  }

  submit<T>(fn: (tx: Queryable) => Promise<T>, opts?: UnitOptions): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (v: unknown) => void, reject, conflicts: 0, beforeCommit: opts?.beforeCommit });
      if (!this.scheduled && this.inFlight < this.maxConcurrent) {
        // Units submitted in this same turn of the event loop join the same batch.
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.pump();
        });
      }
    });
  }

  /**
   * Start batches while there are queued units and free batch slots. The queue is spread over
   * the free slots (64 waiting units and 8 free connections → 8 batches of 8), so a pooled
   * database commits several batches at once while SQLite (one slot) takes them one by one.
   */
  private pump(): void {
    while (this.queue.length > 0 && this.inFlight < this.maxConcurrent) {
      const free = this.maxConcurrent - this.inFlight;
      const size = Math.min(this.maxBatch, Math.max(1, Math.ceil(this.queue.length / free)));
      const batch = this.queue.splice(0, size);
      observeBatch(batch.length);
      this.inFlight++;
      void this.runBatch(batch).finally(() => {
        this.inFlight--;
        // one event-loop turn so submitters woken by this commit can join the next batch
        if (this.queue.length > 0 && !this.scheduled) {
          this.scheduled = true;
          setImmediate(() => {
            this.scheduled = false;
            this.pump();
          });
        }
      });
    }
  }

  private async runUnit(p: Pending, q: Queryable, trackFailures: boolean): Promise<{ ok: true; v: unknown; failed?: { error: unknown } } | { ok: false; e: unknown }> {
    const g = guardQueryable(q, trackFailures);
    let timer: NodeJS.Timeout | undefined;
    const body = runInside('unit of work', () => p.fn(g.q));
    try {
      const work = body.work;
      // a unit that timed out may still reject later: never an unhandled rejection
      work.catch(() => undefined);
      const v =
        this.unitTimeoutMs > 0
          ? await Promise.race([
              work,
              new Promise<never>((_, rej) => {
                timer = setTimeout(() => rej(new GatewayError('TIMEOUT', 'unit of work exceeded its time limit')), this.unitTimeoutMs);
              }),
            ])
          : await work;
      return { ok: true, v, failed: g.failed };
    } catch (e) {
      return { ok: false, e };
    } finally {
      if (timer) clearTimeout(timer);
      body.done();
      g.close();
    }
  }

  private async runBatch(batch: Pending[]): Promise<void> {
    const outcome: ({ ok: true; v: unknown } | { ok: false; e: unknown; retry?: boolean } | undefined)[] = new Array(batch.length);
    try {
      await this.withSession(async (s) => {
        // A batch of one unit needs no savepoint (issue 17: two statements, on PostgreSQL two round
        // trips, per unit): the unit failing rolls the whole transaction back, which undoes exactly
        // its work. Where a failed statement aborts the transaction (abortsOnError), a unit that
        // caught one is failed the same way; should an abort still go unseen, the COMMIT answered
        // ROLLBACK rejects (TxSession.commit), which fails this unit with nothing committed.
        const single = batch.length === 1;
        // A batch of several: BEGIN and the first unit's SAVEPOINT together where the driver can
        // (issue 17: one round trip per batch on PostgreSQL).
        const joined = !single && s.beginWithSavepoint !== undefined;
        if (joined) await s.beginWithSavepoint!('bsg_u0');
        else await s.begin();
        try {
          for (let i = 0; i < batch.length; i++) {
            const sp = `bsg_u${i}`;
            if (!single && !(joined && i === 0)) await s.savepoint(sp);
            const r = await this.runUnit(batch[i], s.q, s.abortsOnError === true);
            if (single) {
              const failed = !r.ok ? r.e : s.abortsOnError && r.failed ? r.failed.error : undefined;
              if (failed !== undefined || !r.ok) {
                await s.rollback();
                outcome[i] = isDeadlockOrSerializationFailure(failed) ? { ok: false, e: failed, retry: true } : { ok: false, e: failed };
                return;
              }
            } else if (r.ok && s.abortsOnError) {
              if (r.failed) {
                // the unit caught a statement error: the transaction is aborted; undo the unit
                await s.rollbackTo(sp);
                outcome[i] = { ok: false, e: r.failed.error };
                continue;
              }
              // no RELEASE: the savepoint stays until the COMMIT
            } else if (r.ok) {
              try {
                await s.release(sp);
              } catch (e) {
                // e.g. PostgreSQL refuses RELEASE in an aborted transaction when the unit swallowed
                // a statement error: undo the unit instead and tell it why
                await s.rollbackTo(sp);
                outcome[i] = { ok: false, e };
                continue;
              }
            } else {
              await s.rollbackTo(sp);
              // A deadlock / serialization failure was (most likely) caused by an overlapping batch
              // holding locks until its COMMIT: the unit is undone up to its savepoint, so it can run
              // again in a later batch (after this COMMIT, see below) instead of failing.
              if (isDeadlockOrSerializationFailure(r.e)) {
                outcome[i] = { ok: false, e: r.e, retry: true };
                continue;
              }
            }
            outcome[i] = r.ok ? { ok: true, v: r.v } : r;
          }
          // The units that will commit: their hooks together (they coalesce), then the COMMIT.
          let hooks: Promise<void>[] | undefined;
          for (let i = 0; i < batch.length; i++) {
            const hook = batch[i].beforeCommit;
            if (hook && outcome[i]?.ok) (hooks ??= []).push(hook());
          }
          if (hooks) await Promise.all(hooks);
          await s.commit();
        } catch (e) {
          await s.rollback();
          throw e;
        }
      });
    } catch (e) {
      // BEGIN, a SAVEPOINT or the COMMIT failed: nothing of this batch is committed. Every unit
      // gets that error, also one that had refused on its own: its refusal may rest on another
      // unit's rows (a tombstone, a status) that never committed; "nothing was done" is true for all.
      for (let i = 0; i < batch.length; i++) batch[i].reject(e);
      return;
    }
    this.stats.batches++;
    this.stats.units += batch.length;
    const again: Pending[] = [];
    for (let i = 0; i < batch.length; i++) {
      const o = outcome[i]!;
      if (o.ok) batch[i].resolve(o.v);
      else if (o.retry) {
        // Not settled yet: nothing of it is in this COMMIT. Re-queued (ahead of newer units) for a
        // later batch; after MAX_ATTEMPTS conflicting runs, 9001 (nothing was done, the client may
        // retry) with the database error as the cause.
        const p = batch[i];
        p.conflicts++;
        if (p.conflicts < MAX_ATTEMPTS) again.push(p);
        else p.reject(unavailable(`unit of work failed ${p.conflicts} times with a deadlock or serialization failure (${describe(o.e)})`, o.e));
      } else batch[i].reject(o.e);
    }
    // pump()'s .finally schedules the next batch once this one has left its slot
    if (again.length > 0) this.queue.unshift(...again);
  }
}
