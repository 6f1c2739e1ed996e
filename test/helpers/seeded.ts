// The handler test harness: a real gateway serving all four interfaces on 127.0.0.1 over a
// seeded database, with the demo's named fixture subscribers (demoFixtures: arrears, suspended,
// reserved, cancelled, no-print plans, CDMA, blacklisted, VOIP, CDMA1X, thousands of tickets a
// month, a stock SIM card…). Each handler test file declares its tests once with handlerSuite();
// they run against SQLite, and against PostgreSQL too when BSSGATE_TEST_PG_URL is set (CI sets it),
// each on a database of its own that is dropped afterwards; and each on two schemas (issue 15):
// the default one, and reference schema B (config/schemas/b/, its demo, served through its
// queries file). Subtests are named [sqlite], [postgres], [sqlite, schema B], [postgres, schema B];
// BSSGATE_TEST_SCHEMA=a or =b runs one schema only. A suite reads and writes the operator's
// tables through h.facts (test/helpers/schema-facts.ts: one implementation per schema, never
// the queries file under test); tables of the same shape in both schemas stay plain h.sql.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { Config, DatabaseConfig, InterfaceConfig } from '../../src/config/types.js';
import { createLogs, type Logs } from '../../src/log/index.js';
import { openStore } from '../../src/store/open.js';
import { ensureDatabase } from '../../src/store/init.js';
import { demoFixtures, type DemoFixtures } from '../../src/store/demo.js';
import type { AdminStore, QueryDef, Row } from '../../src/store/types.js';
import { Gateway, type BoundInterface } from '../../src/server/gateway.js';
import { HANDLERS, LAYOUTS_BY_CODE } from '../../handlers/index.js';
import { businessByName } from '../../protocol/business-types.js';
import type { BodyValue, Layout } from '../../protocol/layout-types.js';
import type { InterfaceKind } from '../../src/types.js';
import { systemClock } from '../../src/clock.js';
import { BssClient, type CallOptions, type Reply } from '../../src/client.js';
import type { BodyRecord } from '../../protocol/layout-types.js';
import { testInterface } from './gateway.js';
import { allText, familyLines } from './log-files.js';
import { withTempDatabase } from '../store/contract-pg-helper.js';
import { forgetTicketTables } from '../../src/store/queries/define.js';
import { schemaBTarget } from '../../src/store/schemas/b.js';
import { schemaFacts, type SchemaFacts } from './schema-facts.js';

/** Demo size of the harness: every fixture (indexes 0–19), a stock SIM (index 49) and more. */
export const SEED_SUBSCRIBERS = 120;
export const SEED = 1;
/** Cheap scrypt for the seeded hashes (the production cost is tested in test/store/password.test.ts). */
export const SEED_SCRYPT = { N: 1024, r: 8, p: 1 };

const KINDS: InterfaceKind[] = ['cs', 'card', 'print', 'sms'];

export type SchemaName = 'a' | 'b';

export interface Harness {
  backend: 'sqlite' | 'postgres';
  /** The schema served: the default (a) or reference schema B (b), issue 15. */
  schema: SchemaName;
  /** The operator's tables, read and written in this schema's own tables, codes and units. */
  facts: SchemaFacts;
  /** Every secret value (password, PUK) this harness sent or received: none may reach a log. */
  secrets: Set<string>;
  store: AdminStore;
  /** The database served (a test opens a connection of its own to it: another system's writes). */
  database: DatabaseConfig;
  fx: DemoFixtures;
  /** When the demo was generated (its current billing cycle). */
  now: Date;
  ports: Record<InterfaceKind, number>;
  /** The port of any interface by its name (the four kinds, and a suite's extra interfaces). */
  portOf(name: string): number;
  /** One request over a real socket to an interface (a connection per harness and interface). */
  call<B extends BodyRecord = BodyRecord>(iface: InterfaceKind, business: string | number, body?: BodyRecord, opts?: CallOptions): Promise<Reply<B>>;
  /** Rows straight from the database, to compare answers with what it holds. */
  sql<T = Row>(sql: string, binds?: Record<string, string | number | bigint | null | Date>): Promise<T[]>;
  /** Today's lines of a log family of an interface. */
  logLines(iface: InterfaceKind, family: string): Promise<string[]>;
  /** Every log file's text. */
  allLogText(): Promise<string>;
  /** Restart the gateway on the same database (lockouts survive a restart). */
  restart(): Promise<void>;
}

