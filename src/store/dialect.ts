// The dialect module: one QueryDef (plain SQL with :name binds) rendered for each back end.
// Pure functions; renderings are cached per QueryDef object. No ORM, no query builder.
//
// Binds: `:name` ([A-Za-z_][A-Za-z0-9_]*) anywhere outside string literals, quoted identifiers
// and comments; `::` (a PostgreSQL cast) is not a bind. The same name may appear several times.
//   sqlite   → `?` per occurrence (better-sqlite3 does not accept ?NNN; values repeat per occurrence)
//   postgres → `$1..$n`, numbered in order of first appearance; a repeated name reuses its number
//   oracle   → `:b1..:bn`, one per distinct name (a bind called :date or :level would be ORA-01745)
//
// Markers, written `{{...}}` in the portable SQL and expanded before binds are translated:
//   {{now}}                 current local time. sqlite: strftime text 'YYYY-MM-DD HH:MM:SS' (local);
//                           postgres: LOCALTIMESTAMP; oracle: SYSDATE (DATE, the legacy columns' type)
//   {{limit X}}             X is :bind or an integer. sqlite/postgres: LIMIT X; oracle: FETCH FIRST X ROWS ONLY,
//                           except with {{forUpdate}}/{{skipLocked}} in the same query (ORA-02014 forbids
//                           FETCH FIRST with FOR UPDATE): then nothing is rendered and the driver fetches at
//                           most X rows from the cursor (Rendered.maxRows); SKIP LOCKED locks rows as fetched.
//   {{page :off :lim}}      sqlite/postgres: LIMIT :lim OFFSET :off; oracle: OFFSET :off ROWS FETCH NEXT :lim ROWS ONLY
//   {{forUpdate}}           FOR UPDATE on postgres/oracle; nothing on sqlite (the writer lock serialises)
//   {{skipLocked}}          FOR UPDATE SKIP LOCKED on postgres/oracle; nothing on sqlite
//   {{nextval SEQ}}         postgres: nextval('seq'); oracle: SEQ.NEXTVAL; sqlite: the driver takes the next
//                           value from table BSG_SEQUENCE(NAME, VALUE) in the same transaction and binds it.
//                           One value per statement execution on sqlite: use it in single-row INSERTs.
//   {{dual}}                ` FROM DUAL` on oracle, nothing elsewhere (`SELECT 1 AS OK{{dual}}`)
//   {{upsert T (K1,K2) (C1,C2)}}  the whole statement: insert a row of binds :k1,:k2,:c1,:c2 (lower-case
//                           column names) or, when the key exists, update C1,C2. sqlite/postgres: INSERT … ON
//                           CONFLICT (K1,K2) DO UPDATE; oracle: MERGE … USING (SELECT … FROM DUAL).
//                           With `()` as the column list the existing row is left alone (DO NOTHING).
//   {{rows :b (c1 id, c2 text)}}  a derived table of the rows in the text bind :b, a JSON array of objects
//                           ({"c1":1,"c2":"x"}); column types id, int, text. A list in one bind: a batch
//                           is one statement whatever its length (the scanner's claims and results).
//                           postgres: jsonb_to_recordset; sqlite: json_each; oracle: JSON_TABLE (12.1.0.2).
//   {{notify :channel}}     the whole statement: postgres `SELECT pg_notify(:channel, '')` (sent on
//                           COMMIT); sqlite/oracle a statement that returns no row (nothing listens there)
//
// Dates travel as JS Date objects in both directions. PostgreSQL `timestamp` (without time zone)
// and Oracle DATE hold local wall-clock time; pg and oracledb convert Date <-> local time. SQLite has
// no date type: a Date is stored as local-time text 'YYYY-MM-DD HH:MM:SS', with '.mmm' appended only
// when the milliseconds are not zero (the text sorts in time order either way, so <, <=, ORDER BY
// work on it), and columns listed in QueryDef.dates are parsed back into Date.
import type { DatabaseType } from '../config/types.js';
import type { QueryDef } from './types.js';

