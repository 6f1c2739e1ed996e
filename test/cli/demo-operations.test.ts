// Issue 18: what an operator runs after `npm start`. The demo (h.ini.example) serves [admin] on
// loopback and its banner prints the status, /health/ready and /metrics commands; those and the
// README's answer (OP-04). The CLI never guesses a file or a port, `-c` takes one file, `call -c`
// and `status -c` read addresses only, an error names where its target came from. Every port moves
// with BSSGATE_PORT_OFFSET / --port-offset, and a shifted port that cannot be used names the offset.
// Runs the built CLI (dist/) as real processes.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { cli, freePort, root, serve } from '../helpers/serve.js';
import { httpGet } from '../../src/status.js';
import { loadConfig } from '../../src/config/load.js';

t.setTimeout(360_000);

/** Every listening port of h.ini.example (interfaces, admin, simulated socket switches). */
const EXAMPLE_PORTS = [9921, 7995, 9923, 9925, 9930, 7101, 7102, 7103, 7104];

function isFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = net.createServer();
    s.once('error', () => res(false));
    s.listen(port, '127.0.0.1', () => s.close(() => res(true)));
  });
}

/** An offset that puts every port of the example on a free one. */
async function freeOffset(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const n = 20_000 + Math.floor(Math.random() * 30_000);
    if ((await Promise.all(EXAMPLE_PORTS.map((p) => isFree(p + n)))).every(Boolean)) return n;
  }
  throw new Error('no free port offset found');
}

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });
}

t.test('OP-04 issue 18: npm start\'s file serves [admin] on loopback; the legacy files in config/ leave it off', async (t) => {
  const demo = loadConfig([join(root, 'h.ini.example')], {});
  t.match(demo.admin, { enabled: true, host: '127.0.0.1', port: 9930 });
  const legacy = loadConfig(['h.ini', 'qhjfk.ini', 'print.ini', 'dxjk.ini'].map((f) => join(root, 'config', f)), {}, { addressesOnly: true });
  t.equal(legacy.admin?.enabled, false, 'a legacy INI file takes no port it did not name');
  t.match(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts.start, /serve -c h\.ini\.example$/);
});

