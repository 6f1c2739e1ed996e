import t from 'tap';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/load.js';
import { CONFIG_KEYS, DEFAULT_PORTS } from '../../src/config/keys.js';
import { ConfigError } from '../../src/config/types.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const FIX = join(ROOT, 'test/fixtures/config');
const fx = (name: string): string => join(FIX, name);
const NO_ENV = {};

/** The ConfigError a load throws; fails the test when it throws something else or nothing. */
function configError(t: Pick<typeof import('tap').default, 'type' | 'fail'>, files: string[], env: NodeJS.ProcessEnv = NO_ENV): ConfigError {
  try {
    loadConfig(files, env);
  } catch (err) {
    t.type(err, ConfigError, 'throws a ConfigError');
    return err as ConfigError;
  }
  t.fail(`expected ${files.join(' ')} to be refused`);
  return new ConfigError('', '', '', '');
}


t.test('OP-01: one file with one interface loads with every value parsed and relative paths resolved', async (t) => {
  const c = loadConfig([fx('good-cs.ini')], NO_ENV);
  t.equal(c.interfaces.length, 1);
  const cs = c.interfaces[0];
  t.match(cs, {
    name: 'cs', kind: 'cs', host: '127.0.0.1', port: 19921, maxFrame: 1024 * 1024, maxConnections: 256,
    idleTimeoutMs: 90_000, frameTimeoutMs: 1500, drainTimeoutMs: 120_000, requestTimeoutMs: 20_000, maxPipeline: 64,
  });
  t.same(cs.allow, ['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8']);
  t.same(cs.serves, [101, 102, 114]);
  t.equal(c.database.type, 'sqlite');
  t.equal(c.database.path, join(ROOT, 'test/fixtures/data/test.db'), 'path is relative to the ini file directory');
  t.equal(c.log.dir, join(FIX, 'logs'));
  t.match(c.log, { level: 'info', retentionDays: 30, requests: true });
  t.equal(c.shutdownGraceMs, 10_000);
  t.same(c.files, [fx('good-cs.ini')]);
});

t.test('OP-01: defaults fill an interface section that names only its kind, with the legacy port', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-cfg-'));
  const f = join(dir, 'all.ini');
  writeFileSync(f, '[interface.cs]\n[interface.card]\n[interface.print]\n[interface.sms]\n');
  const c = loadConfig([f], NO_ENV);
  t.same(c.interfaces.map((i) => [i.name, i.kind, i.host, i.port]), [
    ['cs', 'cs', '127.0.0.1', 9921], ['card', 'card', '127.0.0.1', 7995],
    ['print', 'print', '127.0.0.1', 9923], ['sms', 'sms', '127.0.0.1', 9925],
  ]);
  t.equal(c.interfaces[0].serves, undefined, 'serves unset means the handlers\' default interfaces');
  t.equal(c.database.path, join(dir, 'data/bssgate.db'), 'the default sqlite path is relative to the first file');
  t.equal(c.log.dir, join(dir, 'logs'));
  t.match(c.database, { poolMax: 8, passwordStorage: 'scrypt', demoSubscribers: 0 });
});

t.test('OP-01: two files merge their interfaces and an identical [database] section', async (t) => {
  const c = loadConfig([fx('good-cs.ini'), fx('good-card.ini')], NO_ENV);
  t.same(c.interfaces.map((i) => `${i.name}:${i.port}`), ['cs:19921', 'card:17995']);
  t.equal(c.database.path, join(ROOT, 'test/fixtures/data/test.db'));
});

t.test('an interface whose name is not a kind needs kind, and then gets that kind\'s default port', async (t) => {
  const e = configError(t, [fx('custom-name.ini')]);
  t.equal(e.message, `${fx('custom-name.ini')}: [interface.cs2] kind: missing; accepted: cs | card | print | sms (required because "cs2" is not one of them)`);
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-cfg-'));
  writeFileSync(join(dir, 'x.ini'), '[interface.cs2]\nkind = cs\n');
  t.equal(loadConfig([join(dir, 'x.ini')], NO_ENV).interfaces[0].port, 9921);
});

t.test('a missing file is refused with its name', async (t) => {
  const e = configError(t, [fx('nope.ini')]);
  t.equal(e.message, `${fx('nope.ini')}: file not found`);
});

