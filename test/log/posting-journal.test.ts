// Issue 13 (defect 3): suc_query.MMDD is crash-safe. The posting journal (src/log/posting-journal.ts)
// takes a unit's lines before its COMMIT (one write + fdatasync for a whole batch), suc_query gets
// them after it, and the start-up recovery restores exactly the lines of committed postings that a
// crash lost: once, never doubled, never for a posting that did not commit.
import t, { type Test } from 'tap';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createLogs } from '../../src/log/index.js';
import { JOURNAL_PREFIX, recoverPostings, type Posting } from '../../src/log/posting-journal.js';
import { GroupCommitter, type TxSession } from '../../src/store/group-commit.js';
import type { Clock } from '../../src/types.js';

function manualClock(start: number): Clock & { set(ms: number): void } {
  let now = start;
  return { now: () => now, date: () => new Date(now), set: (ms) => void (now = ms) };
}

const NOV22_10H = new Date(2024, 10, 22, 10, 0, 0).getTime();

function tempDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-journal-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const posting = (paysn: number, serial: string): Posting => ({
  line: { client: 'cardsys', serial, svcnum: '13997000001', amount: 100n, balance: 200n, paysn: BigInt(paysn), kind: 'payment' },
  key: { paysn: BigInt(paysn), source: 'cardsys', serial },
});

const journals = (dir: string) => readdirSync(dir).filter((f) => f.startsWith(JOURNAL_PREFIX));
const paysnsIn = (file: string) =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => String((JSON.parse(l) as { paysn: unknown }).paysn))
    : [];

/** TAB_PAY as the recovery sees it: PAYSN → SOURCE, SERIAL. */
const tabPay = (rows: Record<number, [string, string]>) => async (paysn: bigint) => {
  const r = rows[Number(paysn)];
  return r ? { source: r[0], serial: r[1] } : undefined;
};

t.test('issue 13 PC-03: recovery restores the line of a committed posting once, none for one that did not commit, and never doubles one already there', async (t) => {
  const dir = tempDir(t);
  const clock = manualClock(NOV22_10H);
  const logs = createLogs({ dir, level: 'info', retentionDays: 30, requests: true }, { clock, stderr: false });
  const card = logs.forInterface('card');
  // Four units journaled before their COMMIT, as in one batch (one write for all of them):
  const [committedLost, neverCommitted, committedLogged, reusedPaysn] = await Promise.all([
    card.postings.prepare([posting(101, 'S101')]),
    card.postings.prepare([posting(102, 'S102')]),
    card.postings.prepare([posting(103, 'S103')]),
    card.postings.prepare([posting(104, 'S104')]),
  ]);
  t.equal(card.postings.stats.writes, 1, 'the four units of one batch share one journal write (and one fdatasync)');
  // Only 103 got its line before the "crash"; the others were never settled.
  card.postings.commit(committedLogged);
  void committedLost;
  void neverCommitted;
  void reusedPaysn;
  await logs.close();
  const cardDir = join(dir, 'card');
  const suc = join(cardDir, 'suc_query.1122');
  t.same(paysnsIn(suc), ['103'], 'before recovery: only the settled line');
  t.equal(journals(cardDir).length, 1, 'the segment with unsettled entries is left for the recovery');
  // The crash cut the last write in the middle: a torn entry (its batch never committed).
  appendFileSync(join(cardDir, journals(cardDir)[0]), '{"t":1,"paysn":"105","sou');

  const lookup = tabPay({ 101: ['cardsys', 'S101'], 103: ['cardsys', 'S103'], 104: ['cardsys', 'OTHER'] });
  const r = await recoverPostings({ dir: cardDir, lookup, clock });
  t.same(r, { files: 1, entries: 4, restored: 1, present: 1, absent: 2 }, 'one restored (101), one already there (103), two absent (102 not in TAB_PAY, 104 another posting under that PAYSN)');
  t.same(paysnsIn(suc), ['103', '101'], 'exactly one line per committed posting, none for the others');
  const restored = JSON.parse(readFileSync(suc, 'utf8').split('\n')[1]) as Record<string, unknown>;
  t.match(restored, { level: 'info', iface: 'card', serial: 'S101', kind: 'payment', amount: 100, paysn: 101 }, 'the restored line is the line the gateway would have written');
  t.match(String(restored.time), /^2024-11-22T10:00:00\.000[+-]\d\d:\d\d$/, 'with the time it was made');
  t.same(journals(cardDir), [], 'the journal is deleted once recovered');

  const again = await recoverPostings({ dir: cardDir, lookup, clock });
  t.same(again, { files: 0, entries: 0, restored: 0, present: 0, absent: 0 }, 'a second recovery finds nothing to do');
  t.same(paysnsIn(suc), ['103', '101'], 'and writes nothing');
});

