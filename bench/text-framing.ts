// Issue 19: CS-01 and CS-14 over the text framing profiles (h2, bss86, card-recharge: fixed-width
// body, every request's 3DES check code verified and every reply signed) against the same over v1,
// one gateway (SQLite, logging on) serving the three wires on one database, the same load client
// (bench/load-client.ts, in a child process: it reads v1 frames, or a profile's packets at the
// fixed offsets of its header fields, bench/text-reply-reader.ts; its CPU per request is printed). v1, h2 and bss86 alternate round after round so drift in the
// machine's speed hits all three; medians over the rounds. Target: each text profile ≥ 0.8× v1.
// Prints `uptime` before and after, and JSON.
//   node dist/bench/text-framing.js [secondsPerRound=3] [rounds=3]
import { execSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { encodeRequest } from '../protocol/message.js';
import { encodePackets } from '../protocol/framing/packet.js';
import { encodeTextBody } from '../protocol/framing/text-body.js';
import { LAYOUTS_BY_CODE } from '../handlers/contracts/index.js';
import { startGateway } from '../src/serve.js';
import { BssClient } from '../src/client.js';
import { requestHead, TextFramingClient } from '../src/text-client.js';
import { demoFixtures } from '../src/store/demo.js';
import { CHECK_KEY, textBenchConfig } from './text-gateway.js';
import { load, type LoadResult } from './load.js';
import type { BodyRecord } from '../protocol/layout-types.js';

const numbers = process.argv.slice(2).filter((a) => /^\d+(\.\d+)?$/.test(a)).map(Number);
const seconds = numbers[0] ?? 3;
const rounds = numbers[1] ?? 3;
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const uptime = () => execSync('uptime').toString().trim();

async function main() {
  process.stdout.write(`uptime at start: ${uptime()}\n`);
  const { config, profiles, dir } = textBenchConfig(['h2', 'bss86', 'card-recharge'], 'bssgate-bench-text-');
  const running = await startGateway(config);
  const port = (name: string) => running.bound.find((b) => b.name === name)!.port;
  const svcnum = demoFixtures(1).first.svcnum;
  const requests: { id: string; biz: number; body: BodyRecord }[] = [
    { id: 'CS-01', biz: 101, body: {} },
    { id: 'CS-14', biz: 114, body: { svcnum } },
  ];
  const out: Record<string, unknown> = { bench: 'text-framing-vs-v1', secondsPerRound: seconds, rounds, node: process.version };
  // The replies the load is made of are answers 0 on every wire (not refusals).
  const v1c = await BssClient.connect({ port: port('cs') });
  for (const r of requests) {
    const a = await v1c.call(r.biz, r.body);
    if (a.result !== 0) throw new Error(`${r.id} over v1: ${a.result} ${a.message}`);
    for (const p of profiles) {
      const c = await TextFramingClient.connect({ profile: p.profile, port: port(`cs_${p.profile.name}`), ...(p.profile.check ? { checkKey: CHECK_KEY } : {}) });
      const b = await c.call(r.biz, r.body);
      await c.close(true);
      if (b.result !== 0) throw new Error(`${r.id} over ${p.profile.name}: ${b.result} ${b.message}`);
    }
  }
  await v1c.close(true);
  const scenarios = [
    { name: 'one-at-a-time', connections: 16, depth: 1 },
    { name: 'pipelined-16', connections: 16, depth: 16 },
  ];
  for (const r of requests) {
    const layouts = LAYOUTS_BY_CODE.get(r.biz)!;
    const v1Frame = encodeRequest({ biz: r.biz, seq: 1, serial: 'BENCH', time: '20261122120000', operator: 'bench' }, layouts.request, r.body);
    const textFrames = profiles.map((p) => {
      const head = requestHead(p.profile, r.biz, { serial: p.profile.role.serial ? 'BENCH' : undefined, operator: 'bench', now: new Date() });
      return Buffer.concat(encodePackets(p.profile, head.values, encodeTextBody(p.profile, layouts.request, r.body), p.profile.check ? CHECK_KEY : undefined));
    });
    for (const sc of scenarios) {
      const runs: Record<string, LoadResult[]> = { v1: [], ...Object.fromEntries(profiles.map((p) => [p.profile.name, [] as LoadResult[]])) };
      for (let i = 0; i < rounds; i++) {
        runs.v1.push(await load({ port: port('cs'), connections: sc.connections, depth: sc.depth, seconds, frameHex: v1Frame.toString('hex'), countResults: true }));
        for (const [j, p] of profiles.entries()) {
          runs[p.profile.name].push(await load({ port: port(`cs_${p.profile.name}`), connections: sc.connections, depth: sc.depth, seconds, frameHex: textFrames[j].toString('hex'), countResults: true, framing: p.file }));
        }
      }
      for (const [wire, xs] of Object.entries(runs)) {
        for (const x of xs) {
          const bad = Object.entries(x.results ?? {}).filter(([code]) => code !== '0');
          if (bad.length > 0) throw new Error(`${r.id} ${sc.name} over ${wire}: answers other than 0: ${JSON.stringify(x.results)}`);
        }
      }
      const stats = (xs: LoadResult[]) => ({
        rps: Math.round(median(xs.map((x) => x.rps))),
        p50ms: round(median(xs.map((x) => x.p50))),
        p99ms: round(median(xs.map((x) => x.p99))),
        // The load client's CPU per request (µs): it shares the 2 cores with the gateway.
        clientCpuUsPerReq: round(median(xs.map((x) => x.cpuUsPerReply ?? NaN)), 2),
      });
      const v1 = stats(runs.v1);
      const row: Record<string, unknown> = { connections: sc.connections, depth: sc.depth, v1 };
      for (const p of profiles) {
        const n = p.profile.name;
        const s = stats(runs[n]);
        row[n] = {
          ...s,
          rpsRatioToV1: round(s.rps / v1.rps),
          perRoundRpsRatioToV1: runs[n].map((x, k) => round(x.rps / runs.v1[k].rps)),
          meetsTarget: s.rps / v1.rps >= 0.8,
        };
      }
      row.target = 'each profile rpsRatioToV1 >= 0.8';
      out[`${r.id} ${sc.name}`] = row;
    }
  }
  await running.stop();
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  process.stdout.write(`uptime at end: ${uptime()}\n`);
}

main().catch((err) => {
  process.stderr.write(String(err?.stack ?? err) + '\n');
  process.exit(1);
});
