// The store contract the rest of bssgate relies on. src/store/ implements it for SQLite,
// PostgreSQL and Oracle. Handlers only ever see `Store`.
import type { DatabaseType } from '../config/types.js';

export type BindValue = string | number | bigint | null | Date | Buffer;
export type Binds = Record<string, BindValue>;
export type Row = Record<string, unknown>;

/** A query, written once in plain SQL with :named binds; the dialect module renders it per back end. */
export interface QueryDef {
  /** Unique name, for logs and prepared-statement caches. */
  name: string;
  sql: string;
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
  /** One transaction: committed (durably) when fn resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
