// The service-password check every function carrying a password shares: the five checks (CS-02,
// VO-01, PC-01, PR-01, SM-01, handlers/password-check.ts) and the print kiosk's detail (PR-02,
// PR-03), so that no function is a way around the lockout.
//
// Lockout, per service number, counted in the database (src/store/queries/auth.ts):
// at most LOCKOUT.maxFails wrong passwords in a LOCKOUT.windowMs window, then the number is locked
// for LOCKOUT.lockMs; after LOCKOUT.maxConsecutive wrong passwords with no success between them,
// it is locked until an operator clears it (lockout-clear 190, `bssgate lockout clear`). A locked
// number is refused 2003 before its password is compared.
//
// Password spraying (one password tried on many numbers, which no per-number counter sees): this
// process counts the distinct numbers with a wrong password in the last SPRAY_WINDOW_MS; when
// they reach SPRAY_NUMBERS it writes one warning to warn.log, and no other for SPRAY_WINDOW_MS.
//
// Neither the password given nor the stored one is ever logged or put in a message.
import { GatewayError } from '../../protocol/return-codes.js';
import { verifyPasswordAsync } from '../../src/store/password.js';
import { SUBSCRIBER_PASSWORD, attemptSucceeded, reserveAttempt, type AuthFailRow, type LockoutPolicy } from '../../src/store/queries/auth.js';
import type { Store } from '../../src/store/types.js';
import type { HandlerContext } from '../../src/types.js';
import type { Subscriber } from './subscriber.js';
import { countLockout } from '../../src/metrics.js';

import { LOCKOUT } from './lockout.js';

export { LOCKOUT };

/** Password spraying: this many distinct numbers with a wrong password… */
export const SPRAY_NUMBERS = 50;
/** …within this long (sliding) warns once in warn.log; the next warning comes a window later at the earliest. */
export const SPRAY_WINDOW_MS = 5 * 60_000;
/** Numbers a detector remembers at most (memory bound under a large spray: the oldest go first). */
const SPRAY_TRACKED_MAX = 100_000;
/** Numbers named in the warning, the most recent first. */
const SPRAY_SAMPLE = 10;

/** Distinct numbers failing in a sliding window (Map order is the order of their last failure). */
class SprayDetector {
  private readonly last = new Map<string, number>();
  private warnedAt = Number.NEGATIVE_INFINITY;

  /** Record a failure; the count of distinct numbers when a warning is due now. */
  failed(svcnum: string, now: number): number | undefined {
    this.last.delete(svcnum);
    this.last.set(svcnum, now);
    for (const [k, at] of this.last) {
      if (now - at < SPRAY_WINDOW_MS && this.last.size <= SPRAY_TRACKED_MAX) break;
      this.last.delete(k);
    }
    if (this.last.size < SPRAY_NUMBERS || now - this.warnedAt < SPRAY_WINDOW_MS) return undefined;
    this.warnedAt = now;
    return this.last.size;
  }

  sample(): string[] {
    return [...this.last.keys()].slice(-SPRAY_SAMPLE).reverse();
  }
}

// One detector per database: the gateways of one process on one store see the same numbers (a
// restart keeps it); two stores (the test suites' back ends) never mix.
const detectors = new WeakMap<Store, SprayDetector>();

function detectorOf(view: Store): SprayDetector {
  // A write function's ctx.store is a view of its unit, new per request: key by the database's store.
  const store = view.base ?? view;
  let d = detectors.get(store);
  if (!d) detectors.set(store, (d = new SprayDetector()));
  return d;
}

function lockedMessage(row: AuthFailRow): string {
  return row.hard_locked !== 0
    ? `${row.svcnum} 已连续${row.consecutive}次密码错误, 需营业员解锁`
    : `${row.svcnum} 锁定至 ${row.locked_until}`;
}

/**
 * Check a subscriber's service password against TAB_SUBSCRB.SVCPWD (plain text or scrypt$…, both
 * compared in constant time). Resolves when it matches (the number's counters reset); throws
 * GatewayError PASSWORD_LOCKED (2003) when the number is locked — without comparing — and
 * WRONG_PASSWORD (2002) when it does not match (the failure counted). An empty stored password
 * never matches.
 */
