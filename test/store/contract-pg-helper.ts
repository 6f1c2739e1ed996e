// A uniquely named PostgreSQL database for one test file, dropped when the file's tests end.
import pg from 'pg';

export interface TempDatabase {
  name: string;
  url: string;
  /** Run SQL on the admin connection (the database the URL names, not the temporary one). */
  admin(sql: string, values?: unknown[]): Promise<pg.QueryResult>;
}

export function urlFor(base: string, database: string, params: Record<string, string> = {}): string {
  const u = new URL(base);
  u.pathname = `/${database}`;
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.toString();
}

export async function withTempDatabase(t: { teardown(fn: () => unknown): void }, baseUrl: string, tag: string): Promise<TempDatabase> {
  const name = `bsg_${tag}_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  t.teardown(async () => {
    await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`).catch(() => undefined);
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.end();
  });
  return { name, url: urlFor(baseUrl, name), admin: (sql, values) => admin.query(sql, values) };
}
