// lockout-clear (190, no inventory ID): the operator's clearing of the password lock of the checks
// CS-02, VO-01, PC-01, PR-01, SM-01, over a real socket against the seeded database, and the same
// clearing from the command line (`bssgate lockout clear <number>`, src/cli.ts lockoutClearCommand).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lockoutClearCommand } from '../../src/cli.js';
import { loadConfig } from '../../src/config/load.js';
import { openStore } from '../../src/store/open.js';
import type { DemoSubscriber } from '../../src/store/demo.js';
import { LOCKOUT } from '../../handlers/kit/password.js';
import { formatDateTime } from '../../src/time.js';
import { handlerSuite, type Harness } from '../helpers/seeded.js';

const wrong = (f: DemoSubscriber) => `${f.password}7`;

async function failRow(h: Harness, svcnum: string) {
  const [r] = await h.sql<Record<string, unknown>>('SELECT FAILS_IN_WINDOW, CONSECUTIVE, HARD_LOCKED FROM BSG_AUTH_FAIL WHERE SVCNUM = :s', { s: svcnum });
  return r && { fails: Number(r.fails_in_window), consecutive: Number(r.consecutive), hard: Number(r.hard_locked) };
}

/** The hard lock: one failure, 99 more by hand, then the 100th, and the row's times a day back. */
async function hardLock(h: Harness, f: DemoSubscriber): Promise<void> {
  await h.call('cs', 'authenticate', { svcnum: f.svcnum, password: wrong(f) });
  await h.sql('UPDATE BSG_AUTH_FAIL SET CONSECUTIVE = :c WHERE SVCNUM = :s', { c: LOCKOUT.maxConsecutive - 1, s: f.svcnum });
  await h.call('cs', 'authenticate', { svcnum: f.svcnum, password: wrong(f) });
  await h.sql('UPDATE BSG_AUTH_FAIL SET FAILS_WINDOW_START = :w WHERE SVCNUM = :s', { w: new Date(Date.now() - 86_400_000), s: f.svcnum });
}

/** INI files naming the harness's own database, as an operator's would. */
async function configFor(h: Harness, dir: string): Promise<string> {
  let db: string;
  if (h.backend === 'sqlite') {
    const [main] = await h.sql<{ file: string }>('PRAGMA database_list');
    db = `type = sqlite\npath = ${main.file}`;
  } else {
    const [{ name }] = await h.sql<{ name: string }>('SELECT current_database() AS name');
    const url = new URL(process.env.BSSGATE_TEST_PG_URL!);
    url.pathname = `/${name}`;
    db = `type = postgres\nurl = ${url.href}`;
  }
  const file = join(dir, 'h.ini');
  writeFileSync(file, `[interface.cs]\nport = 19921\n\n[database]\n${db}\n\n[log]\ndir = ${join(dir, 'logs')}\n`);
  return file;
}

