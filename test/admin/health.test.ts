// OP-04 over real HTTP: /health/live, /health/ready and /metrics of a gateway started as `serve`
// starts it, after real requests over the wire; the allowlist, unknown paths and methods; OP-05's
// refusals counted where they are logged; readiness following the database away and back.
import { renameSync } from 'node:fs';
import http from 'node:http';
import pino from 'pino';
import t from 'tap';
import { BssClient } from '../../src/client.js';
import { adminSources, gatewaySource, startAdmin } from '../../src/admin.js';
import { registerGateway } from '../../src/metrics.js';
import { httpGet, parsePrometheusText } from '../../src/status.js';
import { connectRaw } from '../helpers/raw.js';
import { req, sleeper, SLEEP_BIZ } from '../helpers/handlers.js';
import { startTestGateway } from '../helpers/gateway.js';
import { HANDLERS } from '../../handlers/index.js';
import { backends, startOpsGateway, until, value } from '../helpers/ops-gateway.js';

const CS01 = 101;

for (const backend of backends()) {
  t.test(`OP-04 live, ready and metrics over HTTP after CS-01 requests [${backend.name}]`, async (t) => {
    const g = await startOpsGateway(t, backend);
    const live = await g.get('/health/live');
    t.equal(live.status, 200, '/health/live 200');
    t.match(live.type, /application\/json/);
    t.match(JSON.parse(live.body), { live: true, pid: process.pid });

    const ready = await g.get('/health/ready');
    t.equal(ready.status, 200, '/health/ready 200');
    const r = JSON.parse(ready.body);
    t.match(r, { ready: true, stopping: false, database: { up: true }, reasons: [] });
    t.same(r.interfaces, [{ name: 'cs', host: '127.0.0.1', port: g.port, listening: true }], 'the interface and its real port');

    const before = await g.samples();
    const N = 7;
    const client = await BssClient.connect({ host: '127.0.0.1', port: g.port, timeoutMs: 5000 });
    for (let i = 0; i < N; i++) t.equal((await client.call(CS01)).result, 0);
    t.equal((await client.call(65000)).result, 1003, 'an unknown business type is answered 1003');
    const during = await g.samples();
    await client.close();

    const m = await g.get('/metrics');
    t.equal(m.status, 200);
    t.match(m.type, /^text\/plain; version=0\.0\.4/, 'Prometheus text format');
    t.match(m.body, /^# HELP bssgate_requests_total /m);
    t.match(m.body, /^# TYPE bssgate_request_duration_seconds histogram$/m);
    const after = parsePrometheusText(m.body);
    const cs01 = { iface: 'cs', biz: '101', fn: 'connection-check', code: '0' };
    t.equal(value(after, 'bssgate_requests_total', cs01) - value(before, 'bssgate_requests_total', cs01), N, 'N CS-01 requests counted with code 0');
    const other = { iface: 'cs', biz: 'other', code: '1003' };
    t.equal(value(after, 'bssgate_requests_total', other) - value(before, 'bssgate_requests_total', other), 1, 'a code outside the table counts as biz="other"');
    const lat = { iface: 'cs', biz: '101' };
    t.equal(
      value(after, 'bssgate_request_duration_seconds_count', lat) - value(before, 'bssgate_request_duration_seconds_count', lat),
      N,
      'N latencies observed',
    );
    t.equal(
      value(after, 'bssgate_request_duration_seconds_bucket', { ...lat, le: '+Inf' }),
      value(after, 'bssgate_request_duration_seconds_count', lat),
      'the +Inf bucket holds every observation',
    );
    t.ok(value(after, 'bssgate_request_duration_seconds_sum', lat) > value(before, 'bssgate_request_duration_seconds_sum', lat), 'latency sum grew');
    t.equal(value(during, 'bssgate_connections_open', { iface: 'cs' }), 1, 'one connection open while the client is connected');
    t.ok(value(after, 'bssgate_connections_accepted_total', { iface: 'cs' }) - value(before, 'bssgate_connections_accepted_total', { iface: 'cs' }) >= 1);
    t.equal(value(after, 'bssgate_ready'), 1);
    t.equal(value(after, 'bssgate_database_up'), 1);
    t.equal(value(after, 'bssgate_interface_listening', { iface: 'cs', port: String(g.port) }), 1);
    t.equal(value(after, 'bssgate_stopping'), 0);
    t.ok(after.some((s) => s.name === 'nodejs_eventloop_lag_p99_seconds'), 'process metrics from prom-client');

    const head = await new Promise<{ status: number; len: string | undefined; body: string }>((resolve, reject) => {
      const rq = http.request({ host: '127.0.0.1', port: g.adminPort, path: '/health/ready', method: 'HEAD' }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, len: res.headers['content-length'], body }));
      });
      rq.on('error', reject);
      rq.end();
    });
    t.equal(head.status, 200, 'HEAD /health/ready');
    t.equal(head.body, '', 'HEAD has no body');

    const missing = await g.get('/nothing-here');
    t.equal(missing.status, 404, 'unknown path 404');
    t.match(JSON.parse(missing.body).error, /\/health\/live, \/health\/ready, \/metrics/);
    const post = await new Promise<number>((resolve, reject) => {
      const rq = http.request({ host: '127.0.0.1', port: g.adminPort, path: '/metrics', method: 'POST' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      rq.on('error', reject);
      rq.end();
    });
    t.equal(post, 405, 'POST 405');
  });
}

