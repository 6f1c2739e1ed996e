// Statements the drivers send in this process, for a bench's "statements per …" figure: every
// pg query (including BEGIN/SAVEPOINT/COMMIT, one round trip each) and every better-sqlite3
// run/get/all/iterate of a prepared statement, counted by wrapping the drivers' prototypes while
// `counting` is on. bench/payments.ts (per payment) and bench/scanner.ts (per command) use it.
import Database from 'better-sqlite3';
import pg from 'pg';

export const statements = { counting: false, n: 0 };

let wrapped = false;

/** Wrap the drivers once (idempotent). */
export function countStatements(): void {
  if (wrapped) return;
  wrapped = true;
  const pgQuery = pg.Client.prototype.query as (...a: unknown[]) => unknown;
  (pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown }).query = function (this: pg.Client, ...a: unknown[]) {
    if (statements.counting) statements.n++;
    return pgQuery.apply(this, a);
  };
  const proto = Object.getPrototypeOf(new Database(':memory:').prepare('SELECT 1')) as Record<string, (...a: unknown[]) => unknown>;
  for (const m of ['run', 'get', 'all', 'iterate']) {
    const orig = proto[m];
    proto[m] = function (this: unknown, ...a: unknown[]) {
      if (statements.counting) statements.n++;
      return orig.apply(this, a);
    };
  }
}
