import t from 'tap';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { LogConfig } from '../../src/config/types.js';
import { SECRET_MASK } from '../../protocol/redact.js';
import { createLogs, mmdd } from '../../src/log/index.js';
import type { Clock } from '../../src/types.js';

/** A clock the test moves by hand. */
function manualClock(start: number): Clock & { set(ms: number): void } {
  let now = start;
  return { now: () => now, date: () => new Date(now), set: (ms) => void (now = ms) };
}

function logDir(): string {
  return mkdtempSync(join(tmpdir(), 'bssgate-log-'));
}

function config(dir: string, extra: Partial<LogConfig> = {}): LogConfig {
  return { dir, level: 'info', retentionDays: 30, requests: true, ...extra };
}

const lines = (f: string): string[] => readFileSync(f, 'utf8').split('\n').filter(Boolean);

/** Every file under dir, gz files decompressed, as one text. */
function allText(dir: string): string {
  let out = '';
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const f = join(e.parentPath, e.name);
    const buf = readFileSync(f);
    out += (f.endsWith('.gz') ? gunzipSync(buf) : buf).toString('utf8') + '\n';
  }
  return out;
}

// Local dates: the file names follow the process's time zone, whatever it is.
const NOV22_10H = new Date(2024, 10, 22, 10, 0, 0).getTime();
const NOV22_LAST_SECOND = new Date(2024, 10, 22, 23, 59, 59, 500).getTime();
const NOV23_FIRST_MS = new Date(2024, 10, 23, 0, 0, 0, 1).getTime();
const DAY = 86_400_000;

t.test('OP-02: request lines go to <dir>/<iface>/query.MMDD named by the local date, with local time and the iface binding', async (t) => {
  const dir = logDir();
  const logs = createLogs(config(dir), { clock: manualClock(NOV22_10H), stderr: false });
  const cs = logs.forInterface('cs');
  t.equal(logs.forInterface('cs'), cs, 'the same loggers for the same interface');
  cs.query.info({ conn: 1, peer: '127.0.0.1:5000', seq: 7, biz: 14, serial: 'S1', operator: 'op1', body: { svcNum: '13900000000' } }, 'request');
  cs.ans.info({ seq: 7, biz: 14, code: 0, ms: 1.2 }, 'answer');
  cs.err.warn({ conn: 1 }, 'malformed frame');
  await logs.flush();
  t.equal(mmdd(NOV22_10H), '1122');
  const q = lines(join(dir, 'cs', 'query.1122'));
  t.equal(q.length, 1);
  const rec = JSON.parse(q[0]);
  t.match(rec, { iface: 'cs', seq: 7, biz: 14, serial: 'S1', operator: 'op1', body: { svcNum: '13900000000' }, msg: 'request', level: 'info' });
  t.match(rec.time, /^2024-11-22T10:00:00\.000[+-]\d\d:\d\d$/, 'local time with offset');
  t.match(JSON.parse(lines(join(dir, 'cs', 'ans.1122'))[0]), { seq: 7, code: 0, ms: 1.2 });
  t.match(JSON.parse(lines(join(dir, 'cs', 'err.1122'))[0]), { level: 'warn', msg: 'malformed frame' });
  t.notOk(existsSync(join(dir, 'cs', 'suc_query.1122')), 'a family with nothing to say today has no file');
  logs.main.info('started');
  logs.forInterface('card').warn.warn('slow database');
  await logs.close();
  const w = lines(join(dir, 'warn.log')).map((l) => JSON.parse(l));
  t.match(w, [{ msg: 'started' }, { msg: 'slow database', iface: 'card', level: 'warn' }], 'warn.log is one per log dir');
});

t.test('OP-02: a write after the driven local midnight goes to the new day\'s file, earlier ones stay in the old', async (t) => {
  const dir = logDir();
  const clock = manualClock(NOV22_LAST_SECOND);
  const logs = createLogs(config(dir), { clock, stderr: false });
  const card = logs.forInterface('card');
  for (let i = 0; i < 3; i++) card.query.info({ n: i }, 'before');
  card.sucQuery.info({ serial: 'P1', amount: '100' }, 'posted');
  clock.set(NOV23_FIRST_MS);
  for (let i = 0; i < 2; i++) card.query.info({ n: i }, 'after');
  await logs.flush();
  const after = lines(join(dir, 'card', 'query.1123'));
  t.same(after.map((l) => JSON.parse(l).msg), ['after', 'after']);
  t.match(JSON.parse(after[0]).time, /^2024-11-23T00:00:00\.001/);
  // OP-03: the finished day is compressed into bak/ and the original removed.
  t.notOk(existsSync(join(dir, 'card', 'query.1122')), 'the old query file is gone');
  const old = gunzipSync(readFileSync(join(dir, 'card', 'bak', 'query.1122.gz'))).toString('utf8').split('\n').filter(Boolean);
  t.same(old.map((l) => JSON.parse(l).msg), ['before', 'before', 'before'], 'bak/query.1122.gz holds exactly the lines before midnight');
  t.same(old.map((l) => JSON.parse(l).n), [0, 1, 2]);
  t.ok(existsSync(join(dir, 'card', 'suc_query.1122')), 'an idle family keeps its file until the idle check');
  logs.rotateIfDue();
  await logs.flush();
  t.notOk(existsSync(join(dir, 'card', 'suc_query.1122')), 'the idle check closes the finished day');
  t.match(JSON.parse(gunzipSync(readFileSync(join(dir, 'card', 'bak', 'suc_query.1122.gz'))).toString('utf8')), { serial: 'P1', msg: 'posted' });
  await logs.close();
});

