// `bssgate db check` and the check `serve` runs at start (docs/operator-schema.md): every
// registered query, default or replaced by the store's queries file, prepared and described on the
// live database without running it (AdminStore.describe), its result columns compared with the
// contract (names, and types where the driver says them); the tables of the table templates looked
// up for the current and the last month (a missing month table is a warning: that month has no
// records); the tables bssgate itself requires (the fixed points) looked up. One line each:
//   ok <name>
//   FAIL <name>: <what> (<file>:<line> | default SQL, column <X>)
//   warn <name>: <what>
// A query the queries file declares unused (`-- unused: <name> [why]`) that fails is a warning
// instead (`warn <name>: declared unused (<file>:<line>[: why]): <what> (…)`): serve starts, the
// operator having said no served business type needs it. Nothing else is demotable.
import type { AdminStore, QueryDef, QueryOverrides } from '../types.js';
import { TICKET_KINDS, type TicketKind } from '../schema.js';
import { partName, queryNames, registeredQuery, ticketTableOf, type ColumnSpec, type RegisteredQuery } from './define.js';

export interface CheckLine {
  status: 'ok' | 'FAIL' | 'warn';
  name: string;
  /** The whole line as printed. */
  text: string;
}

/** The legacy table the scanner writes and bssgate's own tables: not replaceable, looked up by name (fixed points, docs/operator-schema.md). */
export const FIXED_TABLES: readonly { table: string; why: string }[] = [
  { table: 'USR_BUSI_RECORD', why: "the online commands (legacy, shared): the scanner's claims and results write it" },
  { table: 'BSG_CMD_QUEUE', why: "the scanner's leases" },
  { table: 'BSG_AUTH_FAIL', why: 'the password lockout counters' },
  { table: 'BSG_IDEMPOTENCY', why: 'the idempotency ledger of write functions (PC-06)' },
  { table: 'BSG_META', why: 'the schema version' },
];

type TypeClass = 'int' | 'numeric' | 'float' | 'text' | 'time' | 'binary' | 'bool' | 'unknown';

/** A database type name (SQLite declared type, PostgreSQL type, Oracle dbTypeName) in broad classes. */
export function typeClass(type: string | undefined): TypeClass {
  if (!type) return 'unknown';
  const t = type.toUpperCase();
  if (/BOOL/.test(t)) return 'bool';
  if (/INTERVAL/.test(t)) return 'unknown';
  if (/INT/.test(t)) return 'int';
  if (/NUMERIC|DECIMAL|NUMBER/.test(t)) return 'numeric';
  if (/REAL|FLOA|DOUB/.test(t)) return 'float';
  if (/CHAR|TEXT|CLOB|STRING/.test(t)) return 'text';
  if (/DATE|TIME/.test(t)) return 'time';
  if (/BLOB|BYTEA|RAW/.test(t)) return 'binary';
  return 'unknown';
}

const ACCEPTS: Record<string, readonly TypeClass[]> = {
  id: ['int', 'numeric'],
  money: ['int', 'numeric'],
  int: ['int', 'numeric'],
  text: ['int', 'numeric', 'float', 'text'],
  cycle: ['int', 'numeric', 'text'],
  date: ['time', 'text'],
  datetime: ['time', 'text'],
};

/** Why a column of database type `type` cannot carry the contract type `spec`; undefined when it can (or the type is not known). */
export function typeMismatch(spec: ColumnSpec, type: string | undefined): string | undefined {
  const c = typeClass(type);
  if (c === 'unknown') return undefined;
  const base = spec.replace(/\?$/, '');
  return ACCEPTS[base]!.includes(c) ? undefined : `is declared ${base} but the database gives ${type}`;
}

