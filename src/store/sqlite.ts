// SQLite back end (better-sqlite3). better-sqlite3 is synchronous; the Store is async.
//
// Two connections on one file:
//   writer — every write, every transaction and every group-commit batch, one at a time through
//            an async mutex (`exclusive`): a transaction's fn awaits between statements, and no
//            other write may slip into its BEGIN…COMMIT on the shared connection;
//   reader — all()/one() outside a transaction whose statement is read-only. In WAL mode the
//            reader sees only committed data, so a read never observes a transaction that is still
//            open on the writer (and may yet roll back). A statement that writes (UPDATE … RETURNING)
//            goes through the writer even when called as all()/one().
// Durability: journal_mode=WAL and synchronous=FULL are set and read back at open; anything else
// (a :memory: database, a read-only file system) is refused (docs/store.md "Durability").
// Availability: SQLITE_BUSY after busy_timeout, I/O errors, and a database file that vanished or
// was replaced (checked by inode in ping() and every few seconds) answer 9001; a vanished file is
// re-opened in the background only once it exists again (never created anew: that would serve an
// empty database).
import Database from 'better-sqlite3';
import fs from 'node:fs';
import type { Logger } from 'pino';
import { Availability } from './availability.js';
import { dateToSqlite, render, sqliteSequenceBind, sqliteToDate, type Rendered } from './dialect.js';
import { DurabilityError, describe, isSqliteUnavailableError, unavailable } from './errors.js';
import { watchWrite } from './write-watch.js';
import { GroupCommitter, refuseInside, runTransaction, submitUnitOfWork, type BatchingStore, type GroupCommitOptions, type TxSession } from './group-commit.js';
import type { BindValue, Binds, Described, QueryDef, QueryOverrides, Queryable, Row, UnitOptions } from './types.js';

type Db = Database.Database;
type Stmt = Database.Statement<unknown[], unknown>;

export interface SqliteOptions extends GroupCommitOptions {
  /** busy_timeout, ms: how long a write waits for another process's lock before 9001 (default 5000). */
  busyTimeoutMs?: number;
  /** How often the file's presence is checked, ms (default 2000; 0 = only in ping()). */
  fileCheckMs?: number;
}

const enum Kind {
  Plain,
  BigInt,
  Number,
  Date,
}

interface Prepared {
  r: Rendered;
  stmt: Stmt;
  readonly: boolean;
  reader: boolean;
  /** null: rows come back from the driver as they are (keys already lower-case, no conversion). */
  cols: { key: string; kind: Kind }[] | null;
  /**
   * The statement is `SELECT ? AS X` of one emulated sequence's next value (`{{nextval SEQ}}`, as
   * TAB_PAY's and the deposit's keys are taken): its one row is that value, known once the
   * sequence row was bumped, so the statement itself is not run (issue 17: one statement fewer
   * per key). Only for a bigint column, which the driver would also return as the bigint bound.
   */
  echo: boolean;
}

/** `SELECT ? AS X`: a statement that answers its one bind. */
const ECHO_SQL = /^\s*SELECT\s+\?\s+AS\s+"?\w+"?\s*;?\s*$/i;

function toSqliteValue(v: BindValue | undefined, name: string, q: string): unknown {
  if (v === undefined) throw new Error(`${q}: missing bind :${name}`);
  if (v instanceof Date) return dateToSqlite(v);
  return v;
}

function toBig(v: unknown, col: string): unknown {
  if (v === null || typeof v === 'bigint') return v;
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new TypeError(`column ${col} is declared bigint but holds ${v}`);
    return BigInt(v);
  }
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
  return v;
}

function plan(stmt: Stmt, q: QueryDef): Prepared['cols'] {
  const big = new Set(q.bigint ?? []);
  const dates = new Set(q.dates ?? []);
  const cols = stmt.columns().map((c) => {
    const key = c.name.toLowerCase();
    const kind = big.has(key) ? Kind.BigInt : dates.has(key) ? Kind.Date : big.size ? Kind.Number : Kind.Plain;
    return { key, kind, same: key === c.name };
  });
  if (cols.every((c) => c.same && c.kind === Kind.Plain)) return null;
  return cols.map(({ key, kind }) => ({ key, kind }));
}

