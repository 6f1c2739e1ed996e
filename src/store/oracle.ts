// Oracle back end (node-oracledb in Thin mode: no Instant Client), the legacy production database.
//
// Values: outFormat OBJECT; upper-case keys are lower-cased. NUMBER columns declared in
// QueryDef.bigint are fetched as strings (fetchInfo) and turned into bigint, so money beyond 2^53
// stays exact; other NUMBERs come back as number. DATE/TIMESTAMP come back as Date. bigint binds
// travel as decimal strings (Oracle converts them to NUMBER exactly).
// Binds are renamed :b1..:bn by the dialect (a bind called :date or :level is ORA-01745).
// A row limit together with FOR UPDATE [SKIP LOCKED] cannot use FETCH FIRST (ORA-02014): the dialect
// then leaves the limit out and this driver fetches at most that many rows (maxRows, fetchArraySize);
// SKIP LOCKED locks rows as they are fetched, so only the fetched rows are locked.
// Durability: COMMIT_WAIT must not be NOWAIT and COMMIT_LOGGING not BATCH (v$parameter, when the
// user may read it; otherwise a warning says it could not be checked).
// This driver cannot be tested on this machine (no Oracle server); the contract suite runs against
// it when BSSGATE_TEST_ORACLE_USER / _PASSWORD / _CONNECT are set.
import type { Logger } from 'pino';
import { Availability, RECONNECTING_MESSAGE } from './availability.js';
import { render } from './dialect.js';
import { DurabilityError, describe, isOracleConnectionError, isOraclePoolTimeout } from './errors.js';
import { watchWrite } from './write-watch.js';
import { GroupCommitter, pooledMaxConcurrent, refuseInside, runTransaction, submitUnitOfWork, type BatchingStore, type GroupCommitOptions, type TxSession } from './group-commit.js';
import type { BindValue, Binds, Described, QueryDef, QueryOverrides, Queryable, Row, UnitOptions } from './types.js';

/**
 * What `db check` asks Oracle of one query (exported: tested with a stand-in connection, no server
 * here): getStatementInfo parses the rendered SQL and describes its binds and columns without
 * executing it. The binds it reports must be the rendered ones (:b1…:bn).
 */
export async function describeOracle(c: Required<Pick<OraConnection, 'getStatementInfo'>>, q: QueryDef, read: boolean): Promise<Described> {
  const r = render('oracle', q);
  const info = await c.getStatementInfo(r.sql);
  const want = r.names.map((_n, i) => `B${i + 1}`);
  const got = (info.bindNames ?? []).map((b) => b.toUpperCase());
  if (want.join(',') !== got.join(',')) throw new Error(`binds: the database sees ${got.join(', ') || 'none'}, rendered ${want.join(', ') || 'none'}`);
  if (!read) return { columns: null };
  return { columns: (info.metaData ?? []).map((m) => ({ name: m.name.toLowerCase(), ...(m.dbTypeName ? { type: m.dbTypeName } : {}) })) };
}

// The part of node-oracledb used here (the package ships no type declarations).
interface OraResult {
  rows?: Record<string, unknown>[];
  rowsAffected?: number;
}
interface OraExecOptions {
  autoCommit?: boolean;
  outFormat?: number;
  fetchInfo?: Record<string, { type: number }>;
  maxRows?: number;
  fetchArraySize?: number;
  prefetchRows?: number;
}
interface OraConnection {
  execute(sql: string, binds?: Record<string, unknown> | unknown[], opts?: OraExecOptions): Promise<OraResult>;
  executeMany(sql: string, rows: unknown[][], opts?: { autoCommit?: boolean }): Promise<OraResult>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  close(opts?: { drop?: boolean }): Promise<void>;
  /** Parse and describe without executing (node-oracledb getStatementInfo). */
  getStatementInfo?(sql: string): Promise<{ bindNames?: string[]; metaData?: { name: string; dbTypeName?: string }[] }>;
}
interface OraPool {
  getConnection(): Promise<OraConnection>;
  close(drainTime?: number): Promise<void>;
}
interface OraModule {
  createPool(cfg: Record<string, unknown>): Promise<OraPool>;
  OUT_FORMAT_OBJECT: number;
  STRING: number;
}

