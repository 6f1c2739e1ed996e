// Creating the schema (and the demo) in an empty database, once.
//
// BSG_META's `schema_version` row is written last, so it marks a finished initialisation:
//   no BSG_META, no TAB_SUBSCRB  → empty database: create everything, load the demo if asked;
//   no BSG_META, TAB_SUBSCRB     → the operator's existing legacy schema ("adopted"): add only the
//                                   missing BSG_ tables and the sequences (restarted above the legacy
//                                   ids), never create, alter or drop a legacy table, no demo;
//   BSG_META with schema_version → done: nothing to do, or, when it is older than SCHEMA_VERSION,
//                                   the in-place upgrade (SCHEMA_UPGRADES: nullable columns added to
//                                   BSG_ tables, then schema_version), refused when no upgrade path exists;
//   BSG_META without it, adopted → an adoption died half-way: finish it (every step is re-runnable);
//   BSG_META without it, ours    → a fresh initialisation died half-way: refuse and say
//                                   `bssgate db init --force` (which drops our tables and starts over).
// Both paths create BSG_META first and write their marker row into it at once (`adopted_at` or
// `created_at`), so a half-finished run is always recognisable. `--force` (dropSchema) is refused
// on an adopted database, or whenever legacy tables exist that bssgate did not create: it would
// destroy the operator's data.
import type { Logger } from 'pino';
import type { AdminStore, QueryDef } from './types.js';
import { SCHEMA_UPGRADES, SCHEMA_VERSION, SEQUENCES, TABLES, ticketKindOf, ticketTable } from './schema.js';
import type { TicketNaming } from './queries/define.js';
import { renderAddColumn, renderDdlParts, renderSequenceNext, renderSequenceRestart, renderTableDdl, type TableDdl } from './ddl.js';
import { loadDemo, type DemoResult, type DemoTarget } from './demo.js';
import { REFERENCE_COLUMNS, referenceRows } from './reference.js';
import { SCRYPT_DEFAULTS, type PasswordStorage, type ScryptParams } from './password.js';

export interface EnsureOptions {
  demoSubscribers: number;
  demoSeed: number;
  /** Month-dependent demo data is relative to this (the Clock's date). */
  now: Date;
  log: Logger;
  /** How demo SVCPWD values are stored (DatabaseConfig.passwordStorage; default scrypt). */
  passwordStorage?: PasswordStorage;
  /** scrypt cost of the demo hashes (default SCRYPT_DEFAULTS). */
  scrypt?: ScryptParams;
  /** Create another schema (a reference schema, src/store/schemas/) instead of bssgate's own. */
  target?: DemoTarget;
}

export interface InitResult {
  created: boolean;
  /** 'fresh' (empty database), 'adopted' (legacy tables found, BSG_ tables added) or 'existing'. */
  mode: 'fresh' | 'adopted' | 'existing';
  demo?: DemoResult;
  seconds: number;
}

const META_ALL: QueryDef = { name: 'meta.all', sql: 'SELECT KEY, VALUE FROM BSG_META' };

/** BSG_META as key → value ({} when the table is missing). */
export async function readMeta(store: AdminStore): Promise<Record<string, string>> {
  if (!(await store.tableExists('BSG_META'))) return {};
  const rows = await store.all<{ key: string; value: string }>(META_ALL);
  return Object.fromEntries(rows.map((r) => [r.key, r.value]));
}

/** Creates the schema (and the demo) unless the database is already initialised. Idempotent. */
export async function ensureDatabase(store: AdminStore, opts: EnsureOptions): Promise<InitResult> {
  const t0 = performance.now();
  if (await store.tableExists('BSG_META')) {
    const meta = await readMeta(store);
    if (meta.schema_version === undefined) {
      // Half-finished. An adoption (adopted_at written first; or a BSG_META that died before its
      // marker row next to legacy tables we did not create) is finished, never dropped: --force
      // would destroy the operator's tables.
      if (meta.adopted_at !== undefined || (meta.created_at === undefined && (await store.tableExists('TAB_SUBSCRB')))) {
        opts.log.warn('an earlier adoption of the legacy schema did not finish: finishing it');
        return adopt(store, opts.log, t0);
      }
      throw new Error('BSG_META exists without schema_version: an earlier initialisation did not finish; run `bssgate db init --force` to start over');
    }
    if (Number(meta.schema_version) > SCHEMA_VERSION) {
      throw new Error(`database schema version ${meta.schema_version} is newer than this bssgate (${SCHEMA_VERSION})`);
    }
    if (Number(meta.schema_version) < SCHEMA_VERSION && upgradable(Number(meta.schema_version))) {
      await upgrade(store, Number(meta.schema_version), opts.log);
      return { created: false, mode: 'existing', seconds: (performance.now() - t0) / 1000 };
    }
    if (Number(meta.schema_version) < SCHEMA_VERSION) {
      // Older than the first in-place upgrade (SCHEMA_UPGRADES): say so rather than start and fail
      // on the first query that needs a newer column.
      const how =
        meta.adopted_at !== undefined
          ? 'this is an adopted legacy database: drop the BSG_* tables and start bssgate again to re-adopt it'
          : 'a database bssgate created (demo or empty) can be recreated with `bssgate db init --force`';
      throw new Error(`database schema version ${meta.schema_version} is older than this bssgate (${SCHEMA_VERSION}); ${how}`);
    }
    return { created: false, mode: 'existing', seconds: (performance.now() - t0) / 1000 };
  }
  if (await store.tableExists('TAB_SUBSCRB')) return adopt(store, opts.log, t0);
  return create(store, opts, t0);
}

