// OP-04: `bssgate status [host:port]` — the health and the key metrics for a person, from the
// admin listener of a running gateway; exit 0 ready, 2 not ready, 1 unreachable.
import { spawn } from 'node:child_process';
import { renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import t from 'tap';
import { BssClient } from '../../src/client.js';
import { adminTarget } from '../../src/cli.js';
import { formatStatus, httpGet, parsePrometheusText, quantile } from '../../src/status.js';
import http from 'node:http';
import { freePort, startOpsGateway, until } from '../helpers/ops-gateway.js';

const CLI = resolve(import.meta.dirname, '../../dist/src/cli.js');

/** Run the CLI as a process, without blocking this process (which serves the gateway it asks). */
function status(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [CLI, 'status', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => c.kill('SIGKILL'), 20_000);
    c.on('error', reject);
    c.on('close', (code) => {
      clearTimeout(timer);
      resolve({ status: code, stdout, stderr });
    });
  });
}

t.test('OP-04 bssgate status prints readiness, interfaces and request counts; exit 0 when ready', async (t) => {
  const g = await startOpsGateway(t, { name: 'sqlite' });
  const c = await BssClient.connect({ host: '127.0.0.1', port: g.port, timeoutMs: 5000 });
  for (let i = 0; i < 5; i++) await c.call(101);
  await c.call(65000);
  await c.close();
  const r = await status(`127.0.0.1:${g.adminPort}`);
  t.equal(r.status, 0, `exit 0 ${r.stderr}`);
  t.match(r.stdout, new RegExp(`^bssgate \\S+ at 127\\.0\\.0\\.1:${g.adminPort}: READY$`, 'm'));
  t.match(r.stdout, /database\s+answering/);
  // The interface row: name, address, listening, open, accepted, requests (6), errors (the 1003).
  t.match(r.stdout, new RegExp(`^\\s+cs\\s+127\\.0\\.0\\.1:${g.port}\\s+yes\\s+0\\s+1\\s+6\\s+1\\s`, 'm'));
  t.match(r.stdout, /return codes 0: 5, 1003: 1/);
  t.match(r.stdout, /refusals\s+limit 0, allowlist 0/);
  t.match(r.stdout, /scanner\s+not running/);

  // The same through -c FILE: the [admin] of an INI file names the listener.
  const ini = join(g.dir, 'h.ini');
  writeFileSync(ini, `[interface.cs]\nport = ${g.port + 1 === g.adminPort ? g.port + 2 : g.port + 1}\n[admin]\nenabled = true\nport = ${g.adminPort}\n`);
  const viaConfig = await status('-c', ini);
  t.equal(viaConfig.status, 0, `-c: exit 0 ${viaConfig.stderr}`);
  t.match(viaConfig.stdout, /READY/);

  // Not ready: the database file goes away → exit 2, the reason printed.
  const file = g.running.config.database.path!;
  renameSync(file, `${file}.moved`);
  t.teardown(() => renameSync(`${file}.moved`, file));
  t.ok(await until(async () => (await g.get('/health/ready')).status === 503, 15_000), 'not ready');
  const nr = await status(`127.0.0.1:${g.adminPort}`);
  t.equal(nr.status, 2, 'exit 2 when not ready');
  t.match(nr.stdout, /: NOT READY$/m);
  t.match(nr.stdout, /^\s+! database not answering/m);
});

t.test('OP-04 bssgate status: unreachable → exit 1 with a message; a target that is not host:port is refused', async (t) => {
  const port = await freePort();
  const r = await status(`127.0.0.1:${port}`);
  t.equal(r.status, 1);
  t.match(r.stderr, new RegExp(`cannot reach the admin listener at 127\\.0\\.0\\.1:${port}`));
  t.throws(() => adminTarget('somewhere', []), /is not host:port/);
  // Issue 18: no default target (a forgotten option must not reach someone else's gateway on 9930).
  t.throws(() => adminTarget(undefined, []), /give the admin listener as host:port .* or -c FILE/);
  t.same(adminTarget('localhost:9931', []), { host: '127.0.0.1', port: 9931, source: 'the command line' });
});

t.test('OP-04 status percentiles follow histogram_quantile; the report is built from the samples', async (t) => {
  const b = [
    { le: 0.001, count: 50 },
    { le: 0.01, count: 90 },
    { le: 0.1, count: 100 },
    { le: Infinity, count: 100 },
  ];
  t.equal(quantile(0.5, b), 0.001, 'the median at the first bucket bound');
  t.ok(Math.abs(quantile(0.9, b)! - 0.01) < 1e-12, 'p90 at the second bound');
  t.ok(Math.abs(quantile(0.95, b)! - 0.055) < 1e-12, 'p95 interpolated inside the third bucket');
  t.equal(quantile(0.5, [{ le: Infinity, count: 0 }]), undefined, 'no observations: no estimate');
  const text = formatStatus(
    'h:1',
    { ready: false, stopping: true, database: { up: true }, interfaces: [{ name: 'card', host: '0.0.0.0', port: 7995, listening: false }], reasons: ['stopping: x'] },
    parsePrometheusText('bssgate_requests_total{iface="card",biz="301",fn="card-verify",code="2002"} 4\nbssgate_scanner_running 1\nbssgate_scanner_queue_depth{state="queued"} 3\nbssgate_scanner_oldest_queued_seconds 75\n'),
  );
  t.match(text, /NOT READY\n\s+! stopping: x/);
  t.match(text, /card\s+0\.0\.0\.0:7995\s+NO\s+0\s+0\s+4\s+4/);
  t.match(text, /scanner\s+queue queued 3; oldest waiting 1m 15s/);
});

// The status command's GET opened no connection of its own: Node's global agent kept the socket
// alive, and a second GET on that socket just as the admin listener closed it after its
// keepAliveTimeout failed with "socket hang up" (seen under load in the README test). Each GET now
// has its own connection: two GETs, two connections, none left open.
t.test('OP-04 status: every admin GET has a connection of its own (no kept-alive socket to race the listener\'s keepAliveTimeout)', async (t) => {
  let connections = 0;
  const server = http.createServer((_req, res) => res.end('ok'));
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const port = (server.address() as { port: number }).port;
  t.equal((await httpGet('127.0.0.1', port, '/a')).body, 'ok');
  t.equal((await httpGet('127.0.0.1', port, '/b')).body, 'ok');
  t.equal(connections, 2, 'two GETs, two connections');
  t.ok(await until(() => new Promise((r) => server.getConnections((_e, n) => r(n === 0))), 10_000), 'the client closed both');
});
