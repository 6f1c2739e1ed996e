// Typed queries. A query declares, with its SQL, the names and types of its binds and of its
// result columns; the column spec drives the conversions on all three back ends (money and ids →
// bigint, never a float; dates → wire strings; the NULL rule below), so a handler gets rows of a
// known type and a money column can never arrive as a float or a 9999.
//
// The SQL is only one part of a definition: the binds and the columns are the contract. That is
// what lets an operator replace the SQL of any query (as FreeRADIUS's queries.conf
// does) for a provincial schema that differs from ours — replaceSql() keeps the
// contract and refuses SQL whose binds differ; the result columns are checked on every call.
//
// NULL rule (SPEC.md section 3, "Database NULLs"): a column is NOT NULL unless its type ends in
// `?`. NULL in a NOT NULL column is an error naming the query and the column (answered 9999,
// never a silently changed value). Nullable: text? → '' (Oracle stores '' as NULL anyway, so the
// two cannot be told apart there); date? / datetime? → '' (sent as spaces in an optional wire
// date); int? / money? / id? → null (the handler decides what the wire says).
//
// Monthly ticket tables (TICKET_<KIND>_yyyymm) are a first-class form: defineTicketQuery takes
// one SELECT per ticket kind (`{{table}}` in it) and an outer query over their UNION ALL
// (`{{parts}}`: as a derived table `({{parts}}) t`, or the union itself followed by its ORDER BY and
// page, which SQLite runs about a third faster); the month is a parameter of the call. A month whose tables do not exist has no
// records: the missing kinds are left out of the union, and with none left the result is empty.
import { formatDateTime } from '../../time.js';
import { renderSql, SQLITE_DATE } from '../dialect.js';
import { TICKET_KINDS, type TicketKind } from '../schema.js';
import type { BindValue, Queryable, QueryDef, QueryOverrides, Row, Store } from '../types.js';

export type ColumnType = 'id' | 'int' | 'money' | 'text' | 'date' | 'datetime' | 'cycle';
export type ColumnSpec = ColumnType | `${ColumnType}?`;
export type BindType = 'text' | 'int' | 'id' | 'money' | 'time';

type ColValue<C extends ColumnSpec> = C extends 'id' | 'money'
  ? bigint
  : C extends 'id?' | 'money?'
    ? bigint | null
    : C extends 'int'
      ? number
      : C extends 'int?'
        ? number | null
        : string;

type BindValueOf<B extends BindType> = B extends 'text' ? string : B extends 'int' ? number : B extends 'time' ? Date : bigint | number;

export type RowOf<C extends Record<string, ColumnSpec>> = { [K in keyof C]: ColValue<C[K]> };
export type BindsOf<B extends Record<string, BindType>> = { [K in keyof B]: BindValueOf<B[K]> };

/** A query result that does not match its declared columns, or a NULL where none is allowed. */
export class QueryContractError extends Error {
  constructor(query: string, detail: string) {
    super(`query ${query}: ${detail}`);
    this.name = 'QueryContractError';
  }
}

