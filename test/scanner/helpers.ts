// Shared by the scanner tests: a database with the schema and the reference rows (SWITCH_INS_MODEL)
// on SQLite, and on PostgreSQL when BSSGATE_TEST_PG_URL is set; status-5 records written by plain
// SQL, as another system of the operator would; an in-test Delivery (the transport boundary).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { Test } from 'tap';
import type { ScannerConfig, SwitchConfig } from '../../src/config/types.js';
import { ensureDatabase } from '../../src/store/init.js';
import { openStore, type BatchingStore } from '../../src/store/open.js';
import type { Delivery, DeliveryOutcome, SwitchCommand } from '../../src/scanner/types.js';
import { withTempDatabase } from '../store/contract-pg-helper.js';

export const silent = pino({ level: 'silent' });

/** Poll `fn` until it is true; throws naming `what` after `ms` (bounded: no fixed sleeps as assertions). */
export async function until(what: string, fn: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for: ${what}`);
}

export function backends(): { name: 'sqlite' | 'postgres'; url?: string }[] {
  const pgUrl = process.env.BSSGATE_TEST_PG_URL;
  return [{ name: 'sqlite' }, ...(pgUrl ? [{ name: 'postgres' as const, url: pgUrl }] : [])];
}

export interface TestDb {
  store: BatchingStore;
  dir: string;
  /** The database URL (postgres) or file (sqlite), for child processes. */
  url?: string;
  path?: string;
}

export async function testDb(t: Test, backend: 'sqlite' | 'postgres', pgBase?: string, now = new Date()): Promise<TestDb> {
  const dir = mkdtempSync(join(tmpdir(), 'bsg-scan-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  if (backend === 'sqlite') {
    const path = join(dir, 'scan.db');
    const store = await openStore({ type: 'sqlite', path, poolMax: 1, passwordStorage: 'plain', demoSubscribers: 0, demoSeed: 1 }, silent);
    t.teardown(() => store.close());
    await ensureDatabase(store, { demoSubscribers: 0, demoSeed: 1, now, log: silent });
    return { store, dir, path };
  }
  const db = await withTempDatabase(t, pgBase!, 'scan');
  const store = await openStore({ type: 'postgres', url: db.url, poolMax: 6, passwordStorage: 'plain', demoSubscribers: 0, demoSeed: 1 }, silent);
  t.teardown(() => store.close());
  await ensureDatabase(store, { demoSubscribers: 0, demoSeed: 1, now, log: silent });
  return { store, dir, url: db.url };
}

export interface LegacyRow {
  busisn: bigint;
  svcnum: string;
  busitype?: number;
  status?: number;
  region?: string;
  nettype?: string;
  imsi?: string | null;
  param?: string | null;
  created?: Date;
}

let insertN = 0;

/** A USR_BUSI_RECORD row written by plain SQL (as the front-office application does). */
export async function insertRecord(store: BatchingStore, r: LegacyRow): Promise<void> {
  await store.run(
    {
      name: `test.insert-record.${insertN++}`,
      sql: `INSERT INTO USR_BUSI_RECORD (BUSISN, SUBSCRBID, SVCNUM, BUSITYPE, STATUS, REGION, NETTYPE, IMSI, PARAM, OPERATOR, CREATED)
VALUES (:busisn, :subscrbid, :svcnum, :busitype, :status, :region, :nettype, :imsi, :param, 'FRONT01', :created)`,
    },
    {
      busisn: r.busisn,
      subscrbid: r.busisn + 1_000_000n,
      svcnum: r.svcnum,
      busitype: r.busitype ?? 11,
      status: r.status ?? 5,
      region: r.region ?? '0971',
      nettype: r.nettype ?? 'G',
      imsi: r.imsi === undefined ? '460001234567890' : r.imsi,
      param: r.param === undefined ? null : r.param,
      created: r.created ?? new Date(),
    },
  );
}

let readN = 0;

export async function record(store: BatchingStore, busisn: bigint): Promise<{ status: number; executed: unknown; result: string | null } | undefined> {
  return store.one({ name: `test.read-record.${readN++ % 4}`, sql: 'SELECT STATUS, EXECUTED, RESULT FROM USR_BUSI_RECORD WHERE BUSISN = :b' }, { b: busisn });
}

export async function lease(store: BatchingStore, busisn: bigint): Promise<{ state: string; attempts: number; lease_owner: string | null; lease_token: string | null; last_error: string | null; switch_name: string | null } | undefined> {
  return store.one({ name: 'test.read-lease', sql: 'SELECT STATE, ATTEMPTS, LEASE_OWNER, LEASE_TOKEN, LAST_ERROR, SWITCH_NAME FROM BSG_CMD_QUEUE WHERE BUSISN = :b' }, { b: busisn });
}

export function scannerConfig(over: Partial<ScannerConfig> = {}): ScannerConfig {
  return {
    enabled: true,
    pollMs: 20,
    batch: 50,
    maxInFlight: 64,
    leaseMs: 30_000,
    maxAttempts: 3,
    retryBackoffMs: 10,
    retryBackoffMaxMs: 40,
    unreachableWaitMs: 50,
    ...over,
  };
}

export function switchConfig(over: Partial<SwitchConfig> & Pick<SwitchConfig, 'name'>): SwitchConfig {
  return {
    kind: 'socket',
    simulator: false,
    regions: ['*'],
    netTypes: ['G'],
    switchType: 'ERI_HLR',
    resultTimeoutMs: 1000,
    resultPollMs: 20,
    keepaliveMs: 30_000,
    ackTimeoutMs: 1000,
    reconnectMinMs: 50,
    reconnectMaxMs: 500,
    ...over,
  };
}

/**
 * The transport boundary as a test double: records every command it was handed (in order) and
 * answers what `answer` says; never two commands of one number at once (it checks).
 */
export class RecordingDelivery implements Delivery {
  readonly seen: SwitchCommand[] = [];
  /** Numbers with a command in flight: a second one at the same time is an ordering violation. */
  readonly busy = new Set<string>();
  violations: string[] = [];
  up = true;
  constructor(
    readonly switchName: string,
    public answer: (cmd: SwitchCommand) => DeliveryOutcome | Promise<DeliveryOutcome> = () => ({ kind: 'executed', answer: '0 执行成功' }),
  ) {}
  async deliver(cmd: SwitchCommand, signal: AbortSignal): Promise<DeliveryOutcome> {
    if (this.busy.has(cmd.svcnum)) this.violations.push(`${cmd.svcnum}: ${cmd.busisn} while another command of the number is in flight`);
    this.busy.add(cmd.svcnum);
    this.seen.push(cmd);
    try {
      if (signal.aborted) return { kind: 'retry', reason: 'aborted' };
      return await this.answer(cmd);
    } finally {
      this.busy.delete(cmd.svcnum);
    }
  }
  ready(): boolean {
    return this.up;
  }
  async close(): Promise<void> {}
}
