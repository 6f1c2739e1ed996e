// Issue 19: `bssgate call --framing <profile.json>` speaks a text framing profile to a gateway
// process (node dist/src/cli.js serve) whose interfaces are v1, h2 and bss86 on one database: the
// same request answers the same fields on each wire; a refusal exits 2 with its code; a profile
// that does not load, or a header field it does not have, exits 1 naming it, before connecting.
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, freePort, root, serve } from '../helpers/serve.js';
import { demoFixtures } from '../../src/store/demo.js';

t.setTimeout(360_000);

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`bssgate ${args.join(' ')}: no exit within 60 s`));
    }, 60_000);
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

t.test('issue 19 CS-14: bssgate call --framing h2 / bss86 answers what v1 answers; refusals exit 2; a bad profile or header field exits 1', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-callfr-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const [v1, h2, bss] = [await freePort(), await freePort(), await freePort()];
  const ini = join(dir, 'g.ini');
  const framing = (n: string) => join(root, 'config/framing', `${n}.json`);
  writeFileSync(
    ini,
    [
      '[interface.cs]', `port = ${v1}`,
      '[interface.cs_h2]', 'kind = cs', `port = ${h2}`, `framing = ${framing('h2')}`,
      '[interface.cs_bss]', 'kind = cs', `port = ${bss}`, `framing = ${framing('bss86')}`,
      '[database]', 'type = sqlite', `path = ${join(dir, 'g.db')}`, 'demo_subscribers = 20', 'demo_seed = 1',
      '[log]', `dir = ${join(dir, 'logs')}`, '',
    ].join('\n'),
  );
  const g = await serve(ini, 120_000);
  t.teardown(() => g.stop());
  const svcnum = demoFixtures(1).first.svcnum;
  const json = (s: string) => JSON.parse(s) as { result: number; body: unknown; serial: string };

  const a = await run(['call', `127.0.0.1:${v1}`, 'balance', `svcnum=${svcnum}`, '--json']);
  t.equal(a.code, 0, a.stderr);
  const b = await run(['call', `127.0.0.1:${h2}`, 'balance', `svcnum=${svcnum}`, '--json', '--framing', framing('h2')]);
  t.equal(b.code, 0, b.stderr);
  const c = await run(['call', `127.0.0.1:${bss}`, 'balance', `svcnum=${svcnum}`, '--json', '--framing', framing('bss86'), '--serial', 'CLI19BAL', '--header', `phone=${svcnum}`, 'office=F010ZB']);
  t.equal(c.code, 0, c.stderr);
  t.strictSame(json(b.stdout).body, json(a.stdout).body, 'h2: the v1 body');
  t.strictSame(json(c.stdout).body, json(a.stdout).body, 'bss86: the v1 body');
  t.equal(json(c.stdout).serial, 'CLI19BAL', 'bss86 echoes the serial');

  const none = await run(['call', `127.0.0.1:${h2}`, 'balance', 'svcnum=13900000000', '--framing', framing('h2')]);
  t.equal(none.code, 2, 'a refusal exits 2');
  t.match(none.stdout, /^result {3}2001 NO_SUBSCRIBER/m);

  const badProfile = await run(['call', `127.0.0.1:${h2}`, 'balance', `svcnum=${svcnum}`, '--framing', framing('card-recharge')]);
  t.equal(badProfile.code, 1);
  t.match(badProfile.stderr, /card-recharge\.json: \$\.header\[8\]\.role: check codes/, 'the profile file and JSON path');

  const badField = await run(['call', `127.0.0.1:${bss}`, 'balance', `svcnum=${svcnum}`, '--framing', framing('bss86'), '--header', 'nope=1']);
  t.equal(badField.code, 1);
  t.match(badField.stderr, /profile bss86 has no header field "nope"/);

  const noSerial = await run(['call', `127.0.0.1:${h2}`, 'balance', `svcnum=${svcnum}`, '--framing', framing('h2'), '--serial', 'X1']);
  t.equal(noSerial.code, 1);
  t.match(noSerial.stderr, /profile h2 has no serial field/);
});