interface Conv {
  key: string;
  type: ColumnType;
  nullable: boolean;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

// SQLite keeps times as local wall-clock text 'YYYY-MM-DD[ HH:MM:SS[.mmm]]' (src/store/dialect.ts):
// the wire string is its digits, without a round trip through Date (PostgreSQL and Oracle give Dates).

function toDateString(v: unknown, withTime: boolean, q: string, col: string): string {
  if (typeof v === 'string') {
    if (/^\d{8}(\d{6})?$/.test(v)) return withTime ? v.padEnd(14, '0') : v.slice(0, 8);
    const m = SQLITE_DATE.exec(v);
    if (!m) throw new QueryContractError(q, `column ${col} is declared a date but holds ${JSON.stringify(v)}`);
    const day = `${m[1]}${m[2]}${m[3]}`;
    return withTime ? `${day}${m[4] ?? '00'}${m[5] ?? '00'}${m[6] ?? '00'}` : day;
  }
  if (!(v instanceof Date)) throw new QueryContractError(q, `column ${col} is declared a date but holds ${typeof v}`);
  if (Number.isNaN(v.getTime())) throw new QueryContractError(q, `column ${col} holds an invalid date`);
  if (withTime) return formatDateTime(v);
  return `${v.getFullYear()}${pad2(v.getMonth() + 1)}${pad2(v.getDate())}`;
}

function convertValue(c: Conv, v: unknown, q: string): unknown {
  if (v === null || v === undefined) {
    if (!c.nullable) throw new QueryContractError(q, `column ${c.key} is NULL (declared NOT NULL)`);
    return c.type === 'text' || c.type === 'date' || c.type === 'datetime' || c.type === 'cycle' ? '' : null;
  }
  switch (c.type) {
    case 'id':
    case 'money':
      if (typeof v === 'bigint') return v;
      // The drivers return declared bigint columns as bigint; anything else is a schema mismatch
      // (a REAL in SQLite, a numeric with decimals): refused, never rounded.
      if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
      if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
      throw new QueryContractError(q, `column ${c.key} is declared ${c.type} (an integer) but holds ${String(v)}`);
    case 'int':
      if (typeof v === 'number' && Number.isInteger(v)) return v;
      if (typeof v === 'bigint' && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v);
      if (typeof v === 'string' && /^-?\d{1,15}$/.test(v)) return Number(v);
      throw new QueryContractError(q, `column ${c.key} is declared int but holds ${String(v)}`);
    case 'text':
      if (typeof v === 'string') return v;
      if (typeof v === 'number' || typeof v === 'bigint') return String(v);
      throw new QueryContractError(q, `column ${c.key} is declared text but holds ${typeof v}`);
    case 'cycle': {
      const s = typeof v === 'string' ? v.trim() : String(v);
      if (!/^\d{4}(0[1-9]|1[0-2])$/.test(s)) throw new QueryContractError(q, `column ${c.key} is declared a YYYYMM cycle but holds ${JSON.stringify(s)}`);
      return s;
    }
    case 'date':
      return toDateString(v, false, q, c.key);
    case 'datetime':
      return toDateString(v, true, q, c.key);
  }
}

function parseColumns(columns: Record<string, ColumnSpec>): Conv[] {
  return Object.entries(columns).map(([key, spec]) => {
    if (key !== key.toLowerCase()) throw new Error(`column ${key}: declare result columns in lower case (rows always are)`);
    const nullable = spec.endsWith('?');
    return { key, type: (nullable ? spec.slice(0, -1) : spec) as ColumnType, nullable };
  });
}

/** The :binds a SQL text uses (portable form), in order of first appearance. */
export function bindNamesOf(sql: string, name = 'query'): string[] {
  return [...new Set(renderSql('postgres', sql, name).names)];
}

function checkBinds(name: string, sql: string, binds: Record<string, BindType>, extra: readonly string[] = []): void {
  const used = new Set(bindNamesOf(sql, name));
  const declared = new Set([...Object.keys(binds), ...extra]);
  for (const b of used) if (!declared.has(b)) throw new Error(`query ${name}: SQL uses :${b}, which is not a declared bind`);
  for (const b of declared) if (!used.has(b)) throw new Error(`query ${name}: bind :${b} is declared but the SQL does not use it`);
}

function convertRows(name: string, convs: Conv[], rows: Row[]): Row[] {
  if (rows.length === 0) return rows;
  const keys = Object.keys(rows[0]);
  if (keys.length !== convs.length || convs.some((c) => !(c.key in rows[0]))) {
    throw new QueryContractError(name, `returns columns ${keys.join(', ')}; declared ${convs.map((c) => c.key).join(', ')}`);
  }
  // The drivers hand out fresh row objects with exactly these keys: converted in place.
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    for (const c of convs) r[c.key] = convertValue(c, r[c.key], name);
  }
  return rows;
}

/** What the drivers convert: bigint columns. Date columns are not parsed into Date on SQLite: toDateString reads its text. */
function driverHints(convs: Conv[]): Pick<QueryDef, 'bigint'> {
  const bigint = convs.filter((c) => c.type === 'id' || c.type === 'money').map((c) => c.key);
  return bigint.length ? { bigint } : {};
}

function bindValues(name: string, spec: Record<string, BindType>, given: Record<string, unknown>): Record<string, BindValue> {
  const out: Record<string, BindValue> = {};
  for (const [k, t] of Object.entries(spec)) {
    const v = given[k];
    if (v === undefined) throw new Error(`query ${name}: bind :${k} is missing`);
    if (t === 'time' ? !(v instanceof Date) : t === 'text' ? typeof v !== 'string' : typeof v !== 'number' && typeof v !== 'bigint') {
      throw new Error(`query ${name}: bind :${k} must be ${t}`);
    }
    out[k] = v as BindValue;
  }
  return out;
}

