// Start a real gateway on 127.0.0.1 (ephemeral ports) over a real SQLite file in a temp dir,
// with real logs, for server tests. Interfaces and limits are overridable per test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClientConfig, Config, InterfaceConfig } from '../../src/config/types.js';
import { createLogs, type Logs } from '../../src/log/index.js';
import { openStore } from '../../src/store/open.js';
import type { AdminStore } from '../../src/store/types.js';
import { Gateway, type BoundInterface } from '../../src/server/gateway.js';
import { HANDLERS } from '../../handlers/index.js';
import type { Clock, HandlerModule } from '../../src/types.js';
import { systemClock } from '../../src/clock.js';
import { allText, familyLines } from './log-files.js';

export function testInterface(over: Partial<InterfaceConfig> = {}): InterfaceConfig {
  return {
    name: 'cs',
    kind: 'cs',
    host: '127.0.0.1',
    port: 0,
    maxFrame: 65536,
    maxConnections: 64,
    idleTimeoutMs: 30_000,
    frameTimeoutMs: 10_000,
    drainTimeoutMs: 5_000,
    requestTimeoutMs: 5_000,
    maxPipeline: 64,
    allow: [],
    ...over,
  };
}

export interface TestGateway {
  gateway: Gateway;
  bound: BoundInterface[];
  port: number;
  dir: string;
  logs: Logs;
  store: AdminStore;
  config: Config;
  /** All lines of a log family of an interface, for today's local date (after a flush). */
  logLines(iface: string, family: string): Promise<string[]>;
  /** Every byte of every log file under the dir, as text. */
  allLogText(): Promise<string>;
  stop(): Promise<void>;
}

export async function startTestGateway(opts: {
  interfaces?: Partial<InterfaceConfig>[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test handlers of any shape
  handlers?: readonly HandlerModule<any, any>[];
  clock?: Clock;
  /** [client.<id>] identities (PC-06). */
  clients?: ClientConfig[];
} = {}): Promise<TestGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-test-'));
  const clock = opts.clock ?? systemClock;
  const config: Config = {
    files: [],
    interfaces: (opts.interfaces ?? [{}]).map((o) => testInterface(o)),
    database: {
      type: 'sqlite',
      path: join(dir, 'test.db'),
      poolMax: 1,
      passwordStorage: 'scrypt',
      demoSubscribers: 0,
      demoSeed: 1,
    },
    log: { dir: join(dir, 'logs'), level: 'info', retentionDays: 30, requests: true },
    shutdownGraceMs: 5_000,
    ...(opts.clients ? { clients: opts.clients } : {}),
  };
  const logs = createLogs(config.log, { clock });
  const store = await openStore(config.database, logs.main);
  let gateway: Gateway;
  let bound: BoundInterface[];
  try {
    gateway = new Gateway({ config, store, logs, clock, handlers: opts.handlers ?? HANDLERS });
    bound = await gateway.start();
  } catch (err) {
    await store.close();
    await logs.close();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  let stopped = false;
  return {
    gateway,
    bound,
    port: bound[0].port,
    dir,
    logs,
    store,
    config,
    async logLines(iface, family) {
      await logs.flush();
      return familyLines(config.log.dir, iface, family, clock.date());
    },
    async allLogText() {
      await logs.flush();
      return allText(config.log.dir);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await gateway.stop(2_000);
      await store.close();
      await logs.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