// Root reads a mode-000 file anyway (CI runs as root): that case is skipped there, not passed.
const IS_ROOT = process.getuid?.() === 0;
t.test('an unreadable file is refused as permission denied', { skip: IS_ROOT ? 'running as root, which reads a mode-000 file anyway' : false }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-cfg-'));
  const f = join(dir, 'locked.ini');
  writeFileSync(f, '[interface.cs]\n');
  chmodSync(f, 0o000);
  t.equal(configError(t, [f]).message, `${f}: cannot be read: permission denied`);
});

// Fails for root too: a path through a regular file is ENOTDIR, which no privilege bypasses.
t.test('a file that cannot be opened for another reason is refused with the reason', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-cfg-'));
  const plain = join(dir, 'plain.ini');
  writeFileSync(plain, '[interface.cs]\n');
  const f = join(plain, 'h.ini');
  const e = configError(t, [f]);
  t.match(e, { file: f });
  t.ok(e.message.startsWith(`${f}: cannot be read: ENOTDIR`), e.message);
});

t.test('a directory given as a file is refused', async (t) => {
  t.match(configError(t, [FIX]).message, /is a directory, not an INI file$/);
});

t.test('an empty file and a file of only comments are refused as empty', async (t) => {
  t.equal(configError(t, [fx('zero-bytes.ini')]).message, `${fx('zero-bytes.ini')}: is empty: no sections; see h.ini.example`);
  t.match(configError(t, [fx('empty.ini')]).message, /empty\.ini: is empty: no sections/);
});

t.test('a configuration without any interface is refused', async (t) => {
  t.match(configError(t, [fx('no-interfaces.ini')]).message, /no interfaces: define at least one \[interface\.<name>\] section/);
});

t.test('a bad port names file, section, key, the value and what is accepted', async (t) => {
  const e = configError(t, [fx('bad-port.ini')]);
  t.equal(e.message, `${fx('bad-port.ini')}: [interface.cs] port: "99x" is not a port; accepted: an integer 1–65535`);
  t.match(e, { file: fx('bad-port.ini'), section: 'interface.cs', key: 'port' });
});

t.test('an unknown key is refused with a "did you mean"', async (t) => {
  t.match(configError(t, [fx('typo-key.ini')]).message, /\[interface\.cs\] idle_timout: unknown key \(did you mean idle_timeout\?\); accepted here: kind, enabled, host, port/);
});

t.test('an unknown section is refused with a "did you mean"', async (t) => {
  t.match(configError(t, [fx('typo-section.ini')]).message, /\[databse\] unknown section \(did you mean \[database\]\?\)/);
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-cfg-'));
  writeFileSync(join(dir, 'x.ini'), '[interfaces.card]\n');
  t.match(configError(t, [join(dir, 'x.ini')]).message, /\[interfaces\.card\] unknown section \(did you mean \[interface\.card\]\?\)/);
  writeFileSync(join(dir, 'y.ini'), '[interface]\nport = 1\n');
  t.match(configError(t, [join(dir, 'y.ini')]).message, /\[interface\] an interface section needs a name/);
});

t.test('a bad duration is refused with the accepted forms', async (t) => {
  t.match(configError(t, [fx('bad-duration.ini')]).message, /\[interface\.cs\] idle_timeout: "5 minutes" is not a duration; accepted: a duration: 300s, 5m, 2h, 1500ms, or a bare integer of seconds/);
});

t.test('durations accept units and bare seconds, and refuse zero, fractions and negatives', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-cfg-'));
  const load = (v: string) => {
    writeFileSync(join(dir, 'd.ini'), `[interface.cs]\nidle_timeout = ${v}\n`);
    return loadConfig([join(dir, 'd.ini')], NO_ENV).interfaces[0].idleTimeoutMs;
  };
  t.equal(load('300s'), 300_000);
  t.equal(load('5m'), 300_000);
  t.equal(load('1500ms'), 1500);
  t.equal(load('2h'), 7_200_000);
  t.equal(load('45'), 45_000);
  t.throws(() => load('0'), /is zero/);
  t.throws(() => load('1.5s'), /is not a duration/);
  t.throws(() => load('-5s'), /is negative/);
  t.throws(() => load('30d'), /is not a duration/);
  t.throws(() => load('999999999s'), /is too long/);
});

