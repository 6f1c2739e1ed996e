// The back ends the db check tests run on (test/store/queries-file.test.ts, schema-b-check.test.ts):
// SQLite always, PostgreSQL when BSSGATE_TEST_PG_URL is set. Each gives the [database] section of
// an INI for a fresh database and a way to run raw SQL on it (an ALTER TABLE … RENAME COLUMN).
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { withTempDatabase } from './contract-pg-helper.js';

export interface SqlBackend {
  name: string;
  /** The [database] section of an INI for a fresh database, and raw SQL on it. */
  database(t: { teardown(fn: () => unknown): void }): Promise<{ section: string; exec(sql: string): Promise<void> }>;
}

/** SQLite files in `dir`; PostgreSQL databases named with `pgPrefix`, dropped at the test's end. */
export function sqlBackends(dir: string, pgPrefix: string): SqlBackend[] {
  const backends: SqlBackend[] = [
    {
      name: 'SQLite',
      async database() {
        const f = join(dir, `db-${Math.floor(Math.random() * 1e9)}.db`);
        return {
          section: `[database]\npath = ${f}\n`,
          async exec(sql) {
            const d = new Database(f);
            d.exec(sql);
            d.close();
          },
        };
      },
    },
  ];
  const PG = process.env.BSSGATE_TEST_PG_URL;
  if (PG) {
    backends.push({
      name: 'PostgreSQL',
      async database(t) {
        const db = await withTempDatabase(t, PG, pgPrefix);
        return {
          section: `[database]\ntype = postgres\nurl = ${db.url}\npool_max = 2\n`,
          async exec(sql) {
            const c = new pg.Client({ connectionString: db.url });
            await c.connect();
            await c.query(sql);
            await c.end();
          },
        };
      },
    });
  }
  return backends;
}
