// The month cache of the detail pages (issue 17; CS-11, CS-13, PR-02, C1-03, PR-03, VO-08):
// a list is kept while its count is unchanged and younger than ttlMs, memory is bounded.
import t from 'tap';
import { PageCache } from '../../../handlers/kit/page-cache.js';

function clock() {
  const c = { now: 0, tick: (ms: number) => (c.now += ms) };
  return c;
}

t.test('CS-11 page cache: a kept list is reused while its count is unchanged and younger than ttlMs', async (t) => {
  const c = clock();
  const cache = new PageCache<number>({ ttlMs: 1000, maxItems: 100, maxListItems: 50, now: () => c.now });
  let loads = 0;
  const load = (n: number) => async () => {
    loads++;
    return Array.from({ length: n }, (_, i) => i + loads * 1000);
  };
  const a = await cache.list('k', 3, load(3));
  t.same(a, [1000, 1001, 1002]);
  t.same(await cache.list('k', 3, load(3)), a, 'same count, young: the kept list');
  t.equal(loads, 1);
  t.same(await cache.list('k', 4, load(4)), [2000, 2001, 2002, 2003], 'a record added (count 4): read again at once');
  t.equal(loads, 2);
  c.tick(999);
  await cache.list('k', 4, load(4));
  t.equal(loads, 2, 'still within ttlMs');
  c.tick(1);
  t.same(await cache.list('k', 4, load(4)), [3000, 3001, 3002, 3003], 'ttlMs after the read: read again (the staleness bound of a record changed in place)');
  t.equal(loads, 3);
  t.same(cache.stats, { loads: 3, hits: 2, bypass: 0 });
});

t.test('CS-11 page cache: memory is bounded (least recently used lists dropped), long lists are never kept', async (t) => {
  const cache = new PageCache<number>({ ttlMs: 60_000, maxItems: 10, maxListItems: 6 });
  const list = (n: number) => async () => Array.from({ length: n }, (_, i) => i);
  await cache.list('a', 4, list(4));
  await cache.list('b', 4, list(4));
  t.equal(cache.size, 8);
  await cache.list('a', 4, list(4)); // a is now the most recently used
  await cache.list('c', 4, list(4));
  t.equal(cache.size, 8, 'b dropped for c: 8 ≤ 10 items held');
  const before = cache.stats.loads;
  await cache.list('a', 4, list(4));
  t.equal(cache.stats.loads, before, 'a kept');
  await cache.list('b', 4, list(4));
  t.equal(cache.stats.loads, before + 1, 'b was dropped: read again');
  t.ok(cache.size <= 10);
  t.equal(await cache.list('long', 7, list(7)), undefined, 'a list longer than maxListItems: undefined (the caller pages with OFFSET)');
  t.equal(cache.stats.bypass, 1);
  // A count under the bound whose read returns more (records inserted in between) is answered but not kept.
  t.equal((await cache.list('grew', 6, list(8)))?.length, 8);
  t.equal((await cache.list('grew', 8, list(8))), undefined, 'and its next count is over the bound');
  t.ok(cache.size <= 10);
});

t.test('CS-11 page cache: concurrent requests share one read; a failed read is not kept', async (t) => {
  const cache = new PageCache<number>({ ttlMs: 60_000, maxItems: 100, maxListItems: 50 });
  let loads = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const load = async () => {
    loads++;
    await gate;
    return [1, 2];
  };
  const both = Promise.all([cache.list('k', 2, load), cache.list('k', 2, load)]);
  release();
  t.same(await both, [[1, 2], [1, 2]]);
  t.equal(loads, 1);
  await t.rejects(cache.list('bad', 2, async () => Promise.reject(new Error('database down'))), /database down/);
  t.same(await cache.list('bad', 2, async () => [7, 8]), [7, 8], 'the next request reads again');
});