export interface OracleOptions extends GroupCommitOptions {
  user: string;
  password: string;
  connectString: string;
  poolMax?: number;
}

async function loadOracledb(): Promise<OraModule> {
  const spec = 'oracledb';
  // a variable specifier keeps TypeScript from looking for declarations the package does not ship
  const m = (await import(spec)) as { default?: OraModule } & OraModule;
  return m.default ?? m;
}

function toOra(v: BindValue | undefined, name: string, q: string): unknown {
  if (v === undefined) throw new Error(`${q}: missing bind :${name}`);
  if (typeof v === 'bigint') return v.toString();
  return v;
}

/** Durability check; throws DurabilityError. Exported for tests with a live server. */
export async function checkOracleDurability(c: OraConnection, ora: OraModule, log: Logger): Promise<void> {
  let rows: Record<string, unknown>[] = [];
  try {
    rows =
      (
        await c.execute(
          "SELECT name, value FROM v$parameter WHERE name IN ('commit_wait', 'commit_logging', 'commit_write')",
          {},
          { outFormat: ora.OUT_FORMAT_OBJECT },
        )
      ).rows ?? [];
  } catch (e) {
    log.warn({ err: describe(e) }, 'cannot read v$parameter: COMMIT_WAIT / COMMIT_LOGGING not checked (grant SELECT on v_$parameter to check)');
    return;
  }
  for (const r of rows) {
    const name = String(r.NAME ?? '').toLowerCase();
    const value = String(r.VALUE ?? '').toUpperCase();
    if (name === 'commit_wait' && value.includes('NOWAIT')) throw new DurabilityError('COMMIT_WAIT', value, "WAIT (or unset: Oracle's default)");
    if (name === 'commit_logging' && value.includes('BATCH')) throw new DurabilityError('COMMIT_LOGGING', value, "IMMEDIATE (or unset: Oracle's default)");
    if (name === 'commit_write' && (value.includes('NOWAIT') || value.includes('BATCH')))
      throw new DurabilityError('COMMIT_WRITE', value, "IMMEDIATE,WAIT (or unset: Oracle's default)");
  }
}

export class OracleStore implements BatchingStore {
  readonly dialect = 'oracle' as const;
  private readonly avail: Availability;
  private readonly committer: GroupCommitter;
  private readonly log: Logger;
  private fetchInfos = new WeakMap<QueryDef, Record<string, { type: number }> | undefined>();

  private constructor(
    private readonly ora: OraModule,
    private readonly pool: OraPool,
    log: Logger,
    opts: OracleOptions,
  ) {
    this.log = log.child({ store: 'oracle' });
    this.avail = new Availability({
      log: this.log,
      attempt: async () => {
        const c = await this.pool.getConnection();
        try {
          await checkOracleDurability(c, this.ora, this.log);
        } finally {
          await c.close().catch(() => undefined);
        }
      },
      isUnavailableError: isOracleConnectionError,
      minTimeout: 200,
      downMessage: RECONNECTING_MESSAGE,
    });
    // as on PostgreSQL: at most poolMax - 1 batches at once (at least 1), one connection stays for reads
    this.committer = new GroupCommitter(<T>(fn: (s: TxSession) => Promise<T>) => this.withConn((c) => fn(this.session(c))), {
      ...opts,
      maxConcurrent: pooledMaxConcurrent(opts.maxConcurrent, opts.poolMax ?? 8),
    });
  }

  static async open(log: Logger, opts: OracleOptions): Promise<OracleStore> {
    const ora = await loadOracledb();
    const pool = await ora.createPool({
      user: opts.user,
      password: opts.password,
      connectString: opts.connectString,
      poolMin: 0,
      poolMax: opts.poolMax ?? 8,
      poolPingInterval: 10,
    });
    const s = new OracleStore(ora, pool, log, opts);
    try {
      const c = await pool.getConnection();
      try {
        await checkOracleDurability(c, ora, s.log);
      } finally {
        await c.close();
      }
    } catch (e) {
      if (isOracleConnectionError(e)) {
        s.avail.markDown(e);
        return s;
      }
      await pool.close(0).catch(() => undefined);
      throw e;
    }
    return s;
  }

