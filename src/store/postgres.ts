// PostgreSQL back end (pg Pool); also the path to openGauss/GaussDB.
//
// Values: int8 and numeric arrive from pg as strings; columns declared in QueryDef.bigint become
// bigint, other int8/numeric columns (count(*) and the like) become number. timestamp/date come
// back as Date in local time (timestamp without time zone holds wall-clock time). Row keys are
// lower-cased (PostgreSQL folds unquoted names already; a quoted alias would not be).
// Queries run as named prepared statements (the QueryDef name), prepared once per connection:
// do not put pgbouncer in transaction mode in front of bssgate.
// Durability: SHOW synchronous_commit must be 'on' or 'remote_apply' and SHOW fsync 'on', checked at
// open and after each reconnect; otherwise the store refuses (DurabilityError) or stays unavailable.
// Availability: a connection-level error marks the store down (one log line), queries answer 9001
// at once (nothing was done), and a p-retry loop with backoff reconnects in the background. A
// database unreachable at open starts the store degraded the same way: the server still starts and
// answers 9001. An error during COMMIT leaves the outcome unknown (in doubt); it is also reported as
// 9001, which is why payments carry an idempotency key (the client's serial). A call that finds no
// free pooled connection within connectTimeoutMs answers 9001 without marking the store down.
import pg from 'pg';
import type { Logger } from 'pino';
import { Availability, RECONNECTING_MESSAGE } from './availability.js';
import { render } from './dialect.js';
import { DurabilityError, describe, isPgConnectionError, isPgPoolTimeout } from './errors.js';
import { watchWrite } from './write-watch.js';
import { GroupCommitter, pooledMaxConcurrent, refuseInside, runTransaction, submitUnitOfWork, type BatchingStore, type GroupCommitOptions, type TxSession } from './group-commit.js';
import type { BindValue, Binds, Described, Listening, QueryDef, QueryOverrides, Queryable, Row, UnitOptions } from './types.js';

/** Type names of the OIDs a query's columns come back as (`db check`). */
export const PG_TYPE_NAMES: Readonly<Record<number, string>> = {
  16: 'boolean', 17: 'bytea', 20: 'bigint', 21: 'smallint', 23: 'integer', 25: 'text', 700: 'real', 701: 'double precision',
  705: 'unknown', 1042: 'char', 1043: 'varchar', 1082: 'date', 1114: 'timestamp', 1184: 'timestamptz', 1700: 'numeric',
};

/** The statement `describe` sends for a query (exported: tests render it). */
export function describeStatement(q: QueryDef, read: boolean): { text: string; values: null[] } {
  const r = render('postgres', q);
  const values = r.names.map(() => null);
  return { text: read ? `SELECT * FROM (\n${r.sql}\n) q WHERE false` : `EXPLAIN ${r.sql}`, values };
}

const INT8 = 20;
const NUMERIC = 1700;

export interface PostgresOptions extends GroupCommitOptions {
  /** Pool size (DatabaseConfig.poolMax). */
  poolMax?: number;
  /** Connection attempt limit, ms (default 5000); also how long a call waits for a free pooled connection. */
  connectTimeoutMs?: number;
  /** Password ([database] password / BSSGATE_DB_PASSWORD), used when the URL carries none. */
  password?: string;
}

/** True when url is a URL with a password in it (a libpq keyword/value string counts as having one: left alone). */
function urlHasPassword(url: string): boolean {
  try {
    return new URL(url).password !== '';
  } catch {
    return true;
  }
}

interface PgLike {
  query(cfg: pg.QueryConfig | string, values?: unknown[]): Promise<pg.QueryResult>;
}

/** Refuses (DurabilityError) unless synchronous_commit is on/remote_apply and fsync is on. */
export async function checkPgDurability(c: PgLike): Promise<void> {
  const sc = String((await c.query('SHOW synchronous_commit')).rows[0]?.synchronous_commit ?? '');
  if (sc !== 'on' && sc !== 'remote_apply') throw new DurabilityError('synchronous_commit', sc, "'on' (or 'remote_apply')");
  const fs = String((await c.query('SHOW fsync')).rows[0]?.fsync ?? '');
  if (fs !== 'on') throw new DurabilityError('fsync', fs, "'on'");
}

function toPg(v: BindValue | undefined, name: string, q: string): unknown {
  if (v === undefined) throw new Error(`${q}: missing bind :${name}`);
  if (typeof v === 'bigint') return v.toString();
  return v;
}

function values(q: QueryDef, names: readonly string[], binds: Binds | undefined): unknown[] {
  const b = binds ?? {};
  const out = new Array<unknown>(names.length);
  for (let i = 0; i < names.length; i++) out[i] = toPg(b[names[i]], names[i], q.name);
  return out;
}

