// Issue 19: the gateway's CPU per request (process.cpuUsage of this process, the gateway's, over
// the whole load including its warm-up second, divided by the answers the load client counted) for
// CS-01 and CS-14 over v1 and each text framing profile — the same set-up as
// bench/text-framing.ts, but a figure that moves much less than throughput on a shared machine.
// With --profile DIR, also a V8 CPU profile per run (summarise with bench/profile-summary.ts).
//   node dist/bench/text-cpu.js [seconds=3] [depth=1] [--only v1,h2,bss86,card-recharge] [--cs cs01,cs14] [--profile DIR]
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Session } from 'node:inspector';
import { encodeRequest } from '../protocol/message.js';
import { encodePackets } from '../protocol/framing/packet.js';
import { encodeTextBody } from '../protocol/framing/text-body.js';
import { LAYOUTS_BY_CODE } from '../handlers/contracts/index.js';
import { startGateway } from '../src/serve.js';
import { requestHead } from '../src/text-client.js';
import { demoFixtures } from '../src/store/demo.js';
import { CHECK_KEY, textBenchConfig } from './text-gateway.js';
import { load } from './load.js';
import type { BodyRecord } from '../protocol/layout-types.js';

const argv = process.argv.slice(2);
const opt = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const numbers = argv.filter((a, i) => /^\d+(\.\d+)?$/.test(a) && !argv[i - 1]?.startsWith('--')).map(Number);
const seconds = numbers[0] ?? 3;
const depth = numbers[1] ?? 1;
const only = (opt('--only') ?? 'v1,h2,bss86,card-recharge').split(',');
const which = (opt('--cs') ?? 'cs01,cs14').split(',');
const profileDir = opt('--profile');
async function main() {
  process.stdout.write(`uptime at start: ${execSync('uptime').toString().trim()}\n`);
  const { config, profiles, dir } = textBenchConfig(['h2', 'bss86', 'card-recharge'].filter((n) => only.includes(n)), 'bssgate-bench-textcpu-');
  const running = await startGateway(config);
  const port = (name: string) => running.bound.find((b) => b.name === name)!.port;
  const svcnum = demoFixtures(1).first.svcnum;
  const requests: { id: string; biz: number; body: BodyRecord }[] = [
    { id: 'cs01', biz: 101, body: {} as BodyRecord },
    { id: 'cs14', biz: 114, body: { svcnum } },
  ].filter((r) => which.includes(r.id));
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) => new Promise<unknown>((res, rej) => session.post(method, params ?? {}, (err, r) => (err ? rej(err) : res(r))));
  if (profileDir) {
    fs.mkdirSync(profileDir, { recursive: true });
    await post('Profiler.enable');
    await post('Profiler.setSamplingInterval', { interval: 100 });
  }
  const rows: Record<string, unknown>[] = [];
  for (const r of requests) {
    const layouts = LAYOUTS_BY_CODE.get(r.biz)!;
    const wires: { name: string; port: number; frame: Buffer; framing?: string }[] = [];
    if (only.includes('v1')) wires.push({ name: 'v1', port: port('cs'), frame: encodeRequest({ biz: r.biz, seq: 1, serial: 'BENCH', time: '20261122120000', operator: 'bench' }, layouts.request, r.body) });
    for (const p of profiles) {
      const head = requestHead(p.profile, r.biz, { serial: p.profile.role.serial ? 'BENCH' : undefined, operator: 'bench', now: new Date() });
      const frame = Buffer.concat(encodePackets(p.profile, head.values, encodeTextBody(p.profile, layouts.request, r.body), p.profile.check ? CHECK_KEY : undefined));
      wires.push({ name: p.profile.name, port: port(`cs_${p.profile.name}`), frame, framing: p.file });
    }
    for (const w of wires) {
      if (profileDir) await post('Profiler.start');
      const c0 = process.cpuUsage();
      const res = await load({ port: w.port, connections: 16, depth, seconds, frameHex: w.frame.toString('hex'), countResults: true, ...(w.framing ? { framing: w.framing } : {}) });
      const c = process.cpuUsage(c0);
      if (profileDir) {
        const prof = ((await post('Profiler.stop')) as { profile: unknown }).profile;
        fs.writeFileSync(join(profileDir, `${r.id}-${w.name}-d${depth}.cpuprofile`), JSON.stringify(prof));
      }
      const bad = Object.keys(res.results ?? {}).filter((k) => k !== '0');
      if (bad.length > 0) throw new Error(`${r.id} over ${w.name}: answers other than 0: ${JSON.stringify(res.results)}`);
      const answered = res.answered ?? res.requests;
      const client = res.cpuUs === undefined ? undefined : Math.round((res.cpuUs / answered) * 10) / 10;
      rows.push({ cs: r.id, wire: w.name, depth, rps: Math.round(res.rps), answered, cpuUsPerRequest: Math.round(((c.user + c.system) / answered) * 10) / 10, userUs: Math.round((c.user / answered) * 10) / 10, clientCpuUsPerRequest: client });
      process.stdout.write(JSON.stringify(rows[rows.length - 1]) + '\n');
    }
  }
  session.disconnect();
  await running.stop();
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(`uptime at end: ${execSync('uptime').toString().trim()}\n`);
}

main().catch((err) => {
  process.stderr.write(String(err?.stack ?? err) + '\n');
  process.exit(1);
});