/** A query as the registry knows it: its contract, its default SQL and how to replace it. */
export interface RegisteredQuery {
  readonly name: string;
  /** plain: defineQuery; ticket: defineTicketQuery (outer SQL over `{{parts}}`, one part per kind over `{{table}}`). */
  readonly kind: 'plain' | 'ticket';
  readonly binds: Record<string, BindType>;
  readonly columns: Record<string, ColumnSpec>;
  /** The default SQL (a ticket query: the outer SQL). */
  readonly sql: string;
  /** A ticket query's default parts by kind. */
  readonly parts?: Readonly<Partial<Record<TicketKind, string>>>;
  /** What the drivers convert (bigint columns): a replaced QueryDef carries the same. */
  readonly hints: Pick<QueryDef, 'bigint'>;
  /** The SQL run (a ticket query: for a sample month with every kind). */
  sample(): QueryDef;
  replace(sql: string): void;
  /** A ticket query: the SQL run for a month when the given kinds' tables exist, on a store's queries file. */
  renderTicket?(month: string, present: readonly TicketKind[], set?: QueryOverrides): QueryDef;
}

/** Every query by name: an operator's queries file (src/store/queries/file.ts) replaces their SQL per store, binds and columns kept. */
const REGISTRY = new Map<string, RegisteredQuery>();

/** The names of every typed query (`bssgate db queries`, `db check`, the queries file). */
export function queryNames(): string[] {
  return [...REGISTRY.keys()].sort();
}

/** A registered query by name. */
export function registeredQuery(name: string): RegisteredQuery | undefined {
  return REGISTRY.get(name);
}

/** The contract and current SQL of a query by name (tests render every query for every dialect). */
export function queryContract(name: string): { binds: Record<string, BindType>; columns: Record<string, ColumnSpec>; def: QueryDef } | undefined {
  const q = REGISTRY.get(name);
  return q && { binds: q.binds, columns: q.columns, def: q.sample() };
}

/**
 * Replace the default SQL of a query for the whole process, keeping its contract (tests). An
 * operator's file replaces per store instead (src/store/queries/file.ts). For ticket queries this is the outer SQL.
 */
export function replaceSql(name: string, sql: string): void {
  const q = REGISTRY.get(name);
  if (!q) throw new Error(`no query named ${name}`);
  q.replace(sql);
}

/** Throws when `sql` does not use exactly the declared binds (checkBinds, exported for the queries file). */
export function checkQueryBinds(name: string, sql: string, binds: Record<string, BindType>): void {
  checkBinds(name, sql, binds);
}

// ---------------------------------------------------------------------------------------------
// Table-name templates: the names of tables that come per month (or per area) are built from a
// template the operator's queries file may set (`-- table: ticket.GSMCDMA = TICKET_GSMCDMA_{yyyymm}`).

export const TEMPLATE_PLACEHOLDERS = ['yyyymm', 'yymm', 'mm', 'yyyy', 'area'] as const;
export type TemplatePlaceholder = (typeof TEMPLATE_PLACEHOLDERS)[number];

export interface TableTemplate {
  readonly name: string;
  /** The default template: gives today's table names. */
  readonly default: string;
  /** The placeholders it may use. */
  readonly placeholders: readonly TemplatePlaceholder[];
  /** Placeholders of which at least one must appear (the month, for a monthly table). */
  readonly needsOneOf: readonly TemplatePlaceholder[];
  readonly doc: string;
}

const MONTH_PLACEHOLDERS: readonly TemplatePlaceholder[] = ['yyyymm', 'yymm', 'mm', 'yyyy'];
const TEMPLATES = new Map<string, TableTemplate>(
  TICKET_KINDS.map((k) => [
    `ticket.${k}`,
    {
      name: `ticket.${k}`,
      default: `TICKET_${k}_{yyyymm}`,
      placeholders: MONTH_PLACEHOLDERS,
      needsOneOf: MONTH_PLACEHOLDERS,
      doc: `the ${k} tickets of a month, read by the ticket queries' ${k} parts ({{table}})`,
    },
  ]),
);

/** Every table template, by name. */
export function tableTemplates(): TableTemplate[] {
  return [...TEMPLATES.values()];
}

export function tableTemplate(name: string): TableTemplate | undefined {
  return TEMPLATES.get(name);
}

