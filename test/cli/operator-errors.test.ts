// Issue 13, defect 9 (OP-01): operator mistakes tried as a new user would, with the built CLI.
// A directory the configuration names that cannot be created (under a regular file, under /proc),
// a database path that is a directory, a port already in use: each ends the command with exit 1
// and ONE line on stderr naming the INI file, the section and the key, and the OS reason; no
// stack trace, no banner, and no hang (every run is killed after RUN_LIMIT_MS and then fails).
// Before the fix: a [log] dir under a file ended in sonic-boom's ERR_OUT_OF_RANGE stack trace
// after the banner; under /proc serve printed its banner and spun at full CPU for ever (Node's
// recursive mkdir loops on procfs's ENOENT); a [database] path under a file gave a bare
// "EEXIST: file already exists, mkdir …"; under /proc it hung before listening; EADDRINUSE named
// [interface.cs] but not the file.
import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const cli = join(root, 'dist/src/cli.js');
/** A run that has not ended by then is a hang: killed, and the test fails. */
const RUN_LIMIT_MS = 30_000;
const onLinux = process.platform === 'linux';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  hung: boolean;
}

// A hung child must not outlive this file when tap stops it at its timeout (SIGTERM).
const live = new Set<ReturnType<typeof spawn>>();
process.once('SIGTERM', () => {
  for (const c of live) c.kill('SIGKILL');
  process.exit(1);
});

function run(args: string[], cwd: string): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    let stdout = '';
    let stderr = '';
    let hung = false;
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, RUN_LIMIT_MS);
    child.on('close', (code) => {
      live.delete(child);
      clearTimeout(timer);
      done({ code, stdout, stderr, hung });
    });
  });
}

function workDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-operr-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // A regular file to put directories under.
  writeFileSync(join(dir, 'afile'), 'not a directory\n');
  return dir;
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function takenPort(t: Test): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => s.close());
  return (s.address() as net.AddressInfo).port;
}

/** An INI with one cs interface; `extra` sections after it; [log]/[database] in `dir` unless given. */
function ini(dir: string, name: string, port: number, extra: string): string {
  const sections = extra.includes('[log]') ? '' : `[log]\ndir = ${join(dir, 'logs')}\n`;
  const db = extra.includes('[database]') ? '' : `[database]\npath = ${join(dir, 'gw.db')}\n`;
  const file = join(dir, name);
  writeFileSync(file, `[interface.cs]\nhost = 127.0.0.1\nport = ${port}\n${sections}${db}${extra}`);
  return file;
}

/** Exit 1, one stderr line naming file, [section] and key, the reason; no stack, no banner, no hang. */
function oneLine(t: Test, r: Run, file: string, section: string, key: string, reason: RegExp): void {
  t.notOk(r.hung, `ended within ${RUN_LIMIT_MS / 1000} s`);
  t.equal(r.code, 1, 'exit 1');
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  t.equal(lines.length, 1, `exactly one stderr line; got: ${JSON.stringify(r.stderr.slice(0, 600))}`);
  const line = lines[0] ?? '';
  t.ok(line.startsWith(`bssgate: configuration error: ${file}: [${section}] ${key}: `), `names file, [${section}] and ${key}: ${line}`);
  t.match(line, reason, 'with the reason');
  t.notMatch(r.stderr + r.stdout, /^\s+at /m, 'no stack frames');
  t.notMatch(r.stdout, /bssgate ready/, 'no banner: nothing started');
}

// Many CLI processes, each a full Node start: on a loaded 2-core machine a start takes seconds,
// so the file gets more than tap's default 120 s (each child still has its own bounded timeout).
t.setTimeout(360_000);

t.test('OP-01 issue 13 defect 9: [log] dir under a regular file: one line naming file, [log] dir and ENOTDIR (was an ERR_OUT_OF_RANGE stack trace)', async (t) => {
  const dir = workDir(t);
  const file = ini(dir, 'h.ini', await freePort(), `[log]\ndir = ${join(dir, 'afile', 'logs')}\n`);
  oneLine(t, await run(['serve', file], dir), file, 'log', 'dir', /afile is a file, not a directory \(ENOTDIR\)/);
});

t.test('OP-01 issue 13 defect 9: [log] dir that is a regular file: one line naming file, [log] dir', async (t) => {
  const dir = workDir(t);
  const file = ini(dir, 'h.ini', await freePort(), `[log]\ndir = ${join(dir, 'afile')}\n`);
  oneLine(t, await run(['serve', file], dir), file, 'log', 'dir', /is a file, not a directory \(ENOTDIR\)/);
});

t.test('OP-01 issue 13 defect 9: [log] dir under /proc ends (was a hang at full CPU after the banner)', { skip: !onLinux && 'needs procfs' }, async (t) => {
  const dir = workDir(t);
  const file = ini(dir, 'h.ini', await freePort(), '[log]\ndir = /proc/nope-bssgate/logs\n');
  oneLine(t, await run(['serve', file], dir), file, 'log', 'dir', /mkdir \/proc\/nope-bssgate: no such file or directory \(ENOENT\)/);
});