export interface Rendered {
  sql: string;
  /**
   * Bind name for each parameter position. sqlite: one entry per occurrence (repeats allowed);
   * postgres: one per $n; oracle: one per :bN (the driver binds { bN: value }).
   */
  names: readonly string[];
  /** oracle only: limit applied by fetching at most this many rows (a bind name, or a number). */
  maxRows?: string | number;
  /** sqlite only: sequences whose next value the driver binds as `__nextval_<SEQ>`. */
  sequences?: readonly string[];
}

const BIND = /[A-Za-z_][A-Za-z0-9_]*/y;
const IDENT = /^[A-Za-z_][A-Za-z0-9_$#]*$/;

/** The sqlite bind name that carries a sequence's next value. */
export function sqliteSequenceBind(seq: string): string {
  return `__nextval_${seq.toUpperCase()}`;
}

function limitArg(arg: string, q: string): string {
  const a = arg.trim();
  if (/^:[A-Za-z_][A-Za-z0-9_]*$/.test(a) || /^\d+$/.test(a)) return a;
  throw new Error(`${q}: {{limit}} takes :bind or an integer, got '${arg}'`);
}

function identList(s: string, q: string): string[] {
  const inner = s.trim().replace(/^\(/, '').replace(/\)$/, '').trim();
  if (inner === '') return [];
  return inner.split(',').map((c) => {
    const t = c.trim();
    if (!IDENT.test(t)) throw new Error(`${q}: '${t}' is not a column name`);
    return t;
  });
}

function renderUpsert(d: DatabaseType, args: string, q: string): string {
  const m = /^\s*([A-Za-z_][A-Za-z0-9_$#]*)\s*(\([^)]*\))\s*(\([^)]*\))\s*$/.exec(args);
  if (!m) throw new Error(`${q}: {{upsert TABLE (KEYS) (COLUMNS)}} expected, got '${args}'`);
  const table = m[1];
  const keys = identList(m[2], q);
  const cols = identList(m[3], q);
  if (keys.length === 0) throw new Error(`${q}: {{upsert}} needs at least one key column`);
  const all = [...keys, ...cols];
  const bind = (c: string) => `:${c.toLowerCase()}`;
  if (d === 'oracle') {
    const src = all.map((c) => `${bind(c)} AS ${c}`).join(', ');
    const on = keys.map((k) => `d.${k} = s.${k}`).join(' AND ');
    const upd = cols.length ? ` WHEN MATCHED THEN UPDATE SET ${cols.map((c) => `d.${c} = s.${c}`).join(', ')}` : '';
    return (
      `MERGE INTO ${table} d USING (SELECT ${src} FROM DUAL) s ON (${on})${upd}` +
      ` WHEN NOT MATCHED THEN INSERT (${all.join(', ')}) VALUES (${all.map((c) => `s.${c}`).join(', ')})`
    );
  }
  const ins = `INSERT INTO ${table} (${all.join(', ')}) VALUES (${all.map(bind).join(', ')})`;
  const conflict = cols.length
    ? `DO UPDATE SET ${cols.map((c) => `${c} = excluded.${c}`).join(', ')}`
    : 'DO NOTHING';
  return `${ins} ON CONFLICT (${keys.join(', ')}) ${conflict}`;
}

const ROWS_TYPES: Record<string, Record<DatabaseType, string>> = {
  id: { postgres: 'bigint', sqlite: 'INTEGER', oracle: 'NUMBER(19)' },
  int: { postgres: 'integer', sqlite: 'INTEGER', oracle: 'NUMBER(10)' },
  text: { postgres: 'text', sqlite: 'TEXT', oracle: 'VARCHAR2(4000)' },
};

function renderRows(d: DatabaseType, args: string, q: string): string {
  const m = /^\s*(:[A-Za-z_][A-Za-z0-9_]*)\s*\(([^)]*)\)\s*$/.exec(args);
  if (!m) throw new Error(`${q}: {{rows :bind (COLUMN TYPE, …)}} expected, got '${args}'`);
  const bind = m[1];
  const cols = m[2].split(',').map((c) => {
    const [name, type, ...more] = c.trim().split(/\s+/);
    if (!name || !/^[a-z_][a-z0-9_]*$/.test(name) || !type || !(type in ROWS_TYPES) || more.length) {
      throw new Error(`${q}: {{rows}} column '${c.trim()}' must be a lower-case name and one of ${Object.keys(ROWS_TYPES).join(', ')}`);
    }
    return { name, type: ROWS_TYPES[type][d] };
  });
  if (d === 'postgres') return `(SELECT * FROM jsonb_to_recordset(CAST(${bind} AS jsonb)) AS j(${cols.map((c) => `${c.name} ${c.type}`).join(', ')}))`;
  if (d === 'sqlite') return `(SELECT ${cols.map((c) => `CAST(json_extract(value, '$.${c.name}') AS ${c.type}) AS ${c.name}`).join(', ')} FROM json_each(${bind}))`;
  return `(SELECT ${cols.map((c) => c.name).join(', ')} FROM JSON_TABLE(${bind}, '$[*]' COLUMNS (${cols.map((c) => `${c.name} ${c.type} PATH '$.${c.name}'`).join(', ')})))`;
}

function renderNotify(d: DatabaseType, args: string, q: string): string {
  const bind = args.trim();
  if (!/^:[A-Za-z_][A-Za-z0-9_]*$/.test(bind)) throw new Error(`${q}: {{notify :channel}} expected, got '${args}'`);
  if (d === 'postgres') return `SELECT pg_notify(${bind}, '')`;
  return `SELECT ${bind} AS CHANNEL${d === 'oracle' ? ' FROM DUAL' : ''} WHERE 1 = 0`;
}

/** Expand the {{markers}}; returns SQL with :name binds still in portable form. */
export function expandMarkers(d: DatabaseType, sql: string, qname = 'query'): { sql: string; maxRows?: string | number; sequences: string[] } {
  const locking = /\{\{\s*(forUpdate|skipLocked)\s*\}\}/.test(sql);
  let maxRows: string | number | undefined;
  const sequences: string[] = [];
  const out = sql.replace(/\{\{\s*([A-Za-z]+)\s*([^}]*)\}\}/g, (_all, kind: string, rest: string) => {
    switch (kind) {
      case 'now':
        return d === 'sqlite' ? `strftime('%Y-%m-%d %H:%M:%S','now','localtime')` : d === 'postgres' ? 'LOCALTIMESTAMP' : 'SYSDATE';
      case 'limit': {
        const a = limitArg(rest, qname);
        if (d !== 'oracle') return `LIMIT ${a}`;
        if (locking) {
          maxRows = a.startsWith(':') ? a.slice(1) : Number(a);
          return '';
        }
        return `FETCH FIRST ${a} ROWS ONLY`;
      }
      case 'page': {
        const parts = rest.trim().split(/\s+/);
        if (parts.length !== 2) throw new Error(`${qname}: {{page :offset :limit}} expected`);
        const off = limitArg(parts[0], qname);
        const lim = limitArg(parts[1], qname);
        return d === 'oracle' ? `OFFSET ${off} ROWS FETCH NEXT ${lim} ROWS ONLY` : `LIMIT ${lim} OFFSET ${off}`;
      }
      case 'forUpdate':
        return d === 'sqlite' ? '' : 'FOR UPDATE';
      case 'skipLocked':
        return d === 'sqlite' ? '' : 'FOR UPDATE SKIP LOCKED';
      case 'nextval': {
        const seq = rest.trim();
        if (!IDENT.test(seq)) throw new Error(`${qname}: {{nextval SEQ}} needs a sequence name, got '${rest}'`);
        if (d === 'postgres') return `nextval('${seq.toLowerCase()}')`;
        if (d === 'oracle') return `${seq.toUpperCase()}.NEXTVAL`;
        if (!sequences.includes(seq.toUpperCase())) sequences.push(seq.toUpperCase());
        return `:${sqliteSequenceBind(seq)}`;
      }
      case 'dual':
        return d === 'oracle' ? ' FROM DUAL' : '';
      case 'upsert':
        return renderUpsert(d, rest, qname);
      case 'rows':
        return renderRows(d, rest, qname);
      case 'notify':
        return renderNotify(d, rest, qname);
      default:
        throw new Error(`${qname}: unknown marker {{${kind}}}`);
    }
  });
  return { sql: out, maxRows, sequences };
}

/** Translate :name binds outside literals, quoted identifiers and comments. */
export function translateBinds(d: DatabaseType, sql: string): { sql: string; names: string[] } {
  const names: string[] = [];
  const numbers = new Map<string, number>();
  let out = '';
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i];
    if (c === "'" || c === '"') {
      // string literal / quoted identifier; a doubled quote is an escaped quote
      let j = i + 1;
      while (j < n) {
        if (sql[j] === c) {
          if (sql[j + 1] === c) j += 2;
          else break;
        } else j++;
      }
      out += sql.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (c === '-' && sql[i + 1] === '-') {
      const j = sql.indexOf('\n', i);
      const end = j < 0 ? n : j;
      out += sql.slice(i, end);
      i = end;
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      const j = sql.indexOf('*/', i + 2);
      const end = j < 0 ? n : j + 2;
      out += sql.slice(i, end);
      i = end;
      continue;
    }
    if (c === ':') {
      if (sql[i + 1] === ':') {
        out += '::';
        i += 2;
        continue;
      }
      BIND.lastIndex = i + 1;
      const m = BIND.exec(sql);
      if (m && (i === 0 || !/[A-Za-z0-9_]/.test(sql[i - 1]))) {
        const name = m[0];
        i += 1 + name.length;
        if (d === 'sqlite') {
          names.push(name);
          out += '?';
        } else {
          let num = numbers.get(name);
          if (num === undefined) {
            names.push(name);
            num = names.length;
            numbers.set(name, num);
          }
          out += d === 'postgres' ? `$${num}` : `:b${num}`;
        }
        continue;
      }
    }
    out += c;
    i++;
  }
  return { sql: out, names };
}