t.test('a bad CIDR block or address in allow is refused naming the item', async (t) => {
  t.match(configError(t, [fx('bad-cidr.ini')]).message, /allow: "10\.0\.0\.0\/33" has "10\.0\.0\.0\/33", whose prefix length is not 0–32; accepted: comma-separated IPv4\/IPv6 addresses and CIDR blocks/);
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-cfg-'));
  writeFileSync(join(dir, 'a.ini'), '[interface.cs]\nallow = 10.0.0.1, 300.1.1.1\n');
  t.match(configError(t, [join(dir, 'a.ini')]).message, /has "300\.1\.1\.1", which is not an IPv4\/IPv6 address or CIDR block/);
  writeFileSync(join(dir, 'b.ini'), '[interface.cs]\nallow = 10.0.0.1,,10.0.0.2\n');
  t.match(configError(t, [join(dir, 'b.ini')]).message, /has an empty item/);
  writeFileSync(join(dir, 'c.ini'), '[interface.cs]\nallow = fe80::/129\n');
  t.match(configError(t, [join(dir, 'c.ini')]).message, /prefix length is not 0–128/);
});

t.test('a negative limit is refused, not clamped', async (t) => {
  t.match(configError(t, [fx('negative-limit.ini')]).message, /\[interface\.cs\] max_connections: "-5" is negative; accepted: an integer ≥ 1/);
});

t.test('max_frame below 60 or above 16 MiB is refused', async (t) => {
  t.match(configError(t, [fx('small-frame.ini')]).message, /max_frame: "59" is below 60 bytes; accepted: bytes 60–16777216/);
  t.match(configError(t, [fx('big-frame.ini')]).message, /max_frame: "16777217" is above 16777216 bytes/);
});

t.test('two interfaces on one host:port are refused, in one file or across two files naming both', async (t) => {
  t.match(configError(t, [fx('port-conflict.ini')]).message, /\[interface\.sms\] port: 127\.0\.0\.1:9000 conflicts with \[interface\.cs\] 127\.0\.0\.1:9000 in .*port-conflict\.ini/);
  const e = configError(t, [fx('good-cs.ini'), fx('same-port-as-good-cs.ini')]);
  t.match(e.message, /same-port-as-good-cs\.ini: \[interface\.sms\] port: 0\.0\.0\.0:19921 conflicts with \[interface\.cs\] 127\.0\.0\.1:19921 in .*good-cs\.ini/, 'a wildcard host overlaps 127.0.0.1');
});

t.test('a disabled interface is left out and does not hold its port', async (t) => {
  const c = loadConfig([fx('disabled.ini')], NO_ENV);
  t.same(c.interfaces.map((i) => i.name), ['card']);
});

t.test('one interface defined in two files is refused naming both files', async (t) => {
  const e = configError(t, [fx('good-cs.ini'), fx('other-cs.ini')]);
  t.match(e.message, /other-cs\.ini: \[interface\.cs\] interface "cs" is also defined in .*good-cs\.ini/);
});

t.test('a [database] key with different values in two files is refused naming both files', async (t) => {
  const e = configError(t, [fx('good-cs.ini'), fx('conflict-db.ini')]);
  t.match(e.message, /conflict-db\.ini: \[database\] path: is ".*other\.db", which differs from ".*test\.db" in .*good-cs\.ini; a key repeated across files must have the same value/);
});

t.test('postgres without a url is refused, and BSSGATE_DB_URL supplies it', async (t) => {
  t.match(configError(t, [fx('postgres-no-url.ini')]).message, /\[database\] url: missing; type = postgres needs url = .*BSSGATE_DB_URL/);
  const c = loadConfig([fx('postgres-no-url.ini')], { BSSGATE_DB_URL: 'postgres://u:pw@127.0.0.1:5432/bss' });
  t.equal(c.database.url, 'postgres://u:pw@127.0.0.1:5432/bss');
  const bad = configError(t, [fx('postgres-no-url.ini')], { BSSGATE_DB_URL: 'mysql://u:topsecret@h/db' });
  t.match(bad.message, /BSSGATE_DB_URL: .*is not a postgres:\/\/ URL/);
  t.notMatch(bad.message, /topsecret/, 'the URL (and its password) is not echoed');
});

