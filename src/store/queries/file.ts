// The operator's queries file (`[database] queries = <file>`; the format: docs/operator-schema.md).
// It replaces the SQL of any registered query by name, per store and per dialect; the binds and
// the result columns declared with the query stay the contract. Loaded when the store opens
// (src/store/open.ts): every mistake found without the database (an unknown name, a name given
// twice, binds that differ, an empty block, an unknown marker or table template) is one error naming
// the file, the line and the query. What needs the database (columns, tables) is `db check`'s
// (src/store/queries/check.ts), which serve runs at start.
import { readFileSync } from 'node:fs';
import type { DatabaseType } from '../../config/types.js';
import { renderSql } from '../dialect.js';
import type { TicketKind } from '../schema.js';
import type { QueryDef, QueryOverrides } from '../types.js';
import { bindNamesOf, partName, registeredQuery, tableTemplate, tableTemplates, templateProblems, type RegisteredQuery } from './define.js';

export const DIALECTS: readonly DatabaseType[] = ['sqlite', 'postgres', 'oracle'];

/** A mistake in a queries file: `<file>:<line>: query <name>: <problem>`. */
export class QueriesFileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly query: string | undefined,
    readonly problem: string,
  ) {
    super(`queries file ${file}${line ? `:${line}` : ''}: ${query ? `query ${query}: ` : ''}${problem}`);
    this.name = 'QueriesFileError';
  }
}

export interface QueryBlock {
  name: string;
  /** A block for one dialect only; undefined = every dialect without a block of its own. */
  dialect?: DatabaseType;
  sql: string;
  /** Line of its `-- name:` line (1-based). */
  line: number;
}

export interface TemplateLine {
  name: string;
  template: string;
  line: number;
}

/** `-- unused: <query name> [why]`: the operator knowingly leaves a query unused (db check: a FAIL becomes a warning). */
export interface UnusedLine {
  name: string;
  reason: string;
  line: number;
}

export interface ParsedQueriesFile {
  file: string;
  blocks: QueryBlock[];
  templates: TemplateLine[];
  unused: UnusedLine[];
}

const NAME_LINE = /^--\s*name:\s*(.*?)\s*$/;
const TABLE_LINE = /^--\s*table:\s*(.*?)\s*$/;
const UNUSED_LINE = /^--\s*unused:\s*(.*?)\s*$/;

/** The syntax alone: blocks and template lines (no registry lookups). */
export function parseQueriesText(text: string, file: string): ParsedQueriesFile {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const blocks: QueryBlock[] = [];
  const templates: TemplateLine[] = [];
  const unused: UnusedLine[] = [];
  let cur: { block: QueryBlock; body: string[] } | undefined;
  const close = () => {
    if (!cur) return;
    const body = cur.body;
    while (body.length && body[0].trim() === '') body.shift();
    // Blank lines and whole-line comments after the SQL describe what follows (the next block),
    // not this one: dropped, so that its trailing ';' is found (Oracle refuses one).
    while (body.length && (body[body.length - 1].trim() === '' || body[body.length - 1].trim().startsWith('--'))) body.pop();
    let sql = body.join('\n').replace(/\s+$/, '');
    if (sql.endsWith(';')) sql = sql.slice(0, -1).replace(/\s+$/, '');
    cur.block.sql = sql;
    blocks.push(cur.block);
    cur = undefined;
  };
  lines.forEach((raw, i) => {
    const line = i + 1;
    const n = NAME_LINE.exec(raw.trim());
    if (n) {
      close();
      const m = /^(\S+)(?:\s+@(\S+))?$/.exec(n[1]);
      if (!m) throw new QueriesFileError(file, line, undefined, `"${raw.trim()}": expected -- name: <query name>[ @sqlite|@postgres|@oracle]`);
      const dialect = m[2];
      if (dialect !== undefined && !(DIALECTS as readonly string[]).includes(dialect)) {
        throw new QueriesFileError(file, line, m[1], `unknown dialect @${dialect}; accepted: @sqlite, @postgres, @oracle`);
      }
      cur = { block: { name: m[1], dialect: dialect as DatabaseType | undefined, sql: '', line }, body: [] };
      return;
    }
    const t = TABLE_LINE.exec(raw.trim());
    if (t) {
      close();
      const m = /^(\S+)\s*=\s*(\S+)$/.exec(t[1]);
      if (!m) throw new QueriesFileError(file, line, undefined, `"${raw.trim()}": expected -- table: <template name> = <template>`);
      templates.push({ name: m[1], template: m[2], line });
      return;
    }
    const u = UNUSED_LINE.exec(raw.trim());
    if (u) {
      close();
      const m = /^(\S+)(?:\s+(.*))?$/.exec(u[1]);
      if (!m) throw new QueriesFileError(file, line, undefined, `"${raw.trim()}": expected -- unused: <query name> [why]`);
      unused.push({ name: m[1], reason: (m[2] ?? '').trim(), line });
      return;
    }
    if (cur) cur.body.push(raw);
    else if (raw.trim() !== '' && !raw.trim().startsWith('--')) {
      throw new QueriesFileError(file, line, undefined, 'SQL outside a block: start a block with -- name: <query name>');
    }
  });
  close();
  return { file, blocks, templates, unused };
}

