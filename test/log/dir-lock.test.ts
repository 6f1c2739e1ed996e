// OP-01: one gateway per [log] dir. Two `bssgate serve` processes given the same log directory
// would write one posting journal and recover each other's lines into suc_query while both run;
// the second is refused at start, naming the file, [log] dir and the process that holds it. A lock
// left by a killed gateway is taken over; a lock of another host is refused.
import t from 'tap';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, freePort, root, serve } from '../helpers/serve.js';
import { LOCK_FILE } from '../../src/log/dir-lock.js';

const dir = mkdtempSync(join(tmpdir(), 'bssgate-loglock-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const logDir = join(dir, 'logs');
const lock = join(logDir, LOCK_FILE);

async function ini(name: string): Promise<string> {
  const f = join(dir, `${name}.ini`);
  writeFileSync(f, `[interface.cs]\nhost = 127.0.0.1\nport = ${await freePort()}\n\n[database]\ntype = sqlite\npath = ${join(dir, `${name}.db`)}\npassword_storage = plain\n\n[log]\ndir = ${logDir}\n`);
  return f;
}

t.test('OP-01: a second gateway on the same [log] dir is refused with file, [log] dir and the holder; a lock of a killed gateway is taken over', async (t) => {
  const a = await ini('a');
  const b = await ini('b');
  const first = await serve(a);
  t.teardown(() => first.stop());
  t.equal(readFileSync(lock, 'utf8'), `${first.child.pid} ${hostname()}\n`, 'the running gateway holds the lock: its pid and host');

  const second = spawnSync(process.execPath, [cli, 'serve', b], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  t.equal(second.status, 1, 'the second gateway exits 1');
  t.equal(second.stderr.trim().split('\n').length, 1, `one line: ${second.stderr}`);
  t.match(second.stderr, `bssgate: configuration error: ${b}: [log] dir: ${logDir} is in use by bssgate process ${first.child.pid} (${lock}): two gateways must not share a log directory`);
  t.notMatch(second.stderr, /\n\s+at /, 'no stack trace');
  t.equal(readFileSync(lock, 'utf8'), `${first.child.pid} ${hostname()}\n`, 'the lock is still the first gateway\'s');

  await first.stop();
  t.notOk(existsSync(lock), 'a gateway that stops removes its lock');

  // Killed: the lock stays behind, and the next start takes it over.
  const killed = await serve(b);
  killed.child.kill('SIGKILL');
  await killed.exited;
  t.ok(existsSync(lock), 'SIGKILL leaves the lock');
  const next = await serve(a);
  t.teardown(() => next.stop());
  t.equal(readFileSync(lock, 'utf8'), `${next.child.pid} ${hostname()}\n`, 'the lock of a dead process is taken over');
  await next.stop();
});

t.test('OP-01: a lock written by a gateway on another host (a shared mount) is refused, saying how to clear it', async (t) => {
  const a = await ini('c');
  writeFileSync(lock, '4242 other-host.example\n');
  t.teardown(() => rmSync(lock, { force: true }));
  const r = spawnSync(process.execPath, [cli, 'serve', a], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  t.equal(r.status, 1);
  t.match(r.stderr, `[log] dir: ${logDir} is in use by bssgate process 4242 on host other-host.example (${lock}): two gateways must not share a log directory`);
  t.match(r.stderr, /delete the file if that gateway is gone/);
});
