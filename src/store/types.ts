// The store contract the rest of bssgate relies on. src/store/ implements it for SQLite,
// PostgreSQL and Oracle. Handlers only ever see `Store`.
import type { DatabaseType } from '../config/types.js';

export type BindValue = string | number | bigint | null | Date | Buffer;
export type Binds = Record<string, BindValue>;
/** Row keys are always lower-case column names, whatever the back end returns. */
export type Row = Record<string, unknown>;

/** A query, written once in plain SQL with :named binds; the dialect module renders it per back end. */
export interface QueryDef {
  /** Unique name, for logs and prepared-statement caches. */
  name: string;
  sql: string;
  /** Columns (lower-case) returned as bigint (money in fen, ids beyond 2^53); other numbers come back as number. */
  bigint?: readonly string[];
  /**
   * Columns (lower-case) returned as Date. PostgreSQL timestamp and Oracle DATE already come back as
   * Date; SQLite stores dates as local-time text and needs to be told (src/store/dialect.ts).
   */
  dates?: readonly string[];
}

/** The calls available inside a transaction (and, for reads, on the store itself). */
export interface Queryable {
  all<T = Row>(q: QueryDef, binds?: Binds): Promise<T[]>;
  one<T = Row>(q: QueryDef, binds?: Binds): Promise<T | undefined>;
  /** Rows affected. */
  run(q: QueryDef, binds?: Binds): Promise<number>;
}

export interface Store extends Queryable {
  readonly dialect: DatabaseType;
  /** CS-01: a trivial round trip; rejects with GatewayError DATABASE_UNAVAILABLE when down. */
  ping(): Promise<void>;
  /** True when the table exists (case-insensitive name): monthly ticket tables come and go. */
  tableExists(table: string): Promise<boolean>;
  /** One transaction: committed (durably) when fn resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * One unit of work in a shared durable commit (group commit, src/store/group-commit.ts): resolves
   * once the COMMIT of its batch is durable; a unit that throws is rolled back alone. Write
   * functions run in one (src/dispatch.ts). Keep units a few statements long.
   */
  unitOfWork<T>(fn: (tx: Queryable) => Promise<T>, opts?: UnitOptions): Promise<T>;
  close(): Promise<void>;
  /**
   * PostgreSQL only: LISTEN on `channel` over a connection of its own (not the pool's), calling
   * `onNotify` for every notification; the connection is opened again when it drops (onNotify is
   * also called then: what was sent meanwhile is lost). Absent on the other back ends.
   */
  listen?(channel: string, onNotify: () => void): Listening;
  /** Inside a write function: the store its unit of work belongs to (per-database state is keyed by it). */
  readonly base?: Store;
  /**
   * The operator's queries file loaded for this store ([database] queries; src/store/queries/file.ts),
   * absent = the default SQL. Per store, not per process: two stores in one process may run
   * different files (docs/operator-schema.md).
   */
  readonly queries?: QueryOverrides;
}

/**
 * The SQL an operator's queries file replaces, for one store and its dialect. The drivers call
 * resolve() on every QueryDef they run; the ticket queries read sql() and template().
 */
export interface QueryOverrides {
  /** Unique per loaded file (part of the replaced statements' names). */
  readonly id: number;
  /** The file, for messages; '' for none. */
  readonly file: string;
  /** The QueryDef to run instead of q: a replaced query's, or q itself. */
  resolve(q: QueryDef): QueryDef;
  /** The replacing block of a query name (a ticket query's outer SQL, or `<name>.part.<KIND>`), with its line. */
  block(name: string): { sql: string; line: number } | undefined;
  /** A table template set by the file (`ticket.GSMCDMA`), with its line. */
  template(name: string): { template: string; line: number } | undefined;
  /** A query the file declares unused (`-- unused: <name> [why]`): db check demotes its FAIL to a warning. */
  unused?(name: string): { line: number; reason: string } | undefined;
}

/** A LISTEN of Store.listen. */
export interface Listening {
  /** The backend pid of the listening connection (null while it is down): tests terminate it. */
  pid(): number | null;
  close(): Promise<void>;
}

/** What a database says about a statement it prepared without running it (`bssgate db check`). */
export interface Described {
  /** The result columns (lower-case names) and the database's type name where the driver says it; null for a statement that returns no rows. */
  columns: { name: string; type?: string }[] | null;
}

/** Options of one unit of work. */
export interface UnitOptions {
  /**
   * Runs after the unit succeeded in its batch and before the batch's COMMIT is issued (with the
   * hooks of the batch's other units, concurrently); a rejection fails the whole batch (nothing
   * commits). The posting journal (src/log/posting-journal.ts) writes here.
   */
  beforeCommit?: () => Promise<void>;
}

/** What schema creation and the demo loader need beyond the handlers' Store. */
export interface AdminStore extends Store {
  /** Run DDL or other statements without binds, one at a time. */
  exec(sql: string): Promise<void>;
  /** Fast bulk load of many rows (SQLite: one prepared statement in one transaction; PG: multi-row inserts; Oracle: executeMany). */
  bulkInsert(table: string, columns: readonly string[], rows: readonly (readonly BindValue[])[]): Promise<void>;
  /**
   * Prepare/describe a statement on the live database without running it (SQLite prepare; PostgreSQL
   * in a transaction rolled back; Oracle getStatementInfo): rejects with the database's error.
   * `read` says whether it returns rows.
   */
  describe(q: QueryDef, read: boolean): Promise<Described>;
  /** The queries file of this store (set once, by openStore, before any query runs). */
  queries?: QueryOverrides;
}