interface Target {
  query: RegisteredQuery;
  /** A ticket query's part. */
  part?: TicketKind;
}

function targetOf(name: string): Target | undefined {
  const q = registeredQuery(name);
  if (q) return { query: q };
  const m = /^(.+)\.part\.([A-Za-z0-9]+)$/.exec(name);
  if (!m) return undefined;
  const base = registeredQuery(m[1]);
  const kind = m[2] as TicketKind;
  if (base?.kind !== 'ticket' || !base.parts?.[kind]) return undefined;
  return { query: base, part: kind };
}

function unknownName(name: string): string {
  const m = /^(.+)\.part\.([A-Za-z0-9]+)$/.exec(name);
  const base = m && registeredQuery(m[1]);
  if (base?.kind === 'ticket') return `${m![1]} has no part ${m![2]}; its parts: ${Object.keys(base.parts ?? {}).join(', ')}`;
  return 'no query of that name (bssgate db queries lists them)';
}

/** The block that applies on a dialect: its own, else the generic one. */
function pick(blocks: readonly QueryBlock[], name: string, d: DatabaseType): QueryBlock | undefined {
  return blocks.find((b) => b.name === name && b.dialect === d) ?? blocks.find((b) => b.name === name && b.dialect === undefined);
}

/**
 * Check a parsed file against the registry, for every dialect: the first mistake throws. Rules:
 * known names, one block per name and dialect, non-empty, `{{parts}}` / `{{table}}` where a ticket
 * query's blocks need them, markers that render, exactly the declared binds (a ticket query: its
 * outer SQL and parts together), known table templates with known placeholders.
 */
