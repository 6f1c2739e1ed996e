// Renders the one schema definition (src/store/schema.ts) as DDL statements per dialect.
// Statements carry no trailing semicolon (oracledb rejects one); renderDdlScript adds them for
// a file a DBA runs with sqlplus/psql/sqlite3.
//
// Type mapping:
//   type       Oracle              PostgreSQL     SQLite
//   id         NUMBER(19)          bigint         INTEGER  (a single-column INTEGER primary key is the rowid)
//   int        NUMBER(10)          integer        INTEGER
//   bigint     NUMBER(19)          bigint         INTEGER  (SQLite integers are int64)
//   text(n)    VARCHAR2(n BYTE)    varchar(n)     TEXT
//   char(n)    CHAR(n BYTE)        char(n)        TEXT
//   date       DATE                date           TEXT
//   timestamp  DATE                timestamp(0)   TEXT
//   blob       BLOB                bytea          BLOB
// Oracle text uses BYTE length semantics: the legacy database's character set is ZHS16GBK and
// widths here are GBK byte counts (the unit of the wire's fixed-width fields), which is what the
// operator's DBAs expect; a Chinese character takes 2 bytes. PostgreSQL varchar(n) counts
// characters, so it is never narrower than the GBK byte width. Oracle DATE keeps seconds, the
// precision of the wire's YYYYMMDDHHMMSS times, and is what the legacy tables use.
// SQLite date/timestamp columns are TEXT; the store decides the representation of a bound Date
// (src/store/sqlite.ts), and TEXT affinity keeps it as given.
import type { DatabaseType } from '../config/types.js';
import type { AdminStore, QueryDef } from './types.js';
import {
  SCHEMA_VERSION,
  SEQUENCES,
  TABLES,
  TICKET_KINDS,
  ticketTable,
  ticketTableDef,
  type Column,
  type Table,
  type TicketKind,
} from './schema.js';

export type Dialect = DatabaseType;

function columnType(c: Column, d: Dialect): string {
  const n = c.size ?? 1;
  switch (d) {
    case 'oracle':
      switch (c.type) {
        case 'id':
        case 'bigint':
          return 'NUMBER(19)';
        case 'int':
          return 'NUMBER(10)';
        case 'text':
          return `VARCHAR2(${n} BYTE)`;
        case 'char':
          return `CHAR(${n} BYTE)`;
        case 'date':
        case 'timestamp':
          return 'DATE';
        case 'blob':
          return 'BLOB';
      }
      break;
    case 'postgres':
      switch (c.type) {
        case 'id':
        case 'bigint':
          return 'BIGINT';
        case 'int':
          return 'INTEGER';
        case 'text':
          return `VARCHAR(${n})`;
        case 'char':
          return `CHAR(${n})`;
        case 'date':
          return 'DATE';
        case 'timestamp':
          return 'TIMESTAMP(0)';
        case 'blob':
          return 'BYTEA';
      }
      break;
    case 'sqlite':
      switch (c.type) {
        case 'id':
        case 'bigint':
        case 'int':
          return 'INTEGER';
        case 'text':
        case 'char':
        case 'date':
        case 'timestamp':
          return 'TEXT';
        case 'blob':
          return 'BLOB';
      }
      break;
  }
  throw new RangeError(`no ${d} type for ${c.name} ${c.type}`);
}

function sqlLiteral(v: number | string): string {
  return typeof v === 'number' ? String(v) : `'${v.replace(/'/g, "''")}'`;
}

function columnDdl(c: Column, d: Dialect): string {
  let s = `  ${c.name.padEnd(20)} ${columnType(c, d)}`;
  if (c.default !== undefined) s += ` DEFAULT ${sqlLiteral(c.default)}`;
  if (!c.nullable) s += ' NOT NULL';
  return s;
}

/** CREATE TABLE of one table definition (any schema's: src/store/schemas/ renders through this too). */
export function createTable(t: Table, d: Dialect): string {
  const lines = t.columns.map((c) => columnDdl(c, d));
  if (t.primaryKey) lines.push(`  CONSTRAINT PK_${t.name} PRIMARY KEY (${t.primaryKey.join(', ')})`);
  return `CREATE TABLE ${t.name} (\n${lines.join(',\n')}\n)`;
}

export function createIndexes(t: Table): string[] {
  return (t.indexes ?? []).map((ix) => `CREATE ${ix.unique ? 'UNIQUE ' : ''}INDEX ${ix.name} ON ${t.name} (${ix.columns.join(', ')})`);
}

/** COMMENT ON statements of a table (none on SQLite). */
export function commentsOf(t: Table, d: Dialect): string[] {
  if (d === 'sqlite') return [];
  const out = [`COMMENT ON TABLE ${t.name} IS ${sqlLiteral(t.doc)}`];
  for (const c of t.columns) if (c.doc) out.push(`COMMENT ON COLUMN ${t.name}.${c.name} IS ${sqlLiteral(c.doc)}`);
  return out;
}