t.test('oracle without a connect string is refused; quoted passwords keep ; and #', async (t) => {
  t.match(configError(t, [fx('oracle-no-connect.ini')]).message, /\[database\] connect_string: missing; type = oracle needs connect_string = host:port\/service_name/);
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-cfg-'));
  const f = join(dir, 'o.ini');
  writeFileSync(f, readFileSync(fx('oracle-no-connect.ini'), 'utf8') + 'connect_string = 127.0.0.1:1521/BSS\n');
  const c = loadConfig([f], NO_ENV);
  t.match(c.database, { type: 'oracle', user: 'BSS', password: 'p;w#d', connectString: '127.0.0.1:1521/BSS' });
  t.equal(loadConfig([f], { BSSGATE_DB_PASSWORD: 'from-env' }).database.password, 'from-env', 'BSSGATE_DB_PASSWORD wins');
  writeFileSync(f, '[interface.cs]\n[database]\ntype = oracle\nuser = BSS\nconnect_string = h:1/s\n');
  t.match(configError(t, [f]).message, /\[database\] password: missing; type = oracle needs password, or the environment variable BSSGATE_DB_PASSWORD/);
});

t.test('a key that does not apply to the database type is refused without echoing the secret', async (t) => {
  const e = configError(t, [fx('url-with-sqlite.ini')]);
  t.match(e.message, /\[database\] url: applies only to type = postgres, but type is sqlite/);
  t.notMatch(e.message, /secretpw/);
});

t.test('a section or key repeated in one file is refused rather than silently merged', async (t) => {
  t.match(configError(t, [fx('dup-section.ini')]).message, /\[interface\.cs\] section appears twice in this file/);
  t.match(configError(t, [fx('dup-key.ini')]).message, /\[interface\.cs\] port: is set twice in this section/);
  t.match(configError(t, [fx('top-key.ini')]).message, /port: key outside any section/);
});

t.test('booleans, enums and business codes are validated', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-cfg-'));
  const f = join(dir, 'v.ini');
  const load = (body: string) => {
    writeFileSync(f, `[interface.cs]\n${body}\n`);
    return loadConfig([f], NO_ENV);
  };
  t.equal(load('[log]\nrequests = no').log.requests, false);
  t.equal(load('[log]\nstderr = on').log.stderr, true);
  t.throws(() => load('enabled = maybe'), /enabled: "maybe" is not a boolean; accepted: true \| false/);
  t.throws(() => load('[log]\nlevel = warning'), /level: "warning" is not one of them \(did you mean "warn"\?\); accepted: fatal \| error \| warn \| info \| debug \| trace/);
  t.throws(() => load('[database]\ntype = mysql'), /type: "mysql" is not one of them; accepted: sqlite \| postgres \| oracle/);
  t.throws(() => load('serves = 101, 70000'), /serves: "101, 70000" has "70000", which is not a business code/);
  t.throws(() => load('serves = 101, 1'), /v\.ini: \[interface\.cs\] serves: "101, 1" has 1, which is no business type of protocol\/SPEC\.md section 6/);
  t.throws(() => load('port ='), /port: "" is empty; accepted: an integer 1–65535/);
  t.throws(() => load('[log]\nretention_days = 0'), /retention_days: "0" is below 1/);
  t.equal(load('[server]\nshutdown_grace = 0').shutdownGraceMs, 0, 'shutdown_grace may be zero');
});

t.test('OP-01: the four legacy files in config/ load together with BSSGATE_DB_URL set', async (t) => {
  const files = ['h.ini', 'qhjfk.ini', 'print.ini', 'dxjk.ini'].map((f) => join(ROOT, 'config', f));
  const url = 'postgres://bssgate:pw@127.0.0.1:5432/bss';
  const c = loadConfig(files, { BSSGATE_DB_URL: url });
  t.same(c.interfaces.map((i) => `${i.name}/${i.kind}:${i.port}`), ['cs/cs:9921', 'card/card:7995', 'print/print:9923', 'sms/sms:9925']);
  t.match(c.database, { type: 'postgres', url, poolMax: 16, passwordStorage: 'plain' });
  t.equal(c.log.dir, join(ROOT, 'logs'));
  t.match(configError(t, files).message, /h\.ini: \[database\] url: missing/, 'without the env var the url is missing');
});

t.test('ConfigError without a section or key reads as file: problem', async (t) => {
  t.equal(new ConfigError('h.ini', '', '', 'file not found').message, 'h.ini: file not found');
  t.equal(new ConfigError('h.ini', 'log', 'dir', 'x').message, 'h.ini: [log] dir: x');
});

