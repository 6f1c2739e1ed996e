// The gateway the text-profile benches run (bench/text-framing.ts, bench/text-cpu.ts): one SQLite
// demo database served over v1 (`cs`) and over each shipped profile (`cs_<profile>`), request
// logs on, every card-recharge request's check code verified under CHECK_KEY.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadFramingProfile } from '../protocol/framing/packet.js';
import type { FramingProfile } from '../protocol/framing/profile.js';
import type { Config, InterfaceConfig } from '../src/config/types.js';

const root = resolve(import.meta.dirname, '../..');
/** A shipped profile's file (config/framing/<name>.json). */
export const profileFile = (n: string): string => join(root, 'config/framing', `${n}.json`);

/** The check-code key of the unconfigured client `*` on a profile with a check code (a test value). */
export const CHECK_KEY = Buffer.from('0123456789ABCDEFFEDCBA9876543210', 'hex');

function iface(name: string, framing?: FramingProfile): InterfaceConfig {
  return {
    ...(framing?.check ? { checkKeys: new Map([['*', CHECK_KEY]]) } : {}),
    name, kind: 'cs', host: '127.0.0.1', port: 0, maxFrame: 65536, maxConnections: 256, idleTimeoutMs: 60_000,
    frameTimeoutMs: 10_000, drainTimeoutMs: 30_000, requestTimeoutMs: 15_000, maxPipeline: 64, allow: [], ...(framing ? { framing } : {}),
  };
}

/** The profiles named, loaded, and a gateway configuration serving v1 and each of them, in a new temp directory. */
export function textBenchConfig(names: string[], dirPrefix: string): { config: Config; profiles: { file: string; profile: FramingProfile }[]; dir: string } {
  const profiles = names.map((n) => ({ file: profileFile(n), profile: loadFramingProfile(profileFile(n)) }));
  const dir = mkdtempSync(join(tmpdir(), dirPrefix));
  const config: Config = {
    files: [],
    interfaces: [iface('cs'), ...profiles.map((p) => iface(`cs_${p.profile.name}`, p.profile))],
    database: { type: 'sqlite', path: join(dir, 'bench.db'), poolMax: 1, passwordStorage: 'scrypt', demoSubscribers: 20, demoSeed: 1 },
    log: { dir: join(dir, 'logs'), level: 'info', retentionDays: 30, requests: true },
    shutdownGraceMs: 5_000,
  };
  return { config, profiles, dir };
}