export interface InitOptions {
  /** Demo subscribers (0 = schema and reference rows only). */
  demo: number;
  seed: number;
  now: Date;
  /**
   * Drop bssgate's tables (fixed, BSG_, monthly tickets) and sequences first. Refused (nothing
   * dropped) on an adopted legacy database or when legacy tables exist that bssgate did not create.
   */
  force?: boolean;
  log: Logger;
  passwordStorage?: PasswordStorage;
  scrypt?: ScryptParams;
  /** Create another schema (`db init --schema b`). */
  target?: DemoTarget;
  /**
   * The reference schemas bssgate can create (`--schema`), by name: `force` drops the tables of
   * the one BSG_META says the database was created with (`schema`), whatever `target` is now.
   */
  schemas?: Readonly<Record<string, () => DemoTarget>>;
}

/** `bssgate db init`: as ensureDatabase, and with `force` starts over on a database we created. */
export async function initDatabase(store: AdminStore, opts: InitOptions): Promise<InitResult> {
  if (opts.force) {
    const { tables, tickets } = await tablesToDrop(store, opts);
    await assertDroppable(store, tables, tickets);
    await dropSchema(store, opts.log, tables, tickets);
  }
  return ensureDatabase(store, {
    demoSubscribers: opts.demo,
    demoSeed: opts.seed,
    now: opts.now,
    log: opts.log,
    passwordStorage: opts.passwordStorage,
    scrypt: opts.scrypt,
    target: opts.target,
  });
}

async function create(store: AdminStore, opts: EnsureOptions, t0: number): Promise<InitResult> {
  const d = store.dialect;
  const target = opts.target;
  const parts = renderDdlParts(d, target?.tables);
  opts.log.info({ dialect: d, tables: parts.tables.length, schema: target?.name ?? 'default' }, 'creating the bssgate schema');
  // BSG_META first, with created_at at once: from here on a half-finished run is recognisably ours
  // (ensureDatabase refuses it, --force may drop it), never mistaken for a legacy schema.
  const tables = renderTableDdl(d, target?.tables);
  const meta = tables.find((e) => e.table.name === 'BSG_META')!;
  await store.exec(meta.create);
  await store.bulkInsert('BSG_META', ['KEY', 'VALUE'], [['created_at', opts.now.toISOString()]]);
  for (const e of tables) if (e !== meta) await store.exec(e.create);
  for (const s of parts.sequences) await store.exec(s);
  if (target) {
    // The reference rows in the target's tables, codes and units, then its own.
    const out = new Map<string, unknown[][]>();
    for (const r of referenceRows()) for (const row of r.rows) target.write(r.table, row, (t, x) => void (out.get(t) ?? out.set(t, []).get(t)!).push(x));
    for (const r of target.referenceRows()) out.set(r.table, [...(out.get(r.table) ?? []), ...r.rows]);
    for (const [t, rows] of out) await store.bulkInsert(t, target.columns(t, (x) => REFERENCE_COLUMNS[x as keyof typeof REFERENCE_COLUMNS]), rows as never);
  } else for (const r of referenceRows()) await store.bulkInsert(r.table, REFERENCE_COLUMNS[r.table], r.rows);
  let demo: DemoResult | undefined;
  if (opts.demoSubscribers > 0) {
    opts.log.info({ subscribers: opts.demoSubscribers, seed: opts.demoSeed }, 'loading demo data');
    demo = await loadDemo(store, {
      subscribers: opts.demoSubscribers,
      seed: opts.demoSeed,
      now: opts.now,
      passwordStorage: opts.passwordStorage ?? 'scrypt',
      scrypt: opts.scrypt,
      log: opts.log,
      target,
    });
    for (const [seq, next] of Object.entries(demo.nextIds)) for (const s of renderSequenceRestart(seq, next, d)) await store.exec(s);
  }
  // Indexes after the bulk load: building them once is several times faster than maintaining them row by row.
  if (demo) opts.log.info({ indexes: tables.reduce((a, e) => a + e.indexes.length, 0) }, 'creating the indexes');
  for (const e of tables) for (const s of e.indexes) await store.exec(s);
  for (const s of parts.comments) await store.exec(s);
  const metaRows: [string, string][] = [
    ['dialect', d],
    ['schema', target?.name ?? 'default'],
    ['demo_subscribers', String(opts.demoSubscribers)],
    ['demo_seed', String(opts.demoSeed)],
    ['demo_now', opts.now.toISOString()],
    ['demo_password_storage', opts.passwordStorage ?? 'scrypt'],
    ['demo_scrypt', JSON.stringify(opts.scrypt ?? SCRYPT_DEFAULTS)],
  ];
  await store.bulkInsert('BSG_META', ['KEY', 'VALUE'], metaRows);
  // Last: the marker of a finished initialisation.
  await store.bulkInsert('BSG_META', ['KEY', 'VALUE'], [['schema_version', String(SCHEMA_VERSION)]]);
  const seconds = (performance.now() - t0) / 1000;
  opts.log.info({ seconds, demo: opts.demoSubscribers }, 'bssgate schema created');
  return { created: true, mode: 'fresh', demo, seconds };
}

