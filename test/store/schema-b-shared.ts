// Shared by the schema-B proofs (test/store/schema-b.test.ts reads, schema-b-writes.test.ts writes):
// schema B's queries file, the requests of every read-only business type for a fixture, a gateway
// serving the four interfaces over a store, and the canonical form of an answer.
import { join } from 'node:path';
import type pino from 'pino';
import type { Config } from '../../src/config/types.js';
import { createLogs } from '../../src/log/index.js';
import { Gateway } from '../../src/server/gateway.js';
import { HANDLERS, LAYOUTS_BY_CODE } from '../../handlers/index.js';
import { BUSINESS_ROWS, type InterfaceKind } from '../../protocol/business-types.js';
import { contractFor } from '../../handlers/contracts/index.js';
import { systemClock } from '../../src/clock.js';
import { BssClient, type CallOptions } from '../../src/client.js';
import type { BodyRecord } from '../../protocol/layout-types.js';
import type { DemoSubscriber } from '../../src/store/demo.js';
import type { AdminStore } from '../../src/store/types.js';
import { testInterface } from '../helpers/gateway.js';
import { forgetTicketTables } from '../../src/store/queries/define.js';
import { root } from '../helpers/serve.js';
import { cycleOf, SEED } from '../helpers/seeded.js';

export const QUERIES = join(root, 'config/schemas/b/queries.sql');
export const KINDS: InterfaceKind[] = ['cs', 'card', 'print', 'sms'];

/** Every read-only business type (aside: lockout-clear, an operator function that clears counters; connection-check, whose body is the server time). */
export const READ_ONLY = BUSINESS_ROWS.filter((r) => contractFor(r.code)?.write === false && r.name !== 'lockout-clear' && r.name !== 'connection-check');

/** The requests of a business type for a fixture (both `by` forms where the type has one). */
export function requests(code: number, f: DemoSubscriber, now: Date): BodyRecord[] {
  const layout = LAYOUTS_BY_CODE.get(code)!.request;
  const names = new Set(layout.map((x) => x.name));
  const base: BodyRecord = {};
  for (const n of names) {
    if (n === 'svcnum') base[n] = f.svcnum;
    else if (n === 'password') base[n] = f.password;
    else if (n === 'offset') base[n] = 0;
    else if (n === 'limit') base[n] = 200;
    else if (n === 'cycle') base[n] = cycleOf(now, 1);
    else if (n === 'simcardid') base[n] = f.simcardid ?? '89860000000000000000';
    else if (n === 'idNum') base[n] = f.idNum;
    else if (n === 'cardnum') base[n] = f.cardnum ?? '1790000000000000';
    else if (n === 'minutes') base[n] = 1440;
  }
  if (names.has('by')) {
    const out: BodyRecord[] = [{ ...base, by: 'N', number: f.svcnum }];
    if (f.cardnum) out.push({ ...base, by: 'C', number: f.cardnum });
    return out;
  }
  const out = [base];
  // The realtime detail, paged: the current month, and a later page of the heavy fixtures.
  if (names.has('offset') && f.heavy) out.push({ ...base, offset: 150, limit: 100 });
  return out;
}

/**
 * Lists ordered by a time the run itself wrote, to the second: rows written in one second on one
 * schema and in two on the other come in another order (PC-08 newest first by PAYTIME, then
 * PAYSN — PC-07's postings carry the card file's time; CS-05's services by start date, then
 * service id). Compared in key order: the same rows, the same values.
 */
const RUN_TIME_ORDERED: Record<string, { list: string; key: string }> = {
  'recent-card-payments': { list: 'items', key: 'paysn' },
  'special-services': { list: 'services', key: 'srvgid' },
};

function keyOrdered(business: string, body: BodyRecord | undefined): BodyRecord | undefined {
  const o = RUN_TIME_ORDERED[business];
  const items = o ? body?.[o.list] : undefined;
  if (!o || !Array.isArray(items)) return body;
  return { ...body, [o.list]: [...items].sort((a, b) => (String(a[o.key]).padStart(20, '0') < String(b[o.key]).padStart(20, '0') ? -1 : 1)) };
}

export const json = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));

export interface Served {
  call(kind: InterfaceKind, business: string | number, body: BodyRecord, opts?: CallOptions): Promise<{ result: number; message: string; body?: BodyRecord }>;
  /** Every read-only business type for each fixture: key → canonical answer. */
  readAll(fixtures: readonly DemoSubscriber[], now: Date): Promise<Map<string, string>>;
  stop(): Promise<void>;
}

/** A gateway serving the four interfaces over `store` on free ports, with a client per interface. */
export async function serveStore(store: AdminStore, dir: string, tag: string, log: pino.Logger): Promise<Served> {
  void log;
  const config: Config = {
    files: [],
    interfaces: KINDS.map((kind) => testInterface({ name: kind, kind })),
    database: { type: 'sqlite', path: '', poolMax: 1, passwordStorage: 'scrypt', demoSubscribers: 0, demoSeed: SEED },
    log: { dir: join(dir, `logs-${tag}`), level: 'warn', retentionDays: 30, requests: false },
    shutdownGraceMs: 2_000,
  };
  const logs = createLogs(config.log, { clock: systemClock });
  forgetTicketTables();
  const gateway = new Gateway({ config, store, logs, clock: systemClock, handlers: HANDLERS });
  const bound = await gateway.start();
  const clients = new Map<string, BssClient>();
  const stop = async () => {
    for (const c of clients.values()) await c.close(true).catch(() => undefined);
    await gateway.stop(2_000);
    await logs.close();
  };
  try {
    for (const b of bound) clients.set(b.kind, await BssClient.connect({ host: '127.0.0.1', port: b.port, timeoutMs: 20_000, operator: 'TEST01' }));
  } catch (err) {
    await stop();
    throw err;
  }
  const call: Served['call'] = async (kind, business, body, opts) => {
    const r = await clients.get(kind)!.call(business, body, opts);
    return { result: r.result, message: r.message, body: r.body as BodyRecord | undefined };
  };
  return {
    call,
    stop,
    async readAll(fixtures, now) {
      const out = new Map<string, string>();
      for (const f of fixtures) {
        for (const row of READ_ONLY) {
          for (const [k, body] of requests(row.code, f, now).entries()) {
            const key = `${row.name} #${k} fixture ${f.index} (${f.svcnum})`;
            try {
              const r = await call(row.interfaces[0], row.code, body);
              out.set(key, json({ result: r.result, message: r.message, body: keyOrdered(row.name, r.body) }));
            } catch (err) {
              // A request the client refuses to encode (e.g. a fixture without a SIM): the same on both.
              out.set(key, `client: ${(err as Error).message}`);
            }
          }
        }
      }
      return out;
    },
  };
}
