// OP-05 / OP-04, several hosts: real HAProxy (TCP mode, config/haproxy.cfg's cs part on ephemeral
// ports) in front of two gateway processes on 127.0.0.1 sharing one PostgreSQL database, checked
// on their admin port at /health/ready. One gateway is SIGKILLed while clients are busy: every
// request is still answered, through the other — a client re-sends what got no answer on a new
// connection (reads are safe to re-send).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import t from 'tap';
import { BssClient } from '../../src/client.js';
import { demoFixtures } from '../../src/store/demo.js';
import { httpGet, parsePrometheusText } from '../../src/status.js';
import { withTempDatabase } from '../store/contract-pg-helper.js';
import { freePort, until, value } from '../helpers/ops-gateway.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist/src/cli.js');
const CLIENTS = Number(process.env.BSSGATE_HAPROXY_CLIENTS ?? 6);
const REQUESTS = Number(process.env.BSSGATE_HAPROXY_REQUESTS ?? 150);

const haproxy = spawnSync('haproxy', ['-v'], { encoding: 'utf8' });
const pgUrl = process.env.BSSGATE_TEST_PG_URL;
const skip = haproxy.error
  ? 'haproxy is not installed here (Debian: apt-get install haproxy; .ci/run installs it)'
  : !pgUrl
    ? 'several gateways share one PostgreSQL database: set BSSGATE_TEST_PG_URL'
    : false;

/**
 * config/haproxy.cfg with a foreground global section, only the cs frontend and backend, the
 * gateways' real ports, and checks every 200 ms instead of 2 s (so the test does not wait).
 */
export function testHaproxyConfig(frontPort: number, gateways: { port: number; admin: number }[]): string {
  const text = readFileSync(join(ROOT, 'config/haproxy.cfg'), 'utf8');
  const sections = new Map<string, string[]>();
  let current = '';
  for (const line of text.split('\n')) {
    if (/^\S/.test(line) && !line.startsWith('#')) {
      current = line.trim();
      sections.set(current, []);
    } else if (current && line.trim() !== '' && !line.trim().startsWith('#')) {
      sections.get(current)!.push(line);
    }
  }
  const need = (name: string) => {
    const s = sections.get(name);
    if (!s) throw new Error(`config/haproxy.cfg has no "${name}" section`);
    return s;
  };
  const defaults = need('defaults').map((l) => l.replace(/\binter 2s\b/, 'inter 200ms'));
  if (!defaults.some((l) => l.includes('inter 200ms'))) throw new Error('config/haproxy.cfg defaults: expected "inter 2s"');
  const front = need('frontend bssgate_cs').map((l) => l.replace(/^(\s*)bind \S+$/, `$1bind 127.0.0.1:${frontPort}`));
  const servers = need('backend bssgate_cs').filter((l) => /^\s*server /.test(l));
  if (servers.length !== gateways.length) throw new Error(`config/haproxy.cfg backend bssgate_cs: ${servers.length} servers, expected ${gateways.length}`);
  const back = need('backend bssgate_cs').map((l) => {
    const m = /^(\s*)server (\S+) \S+ (.*)$/.exec(l);
    if (!m) return l;
    const g = gateways[servers.indexOf(l)];
    return `${m[1]}server ${m[2]} 127.0.0.1:${g.port} ${m[3].replace(/\bport \d+/, `port ${g.admin}`)}`;
  });
  return [
    'global',
    '    maxconn 2000',
    'defaults',
    ...defaults.filter((l) => !/^\s*log /.test(l)),
    'frontend bssgate_cs',
    ...front,
    'backend bssgate_cs',
    ...back,
    '',
  ].join('\n');
}