// The operator's legacy database: add the BSG_ tables it lacks and the sequences, nothing else.
// Re-runnable: adopted_at is written first (right after BSG_META exists), every later step skips
// what is already there, and schema_version, written last, marks the adoption finished.
async function adopt(store: AdminStore, log: Logger, t0: number): Promise<InitResult> {
  const d = store.dialect;
  const parts = renderDdlParts(d);
  const tables = renderTableDdl(d);
  const create = async (e: TableDdl) => {
    log.warn({ table: e.table.name }, 'legacy schema found: adding missing table');
    await store.exec(e.create);
    for (const s of e.indexes) await store.exec(s);
  };
  if (!(await store.tableExists('BSG_META'))) await create(tables.find((e) => e.table.name === 'BSG_META')!);
  const meta = await readMeta(store);
  if (meta.adopted_at === undefined) await store.bulkInsert('BSG_META', ['KEY', 'VALUE'], [['adopted_at', new Date().toISOString()]]);
  for (const e of tables) {
    const t = e.table;
    if (await store.tableExists(t.name)) continue;
    // Only our own tables: a legacy table the operator's schema lacks is theirs to create.
    if (!t.name.startsWith('BSG_')) {
      log.warn({ table: t.name }, 'legacy schema lacks this table; bssgate does not create legacy tables in an adopted database');
      continue;
    }
    await create(e);
  }
  // On SQLite the sequences are BSG_SEQUENCE rows: add the missing ones (a re-run finds them).
  // PostgreSQL/Oracle: CREATE SEQUENCE fails when it exists (ours from an interrupted run, or the operator's).
  for (let k = 0; k < SEQUENCES.length; k++) {
    if (d === 'sqlite') {
      if ((await store.one(renderSequenceNext(SEQUENCES[k], d))) === undefined) await store.exec(parts.sequences[k]);
      continue;
    }
    try {
      await store.exec(parts.sequences[k]);
    } catch (err) {
      log.warn({ sequence: SEQUENCES[k], err: err instanceof Error ? err.message : String(err) }, 'sequence not created (it probably exists)');
    }
  }
  // New sequences start at 1, but the legacy tables already hold ids: raise each sequence above
  // the largest id it feeds, or the next BUSISN/SUBSCRBID… collides with a legacy row.
  await restartSequencesAboveLegacyIds(store, log);
  await store.bulkInsert('BSG_META', ['KEY', 'VALUE'], [['schema_version', String(SCHEMA_VERSION)]]);
  return { created: true, mode: 'adopted', seconds: (performance.now() - t0) / 1000 };
}

/** Every version after `from` up to SCHEMA_VERSION has an in-place step. */
function upgradable(from: number): boolean {
  if (!Number.isInteger(from) || from < 1) return false;
  for (let v = from + 1; v <= SCHEMA_VERSION; v++) if (!SCHEMA_UPGRADES.some((u) => u.to === v)) return false;
  return true;
}