const enum Kind {
  Plain,
  BigInt,
  Number,
}

function toBig(v: unknown): unknown {
  if (v === null || typeof v === 'bigint') return v;
  if (typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v))) return BigInt(v);
  return v;
}

/** Lower-case keys and declared bigint columns; returns pg's rows untouched when nothing to do. */
export function convertPgRows(res: pg.QueryResult, q: QueryDef): Row[] {
  const fields = res.fields;
  if (!fields || fields.length === 0) return res.rows as Row[];
  const big = q.bigint;
  let needed = false;
  const plan = fields.map((f) => {
    const key = f.name.toLowerCase();
    const kind = big?.includes(key) ? Kind.BigInt : f.dataTypeID === INT8 || f.dataTypeID === NUMERIC ? Kind.Number : Kind.Plain;
    if (kind !== Kind.Plain || key !== f.name) needed = true;
    return { name: f.name, key, kind };
  });
  if (!needed) return res.rows as Row[];
  return (res.rows as Record<string, unknown>[]).map((r) => {
    const o: Row = {};
    for (const p of plan) {
      const v = r[p.name];
      o[p.key] = p.kind === Kind.BigInt ? toBig(v) : p.kind === Kind.Number && typeof v === 'string' ? Number(v) : v;
    }
    return o;
  });
}

/**
 * timestamp columns hold local wall-clock time and pg reads them in the process's time zone: the
 * session's TimeZone is set to the same zone (startup option), so {{now}} (LOCALTIMESTAMP) agrees
 * whatever the server's default is. Options already in the URL are kept.
 */
export function withSessionTimeZone(url: string, tz = Intl.DateTimeFormat().resolvedOptions().timeZone): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url; // a libpq keyword/value string: left as given
  }
  const prev = u.searchParams.get('options');
  u.searchParams.set('options', `${prev ? `${prev} ` : ''}-c TimeZone=${tz}`);
  return u.toString();
}

/** application_name of Store.listen's connections (pg_stat_activity). */
export const LISTEN_APPLICATION_NAME = 'bssgate scanner LISTEN';

export class PostgresStore implements BatchingStore {
  readonly dialect = 'postgres' as const;
  private readonly pool: pg.Pool;
  private readonly avail: Availability;
  private readonly committer: GroupCommitter;
  private readonly log: Logger;

  /** How listen() connects (the pool's settings, one client). */
  private readonly clientConfig: pg.ClientConfig;

  private constructor(url: string, log: Logger, opts: PostgresOptions) {
    this.log = log.child({ store: 'postgres' });
    const poolMax = opts.poolMax ?? 8;
    this.clientConfig = {
      connectionString: withSessionTimeZone(url),
      // the configured password fills in for a URL without one (a password in the URL wins)
      ...(opts.password !== undefined && !urlHasPassword(url) ? { password: opts.password } : {}),
      connectionTimeoutMillis: opts.connectTimeoutMs ?? 5000,
    };
    this.pool = new pg.Pool({
      ...this.clientConfig,
      max: poolMax,
      idleTimeoutMillis: 30_000,
    });
    // An idle pooled client whose server went away emits here; without a listener it would crash
    // the process. The pool discards that client; the next query connects afresh.
    this.pool.on('error', (err) => this.log.warn({ err: describe(err) }, 'idle database connection lost'));
    // A checked-out client has no listener of the pool's: its socket error would be an uncaught
    // exception. The query in flight rejects on its own; this only keeps the process alive.
    this.pool.on('connect', (c) => {
      c.on('error', (err) => this.log.debug({ err: describe(err) }, 'database connection error'));
    });

    this.avail = new Availability({
      log: this.log,
      attempt: async () => {
        const c = await this.pool.connect();
        try {
          await checkPgDurability(c);
        } catch (e) {
          c.release(isPgConnectionError(e) ? (e as Error) : undefined);
          throw e;
        }
        c.release();
      },
      isUnavailableError: isPgConnectionError,
      minTimeout: 100,
      downMessage: RECONNECTING_MESSAGE,
      durabilityFatal: true,
    });
    // Group commit leaves one pooled connection to plain reads and transactions: at most
    // poolMax - 1 batches at once (at least 1), so a burst of units cannot starve them.
    this.committer = new GroupCommitter(<T>(fn: (s: TxSession) => Promise<T>) => this.withClient((c) => fn(this.session(c))), {
      ...opts,
      maxConcurrent: pooledMaxConcurrent(opts.maxConcurrent, poolMax),
    });
  }

