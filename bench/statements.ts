// Statements the drivers send in this process, for a bench's "statements per …" figure: every
// pg query (including BEGIN/SAVEPOINT/COMMIT, one round trip each) and every better-sqlite3
// run/get/all/iterate of a prepared statement, counted by wrapping the drivers' prototypes while
// `counting` is on. bench/payments.ts (per payment) and bench/scanner.ts (per command) use it.
import Database from 'better-sqlite3';
import pg from 'pg';

export const statements = { counting: false, n: 0 };

/** With timing on (countStatements(true)): µs spent in each statement (better-sqlite3: the call; pg: until its answer), by name or the start of its SQL. */
export const statementTimes = new Map<string, { n: number; us: number }>();

function timed(key: string, t0: number): void {
  const e = statementTimes.get(key) ?? { n: 0, us: 0 };
  e.n++;
  e.us += (performance.now() - t0) * 1000;
  statementTimes.set(key, e);
}

let wrapped = false;

/** Wrap the drivers once (idempotent); `times`: also time each statement into statementTimes. */
export function countStatements(times = false): void {
  if (wrapped) return;
  wrapped = true;
  const pgQuery = pg.Client.prototype.query as (...a: unknown[]) => unknown;
  (pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown }).query = function (this: pg.Client, ...a: unknown[]) {
    if (!statements.counting) return pgQuery.apply(this, a);
    statements.n++;
    const r = pgQuery.apply(this, a);
    if (times && r instanceof Promise) {
      const t0 = performance.now();
      const q = a[0] as string | { name?: string; text?: string };
      const key = typeof q === 'string' ? q.slice(0, 60) : (q.name ?? q.text?.slice(0, 60) ?? '?');
      r.then(() => timed(key, t0), () => timed(key, t0));
    }
    return r;
  };
  const proto = Object.getPrototypeOf(new Database(':memory:').prepare('SELECT 1')) as Record<string, (...a: unknown[]) => unknown>;
  for (const m of ['run', 'get', 'all', 'iterate']) {
    const orig = proto[m];
    proto[m] = function (this: { source: string }, ...a: unknown[]) {
      if (!statements.counting) return orig.apply(this, a);
      statements.n++;
      if (!times) return orig.apply(this, a);
      const t0 = performance.now();
      try {
        return orig.apply(this, a);
      } finally {
        timed(this.source.replace(/\s+/g, ' ').slice(0, 60), t0);
      }
    };
  }
}
