// Completion/failure/release/extension are fenced by the claim they belong to (LEASE_OWNER and the
// claim's LEASE_TOKEN), not by LEASE_OWNER only: a stale delivery of the same scanner cannot change
// the outcome of its own newer claim, even when a release in between lowered ATTEMPTS again.
// (Moved from test/review-store/.)
import t, { type Test } from 'tap';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createSqliteStore } from '../../src/store/open.js';
import { ensureDatabase } from '../../src/store/init.js';
import type { AdminStore } from '../../src/store/types.js';
import {
  CMDQ_GET,
  claimCommands,
  completeCommand,
  enqueueCommand,
  extendLease,
  failCommand,
  releaseCommand,
} from '../../src/store/queries/commands.js';

const log = pino({ level: 'silent' });

async function queueOne(t: Pick<Test, 'teardown'>, t0: Date): Promise<AdminStore> {
  const store = createSqliteStore(join(mkdtempSync(join(tmpdir(), 'bsg-claim-fencing-')), 'q.db'), log, { fileCheckMs: 0 });
  t.teardown(() => store.close());
  await ensureDatabase(store, { demoSubscribers: 0, demoSeed: 1, now: t0, log });
  await store.transaction((tx) => enqueueCommand(tx, { busisn: 42n, svcnum: '13997001234', region: '0971', nettype: 'G', now: t0 }));
  return store;
}

t.test('a stale delivery of the same scanner cannot change the outcome of a newer claim', async (t) => {
  const t0 = new Date(2024, 10, 22, 10, 0, 0);
  const store = await queueOne(t, t0);

  const owner = 'host1:1234:0'; // one scanner: docs/store.md "owner host:pid:n"
  const first = await claimCommands(store, { owner, now: t0, leaseMs: 30_000, limit: 10 });
  t.equal(first.length, 1);
  // delivery #1 stalls on a slow switch; its lease expires and the same scanner claims the command again
  const t1 = new Date(t0.getTime() + 60_000);
  const second = await claimCommands(store, { owner, now: t1, leaseMs: 30_000, limit: 10 });
  t.equal(second.length, 1, 're-claimed after the lease expired (attempt 2)');
  t.equal(second[0].attempts, 2);

  // delivery #1 tries to keep its lease, then gives up and schedules a retry: neither touches attempt 2
  t.equal(await store.transaction((tx) => extendLease(tx, first[0], new Date(t1.getTime() + 90_000))), false, 'the stale attempt cannot extend');
  const staleOk = await store.transaction((tx) => failCommand(tx, first[0], 'timeout (attempt 1)', new Date(t1.getTime() + 1000)));
  t.equal(staleOk, false, 'the stale attempt is told the lease is no longer its own');
  t.equal(await store.transaction((tx) => completeCommand(tx, first[0])), false, 'nor can it complete');
  // attempt 2 delivered successfully
  const done = await store.transaction((tx) => completeCommand(tx, second[0]));
  t.equal(done, true, 'the live attempt completes its command');
  const row = await store.one<{ state: string; last_error: string | null }>(CMDQ_GET, { busisn: 42n });
  t.equal(row?.state, 'done', 'the command executed once ends done, not re-queued for a second execution');
  t.equal(row?.last_error, null);
});

t.test('after a release and a re-claim by the same owner, the released lease is refused', async (t) => {
  const t0 = new Date(2024, 10, 22, 10, 0, 0);
  const store = await queueOne(t, t0);
  const owner = 'host1:1234:0';
  const [first] = await claimCommands(store, { owner, now: t0, leaseMs: 30_000, limit: 10 });
  t.equal(first?.attempts, 1);
  t.ok(await store.transaction((tx) => releaseCommand(tx, first, t0)), 'released (e.g. at shutdown)');
  t.equal((await store.one<{ attempts: number }>(CMDQ_GET, { busisn: 42n }))?.attempts, 0, 'the released attempt is not counted');

  const [second] = await claimCommands(store, { owner, now: t0, leaseMs: 30_000, limit: 10 });
  t.equal(second?.busisn, 42n, 're-claimed by the same owner');
  t.equal(second.attempts, 1, 'same owner, same ATTEMPTS as the released lease: ATTEMPTS is no fence');
  t.not(second.leaseToken, first.leaseToken, 'a new token');

  const later = new Date(t0.getTime() + 1000);
  t.equal(await store.transaction((tx) => extendLease(tx, first, new Date(t0.getTime() + 90_000))), false, 'the released lease cannot extend');
  t.equal(await store.transaction((tx) => failCommand(tx, first, 'stale', later)), false, 'nor retry');
  t.equal(await store.transaction((tx) => failCommand(tx, first, 'stale')), false, 'nor fail');
  t.equal(await store.transaction((tx) => releaseCommand(tx, first, later)), false, 'nor release');
  t.equal(await store.transaction((tx) => completeCommand(tx, first)), false, 'nor complete');
  const row = await store.one<{ state: string; lease_token: string; lease_until: Date; attempts: number }>(CMDQ_GET, { busisn: 42n });
  t.equal(row?.state, 'leased', 'the live lease is untouched');
  t.equal(row?.lease_token, second.leaseToken);
  t.equal(row?.lease_until.getTime(), second.leaseUntil.getTime(), 'not extended by the stale lease');
  t.equal(row?.attempts, 1);

  t.equal(await store.transaction((tx) => completeCommand(tx, second)), true, 'the live lease completes');
  const done = await store.one<{ state: string; lease_token: unknown; lease_owner: unknown }>(CMDQ_GET, { busisn: 42n });
  t.equal(done?.state, 'done');
  t.equal(done?.lease_token, null, 'the token is cleared when the lease ends');
  t.equal(done?.lease_owner, null);
});