function convert(cols: NonNullable<Prepared['cols']>, raw: unknown[]): Row {
  const row: Row = {};
  for (let i = 0; i < cols.length; i++) {
    const c = cols[i];
    const v = raw[i];
    switch (c.kind) {
      case Kind.Plain:
        row[c.key] = v;
        break;
      case Kind.BigInt:
        row[c.key] = toBig(v, c.key);
        break;
      case Kind.Number:
        // safeIntegers is on for the whole statement; undeclared integer columns go back to number
        row[c.key] = typeof v === 'bigint' ? Number(v) : v;
        break;
      case Kind.Date:
        row[c.key] = sqliteToDate(v);
        break;
    }
  }
  return row;
}

/** ping()'s file check runs at most this often (the background check runs every fileCheckMs). */
const PING_FILE_CHECK_MS = 250;
const PING_SQL: QueryDef = { name: 'sqlite.ping', sql: 'SELECT 1' };

/** One connection's statement cache and executors (synchronous). */
class Conn {
  private cache = new WeakMap<QueryDef, Prepared>();
  /** owner.queries: the store's queries file (its replaced SQL runs in place of the default). */
  constructor(
    readonly db: Db,
    private readonly owner: { queries?: QueryOverrides },
  ) {}

  prep(q: QueryDef): Prepared {
    let p = this.cache.get(q);
    if (p) return p;
    const run = this.owner.queries ? this.owner.queries.resolve(q) : q;
    const r = render('sqlite', run);
    const stmt = this.db.prepare(r.sql) as Stmt;
    const reader = stmt.reader;
    let cols: Prepared['cols'] = null;
    if (reader) {
      if (run.bigint?.length) stmt.safeIntegers(true);
      cols = plan(stmt, run);
      if (cols) stmt.raw(true);
    }
    const echo = r.sequences?.length === 1 && r.names.length === 1 && r.names[0] === sqliteSequenceBind(r.sequences[0]) && ECHO_SQL.test(r.sql) && cols?.length === 1 && cols[0].kind === Kind.BigInt;
    p = { r, stmt, readonly: stmt.readonly, reader, cols, echo };
    this.cache.set(q, p);
    return p;
  }

  args(p: Prepared, q: QueryDef, binds: Binds | undefined): unknown[] {
    const names = p.r.names;
    const out = new Array<unknown>(names.length);
    const b = binds ?? {};
    if (p.r.sequences) {
      for (const seq of p.r.sequences) {
        // sequences emulated in BSG_SEQUENCE(NAME, VALUE): VALUE is the last number handed out;
        // the upsert's RETURNING always yields the row
        const row = this.seqStmt().get(seq) as { VALUE: number | bigint };
        (b as Record<string, BindValue>)[sqliteSequenceBind(seq)] = BigInt(row.VALUE);
      }
    }
    for (let i = 0; i < names.length; i++) out[i] = toSqliteValue(b[names[i]], names[i], q.name);
    return out;
  }

  private seq: Stmt | undefined;
  private seqStmt(): Stmt {
    this.seq ??= (
      this.db.prepare('INSERT INTO BSG_SEQUENCE (NAME, VALUE) VALUES (?, 1) ON CONFLICT (NAME) DO UPDATE SET VALUE = VALUE + 1 RETURNING VALUE') as Stmt
    ).safeIntegers(true);
    return this.seq;
  }

  all(q: QueryDef, binds: Binds | undefined, p = this.prep(q)): Row[] {
    const a = this.args(p, q, p.r.sequences ? { ...binds } : binds);
    if (!p.reader) {
      p.stmt.run(a);
      return [];
    }
    if (p.echo) return [convert(p.cols!, a)];
    const rows = p.stmt.all(a) as unknown[];
    const cols = p.cols;
    if (!cols) return rows as Row[];
    const out = new Array<Row>(rows.length);
    for (let i = 0; i < rows.length; i++) out[i] = convert(cols, rows[i] as unknown[]);
    return out;
  }