/** The column (or table) a database error names, for the line's `column X`. */
export function columnOfError(message: string): string | undefined {
  const m =
    /no such column: ([\w.$#]+)/i.exec(message) ??
    /column "([^"]+)"(?: of relation "[^"]+")? does not exist/i.exec(message) ??
    /column ([\w.$#]+) does not exist/i.exec(message) ??
    /ORA-00904: (?:"[^"]*"\.)?"([^"]+)"/.exec(message) ??
    /has no column named ([\w$#]+)/i.exec(message);
  return m?.[1];
}

function tableOfError(message: string): string | undefined {
  const m = /no such table: ([\w.$#]+)/i.exec(message) ?? /relation "([^"]+)" does not exist/i.exec(message);
  return m?.[1];
}

/** YYYYMM of `now` and of the month before, local time. */
export function checkMonths(now: Date): [string, string] {
  const f = (d: Date) => `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}`;
  return [f(now), f(new Date(now.getFullYear(), now.getMonth() - 1, 1))];
}

interface Problem {
  what: string;
  where: string;
  column?: string;
}

function fail(name: string, p: Problem): CheckLine {
  return { status: 'FAIL', name, text: `FAIL ${name}: ${p.what} (${p.where}${p.column ? `, column ${p.column}` : ''})` };
}

function whereOf(set: QueryOverrides | undefined, block: string): string {
  const b = set?.block(block);
  return b ? `${set!.file}:${b.line}` : 'default SQL';
}

/**
 * What to do about a database error that has a known remedy: PostgreSQL types each bind from
 * where it stands, and a bare bind in a CASE or an IS NULL test gives it nothing to go by.
 */
export function errorHint(message: string): string | undefined {
  if (/could not determine data type of parameter \$\d+/i.test(message) || /operator does not exist: (text|unknown) = /i.test(message)) {
    return 'PostgreSQL cannot tell the type of a bare bind here (in a CASE, an IS NULL test, a SELECT list): write it as CAST(:name AS INTEGER) (or VARCHAR(n), BIGINT …)';
  }
  return undefined;
}

function errorProblem(err: unknown, where: string): Problem {
  const msg = String((err as Error)?.message ?? err).split('\n')[0].trim();
  const column = columnOfError(msg);
  const table = column ? undefined : tableOfError(msg);
  const hint = errorHint(msg);
  const what = table && !msg.includes(table) ? `${msg} (table ${table})` : msg;
  return { what: hint ? `${what}; ${hint}` : what, where, column };
}

async function describeAgainst(store: AdminStore, q: QueryDef, reg: RegisteredQuery, where: string, contract = true): Promise<Problem | undefined> {
  const read = Object.keys(reg.columns).length > 0;
  let got;
  try {
    got = await store.describe(q, read);
  } catch (err) {
    return errorProblem(err, where);
  }
  if (!read || !contract) return undefined;
  const cols = got.columns ?? [];
  const names = cols.map((c) => c.name);
  for (const key of Object.keys(reg.columns)) {
    if (!names.includes(key)) return { what: `result column ${key} is missing; the SQL returns ${names.join(', ') || 'no columns'}`, where, column: key };
  }
  for (const c of cols) {
    const spec = reg.columns[c.name];
    if (spec === undefined) return { what: `the SQL returns column ${c.name}, which is not in the contract (${Object.keys(reg.columns).join(', ')})`, where, column: c.name };
    const why = typeMismatch(spec, c.type);
    if (why) return { what: `result column ${c.name} ${why}`, where, column: c.name };
  }
  return undefined;
}

export interface CheckOptions {
  /** The clock's now: the months whose template tables are looked up. */
  now: Date;
}

/** Every check, in order: the table templates, the fixed tables, then every query by name. */
export async function checkQueries(store: AdminStore, o: CheckOptions): Promise<CheckLine[]> {
  const set = store.queries;
  const out: CheckLine[] = [];
  const months = checkMonths(o.now);
  // Which month tables exist, per kind.
  const present = new Map<string, TicketKind[]>();
  for (const m of months) present.set(m, []);
  for (const kind of TICKET_KINDS) {
    const name = `ticket.${kind}`;
    const missing: string[] = [];
    for (const m of months) {
      const table = ticketTableOf(kind, m, set);
      if (await store.tableExists(table)) present.get(m)!.push(kind);
      else missing.push(table);
    }
    const t = set?.template(name);
    const where = t ? ` (${set!.file}:${t.line})` : '';
    out.push(
      missing.length === 0
        ? { status: 'ok', name: `table ${name}`, text: `ok table ${name}` }
        : { status: 'warn', name: `table ${name}`, text: `warn table ${name}: ${missing.join(', ')} not found: no records for ${missing.length === 2 ? 'these months' : 'that month'}${where}` },
    );
  }
  for (const f of FIXED_TABLES) {
    const ok = await store.tableExists(f.table);
    out.push(ok ? { status: 'ok', name: `table ${f.table}`, text: `ok table ${f.table}` } : { status: 'FAIL', name: `table ${f.table}`, text: `FAIL table ${f.table}: not found (a fixed point: ${f.why})` });
  }
  for (const name of queryNames()) {
    const reg = registeredQuery(name)!;
    let line: CheckLine;
    if (reg.kind === 'plain') {
      const def = set ? set.resolve(reg.sample()) : reg.sample();
      const p = await describeAgainst(store, def, reg, whereOf(set, name));
      line = p ? fail(name, p) : { status: 'ok', name, text: `ok ${name}` };
    } else line = await checkTicketQuery(store, reg, present, months);
    out.push(demoteUnused(set, line));
  }
  return out;
}

/** A FAIL of a query the file declares unused becomes a warning that says so; its ok says so too. */
function demoteUnused(set: QueryOverrides | undefined, l: CheckLine): CheckLine {
  const u = set?.unused?.(l.name);
  if (!u) return l;
  const declared = `declared unused (${set!.file}:${u.line}${u.reason ? `: ${u.reason}` : ''})`;
  if (l.status === 'FAIL') return { status: 'warn', name: l.name, text: `warn ${l.name}: ${declared}: ${l.text.slice(`FAIL ${l.name}: `.length)}` };
  if (l.status === 'ok') return { ...l, text: `${l.text} (${declared}, and it checks ok)` };
  return l;
}

async function checkTicketQuery(store: AdminStore, reg: RegisteredQuery, present: Map<string, TicketKind[]>, months: readonly string[]): Promise<CheckLine> {
  const set = store.queries;
  const kinds = Object.keys(reg.parts ?? {}) as TicketKind[];
  // The month with most of this query's tables (the current one first).
  let month = months[0];
  let have: TicketKind[] = [];
  for (const m of months) {
    const h = kinds.filter((k) => present.get(m)!.includes(k));
    if (h.length > have.length) [month, have] = [m, h];
  }
  if (have.length === 0) {
    return { status: 'warn', name: reg.name, text: `warn ${reg.name}: not checked: none of its tables (${kinds.map((k) => `ticket.${k}`).join(', ')}) exists for ${months.join(' or ')}` };
  }
  // Each part alone first: a mistake is then named with its own block.
  for (const k of have) {
    const block = set?.block(partName(reg.name, k));
    const sql = (block?.sql ?? reg.parts![k]!).replaceAll('{{table}}', ticketTableOf(k, month, set));
    const p = await describeAgainst(store, { name: `check.${reg.name}.${k}~${set?.id ?? 0}`, sql: `${sql}${sql.includes('--') ? '\n' : ''}` }, reg, whereOf(set, partName(reg.name, k)), false);
    if (p) return fail(reg.name, p);
  }
  const q = reg.renderTicket!(month, have, set);
  const p = await describeAgainst(store, q, reg, whereOf(set, reg.name));
  if (p) return fail(reg.name, p);
  const missing = kinds.filter((k) => !have.includes(k));
  return { status: 'ok', name: reg.name, text: `ok ${reg.name}${missing.length ? ` (${month}; ${missing.map((k) => `ticket.${k}`).join(', ')} not found, not checked)` : ''}` };
}

/** serve refuses to start: the first FAIL line of the check (and how many more), one line, no stack. */
export class QueryCheckError extends Error {
  constructor(readonly failures: readonly CheckLine[]) {
    super(`${failures[0].text}${failures.length > 1 ? `; ${failures.length - 1} more: bssgate db check` : ''}`);
    this.name = 'QueryCheckError';
  }
}

/**
 * The check `serve` runs at start (after the schema check, when the database answers): warnings
 * go to the log, any FAIL throws QueryCheckError.
 */
export async function checkQueriesAtStart(store: AdminStore, now: Date, warn: (line: string) => void): Promise<void> {
  const lines = await checkQueries(store, { now });
  for (const l of lines) if (l.status === 'warn') warn(l.text);
  const failures = lines.filter((l) => l.status === 'FAIL');
  if (failures.length) throw new QueryCheckError(failures);
}
