// PC-06 / issue 13: the attempt id a unit run writes into its ledger row (BSG_IDEMPOTENCY.ATTEMPT)
// tells, in doubt, this run's commit from another attempt's. Issue 17 draws it from a per-process
// random half and a per-run count instead of randomBytes per run: it must still be new for every
// run, fit the column (32 hex digits), and differ from another process's.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { newAttempt } from '../../src/idempotency.js';

t.test('PC-06 issue 17: every run gets a new 32-hex-digit attempt id', async (t) => {
  const ids = Array.from({ length: 10_000 }, () => newAttempt());
  t.equal(new Set(ids).size, ids.length, 'no id twice');
  t.ok(ids.every((id) => /^[0-9a-f]{32}$/.test(id)), '32 lower-case hex digits, as ATTEMPT holds');
});

t.test('PC-06 issue 17: another process (another or a restarted gateway) draws other ids', async (t) => {
  const mine = new Set(Array.from({ length: 3 }, () => newAttempt()));
  const dist = fileURLToPath(new URL('../../dist/src/idempotency.js', import.meta.url));
  const script = `import(${JSON.stringify(dist)}).then((m) => console.log([m.newAttempt(), m.newAttempt(), m.newAttempt()].join(' ')))`;
  const theirs = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }).trim().split(' ');
  t.equal(theirs.length, 3);
  t.ok(theirs.every((id) => /^[0-9a-f]{32}$/.test(id) && !mine.has(id)), `none of ${theirs.join(', ')} is one of this process's`);
  t.not(theirs[0].slice(0, 16), [...mine][0].slice(0, 16), 'the random half differs');
});
