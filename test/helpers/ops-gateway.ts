// OP-04 test helpers: a real gateway started as `bssgate serve` starts it (startGateway), with
// the admin listener on an ephemeral port, on SQLite or on a PostgreSQL database of its own.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import type { AdminConfig, Config, DatabaseConfig, InterfaceConfig } from '../../src/config/types.js';
import { startGateway, type Running } from '../../src/serve.js';
import { httpGet, parsePrometheusText, type Sample } from '../../src/status.js';
import { testInterface } from './gateway.js';
import { withTempDatabase, type TempDatabase } from '../store/contract-pg-helper.js';

export interface OpsGateway {
  running: Running;
  port: number;
  adminPort: number;
  dir: string;
  pg?: TempDatabase;
  get(path: string): Promise<{ status: number; body: string; type: string }>;
  samples(): Promise<Sample[]>;
  stop(): Promise<void>;
}

interface Teardown {
  teardown(fn: () => unknown): void;
}

export async function startOpsGateway(
  t: Teardown,
  backend: { name: 'sqlite' | 'postgres'; url?: string },
  over: { interfaces?: Partial<InterfaceConfig>[]; admin?: Partial<AdminConfig> } = {},
): Promise<OpsGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-ops-'));
  let pg: TempDatabase | undefined;
  let database: DatabaseConfig;
  if (backend.name === 'postgres') {
    pg = await withTempDatabase(t, backend.url!, 'ops');
    database = { type: 'postgres', url: pg.url, poolMax: 4, passwordStorage: 'scrypt', demoSubscribers: 0, demoSeed: 1 };
  } else {
    database = { type: 'sqlite', path: join(dir, 'ops.db'), poolMax: 1, passwordStorage: 'scrypt', demoSubscribers: 0, demoSeed: 1 };
  }
  const config: Config = {
    files: [],
    interfaces: (over.interfaces ?? [{}]).map((o) => testInterface(o)),
    database,
    log: { dir: join(dir, 'logs'), level: 'info', retentionDays: 30, requests: true, stderr: false },
    shutdownGraceMs: 2_000,
    admin: { enabled: true, host: '127.0.0.1', port: 0, allow: ['127.0.0.1', '::1'], ...over.admin },
  };
  const running = await startGateway(config);
  let stopped = false;
  const g: OpsGateway = {
    running,
    port: running.bound[0].port,
    adminPort: running.admin!.port,
    dir,
    pg,
    get: (path) => httpGet('127.0.0.1', running.admin!.port, path),
    async samples() {
      const r = await g.get('/metrics');
      if (r.status !== 200) throw new Error(`/metrics answered ${r.status}`);
      return parsePrometheusText(r.body);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await running.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  t.teardown(() => g.stop());
  return g;
}

/** Sum of the samples of `name` whose labels include `labels`. */
export function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((a, s) => a + s.value, 0);
}

/** Poll until fn() is true; false when `ms` ran out. */
export async function until(fn: () => Promise<boolean>, ms: number, every = 100): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn().catch(() => false)) return true;
    await new Promise((r) => setTimeout(r, every));
  }
  return false;
}

/** A port free on 127.0.0.1 right now (for INI files of spawned gateways). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

export function backends(): { name: 'sqlite' | 'postgres'; url?: string }[] {
  const pgUrl = process.env.BSSGATE_TEST_PG_URL;
  return [{ name: 'sqlite' }, ...(pgUrl ? [{ name: 'postgres' as const, url: pgUrl }] : [])];
}