t.test('OP-04 / OP-05 refusals by cause are counted where they are logged', async (t) => {
  const g = await startOpsGateway(t, { name: 'sqlite' }, { interfaces: [{ maxConnections: 1 }] });
  const before = await g.samples();
  const first = await BssClient.connect({ host: '127.0.0.1', port: g.port, timeoutMs: 5000 });
  t.equal((await first.call(CS01)).result, 0);
  // The second connection is over the limit: answered 9003, closed, counted.
  const second = await connectRaw(g.port);
  const refusal = await second.waitResponses(1, 5000);
  t.equal(refusal[0].header.result, 9003);
  await second.closed;
  await first.close();
  // A frame whose length field is below the header's 56 bytes: framing lost, closed, counted.
  await until(async () => value(await g.samples(), 'bssgate_connections_open', { iface: 'cs' }) === 0, 5000);
  const bad = await connectRaw(g.port);
  const frame = Buffer.alloc(8);
  frame.writeUInt32BE(10, 0);
  await bad.write(frame);
  await bad.closed;
  // A frame with a readable header but version 2: answered 1002, closed, counted as bad_header.
  const wrong = await connectRaw(g.port);
  const f = req(CS01, 5);
  f.writeUInt8(2, 4);
  await wrong.write(f);
  await wrong.closed;
  const after = await g.samples();
  const d = (cause: string) => value(after, 'bssgate_refusals_total', { iface: 'cs', cause }) - value(before, 'bssgate_refusals_total', { iface: 'cs', cause });
  t.equal(d('limit'), 1, 'limit');
  t.equal(d('bad_frame'), 1, 'bad frame');
  t.equal(d('bad_header'), 1, 'bad header');
  t.equal(d('allowlist'), 0, 'no allowlist refusal');
  const err = (await g.running.logs.flush(), await import('../helpers/log-files.js')).familyLines;
  const lines = await err(g.running.config.log.dir, 'cs', 'err', new Date());
  t.ok(lines.some((l) => /too many connections/.test(l)), 'the limit refusal is logged too');
});

t.test('OP-04 the allowlist refuses others with 403, counted and logged', async (t) => {
  const tg = await startTestGateway();
  t.teardown(() => tg.stop());
  const unregister = registerGateway(gatewaySource(tg.gateway, tg.store));
  t.teardown(unregister);
  const lines: string[] = [];
  const log = pino({ level: 'info' }, { write: (s: string) => lines.push(s) });
  const admin = await startAdmin({ enabled: true, host: '127.0.0.1', port: 0, allow: ['10.1.2.3', '192.168.0.0/16'] }, adminSources(), log);
  t.teardown(() => admin.close());
  const open = await startAdmin({ enabled: true, host: '127.0.0.1', port: 0, allow: ['127.0.0.1'] }, adminSources(), log);
  t.teardown(() => open.close());
  const before = parsePrometheusText((await httpGet('127.0.0.1', open.port, '/metrics')).body);
  for (const path of ['/health/live', '/health/ready', '/metrics', '/nothing']) {
    const r = await httpGet('127.0.0.1', admin.port, path);
    t.equal(r.status, 403, `${path} refused 403 to 127.0.0.1`);
    t.notMatch(r.body, /bssgate_/, 'no metric leaks into the refusal');
  }
  const after = parsePrometheusText((await httpGet('127.0.0.1', open.port, '/metrics')).body);
  t.equal(value(after, 'bssgate_admin_refused_total') - value(before, 'bssgate_admin_refused_total'), 4, 'counted');
  const refused = lines.map((l) => JSON.parse(l)).filter((l) => l.msg?.includes('admin request refused'));
  t.equal(refused.length, 4, 'each refusal logged');
  t.match(refused[0], { peer: '127.0.0.1', path: '/health/live' });
});

