// The lockout of the password checks (CS-02, VO-01, PC-01, PR-01, SM-01; handlers/kit/password.ts):
// per service number, in the database (BSG_AUTH_FAIL), over a real socket against the seeded
// database. Time: the gateway runs on the system clock, so the tests move the row's times into the
// past (FAILS_WINDOW_START, LOCKED_UNTIL) where they need a window to have passed.
import type { InterfaceKind } from '../../src/types.js';
import type { DemoSubscriber } from '../../src/store/demo.js';
import { LOCKOUT, SPRAY_NUMBERS, SPRAY_WINDOW_MS } from '../../handlers/kit/password.js';
import { handlerSuite, type Harness } from '../helpers/seeded.js';

const MIN = 60_000;
const wrong = (f: DemoSubscriber) => `${f.password}7`;

interface FailRow {
  fails: number;
  consecutive: number;
  hard: number;
  windowStart: Date;
  lockedUntil: Date | null;
}

function asDate(v: unknown): Date | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v;
  // SQLite keeps local time as text 'YYYY-MM-DD HH:MM:SS[.mmm]'.
  const m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d+))?$/.exec(String(v));
  if (!m) throw new Error(`not a time: ${String(v)}`);
  return new Date(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], m[7] ? Number(m[7].padEnd(3, '0').slice(0, 3)) : 0);
}

async function failRow(h: Harness, svcnum: string): Promise<FailRow | undefined> {
  const [r] = await h.sql<Record<string, unknown>>(
    'SELECT FAILS_IN_WINDOW, CONSECUTIVE, HARD_LOCKED, FAILS_WINDOW_START, LOCKED_UNTIL FROM BSG_AUTH_FAIL WHERE SVCNUM = :s',
    { s: svcnum },
  );
  if (!r) return undefined;
  return {
    fails: Number(r.fails_in_window),
    consecutive: Number(r.consecutive),
    hard: Number(r.hard_locked),
    windowStart: asDate(r.fails_window_start)!,
    lockedUntil: asDate(r.locked_until),
  };
}

/** As if `ms` had passed since the row was last written: its times move into the past. */
async function age(h: Harness, svcnum: string, ms: number): Promise<void> {
  const row = (await failRow(h, svcnum))!;
  await h.sql('UPDATE BSG_AUTH_FAIL SET FAILS_WINDOW_START = :w WHERE SVCNUM = :s', { w: new Date(row.windowStart.getTime() - ms), s: svcnum });
  if (row.lockedUntil) await h.sql('UPDATE BSG_AUTH_FAIL SET LOCKED_UNTIL = :l WHERE SVCNUM = :s', { l: new Date(row.lockedUntil.getTime() - ms), s: svcnum });
}