/** The current billing cycle YYYYMM of a date, and the one `back` months earlier. */
export function cycleOf(d: Date, back = 0): string {
  const x = new Date(d.getFullYear(), d.getMonth() - back, 1);
  return `${x.getFullYear()}${String(x.getMonth() + 1).padStart(2, '0')}`;
}

let sqlCounter = 0;

/** Values of the secret fields of a body (passwords, PUK codes), also inside lists. */
function secretValues(layout: Layout, body: BodyRecord | undefined, out: Set<string>): void {
  if (!body) return;
  for (const f of layout) {
    const v: BodyValue | undefined = body[f.name];
    if ((f.type === 'char' || f.type === 'text') && f.secret && typeof v === 'string' && v.trim().length >= 4) out.add(v.trim());
    if (f.type === 'list' && Array.isArray(v)) for (const item of v) secretValues(f.of, item, out);
  }
}

/** A suite's extra interfaces (e.g. the same kinds over a text framing profile, issue 19). */
export interface SuiteOptions {
  interfaces?: Partial<InterfaceConfig>[];
  /**
   * The schemas this suite runs on (default both). Suites outside test/handlers (framing, the
   * simulator, the scanner, reconciliation…) test the gateway around the handlers and run on the
   * default schema only; schema B's writes, scanner and PC-07 are proved by test/store/schema-b-writes.test.ts.
   */
  schemas?: SchemaName[];
}

/** The schemas a handler suite runs on: both, or the one BSSGATE_TEST_SCHEMA (a or b) names. */
export function schemas(wanted: SchemaName[] = ['a', 'b']): SchemaName[] {
  const only = process.env.BSSGATE_TEST_SCHEMA;
  if (only === undefined || only === '') return wanted;
  if (only !== 'a' && only !== 'b') throw new Error(`BSSGATE_TEST_SCHEMA=${only}: a (the default schema) or b (reference schema B)`);
  return wanted.filter((s) => s === only);
}

