// Issue 19 check-code keys ([interface.x] check_keys, src/config/check-keys.ts): per-client keys
// from a key file only the service user can read, or from the environment (which wins); never from
// the INI. Each problem names the INI file, the section and the key, and never shows a key.
import t, { type Test } from 'tap';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/config/types.js';
import { checkKeyEnv } from '../../src/config/check-keys.js';

const KEY = '0123456789ABCDEFFEDCBA9876543210';
const OTHER = '00112233445566778899AABBCCDDEEFF';
const dir = mkdtempSync(join(tmpdir(), 'bssgate-keys-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
mkdirSync(join(dir, 'framing'));
copyFileSync(fileURLToPath(new URL('../../config/framing/card-recharge.json', import.meta.url)), join(dir, 'framing/card-recharge.json'));
copyFileSync(fileURLToPath(new URL('../../config/framing/h2.json', import.meta.url)), join(dir, 'framing/h2.json'));

let n = 0;
function ini(iface: string, extra = ''): string {
  const p = join(dir, `g${++n}.ini`);
  writeFileSync(p, `[interface.card]\nport = 19960\nframing = framing/card-recharge.json\n${iface}\n[client.hall]\nname = HALL\naddresses = 10.1.2.3\n${extra}[database]\ntype = sqlite\n`);
  return p;
}
function keyFile(name: string, text: string, mode: number): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  chmodSync(p, mode);
  return p;
}
function refused(t: Test, file: string, env: NodeJS.ProcessEnv = {}): ConfigError {
  try {
    loadConfig([file], env);
  } catch (err) {
    t.type(err, ConfigError);
    t.notMatch((err as Error).message, new RegExp(`${KEY}|${OTHER}`, 'i'), 'no key in the message');
    return err as ConfigError;
  }
  t.fail('expected a ConfigError');
  return new ConfigError('', '', '', '');
}

t.test('issue 19 check_keys: a 0600 key file gives each client its key; the environment wins; BSSGATE_CHECK_KEY is the unconfigured client *', async (t) => {
  const kf = keyFile('ok.keys', `# per-client keys\nHALL = ${KEY}\n* = ${OTHER}\n`, 0o600);
  const cfg = loadConfig([ini(`check_keys = ${kf}`)], {});
  const keys = cfg.interfaces[0].checkKeys!;
  t.equal(keys.get('HALL')?.toString('hex').toUpperCase(), KEY);
  t.equal(keys.get('*')?.toString('hex').toUpperCase(), OTHER);
  const env = loadConfig([ini(`check_keys = ${kf}`)], { [checkKeyEnv('HALL')]: OTHER }).interfaces[0].checkKeys!;
  t.equal(checkKeyEnv('HALL'), 'BSSGATE_CHECK_KEY_HALL');
  t.equal(checkKeyEnv('*'), 'BSSGATE_CHECK_KEY');
  t.equal(env.get('HALL')?.toString('hex').toUpperCase(), OTHER, 'the environment wins over the file');
  const only = loadConfig([ini('')], { BSSGATE_CHECK_KEY: KEY }).interfaces[0].checkKeys!;
  t.same([...only.keys()], ['*'], 'environment only');
  t.equal(keyFile('ro.keys', `HALL = ${KEY}\n`, 0o400) !== '', true);
  t.ok(loadConfig([ini(`check_keys = ${join(dir, 'ro.keys')}`)], {}).interfaces[0].checkKeys!.get('HALL'), '0400 is accepted too');
});

t.test('issue 19 check_keys: refused — a key file group or others can read, a missing file, an unknown client, a bad key, no key at all, check_keys without a check code', async (t) => {
  const loose = keyFile('loose.keys', `HALL = ${KEY}\n`, 0o640);
  const e1 = refused(t, ini(`check_keys = ${loose}`));
  t.match(e1.message, /\[interface\.card\] check_keys: .*loose\.keys is readable or writable by group or others \(mode 0640\).*chmod 600/);
  t.equal(e1.section, 'interface.card');
  t.equal(e1.key, 'check_keys');
  const world = keyFile('world.keys', `HALL = ${KEY}\n`, 0o604);
  t.match(refused(t, ini(`check_keys = ${world}`)).message, /mode 0604/);
  t.match(refused(t, ini(`check_keys = ${join(dir, 'none.keys')}`)).message, /none\.keys: cannot read: ENOENT/);
  const typo = keyFile('typo.keys', `HAL = ${KEY}\n`, 0o600);
  t.match(refused(t, ini(`check_keys = ${typo}`)).message, /typo\.keys line 1: no \[client\.<id>\] section covering interface\.card has name "HAL"/);
  const short = keyFile('short.keys', 'HALL = 0123456789ABCDEF\n', 0o600);
  t.match(refused(t, ini(`check_keys = ${short}`)).message, /line 1: the key of client "HALL" \(not shown\) is 8 bytes; 3des-mac takes 16/);
  const nothex = keyFile('nothex.keys', `HALL = ${KEY.slice(0, -1)}Z\n`, 0o600);
  t.match(refused(t, ini(`check_keys = ${nothex}`)).message, /not hexadecimal/);
  const noEq = keyFile('noeq.keys', `HALL ${KEY}\n`, 0o600);
  t.match(refused(t, ini(`check_keys = ${noEq}`)).message, /line 1: expected <client name> = <hex key>/);
  const none = refused(t, ini(''));
  t.match(none.message, /\[interface\.card\] check_keys: profile card-recharge declares a check code \(3des-mac\) and no key is configured.*BSSGATE_CHECK_KEY/);
  const badEnv = refused(t, ini(''), { BSSGATE_CHECK_KEY_HALL: 'xyz' });
  t.match(badEnv.message, /BSSGATE_CHECK_KEY_HALL.*not hexadecimal/);
  const p = join(dir, `h2.ini`);
  writeFileSync(p, `[interface.cs]\nport = 19961\nframing = framing/h2.json\ncheck_keys = ${join(dir, 'ok.keys')}\n[database]\ntype = sqlite\n`);
  t.match(refused(t, p).message, /\[interface\.cs\] check_keys: the interface's framing \(profile h2\) declares no check code/);
  const keyInIni = join(dir, 'inline.ini');
  writeFileSync(keyInIni, `[interface.card]\nport = 19962\nframing = framing/card-recharge.json\ncheck_key = ${KEY}\n[database]\ntype = sqlite\n`);
  t.match(refused(t, keyInIni).message, /check_key/, 'a key written in the INI is an unknown key, refused');
});

t.test('issue 19 docs/framing.md "Check codes": the documented refusals are the loader\'s words', async (t) => {
  const docText = readFileSync(fileURLToPath(new URL('../../docs/framing.md', import.meta.url)), 'utf8');
  const shown = docText.split('\n').find((l) => l.startsWith('g.ini: [interface.card] check_keys:'));
  t.ok(shown, 'the example line is in the page');
  const keysPath = '/etc/bssgate/keys/recharge.keys';
  const loose = keyFile('doc.keys', `HALL = ${KEY}\n`, 0o640);
  const p = join(dir, 'g.ini');
  writeFileSync(p, `[interface.card]\nport = 19963\nframing = framing/card-recharge.json\ncheck_keys = ${loose}\n[database]\ntype = sqlite\n`);
  const got = refused(t, p).message.split(dir).join('').replace(/^\/g\.ini/, 'g.ini').split('/doc.keys').join(keysPath);
  t.equal(got, shown, 'the example, paths aside');
  t.match(docText, /check_keys:\nprofile card-recharge declares a check code \(3des-mac\) and no key is configured …/);
});