t.test('the loaded defaults are the key table\'s documented defaults (keys.ts and load.ts cannot drift)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bsg-defaults-'));
  const f = join(dir, 'h.ini');
  // One [switch.<name>] with only its required keys, so that its defaults land somewhere.
  writeFileSync(f, '[interface.cs]\n[switch.sw]\nkind = socket\nregions = 0971\nnet_types = G\nswitch_type = ERI_HLR\nhost = 127.0.0.1\nport = 7001\nuser = u\npassword = p\n');
  const c = loadConfig([f], NO_ENV);
  const cs = c.interfaces[0];
  const sw = c.switches![0]!;
  // Where each key's default lands in the loaded Config (relative paths as the loader resolves them).
  const loaded: Record<string, unknown> = {
    'interface.enabled': c.interfaces.length === 1,
    'interface.host': cs.host,
    'interface.max_frame': cs.maxFrame,
    'interface.max_connections': cs.maxConnections,
    'interface.idle_timeout': cs.idleTimeoutMs,
    'interface.frame_timeout': cs.frameTimeoutMs,
    'interface.drain_timeout': cs.drainTimeoutMs,
    'interface.request_timeout': cs.requestTimeoutMs,
    'interface.max_pipeline': cs.maxPipeline,
    'interface.framing': cs.framing?.file ?? 'v1',
    'interface.check_keys': cs.checkKeysFile,
    'database.type': c.database.type,
    'database.path': c.database.path,
    'database.pool_max': c.database.poolMax,
    'database.password_storage': c.database.passwordStorage,
    'database.queries': c.database.queries,
    'database.demo_subscribers': c.database.demoSubscribers,
    'database.demo_seed': c.database.demoSeed,
    'log.dir': c.log.dir,
    'log.level': c.log.level,
    'log.retention_days': c.log.retentionDays,
    'log.requests': c.log.requests,
    'server.shutdown_grace': c.shutdownGraceMs,
    'server.workers': c.workers,
    'server.idempotency_days': c.idempotencyDays,
    'admin.enabled': c.admin!.enabled,
    'admin.host': c.admin!.host,
    'admin.port': c.admin!.port,
    'card.min_amount': c.card!.minAmount,
    'card.max_amount': c.card!.maxAmount,
    'card.poll_interval': c.card!.pollMs,
    'card.day_boundary': c.card!.boundaryMs,
    'scanner.poll_interval': c.scanner!.pollMs,
    'scanner.batch': c.scanner!.batch,
    'scanner.max_in_flight': c.scanner!.maxInFlight,
    'scanner.lease': c.scanner!.leaseMs,
    'scanner.max_attempts': c.scanner!.maxAttempts,
    'scanner.retry_backoff': c.scanner!.retryBackoffMs,
    'scanner.retry_backoff_max': c.scanner!.retryBackoffMaxMs,
    'scanner.unreachable_wait': c.scanner!.unreachableWaitMs,
    'switch.simulator': sw.simulator,
    'switch.result_timeout': sw.resultTimeoutMs,
    'switch.result_poll': sw.resultPollMs,
    'switch.keepalive': sw.keepaliveMs,
    'switch.ack_timeout': sw.ackTimeoutMs,
    'switch.reconnect_min': sw.reconnectMinMs,
    'switch.reconnect_max': sw.reconnectMaxMs,
  };
  let checked = 0;
  for (const def of CONFIG_KEYS) {
    if (def.default === undefined) continue;
    if (def.path && /: /.test(def.default)) {
      // An optional file whose default is prose ("none: every query runs its default SQL"): unset.
      const id = `${def.section}.${def.key}`;
      t.ok(id in loaded, `${id}: the test knows where its default lands (add it to the map above)`);
      t.equal(loaded[id], undefined, `${id}: no file unless set (${def.default})`);
      checked++;
      continue;
    }
    let expected: unknown;
    try {
      expected = def.parse(def.default);
    } catch {
      continue; // a prose default ("by kind: …", "empty = any address"): not a value to compare
    }
    if (def.path) expected = resolve(dir, expected as string);
    const id = `${def.section}.${def.key}`;
    t.ok(id in loaded, `${id}: the test knows where its default lands (add it to the map above)`);
    t.same(loaded[id], expected, `${id}: loaded default equals parse(${JSON.stringify(def.default)})`);
    checked++;
  }
  t.ok(checked >= Object.keys(loaded).length, 'every mapped key has a parseable documented default');
  t.same(cs.allow, [], 'allow: "empty = any address"');
  t.equal(cs.port, DEFAULT_PORTS.cs, 'port: by kind');
  t.equal(cs.serves, undefined, 'serves: every business function of the kind');
  t.equal(c.log.stderr, undefined, 'stderr: only when stderr is a terminal');
});