export function validateQueriesFile(f: ParsedQueriesFile): void {
  const seen = new Map<string, number>();
  for (const b of f.blocks) {
    const t = targetOf(b.name);
    if (!t) throw new QueriesFileError(f.file, b.line, b.name, unknownName(b.name));
    const key = `${b.name}@${b.dialect ?? '*'}`;
    const first = seen.get(key);
    if (first !== undefined) throw new QueriesFileError(f.file, b.line, b.name, `given twice${b.dialect ? ` for @${b.dialect}` : ''} (first at line ${first})`);
    seen.set(key, b.line);
    if (b.sql.trim() === '') throw new QueriesFileError(f.file, b.line, b.name, 'empty block: no SQL');
    if (t.part && !b.sql.includes('{{table}}')) throw new QueriesFileError(f.file, b.line, b.name, 'a ticket part must read {{table}} (the month table of its kind)');
    if (!t.part && t.query.kind === 'ticket' && !b.sql.includes('{{parts}}')) {
      throw new QueriesFileError(f.file, b.line, b.name, 'a ticket query must read {{parts}} (its parts, UNION ALL; name a part <query>.part.<KIND>)');
    }
    for (const d of b.dialect ? [b.dialect] : DIALECTS) {
      try {
        renderSql(d, t.part ? b.sql.replaceAll('{{table}}', 'T') : b.sql.replace('{{parts}}', 'SELECT 1'), b.name);
      } catch (err) {
        throw new QueriesFileError(f.file, b.line, b.name, `${d}: ${(err as Error).message.replace(`${b.name}: `, '')}`);
      }
    }
    if (t.query.kind === 'plain') bindProblem(f, b, new Set(bindNamesOf(b.sql, b.name)), t.query);
  }
  // Ticket queries: binds over the outer SQL and the parts together, per dialect.
  const tickets = new Set(f.blocks.map((b) => targetOf(b.name)!.query).filter((q) => q.kind === 'ticket'));
  for (const q of tickets) {
    for (const d of DIALECTS) {
      const outer = pick(f.blocks, q.name, d);
      const kinds = Object.keys(q.parts ?? {}) as TicketKind[];
      const pieces = [{ sql: outer?.sql ?? q.sql, block: outer }, ...kinds.map((k) => ({ sql: pick(f.blocks, partName(q.name, k), d)?.sql ?? q.parts![k]!, block: pick(f.blocks, partName(q.name, k), d) }))];
      const declared = new Set(Object.keys(q.binds));
      const bindsOf = (sql: string) => bindNamesOf(sql.replace('{{parts}}', 'SELECT 1').replaceAll('{{table}}', 'T'), q.name);
      for (const p of pieces) {
        if (!p.block) continue;
        for (const u of bindsOf(p.sql)) {
          if (!declared.has(u)) throw new QueriesFileError(f.file, p.block.line, p.block.name, `SQL uses :${u}, which is not a declared bind; declared: ${binds(q)}`);
        }
      }
      const used = new Set(pieces.flatMap((p) => bindsOf(p.sql)));
      const blame = pieces.find((p) => p.block)!.block!;
      for (const b of declared) {
        if (!used.has(b)) throw new QueriesFileError(f.file, blame.line, blame.name, `bind :${b} is declared but the SQL does not use it (outer SQL and parts together${blame.dialect ? `, @${blame.dialect}` : ''})`);
      }
    }
  }
  const useen = new Map<string, number>();
  for (const u of f.unused) {
    const q = registeredQuery(u.name);
    if (!q && targetOf(u.name)) throw new QueriesFileError(f.file, u.line, u.name, `-- unused: a part is checked with its query: declare ${targetOf(u.name)!.query.name} unused`);
    if (!q) throw new QueriesFileError(f.file, u.line, u.name, `-- unused: ${unknownName(u.name)}`);
    const first = useen.get(u.name);
    if (first !== undefined) throw new QueriesFileError(f.file, u.line, u.name, `declared unused twice (first at line ${first})`);
    useen.set(u.name, u.line);
  }
  const tseen = new Map<string, number>();
  for (const t of f.templates) {
    const def = tableTemplate(t.name);
    if (!def) throw new QueriesFileError(f.file, t.line, undefined, `table template ${t.name}: no template of that name; accepted: ticket.<KIND> (KIND one of GSMCDMA, SMS, CDMA1X, 163)`);
    const first = tseen.get(t.name);
    if (first !== undefined) throw new QueriesFileError(f.file, t.line, undefined, `table template ${t.name}: given twice (first at line ${first})`);
    tseen.set(t.name, t.line);
    const problems = templateProblems(def, t.template);
    if (problems.length) throw new QueriesFileError(f.file, t.line, undefined, `table template ${t.name}: ${problems.join('; ')}`);
  }
}

function binds(q: RegisteredQuery): string {
  const b = Object.keys(q.binds);
  return b.length ? b.map((x) => `:${x}`).join(', ') : 'none';
}

function bindProblem(f: ParsedQueriesFile, b: QueryBlock, used: Set<string>, q: RegisteredQuery): void {
  const declared = new Set(Object.keys(q.binds));
  for (const u of used) if (!declared.has(u)) throw new QueriesFileError(f.file, b.line, b.name, `SQL uses :${u}, which is not a declared bind; declared: ${binds(q)}`);
  for (const d of declared) if (!used.has(d)) throw new QueriesFileError(f.file, b.line, b.name, `bind :${d} is declared but the SQL does not use it`);
}

let nextId = 1;

/** A validated file's replacements for one dialect: what a store runs (Store.queries). */
export class QuerySet implements QueryOverrides {
  readonly id = nextId++;
  private readonly byName = new Map<string, QueryDef>();
  private readonly blocks = new Map<string, QueryBlock>();
  private readonly templates = new Map<string, TemplateLine>();
  private readonly unusedLines = new Map<string, UnusedLine>();

  constructor(
    readonly parsed: ParsedQueriesFile,
    readonly dialect: DatabaseType,
  ) {
    this.file = parsed.file;
    for (const name of new Set(parsed.blocks.map((b) => b.name))) {
      const b = pick(parsed.blocks, name, dialect);
      if (!b) continue;
      this.blocks.set(name, b);
      const t = targetOf(name)!;
      if (t.query.kind === 'plain') this.byName.set(name, { name: `${name}~f${this.id}`, sql: b.sql, ...t.query.hints });
    }
    for (const t of parsed.templates) this.templates.set(t.name, t);
    for (const u of parsed.unused) this.unusedLines.set(u.name, u);
  }

  readonly file: string;

  resolve(q: QueryDef): QueryDef {
    return this.byName.get(q.name) ?? q;
  }

