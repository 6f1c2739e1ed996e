// CS-11 CS-13 C1-03 VO-08 PR-02 PR-03: what protocol/SPEC.md's "Paging" section promises about kept
// ticket pages (staleness bound, the largest month kept) is what the page cache is configured with.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { PAGE_CACHE_DEFAULTS } from '../../../handlers/kit/page-cache.js';

const spec = readFileSync(new URL('../../../protocol/SPEC.md', import.meta.url), 'utf8');
const paging = spec.slice(spec.indexOf('### Paging'), spec.indexOf('###', spec.indexOf('### Paging') + 4));

t.test('CS-11 SPEC states the page cache staleness bound and the largest kept month', async (t) => {
  t.match(paging, `for at most ${PAGE_CACHE_DEFAULTS.ttlMs / 1000} s`);
  t.match(paging, `more than ${PAGE_CACHE_DEFAULTS.maxListItems.toLocaleString('en-US')} records`);
  t.match(paging, '`total` is read on every request');
});
