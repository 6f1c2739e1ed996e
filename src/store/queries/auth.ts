// The service-password checks (CS-02, VO-01, PC-01, PR-01, SM-01; PR-02/PR-03 carry the password
// too) and their lockout counters: BSG_AUTH_FAIL, one row per service number (never per address:
// the kiosks and the SMS platform share addresses). The counters live in the database so that a
// lock survives a restart and holds across several gateways on one database.
//
// Every attempt is counted BEFORE its password is compared (reserveAttempt), in one transaction
// that first locks the number's row (SELECT … FOR UPDATE; on SQLite the transaction holds the one
// writer from its start): a locked number is refused without the comparison, and however many
// attempts race (several connections, several gateways on one database) each sees the counts of
// the one before it (UPDATE … SET X = X + 1 under the row lock), so at most `maxFails` of them reach
// the comparison within a window. A success then deletes the row (the counters reset); a failure
// leaves its reservation counted. The first attempt on a number inserts its row; two gateways
// inserting it at once meet a unique violation, and the loser's transaction runs again (it then
// finds the row and waits for its lock).
//
// The window is fixed, anchored at the first failure in it (the table keeps a start and a count,
// not every failure's time): a window that has run out, or a lock that has expired, starts a new
// window at the next attempt.
//
// Each statement binds times only where a column takes them or is compared with them (no CASE over
// a bound time: Oracle's DATE column against a TIMESTAMP bind, PostgreSQL's untyped parameter).
//
// Time always comes from the caller (`now`: the gateway's Clock), never from the database.
import { isUniqueViolation } from '../errors.js';
import type { Queryable, Store } from '../types.js';
import { defineQuery, type RowOf } from './define.js';

/** The stored service password of a subscriber (TAB_SUBSCRB.SVCPWD: plain text or scrypt$…). */
export const SUBSCRIBER_PASSWORD = defineQuery({
  name: 'auth.password',
  sql: 'SELECT SVCPWD FROM TAB_SUBSCRB WHERE SUBSCRBID = :subscrbid',
  binds: { subscrbid: 'id' },
  // NOT NULL in our schema; nullable here because a legacy schema may hold NULL (never matches).
  columns: { svcpwd: 'text?' },
});

/** The name a successful check answers (TAB_SUBSCRB.CUSTNAME). */
export const SUBSCRIBER_NAME = defineQuery({
  name: 'auth.subscriber-name',
  sql: 'SELECT CUSTNAME FROM TAB_SUBSCRB WHERE SUBSCRBID = :subscrbid',
  binds: { subscrbid: 'id' },
  columns: { custname: 'text' },
});

/**
 * The counters of a number, locking its row for the rest of the transaction. `lock_active` is 1 while
 * LOCKED_UNTIL is after :now; `window_over` is 1 when the next failure starts a new window (the
 * window began at or before :window_from, or a lock has expired).
 */
export const AUTH_FAIL_STATE = defineQuery({
  name: 'auth.fail-state',
  sql: `SELECT SVCNUM, FAILS_WINDOW_START, FAILS_IN_WINDOW, CONSECUTIVE, LOCKED_UNTIL, HARD_LOCKED, UPDATED,
  CASE WHEN LOCKED_UNTIL > :now THEN 1 ELSE 0 END AS LOCK_ACTIVE,
  CASE WHEN FAILS_WINDOW_START <= :window_from OR LOCKED_UNTIL <= :now THEN 1 ELSE 0 END AS WINDOW_OVER
FROM BSG_AUTH_FAIL WHERE SVCNUM = :svcnum {{forUpdate}}`,
  binds: { svcnum: 'text', now: 'time', window_from: 'time' },
  columns: {
    svcnum: 'text',
    fails_window_start: 'datetime',
    fails_in_window: 'int',
    consecutive: 'int',
    locked_until: 'datetime?',
    hard_locked: 'int',
    updated: 'datetime',
    lock_active: 'int',
    window_over: 'int',
  },
});

export type AuthFailRow = RowOf<typeof AUTH_FAIL_STATE.columns>;

/** The first attempt on a number: a row with nothing counted yet (AUTH_FAIL_COUNT then counts it). */
export const AUTH_FAIL_INSERT = defineQuery({
  name: 'auth.fail-insert',
  sql: `INSERT INTO BSG_AUTH_FAIL (SVCNUM, FAILS_WINDOW_START, FAILS_IN_WINDOW, CONSECUTIVE, LOCKED_UNTIL, HARD_LOCKED, UPDATED)
VALUES (:svcnum, :now, 0, 0, NULL, 0, :now)`,
  binds: { svcnum: 'text', now: 'time' },
  columns: {},
});

/** A new window from now (the old one ran out, or its lock expired). */
export const AUTH_FAIL_NEW_WINDOW = defineQuery({
  name: 'auth.fail-new-window',
  sql: 'UPDATE BSG_AUTH_FAIL SET FAILS_WINDOW_START = :now, FAILS_IN_WINDOW = 0, LOCKED_UNTIL = NULL WHERE SVCNUM = :svcnum',
  binds: { svcnum: 'text', now: 'time' },
  columns: {},
});