  one(q: QueryDef, binds: Binds | undefined, p = this.prep(q)): Row | undefined {
    if (!p.reader) {
      this.run(q, binds, p);
      return undefined;
    }
    const a = this.args(p, q, p.r.sequences ? { ...binds } : binds);
    if (p.echo) return convert(p.cols!, a);
    const raw = p.stmt.get(a);
    if (raw === undefined || !p.cols) return raw as Row | undefined;
    return convert(p.cols, raw as unknown[]);
  }

  run(q: QueryDef, binds: Binds | undefined, p = this.prep(q)): number {
    const a = this.args(p, q, p.r.sequences ? { ...binds } : binds);
    if (p.reader) return p.stmt.all(a).length;
    return p.stmt.run(a).changes;
  }
}

function openDb(path: string, readonly: boolean, busyTimeoutMs: number, mustExist: boolean): Db {
  const db = new Database(path, { readonly, fileMustExist: mustExist || readonly, timeout: busyTimeoutMs });
  db.pragma(`busy_timeout = ${busyTimeoutMs}`);
  return db;
}

/** Set and verify WAL + synchronous=FULL on a writer connection; throws DurabilityError. */
export function enforceSqliteDurability(db: Db): void {
  let mode: unknown;
  try {
    mode = db.pragma('journal_mode = WAL', { simple: true });
  } catch (e) {
    throw new DurabilityError('journal_mode', `unsettable (${describe(e)})`, "'wal'");
  }
  if (String(mode).toLowerCase() !== 'wal') throw new DurabilityError('journal_mode', String(mode), "'wal' (a file database on a writable file system)");
  db.pragma('synchronous = FULL');
  const sync = Number(db.pragma('synchronous', { simple: true }));
  if (sync < 2) throw new DurabilityError('synchronous', String(sync), 'FULL (2) or EXTRA (3)');
}

export class SqliteStore implements BatchingStore {
  readonly dialect = 'sqlite' as const;
  private w!: Conn;
  private r!: Conn;
  private ino = 0;
  private tail: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private readonly avail: Availability;
  private readonly committer: GroupCommitter;
  private readonly busyTimeoutMs: number;
  private readonly log: Logger;
  /** The queries file (set by openStore before any query runs). */
  queries?: QueryOverrides;

  /** Open (creating the file if needed) and enforce durability; throws DurabilityError or the driver's error. */
  constructor(
    readonly path: string,
    log: Logger,
    opts: SqliteOptions = {},
  ) {
    this.log = log.child({ store: 'sqlite' });
    this.busyTimeoutMs = opts.busyTimeoutMs ?? 5000;
    this.avail = new Availability({
      log: this.log,
      // re-open only a file that exists again: never create it anew (that would serve an empty database)
      attempt: () =>
        this.exclusive(async () => {
          if (!fs.existsSync(this.path)) throw new Error(`database file ${this.path} does not exist`);
          try {
            this.w.db.close();
            this.r.db.close();
          } catch {
            // already closed
          }
          this.connect(true);
        }),
      isUnavailableError: isSqliteUnavailableError,
      minTimeout: 200,
      downMessage: 'database unavailable; queries answer 9001 and the file is re-opened in the background',
      fields: { path: this.path },
    });
    this.connect(false);
    this.committer = new GroupCommitter(<T>(fn: (s: TxSession) => Promise<T>) => this.exclusive(() => fn(this.session())), opts);
    const every = opts.fileCheckMs ?? 2000;
    if (every > 0) {
      this.timer = setInterval(() => this.checkFile(), every);
      this.timer.unref();
    }
  }

  private connect(mustExist: boolean): void {
    const wdb = openDb(this.path, false, this.busyTimeoutMs, mustExist);
    try {
      enforceSqliteDurability(wdb);
      const rdb = openDb(this.path, true, this.busyTimeoutMs, true);
      this.w = new Conn(wdb, this);
      this.r = new Conn(rdb, this);
      this.ino = fs.statSync(this.path).ino;
    } catch (e) {
      wdb.close();
      throw e;
    }
  }

