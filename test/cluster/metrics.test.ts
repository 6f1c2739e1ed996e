// OP-04 with several workers (node:cluster): the primary's /metrics is the sum over the workers,
// and /health/ready is 200 only while every expected worker runs and reports ready. This is the
// contract the [server] workers = N primary uses (src/metrics.ts, top).
import cluster, { type Worker } from 'node:cluster';
import { resolve } from 'node:path';
import pino from 'pino';
import t from 'tap';
import { BssClient } from '../../src/client.js';
import { clusterAdminSources, startAdmin } from '../../src/admin.js';
import { httpGet, parsePrometheusText } from '../../src/status.js';
import { registerScannerStats } from '../../src/metrics.js';
import { until, value } from '../helpers/ops-gateway.js';

t.test('OP-04 cluster: metrics aggregated over two workers; readiness needs every worker', async (t) => {
  cluster.setupPrimary({ exec: resolve(import.meta.dirname, 'fixtures/metrics-worker.mjs'), execArgv: [], silent: true });
  const workers: Worker[] = [];
  t.teardown(() => {
    for (const w of workers) if (!w.isDead()) w.process.kill('SIGKILL');
  });
  // The workers run the compiled dist/ (npx tsc -p tsconfig.build.json).
  const ports = await Promise.all(
    [0, 1].map(() => {
      const w = cluster.fork();
      workers.push(w);
      return new Promise<number>((res, rej) => {
        const timer = setTimeout(() => rej(new Error('worker did not start within 40 s')), 40_000);
        w.on('message', (m: { type?: string; port?: number }) => {
          if (m?.type === 'port') {
            clearTimeout(timer);
            res(m.port!);
          }
        });
        w.once('exit', (code) => rej(new Error(`worker exited ${code}`)));
      });
    }),
  );
  const live = () => workers.filter((w) => w.isConnected() && !w.isDead()).length;
  const admin = await startAdmin(
    { enabled: true, host: '127.0.0.1', port: 0, allow: ['127.0.0.1'] },
    clusterAdminSources({ expectedWorkers: () => 2, liveWorkers: live }),
    pino({ level: 'silent' }),
  );
  t.teardown(() => admin.close());

  const counts = [3, 5];
  for (const [i, port] of ports.entries()) {
    const c = await BssClient.connect({ host: '127.0.0.1', port, timeoutMs: 5000 });
    for (let k = 0; k < counts[i]; k++) t.equal((await c.call(101)).result, 0);
    await c.close();
  }
  // The scanner runs in the primary: its metrics are the primary's, not a sum over the workers.
  const unregister = registerScannerStats(() => ({
    owner: 'p', running: true, inFlight: 0, depth: { queued: 4, waiting: 0, sending: 1, oldestQueuedAgeMs: 2000, at: new Date() },
    executed: 1, failed: 0, retried: 0, waited: 0, takenBack: 0, lost: 0, bySwitch: {},
  }));
  t.teardown(unregister);
  const m = await httpGet('127.0.0.1', admin.port, '/metrics');
  t.equal(m.status, 200);
  const s = parsePrometheusText(m.body);
  t.equal(value(s, 'bssgate_requests_total', { iface: 'cs', biz: '101', code: '0' }), 8, 'requests summed over the workers');
  t.equal(value(s, 'bssgate_request_duration_seconds_count', { iface: 'cs', biz: '101' }), 8, 'histograms summed');
  t.equal(value(s, 'bssgate_connections_accepted_total', { iface: 'cs' }), 2);
  t.equal(value(s, 'bssgate_ready'), 1, 'ready: the minimum over the workers');
  t.equal(s.filter((x) => x.name === 'bssgate_build_info').length, 1, 'build info once');
  t.equal(value(s, 'bssgate_scanner_queue_depth', { state: 'queued' }), 4, "the primary's scanner");
  t.equal(value(s, 'bssgate_scanner_running'), 1);
  const types = [...m.body.matchAll(/^# TYPE (\S+)/gm)].map((x) => x[1]);
  t.same(types.filter((n, i) => types.indexOf(n) !== i), [], 'every family once in the exposition');
  const ready = await httpGet('127.0.0.1', admin.port, '/health/ready');
  t.equal(ready.status, 200, `ready ${ready.body}`);

  workers[1].process.kill('SIGKILL');
  t.ok(await until(async () => live() === 1, 5000), 'one worker gone');
  const nr = await httpGet('127.0.0.1', admin.port, '/health/ready');
  t.equal(nr.status, 503, 'not ready with a worker missing');
  t.match(JSON.parse(nr.body).reasons.join(' '), /1 of 2 workers running/);
  workers[0].send({ type: 'stop' });
  await until(async () => workers[0].isDead(), 10_000);
});
