// Per-stage cost of one CS-01 request inside the gateway, without sockets: frame decoder, header,
// response encoding, the store's ping, and the whole dispatcher with and without the request logs.
// Prints JSON (µs per request). Explains bench/cs01.ts: what the gateway adds to a bare echo.
//   node dist/bench/dispatch.js
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { encodeRequest, encodeResponse } from '../protocol/message.js';
import { FrameDecoder } from '../protocol/frame.js';
import { decodeHeader } from '../protocol/header.js';
import { LAYOUTS_BY_CODE } from '../handlers/index.js';
const CONNECTION_CHECK = LAYOUTS_BY_CODE.get(101)!;
import { Dispatcher } from '../src/dispatch.js';
import { HANDLERS } from '../handlers/index.js';
import { openStore } from '../src/store/open.js';
import { createLogs, type Logs } from '../src/log/index.js';
import { systemClock } from '../src/types.js';
import type { InterfaceConfig } from '../src/config/types.js';

const N = 200_000;

async function perRequest(fn: () => unknown): Promise<number> {
  // Yield to the event loop every 32 requests, as a server does between reads, so the log
  // writer's I/O completes as it would under load.
  const run = async (n: number) => {
    for (let i = 0; i < n; i++) {
      await fn();
      if (i % 32 === 0) await new Promise((r) => setImmediate(r));
    }
  };
  await run(20_000);
  const t0 = performance.now();
  await run(N);
  return Math.round(((performance.now() - t0) * 1000 * 100) / N) / 100;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-bench-dispatch-'));
  const iface: InterfaceConfig = {
    name: 'cs', kind: 'cs', host: '127.0.0.1', port: 0, maxFrame: 65536, maxConnections: 256, idleTimeoutMs: 60_000,
    frameTimeoutMs: 10_000, drainTimeoutMs: 30_000, requestTimeoutMs: 15_000, maxPipeline: 64, allow: [],
  };
  const store = await openStore(
    { type: 'sqlite', path: join(dir, 'b.db'), poolMax: 1, passwordStorage: 'scrypt', demoSubscribers: 0, demoSeed: 1 },
    pino({ level: 'silent' }),
  );
  const allLogs: Logs[] = [];
  const dispatcher = (requests: boolean) => {
    const logs = createLogs({ dir: join(dir, `logs-${requests}`), level: 'info', retentionDays: 30, requests }, { stderr: false });
    allLogs.push(logs);
    return new Dispatcher({ iface, handlers: HANDLERS, store, clock: systemClock, logs: logs.forInterface('cs') });
  };
  const withLogs = dispatcher(true);
  const noLogs = dispatcher(false);
  const frame = encodeRequest({ biz: 101, seq: 1, serial: 'BENCH', time: '20261122120000', operator: 'bench' }, [], {});
  const header = decodeHeader(frame);
  const decoder = new FrameDecoder({ maxFrame: 65536 });
  const origin = { conn: 1, peer: '127.0.0.1:5555' };
  const body = { database: 1, dialect: 'sqlite', serverTime: '20261122120000' };
  const out = {
    bench: 'dispatch',
    unit: 'µs per CS-01 request',
    baselineYield: await perRequest(() => undefined),
    frameDecoder: await perRequest(() => decoder.push(frame)),
    decodeHeader: await perRequest(() => decodeHeader(frame)),
    encodeResponse: await perRequest(() => encodeResponse(header, 0, '成功', CONNECTION_CHECK.response, body, '20261122120000')),
    storePing: await perRequest(() => store.ping()),
    dispatchNoRequestLogs: await perRequest(() => noLogs.dispatch(header, frame, origin)),
    dispatchWithRequestLogs: await perRequest(() => withLogs.dispatch(header, frame, origin)),
  };
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  for (const l of allLogs) await l.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

main().catch((err) => {
  process.stderr.write(String(err?.stack ?? err) + '\n');
  process.exit(1);
});