const COLUMN_PROBE = (table: string, column: string): QueryDef => ({ name: `init.has.${table}.${column}`, sql: `SELECT ${column} FROM ${table} WHERE 1 = 0` });

/**
 * The in-place upgrade of a database of an older schema version (fresh or adopted alike): the
 * columns each later version adds to bssgate's own tables, then schema_version. Re-runnable, and
 * safe when two gateways start at once: a column already there (a re-run, the other gateway) is
 * skipped.
 */
async function upgrade(store: AdminStore, from: number, log: Logger): Promise<void> {
  for (const step of SCHEMA_UPGRADES.filter((u) => u.to > from).sort((a, b) => a.to - b.to)) {
    for (const { table, column } of step.addColumns) {
      const exists = () => store.all(COLUMN_PROBE(table, column)).then(() => true, () => false);
      if (await exists()) continue;
      const [add, ...comments] = renderAddColumn(table, column, store.dialect);
      try {
        await store.exec(add);
      } catch (err) {
        if (!(await exists())) throw err;
        continue;
      }
      log.warn({ table, column, version: step.to }, 'schema upgraded in place: column added');
      for (const c of comments) await store.exec(c);
    }
  }
  await store.run({ name: 'init.schema-version', sql: "UPDATE BSG_META SET VALUE = :v WHERE KEY = 'schema_version'" }, { v: String(SCHEMA_VERSION) });
  log.warn({ from, to: SCHEMA_VERSION }, 'schema version upgraded');
}

/** The columns whose values each sequence hands out (legacy tables first; BSG_CMD_QUEUE copies BUSISN). */
const SEQUENCE_COLUMNS: Readonly<Record<string, readonly [table: string, column: string][]>> = {
  SEQ_SUBSCRBID: [['TAB_SUBSCRB', 'SUBSCRBID']],
  SEQ_ACCTID: [['TAB_ACCT', 'ACCTID']],
  SEQ_CUSTID: [
    ['TAB_SUBSCRB', 'CUSTID'],
    ['TAB_ACCT', 'CUSTID'],
    ['TAB_VOIPSUBSCRB', 'CUSTID'],
  ],
  SEQ_BUSISN: [
    ['USR_BUSI_RECORD', 'BUSISN'],
    ['BSG_CMD_QUEUE', 'BUSISN'],
  ],
  SEQ_PAYSN: [['TAB_PAY', 'PAYSN']],
  SEQ_DEPOSITSN: [['TAB_ACCOUNTPREDEPOSIT', 'DEPOSITSN']],
  SEQ_LISTID: [['TAB_SPECIALCUSTLST', 'LISTID']],
};

/**
 * Restarts each sequence at MAX(id) + 1 over the columns it feeds, only ever upwards (a sequence
 * already beyond that, e.g. the operator's own or one a re-run raised, is left alone). A missing
 * table or column (a legacy schema that differs) is skipped with a warning.
 */
async function restartSequencesAboveLegacyIds(store: AdminStore, log: Logger): Promise<void> {
  const d = store.dialect;
  for (const seq of SEQUENCES) {
    let max = 0n;
    for (const [table, column] of SEQUENCE_COLUMNS[seq] ?? []) {
      if (!(await store.tableExists(table))) continue;
      try {
        const r = await store.one<{ m: bigint | number | string | null }>({
          name: `init.max.${table}.${column}`,
          sql: `SELECT MAX(${column}) AS M FROM ${table}`,
          bigint: ['m'],
        });
        if (r?.m !== null && r?.m !== undefined && BigInt(r.m) > max) max = BigInt(r.m);
      } catch (err) {
        log.warn({ table, column, err: err instanceof Error ? err.message : String(err) }, 'legacy ids not read: sequence not raised above them');
      }
    }
    if (max === 0n) continue;
    const cur = await store.one<{ n: bigint | number | string | null }>(renderSequenceNext(seq, d));
    const next = cur?.n === null || cur?.n === undefined ? 1n : BigInt(cur.n);
    if (next > max) continue;
    log.warn({ sequence: seq, next: String(max + 1n) }, 'sequence restarted above the legacy ids');
    for (const s of renderSequenceRestart(seq, max + 1n, d)) await store.exec(s);
  }
}

/** The default schema's ticket table names (TICKET_<KIND>_<yyyymm>). */
const DEFAULT_TICKETS: TicketNaming = { table: ticketTable, kindOf: ticketKindOf };

