// Issue 19: `bssgate call --framing <profile.json>` (or `call <interface> -c ini`, taking the interface's framing) speaks a text framing profile to a gateway
// process (node dist/src/cli.js serve) whose interfaces are v1, h2 and bss86 on one database: the
// same request answers the same fields on each wire; a refusal exits 2 with its code; a profile
// that does not load, or a header field it does not have, exits 1 naming it, before connecting.
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, freePort, root, serve } from '../helpers/serve.js';
import { demoFixtures } from '../../src/store/demo.js';

t.setTimeout(360_000);

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BSSGATE_CHECK_KEY: '', ...env } });
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
  const [v1, h2, bss, card] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const KEY = '0123456789ABCDEFFEDCBA9876543210';
  writeFileSync(join(dir, 'rc.keys'), `* = ${KEY}\n`, { mode: 0o600 });
  const ini = join(dir, 'g.ini');
  const framing = (n: string) => join(root, 'config/framing', `${n}.json`);
  writeFileSync(
    ini,
    [
      '[interface.cs]', `port = ${v1}`,
      '[interface.cs_h2]', 'kind = cs', `port = ${h2}`, `framing = ${framing('h2')}`,
      '[interface.cs_bss]', 'kind = cs', `port = ${bss}`, `framing = ${framing('bss86')}`,
      '[interface.card_rc]', 'kind = card', `port = ${card}`, `framing = ${framing('card-recharge')}`, 'check_keys = rc.keys',
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

  const broken = JSON.parse(readFileSync(framing('card-recharge'), 'utf8')) as Record<string, unknown>;
  delete broken.check;
  writeFileSync(join(dir, 'broken.json'), JSON.stringify(broken));
  const badProfile = await run(['call', `127.0.0.1:${h2}`, 'balance', `svcnum=${svcnum}`, '--framing', join(dir, 'broken.json')]);
  t.equal(badProfile.code, 1);
  t.match(badProfile.stderr, /broken\.json: \$\.check: missing/, 'the profile file and JSON path');

  // card-recharge: the check code is made with BSSGATE_CHECK_KEY; without it the call is not sent.
  const rc = ['call', `127.0.0.1:${card}`, 'card-verify', `svcnum=${svcnum}`, `password=${demoFixtures(1).first.password}`, '--json', '--framing', framing('card-recharge')];
  const noKey = await run(rc);
  t.equal(noKey.code, 1);
  t.match(noKey.stderr, /profile card-recharge declares a check code \(3des-mac\): set BSSGATE_CHECK_KEY/);
  const signed = await run(rc, { BSSGATE_CHECK_KEY: KEY });
  t.equal(signed.code, 0, `signed with the client key: answered (${signed.stderr})`);
  t.equal(json(signed.stdout).result, 0);
  const wrong = await run(rc, { BSSGATE_CHECK_KEY: 'FEDCBA98765432100123456789ABCDEF' });
  t.equal(wrong.code, 1, 'another key: the reply (1011, signed with the configured key) does not verify');
  t.match(wrong.stderr, /check code that does not verify/);

  // An interface named from the INI speaks its own framing (no --framing): h2, and card-recharge
  // signed with BSSGATE_CHECK_KEY (the key file is the service's: a caller does not read it).
  const named = await run(['call', 'cs_h2', '-c', ini, 'balance', `svcnum=${svcnum}`, '--json']);
  t.equal(named.code, 0, named.stderr);
  t.strictSame(json(named.stdout).body, json(a.stdout).body, 'cs_h2 from the INI: h2, the v1 body');
  const namedRc = await run(['call', 'card_rc', '-c', ini, 'card-verify', `svcnum=${svcnum}`, `password=${demoFixtures(1).first.password}`, '--json'], { BSSGATE_CHECK_KEY: KEY });
  t.equal(namedRc.code, 0, `card_rc from the INI: card-recharge (${namedRc.stderr})`);
  const namedV1 = await run(['call', 'cs', '-c', ini, 'balance', `svcnum=${svcnum}`, '--json']);
  t.equal(namedV1.code, 0, namedV1.stderr);
  t.strictSame(json(namedV1.stdout).body, json(a.stdout).body, 'cs from the INI: v1');
  const headerOnV1 = await run(['call', 'cs', '-c', ini, 'balance', `svcnum=${svcnum}`, '--header', 'phone=1']);
  t.equal(headerOnV1.code, 1);
  t.match(headerOnV1.stderr, /--header is for a text framing profile/);

  const badField = await run(['call', `127.0.0.1:${bss}`, 'balance', `svcnum=${svcnum}`, '--framing', framing('bss86'), '--header', 'nope=1']);
  t.equal(badField.code, 1);
  t.match(badField.stderr, /profile bss86 has no header field "nope"/);

  const noSerial = await run(['call', `127.0.0.1:${h2}`, 'balance', `svcnum=${svcnum}`, '--framing', framing('h2'), '--serial', 'X1']);
  t.equal(noSerial.code, 1);
  t.match(noSerial.stderr, /profile h2 has no serial field/);
});
