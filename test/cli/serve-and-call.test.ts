// The front door, as a newcomer runs it: `bssgate serve h.ini.example` (what `npm start` runs)
// creates the demo database, prints its ports and a ready-to-paste `call` command; that command
// answers; SIGTERM stops it cleanly and an immediate restart on the same ports works (PC-09).
// Runs the built CLI (dist/, built by `npm test`'s pretest) as a real process.
import t from 'tap';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import net from 'node:net';
import Database from 'better-sqlite3';
import { connectRaw } from '../helpers/raw.js';
import { encodeRequest } from '../../protocol/message.js';

const root = resolve(import.meta.dirname, '../..');
const cli = join(root, 'dist/src/cli.js');

async function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => res(p));
    });
  });
}

/** h.ini.example with its ports moved to free ones and its paths into a temp dir. */
async function exampleCopy(dir: string): Promise<{ file: string; ports: number[] }> {
  let text = readFileSync(join(root, 'h.ini.example'), 'utf8');
  const ports: number[] = [];
  for (const p of [9921, 7995, 9923, 9925]) {
    const np = await freePort();
    ports.push(np);
    text = text.replace(new RegExp(`^(\\s*port\\s*=\\s*)${p}\\b`, 'm'), `$1${np}`);
  }
  // The example's simulated socket switches (in-process, [switch.*] simulator = true) listen too:
  // move them as well, so that parallel test files never meet on a fixed port.
  for (const p of [7101, 7102, 7103, 7104, 9930]) {
    text = text.replace(new RegExp(`^(\\s*port\\s*=\\s*)${p}\\b`, 'm'), `$1${await freePort()}`);
  }
  const file = join(dir, 'h.ini');
  writeFileSync(file, text);
  return { file, ports };
}

function startServe(file: string): { child: ChildProcess; ready: Promise<string>; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [cli, 'serve', file], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const ready = new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`not ready in 120 s; stdout: ${out} stderr: ${err}`)), 120_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('Stop with')) {
        clearTimeout(timer);
        res(out);
      }
    });
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`exited ${code} before ready; stdout: ${out} stderr: ${err}`));
    });
  });
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  return { child, ready, exited };
}

// Many CLI processes, each a full Node start: on a loaded 2-core machine a start takes seconds,
// so the file gets more than tap's default 120 s (each child still has its own bounded timeout).
t.setTimeout(360_000);