/**
 * The tables `--force` drops, in creation order: the default schema's, the schema being created
 * now (`target`) and the one BSG_META says the database was created with (a reference schema's
 * own tables, e.g. schema B's TAB_ACCTRELATION, are not in the default list); and the namings of
 * their monthly ticket tables (schema B's from its queries file's templates). A database created
 * with a schema this bssgate does not know is refused: its tables are not known, so they cannot
 * all be dropped, and a half-dropped database would then fail to create.
 */
async function tablesToDrop(store: AdminStore, opts: Pick<InitOptions, 'target' | 'schemas'>): Promise<{ tables: string[]; tickets: TicketNaming[] }> {
  const created = (await readMeta(store)).schema;
  const lists: (readonly { name: string }[])[] = [TABLES];
  const tickets = [DEFAULT_TICKETS];
  const add = (t: DemoTarget) => {
    lists.push(t.tables);
    if (t.tickets) tickets.push(t.tickets);
  };
  if (created !== undefined && created !== 'default') {
    const make = opts.schemas?.[created];
    if (!make) throw new Error(`db init --force refused: the database was created with schema "${created}", which this bssgate does not know (${['default', ...Object.keys(opts.schemas ?? {})].join(', ')}); drop it by hand`);
    add(make());
  }
  if (opts.target) add(opts.target);
  return { tables: [...new Set(lists.flatMap((l) => l.map((t) => t.name)))], tickets };
}

/**
 * `--force` only on a database bssgate created: refused when BSG_META says it was adopted, or when
 * no BSG_META says we created it (`created_at`) and legacy tables exist.
 */
async function assertDroppable(store: AdminStore, tables: readonly string[] = TABLES.map((t) => t.name), namings: readonly TicketNaming[] = [DEFAULT_TICKETS]): Promise<void> {
  const meta = await readMeta(store);
  const refuse = (why: string) =>
    new Error(`db init --force refused: ${why}; dropping would destroy the operator's legacy tables and data. Drop bssgate's BSG_ tables by hand if you really must start over`);
  if (meta.adopted_at !== undefined) throw refuse(`this database is the operator's legacy schema, adopted by bssgate at ${meta.adopted_at}`);
  if (meta.created_at !== undefined) return;
  for (const t of tables) {
    if (t.startsWith('BSG_')) continue;
    if (await store.tableExists(t)) throw refuse(`legacy table ${t} exists and bssgate did not create it`);
  }
  const tickets = await ticketTables(store, namings);
  if (tickets.length > 0) throw refuse(`legacy table ${tickets[0]} exists and bssgate did not create it`);
}

/** The monthly ticket tables in the database, as any of `namings` names them (the names as the catalogue lists them). */
async function ticketTables(store: AdminStore, namings: readonly TicketNaming[]): Promise<string[]> {
  // Every table name: another schema's ticket tables need not start with TICKET (CDMA1X_TICKET_RATE_…).
  const rows = await store.all<{ name: string }>(listTables(store.dialect));
  return rows.map((r) => r.name).filter((n) => namings.some((x) => x.kindOf(n) !== undefined));
}

function listTables(d: AdminStore['dialect']): QueryDef {
  switch (d) {
    case 'sqlite':
      return { name: 'init.tables', sql: "SELECT name AS NAME FROM sqlite_master WHERE type = 'table'" };
    case 'postgres':
      return { name: 'init.tables', sql: "SELECT table_name AS NAME FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'" };
    case 'oracle':
      return { name: 'init.tables', sql: 'SELECT table_name AS NAME FROM user_tables' };
  }
}

/**
 * Drops every table of the schema definition, the monthly ticket tables (as `namings` name them)
 * and the sequences. Only for `db init --force` on a database bssgate created: it destroys the
 * legacy tables' data too. initDatabase checks that first (assertDroppable); callers of this
 * function must too.
 */
export async function dropSchema(store: AdminStore, log: Logger, tables: readonly string[] = TABLES.map((t) => t.name), namings: readonly TicketNaming[] = [DEFAULT_TICKETS]): Promise<void> {
  const d = store.dialect;
  const tickets = await ticketTables(store, namings);
  for (const t of [...tickets, ...[...tables].reverse()]) {
    if (await store.tableExists(t)) {
      await store.exec(`DROP TABLE ${t}`);
      log.warn({ table: t }, 'dropped');
    }
  }
  if (d === 'sqlite') return; // sequences are BSG_SEQUENCE rows, dropped with it
  for (const s of SEQUENCES) {
    if (d === 'postgres') await store.exec(`DROP SEQUENCE IF EXISTS ${s}`);
    else {
      try {
        await store.exec(`DROP SEQUENCE ${s}`);
      } catch {
        // ORA-02289: the sequence does not exist; nothing to drop
      }
    }
  }
}
