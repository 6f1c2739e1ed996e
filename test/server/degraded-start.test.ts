// A database that does not answer at start must not stop the gateway (a supervisor would
// restart it in a loop): it serves, CS-01 reports 9001, and the log says why.
import t from 'tap';
import net from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway } from '../../src/serve.js';
import { BssClient } from '../../src/client.js';
import { testInterface } from '../helpers/gateway.js';

async function closedPort(): Promise<number> {
  return new Promise((res) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => res(p));
    });
  });
}

t.test('CS-01: a PostgreSQL that does not answer at start → the gateway serves and answers 9001', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-degraded-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const port = await closedPort();
  const running = await startGateway({
    files: [],
    interfaces: [testInterface()],
    database: {
      type: 'postgres',
      url: `postgres://postgres@127.0.0.1:${port}/nowhere`,
      poolMax: 2,
      passwordStorage: 'scrypt',
      demoSubscribers: 0,
      demoSeed: 1,
    },
    log: { dir: join(dir, 'logs'), level: 'info', retentionDays: 30, requests: true },
    shutdownGraceMs: 2_000,
  });
  t.teardown(() => running.stop());
  const c = await BssClient.connect({ port: running.bound[0].port });
  const r = await c.call('connection-check');
  t.equal(r.result, 9001);
  t.match(r.message, /数据库不可用/);
  await c.close();
  await running.logs.flush();
  const warn = readFileSync(join(dir, 'logs', 'warn.log'), 'utf8');
  t.match(warn, /database unavailable at start: serving, answering 9001/);
});
