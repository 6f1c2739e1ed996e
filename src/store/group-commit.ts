// Group commit: several independent units of work, submitted concurrently, run inside ONE
// transaction on one connection, each inside its own SAVEPOINT, then one durable COMMIT.
//   - a unit that throws is rolled back to its savepoint; only that unit is told its error;
//   - every submitter's promise settles only after the COMMIT returned (durable: WAL+FULL /
//     synchronous_commit=on / Oracle commit wait) — no unit is told "done" before that;
//   - a failed BEGIN/SAVEPOINT/COMMIT rejects every unit of the batch that had not failed on its own;
//   - batching is natural: units submitted while a batch runs wait and form the next batch
//     (no timer; the first unit after an idle period waits one event-loop turn, setImmediate, so
//     units submitted in the same turn share its commit). maxBatch caps a batch.
// Units of a batch run one after another (one connection; PostgreSQL cannot interleave statements
// of different savepoints on one client), so a slow unit delays the rest of its batch: units are
// meant to be a few statements long, as payments are (ROADMAP: PC-01…PC-09).
import { GatewayError } from '../../protocol/return-codes.js';
import type { AdminStore, Binds, QueryDef, Queryable } from './types.js';

/** A store that can also batch units of work into shared durable commits. */
export interface BatchingStore extends AdminStore {
  /**
   * Run fn as one unit of work in a shared transaction (group commit). Resolves with fn's value
   * once the shared COMMIT is durable; rejects with fn's error (its writes rolled back, the other
   * units unaffected) or with the commit's error (nothing of the batch was committed).
   */
  unitOfWork<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
}

/** What a driver lends the committer for one batch: an exclusive connection in autocommit state. */
export interface TxSession {
  q: Queryable;
  begin(): Promise<void>;
  savepoint(name: string): Promise<void>;
  /** Keep the unit's work (RELEASE SAVEPOINT; a no-op on Oracle, which has no RELEASE). */
  release(name: string): Promise<void>;
  rollbackTo(name: string): Promise<void>;
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
   * PostgreSQL/Oracle store uses its pool size, so batches overlap and the server's own WAL group
   * commit shares the flushes between them.
   */
  maxConcurrent?: number;
}

interface Pending {
  fn: (tx: Queryable) => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/**
 * A Queryable that refuses calls once closed: a unit (or transaction body) that keeps a reference
 * after it finished, or was timed out, must not write into someone else's savepoint or commit.
 */
export function guardQueryable(q: Queryable): { q: Queryable; close(): void } {
  let closed = false;
  const refuse = () => Promise.reject(new Error('transaction already finished: this Queryable can no longer be used'));
  return {
    q: {
      all: <T>(d: QueryDef, b?: Binds) => (closed ? refuse() : q.all<T>(d, b)),
      one: <T>(d: QueryDef, b?: Binds) => (closed ? refuse() : q.one<T>(d, b)),
      run: (d: QueryDef, b?: Binds) => (closed ? refuse() : q.run(d, b)),
    },
    close() {
      closed = true;
    },
  };
}

/**
 * Store.transaction on a session the driver holds exclusively: fn gets a guarded Queryable; COMMIT
 * when fn resolves, ROLLBACK (best effort) when fn or the COMMIT throws, then fn's error.
 */
export async function runTransaction<T>(s: TxSession, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  await s.begin();
  const g = guardQueryable(s.q);
  try {
    const v = await fn(g.q);
    g.close();
    await s.commit();
    return v;
  } catch (e) {
    g.close();
    await s.rollback();
    throw e;
  }
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

  submit<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
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

  private async runUnit(p: Pending, q: Queryable): Promise<{ ok: true; v: unknown } | { ok: false; e: unknown }> {
    const g = guardQueryable(q);
    let timer: NodeJS.Timeout | undefined;
    try {
      const work = Promise.resolve(p.fn(g.q));
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
      return { ok: true, v };
    } catch (e) {
      return { ok: false, e };
    } finally {
      if (timer) clearTimeout(timer);
      g.close();
    }
  }

  private async runBatch(batch: Pending[]): Promise<void> {
    const outcome: ({ ok: true; v: unknown } | { ok: false; e: unknown } | undefined)[] = new Array(batch.length);
    try {
      await this.withSession(async (s) => {
        await s.begin();
        try {
          for (let i = 0; i < batch.length; i++) {
            const sp = `bsg_u${i}`;
            await s.savepoint(sp);
            const r = await this.runUnit(batch[i], s.q);
            if (r.ok) {
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
            }
            outcome[i] = r;
          }
          await s.commit();
        } catch (e) {
          await s.rollback();
          throw e;
        }
      });
    } catch (e) {
      // BEGIN, a SAVEPOINT or the COMMIT failed: nothing of this batch is committed
      for (let i = 0; i < batch.length; i++) {
        const o = outcome[i];
        batch[i].reject(o && !o.ok ? o.e : e);
      }
      return;
    }
    this.stats.batches++;
    this.stats.units += batch.length;
    for (let i = 0; i < batch.length; i++) {
      const o = outcome[i]!;
      if (o.ok) batch[i].resolve(o.v);
      else batch[i].reject(o.e);
    }
  }
}