const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_$#]*(\.[A-Za-z_][A-Za-z0-9_$#]*)?$/;
const YYYYMM = /^(\d{4})(0[1-9]|1[0-2])$/;
const AREA = /^[A-Za-z0-9_]{1,16}$/;

/** Problems of a template text (unknown placeholder, month missing, not a table name); [] when fine. */
export function templateProblems(t: TableTemplate, text: string): string[] {
  const problems: string[] = [];
  const used = [...text.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]);
  for (const p of used) {
    if (!(t.placeholders as readonly string[]).includes(p)) problems.push(`unknown placeholder {${p}}; accepted: ${t.placeholders.map((x) => `{${x}}`).join(', ')}`);
  }
  if (t.needsOneOf.length && !used.some((p) => (t.needsOneOf as readonly string[]).includes(p))) {
    problems.push(`needs one of ${t.needsOneOf.map((x) => `{${x}}`).join(', ')} (a table per month)`);
  }
  if (problems.length === 0 && !TABLE_NAME.test(text.replace(/\{[^}]*\}/g, '0'))) problems.push(`${JSON.stringify(text)} does not give a table name ([schema.]name of letters, digits, _ $ #)`);
  return problems;
}

/** A table name from a template for a month (YYYYMM, validated: a name is never built from unchecked input). */
export function expandTemplate(text: string, v: { month: string; area?: string }): string {
  const m = YYYYMM.exec(v.month);
  if (!m) throw new RangeError(`billing cycle must be YYYYMM, got ${JSON.stringify(v.month)}`);
  if (v.area !== undefined && !AREA.test(v.area)) throw new RangeError(`area must be 1–16 letters or digits, got ${JSON.stringify(v.area)}`);
  return text.replace(/\{(yyyymm|yymm|mm|yyyy|area)\}/g, (_a, p: string) => {
    switch (p) {
      case 'yyyymm':
        return v.month;
      case 'yymm':
        return v.month.slice(2);
      case 'mm':
        return m[2];
      case 'yyyy':
        return m[1];
      default:
        if (v.area === undefined) throw new RangeError(`template ${text} needs an area`);
        return v.area;
    }
  });
}

/** Where table templates come from: a store's queries file (or only its `-- table:` lines). */
export type TemplateSource = Pick<QueryOverrides, 'template'>;

/** The table a template names for a month, on a store's queries file (or the default). */
export function templateTable(name: string, month: string, set?: TemplateSource): string {
  const t = TEMPLATES.get(name);
  if (!t) throw new Error(`no table template named ${name}`);
  return expandTemplate(set?.template(name)?.template ?? t.default, { month });
}

/** The queries file of the store a query runs on (a unit view's base store's). */
export function overridesOf(store: Store): QueryOverrides | undefined {
  return (store.base ?? store).queries;
}

export interface QueryDefinition<B extends Record<string, BindType>, C extends Record<string, ColumnSpec>> {
  name: string;
  sql: string;
  binds: B;
  columns: C;
}

export interface TypedQuery<B extends Record<string, BindType>, C extends Record<string, ColumnSpec>> {
  readonly name: string;
  readonly binds: B;
  readonly columns: C;
  /** The QueryDef the drivers run (its SQL may have been replaced). */
  def(): QueryDef;
  all(q: Queryable, binds: BindsOf<B>): Promise<RowOf<C>[]>;
  one(q: Queryable, binds: BindsOf<B>): Promise<RowOf<C> | undefined>;
  /** A statement that returns no rows (INSERT, UPDATE, DELETE: declare `columns: {}`): the rows it changed. */
  run(q: Queryable, binds: BindsOf<B>): Promise<number>;
}