  get groupStats(): { batches: number; units: number } {
    return this.committer.stats;
  }

  /** 9001 for "cannot answer now"; a pool queue timeout (NJS-040: all connections busy) does not mark the store down. */
  private fail(e: unknown): unknown {
    return this.avail.fail(e, () => !isOraclePoolTimeout(e));
  }

  private gate(): void {
    this.avail.gate();
  }

  private fetchInfo(q: QueryDef): Record<string, { type: number }> | undefined {
    if (this.fetchInfos.has(q)) return this.fetchInfos.get(q);
    let fi: Record<string, { type: number }> | undefined;
    if (q.bigint?.length) {
      fi = {};
      for (const c of q.bigint) fi[c.toUpperCase()] = { type: this.ora.STRING };
    }
    this.fetchInfos.set(q, fi);
    return fi;
  }

  /** The queries file (set by openStore before any query runs). */
  queries?: QueryOverrides;

  /** `db check`: parse and describe the statement (getStatementInfo: nothing is executed). */
  async describe(q: QueryDef, read: boolean): Promise<Described> {
    return this.withConn((c) => {
      if (!c.getStatementInfo) throw new Error('this oracledb has no getStatementInfo (node-oracledb 6 or later)');
      return describeOracle({ getStatementInfo: (sql) => c.getStatementInfo!(sql) }, q, read);
    });
  }

  private async execQ(c: OraConnection, q: QueryDef, binds: Binds | undefined, autoCommit: boolean): Promise<OraResult & { rows?: Row[] }> {
    if (this.queries) q = this.queries.resolve(q);
    const r = render('oracle', q);
    const b = binds ?? {};
    const ob: Record<string, unknown> = {};
    for (let i = 0; i < r.names.length; i++) ob[`b${i + 1}`] = toOra(b[r.names[i]], r.names[i], q.name);
    const opts: OraExecOptions = { autoCommit, outFormat: this.ora.OUT_FORMAT_OBJECT };
    const fi = this.fetchInfo(q);
    if (fi) opts.fetchInfo = fi;
    if (r.maxRows !== undefined) {
      const n = typeof r.maxRows === 'number' ? r.maxRows : Number(b[r.maxRows]);
      // maxRows 0 means "no limit" to node-oracledb (every row fetched, and with SKIP LOCKED locked)
      if (!Number.isInteger(n) || n < 1) throw new Error(`${q.name}: {{limit}} must be a whole number >= 1 on Oracle (got ${String(n)})`);
      opts.maxRows = n;
      opts.fetchArraySize = n;
      opts.prefetchRows = n;
    }
    let res: OraResult;
    try {
      res = await c.execute(r.sql, ob, opts);
    } catch (e) {
      throw this.fail(e);
    }
    if (!res.rows) return res;
    const big = q.bigint;
    const rows = res.rows.map((row) => {
      const o: Row = {};
      for (const k in row) {
        const key = k.toLowerCase();
        const v = row[k];
        o[key] = big?.includes(key) && typeof v === 'string' ? BigInt(v) : v;
      }
      return o;
    });
    return { ...res, rows };
  }

  private queryable(c: OraConnection, autoCommit: boolean): Queryable {
    return {
      all: async <T>(q: QueryDef, b?: Binds) => ((await this.execQ(c, q, b, autoCommit)).rows ?? []) as T[],
      one: async <T>(q: QueryDef, b?: Binds) => (await this.execQ(c, q, b, autoCommit)).rows?.[0] as T | undefined,
      run: async (q: QueryDef, b?: Binds) => {
        const res = await this.execQ(c, q, b, autoCommit);
        return res.rowsAffected ?? res.rows?.length ?? 0;
      },
    };
  }