  /**
   * Open the pool and check durability. Unreachable → starts degraded (9001, reconnecting);
   * reachable with weak durability settings → DurabilityError; wrong credentials or database → the error.
   */
  static async open(url: string, log: Logger, opts: PostgresOptions = {}): Promise<PostgresStore> {
    const s = new PostgresStore(url, log, opts);
    try {
      const c = await s.pool.connect();
      try {
        await checkPgDurability(c);
      } finally {
        c.release();
      }
    } catch (e) {
      if (isPgConnectionError(e)) {
        s.avail.markDown(e);
        return s;
      }
      await s.pool.end().catch(() => undefined);
      throw e;
    }
    return s;
  }

  get groupStats(): { batches: number; units: number } {
    return this.committer.stats;
  }

  /** True while queries answer 9001. */
  get unavailable(): boolean {
    return this.avail.down !== undefined;
  }

  /**
   * 9001 for "cannot answer now". A pool-checkout timeout (every pooled connection busy) is 9001 for
   * that call only: the database answers, so the store is not marked down (no reconnect loop).
   */
  private fail(e: unknown): unknown {
    return this.avail.fail(e, () => !isPgPoolTimeout(e));
  }

  private gate(): void {
    this.avail.gate();
  }

  /** The queries file (set by openStore before any query runs). */
  queries?: QueryOverrides;

  private async q(c: PgLike, q: QueryDef, binds: Binds | undefined): Promise<pg.QueryResult> {
    if (this.queries) q = this.queries.resolve(q);
    const r = render('postgres', q);
    const cfg: pg.QueryConfig = { name: q.name, text: r.sql, values: values(q, r.names, binds) };
    try {
      return await c.query(cfg);
    } catch (e) {
      throw this.fail(e);
    }
  }

  private queryable(c: PgLike): Queryable {
    return {
      all: async <T>(q: QueryDef, b?: Binds) => convertPgRows(await this.q(c, q, b), q) as T[],
      one: async <T>(q: QueryDef, b?: Binds) => convertPgRows(await this.q(c, q, b), q)[0] as T | undefined,
      run: async (q: QueryDef, b?: Binds) => (await this.q(c, q, b)).rowCount ?? 0,
    };
  }

  async all<T = Row>(q: QueryDef, binds?: Binds): Promise<T[]> {
    await refuseInside('all');
    this.gate();
    return convertPgRows(await watchWrite(q, binds, this.q(this.pool, q, binds)), q) as T[];
  }

  async one<T = Row>(q: QueryDef, binds?: Binds): Promise<T | undefined> {
    await refuseInside('one');
    this.gate();
    return convertPgRows(await watchWrite(q, binds, this.q(this.pool, q, binds)), q)[0] as T | undefined;
  }

  async run(q: QueryDef, binds?: Binds): Promise<number> {
    await refuseInside('run');
    this.gate();
    return (await watchWrite(q, binds, this.q(this.pool, q, binds))).rowCount ?? 0;
  }

  /**
   * `db check`: prepare and describe without running anything, in a transaction rolled back. A read
   * is wrapped (`SELECT * FROM (…) q WHERE false`: its columns' names and type OIDs, no row read);
   * a write is EXPLAINed (planned, binds resolved, not executed). Every bind is NULL.
   */
  async describe(q: QueryDef, read: boolean): Promise<Described> {
    const plan = describeStatement(q, read);
    return this.withClient(async (c) => {
      await c.query('BEGIN');
      try {
        const res = await c.query({ text: plan.text, values: plan.values });
        if (!read) return { columns: null };
        return { columns: res.fields.map((f) => ({ name: f.name.toLowerCase(), type: PG_TYPE_NAMES[f.dataTypeID] ?? `oid ${f.dataTypeID}` })) };
      } finally {
        await c.query('ROLLBACK').catch(() => undefined);
      }
    });
  }