async function warnLines(h: Harness, event: string): Promise<Record<string, unknown>[]> {
  const text = await h.allLogText();
  return text
    .split('\n')
    .filter((l) => l.includes(`"event":"${event}"`))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

handlerSuite('CS-02 VO-01 PC-01 PR-01 SM-01 lockout', async (t, h) => {
  t.test('CS-02: the 10th wrong password within 30 minutes locks the number; the 11th attempt is refused 2003 even with the right password', async (t) => {
    const f = h.fx.cdma;
    for (let i = 1; i <= LOCKOUT.maxFails - 1; i++) {
      const r = await h.call('cs', 'authenticate', { svcnum: f.svcnum, password: wrong(f) });
      t.equal(r.result, 2002, `failure ${i}: ${r.message}`);
      t.match(r.message, new RegExp(`还可尝试${LOCKOUT.maxFails - i}次$`));
    }
    t.match(await failRow(h, f.svcnum), { fails: 9, consecutive: 9, hard: 0, lockedUntil: null });
    const before = Date.now();
    const tenth = await h.call('cs', 'authenticate', { svcnum: f.svcnum, password: wrong(f) });
    t.equal(tenth.result, 2002, `the 10th is still a wrong password: ${tenth.message}`);
    t.match(tenth.message, new RegExp(`^密码错误: ${f.svcnum} 锁定至 \\d{14}$`));
    const locked = (await failRow(h, f.svcnum))!;
    t.match(locked, { fails: 10, consecutive: 10, hard: 0 });
    t.ok(locked.lockedUntil, 'LOCKED_UNTIL set');
    const until = locked.lockedUntil!.getTime();
    t.ok(until >= before + LOCKOUT.lockMs - 1000 && until <= Date.now() + LOCKOUT.lockMs + 1000, 'locked for 30 minutes');

    const eleventh = await h.call('cs', 'authenticate', { svcnum: f.svcnum, password: f.password });
    t.equal(eleventh.result, 2003, `the right password is refused while locked: ${eleventh.message}`);
    t.match(eleventh.message, new RegExp(`^密码错误次数过多，已锁定: ${f.svcnum} 锁定至 \\d{14}$`));
    t.equal((await h.call('cs', 'authenticate', { svcnum: f.svcnum, password: wrong(f) })).result, 2003, 'a wrong one too');
    // Refused before the comparison: nothing was counted (a compared wrong password would count).
    t.match(await failRow(h, f.svcnum), { fails: 10, consecutive: 10 }, 'the refusals counted nothing');
    // The lock is the number's, whatever the code or interface.
    t.equal((await h.call('card', 'card-verify', { svcnum: f.svcnum, password: f.password })).result, 2003, 'PC-01 too');
    t.equal((await h.call('print', 'print-authenticate', { svcnum: f.svcnum, password: f.password })).result, 2003, 'PR-01 too');
    t.equal((await h.call('sms', 'sms-verify', { svcnum: f.svcnum, password: f.password })).result, 2003, 'SM-01 too');
    const warned = (await warnLines(h, 'password-lock')).filter((l) => l.svcnum === f.svcnum);
    t.equal(warned.length, 1, 'one warn.log line for the lock');
    t.equal(warned[0]?.fails, 10);
  });

  t.test('CS-02: after the 30 minutes the right password works again and the counters reset', async (t) => {
    const f = h.fx.cdma;
    await age(h, f.svcnum, 29 * MIN);
    t.equal((await h.call('cs', 'authenticate', { svcnum: f.svcnum, password: f.password })).result, 2003, 'still locked a minute before the end');
    await age(h, f.svcnum, 2 * MIN);
    const r = await h.call('cs', 'authenticate', { svcnum: f.svcnum, password: f.password });
    t.equal(r.result, 0, r.message);
    t.equal(await failRow(h, f.svcnum), undefined, 'the counters reset');
  });

  t.test('CS-02: an expired lock starts a new window: the next wrong password is the first of ten', async (t) => {
    const f = h.fx.cdmaBlacklisted;
    for (let i = 0; i < LOCKOUT.maxFails; i++) await h.call('cs', 'authenticate', { svcnum: f.svcnum, password: wrong(f) });
    t.ok((await failRow(h, f.svcnum))?.lockedUntil, 'locked');
    await age(h, f.svcnum, 31 * MIN);
    const r = await h.call('cs', 'authenticate', { svcnum: f.svcnum, password: wrong(f) });
    t.equal(r.result, 2002, r.message);
    t.match(r.message, /还可尝试9次$/);
    t.match(await failRow(h, f.svcnum), { fails: 1, consecutive: LOCKOUT.maxFails + 1, lockedUntil: null });
    t.equal((await h.call('cs', 'authenticate', { svcnum: f.svcnum, password: f.password })).result, 0);
  });

  t.test('CS-02: wrong passwords in two different 30-minute windows do not add up to a lock', async (t) => {
    const f = h.fx.noPrintProvince;
    for (let i = 0; i < LOCKOUT.maxFails - 1; i++) t.equal((await h.call('cs', 'authenticate', { svcnum: f.svcnum, password: wrong(f) })).result, 2002);
    await age(h, f.svcnum, 31 * MIN);
    for (let i = 0; i < LOCKOUT.maxFails - 1; i++) t.equal((await h.call('cs', 'authenticate', { svcnum: f.svcnum, password: wrong(f) })).result, 2002);
    t.match(await failRow(h, f.svcnum), { fails: LOCKOUT.maxFails - 1, consecutive: 2 * (LOCKOUT.maxFails - 1), hard: 0, lockedUntil: null });
    t.equal((await h.call('cs', 'authenticate', { svcnum: f.svcnum, password: f.password })).result, 0, 'not locked');
    t.equal(await failRow(h, f.svcnum), undefined);
  });

  t.test('PC-01: a lock survives a restart of the gateway', async (t) => {
    const f = h.fx.cdmaArrears;
    for (let i = 0; i < LOCKOUT.maxFails; i++) t.equal((await h.call('card', 'card-verify', { svcnum: f.svcnum, password: wrong(f) })).result, 2002);
    await h.restart();
    const r = await h.call('card', 'card-verify', { svcnum: f.svcnum, password: f.password });
    t.equal(r.result, 2003, `after the restart: ${r.message}`);
    t.equal((await h.call('cs', 'authenticate', { svcnum: f.svcnum, password: f.password })).result, 2003);
    await age(h, f.svcnum, 31 * MIN);
    t.equal((await h.call('card', 'card-verify', { svcnum: f.svcnum, password: f.password })).result, 0, 'and ends when its time is up');
  });

  t.test('CS-02 PC-01 PR-01 SM-01: concurrent wrong passwords on one number over four interfaces get exactly 10 comparisons', async (t) => {
    const f = h.fx.noPrintRegional;
    const ifaces: [InterfaceKind, string][] = [['cs', 'authenticate'], ['card', 'card-verify'], ['print', 'print-authenticate'], ['sms', 'sms-verify']];
    const calls = [];
    for (let k = 0; k < 4; k++) for (const [iface, name] of ifaces) calls.push(h.call(iface, name, { svcnum: f.svcnum, password: wrong(f) }));
    const results = (await Promise.all(calls)).map((r) => r.result);
    t.equal(results.filter((r) => r === 2002).length, LOCKOUT.maxFails, `10 compared and wrong: ${results.join(',')}`);
    t.equal(results.filter((r) => r === 2003).length, 16 - LOCKOUT.maxFails, 'the rest refused');
    t.match(await failRow(h, f.svcnum), { fails: LOCKOUT.maxFails, consecutive: LOCKOUT.maxFails }, 'no increment lost, none too many');
    await age(h, f.svcnum, 31 * MIN);
    t.equal((await h.call('sms', 'sms-verify', { svcnum: f.svcnum, password: f.password })).result, 0);
  });

  t.test('CS-02 PC-01 PR-01 SM-01: more than 10 right passwords on one number at once are all answered 0, none refused as locked', async (t) => {
    // Each attempt is counted before its comparison; counted all at once, the 11th and later were
    // refused 2003 although no password was wrong (and on PostgreSQL some 9999: the first-row INSERT
    // racing the rows the successes deleted). Found by bench/pages.ts (PR-02 at 16 connections).
    const f = h.fx.noPrintOtherRegion;
    const ifaces: [InterfaceKind, string][] = [['cs', 'authenticate'], ['card', 'card-verify'], ['print', 'print-authenticate'], ['sms', 'sms-verify']];
    const calls = [];
    for (let k = 0; k < 6; k++) for (const [iface, name] of ifaces) calls.push(h.call(iface, name, { svcnum: f.svcnum, password: f.password }));
    const answers = await Promise.all(calls);
    t.same(answers.filter((r) => r.result !== 0).map((r) => `${r.result} ${r.message}`), [], `all ${calls.length} answered 0`);
    t.equal(await failRow(h, f.svcnum), undefined, 'no counters left behind');
  });

  t.test('CS-02 VO-01: after 100 consecutive wrong passwords the number is locked past 30 minutes, until an operator clears it', async (t) => {
    const f = h.fx.voip;
    t.equal((await h.call('cs', 'voip-authenticate', { svcnum: f.svcnum, password: wrong(f) })).result, 2002);
    await h.sql('UPDATE BSG_AUTH_FAIL SET CONSECUTIVE = :c WHERE SVCNUM = :s', { c: LOCKOUT.maxConsecutive - 1, s: f.svcnum });
    const last = await h.call('cs', 'voip-authenticate', { svcnum: f.svcnum, password: wrong(f) });
    t.equal(last.result, 2002, last.message);
    t.match(last.message, new RegExp(`${f.svcnum} 已连续100次密码错误, 需营业员解锁$`));
    t.match(await failRow(h, f.svcnum), { consecutive: LOCKOUT.maxConsecutive, hard: 1, fails: 2, lockedUntil: null });
    const r = await h.call('cs', 'voip-authenticate', { svcnum: f.svcnum, password: f.password });
    t.equal(r.result, 2003, r.message);
    t.match(r.message, /需营业员解锁/);
    await age(h, f.svcnum, 24 * 60 * MIN);
    t.equal((await h.call('cs', 'voip-authenticate', { svcnum: f.svcnum, password: f.password })).result, 2003, 'a day later, still locked');
    await h.restart();
    t.equal((await h.call('card', 'card-verify', { svcnum: f.svcnum, password: f.password })).result, 2003, 'after a restart, on PC-01 too');
    t.match(await failRow(h, f.svcnum), { consecutive: LOCKOUT.maxConsecutive, hard: 1 }, 'the refusals counted nothing');
    const warned = (await warnLines(h, 'password-hard-lock')).filter((l) => l.svcnum === f.svcnum);
    t.equal(warned.length, 1, 'one warn.log line for the hard lock');
    // Cleared in lockout-clear.test.ts (business type 190 and the CLI); here by hand, for the next tests.
    await h.sql('DELETE FROM BSG_AUTH_FAIL WHERE SVCNUM = :s', { s: f.svcnum });
  });

  t.test('CS-02: the right password as the 100th consecutive attempt is a success, not a hard lock', async (t) => {
    const f = h.fx.first;
    t.equal((await h.call('cs', 'authenticate', { svcnum: f.svcnum, password: wrong(f) })).result, 2002);
    await h.sql('UPDATE BSG_AUTH_FAIL SET CONSECUTIVE = :c WHERE SVCNUM = :s', { c: LOCKOUT.maxConsecutive - 1, s: f.svcnum });
    t.equal((await h.call('cs', 'authenticate', { svcnum: f.svcnum, password: f.password })).result, 0);
    t.equal(await failRow(h, f.svcnum), undefined, 'the counters reset');
    t.equal((await h.call('cs', 'authenticate', { svcnum: f.svcnum, password: f.password })).result, 0, 'and it stays usable');
  });

  t.test('CS-02 PC-01: wrong passwords on many different numbers write one password-spraying warning to warn.log', async (t) => {
    t.equal((await warnLines(h, 'password-spraying')).length, 0, 'none before');
    const rows = (await h.facts.subscribers()).filter((r) => Number(r.status) !== 5 && Number(r.subscrbid) > 100000020 && ['G', 'C'].includes(r.nettype.trim()));
    const numbers = [...new Set(rows.map((r) => r.svcnum.trim()))].sort();
    t.ok(numbers.length >= SPRAY_NUMBERS + 5, `${numbers.length} numbers to spray`);
    const spray = async (svcnum: string, k: number) => {
      const r = k % 2 ? await h.call('card', 'card-verify', { svcnum, password: '000000X' }) : await h.call('cs', 'authenticate', { svcnum, password: '000000X' });
      t.equal(r.result, 2002, `${svcnum}: ${r.message}`);
    };
    // The fixtures that failed in the tests above, within the window: cdma, cdmaBlacklisted,
    // noPrintProvince, cdmaArrears, noPrintRegional, voip, first.
    const distinctBefore = 7;
    for (let k = 0; k < SPRAY_NUMBERS - distinctBefore - 1; k++) await spray(numbers[k], k);
    t.equal((await warnLines(h, 'password-spraying')).length, 0, `none below ${SPRAY_NUMBERS} numbers`);
    for (let k = SPRAY_NUMBERS - distinctBefore - 1; k < SPRAY_NUMBERS + 5; k++) await spray(numbers[k], k);
    const warned = await warnLines(h, 'password-spraying');
    t.equal(warned.length, 1, 'one warning per window, not per failure');
    t.equal(warned[0]?.numbers, SPRAY_NUMBERS, `at the ${SPRAY_NUMBERS}th number`);
    t.equal(warned[0]?.windowMinutes, SPRAY_WINDOW_MS / MIN);
    t.match(warned[0]?.msg, /password spraying suspected/);
    t.equal(warned[0]?.level, 'warn', 'level warn');
    t.notMatch(await h.allLogText(), /000000X/, 'the sprayed password is not logged');
  });
});