export function defineQuery<const B extends Record<string, BindType>, const C extends Record<string, ColumnSpec>>(d: QueryDefinition<B, C>): TypedQuery<B, C> {
  if (REGISTRY.has(d.name)) throw new Error(`query ${d.name} defined twice`);
  const convs = parseColumns(d.columns);
  const hints = driverHints(convs);
  checkBinds(d.name, d.sql, d.binds);
  let qdef: QueryDef = { name: d.name, sql: d.sql, ...hints };
  let generation = 0;
  REGISTRY.set(d.name, {
    name: d.name,
    kind: 'plain',
    binds: d.binds,
    columns: d.columns,
    sql: d.sql,
    hints,
    sample: () => qdef,
    replace(sql) {
      checkBinds(d.name, sql, d.binds);
      // A new name: the drivers cache prepared statements by name.
      qdef = { name: `${d.name}#${++generation}`, sql, ...hints };
    },
  });
  const typed: TypedQuery<B, C> = {
    name: d.name,
    binds: d.binds,
    columns: d.columns,
    def: () => qdef,
    async all(q, binds) {
      return convertRows(d.name, convs, await q.all(qdef, bindValues(d.name, d.binds, binds))) as RowOf<C>[];
    },
    async one(q, binds) {
      const r = convertRows(d.name, convs, await q.all(qdef, bindValues(d.name, d.binds, binds)));
      return r[0] as RowOf<C> | undefined;
    },
    run(q, binds) {
      return q.run(qdef, bindValues(d.name, d.binds, binds));
    },
  };
  return typed;
}

// ---------------------------------------------------------------------------------------------
// Monthly ticket tables.

export interface TicketQueryDefinition<B extends Record<string, BindType>, C extends Record<string, ColumnSpec>> {
  name: string;
  /** One SELECT per ticket kind, reading `{{table}}`; all with the same columns. */
  parts: Partial<Record<TicketKind, string>>;
  /** The outer query reading `{{parts}}`, the UNION ALL of the parts whose month table exists. */
  sql: string;
  binds: B;
  columns: C;
}

export interface TicketQuery<B extends Record<string, BindType>, C extends Record<string, ColumnSpec>> {
  readonly name: string;
  readonly kinds: readonly TicketKind[];
  /** Rows of the month `month` (YYYYMM); [] when none of its tables exists. */
  all(store: Store, month: string, binds: BindsOf<B>): Promise<RowOf<C>[]>;
  /** The SQL run for a month when the given kinds' tables exist (tests, the spec, `db check`); `set`: a store's queries file. */
  render(month: string, present: readonly TicketKind[], set?: QueryOverrides): QueryDef;
}

/** How long a table's existence is believed: ticket tables appear at the start of a month. */
export const TABLE_EXISTS_TTL_MS = 60_000;
// Per store (two stores in one process may be two databases): keyed by the base store.
let existsCache = new WeakMap<object, Map<string, { exists: boolean; at: number }>>();

async function monthTableExists(store: Store, table: string): Promise<boolean> {
  const base = store.base ?? store;
  let cache = existsCache.get(base);
  if (!cache) existsCache.set(base, (cache = new Map()));
  const now = Date.now();
  const hit = cache.get(table);
  if (hit && now - hit.at < TABLE_EXISTS_TTL_MS) return hit.exists;
  const exists = await store.tableExists(table);
  if (cache.size > 4096) cache.clear();
  cache.set(table, { exists, at: now });
  return exists;
}

/** Forget what is known about ticket tables (tests that create or drop them). */
export function forgetTicketTables(): void {
  existsCache = new WeakMap();
}

/** The table of a ticket kind for a month: the template `ticket.<KIND>` (default TICKET_<KIND>_{yyyymm}). */
export function ticketTableOf(kind: TicketKind, month: string, set?: TemplateSource): string {
  return templateTable(`ticket.${kind}`, month, set);
}

const PLACEHOLDER_PATTERN: Record<TemplatePlaceholder, string> = {
  yyyymm: '\\d{4}(?:0[1-9]|1[0-2])',
  yymm: '\\d{2}(?:0[1-9]|1[0-2])',
  mm: '(?:0[1-9]|1[0-2])',
  yyyy: '\\d{4}',
  area: '[A-Za-z0-9_]{1,16}',
};

/** Every name a template can give (any month or area), case-insensitive: PostgreSQL lists names in lower case. */
export function templatePattern(text: string): RegExp {
  const parts = text.split(/(\{[^}]*\})/).map((p) => {
    const m = /^\{(\w+)\}$/.exec(p);
    if (m && m[1] in PLACEHOLDER_PATTERN) return PLACEHOLDER_PATTERN[m[1] as TemplatePlaceholder];
    return p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  });
  return new RegExp(`^${parts.join('')}$`, 'i');
}

/** How a schema names its monthly ticket tables: from its table templates (the defaults without a source). */
export interface TicketNaming {
  /** The table of a kind for a month (YYYYMM). */
  table(kind: TicketKind, month: string): string;
  /** The kind of a table name the templates give (any month, any case); undefined for any other name. */
  kindOf(table: string): TicketKind | undefined;
}