/**
 * ALTER TABLE adding one column of the definition to an existing table (an in-place schema upgrade,
 * src/store/init.ts), then its comment (PostgreSQL/Oracle). Only nullable columns can be added so.
 */
export function renderAddColumn(tableName: string, columnName: string, d: Dialect): string[] {
  const t = TABLES.find((x) => x.name === tableName);
  const c = t?.columns.find((x) => x.name === columnName);
  if (!t || !c) throw new Error(`${tableName}.${columnName} is not in the schema definition`);
  if (!c.nullable) throw new Error(`${tableName}.${columnName} is NOT NULL: it cannot be added to a table with rows`);
  const add = d === 'oracle' ? `ALTER TABLE ${t.name} ADD (${c.name} ${columnType(c, d)})` : `ALTER TABLE ${t.name} ADD COLUMN ${c.name} ${columnType(c, d)}`;
  return d === 'sqlite' || !c.doc ? [add] : [add, `COMMENT ON COLUMN ${t.name}.${c.name} IS ${sqlLiteral(c.doc)}`];
}

function tablesFor(d: Dialect, tables: readonly Table[] = TABLES): Table[] {
  return tables.filter((t) => !t.only || t.only.includes(d));
}

export interface DdlParts {
  /** CREATE TABLE statements (with primary keys). */
  tables: string[];
  /** CREATE INDEX statements: the loader runs these after a bulk load, which is much faster. */
  indexes: string[];
  /** CREATE SEQUENCE (PG, Oracle) or the BSG_SEQUENCE rows (SQLite). */
  sequences: string[];
  /** COMMENT ON statements (PG, Oracle). */
  comments: string[];
}

/** One table of the schema for a dialect, with its CREATE TABLE and CREATE INDEX statements. */
export interface TableDdl {
  table: Table;
  create: string;
  indexes: string[];
}

/** The schema's tables for a dialect, in creation order (the order of DdlParts' tables and indexes). */
export function renderTableDdl(dialect: Dialect, tables: readonly Table[] = TABLES): TableDdl[] {
  checkDialect(dialect);
  return tablesFor(dialect, tables).map((t) => ({ table: t, create: createTable(t, dialect), indexes: createIndexes(t) }));
}

/** The DDL of a table list (default: bssgate's schema; a reference schema passes its own, src/store/schemas/). */
export function renderDdlParts(dialect: Dialect, tables: readonly Table[] = TABLES): DdlParts {
  const entries = renderTableDdl(dialect, tables);
  return {
    tables: entries.map((e) => e.create),
    indexes: entries.flatMap((e) => e.indexes),
    sequences: SEQUENCES.map((s) => createSequence(s, 1, dialect)),
    comments: entries.flatMap((e) => commentsOf(e.table, dialect)),
  };
}

/** The schema's statements in execution order: tables, indexes, sequences, comments. */
export function renderDdl(dialect: Dialect): string[] {
  const p = renderDdlParts(dialect);
  return [...p.tables, ...p.indexes, ...p.sequences, ...p.comments];
}

function createSequence(name: string, start: number | bigint, d: Dialect): string {
  switch (d) {
    case 'oracle':
      // CACHE 20 is Oracle's default, written out so a DBA sees it; gaps after a restart are fine for serials.
      return `CREATE SEQUENCE ${name} START WITH ${start} INCREMENT BY 1 CACHE 20 NOCYCLE`;
    case 'postgres':
      return `CREATE SEQUENCE ${name} START WITH ${start} INCREMENT BY 1`;
    case 'sqlite':
      return `INSERT INTO BSG_SEQUENCE (NAME, VALUE) VALUES ('${name}', ${BigInt(start) - 1n})`;
  }
}

/** Statements that make the sequence's next value `next` (after a demo load). */
export function renderSequenceRestart(name: string, next: bigint, dialect: Dialect): string[] {
  if (!SEQUENCES.includes(name)) throw new RangeError(`unknown sequence ${name}`);
  if (next < 1n) throw new RangeError('sequence start must be >= 1');
  switch (dialect) {
    case 'oracle':
      // ALTER SEQUENCE … RESTART is documented only from 18c; drop and create works on 12.1, the floor.
      return [`DROP SEQUENCE ${name}`, createSequence(name, next, dialect)];
    case 'postgres':
      return [`SELECT setval('${name.toLowerCase()}', ${next}, false)`];
    case 'sqlite':
      return [`UPDATE BSG_SEQUENCE SET VALUE = ${next - 1n} WHERE NAME = '${name}'`];
  }
}

