// OC-01/OC-02, issue 13 (defect 8): a `switch_type` that names no template of SWITCH_INS_MODEL
// (a misspelt type) stops the start — `bssgate scan --once` and `bssgate serve` — with one line
// naming the file, the section and the key, exit status 1; it does not fail every command of that
// switch at run time. The correctly spelt type still runs.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const cli = join(root, 'dist/src/cli.js');

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

t.test('OC-01 issue 13 (defect 8): a misspelt switch_type stops `bssgate scan` and `bssgate serve` with file, section and key', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bsg-swtype-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const ini = async (name: string, switchType: string): Promise<string> => {
    const file = join(dir, name);
    writeFileSync(
      file,
      [
        '[interface.cs]', 'host = 127.0.0.1', `port = ${await freePort()}`, '',
        '[database]', 'type = sqlite', 'path = data/swtype.db', 'demo_subscribers = 0', '',
        '[log]', 'dir = logs', '',
        '[admin]', 'enabled = false', '',
        '[switch.g-xining]', 'kind = file', 'regions = *', 'net_types = G', `switch_type = ${switchType}`, 'command_dir = con', 'result_dir = res', 'simulator = true', '',
      ].join('\n'),
    );
    return file;
  };
  const bad = await ini('bad.ini', 'ERI_HRL');
  const good = await ini('good.ini', 'ERI_HLR');
  const line = (s: string) => s.trim().split('\n');
  const expected = `bssgate: configuration error: ${bad}: [switch.g-xining] switch_type: "ERI_HRL" has no command templates in SWITCH_INS_MODEL (did you mean ERI_HLR?)`;

  // serve creates the database (schema and reference rows), then refuses to start the scanner.
  const serve = run(['serve', bad]);
  t.equal(serve.status, 1, `serve exits 1 (stderr: ${serve.stderr.slice(0, 400)})`);
  t.equal(line(serve.stderr).length, 1, 'one line on stderr, no stack trace');
  t.ok(serve.stderr.startsWith(expected), `names file, section and key: ${serve.stderr.trim()}`);
  t.notMatch(serve.stderr, /\n\s+at /, 'no stack trace');

  const scan = run(['scan', '--once', bad]);
  t.equal(scan.status, 1, `scan --once exits 1 (stderr: ${scan.stderr.slice(0, 400)})`);
  t.equal(line(scan.stderr).length, 1, 'one line on stderr');
  t.ok(scan.stderr.startsWith(expected), `names file, section and key: ${scan.stderr.trim()}`);
  t.match(scan.stderr, /accepted: a SWITCHTYPE of the database's templates \(.*ERI_HLR.*\)/, 'and lists the switch types the table has');

  const ok = run(['scan', '--once', good]);
  t.equal(ok.status, 0, `the correct switch_type runs (stderr: ${ok.stderr.slice(0, 400)})`);
  t.match(ok.stdout, /scanned once: \d+ claimed/);
});