/** Count one attempt; the one that brings the consecutive count to :max_consecutive sets the hard lock. */
export const AUTH_FAIL_COUNT = defineQuery({
  name: 'auth.fail-count',
  sql: `UPDATE BSG_AUTH_FAIL SET FAILS_IN_WINDOW = FAILS_IN_WINDOW + 1, CONSECUTIVE = CONSECUTIVE + 1,
  HARD_LOCKED = CASE WHEN CONSECUTIVE + 1 >= :max_consecutive THEN 1 ELSE HARD_LOCKED END, UPDATED = :now
WHERE SVCNUM = :svcnum`,
  binds: { svcnum: 'text', now: 'time', max_consecutive: 'int' },
  columns: {},
});

/** The attempt that brings the window's count to the limit locks the number until :lock_until. */
export const AUTH_FAIL_LOCK = defineQuery({
  name: 'auth.fail-lock',
  sql: 'UPDATE BSG_AUTH_FAIL SET LOCKED_UNTIL = :lock_until WHERE SVCNUM = :svcnum',
  binds: { svcnum: 'text', lock_until: 'time' },
  columns: {},
});

/**
 * A success resets the counters (the row goes). A hard lock stays unless this very attempt set it
 * (:own_hard_lock = 1: its reservation was the last consecutive one allowed, and it proved the password).
 */
export const AUTH_FAIL_RESET = defineQuery({
  name: 'auth.fail-reset',
  sql: 'DELETE FROM BSG_AUTH_FAIL WHERE SVCNUM = :svcnum AND (HARD_LOCKED = 0 OR :own_hard_lock = 1)',
  binds: { svcnum: 'text', own_hard_lock: 'int' },
  columns: {},
});

/** The operator's clearing (lockout-clear, `bssgate lockout clear`): the row goes. */
export const AUTH_FAIL_CLEAR = defineQuery({
  name: 'auth.fail-clear',
  sql: 'DELETE FROM BSG_AUTH_FAIL WHERE SVCNUM = :svcnum',
  binds: { svcnum: 'text' },
  columns: {},
});


/** The lockout rule: how many failures in what window lock for how long; after how many in a row the hard lock. */
export interface LockoutPolicy {
  maxFails: number;
  windowMs: number;
  lockMs: number;
  maxConsecutive: number;
}

export type Reservation =
  /** Counted; `row` holds the counters with this attempt in them (row.lock_active = 1: this attempt set the lock). */
  | { ok: true; row: AuthFailRow }
  /** Locked: refused without comparing the password; nothing was written. */
  | { ok: false; row: AuthFailRow };

const RESERVE_TRIES = 3;

/** Count an attempt on a number before its password is compared, or refuse it when the number is locked. */
export async function reserveAttempt(store: Store, svcnum: string, now: Date, p: LockoutPolicy): Promise<Reservation> {
  const state = { svcnum, now, window_from: new Date(now.getTime() - p.windowMs) };
  for (let attempt = 1; ; attempt++) {
    try {
      return await store.transaction(async (tx): Promise<Reservation> => {
        let row = await AUTH_FAIL_STATE.one(tx, state);
        if (!row) {
          await AUTH_FAIL_INSERT.run(tx, { svcnum, now });
          row = (await AUTH_FAIL_STATE.one(tx, state))!;
        }
        if (row.hard_locked !== 0 || row.lock_active !== 0) return { ok: false, row };
        if (row.window_over !== 0) await AUTH_FAIL_NEW_WINDOW.run(tx, { svcnum, now });
        await AUTH_FAIL_COUNT.run(tx, { svcnum, now, max_consecutive: p.maxConsecutive });
        if ((row.window_over !== 0 ? 0 : row.fails_in_window) + 1 >= p.maxFails) {
          await AUTH_FAIL_LOCK.run(tx, { svcnum, lock_until: new Date(now.getTime() + p.lockMs) });
        }
        return { ok: true, row: (await AUTH_FAIL_STATE.one(tx, state))! };
      });
    } catch (err) {
      // Another gateway inserted the number's first row at the same moment: now it exists.
      if (attempt < RESERVE_TRIES && isUniqueViolation(err)) continue;
      throw err;
    }
  }
}

/** The password matched: the counters reset. `ownHardLock`: this attempt's reservation set the hard lock. */
export async function attemptSucceeded(q: Queryable, svcnum: string, ownHardLock: boolean): Promise<void> {
  await AUTH_FAIL_RESET.run(q, { svcnum, own_hard_lock: ownHardLock ? 1 : 0 });
}

/**
 * The operator's clearing: when the number is locked (hard, or a 30-minute lock still running),
 * its counters go and the row as it was is returned; otherwise nothing changes and the answer is
 * undefined.
 */
export async function clearLockout(store: Store, svcnum: string, now: Date): Promise<AuthFailRow | undefined> {
  return store.transaction(async (tx) => {
    const row = await AUTH_FAIL_STATE.one(tx, { svcnum, now, window_from: now });
    if (!row || (row.hard_locked === 0 && row.lock_active === 0)) return undefined;
    await AUTH_FAIL_CLEAR.run(tx, { svcnum });
    return row;
  });
}
