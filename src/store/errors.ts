// Classifying driver errors. The store turns "the database cannot be reached / cannot answer
// now" into GatewayError('DATABASE_UNAVAILABLE') (9001: nothing was done, the client may retry);
// every other driver error (syntax, constraint, type) passes through unchanged, so a handler can
// still recognise a unique violation (isUniqueViolation) and the dispatcher makes the rest 9999.
import { GatewayError } from '../../protocol/return-codes.js';

/** Thrown by openStore when the database's durability settings are weaker than bssgate requires (docs/store.md "Durability"). */
export class DurabilityError extends Error {
  constructor(
    /** The setting, e.g. "synchronous_commit". */
    readonly setting: string,
    /** The value found. */
    readonly found: string,
    /** What is accepted, for the message. */
    readonly needed: string,
  ) {
    super(`refusing to start: ${setting} is '${found}', bssgate needs ${needed} so an acknowledged write is durable`);
    this.name = 'DurabilityError';
  }
}

function codeOf(err: unknown): string {
  if (err && typeof err === 'object' && 'code' in err) {
    const c = (err as { code: unknown }).code;
    if (typeof c === 'string') return c;
    if (typeof c === 'number') return String(c);
  }
  return '';
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

// Network-level errno codes that mean the server is not there (any driver).
const NET_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNABORTED',
]);

// PostgreSQL SQLSTATEs: class 08 connection exception; 57P01..57P03 admin shutdown / crash
// shutdown / cannot connect now; 53300 too many connections; 40001/40P01 serialization / deadlock
// are NOT here (those are retryable but the transaction did run: the caller decides).
const PG_UNAVAILABLE = new Set(['08000', '08001', '08003', '08004', '08006', '08007', '57P01', '57P02', '57P03', '53300']);

// pg-pool's error when no pooled connection became free within connectionTimeoutMillis. The pool is
// merely busy (every connection checked out): the database itself may be fine, so this is 9001 for
// that one call and must NOT mark the store down. A real connect attempt that timed out is reported
// differently ('Connection terminated due to connection timeout') and still means "down".
const PG_POOL_CHECKOUT_TIMEOUT = /^timeout exceeded when trying to connect$/;

/** True for pg-pool's checkout timeout (all pooled connections busy), not a failed connect. */
export function isPgPoolTimeout(err: unknown): boolean {
  return err instanceof Error && PG_POOL_CHECKOUT_TIMEOUT.test(err.message);
}

/**
 * True when a PostgreSQL error means the database cannot answer now: the connection or server is
 * gone, or (isPgPoolTimeout) no pooled connection is free; both are answered 9001.
 */
export function isPgConnectionError(err: unknown): boolean {
  const code = codeOf(err);
  if (NET_CODES.has(code) || PG_UNAVAILABLE.has(code)) return true;
  const msg = messageOf(err);
  return (
    /Connection terminated|connection error|timeout exceeded when trying to connect|Client was closed|Cannot use a pool after calling end|not queryable|the database system is (starting up|shutting down|in recovery mode)|is not currently accepting connections|terminating connection/i.test(
      msg,
    )
  );
}

// SQLite result codes (better-sqlite3 puts the extended name in err.code): busy/locked after
// busy_timeout, I/O error, file cannot be opened, the file was moved or deleted under us.
const SQLITE_UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|IOERR|CANTOPEN|READONLY_DBMOVED|NOTADB|FULL|PROTOCOL)/;

export function isSqliteUnavailableError(err: unknown): boolean {
  return SQLITE_UNAVAILABLE.test(codeOf(err));
}

// Oracle: ORA-03113/03114/03135 lost contact, 12170/12514/12541/12543 cannot connect, 01033/01034/01089
// instance starting/down/shutting down, 12528 blocked, DPI-1010/DPI-1080 not connected,
// NJS-500..NJS-510 and NJS-040 connection broken / pool timeout in Thin mode.
const ORA_UNAVAILABLE =
  /\b(ORA-(03113|03114|03135|12170|12514|12541|12543|12528|01033|01034|01089|01092|00028|02396)|DPI-10(10|80)|NJS-(040|5\d\d))\b/;

/** True for node-oracledb's pool queue timeout (NJS-040: all pooled connections busy): 9001 for that call, store not down. */
export function isOraclePoolTimeout(err: unknown): boolean {
  return /\bNJS-040\b/.test(messageOf(err)) || codeOf(err) === 'NJS-040';
}

export function isOracleConnectionError(err: unknown): boolean {
  return NET_CODES.has(codeOf(err)) || ORA_UNAVAILABLE.test(messageOf(err)) || ORA_UNAVAILABLE.test(codeOf(err));
}

/**
 * True when err (or its cause) is a deadlock or serialization failure: PostgreSQL SQLSTATE 40P01 /
 * 40001, Oracle ORA-00060 / ORA-08177. The statement (PG: the transaction up to the enclosing
 * savepoint) was rolled back, nothing of it was done, and running it again may succeed: group commit
 * re-queues such a unit for a later batch (src/store/group-commit.ts).
 */
export function isDeadlockOrSerializationFailure(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = codeOf(e);
    if (code === '40P01' || code === '40001') return true;
    if (/\bORA-(00060|08177)\b/.test(messageOf(e)) || /^ORA-(00060|08177)$/.test(code)) return true;
    if (typeof e !== 'object') break;
  }
  return false;
}

/** 9001, keeping the driver error as the cause (for the logs only). */
export function unavailable(detail?: string, cause?: unknown): GatewayError {
  return new GatewayError('DATABASE_UNAVAILABLE', detail, cause === undefined ? undefined : { cause });
}

/**
 * True when err is a unique-key violation on any back end (SQLite SQLITE_CONSTRAINT_UNIQUE /
 * PRIMARYKEY, PostgreSQL 23505, Oracle ORA-00001). Payments use it for exactly-once inserts.
 */
export function isUniqueViolation(err: unknown): boolean {
  const code = codeOf(err);
  return (
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    code === '23505' ||
    /\bORA-00001\b/.test(messageOf(err))
  );
}

/** Short text of an error for a log line (never the binds). */
export function describe(err: unknown): string {
  const code = codeOf(err);
  return code ? `${code}: ${messageOf(err)}` : messageOf(err);
}