t.test("OP-03: the start-up sweep running across midnight never archives the new day's open file", async (t) => {
  const dir = logDir();
  mkdirSync(join(dir, 'card'), { recursive: true });
  const clock = manualClock(NOV22_LAST_SECOND);
  const logs = createLogs(config(dir), { clock, stderr: false });
  const card = logs.forInterface('card');
  card.query.info('before');
  // Midnight passes before the sweep (started by createLogs) has read the directory.
  clock.set(NOV23_FIRST_MS);
  card.query.info('after');
  await logs.flush();
  t.same(lines(join(dir, 'card', 'query.1123')).map((l) => JSON.parse(l).msg), ['after'], 'the new day keeps its file');
  await logs.close();
});

t.test('OP-03: archives in bak/ older than retention_days are deleted; newer ones are kept', async (t) => {
  const dir = logDir();
  const bak = join(dir, 'cs', 'bak');
  mkdirSync(bak, { recursive: true });
  const old = join(bak, 'query.1001.gz');
  const recent = join(bak, 'query.1120.gz');
  const notGz = join(bak, 'notes.txt');
  for (const f of [old, recent, notGz]) writeFileSync(f, 'x');
  const setAge = (f: string, ms: number) => utimesSync(f, new Date(ms), new Date(ms));
  setAge(old, NOV22_10H - 40 * DAY);
  setAge(recent, NOV22_10H - 2 * DAY);
  setAge(notGz, NOV22_10H - 400 * DAY);
  const logs = createLogs(config(dir, { retentionDays: 30 }), { clock: manualClock(NOV22_10H), stderr: false });
  await logs.flush();
  t.notOk(existsSync(old), '40 days old: deleted');
  t.ok(existsSync(recent), '2 days old: kept');
  t.ok(existsSync(notGz), 'only .gz archives are pruned');
  await logs.close();
});

t.test('OP-03: per-number trace files older than retention_days are deleted at start; a running trace\'s file, active.json and other names are kept', async (t) => {
  const dir = logDir();
  const trace = join(dir, 'trace');
  mkdirSync(trace, { recursive: true });
  const old = join(trace, '13997025731.20241001120000.log');
  const recent = join(trace, '13997025731.20241120120000.log');
  const active = join(trace, 'active.json');
  const other = join(trace, 'notes.log');
  for (const f of [old, recent, active, other]) writeFileSync(f, '{}\n');
  const setAge = (f: string, ms: number) => utimesSync(f, new Date(ms), new Date(ms));
  setAge(old, NOV22_10H - 40 * DAY);
  setAge(recent, NOV22_10H - 2 * DAY);
  setAge(active, NOV22_10H - 400 * DAY);
  setAge(other, NOV22_10H - 400 * DAY);
  const logs = createLogs(config(dir, { retentionDays: 30 }), { clock: manualClock(NOV22_10H), stderr: false });
  await logs.flush();
  t.notOk(existsSync(old), '40 days untouched: deleted');
  t.ok(existsSync(recent), '2 days untouched: kept');
  t.ok(existsSync(active), 'active.json is the gateway\'s state, never pruned');
  t.ok(existsSync(other), 'only trace file names are pruned');
  await logs.close();
  // retention_days = 1: a trace started yesterday afternoon may still be running (a trace lasts at
  // most 24 h): its file is kept; one last written the day before yesterday is deleted.
  const running = join(trace, '13997025731.20241121140000.log');
  writeFileSync(running, '{}\n');
  setAge(running, NOV22_10H - 20 * 3600_000);
  const ended = join(trace, '13997025731.20241120080000.log');
  writeFileSync(ended, '{}\n');
  setAge(ended, NOV22_10H - 40 * 3600_000);
  const logs1 = createLogs(config(dir, { retentionDays: 1 }), { clock: manualClock(NOV22_10H), stderr: false });
  await logs1.flush();
  t.ok(existsSync(running), 'the file of a trace that may still run is kept');
  t.notOk(existsSync(ended), 'one last written before yesterday\'s midnight is deleted');
  await logs1.close();
});