  /** Groups commits of concurrent units (see group-commit.ts). */
  get groupStats(): { batches: number; units: number } {
    return this.committer.stats;
  }

  // --- availability ---------------------------------------------------------------------------

  private lastFileCheck = 0;

  private fileOk(): boolean {
    try {
      return fs.statSync(this.path).ino === this.ino;
    } catch {
      return false;
    }
  }

  private checkFile(): void {
    if (!this.avail.down && !this.avail.closed && !this.fileOk()) this.avail.markDown(new Error(`database file ${this.path} vanished or was replaced`));
  }

  /**
   * Map a driver error: 9001 for "cannot answer now", the error itself otherwise. The store goes
   * down only when the file itself is gone (a SQLITE_BUSY is 9001 for that call alone).
   */
  private fail(e: unknown): unknown {
    return this.avail.fail(e, () => !this.fileOk() && !this.avail.down);
  }

  // --- the writer mutex ------------------------------------------------------------------------

  /** Run fn with the writer to itself; calls are served in submission order. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /**
   * The error a writer call must fail with now: the store is down, or it was closed (close() closes
   * the connections once the writer queue drained; work queued after that gets 9001 'store closed',
   * not better-sqlite3's "connection is not open").
   */
  private writerRefusal(): Error | undefined {
    if (this.avail.down) return this.avail.down;
    if (!this.w.db.open) return this.avail.refusal() ?? unavailable('database connection closed');
    return undefined;
  }

  /**
   * SQLite rolls a whole transaction back on its own after some errors (SQLITE_FULL, SQLITE_IOERR,
   * SQLITE_NOMEM…). A statement, SAVEPOINT or RELEASE issued after that would run in autocommit and
   * commit at once, outside the batch or transaction the caller believes it is in: refuse instead
   * (9001: the transaction is gone, nothing of it was committed), so the batch fails as a whole.
   */
  private txGone(): Error | undefined {
    return this.w.db.inTransaction ? undefined : unavailable('SQLite rolled back the transaction on its own (disk full or I/O error?)');
  }

  /** The writer as a Queryable for a transaction or batch session: refuses once SQLite dropped the transaction. */
  private writerQueryable(): Queryable {
    const w = () => this.w;
    const wrap = <T>(f: () => T): Promise<T> => {
      const gone = this.txGone();
      if (gone) return Promise.reject(gone);
      try {
        return Promise.resolve(f());
      } catch (e) {
        return Promise.reject(this.fail(e));
      }
    };
    return {
      all: <T>(q: QueryDef, b?: Binds) => wrap(() => w().all(q, b) as T[]),
      one: <T>(q: QueryDef, b?: Binds) => wrap(() => w().one(q, b) as T | undefined),
      run: (q: QueryDef, b?: Binds) => wrap(() => w().run(q, b)),
    };
  }

  private execW(sql: string, inTx = false): Promise<void> {
    const refused = this.writerRefusal() ?? (inTx ? this.txGone() : undefined);
    if (refused) return Promise.reject(refused);
    try {
      this.w.db.exec(sql);
      return Promise.resolve();
    } catch (e) {
      return Promise.reject(this.fail(e));
    }
  }

  private session(): TxSession {
    return {
      // everything after BEGIN checks that the transaction is still open (txGone)
      q: this.writerQueryable(),
      begin: () => this.execW('BEGIN IMMEDIATE'),
      savepoint: (n) => this.execW(`SAVEPOINT ${n}`, true),
      release: (n) => this.execW(`RELEASE SAVEPOINT ${n}`, true),
      rollbackTo: (n) => this.execW(`ROLLBACK TO SAVEPOINT ${n}`, true),
      commit: () => this.execW('COMMIT', true),
      rollback: async () => {
        try {
          if (this.w.db.inTransaction) this.w.db.exec('ROLLBACK');
        } catch {
          // the connection is unusable; the next query reports it
        }
      },
    };
  }

  // --- Queryable outside a transaction ---------------------------------------------------------