export async function checkPassword(ctx: HandlerContext, sub: Subscriber, password: string, opts: { inUnit?: boolean } = {}): Promise<void> {
  // A check inside a write's unit of work (CS-22) is not queued: its unit holds the database's
  // writer (SQLite) while it runs, and a queued read check ahead of it would wait for that writer.
  if (opts.inUnit) return check(ctx, sub, password);
  const queue = queueOf(ctx.store);
  const ahead = queue.get(sub.svcnum);
  let done!: () => void;
  const mine = new Promise<void>((resolve) => (done = resolve));
  queue.set(sub.svcnum, mine);
  try {
    if (ahead !== undefined) await ahead;
    return await check(ctx, sub, password);
  } finally {
    done();
    if (queue.get(sub.svcnum) === mine) queue.delete(sub.svcnum);
  }
}

// The checks of one number in this process, one after another (by database: see detectors). Each
// attempt is counted before its comparison (reserveAttempt), so attempts that raced each other
// were all counted before the first success reset the counters: a client sending more than
// LOCKOUT.maxFails right passwords for one number at once had the later ones refused 2003
// ("locked after too many wrong passwords"), and on PostgreSQL the first-row INSERTs of a number
// collided with the rows the successes deleted until the retries ran out (9999). In turn, each
// check sees the one before it settled. Across processes the row lock still orders them.
const queues = new WeakMap<Store, Map<string, Promise<void>>>();

function queueOf(view: Store): Map<string, Promise<void>> {
  const store = view.base ?? view;
  let q = queues.get(store);
  if (!q) queues.set(store, (q = new Map()));
  return q;
}

async function check(ctx: HandlerContext, sub: Subscriber, password: string): Promise<void> {
  const now = ctx.clock.date();
  const r = await reserveAttempt(ctx.store, sub.svcnum, now, LOCKOUT);
  if (!r.ok) throw new GatewayError('PASSWORD_LOCKED', lockedMessage(r.row));
  const stored = (await SUBSCRIBER_PASSWORD.one(ctx.store, { subscrbid: sub.subscrbid }))?.svcpwd ?? '';
  // Compared whatever the stored value, so that an empty one takes the time of any other.
  const matches = await verifyPasswordAsync(password, stored);
  if (matches && stored !== '') {
    await attemptSucceeded(ctx.store, sub.svcnum, r.row.hard_locked !== 0);
    return;
  }
  const row = r.row;
  if (row.hard_locked !== 0) {
    countLockout('hard');
    ctx.log.warn(
      { event: 'password-hard-lock', svcnum: row.svcnum, consecutive: row.consecutive },
      `service password of ${row.svcnum} locked after ${row.consecutive} consecutive wrong passwords, until an operator clears it (lockout-clear, bssgate lockout clear)`,
    );
  } else if (row.lock_active !== 0) {
    countLockout('window');
    ctx.log.warn(
      { event: 'password-lock', svcnum: row.svcnum, fails: row.fails_in_window, lockedUntil: row.locked_until },
      `service password of ${row.svcnum} locked until ${row.locked_until} after ${row.fails_in_window} wrong passwords within ${LOCKOUT.windowMs / 60_000} minutes`,
    );
  }
  const detector = detectorOf(ctx.store);
  const spread = detector.failed(row.svcnum, now.getTime());
  if (spread !== undefined) {
    ctx.log.warn(
      { event: 'password-spraying', numbers: spread, windowMinutes: SPRAY_WINDOW_MS / 60_000, recent: detector.sample() },
      `password spraying suspected: wrong passwords on ${spread} different numbers within ${SPRAY_WINDOW_MS / 60_000} minutes`,
    );
  }
  const left = Math.min(LOCKOUT.maxFails - row.fails_in_window, LOCKOUT.maxConsecutive - row.consecutive);
  throw new GatewayError('WRONG_PASSWORD', row.hard_locked !== 0 || row.lock_active !== 0 ? lockedMessage(row) : `${row.svcnum} 还可尝试${left}次`);
}