t.test('OP-01 issue 13 defect 9: [database] path under a regular file: serve and db init name file, [database] path (was a bare EEXIST mkdir)', async (t) => {
  const dir = workDir(t);
  const file = ini(dir, 'h.ini', await freePort(), `[database]\npath = ${join(dir, 'afile', 'x.db')}\n`);
  oneLine(t, await run(['serve', file], dir), file, 'database', 'path', /afile is a file, not a directory \(ENOTDIR\)/);
  oneLine(t, await run(['db', 'init', file], dir), file, 'database', 'path', /afile is a file, not a directory \(ENOTDIR\)/);
});

t.test('OP-01 issue 13 defect 9: [database] path under /proc ends (was a hang at full CPU in mkdir -p)', { skip: !onLinux && 'needs procfs' }, async (t) => {
  const dir = workDir(t);
  const file = ini(dir, 'h.ini', await freePort(), '[database]\npath = /proc/nope-bssgate/x.db\n');
  oneLine(t, await run(['serve', file], dir), file, 'database', 'path', /mkdir \/proc\/nope-bssgate: no such file or directory \(ENOENT\)/);
  oneLine(t, await run(['lockout', 'clear', '13900000000', '-c', file], dir), file, 'database', 'path', /\(ENOENT\)/);
});

t.test('OP-01 issue 13 defect 9: [database] path that is a directory: one line naming file, [database] path', async (t) => {
  const dir = workDir(t);
  mkdirSync(join(dir, 'adir'));
  const file = ini(dir, 'h.ini', await freePort(), `[database]\npath = ${join(dir, 'adir')}\n`);
  oneLine(t, await run(['serve', file], dir), file, 'database', 'path', /it is a directory/);
});

t.test('OP-01 issue 13 defect 9: an interface port in use names the file, [interface.cs] port and EADDRINUSE (the file was missing)', async (t) => {
  const dir = workDir(t);
  const file = ini(dir, 'h.ini', await takenPort(t), '');
  oneLine(t, await run(['serve', file], dir), file, 'interface.cs', 'port', /cannot listen on 127\.0\.0\.1:\d+: address already in use \(EADDRINUSE\)/);
});

t.test('OP-01 issue 13 defect 9: with workers = 2 a port in use is still one line (not one per worker)', async (t) => {
  const dir = workDir(t);
  const file = ini(dir, 'h.ini', await takenPort(t), '[server]\nworkers = 2\n');
  oneLine(t, await run(['serve', file], dir), file, 'interface.cs', 'port', /\(EADDRINUSE\)/);
});

t.test('OP-04 issue 13 defect 9: the [admin] port in use names the file, [admin] port and EADDRINUSE', async (t) => {
  const dir = workDir(t);
  const file = ini(dir, 'h.ini', await freePort(), `[admin]\nenabled = true\nport = ${await takenPort(t)}\n`);
  oneLine(t, await run(['serve', file], dir), file, 'admin', 'port', /address already in use \(EADDRINUSE\)/);
});

t.test('PC-07 issue 13 defect 9: [card] reconcile_dir / report_dir that cannot be created stop serve and reconcile before anything is applied', async (t) => {
  const dir = workDir(t);
  const port = await freePort();
  const drop = ini(dir, 'drop.ini', port, `[card]\nreconcile_dir = ${join(dir, 'afile', 'recon')}\n`);
  oneLine(t, await run(['serve', drop], dir), drop, 'card', 'reconcile_dir', /afile is a file, not a directory \(ENOTDIR\)/);
  const rep = ini(dir, 'rep.ini', port, `[card]\nreconcile_dir = ${join(dir, 'recon')}\nreport_dir = ${join(dir, 'afile', 'reports')}\n`);
  oneLine(t, await run(['serve', rep], dir), rep, 'card', 'report_dir', /\(ENOTDIR\)/);
  writeFileSync(join(dir, 'r.txt'), 'H|cardsys|20240101|0|0\n');
  oneLine(t, await run(['reconcile', join(dir, 'r.txt'), '-c', rep], dir), rep, 'card', 'report_dir', /\(ENOTDIR\)/);
});

t.test('OC-01 issue 13 defect 9: a simulated file switch whose command_dir is under /proc names [switch.hlr] command_dir (was a hang)', { skip: !onLinux && 'needs procfs' }, async (t) => {
  const dir = workDir(t);
  const sw = `[switch.hlr]\nkind = file\nsimulator = true\nregions = *\nnet_types = G\nswitch_type = ERI_HLR\ncommand_dir = /proc/nope-bssgate/con\nresult_dir = ${join(dir, 'res')}\n`;
  const file = ini(dir, 'h.ini', await freePort(), sw);
  oneLine(t, await run(['serve', file], dir), file, 'switch.hlr', 'command_dir', /\(ENOENT\)/);
  oneLine(t, await run(['scan', file], dir), file, 'switch.hlr', 'command_dir', /\(ENOENT\)/);
});