t.test('OP-05 HAProxy in front of two gateways on one PostgreSQL: one SIGKILLed, every request still answered', { skip }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-haproxy-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const db = await withTempDatabase(t, pgUrl!, 'haproxy');
  const children: ChildProcess[] = [];
  t.teardown(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });
  const output = new Map<ChildProcess, string>();
  const launch = (cmd: string, args: string[]) => {
    const c = spawn(cmd, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    output.set(c, '');
    c.stdout!.on('data', (d) => output.set(c, output.get(c) + String(d)));
    c.stderr!.on('data', (d) => output.set(c, output.get(c) + String(d)));
    children.push(c);
    return c;
  };

  const gws: { port: number; admin: number; proc?: ChildProcess }[] = [];
  for (let i = 1; i <= 2; i++) {
    const g = { port: await freePort(), admin: await freePort() };
    const ini = join(dir, `gw${i}.ini`);
    writeFileSync(
      ini,
      [
        '[interface.cs]', 'host = 127.0.0.1', `port = ${g.port}`,
        '[database]', 'type = postgres', `url = ${db.url}`, 'pool_max = 4', 'demo_subscribers = 20', 'password_storage = plain',
        '[log]', `dir = ${join(dir, `logs${i}`)}`, 'stderr = false',
        '[admin]', 'enabled = true', 'host = 127.0.0.1', `port = ${g.admin}`, 'allow = 127.0.0.1',
        '[server]', 'shutdown_grace = 2s',
        '',
      ].join('\n'),
    );
    // One after the other: the first creates the schema and the demo data, the second finds them.
    const proc = launch(process.execPath, [CLI, 'serve', ini]);
    gws.push({ ...g, proc });
    const up = await until(async () => (await httpGet('127.0.0.1', g.admin, '/health/ready')).status === 200, 30_000, 200);
    t.ok(up, `gateway ${i} ready${up ? '' : `: ${output.get(proc)}`}`);
    if (!up) return;
  }

  const front = await freePort();
  const cfgFile = join(dir, 'haproxy.cfg');
  writeFileSync(cfgFile, testHaproxyConfig(front, gws));
  const check = spawnSync('haproxy', ['-c', '-f', cfgFile], { encoding: 'utf8' });
  t.equal(check.status, 0, `the derived configuration is valid ${check.stdout}${check.stderr}`);
  const hap = launch('haproxy', ['-db', '-f', cfgFile]);
  t.ok(
    await until(async () => {
      const c = await BssClient.connect({ host: '127.0.0.1', port: front, timeoutMs: 2000 });
      try {
        return (await c.call(101)).result === 0;
      } finally {
        await c.close(true);
      }
    }, 15_000, 200),
    `HAProxy forwards${hap.exitCode !== null ? `: ${output.get(hap)}` : ''}`,
  );

  const fx = demoFixtures(1).first;
  const direct = await BssClient.connect({ host: '127.0.0.1', port: gws[0].port });
  const first = await direct.call('balance', { svcnum: fx.svcnum });
  await direct.close();
  t.equal(first.result, 0, 'the balance read answers directly');
  const expected = JSON.stringify(first.body, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  let differing = 0;

  // Each client: REQUESTS calls on its own connection through HAProxy, alternating CS-01 and the
  // balance read; a call that gets no answer (connection cut) is re-sent on a new connection.
  let done = 0;
  let killedAt = -1;
  const victim = gws[0].proc!;
  const client = async (id: number) => {
    let conn: BssClient | undefined;
    let reconnects = 0;
    const answers: number[] = [];
    const deadline = Date.now() + 60_000;
    for (let i = 0; i < REQUESTS; ) {
      if (Date.now() > deadline) throw new Error(`client ${id}: not done within 60 s`);
      try {
        conn ??= await BssClient.connect({ host: '127.0.0.1', port: front, timeoutMs: 3000, operator: `c${id}` });
        const r = i % 2 === 0 ? await conn.call(101) : await conn.call('balance', { svcnum: fx.svcnum });
        if (r.result !== 0) throw new Error(`client ${id} request ${i}: result ${r.result}`);
        if (i % 2 === 1 && JSON.stringify(r.body, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) !== expected) differing++;
        answers.push(i);
        i++;
        done++;
        if (done === Math.floor((CLIENTS * REQUESTS) / 3) && killedAt < 0) {
          killedAt = done;
          victim.kill('SIGKILL');
        }
      } catch (err) {
        if (err instanceof Error && /result \d+/.test(err.message)) throw err;
        // No answer: the connection died with the gateway. Re-send request i on a new one.
        reconnects++;
        await conn?.close(true).catch(() => undefined);
        conn = undefined;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    await conn?.close(true);
    return { answers, reconnects };
  };
  const results = await Promise.all(Array.from({ length: CLIENTS }, (_, id) => client(id)));

  t.equal(differing, 0, 'every balance read answered the same balance, whichever gateway answered');
  t.ok(killedAt > 0, `gateway 1 was killed after ${killedAt} answers`);
  await until(async () => victim.exitCode !== null || victim.signalCode !== null, 5000);
  t.equal(victim.signalCode, 'SIGKILL', 'gateway 1 died of SIGKILL');
  for (const [id, r] of results.entries()) {
    t.same(r.answers, Array.from({ length: REQUESTS }, (_, i) => i), `client ${id}: every request answered once, in order (${r.reconnects} reconnects)`);
  }
  t.ok(results.some((r) => r.reconnects > 0), 'some clients were on the killed gateway and re-sent through the other');
  const m = parsePrometheusText((await httpGet('127.0.0.1', gws[1].admin, '/metrics')).body);
  const served2 = value(m, 'bssgate_requests_total', { iface: 'cs', code: '0' });
  t.ok(served2 > 0, `gateway 2 served ${served2} requests`);
  const ready2 = await httpGet('127.0.0.1', gws[1].admin, '/health/ready');
  t.equal(ready2.status, 200, 'gateway 2 still ready');
  t.equal(hap.exitCode, null, 'HAProxy still running');

  // Gateway 2 stops as systemd stops it (SIGTERM): readiness goes 503 so HAProxy would drain it,
  // and it exits 0.
  const g2 = gws[1].proc!;
  const exited = new Promise<number | null>((res) => g2.once('exit', (code) => res(code)));
  g2.kill('SIGTERM');
  const code = await exited;
  t.equal(code, 0, 'gateway 2 exits 0 after SIGTERM');
  if (code !== 0) t.comment(output.get(g2) ?? '');
  hap.kill('SIGTERM');
  await new Promise((r) => (hap.exitCode !== null || hap.signalCode !== null ? r(undefined) : hap.once('exit', r)));
});