t.test('OP-03: leftover files of earlier days are compressed at start; today\'s file is left to append to', async (t) => {
  const dir = logDir();
  mkdirSync(join(dir, 'sms'), { recursive: true });
  const leftover = join(dir, 'sms', 'ans.1120');
  const today = join(dir, 'sms', 'ans.1122');
  const lastYear = join(dir, 'sms', 'err.1122');
  writeFileSync(leftover, '{"msg":"from the 20th"}\n');
  writeFileSync(today, '{"msg":"earlier today"}\n');
  writeFileSync(lastYear, '{"msg":"a year ago"}\n');
  utimesSync(leftover, new Date(NOV22_10H - 2 * DAY), new Date(NOV22_10H - 2 * DAY));
  utimesSync(today, new Date(NOV22_10H - 3600_000), new Date(NOV22_10H - 3600_000));
  utimesSync(lastYear, new Date(NOV22_10H - 365 * DAY), new Date(NOV22_10H - 365 * DAY));
  const logs = createLogs(config(dir, { retentionDays: 400 }), { clock: manualClock(NOV22_10H), stderr: false });
  logs.forInterface('sms').ans.info('later today');
  await logs.flush();
  t.notOk(existsSync(leftover));
  t.equal(gunzipSync(readFileSync(join(dir, 'sms', 'bak', 'ans.1120.gz'))).toString('utf8'), '{"msg":"from the 20th"}\n');
  t.equal(gunzipSync(readFileSync(join(dir, 'sms', 'bak', 'err.1122.gz'))).toString('utf8'), '{"msg":"a year ago"}\n', 'same MMDD, written before today: compressed');
  t.same(lines(today).map((l) => JSON.parse(l).msg), ['earlier today', 'later today'], 'today\'s file is appended to');
  t.equal(statSync(join(dir, 'sms', 'bak', 'ans.1120.gz')).mtimeMs, NOV22_10H - 2 * DAY, 'the archive keeps the day\'s mtime for retention');
  await logs.close();
});

t.test('flush and close lose nothing: 10,000 lines written, 10,000 lines on disk', async (t) => {
  const dir = logDir();
  const logs = createLogs(config(dir), { clock: manualClock(NOV22_10H), stderr: false });
  const cs = logs.forInterface('cs');
  for (let i = 0; i < 10_000; i++) cs.query.info({ seq: i, biz: 14, body: { svcNum: '13900000000', cycle: '202411' } }, 'request');
  await logs.close();
  const got = lines(join(dir, 'cs', 'query.1122'));
  t.equal(got.length, 10_000);
  t.equal(JSON.parse(got[9_999]).seq, 9_999, 'in order, the last one included');
  t.doesNotThrow(() => cs.query.info('after close'), 'a late line after close is dropped, not thrown');
  t.doesNotThrow(() => logs.main.info('after close'));
  await logs.close();
});

t.test('requests = false writes no query or ans files but still writes errors', async (t) => {
  const dir = logDir();
  const logs = createLogs(config(dir, { requests: false }), { clock: manualClock(NOV22_10H), stderr: false });
  const cs = logs.forInterface('cs');
  cs.query.info('request');
  cs.ans.info('answer');
  cs.err.error('bad frame');
  await logs.close();
  t.notOk(existsSync(join(dir, 'cs', 'query.1122')));
  t.notOk(existsSync(join(dir, 'cs', 'ans.1122')));
  t.equal(lines(join(dir, 'cs', 'err.1122')).length, 1);
});

t.test('an interface name that could leave the log directory is refused', async (t) => {
  const logs = createLogs(config(logDir()), { clock: manualClock(NOV22_10H), stderr: false });
  t.throws(() => logs.forInterface('../etc'), /cannot be a log directory name/);
  await logs.close();
});

t.test('a canary password logged under secret keys never appears in any file, rotated and compressed ones included', async (t) => {
  const dir = logDir();
  const clock = manualClock(NOV22_LAST_SECOND);
  const logs = createLogs(config(dir), { clock, stderr: false });
  const cs = logs.forInterface('cs');
  const C = 'CANARY-7f3a91';
  cs.query.info({ seq: 1, body: { svcNum: '139', password: C, svcpwd: C, newPassword: C, oldPassword: C } }, 'request');
  cs.query.info({ password: C, pwd: C, puk: C, pin: C }, 'top level');
  cs.query.info({ req: { body: { pwd: C } } }, 'three deep');
  cs.query.info({ body: { records: [{ puk: C }, { svcpwd: C }] } }, 'inside a list');
  cs.ans.info({ reply: { oldPassword: C } }, 'answer');
  cs.err.error({ body: { newPassword: C } }, 'error');
  cs.sucQuery.info({ body: { pwd: C } }, 'posted');
  cs.warn.warn({ ctx: { password: C } }, 'warn');
  logs.main.info({ db: { password: C } }, 'main');
  clock.set(NOV23_FIRST_MS);
  cs.query.info({ password: C }, 'next day');
  logs.rotateIfDue();
  await logs.close();
  const text = allText(dir);
  t.ok(existsSync(join(dir, 'cs', 'bak', 'query.1122.gz')), 'the first day was compressed');
  t.notMatch(text, C, 'the canary is nowhere');
  t.equal(text.split(SECRET_MASK).length - 1, 17, `each of the 17 secrets was replaced by ${SECRET_MASK}`);
  t.match(text, '"svcNum":"139"', 'other fields are kept');
});
