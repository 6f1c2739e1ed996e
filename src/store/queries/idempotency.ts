// The idempotency ledger of write functions (BSG_IDEMPOTENCY; PC-06, docs/idempotency.md). Plain
// QueryDefs rather than typed queries: the reply column is a blob, which the typed column
// vocabulary (wire values) has no type for, and these statements are bssgate's own, not part of
// the legacy schema an operator may re-map.
import type { QueryDef } from '../types.js';

/** The row of one key, read outside any unit (committed rows only). */
export const LEDGER_GET: QueryDef = {
  name: 'idem.get',
  sql: 'SELECT REQUEST_HASH, RESULT, REPLY, ATTEMPT FROM BSG_IDEMPOTENCY WHERE CLIENT = :client AND BIZ = :biz AND SERIAL = :serial',
};

/** Inserted in the write's own unit of work: the primary key makes the write happen once. */
export const LEDGER_INSERT: QueryDef = {
  name: 'idem.insert',
  sql: `INSERT INTO BSG_IDEMPOTENCY (CLIENT, BIZ, SERIAL, REQUEST_HASH, RESULT, REPLY, IFACE, CREATED, ATTEMPT)
VALUES (:client, :biz, :serial, :hash, :result, :reply, :iface, :created, :attempt)`,
};

/** Rows of the business types no reconciliation covers, older than the cutoff. */
export const LEDGER_PURGE_UNRECONCILED: (codes: readonly number[]) => QueryDef = (codes) => ({
  name: `idem.purge-plain.${codes.join('-')}`,
  sql: `DELETE FROM BSG_IDEMPOTENCY WHERE CREATED < :cutoff${codes.length ? ` AND BIZ NOT IN (${codes.join(', ')})` : ''}`,
});

/**
 * Rows of reconciled business types of one reconciliation client, older than the cutoff and the
 * reconciled day. :ledger is the client's ledger identity: its name, or `*` for the reserved
 * name `card` an unconfigured card system posts and reconciles under (src/domain/posting.ts
 * cardClient) — never the interface's name.
 */
export const LEDGER_PURGE_RECONCILED: (codes: readonly number[]) => QueryDef = (codes) => ({
  name: `idem.purge-reconciled.${codes.join('-')}`,
  sql: `DELETE FROM BSG_IDEMPOTENCY WHERE CLIENT = :ledger AND CREATED < :cutoff AND BIZ IN (${codes.join(', ')})`,
});

/** Rows kept only because no reconciliation covers them yet (the purge's log line). */
export const LEDGER_HELD: (codes: readonly number[]) => QueryDef = (codes) => ({
  name: `idem.held.${codes.join('-')}`,
  sql: `SELECT COUNT(*) AS N FROM BSG_IDEMPOTENCY WHERE CREATED < :cutoff AND BIZ IN (${codes.join(', ')})`,
});

/** BSG_META rows `card_reconciled_through.<client>` = YYYYMMDD, written by PC-07. */
export const RECONCILED_THROUGH: QueryDef = {
  name: 'idem.reconciled-through',
  sql: "SELECT KEY, VALUE FROM BSG_META WHERE KEY LIKE 'card_reconciled_through.%'",
};
