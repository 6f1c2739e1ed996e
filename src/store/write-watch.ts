// Writes this process committed to the history tables the history pages keep lists of (issue 17:
// CS-17 / VO-09 read TAB_PAY, CS-05 / VO-11 read USR_BUSI_RECORD). Those tables are written by
// bssgate itself — payments, reversals, tombstones and reconciliation corrections (src/domain/
// posting.ts), business records (src/store/queries/business-record.ts), the scanner's status
// changes (src/store/queries/commands.ts) — and by the front office. The lists kept by
// handlers/kit/history.ts are validated by the list's COUNT (an insert or delete by anyone is seen at
// once); a row changed in place keeps the count, so bssgate's own writes are published here and a
// kept list written since it was read is read again. Other systems' in-place changes (the front
// office, another gateway process on the same database) are seen within the cache's ttl.
//
// Every statement any store of this process runs, top level or inside a unit of work or a
// transaction, passes through watchWrite/watchQueryable (src/store/group-commit.ts and the drivers'
// top-level calls), so no writer can forget it. A write is published when its statement (top level)
// or its unit / transaction has ended, committed or not: after the COMMIT, never before it (a list
// read between the write and its COMMIT is older than the publication, so it is read again).
import type { Binds, QueryDef, Queryable } from './types.js';

export type WatchedTable = 'TAB_PAY' | 'USR_BUSI_RECORD';

const WRITE = /^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(TAB_PAY|USR_BUSI_RECORD)\b/i;

/** The table a statement writes, or null (memoised per QueryDef: the defined queries are constants). */
const tableOf = new WeakMap<QueryDef, WatchedTable | null>();

function watchedTable(q: QueryDef): WatchedTable | null {
  let t = tableOf.get(q);
  if (t === undefined) {
    const m = WRITE.exec(q.sql);
    t = m ? (m[1].toUpperCase() as WatchedTable) : null;
    tableOf.set(q, t);
  }
  return t;
}

/** `TABLE:subscrbid`, or `TABLE:*` for a write that does not bind SUBSCRBID (by PAYSN, BUSISN). */
function markOf(q: QueryDef, binds: Binds | undefined): string | undefined {
  const t = watchedTable(q);
  if (!t) return undefined;
  const id = binds?.subscrbid;
  return id === undefined || id === null ? `${t}:*` : `${t}:${String(id)}`;
}

/** Publications are remembered this long; a list read before the oldest forgotten one is stale. */
const RETAIN_MS = 60_000;

let seq = 0;
/** mark → [seq, time] of its last publication, oldest first. */
const last = new Map<string, { seq: number; at: number }>();
/** The highest seq forgotten. */
let forgotten = 0;

/** The publication counter now: a list read from here on sees every write published so far. */
export function writeSeq(): number {
  return seq;
}

/** True when bssgate wrote `table` for subscriber `subscrbid` (or any row of it) after `since` (a writeSeq). */
export function writtenSince(table: WatchedTable, subscrbid: bigint | number | string, since: number): boolean {
  if (since < forgotten) return true;
  const a = last.get(`${table}:${String(subscrbid)}`);
  if (a && a.seq > since) return true;
  const b = last.get(`${table}:*`);
  return b !== undefined && b.seq > since;
}

function publish(marks: Iterable<string>): void {
  const now = performance.now();
  seq++;
  for (const m of marks) {
    last.delete(m);
    last.set(m, { seq, at: now });
  }
  for (const [m, v] of last) {
    if (now - v.at < RETAIN_MS) break;
    last.delete(m);
    forgotten = Math.max(forgotten, v.seq);
  }
}

/** A top-level statement (autocommit): published when it has ended. */
export function watchWrite<T>(q: QueryDef, binds: Binds | undefined, p: Promise<T>): Promise<T> {
  const m = markOf(q, binds);
  if (m === undefined) return p;
  const done = () => publish([m]);
  p.then(done, done);
  return p;
}

/**
 * What a unit of work or a transaction body writes: `wrap` gives the Queryable the body gets (each
 * run of it: a unit re-run after a deadlock notes into the same set); `ended()` is called once the
 * unit / transaction has committed or rolled back.
 */
export class WriteNotes {
  private marks: Set<string> | undefined;

  wrap(tx: Queryable): Queryable {
    const note = (d: QueryDef, b: Binds | undefined) => {
      const m = markOf(d, b);
      if (m !== undefined) (this.marks ??= new Set()).add(m);
    };
    return {
      all: (d, b) => (note(d, b), tx.all(d, b)),
      one: (d, b) => (note(d, b), tx.one(d, b)),
      run: (d, b) => (note(d, b), tx.run(d, b)),
    };
  }

  readonly ended = (): void => {
    if (this.marks) publish(this.marks);
    this.marks = undefined;
  };
}