t.test('OP-04 issue 18: the demo on shifted ports (BSSGATE_PORT_OFFSET): the banner\'s and README\'s status, health and metrics commands answer', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-ops-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'h.ini');
  copyFileSync(join(root, 'h.ini.example'), file); // the paths land in dir; the ports are not edited
  const n = await freeOffset();
  const gw = await serve(file, 120_000, { env: { BSSGATE_PORT_OFFSET: String(n) } });
  t.teardown(() => gw.stop());
  const banner = gw.banner;
  const admin = `127.0.0.1:${9930 + n}`;
  for (const p of [9921, 7995, 9923, 9925]) t.match(banner, `127.0.0.1:${p + n}`, `interface port ${p} shifted by ${n}`);
  t.match(banner, `shifted by +${n} (BSSGATE_PORT_OFFSET)`);
  t.match(banner, `Operations (admin listener ${admin}`);

  // The banner's commands, as printed.
  const statusLine = banner.split('\n').find((l) => / status 127\.0\.0\.1:\d+$/.test(l));
  t.ok(statusLine, 'a status command is printed');
  const st = spawnSync(process.execPath, statusLine!.trim().split(/\s+/).slice(1), { cwd: root, encoding: 'utf8', timeout: 60_000 });
  t.equal(st.status, 0, `the printed status command: ${st.stdout}${st.stderr}`);
  t.match(st.stdout, `at ${admin}: READY`);
  const urls = [...banner.matchAll(/curl (http:\/\/127\.0\.0\.1:(\d+)(\/\S+))/g)];
  t.same(urls.map((u) => u[3]).sort(), ['/health/ready', '/metrics']);
  for (const u of urls) {
    const r = await httpGet('127.0.0.1', Number(u[2]), u[3]);
    t.equal(r.status, 200, `${u[1]} answers 200`);
    t.match(r.body, u[3] === '/metrics' ? /^bssgate_build_info/m : /"ready":true/);
  }

  // The README's, with its ports shifted the same way.
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const shift = (l: string) => l.replace(/127\.0\.0\.1:9930/g, admin);
  const rStatus = readme.split('\n').filter((l) => /^node dist\/src\/cli\.js status 127\.0\.0\.1:9930\b/.test(l));
  const rCurl = readme.split('\n').filter((l) => /^curl http:\/\/127\.0\.0\.1:9930\//.test(l));
  t.ok(rStatus.length >= 1 && rCurl.length === 2, 'the README shows status, /health/ready and /metrics');
  for (const l of rStatus) {
    const r = spawnSync(process.execPath, shift(l.split('#')[0]).trim().split(/\s+/).slice(1), { cwd: root, encoding: 'utf8', timeout: 60_000 });
    t.equal(r.status, 0, `README: ${l.split('#')[0].trim()}: ${r.stderr}`);
  }
  for (const l of rCurl) {
    const u = new URL(shift(l.split('#')[0]).trim().split(/\s+/)[1]);
    t.equal((await httpGet(u.hostname, Number(u.port), u.pathname)).status, 200, `README: ${l.split('#')[0].trim()}`);
  }

  // Issue 18: the README's trace commands (start, list, off), with the copied file and the same offset.
  const rTrace = readme.split('\n').filter((l) => /^node dist\/src\/cli\.js trace /.test(l));
  t.equal(rTrace.length, 3, 'the README shows trace: start, list, off');
  for (const l of rTrace) {
    const args = l.split('#')[0].trim().split(/\s+/).slice(1).map((a) => (a === 'h.ini.example' ? file : a));
    const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: 60_000, env: { ...process.env, BSSGATE_PORT_OFFSET: String(n) } });
    t.equal(r.status, 0, `README: ${l.split('#')[0].trim()}: ${r.stdout}${r.stderr}`);
  }
  const traceLine = banner.split('\n').find((l) => / trace <number> --for 30m --admin 127\.0\.0\.1:\d+ /.test(l));
  t.ok(traceLine?.includes(`--admin ${admin}`), 'the banner prints the trace command with the admin address');

  // The same file and the same offset from the client side: -c with the environment or --port-offset.
  const viaEnv = run(['status', '-c', file], { BSSGATE_PORT_OFFSET: String(n) });
  t.equal(viaEnv.status, 0, `status -c with BSSGATE_PORT_OFFSET: ${viaEnv.stderr}`);
  const viaOpt = run(['call', 'cs', 'connection-check', '-c', file, '--port-offset', String(n)], { BSSGATE_PORT_OFFSET: '' });
  t.equal(viaOpt.status, 0, `call cs -c --port-offset: ${viaOpt.stderr}`);

  // Issue 18: call -c and status -c need host and port only: a postgres file without url is fine.
  const pg = join(dir, 'pg.ini');
  writeFileSync(pg, `[interface.cs]\nport = ${9921 + n}\n[database]\ntype = postgres\n[admin]\nenabled = true\nport = ${9930 + n}\n`);
  const noUrl = { BSSGATE_DB_URL: '', BSSGATE_PORT_OFFSET: '' };
  const pgCall = run(['call', 'cs', 'connection-check', '-c', pg], noUrl);
  t.equal(pgCall.status, 0, `call -c a postgres file without url: ${pgCall.stderr}`);
  t.equal(run(['status', '-c', pg], noUrl).status, 0, 'status -c a postgres file without url');

  // A shifted port already taken: the error names the file, section and the offset. (A log
  // directory of its own: the running demo holds its [log] dir, docs/logs.md.)
  const second = join(dir, 'h2.ini');
  writeFileSync(second, readFileSync(file, 'utf8').replace(/^dir = logs$/m, 'dir = logs-again'));
  const again = run(['serve', '-c', second, '--port-offset', String(n)]);
  t.equal(again.status, 1);
  t.match(again.stderr, new RegExp(`h2\\.ini: \\[(interface\\.\\w+|admin|switch\\.[\\w-]+)\\] port: cannot listen on 127\\.0\\.0\\.1:\\d+ \\(\\d+ \\+ --port-offset ${n}\\): address already in use`));
  await gw.stop();
});