  /** fn with a client of its own; a client that saw a connection error is destroyed, not reused. */
  private async withClient<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    this.gate();
    let c: pg.PoolClient;
    try {
      c = await this.pool.connect();
    } catch (e) {
      throw this.fail(e);
    }
    let broken: Error | undefined;
    try {
      return await fn(c);
    } catch (e) {
      if (e instanceof Error && (isPgConnectionError(e) || isPgConnectionError(e.cause))) broken = e;
      throw e;
    } finally {
      c.release(broken);
    }
  }

  private exec1(c: PgLike, sql: string): Promise<void> {
    return c.query(sql).then(
      () => undefined,
      (e: unknown) => {
        throw this.fail(e);
      },
    );
  }

  private session(c: pg.PoolClient): TxSession {
    return {
      q: this.queryable(c),
      begin: () => this.exec1(c, 'BEGIN'),
      savepoint: (n) => this.exec1(c, `SAVEPOINT ${n}`),
      // two statements in one simple query: one round trip (a failing BEGIN or SAVEPOINT rejects it)
      beginWithSavepoint: (n) => this.exec1(c, `BEGIN; SAVEPOINT ${n}`),
      release: (n) => this.exec1(c, `RELEASE SAVEPOINT ${n}`),
      abortsOnError: true,
      rollbackTo: (n) => this.exec1(c, `ROLLBACK TO SAVEPOINT ${n}`),
      commit: () => this.exec1(c, 'COMMIT'),
      rollback: () => c.query('ROLLBACK').then(
        () => undefined,
        () => undefined,
      ),
    };
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return refuseInside('transaction') ?? this.withClient((c) => runTransaction(this.session(c), fn));
  }

  unitOfWork<T>(fn: (tx: Queryable) => Promise<T>, opts?: UnitOptions): Promise<T> {
    return submitUnitOfWork(this.committer, this.avail, fn, opts);
  }

  async ping(): Promise<void> {
    this.gate();
    try {
      await this.pool.query('SELECT 1');
    } catch (e) {
      throw this.fail(e);
    }
  }

  async exec(sql: string): Promise<void> {
    await refuseInside('exec');
    this.gate();
    await this.exec1(this.pool, sql);
  }

  async bulkInsert(table: string, columns: readonly string[], rows: readonly (readonly BindValue[])[]): Promise<void> {
    await refuseInside('bulkInsert');
    if (rows.length === 0) return;
    // a statement carries at most 65535 parameters (the protocol's uint16 count)
    const per = Math.max(1, Math.min(1000, Math.floor(65535 / columns.length)));
    const head = `INSERT INTO ${table} (${columns.join(', ')}) VALUES `;
    await this.withClient(async (c) => {
      await this.exec1(c, 'BEGIN');
      try {
        for (let i = 0; i < rows.length; i += per) {
          const chunk = rows.slice(i, i + per);
          const vals: unknown[] = [];
          const tuples = chunk.map((row) => {
            const ph = row.map((v, j) => {
              vals.push(toPg(v, columns[j], `bulkInsert ${table}`));
              return `$${vals.length}`;
            });
            return `(${ph.join(', ')})`;
          });
          try {
            await c.query(head + tuples.join(', '), vals);
          } catch (e) {
            throw this.fail(e);
          }
        }
        await this.exec1(c, 'COMMIT');
      } catch (e) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw e;
      }
    });
  }

  async tableExists(table: string): Promise<boolean> {
    this.gate();
    try {
      const r = await this.pool.query(
        'SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND lower(table_name) = lower($1)',
        [table],
      );
      return (r.rowCount ?? 0) > 0;
    } catch (e) {
      throw this.fail(e);
    }
  }

  /**
   * LISTEN on a connection of its own. A dropped connection (server restart, a backend terminated)
   * is opened again after 100 ms, doubling to 5 s while it fails; each (re)connection calls
   * onNotify once, since notifications sent while it was down are lost (the poll would find them).
   */
  listen(channel: string, onNotify: () => void): Listening {
    let client: pg.Client | undefined;
    let backendPid: number | null = null;
    let closed = false;
    let delay = 100;
    let timer: NodeJS.Timeout | undefined;
    const log = this.log.child({ listen: channel });
    const again = () => {
      backendPid = null;
      if (closed || timer) return;
      timer = setTimeout(() => {
        timer = undefined;
        void connect();
      }, delay);
      timer.unref();
      delay = Math.min(5_000, delay * 2);
    };
    const connect = async () => {
      // Named, so that an operator sees it in pg_stat_activity for what it is.
      const c = new pg.Client({ ...this.clientConfig, application_name: LISTEN_APPLICATION_NAME });
      client = c;
      let lost = false;
      const drop = (err?: Error) => {
        if (lost) return;
        lost = true;
        if (!closed) log.warn({ err: err && describe(err) }, 'database LISTEN connection lost; connecting again');
        c.end().catch(() => undefined);
        again();
      };
      c.on('error', drop);
      c.on('end', () => drop());
      c.on('notification', () => onNotify());
      try {
        await c.connect();
        await c.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
        if (closed) {
          await c.end().catch(() => undefined);
          return;
        }
        backendPid = (c as unknown as { processID: number | null }).processID ?? null;
        delay = 100;
        onNotify();
      } catch (err) {
        drop(err as Error);
      }
    };
    void connect();
    return {
      pid: () => backendPid,
      close: async () => {
        closed = true;
        if (timer) clearTimeout(timer);
        timer = undefined;
        backendPid = null;
        await client?.end().catch(() => undefined);
      },
    };
  }

  async close(): Promise<void> {
    if (!this.avail.close()) return;
    await this.pool.end().catch(() => undefined);
  }
}
