// [card] (PC-03 amount bounds, PC-07 directories and timing) loads from the INI files with its
// defaults, and bad values name file, section and key.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import t from 'tap';
import { DEFAULT_CARD } from '../../src/config/keys.js';
import { loadConfig } from '../../src/config/load.js';

const dir = mkdtempSync(join(tmpdir(), 'bsg-card-'));
const ini = (name: string, text: string): string => {
  const f = join(dir, name);
  writeFileSync(f, `[interface.card]\n${text}`);
  return f;
};

t.test('PC-03 [card]: absent, every value is the default; report_dir beside the first file', async (t) => {
  const c = loadConfig([ini('a.ini', '')], {});
  t.same(c.card, { minAmount: DEFAULT_CARD.minAmount, maxAmount: DEFAULT_CARD.maxAmount, reportDir: resolve(dir, 'reports'), pollMs: 60_000, boundaryMs: 600_000, reportDirSource: { file: resolve(dir, 'a.ini'), isDefault: true } });
});

t.test('PC-03/PC-07 [card]: values as given, paths against the file\'s directory', async (t) => {
  const c = loadConfig([ini('b.ini', '[card]\nmin_amount = 100\nmax_amount = 200000\nreconcile_dir = drop\npoll_interval = 5s\nday_boundary = 0s\n')], {});
  t.equal(c.card?.minAmount, 100n);
  t.equal(c.card?.maxAmount, 200_000n);
  t.equal(c.card?.reconcileDir, resolve(dir, 'drop'));
  t.equal(c.card?.reportDir, resolve(dir, 'drop', 'reports'), 'reports below the drop directory');
  t.equal(c.card?.pollMs, 5000);
  t.equal(c.card?.boundaryMs, 0);
});

t.test('PC-03 [card]: bad values are refused naming file, section and key', async (t) => {
  t.throws(() => loadConfig([ini('c.ini', '[card]\nmin_amount = 0\n')], {}), /c\.ini: \[card\] min_amount/);
  t.throws(() => loadConfig([ini('d.ini', '[card]\nmax_amount = 12.5\n')], {}), /\[card\] max_amount/);
  t.throws(() => loadConfig([ini('e.ini', '[card]\nmin_amount = 500\nmax_amount = 100\n')], {}), /\[card\] max_amount: is 100, below min_amount 500/);
  t.throws(() => loadConfig([ini('f.ini', '[card]\nday_boundary = 12h\n')], {}), /\[card\] day_boundary/);
  t.throws(() => loadConfig([ini('g.ini', '[card]\npoll_interval = 10ms\n')], {}), /\[card\] poll_interval/);
  t.throws(() => loadConfig([ini('h.ini', '[card]\nmax_amuont = 1\n')], {}), /\[card\]/);
});