t.test('CS-01 and PC-09: serve h.ini.example, run the printed call command, SIGTERM, restart at once', async (t) => {
  t.ok(existsSync(cli), 'dist/src/cli.js is built (npm test runs the build first)');
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const { file, ports } = await exampleCopy(dir);

  const first = startServe(file);
  t.teardown(() => first.child.kill('SIGKILL'));
  const banner = await first.ready;
  for (const p of ports) t.match(banner, `127.0.0.1:${p}`, `port ${p} listed`);
  const line = banner.split('\n').find((l) => l.includes(' call '));
  t.ok(line, 'a ready-to-paste call command is printed');
  const args = line!.trim().split(/\s+/);
  t.equal(args[0], 'node');
  const call = spawnSync(process.execPath, args.slice(1), { cwd: root, encoding: 'utf8', timeout: 30_000 });
  t.equal(call.status, 0, `the printed command succeeds: ${call.stderr}`);
  t.match(call.stdout, /^result\s+0 /m);
  t.match(call.stdout, /database\s+1/);
  t.ok(existsSync(join(dir, 'data', 'bssgate.db')), 'the demo database was created next to the ini file');
  // The banner's one call per interface for the demo subscriber it names: each answers 0, and
  // CS-14 answers the balance the database holds.
  const demoCalls = banner.split('\n').filter((l) => / call 127\.0\.0\.1:\d+ [a-z]/.test(l) && !l.includes('connection-check'));
  t.equal(demoCalls.length, 4, 'a demo call for each of the four interfaces');
  const db = new Database(join(dir, 'data', 'bssgate.db'), { readonly: true });
  t.teardown(() => db.close());
  for (const l of demoCalls) {
    const a = l.trim().split(/\s+/);
    const r = spawnSync(process.execPath, [...a.slice(1), '--json'], { cwd: root, encoding: 'utf8', timeout: 30_000 });
    t.equal(r.status, 0, `${a.slice(3).join(' ')}: ${r.stdout}${r.stderr}`);
    const reply = JSON.parse(r.stdout);
    if (reply.business === 'balance') {
      const svcnum = /svcnum=(\d+)/.exec(l)![1];
      const row = db.prepare('SELECT b.BALANCE AS b FROM ACCT_BALANCE b JOIN TAB_SUBSCRB s ON s.ACCTID = b.ACCTID WHERE s.SVCNUM = ? AND s.STATUS <> 5').get(svcnum) as { b: number };
      t.equal(reply.body.balance, String(row.b), 'CS-14 over the CLI: the balance the database holds');
    }
  }
  // The README's "one call per interface", as a newcomer pastes them (interface names → this
  // test's ports; the print example's cycle → last month's).
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const names = ['cs', 'card', 'print', 'sms'];
  const readmeCalls = readme.split('\n').filter((l) => /^node dist\/src\/cli\.js call (cs|card|print|sms) (?!connection-check)/.test(l));
  t.same([...new Set(readmeCalls.map((l) => l.split(/\s+/)[3]))].sort(), [...names].sort(), 'the README shows a call on every interface');
  t.ok(readmeCalls.some((l) => / emergency-suspend /.test(l)) && readmeCalls.some((l) => / payment /.test(l)), 'and the write examples (CS-21, PC-03)');
  const d = new Date();
  const last = new Date(d.getFullYear(), d.getMonth() - 1, 1);
  const lastCycle = `${last.getFullYear()}${String(last.getMonth() + 1).padStart(2, '0')}`;
  for (const l of readmeCalls) {
    const a = l.split('#')[0].trim().split(/\s+/).map((w) => w.replace(/^cycle=\d{6}$/, `cycle=${lastCycle}`));
    a[3] = `127.0.0.1:${ports[names.indexOf(a[3])]}`;
    const r = spawnSync(process.execPath, a.slice(1), { cwd: root, encoding: 'utf8', timeout: 30_000 });
    t.equal(r.status, 0, `README: ${l.split('#')[0].trim()}: ${r.stdout}${r.stderr}`);
    t.match(r.stdout, /^result\s+0 OK/m);
  }
  // The banner's second form, `npx bssgate call …`: its words run through the package's bin
  // (package.json "bin": dist/src/cli.js). That npx finds the bin is test/cli/prepare.test.ts's
  // (OP-01): two npx runs of one checkout at once, this one and that one in parallel, raced on
  // npm's cache (ENOENT …/_npx/<hash>/package.json, or an empty answer), so npx runs in one test.
  const npxLine = /npx (bssgate call [^)]+)\)/.exec(banner);
  t.ok(npxLine, 'the npx form is printed too');
  const words = npxLine![1].trim().split(/\s+/);
  t.equal(words[0], 'bssgate', 'it names the package\'s bin');
  const bin = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).bin.bssgate as string;
  const viaBin = spawnSync(process.execPath, [join(root, bin), ...words.slice(1)], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  t.equal(viaBin.status, 0, `bssgate call (the npx form's words) succeeds: ${viaBin.stderr}`);
  t.match(viaBin.stdout, /^result\s+0 /m);

  first.child.kill('SIGTERM');
  t.equal(await first.exited, 0, 'SIGTERM exits 0');

  // PC-09: no leftover state; the same ports at once.
  const second = startServe(file);
  t.teardown(() => second.child.kill('SIGKILL'));
  await second.ready;
  const json = spawnSync(process.execPath, [cli, 'call', `127.0.0.1:${ports[1]}`, 'connection-check', '--json'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 30_000,
  });
  t.equal(json.status, 0);
  const reply = JSON.parse(json.stdout);
  t.equal(reply.result, 0);
  t.equal(reply.body.dialect, 'sqlite');
  const unknown = spawnSync(process.execPath, [cli, 'call', `127.0.0.1:${ports[0]}`, '4242'], { cwd: root, encoding: 'utf8', timeout: 30_000 });
  t.equal(unknown.status, 2, 'a non-zero result exits 2');
  t.match(unknown.stdout, /^result\s+1003 UNKNOWN_BUSINESS/m);

  // SIGTERM with requests in flight: what the server has read is answered, in order, then the
  // close and exit 0. (Requests still in the kernel's buffer when reading stopped are not read:
  // the client sees the close and knows to resend them.)
  const peer = await connectRaw(ports[0]);
  const one = (seq: number) =>
    encodeRequest({ biz: 101, seq, serial: `T${seq}`, time: '20261122120000', operator: 'op' }, [], {});
  await peer.write(Buffer.concat(Array.from({ length: 3000 }, (_, i) => one(i + 1))));
  await peer.waitResponses(1, 10_000);
  second.child.kill('SIGTERM');
  await peer.closed;
  const seqs = peer.responses().map((r) => r.header.seq);
  t.same(seqs, Array.from({ length: seqs.length }, (_, i) => i + 1), `the ${seqs.length} answers are a gap-free prefix, in order`);
  t.equal(await second.exited, 0, 'SIGTERM with requests in flight exits 0');
  // Those already dispatched answer 0; frames read but not yet dispatched answer 9004, after them.
  const codes = peer.responses().map((r) => r.header.result);
  const firstRefused = codes.indexOf(9004);
  t.ok(codes.every((c, i) => (firstRefused === -1 || i < firstRefused ? c === 0 : c === 9004)), 'each 0, then only 9004 SHUTTING_DOWN');
});

