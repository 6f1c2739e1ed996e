// OP-04: the [admin] section — off by default, loopback by default when on, never on a business
// port, every bad value refused naming file, section and key.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { loadConfig } from '../../src/config/load.js';
import { CONFIG_KEYS, DEFAULT_ADMIN_ALLOW, DEFAULT_ADMIN_PORT } from '../../src/config/keys.js';
import { ConfigError } from '../../src/config/types.js';

const dir = mkdtempSync(join(tmpdir(), 'bssgate-admin-cfg-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function ini(text: string): string {
  const f = join(dir, `c${++n}.ini`);
  writeFileSync(f, text);
  return f;
}
const CS = '[interface.cs]\nport = 19921\n';

function refused(t: Test, files: string[]): ConfigError {
  try {
    loadConfig(files, {});
  } catch (err) {
    t.type(err, ConfigError);
    return err as ConfigError;
  }
  t.fail('expected a ConfigError');
  return new ConfigError('', '', '', '');
}

t.test('OP-04 [admin] is off unless enabled; on, it defaults to 127.0.0.1:9930, loopback only', async (t) => {
  const off = loadConfig([ini(CS)], {});
  t.equal(off.admin?.enabled, false, 'a legacy file without [admin]: no admin listener');
  const on = loadConfig([ini(`${CS}[admin]\nenabled = true\n`)], {});
  t.match(on.admin, { enabled: true, host: '127.0.0.1', port: DEFAULT_ADMIN_PORT });
  t.same(on.admin!.allow, ['127.0.0.0/8', '::1']);
  const set = loadConfig([ini(`${CS}[admin]\nenabled = yes\nhost = 0.0.0.0\nport = 19930\nallow = 10.0.0.0/8, 192.168.3.7\n`)], {});
  t.match(set.admin, { enabled: true, host: '0.0.0.0', port: 19930, allow: ['10.0.0.0/8', '192.168.3.7'] });
});

t.test('OP-04 [admin] is never on a business port', async (t) => {
  const f = ini(`${CS}[admin]\nenabled = true\nport = 19921\n`);
  const e = refused(t, [f]);
  t.equal(e.section, 'admin');
  t.equal(e.key, 'port');
  t.match(e.message, /is the port of \[interface\.cs\] 127\.0\.0\.1:19921/);
  // A wildcard on either side overlaps every address.
  t.match(refused(t, [ini(`[interface.cs]\nhost = 0.0.0.0\nport = 19921\n[admin]\nenabled = true\nport = 19921\n`)]).message, /never on a business port/);
  // The same port on another address is not a conflict; a disabled admin section is not checked.
  t.equal(loadConfig([ini(`${CS}[admin]\nenabled = true\nhost = 127.0.0.2\nport = 19921\n`)], {}).admin!.port, 19921);
  t.equal(loadConfig([ini(`${CS}[admin]\nenabled = false\nport = 19921\n`)], {}).admin!.enabled, false);
  // Across files: the interface in one file, [admin] in another.
  const e2 = refused(t, [ini(CS), ini(`[admin]\nenabled = true\nport = 19921\n`)]);
  t.match(e2.message, /\[admin\] port/);
});

t.test('OP-04 [admin] bad values are refused naming file, section and key', async (t) => {
  for (const [line, key, what] of [
    ['port = 99999', 'port', /is not a port/],
    ['port = 0', 'port', /is not a port/],
    ['enabled = maybe', 'enabled', /accepted: true \| false/],
    ['allow = 10.0.0.0/33', 'allow', /allow/],
    ['host = -bad-', 'host', /is not an IP address or host name/],
    ['bind = 127.0.0.1', 'bind', /unknown key.*accepted here: enabled, host, port, allow/],
  ] as const) {
    const f = ini(`${CS}[admin]\n${line}\n`);
    const e = refused(t, [f]);
    t.equal(e.file, f, `${line}: the file`);
    t.equal(e.section, 'admin', `${line}: the section`);
    t.equal(e.key, key, `${line}: the key`);
    t.match(e.message, what, line);
  }
  t.match(refused(t, [ini(`${CS}[admim]\nenabled = true\n`)]).message, /did you mean \[admin\]/, 'a misspelt section');
  // Repeated across files with different values: refused like any shared section.
  t.match(refused(t, [ini(`${CS}[admin]\nport = 19930\n`), ini('[admin]\nport = 19931\n')]).message, /must have the same value/);
});

t.test('OP-04 the loaded [admin] defaults are the key table\'s documented defaults', async (t) => {
  const c = loadConfig([ini(CS)], {});
  const loaded: Record<string, unknown> = { enabled: c.admin!.enabled, host: c.admin!.host, port: c.admin!.port };
  const defs = CONFIG_KEYS.filter((k) => k.section === 'admin');
  t.same(defs.map((d) => d.key).sort(), ['allow', 'enabled', 'host', 'port'], 'the [admin] keys');
  for (const def of defs) {
    if (def.key === 'allow') {
      t.same(c.admin!.allow, [...DEFAULT_ADMIN_ALLOW], 'allow: loopback, as documented');
      t.match(def.default!, /loopback only \(127\.0\.0\.0\/8, ::1\)/);
      continue;
    }
    t.same(loaded[def.key], def.parse(def.default!), `${def.key}: default ${def.default}`);
  }
});