t.test('issue 13: a line already in the day\'s archive (bak/suc_query.MMDD.gz) or in the next day\'s file is not restored again', async (t) => {
  const dir = tempDir(t);
  const cardDir = join(dir, 'card');
  mkdirSync(join(cardDir, 'bak'), { recursive: true });
  const t22 = new Date(2024, 10, 22, 23, 59, 59, 900).getTime();
  const line = (paysn: number) => `{"level":"info","time":"x","iface":"card","serial":"S${paysn}","paysn":${paysn},"kind":"payment"}\n`;
  const entry = (paysn: number) => JSON.stringify({ t: t22, paysn: String(paysn), source: 'cardsys', serial: `S${paysn}`, line: line(paysn) }) + '\n';
  writeFileSync(join(cardDir, `${JOURNAL_PREFIX}main.x.1`), entry(201) + entry(202) + entry(203));
  writeFileSync(join(cardDir, 'bak', 'suc_query.1122.gz'), gzipSync(line(201)));
  // 202 was committed just after midnight: its line is in the next day's file.
  writeFileSync(join(cardDir, 'suc_query.1123'), line(202));
  const archived: string[] = [];
  const clock = manualClock(t22 + 3600_000);
  const r = await recoverPostings({ dir: cardDir, lookup: tabPay({ 201: ['cardsys', 'S201'], 202: ['cardsys', 'S202'], 203: ['cardsys', 'S203'] }), clock, archive: (f) => archived.push(f) });
  t.same(r, { files: 1, entries: 3, restored: 1, present: 2, absent: 0 });
  t.same(paysnsIn(join(cardDir, 'suc_query.1122')), ['203'], 'only the missing line, in the file of its own day');
  t.same(archived, [join(cardDir, 'suc_query.1122')], 'an earlier day\'s file appended to is handed to the archiver again');
});

t.test('issue 13: committed lines go to suc_query.MMDD; settled segments are deleted once suc_query is synced; abandoned units write nothing', async (t) => {
  const dir = tempDir(t);
  const clock = manualClock(NOV22_10H);
  const logs = createLogs({ dir, level: 'info', retentionDays: 30, requests: true }, { clock, stderr: false });
  const card = logs.forInterface('card');
  const cardDir = join(dir, 'card');
  const a = await card.postings.prepare([posting(1, 'A'), posting(2, 'A2')]);
  const b = await card.postings.prepare([posting(3, 'B')]);
  t.equal(journals(cardDir).length, 1, 'journaled in one segment');
  const journaledText = readFileSync(join(cardDir, journals(cardDir)[0]), 'utf8');
  card.postings.commit(a);
  card.postings.abandon(b);
  t.equal(card.postings.unsettled, 0);
  // Later: the old segment is sealed at the next write, and deleted (suc_query synced first).
  clock.set(NOV22_10H + 5000);
  const c = await card.postings.prepare([posting(4, 'C')]);
  card.postings.commit(c);
  const deadline = Date.now() + 10_000;
  while (card.postings.stats.removed < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  t.equal(card.postings.stats.removed, 1, 'the settled, sealed segment is deleted');
  const suc = join(cardDir, 'suc_query.1122');
  t.same(paysnsIn(suc), ['1', '2'], 'suc_query was synced (flushed to the file) before the segment went: the committed lines, not the abandoned one');
  const written = readFileSync(suc, 'utf8').split('\n').filter(Boolean);
  for (const l of written) t.ok(journaledText.includes(JSON.stringify(l + '\n')), 'suc_query holds the very bytes that were journaled');
  await logs.close();
  t.same(journals(cardDir), [], 'a clean stop with everything settled leaves no journal');
  t.same(paysnsIn(suc), ['1', '2', '4']);
});

function fakeSession(events: string[]) {
  const step = (name: string) => async () => void events.push(name);
  const s: TxSession = {
    q: { all: async () => [], one: async () => undefined, run: async () => 1 },
    begin: step('BEGIN'),
    savepoint: async (n) => step(`SAVEPOINT ${n}`)(),
    release: async (n) => step(`RELEASE ${n}`)(),
    rollbackTo: async (n) => step(`ROLLBACK TO ${n}`)(),
    commit: step('COMMIT'),
    rollback: async () => void events.push('ROLLBACK'),
  };
  return <T>(fn: (s: TxSession) => Promise<T>) => fn(s);
}

t.test('issue 13: group commit runs the beforeCommit hooks of the units that succeeded, together, before the COMMIT; a failing hook fails the batch', async (t) => {
  const events: string[] = [];
  const gc = new GroupCommitter(fakeSession(events));
  const hook = (name: string) => async () => {
    events.push(`hook ${name}`);
    await new Promise((r) => setTimeout(r, 5));
    events.push(`hook ${name} done`);
  };
  const r = await Promise.allSettled([
    gc.submit(async () => 'a', { beforeCommit: hook('a') }),
    gc.submit(async () => { throw new Error('b refused'); }, { beforeCommit: hook('b') }),
    gc.submit(async () => 'c', { beforeCommit: hook('c') }),
  ]);
  t.same(r.map((x) => x.status), ['fulfilled', 'rejected', 'fulfilled']);
  t.same(events, [
    'BEGIN',
    'SAVEPOINT bsg_u0', 'RELEASE bsg_u0',
    'SAVEPOINT bsg_u1', 'ROLLBACK TO bsg_u1',
    'SAVEPOINT bsg_u2', 'RELEASE bsg_u2',
    'hook a', 'hook c', 'hook a done', 'hook c done',
    'COMMIT',
  ], 'the hooks of a and c (not of the refused b) run concurrently, and the COMMIT waits for both');

  events.length = 0;
  const failing = await Promise.allSettled([
    gc.submit(async () => 'x', { beforeCommit: async () => { throw new Error('journal disk full'); } }),
    gc.submit(async () => 'y'),
  ]);
  t.same(failing.map((x) => x.status), ['rejected', 'rejected'], 'nothing of the batch is reported committed');
  t.notOk(events.includes('COMMIT'), 'no COMMIT is issued');
  t.ok(events.includes('ROLLBACK'), 'the batch is rolled back');
});
