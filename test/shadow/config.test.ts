// Issue 16: the shadow INI ([shadow.<name>], [admin], [log]) — errors name file, section and key.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { loadShadowConfig, readOnlyTypes } from '../../src/shadow/config.js';
import { ConfigError } from '../../src/config/types.js';
import { HANDLERS } from '../../handlers/index.js';

const dir = mkdtempSync(join(tmpdir(), 'bssgate-shadow-ini-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(text: string): string {
  const f = join(dir, `s${++n}.ini`);
  writeFileSync(f, text);
  return f;
}
const BASE = '[shadow.cs]\nlisten = 127.0.0.1:19921\nprimary = 10.0.0.5:9921\ncandidate = 127.0.0.1:29921\nreport_dir = rep\n';

t.test('issue 16: a minimal section: v1, every read-only type, report_dir beside the file', async (t) => {
  const cfg = loadShadowConfig([file(BASE)]);
  const sh = cfg.shadows[0];
  t.equal(sh.name, 'cs');
  t.equal(sh.framing.name, 'v1');
  t.same(sh.primary, { host: '10.0.0.5', port: 9921 });
  t.equal(sh.reportDir, join(dir, 'rep'));
  t.same(sh.mirror, readOnlyTypes());
  const writes = HANDLERS.filter((h) => h.write).map((h) => h.biz);
  t.ok(writes.length >= 9, 'the registry has write functions');
  for (const w of [...writes, 190]) t.notOk(sh.mirror.includes(w), `write type ${w} is not mirrored by default`);
  t.ok(sh.mirror.includes(114) && sh.mirror.includes(101), 'read-only types are');
});

t.test('issue 16: mirror by name, inventory ID and code; a write type is refused, saying why', async (t) => {
  t.same(loadShadowConfig([file(BASE + 'mirror = balance, CS-08 111\n')]).shadows[0].mirror, [108, 111, 114]);
  const f = file(BASE + 'mirror = balance payment\n');
  t.throws(() => loadShadowConfig([f]), { name: 'ConfigError', message: `${f}: [shadow.cs] mirror: payment (PC-03, 303) is a write function` });
  t.throws(() => loadShadowConfig([f]), /payment, a suspend or a switch command twice/);
  t.throws(() => loadShadowConfig([file(BASE + 'mirror = CS-21\n')]), /\[shadow\.cs\] mirror: emergency-suspend .* write/);
  t.throws(() => loadShadowConfig([file(BASE + 'mirror = lockout-clear\n')]), /mirror: lockout-clear .*changes the database/);
  t.throws(() => loadShadowConfig([file(BASE + 'mirror = balanse\n')]), /mirror: "balanse" is not a business type/);
});

t.test('issue 16: framing v1 or a text framing profile file (relative to the INI); a bad one names file, section, key', async (t) => {
  t.equal(loadShadowConfig([file(BASE + 'framing = v1\n')]).shadows[0].framing.name, 'v1');
  const profiles = fileURLToPath(new URL('../../config/framing/', import.meta.url));
  for (const name of ['h2', 'bss86', 'card-recharge']) {
    const sh = loadShadowConfig([file(BASE + `framing = ${join(profiles, `${name}.json`)}\n`)]).shadows[0];
    t.equal(sh.framing.name, name, `${name}.json loads`);
    t.equal(sh.framing.correlation, name === 'card-recharge' ? 'own-key' : 'order', `${name}: answers found by ${name === 'card-recharge' ? 'serial' : 'order'}`);
  }
  writeFileSync(join(dir, 'rel.json'), '{"name": "x"}');
  const f = file(BASE + 'framing = qhjfk-text\n');
  t.throws(() => loadShadowConfig([f]), { message: new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: \\[shadow\\.cs\\] framing: profile .*qhjfk-text`) });
  const g = file(BASE + 'framing = rel.json\n');
  t.throws(() => loadShadowConfig([g]), { message: new RegExp(`\\[shadow\\.cs\\] framing: profile ${join(dir, 'rel.json').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) }, 'relative to the INI file');
});

t.test('issue 16: missing, unknown and malformed keys and sections', async (t) => {
  t.throws(() => loadShadowConfig([file('[shadow.cs]\nlisten = 127.0.0.1:1\nprimary = 127.0.0.1:2\nreport_dir = r\n')]), /\[shadow\.cs\] candidate: is required/);
  t.throws(() => loadShadowConfig([file(BASE + 'secundary = 127.0.0.1:3\n')]), /\[shadow\.cs\] secundary: unknown key \(did you mean secondary\?\)/);
  t.throws(() => loadShadowConfig([file(BASE.replace('10.0.0.5:9921', '10.0.0.5'))]), /\[shadow\.cs\] primary: "10\.0\.0\.5" is not host:port/);
  t.throws(() => loadShadowConfig([file(BASE + '[database]\ntype = sqlite\n')]), /\[database\] unknown section; a shadow file accepts \[shadow\.<name>\], \[admin\] and \[log\]/);
  t.throws(() => loadShadowConfig([file(BASE.replace('29921', '9921').replace('10.0.0.5', '127.0.0.1'))]), /candidate: is the primary's address/);
  t.throws(() => loadShadowConfig([file(BASE + '[admin]\nenabled = true\n')]), /\[admin\] port: is required/);
  t.same(loadShadowConfig([file(BASE + '[admin]\nenabled = true\nport = 19990\n[log]\nlevel = warn\n')]).admin, { host: '127.0.0.1', port: 19990 });
  t.throws(() => loadShadowConfig([join(dir, 'nope.ini')]), ConfigError);
});

t.test('issue 16: the CLI refuses a bad shadow file with the message, exit 1, no stack trace', async (t) => {
  const f = file(BASE + 'mirror = payment\n');
  const r = spawnSync(process.execPath, ['dist/src/cli.js', 'shadow', f], { encoding: 'utf8', timeout: 60_000 });
  t.equal(r.status, 1);
  t.match(r.stderr, /^bssgate: configuration error: .*\[shadow\.cs\] mirror: payment/);
  t.notMatch(r.stderr, /\n\s+at /, 'no stack trace');
  // The one rule of the command line (README "Command line"): -c FILE, as every other command.
  const c = spawnSync(process.execPath, ['dist/src/cli.js', 'shadow', '-c', f], { encoding: 'utf8', timeout: 60_000 });
  t.equal(c.status, 1, 'shadow -c FILE reads the same file');
  t.match(c.stderr, /^bssgate: configuration error: .*\[shadow\.cs\] mirror: payment/);
  const none = spawnSync(process.execPath, ['dist/src/cli.js', 'shadow'], { encoding: 'utf8', timeout: 60_000 });
  t.equal(none.status, 1, 'no file: exit 1');
  t.match(none.stderr, /^bssgate: shadow: no configuration file given: configuration files are given with -c FILE/);
  t.notMatch(none.stderr, /\n\s+at /, 'no stack trace');
  const rep = spawnSync(process.execPath, ['dist/src/cli.js', 'shadow', 'report'], { encoding: 'utf8', timeout: 60_000 });
  t.equal(rep.status, 1, 'report without its directory: exit 1');
  t.match(rep.stderr, /usage: bssgate shadow report <report_dir>/);
});