/** The ticket naming of a template source (a queries file's `-- table:` lines; undefined: the default templates). */
export function ticketNaming(set?: TemplateSource): TicketNaming {
  const patterns = TICKET_KINDS.map((k) => [k, templatePattern(set?.template(`ticket.${k}`)?.template ?? TEMPLATES.get(`ticket.${k}`)!.default)] as const);
  return {
    table: (kind, month) => ticketTableOf(kind, month, set),
    kindOf: (table) => patterns.find(([, re]) => re.test(table))?.[0],
  };
}

/** The name of the block that replaces a ticket query's part of one kind. */
export function partName(query: string, kind: TicketKind): string {
  return `${query}.part.${kind}`;
}

export function defineTicketQuery<const B extends Record<string, BindType>, const C extends Record<string, ColumnSpec>>(
  d: TicketQueryDefinition<B, C>,
): TicketQuery<B, C> {
  if (REGISTRY.has(d.name)) throw new Error(`query ${d.name} defined twice`);
  const convs = parseColumns(d.columns);
  const hints = driverHints(convs);
  const kinds = Object.keys(d.parts) as TicketKind[];
  for (const k of kinds) if (!TICKET_KINDS.includes(k)) throw new Error(`query ${d.name}: unknown ticket kind ${k}`);
  if (!d.sql.includes('{{parts}}')) throw new Error(`query ${d.name}: the outer SQL must read {{parts}}`);
  for (const k of kinds) if (!d.parts[k]!.includes('{{table}}')) throw new Error(`query ${d.name}: the ${k} part must read {{table}}`);
  let outer = d.sql;
  const outerOf = (set?: QueryOverrides) => set?.block(d.name)?.sql ?? outer;
  // A replaced part may end in a -- comment: a line break keeps what follows it (UNION ALL, a parenthesis) out of the comment.
  const partOf = (k: TicketKind, set?: QueryOverrides) => {
    const b = set?.block(partName(d.name, k))?.sql;
    return b === undefined ? d.parts[k]! : b.includes('--') ? `${b}\n` : b;
  };
  const compose = (o: string, month: string, present: readonly TicketKind[], set?: QueryOverrides) =>
    o.replace('{{parts}}', present.map((k) => partOf(k, set).replaceAll('{{table}}', ticketTableOf(k, month, set))).join('\nUNION ALL\n'));
  // Every bind must be used by the query as a whole (parts and outer SQL together).
  checkBinds(d.name, compose(outer, '200001', kinds), d.binds);
  let generation = 0;
  // Per queries file (0 = the default SQL): one QueryDef (and prepared statement) per month and set of tables.
  const caches = new Map<number, Map<string, QueryDef>>();
  const render = (month: string, present: readonly TicketKind[], set?: QueryOverrides): QueryDef => {
    const id = set?.id ?? 0;
    let cache = caches.get(id);
    if (!cache) caches.set(id, (cache = new Map()));
    const key = `${month}:${present.join(',')}`;
    let q = cache.get(key);
    if (!q) {
      if (cache.size >= 256) cache.clear();
      q = { name: `${d.name}@${key}#${generation}${id ? `~f${id}` : ''}`, sql: compose(outerOf(set), month, present, set), ...hints };
      cache.set(key, q);
    }
    return q;
  };
  REGISTRY.set(d.name, {
    name: d.name,
    kind: 'ticket',
    binds: d.binds,
    columns: d.columns,
    sql: d.sql,
    parts: d.parts,
    hints,
    sample: () => render('200001', kinds),
    renderTicket: render,
    replace(sql) {
      if (!sql.includes('{{parts}}')) throw new Error(`query ${d.name}: the outer SQL must read {{parts}}`);
      checkBinds(d.name, compose(sql, '200001', kinds), d.binds);
      outer = sql;
      generation++;
      caches.clear();
    },
  });
  return {
    name: d.name,
    kinds,
    render,
    async all(store, month, binds) {
      const set = overridesOf(store);
      const present: TicketKind[] = [];
      for (const k of kinds) if (await monthTableExists(store, ticketTableOf(k, month, set))) present.push(k);
      if (present.length === 0) return [];
      const rows = await store.all(render(month, present, set), bindValues(d.name, d.binds, binds));
      return convertRows(d.name, convs, rows) as RowOf<C>[];
    },
  };
}