t.test('issue 18: the CLI never guesses a file or a port; -c takes one file; errors name where a target came from', async (t) => {
  // The working directory holds h.ini.example: it is not read unless given.
  const call = run(['call', 'cs', 'connection-check']);
  t.equal(call.status, 1);
  t.match(call.stderr, /"cs" is not host:port, and no -c FILE names interfaces/);
  const status = run(['status']);
  t.equal(status.status, 1);
  t.match(status.stderr, /status: give the admin listener as host:port .* or -c FILE/);
  t.notMatch(status.stderr, /cannot reach/, 'nothing was contacted');
  for (const args of [['commands'], ['serve'], ['scan', '--once'], ['db', 'init'], ['lockout', 'clear', '13900000000'], ['report', 'card-payments']]) {
    const r = run(args);
    t.equal(r.status, 1, `${args.join(' ')} without a file exits 1`);
    t.match(r.stderr, /no configuration file given: configuration files are given with -c FILE/, `${args.join(' ')} says how to give one`);
  }
  // -c is not variadic: a second file after it is refused with the rule, not swallowed.
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-cli18-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const port = await freePort();
  const ini = join(dir, 'a.ini');
  writeFileSync(ini, `[interface.cs]\nport = ${port}\n`);
  const two = run(['call', 'cs', 'connection-check', '-c', ini, 'b.ini']);
  t.equal(two.status, 1);
  t.match(two.stderr, /"b\.ini" looks like a configuration file: -c takes one file; repeat it for several/);
  const cmds = run(['commands', '-c', ini, 'b.ini']);
  t.match(cmds.stderr, /"b\.ini" looks like a configuration file/);
  // Nothing listens there: the error says which file and section the address came from.
  const refused = run(['call', 'cs', 'connection-check', '-c', ini]);
  t.equal(refused.status, 1);
  t.match(refused.stderr, `cannot connect to 127.0.0.1:${port}`);
  t.match(refused.stderr, `("cs" from ${ini} [interface.cs])`);
  const direct = run(['call', `127.0.0.1:${port}`, 'connection-check']);
  t.match(direct.stderr, '(the address given on the command line)');
  writeFileSync(join(dir, 'adm.ini'), `[interface.cs]\nport = ${port}\n[admin]\nenabled = true\nport = ${port + 1 > 65535 ? port - 1 : port + 1}\n`);
  const st = run(['status', '-c', join(dir, 'adm.ini')]);
  t.equal(st.status, 1);
  t.match(st.stderr, `(from ${join(dir, 'adm.ini')} [admin])`);
});

t.test('issue 18: a port offset out of range or onto another listener is refused, naming the file, section and the offset', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-off-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const f = join(dir, 'h.ini');
  writeFileSync(f, '[interface.cs]\nport = 9921\n[admin]\nenabled = true\n');
  t.throws(() => loadConfig([f], { BSSGATE_PORT_OFFSET: '60000' }), { message: `${f}: [interface.cs] port: 9921 + BSSGATE_PORT_OFFSET 60000 = 69921 is not a port; accepted: every shifted port within 1–65535 (a smaller BSSGATE_PORT_OFFSET)` });
  t.throws(() => loadConfig([f], {}, { portOffset: '-9921' }), /\[interface\.cs\] port: 9921 - --port-offset 9921 = 0 is not a port/);
  t.throws(() => loadConfig([f], { BSSGATE_PORT_OFFSET: '1k' }), /BSSGATE_PORT_OFFSET: "1k" is not a port offset/);
  const c = loadConfig([f], { BSSGATE_PORT_OFFSET: '100' }, { portOffset: '5' });
  t.same([c.interfaces[0].port, c.admin?.port, c.portOffset], [9926, 9935, { value: 5, source: '--port-offset' }], 'the option wins over the environment');
  t.equal(loadConfig([f], { BSSGATE_PORT_OFFSET: '0' }).portOffset, undefined, '0: no shift');
  // A simulated switch listens here too: never on an interface's port (shifted or not).
  const sw = join(dir, 'sw.ini');
  writeFileSync(sw, '[interface.cs]\nport = 9921\n[switch.s]\nkind = socket\nsimulator = true\nregions = *\nnet_types = G\nswitch_type = HW\nhost = 127.0.0.1\nport = 9921\nuser = u\npassword = p\n');
  t.throws(() => loadConfig([sw], { BSSGATE_PORT_OFFSET: '7' }), /sw\.ini: \[switch\.s\] port: 9928 \(9921 \+ BSSGATE_PORT_OFFSET 7\) is the port of \[interface\.cs\] 127\.0\.0\.1:9928 \(9921 \+ BSSGATE_PORT_OFFSET 7\)/);
});