/** Render SQL text (not cached). */
export function renderSql(d: DatabaseType, sql: string, qname = 'query'): Rendered {
  const x = expandMarkers(d, sql, qname);
  const b = translateBinds(d, x.sql);
  const r: Rendered = { sql: b.sql, names: b.names };
  if (x.maxRows !== undefined) r.maxRows = x.maxRows;
  if (x.sequences.length) r.sequences = x.sequences;
  return r;
}

const CACHES: Record<DatabaseType, WeakMap<QueryDef, Rendered>> = {
  sqlite: new WeakMap(),
  postgres: new WeakMap(),
  oracle: new WeakMap(),
};
// name → sql: "every query has one definition"; two different SQL texts under one name would also
// collide in the drivers' prepared-statement caches (pg names its prepared statements after it).
const NAMES = new Map<string, string>();

/** Render a QueryDef for a dialect; cached per QueryDef object. */
export function render(d: DatabaseType, q: QueryDef): Rendered {
  const cache = CACHES[d];
  let r = cache.get(q);
  if (r) return r;
  const prev = NAMES.get(q.name);
  if (prev !== undefined && prev !== q.sql) {
    throw new Error(`query name '${q.name}' is defined twice with different SQL; every query has one definition`);
  }
  NAMES.set(q.name, q.sql);
  r = renderSql(d, q.sql, q.name);
  cache.set(q, r);
  return r;
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** A Date as SQLite text: local time 'YYYY-MM-DD HH:MM:SS', '.mmm' only when milliseconds ≠ 0. */
export function dateToSqlite(d: Date): string {
  if (Number.isNaN(d.getTime())) throw new RangeError('invalid Date bound');
  const base = `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  const ms = d.getMilliseconds();
  return ms ? `${base}.${pad(ms, 3)}` : base;
}

/** SQLite's local-time text: 'YYYY-MM-DD[ HH:MM[:SS[.mmm]]]' (groups: year … second, milliseconds). */
export const SQLITE_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?)?$/;

/** SQLite text (as written by dateToSqlite, or a bare 'YYYY-MM-DD') back to a Date; other values unchanged. */
export function sqliteToDate(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const m = SQLITE_DATE.exec(v);
  if (!m) return v;
  const ms = m[7] ? Number(m[7].padEnd(3, '0')) : 0;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), ms);
}