  private async withConn<T>(fn: (c: OraConnection) => Promise<T>): Promise<T> {
    this.gate();
    let c: OraConnection;
    try {
      c = await this.pool.getConnection();
    } catch (e) {
      throw this.fail(e);
    }
    let broken = false;
    try {
      return await fn(c);
    } catch (e) {
      broken = isOracleConnectionError(e) || (e instanceof Error && isOracleConnectionError(e.cause));
      throw e;
    } finally {
      await c.close(broken ? { drop: true } : undefined).catch(() => undefined);
    }
  }

  all<T = Row>(q: QueryDef, binds?: Binds): Promise<T[]> {
    return refuseInside('all') ?? watchWrite(q, binds, this.withConn((c) => this.queryable(c, true).all<T>(q, binds)));
  }

  one<T = Row>(q: QueryDef, binds?: Binds): Promise<T | undefined> {
    return refuseInside('one') ?? watchWrite(q, binds, this.withConn((c) => this.queryable(c, true).one<T>(q, binds)));
  }

  run(q: QueryDef, binds?: Binds): Promise<number> {
    return refuseInside('run') ?? watchWrite(q, binds, this.withConn((c) => this.queryable(c, true).run(q, binds)));
  }

  private sql(c: OraConnection, sql: string): Promise<void> {
    return c.execute(sql).then(
      () => undefined,
      (e: unknown) => {
        throw this.fail(e);
      },
    );
  }

  private session(c: OraConnection): TxSession {
    return {
      q: this.queryable(c, false),
      begin: async () => undefined, // Oracle starts a transaction with the first DML
      savepoint: (n) => this.sql(c, `SAVEPOINT ${n}`),
      release: async () => undefined, // Oracle has no RELEASE SAVEPOINT
      rollbackTo: (n) => this.sql(c, `ROLLBACK TO SAVEPOINT ${n}`),
      commit: () =>
        c.commit().catch((e: unknown) => {
          throw this.fail(e);
        }),
      rollback: () => c.rollback().catch(() => undefined),
    };
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    // the session's begin() is a no-op here: Oracle starts the transaction with the first DML
    return refuseInside('transaction') ?? this.withConn((c) => runTransaction(this.session(c), fn));
  }

  unitOfWork<T>(fn: (tx: Queryable) => Promise<T>, opts?: UnitOptions): Promise<T> {
    return submitUnitOfWork(this.committer, this.avail, fn, opts);
  }

  async ping(): Promise<void> {
    await this.withConn((c) => this.sql(c, 'SELECT 1 FROM DUAL'));
  }

  async exec(sql: string): Promise<void> {
    await refuseInside('exec');
    await this.withConn((c) => this.sql(c, sql));
  }

  async bulkInsert(table: string, columns: readonly string[], rows: readonly (readonly BindValue[])[]): Promise<void> {
    await refuseInside('bulkInsert');
    if (rows.length === 0) return;
    const sql = `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((_, i) => `:${i + 1}`).join(', ')})`;
    await this.withConn(async (c) => {
      try {
        for (let i = 0; i < rows.length; i += 10_000) {
          const chunk = rows.slice(i, i + 10_000).map((r) => r.map((v, j) => toOra(v, columns[j], `bulkInsert ${table}`)));
          await c.executeMany(sql, chunk, { autoCommit: false });
        }
        await c.commit();
      } catch (e) {
        await c.rollback().catch(() => undefined);
        throw this.fail(e);
      }
    });
  }

  async tableExists(table: string): Promise<boolean> {
    return this.withConn(async (c) => {
      try {
        const r = await c.execute('SELECT 1 FROM user_tables WHERE table_name = UPPER(:t)', { t: table }, { outFormat: this.ora.OUT_FORMAT_OBJECT });
        return (r.rows?.length ?? 0) > 0;
      } catch (e) {
        throw this.fail(e);
      }
    });
  }

  async close(): Promise<void> {
    if (!this.avail.close()) return;
    await this.pool.close(5).catch(() => undefined);
  }
}