handlerSuite('CS-02 lockout-clear (190)', async (t, h) => {
  t.test('CS-02 lockout-clear: clears a hard lock (100 consecutive wrong passwords), and the operator is recorded', async (t) => {
    const f = h.fx.first;
    await hardLock(h, f);
    t.match(await failRow(h, f.svcnum), { consecutive: 100, hard: 1 });
    t.equal((await h.call('cs', 'authenticate', { svcnum: f.svcnum, password: f.password })).result, 2003, 'hard-locked a day later');
    const r = await h.call('cs', 'lockout-clear', { svcnum: f.svcnum }, { operator: 'OPS042' });
    t.equal(r.result, 0, r.message);
    t.same(r.body, { hardLocked: 1, lockedUntil: '', consecutive: LOCKOUT.maxConsecutive }, 'what was cleared');
    t.equal(await failRow(h, f.svcnum), undefined, 'the counters are gone');
    t.equal((await h.call('cs', 'authenticate', { svcnum: f.svcnum, password: f.password })).result, 0, 'the right password works again');
    const lines = (await h.allLogText()).split('\n').filter((l) => l.includes('"event":"password-lock-cleared"'));
    t.equal(lines.length, 1, 'one warn.log line');
    t.match(JSON.parse(lines[0]), { svcnum: f.svcnum, operator: 'OPS042', hardLocked: 1, consecutive: 100, iface: 'cs' });
  });

  t.test('CS-02 lockout-clear: clears a running 30-minute lock and says until when it ran', async (t) => {
    const f = h.fx.cdma;
    for (let i = 0; i < LOCKOUT.maxFails; i++) await h.call('card', 'card-verify', { svcnum: f.svcnum, password: wrong(f) });
    t.equal((await h.call('card', 'card-verify', { svcnum: f.svcnum, password: f.password })).result, 2003, 'locked');
    const [row] = await h.sql<{ locked_until: unknown }>('SELECT LOCKED_UNTIL FROM BSG_AUTH_FAIL WHERE SVCNUM = :s', { s: f.svcnum });
    const r = await h.call('cs', 'lockout-clear', { svcnum: f.svcnum });
    t.equal(r.result, 0, r.message);
    t.match(r.body, { hardLocked: 0, consecutive: LOCKOUT.maxFails });
    t.match(r.body?.lockedUntil, /^\d{14}$/);
    // PostgreSQL gives a Date; SQLite its local-time text 'YYYY-MM-DD HH:MM:SS'.
    const until = row.locked_until instanceof Date ? formatDateTime(row.locked_until) : String(row.locked_until).replace(/\D/g, '').slice(0, 14);
    t.equal(r.body?.lockedUntil, until, 'the LOCKED_UNTIL the database held');
    t.equal(await failRow(h, f.svcnum), undefined);
    t.equal((await h.call('card', 'card-verify', { svcnum: f.svcnum, password: f.password })).result, 0, 'usable at once');
  });

  t.test('CS-02 lockout-clear refuses 2012 a number that is not locked, and changes nothing', async (t) => {
    const f = h.fx.cdma1x;
    for (let i = 0; i < 3; i++) await h.call('cs', 'authenticate', { svcnum: f.svcnum, password: wrong(f) });
    const r = await h.call('cs', 'lockout-clear', { svcnum: f.svcnum });
    t.equal(r.result, 2012, r.message);
    t.match(r.message, new RegExp(`^无记录: ${f.svcnum} 未锁定$`));
    t.same(await failRow(h, f.svcnum), { fails: 3, consecutive: 3, hard: 0 }, 'the counts below the limit stay');
    t.equal((await h.call('cs', 'lockout-clear', { svcnum: '13000000000' })).result, 2012, 'a number never seen');
    t.equal((await h.call('cs', 'authenticate', { svcnum: f.svcnum, password: f.password })).result, 0);
  });

  t.test('CS-02 lockout-clear is served on the customer-service interface only (1004 elsewhere)', async (t) => {
    for (const iface of ['card', 'print', 'sms'] as const) {
      t.equal((await h.call(iface, 'lockout-clear', { svcnum: h.fx.first.svcnum })).result, 1004, iface);
    }
  });

  t.test('CS-02 bssgate lockout clear <number>: clears a hard lock in the configured database; exit 2 when there is none', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'bssgate-lockout-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const ini = await configFor(h, dir);
    const f = h.fx.voip;
    t.equal((await h.call('cs', 'voip-authenticate', { svcnum: f.svcnum, password: wrong(f) })).result, 2002);
    await h.sql('UPDATE BSG_AUTH_FAIL SET CONSECUTIVE = :c WHERE SVCNUM = :s', { c: LOCKOUT.maxConsecutive - 1, s: f.svcnum });
    t.equal((await h.call('cs', 'voip-authenticate', { svcnum: f.svcnum, password: wrong(f) })).result, 2002);
    t.equal((await h.call('cs', 'voip-authenticate', { svcnum: f.svcnum, password: f.password })).result, 2003, 'hard-locked');

    const printed: string[] = [];
    const deps = { loadConfig, openStore, out: (s: string) => void printed.push(s) };
    t.equal(await lockoutClearCommand(f.svcnum, { config: [ini], operator: 'ops1' }, deps), 0, 'exit 0');
    t.match(printed.join(''), new RegExp(`^${f.svcnum}: cleared the lock until an operator clears it \\(100 consecutive wrong passwords\\); counters reset; operator ops1\\n$`));
    t.equal(await failRow(h, f.svcnum), undefined, 'gone from the database the gateway uses');
    t.equal((await h.call('cs', 'voip-authenticate', { svcnum: f.svcnum, password: f.password })).result, 0, 'the gateway lets it in at once');

    printed.length = 0;
    t.equal(await lockoutClearCommand(f.svcnum, { config: [ini] }, deps), 2, 'exit 2: no lock');
    t.equal(printed.join(''), `${f.svcnum}: no password lock; nothing cleared\n`);
    await t.rejects(lockoutClearCommand('12ab', { config: [ini] }, deps), /not a service number/);
  });
});