t.test('PC-09: after SIGKILL (a crash) the gateway restarts on the same ports with no clean-up', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const { file, ports } = await exampleCopy(dir);
  const first = startServe(file);
  t.teardown(() => first.child.kill('SIGKILL'));
  await first.ready;
  first.child.kill('SIGKILL');
  await first.exited;
  const again = startServe(file);
  t.teardown(() => again.child.kill('SIGKILL'));
  await again.ready;
  const r = spawnSync(process.execPath, [cli, 'call', `127.0.0.1:${ports[2]}`, 'connection-check'], { cwd: root, encoding: 'utf8', timeout: 30_000 });
  t.equal(r.status, 0, 'answers after the crash and restart');
  t.match(r.stdout, /database\s+1/);
  again.child.kill('SIGTERM');
  t.equal(await again.exited, 0);
});

t.test('OP-01: db init --demo 2000, then serve: the banner announces the 2000 the database holds, and its calls answer', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const { file, ports } = await exampleCopy(dir);
  const init = spawnSync(process.execPath, [cli, 'db', 'init', '--demo', '2000', file], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  t.equal(init.status, 0, `db init --demo 2000: ${init.stderr}`);
  const run = startServe(file);
  t.teardown(() => run.child.kill('SIGKILL'));
  const text = await run.ready;
  t.match(text, /Demo data: 2000 subscribers \(seed 1\); e\.g\. \d+ with service password \d+\./, 'the size the database holds');
  t.notMatch(text, /10000/, 'not the configured demo_subscribers');
  const card = text.split('\n').find((l) => l.includes(` call 127.0.0.1:${ports[1]} card-verify `));
  t.ok(card, 'the card interface call with the printed password');
  const r = spawnSync(process.execPath, card!.trim().split(/\s+/).slice(1), { cwd: root, encoding: 'utf8', timeout: 30_000 });
  t.equal(r.status, 0, `the printed password is the database's: ${r.stdout}${r.stderr}`);
  t.match(r.stdout, /^result\s+0 /m);
  run.child.kill('SIGTERM');
  t.equal(await run.exited, 0);
});

t.test('bssgate call reports a refused connection with exit 1 and a clear message', async (t) => {
  const port = await freePort();
  const r = spawnSync(process.execPath, [cli, 'call', `127.0.0.1:${port}`, 'connection-check'], { cwd: root, encoding: 'utf8', timeout: 30_000 });
  t.equal(r.status, 1);
  t.match(r.stderr, /cannot connect to 127\.0\.0\.1:\d+/);
});

t.test('bssgate serve with a bad config names the file, section and key and exits 1', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'bad.ini');
  writeFileSync(file, '[interface.cs]\nport = 99x\n');
  const r = spawnSync(process.execPath, [cli, 'serve', file], { cwd: root, encoding: 'utf8', timeout: 30_000 });
  t.equal(r.status, 1);
  t.match(r.stderr, /bad\.ini/);
  t.match(r.stderr, /\[interface\.cs\]/);
  t.match(r.stderr, /port/);
});
