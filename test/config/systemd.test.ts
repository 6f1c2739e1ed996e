// OP-04: config/bssgate.service — restart policy, stop signal, and a stop timeout that covers the
// graceful stop ([server] shutdown_grace + [interface] drain_timeout, from the config key table);
// `systemd-analyze verify` accepts it where systemd-analyze exists.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import t from 'tap';
import { CONFIG_KEYS } from '../../src/config/keys.js';
import { parseDuration } from '../../src/config/values.js';

const UNIT_PATH = resolve(import.meta.dirname, '../../config/bssgate.service');
const UNIT = readFileSync(UNIT_PATH, 'utf8');

function directive(name: string): string | undefined {
  return new RegExp(`^${name}=(.*)$`, 'm').exec(UNIT)?.[1].trim();
}

function defaultMs(section: string, key: string): number {
  const d = CONFIG_KEYS.find((k) => k.section === section && k.key === key)!.default!;
  return parseDuration(d, 0);
}

t.test('OP-04 the systemd unit restarts on failure and stops with SIGTERM, within the graceful stop', async (t) => {
  t.equal(directive('Restart'), 'on-failure', 'restarted after a crash, not after a clean stop');
  t.equal(directive('KillSignal'), 'SIGTERM', 'the graceful stop signal');
  t.equal(directive('KillMode'), 'mixed', 'SIGTERM to the main process, SIGKILL to what is left');
  t.match(directive('ExecStart') ?? '', /cli\.js serve \S+\.ini/, 'runs bssgate serve with an INI file');
  const stop = directive('TimeoutStopSec');
  t.ok(stop, 'TimeoutStopSec is set');
  const stopMs = parseDuration(stop!, 0);
  const grace = defaultMs('server', 'shutdown_grace');
  const drain = defaultMs('interface', 'drain_timeout');
  t.ok(stopMs > grace + drain, `TimeoutStopSec ${stopMs} ms > shutdown_grace ${grace} + drain_timeout ${drain}`);
  t.ok(stopMs <= grace + drain + 15_000, 'and not much longer: a hung stop is still cut');
});

const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
t.test(
  'OP-04 systemd-analyze verify accepts config/bssgate.service',
  { skip: analyze.error ? 'systemd-analyze is not installed here (Debian: package systemd)' : false },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'bssgate-unit-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    // The unit as installed, but with ExecStart naming this node and this checkout's CLI:
    // verify checks that the executable exists, and /opt/bssgate is not installed here.
    const cli = resolve(import.meta.dirname, '../../dist/src/cli.js');
    const ini = join(dir, 'h.ini');
    writeFileSync(ini, '[interface.cs]\n');
    const unit = UNIT.replace(/^ExecStart=.*$/m, `ExecStart=${process.execPath} ${cli} serve ${ini}`).replace(/^WorkingDirectory=.*$/m, `WorkingDirectory=${dir}`);
    t.not(unit, UNIT, 'ExecStart rewritten');
    const file = join(dir, 'bssgate.service');
    writeFileSync(file, unit);
    const r = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8', timeout: 30_000 });
    const ours = `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => l.includes('bssgate.service'));
    t.equal(r.status, 0, `verify exits 0${r.stderr ? `: ${r.stderr}` : ''}`);
    t.same(ours, [], 'no warning about the unit (an unknown or misspelt key is only a warning)');
    // The check can fail: a misspelt key in the same unit is reported.
    const bad = join(dir, 'bad.service');
    copyFileSync(file, bad);
    writeFileSync(bad, readFileSync(bad, 'utf8').replace('KillSignal=SIGTERM', 'KilSignal=SIGTERM'));
    const rb = spawnSync('systemd-analyze', ['verify', bad], { encoding: 'utf8', timeout: 30_000 });
    t.match(`${rb.stdout}${rb.stderr}`, /Unknown key 'KilSignal'/, 'a misspelt key is caught by the same check');
  },
);
