// OP-02/OP-03 with several workers: every worker appends to the same day files; a worker rotates at
// midnight but never compresses (it reports the files it opened and closed); the primary
// compresses a finished day only once no worker holds it.
import t from 'tap';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogs } from '../../src/log/index.js';
import { DayFileHolders } from '../../src/cluster.js';
import type { Clock } from '../../src/types.js';

function manualClock(start: number): Clock & { set(ms: number): void } {
  let now = start;
  return { now: () => now, date: () => new Date(now), set: (ms) => void (now = ms) };
}
const NOV22_LAST_SECOND = new Date(2024, 10, 22, 23, 59, 59, 500).getTime();
const NOV23_FIRST_MS = new Date(2024, 10, 23, 0, 0, 0, 1).getTime();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('OP-03 workers: the primary compresses a finished day only once its last holder closed it', async (t) => {
  const archived: string[] = [];
  const h = new DayFileHolders(() => '1123', (f) => archived.push(f), 20);
  h.opened('/l/cs/query.1122', 1);
  h.opened('/l/cs/query.1122', 2);
  h.opened('/l/cs/query.1123', 1);
  h.finished('/l/cs/query.1122', 1);
  await sleep(60);
  t.same(archived, [], 'worker 2 still writes it');
  h.finished('/l/cs/query.1122', 2);
  t.same(archived, [], 'not at once: a late "opened" may still be on its way');
  await sleep(60);
  t.same(archived, ['/l/cs/query.1122'], 'compressed after the settle delay');

  // A worker's late "opened" during the settle delay keeps the file.
  h.opened('/l/cs/ans.1122', 1);
  h.finished('/l/cs/ans.1122', 1);
  h.opened('/l/cs/ans.1122', 3);
  await sleep(60);
  t.notOk(archived.includes('/l/cs/ans.1122'), 'a holder appeared during the delay');
  // That worker dies: it holds nothing; the file is released.
  h.gone(3);
  await sleep(60);
  t.ok(archived.includes('/l/cs/ans.1122'), 'released by the dead worker, then compressed');

  // Today's file is never compressed, whoever releases it.
  h.gone(1);
  await sleep(60);
  t.notOk(archived.includes('/l/cs/query.1123'), "today's file stays");
  t.notOk(h.held('/l/cs/query.1123'), 'but nobody holds it any more');

  // Stopping: nothing more compressed now (the next start's sweep does it).
  h.opened('/l/cs/err.1122', 4);
  h.stop();
  h.finished('/l/cs/err.1122', 4);
  await sleep(60);
  t.notOk(archived.includes('/l/cs/err.1122'));
});

t.test('OP-02 workers: two workers append to one day file (whole lines), rotate at midnight, report, and never compress', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-wlogs-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const clock = manualClock(NOV22_LAST_SECOND);
  const events: string[] = [];
  const cfg = { dir, level: 'info' as const, retentionDays: 30, requests: true };
  const mk = (w: number) =>
    createLogs(cfg, {
      clock,
      stderr: false,
      delegate: { opened: (f) => events.push(`${w} open ${f.slice(dir.length)}`), finished: (f) => events.push(`${w} done ${f.slice(dir.length)}`) },
    });
  const a = mk(1);
  const b = mk(2);
  const qa = a.forInterface('cs').query;
  const qb = b.forInterface('cs').query;
  // Lines long enough that a batch spans several KiB: whole lines or nothing in each write.
  const pad = 'x'.repeat(300);
  for (let i = 0; i < 400; i++) {
    qa.info({ w: 1, i, pad });
    qb.info({ w: 2, i, pad });
  }
  clock.set(NOV23_FIRST_MS);
  qa.info({ w: 1, i: 400 });
  a.rotateIfDue();
  b.rotateIfDue();
  await a.flush();
  await b.flush();
  t.same(events.filter((e) => e.includes('query.1122')).sort(), ['1 done /cs/query.1122', '1 open /cs/query.1122', '2 done /cs/query.1122', '2 open /cs/query.1122'], 'each worker reports opening and closing the day file');
  t.ok(events.includes('1 open /cs/query.1123'), 'and the new day');
  const old = readFileSync(join(dir, 'cs', 'query.1122'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { w: number; i: number });
  t.equal(old.length, 800, 'one file, every line of both workers, each a whole JSON line');
  for (const w of [1, 2]) t.same(old.filter((l) => l.w === w).map((l) => l.i), Array.from({ length: 400 }, (_, i) => i), `worker ${w}'s lines in its order`);
  await a.close();
  await b.close();
  t.ok(existsSync(join(dir, 'cs', 'query.1122')), 'a worker does not compress the finished day (the primary does)');
  t.notOk(existsSync(join(dir, 'cs', 'bak')), 'no bak/ written by a worker');
});
