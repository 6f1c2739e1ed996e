// One server under the load of bench/cs01.ts or bench/queries.ts (CS-14), alone in its process, so
// that a CPU profile of this process is the profile of that server (issue 17: "CPU profiles of
// the gateway and of the minimal server under the same load"). The load client runs in a child
// process as in the benchmarks. Prints the load result as JSON.
// The profile covers the measured seconds only (started after the load client's 1 s warm-up,
// through node:inspector in this process), so µs per request = profile time / requests answered.
//   node dist/bench/profile.js <gateway|minimal|echo> <cs01|cs14> [seconds=8] [depth=1] [--db FILE] [--out FILE.cpuprofile]
// cs14 needs --db: a demo database built by bench/queries.ts (e.g. os.tmpdir()/bssgate-bench-1m.db).
// Summarise a profile with bench/profile-summary.ts.
import net from 'node:net';
import fs from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from 'node:inspector';
import Database from 'better-sqlite3';
import { encodeRequest } from '../protocol/message.js';
import { LAYOUTS_BY_CODE } from '../handlers/index.js';
import { echoServer, load } from './load.js';
import { startMinimalCs01Server, startMinimalServer } from './minimal-server.js';
import { startGateway } from '../src/serve.js';
import type { Config } from '../src/config/types.js';

const argv = process.argv.slice(2);
const dbAt = argv.indexOf('--db');
const dbFile = dbAt >= 0 ? argv[dbAt + 1] : undefined;
const outAt = argv.indexOf('--out');
const outFile = outAt >= 0 ? argv[outAt + 1] : undefined;
const pos = argv.filter((a, i) => !a.startsWith('--') && (dbAt < 0 || i !== dbAt + 1) && (outAt < 0 || i !== outAt + 1));
const [who, what] = pos;
const seconds = Number(pos[2] ?? 8);
const depth = Number(pos[3] ?? 1);
if (!['gateway', 'minimal', 'echo'].includes(who) || !['cs01', 'cs14'].includes(what) || (what === 'cs14' && !dbFile)) {
  process.stderr.write('usage: profile.js <gateway|minimal|echo> <cs01|cs14> [seconds=8] [depth=1] [--db FILE]\n');
  process.exit(2);
}

const HEAD = { serial: 'BENCH', time: '20261201120000', operator: 'bench' };

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-profile-'));
  const db = what === 'cs14' ? dbFile! : join(dir, 'bench.db');
  let framesFile: string | undefined;
  let frameHex: string | undefined;
  if (what === 'cs14') {
    // Every ~110th live subscriber's number, as bench/queries.ts samples them (10,000 at most).
    const d = new Database(db, { readonly: true });
    const numbers = (d.prepare('SELECT SVCNUM FROM TAB_SUBSCRB WHERE STATUS <> 5 AND rowid % 110 = 0 LIMIT 10000').pluck().all() as string[]);
    d.close();
    const layouts = LAYOUTS_BY_CODE.get(114)!;
    framesFile = join(dir, 'cs14.frames');
    fs.writeFileSync(framesFile, Buffer.concat(numbers.map((svcnum, i) => encodeRequest({ biz: 114, seq: i + 1, ...HEAD }, layouts.request, { svcnum }))));
  } else {
    frameHex = encodeRequest({ biz: 101, seq: 1, serial: 'BENCH', time: '20261122120000', operator: 'bench' }, [], {}).toString('hex');
  }
  let port: number;
  let close: () => Promise<void>;
  if (who === 'gateway') {
    const config: Config = {
      files: [],
      interfaces: [
        {
          name: 'cs', kind: 'cs', host: '127.0.0.1', port: 0, maxFrame: 65536, maxConnections: 256, idleTimeoutMs: 60_000,
          frameTimeoutMs: 10_000, drainTimeoutMs: 30_000, requestTimeoutMs: 15_000, maxPipeline: 64, allow: [],
        },
      ],
      database: { type: 'sqlite', path: db, poolMax: 1, passwordStorage: what === 'cs14' ? 'plain' : 'scrypt', demoSubscribers: 0, demoSeed: 1 },
      log: { dir: join(dir, 'logs'), level: 'info', retentionDays: 30, requests: true },
      shutdownGraceMs: 5_000,
    };
    const running = await startGateway(config);
    port = running.bound[0].port;
    close = () => running.stop();
  } else if (who === 'minimal') {
    if (what === 'cs01') {
      // The gateway creates the database file; the minimal CS-01 server opens whatever is there.
      new Database(db).close();
    }
    const m = what === 'cs01' ? await startMinimalCs01Server(db, join(dir, 'logs')) : await startMinimalServer({ type: 'sqlite', path: db }, join(dir, 'logs'));
    port = m.port;
    close = () => m.close();
  } else {
    const e = await echoServer();
    port = (e.address() as net.AddressInfo).port;
    close = () => new Promise((r) => e.close(() => r()));
  }
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((res, rej) => session.post(method, params ?? {}, (err, r) => (err ? rej(err) : res(r))));
  const loading = load({ port, connections: 16, depth, seconds, frameHex, framesFile, countResults: true });
  let profile: unknown;
  if (outFile) {
    await post('Profiler.enable');
    await post('Profiler.setSamplingInterval', { interval: 100 });
  }
  // The load client's warm-up second (plus its start), then the measured seconds. The process's
  // CPU time over the same window (user + system, this process only: the load client is a child)
  // divided by the requests answered in it is the server's CPU µs per request, a figure that
  // moves far less with the machine's load than requests/s do.
  await new Promise((r) => setTimeout(r, 1300));
  if (outFile) await post('Profiler.start');
  const cpu0 = process.cpuUsage();
  await new Promise((r) => setTimeout(r, seconds * 1000 - 300));
  const cpu = process.cpuUsage(cpu0);
  if (outFile) profile = ((await post('Profiler.stop')) as { profile: unknown }).profile;
  const result = await loading;
  session.disconnect();
  if (outFile) fs.writeFileSync(outFile, JSON.stringify(profile));
  await close();
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(JSON.stringify({ who, what, depth, seconds, ...result, profiledSeconds: outFile ? seconds - 0.3 : undefined, profiledRequestsApprox: outFile ? Math.round(result.rps * (seconds - 0.3)) : undefined, ...cpuPerRequest(cpu, result.rps * (seconds - 0.3)) }) + '\n');
}

/** CPU µs per request over the measured window (approximate: the load client's rate × the window). */
function cpuPerRequest(cpu: NodeJS.CpuUsage, requests: number): { cpuUserUs: number; cpuSystemUs: number; cpuUs: number } {
  const r = (us: number) => Math.round((us / Math.max(1, requests)) * 100) / 100;
  return { cpuUserUs: r(cpu.user), cpuSystemUs: r(cpu.system), cpuUs: r(cpu.user + cpu.system) };
}

main().catch((err) => {
  process.stderr.write(String(err?.stack ?? err) + '\n');
  process.exit(1);
});