  private outside<T>(q: QueryDef, f: (c: Conn, p?: Prepared) => T): Promise<T> {
    const refused = this.avail.refusal();
    if (refused) return Promise.reject(refused);
    try {
      const p = this.r.prep(q);
      // a {{nextval}} statement writes BSG_SEQUENCE even when it reads
      if (p.readonly && !p.r.sequences) return Promise.resolve(f(this.r, p));
    } catch (e) {
      return Promise.reject(this.fail(e));
    }
    // a write: autocommit on the writer, after any open transaction
    return this.exclusive(async () => {
      const refusedNow = this.writerRefusal();
      if (refusedNow) throw refusedNow;
      try {
        return this.w.db.transaction(() => f(this.w))();
      } catch (e) {
        throw this.fail(e);
      }
    });
  }

  all<T = Row>(q: QueryDef, binds?: Binds): Promise<T[]> {
    return refuseInside('all') ?? watchWrite(q, binds, this.outside(q, (c, p) => c.all(q, binds, p) as T[]));
  }

  one<T = Row>(q: QueryDef, binds?: Binds): Promise<T | undefined> {
    return refuseInside('one') ?? watchWrite(q, binds, this.outside(q, (c, p) => c.one(q, binds, p) as T | undefined));
  }

  run(q: QueryDef, binds?: Binds): Promise<number> {
    return refuseInside('run') ?? watchWrite(q, binds, this.outside(q, (c, p) => c.run(q, binds, p)));
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    // from inside a unit/transaction this would wait for the writer lock its own caller holds
    return (
      refuseInside('transaction') ??
      this.exclusive(() => {
        this.avail.gate();
        return runTransaction(this.session(), fn);
      })
    );
  }

  unitOfWork<T>(fn: (tx: Queryable) => Promise<T>, opts?: UnitOptions): Promise<T> {
    return submitUnitOfWork(this.committer, this.avail, fn, opts);
  }

  async ping(): Promise<void> {
    // CS-01 calls this per request: the file check (a stat) runs at most every PING_FILE_CHECK_MS.
    const now = Date.now();
    if (!this.avail.down && now - this.lastFileCheck >= PING_FILE_CHECK_MS) {
      this.lastFileCheck = now;
      this.checkFile();
    }
    this.avail.gate();
    try {
      this.r.prep(PING_SQL).stmt.get();
    } catch (e) {
      throw this.fail(e);
    }
  }

  exec(sql: string): Promise<void> {
    return refuseInside('exec') ?? this.exclusive(() => this.execW(sql));
  }

  bulkInsert(table: string, columns: readonly string[], rows: readonly (readonly BindValue[])[]): Promise<void> {
    return (
      refuseInside('bulkInsert') ??
      this.exclusive(async () => {
        const refusedNow = this.writerRefusal();
        if (refusedNow) throw refusedNow;
        try {
          const st = this.w.db.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
          this.w.db.transaction(() => {
            for (const row of rows) st.run(row.map((v, i) => toSqliteValue(v, columns[i], `bulkInsert ${table}`)));
          })();
        } catch (e) {
          throw this.fail(e);
        }
      })
    );
  }

  async describe(q: QueryDef): Promise<Described> {
    this.avail.gate();
    const stmt = this.r.db.prepare(render('sqlite', q).sql) as Stmt;
    if (!stmt.reader) return { columns: null };
    return { columns: stmt.columns().map((c) => ({ name: c.name.toLowerCase(), ...(c.type ? { type: c.type.toUpperCase() } : {}) })) };
  }

  async tableExists(table: string): Promise<boolean> {
    this.avail.gate(); // down or closed: 9001
    try {
      return (
        this.r.db.prepare("SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND lower(name) = lower(?)").get(table) !== undefined
      );
    } catch (e) {
      throw this.fail(e);
    }
  }

  async close(): Promise<void> {
    if (!this.avail.close()) return;
    if (this.timer) clearInterval(this.timer);
    await this.tail;
    for (const c of [this.w, this.r]) {
      try {
        c.db.close();
      } catch {
        // already closed
      }
    }
  }
}