  block(name: string): { sql: string; line: number } | undefined {
    return this.blocks.get(name);
  }

  template(name: string): { template: string; line: number } | undefined {
    return this.templates.get(name);
  }

  unused(name: string): { line: number; reason: string } | undefined {
    return this.unusedLines.get(name);
  }

  /** The names the file replaces on this dialect. */
  replaced(): string[] {
    return [...this.blocks.keys()];
  }
}

/** Parse and validate text (tests; `db queries` output parsed back). */
export function loadQueriesText(text: string, file: string, dialect: DatabaseType): QuerySet {
  const parsed = parseQueriesText(text, file);
  validateQueriesFile(parsed);
  return new QuerySet(parsed, dialect);
}

/** Read, parse and validate a queries file for a store of `dialect`; a mistake throws QueriesFileError. */
export function loadQueriesFile(file: string, dialect: DatabaseType): QuerySet {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new QueriesFileError(file, 0, undefined, `cannot read it: ${e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'it is a directory' : e.message}`);
  }
  const set = loadQueriesText(text, file, dialect);
  if (set.parsed.blocks.length === 0 && set.parsed.templates.length === 0) {
    throw new QueriesFileError(file, 1, undefined, 'no -- name: block and no -- table: line: the file replaces nothing (leave [database] queries unset for the default SQL)');
  }
  return set;
}

function contractLines(q: RegisteredQuery): string[] {
  const b = Object.entries(q.binds);
  const c = Object.entries(q.columns);
  return [
    `-- binds: ${b.length ? b.map(([k, t]) => `:${k} ${t}`).join(', ') : 'none'}`,
    `-- columns: ${c.length ? c.map(([k, t]) => `${k} ${t}`).join(', ') : 'none (a statement that returns no rows)'}`,
  ];
}

/**
 * The queries file an operator starts from (`bssgate db queries`): every table template and every
 * query by name with its contract (as comment lines, which stay in the SQL) and its SQL — the
 * default, or with `set` the block that runs on its dialect. Parsed back by loadQueriesText.
 */
export function renderQueriesFile(names: readonly string[], set?: QuerySet): string {
  const out: string[] = [
    '-- bssgate queries file (printed by `bssgate db queries`): every query bssgate runs, its contract and its SQL.',
    '-- Keep the blocks you replace and delete the others (a block left as printed runs the same SQL).',
    '-- A block runs from its "-- name:" line to the next one; "-- name: <query> @postgres" is for one dialect only.',
    '-- The contract stays: exactly the binds listed (:name), and result columns named and typed as listed',
    '-- (lower-case aliases; money and ids integers in fen, dates YYYYMMDD[HHMMSS] text or a date, "?" = may be NULL).',
    '-- Codes (status, network, pay type) are mapped to bssgate\'s in the SQL (CASE), units converted there (厘 → fen).',
    '-- "-- unused: <query> [why]" declares a query no served business type needs: db check then warns, not FAILs, on it.',
    '-- The format, the fixed points and bssgate db check: docs/operator-schema.md.',
    '',
  ];
  for (const t of tableTemplates()) {
    const own = set?.template(t.name);
    out.push(`-- table: ${t.name} = ${own?.template ?? t.default}`);
  }
  // Queries the file declares unused (db check: a FAIL of theirs is a warning): kept when printed back.
  const unused = set ? names.map((n) => [n, set.unused(n)] as const).filter(([, u]) => u) : [];
  if (unused.length) out.push('', ...unused.map(([n, u]) => `-- unused: ${n}${u!.reason ? ` ${u!.reason}` : ''}`));
  const block = (name: string, dflt: string, contract: string[]) => {
    const b = set?.block(name);
    out.push('', `-- name: ${name}`, ...contract, ...(b ? [`-- (from ${set!.file}:${b.line})`] : []), b?.sql ?? dflt);
  };
  for (const name of names) {
    const q = registeredQuery(name);
    if (!q) continue;
    block(name, q.sql, q.kind === 'ticket' ? [...contractLines(q), `-- parts: ${Object.keys(q.parts ?? {}).map((k) => `${name}.part.${k}`).join(', ')} (UNION ALL of those whose month table exists)`] : contractLines(q));
    if (q.kind === 'ticket') {
      for (const [k, sql] of Object.entries(q.parts ?? {})) block(partName(name, k as TicketKind), sql!, [`-- the ${k} part of ${name}: reads {{table}} = the table template ticket.${k} for the month`]);
    }
  }
  return `${out.join('\n')}\n`;
}