t.test('OP-04 readiness is 503 (stopping) while the gateway drains after SIGTERM, the admin still answering', async (t) => {
  const tg = await startTestGateway({ handlers: [...HANDLERS, sleeper] });
  t.teardown(() => tg.stop());
  const unregister = registerGateway(gatewaySource(tg.gateway, tg.store));
  t.teardown(unregister);
  const admin = await startAdmin({ enabled: true, host: '127.0.0.1', port: 0, allow: ['127.0.0.1'] }, adminSources(), pino({ level: 'silent' }));
  t.teardown(() => admin.close());
  t.equal((await httpGet('127.0.0.1', admin.port, '/health/ready')).status, 200);
  const peer = await connectRaw(tg.port);
  await peer.write(req(SLEEP_BIZ, 1, { ms: 800, tag: 42 }));
  await new Promise((r) => setTimeout(r, 100));
  const stopping = tg.gateway.stop(5_000);
  const r = await httpGet('127.0.0.1', admin.port, '/health/ready');
  t.equal(r.status, 503, '503 while draining');
  const body = JSON.parse(r.body);
  t.match(body, { ready: false, stopping: true });
  t.match(body.reasons.join(' '), /stopping/);
  const m = parsePrometheusText((await httpGet('127.0.0.1', admin.port, '/metrics')).body);
  t.equal(value(m, 'bssgate_stopping'), 1);
  t.equal(value(m, 'bssgate_ready'), 0);
  const answers = await peer.waitResponses(1, 5000);
  t.equal(answers[0].header.result, 0, 'the request in flight is still answered');
  await stopping;
  t.equal((await httpGet('127.0.0.1', admin.port, '/health/live')).status, 200, 'live: the process still runs');
});

for (const backend of backends()) {
  t.test(`OP-04 readiness goes false when the database goes away and true when it returns [${backend.name}]`, async (t) => {
    const g = await startOpsGateway(t, backend);
    t.equal((await g.get('/health/ready')).status, 200, 'ready at first');
    const before = await g.samples();
    let restore: () => Promise<void>;
    if (backend.name === 'postgres') {
      // The database refuses new connections and its backends are cut: nothing answers.
      const pg = g.pg!;
      await pg.admin(`ALTER DATABASE ${pg.name} ALLOW_CONNECTIONS false`);
      await pg.admin('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [pg.name]);
      restore = async () => void (await pg.admin(`ALTER DATABASE ${pg.name} ALLOW_CONNECTIONS true`));
    } else {
      // The database file goes away (moved, as by a mistaken clean-up); the store notices.
      const file = g.running.config.database.path!;
      renameSync(file, `${file}.moved`);
      restore = async () => renameSync(`${file}.moved`, file);
    }
    let down: { status: number; body: string } | undefined;
    t.ok(
      await until(async () => {
        down = await g.get('/health/ready');
        return down.status === 503;
      }, 15_000),
      'readiness goes false',
    );
    const body = JSON.parse(down!.body);
    t.match(body, { ready: false, stopping: false, database: { up: false } });
    t.match(body.reasons.join(' '), /database not answering/);
    t.equal((await g.get('/health/live')).status, 200, 'still live: a supervisor must not restart it for this');
    const client = await BssClient.connect({ host: '127.0.0.1', port: g.port, timeoutMs: 5000 });
    t.equal((await client.call(CS01)).result, 9001, 'CS-01 answers 9001 meanwhile');
    const mid = await g.samples();
    t.equal(value(mid, 'bssgate_database_up'), 0, 'bssgate_database_up 0');
    t.equal(value(mid, 'bssgate_ready'), 0);
    await restore();
    t.ok(await until(async () => (await g.get('/health/ready')).status === 200, 20_000), 'readiness returns');
    t.ok(await until(async () => (await client.call(CS01)).result === 0, 10_000), 'CS-01 answers 0 again');
    await client.close();
    const after = await g.samples();
    t.equal(value(after, 'bssgate_database_up'), 1);
    t.ok(value(after, 'bssgate_database_outages_total') - value(before, 'bssgate_database_outages_total') >= 1, 'the outage is counted');
    t.ok(value(after, 'bssgate_database_reconnects_total') - value(before, 'bssgate_database_reconnects_total') >= 1, 'the reconnect is counted');
    t.equal(value(after, 'bssgate_requests_total', { iface: 'cs', biz: '101', code: '9001' }) - value(before, 'bssgate_requests_total', { iface: 'cs', biz: '101', code: '9001' }) >= 1, true, '9001 answers counted by code');
  });
}
