// Issue 19: what a text framing profile costs the gateway per request, without sockets: CS-01 and
// CS-14 requests as bytes through the path the connection takes (v1: FrameDecoder → decodeHeader →
// Dispatcher.dispatch; a profile: TextSession.push → decodeHeader → TextSession.dispatch, its check
// code verified and signed on card-recharge), one at a time, with the request logs on. µs of CPU
// (process.cpuUsage) per request; the wires alternate round after round (the machine is shared):
// medians. The reply bytes of the last request are checked against the first (nothing drifts).
//   node dist/bench/text-session.js [rounds=5] [requestsPerRound=20000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { encodeRequest } from '../protocol/message.js';
import { FrameDecoder } from '../protocol/frame.js';
import { decodeHeader } from '../protocol/header.js';
import { encodePackets, loadFramingProfile, parsePacket } from '../protocol/framing/packet.js';
import type { FramingProfile } from '../protocol/framing/profile.js';
import { encodeTextBody } from '../protocol/framing/text-body.js';
import { HANDLERS, LAYOUTS_BY_CODE } from '../handlers/index.js';
import { Dispatcher } from '../src/dispatch.js';
import { openStore } from '../src/store/open.js';
import { ensureDatabase } from '../src/store/init.js';
import { RESULT_OFFSET } from '../protocol/header.js';
import { createLogs } from '../src/log/index.js';
import { systemClock } from '../src/clock.js';
import { TextSession } from '../src/server/text-session.js';
import { requestHead, resultOf } from '../src/text-client.js';
import { demoFixtures } from '../src/store/demo.js';
import type { InterfaceConfig } from '../src/config/types.js';
import type { BodyRecord } from '../protocol/layout-types.js';
import { CHECK_KEY } from './text-gateway.js';

const args = process.argv.slice(2).map(Number);
const ROUNDS = args[0] > 0 ? args[0] : 5;
const N = args[1] > 0 ? args[1] : 20_000;
const root = resolve(import.meta.dirname, '../..');

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-bench-textsession-'));
  const iface: InterfaceConfig = {
    name: 'cs', kind: 'cs', host: '127.0.0.1', port: 0, maxFrame: 65536, maxConnections: 256, idleTimeoutMs: 60_000,
    frameTimeoutMs: 10_000, drainTimeoutMs: 30_000, requestTimeoutMs: 15_000, maxPipeline: 64, allow: [],
  };
  const store = await openStore({ type: 'sqlite', path: join(dir, 'b.db'), poolMax: 1, passwordStorage: 'scrypt', demoSubscribers: 20, demoSeed: 1 }, pino({ level: 'silent' }));
  await ensureDatabase(store, { demoSubscribers: 20, demoSeed: 1, passwordStorage: 'scrypt', now: new Date(), log: pino({ level: 'silent' }) });
  const logs = createLogs({ dir: join(dir, 'logs'), level: 'info', retentionDays: 30, requests: true }, { stderr: false });
  const dispatcher = new Dispatcher({ iface, handlers: HANDLERS, store, clock: systemClock, logs: logs.forInterface('cs') });
  const origin = { conn: 1, peer: '127.0.0.1:5555' };
  const svcnum = demoFixtures(1).first.svcnum;
  const requests: { id: string; biz: number; body: BodyRecord }[] = [
    { id: 'CS-01', biz: 101, body: {} },
    { id: 'CS-14', biz: 114, body: { svcnum } },
  ];
  type Wire = { name: string; one: () => Promise<Buffer>; profile?: FramingProfile };
  const out: Record<string, Record<string, number>> = {};
  for (const r of requests) {
    const layouts = LAYOUTS_BY_CODE.get(r.biz)!;
    const wires: Wire[] = [];
    const v1Frame = encodeRequest({ biz: r.biz, seq: 1, serial: 'BENCH', time: '20261122120000', operator: 'bench' }, layouts.request, r.body);
    const v1dec = new FrameDecoder({ maxFrame: 65536 });
    wires.push({
      name: 'v1',
      one: () => {
        const [f] = v1dec.push(v1Frame);
        return dispatcher.dispatch(decodeHeader(f), f, origin);
      },
    });
    for (const name of ['h2', 'bss86', 'card-recharge']) {
      const profile = loadFramingProfile(join(root, 'config/framing', `${name}.json`));
      const head = requestHead(profile, r.biz, { serial: profile.role.serial ? 'BENCH' : undefined, operator: 'bench', now: new Date() });
      const bytes = Buffer.concat(encodePackets(profile, head.values, encodeTextBody(profile, layouts.request, r.body), profile.check ? CHECK_KEY : undefined));
      const session = new TextSession(profile, dispatcher, systemClock, 65536, profile.check ? { client: '*', key: CHECK_KEY } : undefined);
      wires.push({
        name,
        profile,
        one: () => {
          const [f] = session.push(bytes);
          return session.dispatch(decodeHeader(f), f, origin);
        },
      });
    }
    const samples = new Map<string, number[]>(wires.map((w) => [w.name, []]));
    const run = async (w: Wire, n: number) => {
      let last: Buffer | undefined;
      for (let i = 0; i < n; i++) {
        last = await w.one();
        if (i % 32 === 0) await new Promise((res) => setImmediate(res));
      }
      return last!;
    };
    for (const w of wires) {
      const a = await run(w, 2000);
      // Answers 0, not refusals (v1: the result field; a text reply: its error field is all zeros).
      const p = w.profile;
      const pkt = p ? parsePacket(p, a) : undefined;
      const ok = !p ? a.readUInt16BE(RESULT_OFFSET) === 0 : pkt !== 'heartbeat' && resultOf(p, p.role.error ? pkt!.raw[p.role.error.name] : '', p.role.flag ? pkt!.raw[p.role.flag.name] : '') === 0;
      if (!ok) throw new Error(`${r.id} over ${w.name}: not answered 0: ${JSON.stringify(a.toString('latin1'))}`);
    }
    for (let k = 0; k < ROUNDS; k++) {
      for (const w of wires) {
        const c0 = process.cpuUsage();
        await run(w, N);
        const c = process.cpuUsage(c0);
        samples.get(w.name)!.push((c.user + c.system) / N);
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    // Each wire's extra CPU over v1, per round (the rounds alternate: a slower moment hits both), then the median.
    const v1s = samples.get('v1')!;
    out[r.id] = Object.fromEntries([...samples].map(([n, xs]) => [n, Math.round(median(xs) * 100) / 100]));
    out[`${r.id} extra over v1`] = Object.fromEntries([...samples].filter(([n]) => n !== 'v1').map(([n, xs]) => [n, Math.round(median(xs.map((x, i) => x - v1s[i])) * 100) / 100]));
  }
  process.stdout.write(JSON.stringify({ bench: 'text-session', unit: 'µs CPU per request (median of rounds)', rounds: ROUNDS, requestsPerRound: N, ...out }, null, 2) + '\n');
  await logs.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

main().catch((err) => {
  process.stderr.write(String(err?.stack ?? err) + '\n');
  process.exit(1);
});
