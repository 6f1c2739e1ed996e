// Creating the schema (and the demo) in an empty database, once.
//
// BSG_META's `schema_version` row is written last, so it marks a finished initialisation:
//   no BSG_META, no TAB_SUBSCRB  → empty database: create everything, load the demo if asked;
//   no BSG_META, TAB_SUBSCRB     → the operator's existing legacy schema: add only the missing
//                                   tables (our BSG_ ones), never touch legacy data, no demo;
//   BSG_META with schema_version → done: nothing to do;
//   BSG_META without it           → an earlier initialisation died half-way: refuse and say
//                                   `bssgate db init --force` (which drops our tables and starts over).
import type { Logger } from 'pino';
import type { AdminStore, QueryDef } from './types.js';
import { SCHEMA_VERSION, SEQUENCES, TABLES, renderDdlParts, renderSequenceRestart } from './schema.js';
import { DEMO_COLUMNS, loadDemo, referenceRows, type DemoResult } from './demo.js';
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
      throw new Error('BSG_META exists without schema_version: an earlier initialisation did not finish; run `bssgate db init --force` to start over');
    }
    if (Number(meta.schema_version) > SCHEMA_VERSION) {
      throw new Error(`database schema version ${meta.schema_version} is newer than this bssgate (${SCHEMA_VERSION})`);
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
  /** Drop bssgate's tables (fixed, BSG_, monthly tickets) and sequences first. */
  force?: boolean;
  log: Logger;
  passwordStorage?: PasswordStorage;
  scrypt?: ScryptParams;
}

/** `bssgate db init`: as ensureDatabase, and with `force` starts over on a database we created. */
export async function initDatabase(store: AdminStore, opts: InitOptions): Promise<InitResult> {
  if (opts.force) await dropSchema(store, opts.log);
  return ensureDatabase(store, {
    demoSubscribers: opts.demo,
    demoSeed: opts.seed,
    now: opts.now,
    log: opts.log,
    passwordStorage: opts.passwordStorage,
    scrypt: opts.scrypt,
  });
}

async function create(store: AdminStore, opts: EnsureOptions, t0: number): Promise<InitResult> {
  const d = store.dialect;
  const parts = renderDdlParts(d);
  opts.log.info({ dialect: d, tables: parts.tables.length }, 'creating the bssgate schema');
  for (const s of parts.tables) await store.exec(s);
  for (const s of parts.sequences) await store.exec(s);
  for (const r of referenceRows()) await store.bulkInsert(r.table, DEMO_COLUMNS[r.table], r.rows);
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
    });
    for (const [seq, next] of Object.entries(demo.nextIds)) for (const s of renderSequenceRestart(seq, next, d)) await store.exec(s);
  }
  // Indexes after the bulk load: building them once is several times faster than maintaining them row by row.
  for (const s of parts.indexes) await store.exec(s);
  for (const s of parts.comments) await store.exec(s);
  const meta: [string, string][] = [
    ['created_at', opts.now.toISOString()],
    ['dialect', d],
    ['demo_subscribers', String(opts.demoSubscribers)],
    ['demo_seed', String(opts.demoSeed)],
    ['demo_now', opts.now.toISOString()],
    ['demo_password_storage', opts.passwordStorage ?? 'scrypt'],
    ['demo_scrypt', JSON.stringify(opts.scrypt ?? SCRYPT_DEFAULTS)],
  ];
  await store.bulkInsert('BSG_META', ['KEY', 'VALUE'], meta);
  // Last: the marker of a finished initialisation.
  await store.bulkInsert('BSG_META', ['KEY', 'VALUE'], [['schema_version', String(SCHEMA_VERSION)]]);
  const seconds = (performance.now() - t0) / 1000;
  opts.log.info({ seconds, demo: opts.demoSubscribers }, 'bssgate schema created');
  return { created: true, mode: 'fresh', demo, seconds };
}

// The operator's legacy database: add the tables it lacks (ours) and the sequences, nothing else.
async function adopt(store: AdminStore, log: Logger, t0: number): Promise<InitResult> {
  const d = store.dialect;
  const parts = renderDdlParts(d);
  const tables = TABLES.filter((t) => !t.only || t.only.includes(d));
  for (let k = 0; k < tables.length; k++) {
    const t = tables[k];
    if (await store.tableExists(t.name)) continue;
    log.warn({ table: t.name }, 'legacy schema found: adding missing table');
    await store.exec(parts.tables[k]);
    for (const s of parts.indexes.filter((x) => x.includes(` ON ${t.name} (`))) await store.exec(s);
  }
  for (const s of parts.sequences) {
    try {
      await store.exec(s);
    } catch (err) {
      log.warn({ err: err instanceof Error ? err.message : String(err) }, 'sequence not created (it probably exists)');
    }
  }
  await store.bulkInsert('BSG_META', ['KEY', 'VALUE'], [['adopted_at', new Date().toISOString()], ['schema_version', String(SCHEMA_VERSION)]]);
  return { created: true, mode: 'adopted', seconds: (performance.now() - t0) / 1000 };
}

const TICKET_NAME = /^TICKET_(GSMCDMA|SMS|CDMA1X|163)_\d{6}$/i;

function listTicketTables(d: AdminStore['dialect']): QueryDef {
  switch (d) {
    case 'sqlite':
      return { name: 'init.tickets', sql: "SELECT name AS NAME FROM sqlite_master WHERE type = 'table' AND upper(name) LIKE 'TICKET%'" };
    case 'postgres':
      return {
        name: 'init.tickets',
        sql: "SELECT table_name AS NAME FROM information_schema.tables WHERE table_schema = current_schema() AND upper(table_name) LIKE 'TICKET%'",
      };
    case 'oracle':
      return { name: 'init.tickets', sql: "SELECT table_name AS NAME FROM user_tables WHERE table_name LIKE 'TICKET%'" };
  }
}

/**
 * Drops every table of the schema definition, the monthly ticket tables and the sequences. Only
 * for `db init --force` on a database bssgate created: it destroys the legacy tables' data too.
 */
export async function dropSchema(store: AdminStore, log: Logger): Promise<void> {
  const d = store.dialect;
  const tickets = (await store.all<{ name: string }>(listTicketTables(d))).map((r) => r.name).filter((n) => TICKET_NAME.test(n));
  for (const t of [...tickets, ...[...TABLES].reverse().map((x) => x.name)]) {
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