/**
 * A query for the value a sequence hands out next, without consuming it (column N; no row on
 * SQLite when the BSG_SEQUENCE row is missing). Used after adopting a legacy database to raise a
 * sequence only when it is not already above the legacy ids. Oracle's LAST_NUMBER is the next
 * value not yet cached, so it can be up to CACHE - 1 above the real next value.
 */
export function renderSequenceNext(name: string, dialect: Dialect): QueryDef {
  if (!SEQUENCES.includes(name)) throw new RangeError(`unknown sequence ${name}`);
  // Query names are global (one SQL text per name), so the dialect is part of it.
  const q = (sql: string): QueryDef => ({ name: `seq.next.${dialect}.${name}`, sql, bigint: ['n'] });
  switch (dialect) {
    case 'oracle':
      return q(`SELECT LAST_NUMBER AS N FROM USER_SEQUENCES WHERE SEQUENCE_NAME = '${name}'`);
    case 'postgres':
      return q(`SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END AS N FROM ${name.toLowerCase()}`);
    case 'sqlite':
      return q(`SELECT VALUE + 1 AS N FROM BSG_SEQUENCE WHERE NAME = '${name}'`);
  }
}

/** A month's ticket table: CREATE TABLE and its indexes (`named`: another schema's name for it, ticketTableDef). */
export function renderTicketDdl(kind: TicketKind, yyyymm: string, dialect: Dialect, named?: string): string[] {
  checkDialect(dialect);
  const t = ticketTableDef(kind, yyyymm, named);
  return [createTable(t, dialect), ...createIndexes(t)];
}

/**
 * Creates a month's ticket table (and its indexes) unless it exists. Safe when several
 * processes race to create the same month: a "table exists" failure is re-checked, not thrown.
 * Returns true when this call created it.
 */
export async function ensureTicketTable(store: AdminStore, kind: TicketKind, yyyymm: string): Promise<boolean> {
  const name = ticketTable(kind, yyyymm);
  if (await store.tableExists(name)) return false;
  const stmts = renderTicketDdl(kind, yyyymm, store.dialect);
  try {
    await store.exec(stmts[0]);
  } catch (err) {
    if (await store.tableExists(name)) return false; // another process won the race
    throw err;
  }
  for (const s of stmts.slice(1)) await store.exec(s);
  return true;
}

function checkDialect(d: string): asserts d is Dialect {
  if (d !== 'sqlite' && d !== 'postgres' && d !== 'oracle') throw new RangeError(`dialect must be sqlite, postgres or oracle, got ${JSON.stringify(d)}`);
}

/**
 * The DDL as a script a DBA runs (sqlplus, psql, sqlite3): what `bssgate db ddl` prints and
 * docs/oracle-ddl.sql holds. Monthly ticket tables are shown commented out with YYYYMM: bssgate
 * creates each month's tables when it first writes them (ensureTicketTable).
 */
export function renderDdlScript(dialect: Dialect): string {
  checkDialect(dialect);
  const p = renderDdlParts(dialect);
  const out: string[] = [];
  out.push(`-- bssgate schema version ${SCHEMA_VERSION}, ${dialect} DDL.`);
  out.push(`-- Generated by \`bssgate db ddl --dialect ${dialect}\` from src/store/schema.ts; do not edit by hand.`);
  out.push('-- Tables, columns and code tables are described in docs/schema.md. Money columns hold fen (int64).');
  if (dialect === 'oracle') {
    out.push('-- Text columns use BYTE length semantics: widths are GBK byte counts (database character set ZHS16GBK).');
    out.push('-- Dates are DATE (second precision), local time.');
    out.push('-- This file is UTF-8: run sqlplus with NLS_LANG=..._.AL32UTF8 so the Chinese comments convert to GBK.');
  }
  const section = (title: string, stmts: string[]) => {
    if (stmts.length === 0) return;
    out.push('', `-- ${title}`);
    for (const s of stmts) out.push(`${s};`);
  };
  section('Tables', p.tables);
  section('Indexes', p.indexes);
  section(dialect === 'sqlite' ? 'Sequences (SQLite has none: BSG_SEQUENCE rows, VALUE = last number handed out)' : 'Sequences', p.sequences);
  section('Comments', p.comments);
  out.push('', '-- Monthly ticket tables, one set per billing month YYYYMM (created by bssgate when first needed).');
  out.push('-- A month without its tables has no records.');
  for (const kind of TICKET_KINDS) {
    for (const s of renderTicketDdlDoc(kind, dialect)) out.push(...`${s};`.split('\n').map((l) => `-- ${l}`));
  }
  return `${out.join('\n')}\n`;
}

function renderTicketDdlDoc(kind: TicketKind, dialect: Dialect): string[] {
  const t = ticketTableDef(kind, 'YYYYMM');
  return [createTable(t, dialect), ...createIndexes(t)];
}