async function startHarness(t: Test, backend: 'sqlite' | 'postgres', schema: SchemaName, pgBase?: string, opts: SuiteOptions = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-h-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  let database: DatabaseConfig;
  if (backend === 'sqlite') {
    database = { type: 'sqlite', path: join(dir, 'seeded.db'), poolMax: 1, passwordStorage: 'scrypt', demoSubscribers: 0, demoSeed: SEED };
  } else {
    const db = await withTempDatabase(t, pgBase!, 'h');
    database = { type: 'postgres', url: db.url, poolMax: 4, passwordStorage: 'scrypt', demoSubscribers: 0, demoSeed: SEED };
  }
  const interfaces: InterfaceConfig[] = [...KINDS.map((kind) => testInterface({ name: kind, kind })), ...(opts.interfaces ?? []).map((o) => testInterface(o))];
  const config: Config = {
    files: [],
    interfaces,
    database,
    log: { dir: join(dir, 'logs'), level: 'info', retentionDays: 30, requests: true },
    shutdownGraceMs: 5_000,
  };
  const now = new Date();
  let logs: Logs = createLogs(config.log, { clock: systemClock });
  // Schema B: the same suite on reference schema B, served through its queries file (issue 15).
  const schemaB = schema === 'b';
  if (schemaB) config.database = { ...config.database, queries: join(import.meta.dirname, '../../config/schemas/b/queries.sql') };
  const store = await openStore(config.database, logs.main);
  await ensureDatabase(store, { demoSubscribers: SEED_SUBSCRIBERS, demoSeed: SEED, now, log: logs.main, passwordStorage: 'scrypt', scrypt: SEED_SCRYPT, ...(schemaB ? { target: schemaBTarget() } : {}) });
  forgetTicketTables();
  let gateway: Gateway | undefined;
  let bound: BoundInterface[];
  const clients = new Map<InterfaceKind, BssClient>();
  const ports = {} as Record<InterfaceKind, number>;
  const byName = new Map<string, number>();
  const start = async () => {
    gateway = new Gateway({ config, store, logs, clock: systemClock, handlers: HANDLERS });
    bound = await gateway.start();
    for (const b of bound) {
      byName.set(b.name, b.port);
      if (b.name === b.kind) ports[b.kind as InterfaceKind] = b.port;
    }
  };
  const stopGateway = async () => {
    for (const c of clients.values()) await c.close(true).catch(() => undefined);
    clients.clear();
    await gateway?.stop(2_000);
    gateway = undefined;
  };
  t.teardown(async () => {
    await stopGateway();
    await store.close();
    await logs.close();
  });
  await start();
  const secrets = new Set<string>();
  const sql = async <T = Row>(text: string, binds: Record<string, string | number | bigint | null | Date> = {}) => {
    const q: QueryDef = { name: `harness.sql.${++sqlCounter}`, sql: text };
    return store.all<T>(q, binds);
  };
  return {
    backend,
    schema,
    facts: schemaFacts(schema, sql),
    secrets,
    store,
    database: config.database,
    fx: demoFixtures(SEED),
    now,
    ports,
    portOf(name) {
      const p = byName.get(name);
      if (p === undefined) throw new Error(`no interface ${name}`);
      return p;
    },
    async call<B extends BodyRecord = BodyRecord>(iface: InterfaceKind, business: string | number, body: BodyRecord = {}, opts?: CallOptions) {
      let c = clients.get(iface);
      if (!c) {
        c = await BssClient.connect({ host: '127.0.0.1', port: ports[iface], timeoutMs: 10_000, operator: 'TEST01' });
        clients.set(iface, c);
      }
      const biz = typeof business === 'number' ? business : businessByName(business)?.code;
      const layouts = opts?.layouts ?? (biz === undefined ? undefined : LAYOUTS_BY_CODE.get(biz));
      if (layouts) secretValues(layouts.request, body, secrets);
      const reply = await c.call<B>(business, body, opts);
      if (layouts) secretValues(layouts.response, reply.body, secrets);
      return reply;
    },
    sql,
    async logLines(iface, family) {
      await logs.flush();
      return familyLines(config.log.dir, iface, family, new Date());
    },
    async allLogText() {
      await logs.flush();
      return allText(config.log.dir);
    },
    async restart() {
      await stopGateway();
      await logs.close();
      logs = createLogs(config.log, { clock: systemClock });
      await start();
    },
  };
}

/** The back ends a handler suite runs on here: SQLite always, PostgreSQL when configured. */
export function backends(): { name: 'sqlite' | 'postgres'; url?: string }[] {
  const pgUrl = process.env.BSSGATE_TEST_PG_URL;
  return [{ name: 'sqlite' }, ...(pgUrl ? [{ name: 'postgres' as const, url: pgUrl }] : [])];
}

/**
 * Declare a handler test file's tests once; they run on every back end of backends() and every
 * schema of schemas(), each against its own freshly seeded database and gateway. `name` carries
 * the inventory IDs.
 */
export function handlerSuite(name: string, fn: (t: Test, h: Harness) => Promise<void>, opts: SuiteOptions = {}): void {
  for (const schema of schemas(opts.schemas)) {
    for (const b of backends()) {
      t.test(`${name} [${b.name}${schema === 'b' ? ', schema B' : ''}]`, async (t) => {
        const h = await startHarness(t, b.name, schema, b.url, opts);
        await fn(t, h);
        // Queued after the suite's own tests: whatever secret they sent or got back (service
        // passwords, PUK codes) appears in no log file, not as a JSON value and not quoted in a message.
        t.test('no password or PUK of this suite reached any log file', async (t) => {
          const text = await h.allLogText();
          t.ok(text.length > 0, 'the logs were written');
          for (const s of h.secrets) {
            const leaked = text.includes(JSON.stringify(s)) || (/[A-Za-z]/.test(s) && s.length >= 6 && text.includes(s));
            t.notOk(leaked, `secret of ${s.length} characters not in the logs`);
          }
        });
      });
    }
  }
}
