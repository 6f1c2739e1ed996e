// The claim/lease queries of the online-command scanner (OC-01…OC-03) on BSG_CMD_QUEUE. Each query has one definition,
// written in portable SQL with :binds and {{markers}} (src/store/dialect.ts).
//
// Claims. A command is claimable when
//   STATE = 'queued' AND NEXT_TRY <= :now           (waiting, its retry time has come), or
//   STATE = 'leased' AND LEASE_UNTIL < :now         (its scanner died or stalled: the lease expired)
// and no earlier command (smaller BUSISN) of the same number is still queued or leased: commands
// of one number reach the switch in order (a suspend must not overtake the resume before it).
// claimCommands selects up to N of them ordered by BUSISN with FOR UPDATE SKIP LOCKED (PostgreSQL,
// Oracle; on SQLite the writer lock serialises claimers) and sets LEASE_OWNER, LEASE_UNTIL,
// LEASE_TOKEN and ATTEMPTS in the same transaction, so two scanners never hold the same command.
// Completion, failure, release and extension only act while the caller still holds the lease:
// state 'leased', LEASE_OWNER the caller's AND LEASE_TOKEN the one its claim set (`CommandLease`).
// The owner alone is not enough: a delivery whose lease expired and was re-claimed by the SAME
// scanner would otherwise fail/requeue the newer attempt, whose completion then finds nothing and
// the switch gets the command twice. The token is 128 random bits drawn afresh for every claim and
// cleared when the lease ends, so an older lease of the same row never matches again, not even
// after a release (which lowers ATTEMPTS: the released attempt is not counted). ATTEMPTS is only
// the attempt counter, never the fence.
// Time always comes from the caller (`now`), so tests drive it with a Clock.
import { randomBytes } from 'node:crypto';
import type { QueryDef, Queryable, Store } from '../types.js';

const CLAIMABLE = `((q.STATE = 'queued' AND q.NEXT_TRY <= :now) OR (q.STATE = 'leased' AND q.LEASE_UNTIL < :now))
  AND NOT EXISTS (SELECT 1 FROM BSG_CMD_QUEUE e
                  WHERE e.SVCNUM = q.SVCNUM AND e.BUSISN < q.BUSISN AND e.STATE IN ('queued', 'leased'))`;

export const CMDQ_CLAIM_SELECT: QueryDef = {
  name: 'cmdq.claim-select',
  sql: `SELECT q.BUSISN, q.SVCNUM, q.REGION, q.NETTYPE, q.ATTEMPTS FROM BSG_CMD_QUEUE q
WHERE ${CLAIMABLE}
ORDER BY q.BUSISN {{limit :n}} {{skipLocked}}`,
  bigint: ['busisn'],
};

export const CMDQ_CLAIM_UPDATE: QueryDef = {
  name: 'cmdq.claim-update',
  sql: `UPDATE BSG_CMD_QUEUE SET STATE = 'leased', LEASE_OWNER = :owner, LEASE_UNTIL = :until, LEASE_TOKEN = :token,
  ATTEMPTS = ATTEMPTS + 1
WHERE BUSISN = :busisn`,
};

export const CMDQ_COMPLETE: QueryDef = {
  name: 'cmdq.complete',
  sql: `UPDATE BSG_CMD_QUEUE SET STATE = 'done', LEASE_OWNER = NULL, LEASE_UNTIL = NULL, LEASE_TOKEN = NULL, LAST_ERROR = NULL
WHERE BUSISN = :busisn AND LEASE_OWNER = :owner AND LEASE_TOKEN = :token AND STATE = 'leased'`,
};

export const CMDQ_RETRY: QueryDef = {
  name: 'cmdq.retry',
  sql: `UPDATE BSG_CMD_QUEUE SET STATE = 'queued', LEASE_OWNER = NULL, LEASE_UNTIL = NULL, LEASE_TOKEN = NULL, NEXT_TRY = :next_try, LAST_ERROR = :error
WHERE BUSISN = :busisn AND LEASE_OWNER = :owner AND LEASE_TOKEN = :token AND STATE = 'leased'`,
};

export const CMDQ_FAIL: QueryDef = {
  name: 'cmdq.fail',
  sql: `UPDATE BSG_CMD_QUEUE SET STATE = 'failed', LEASE_OWNER = NULL, LEASE_UNTIL = NULL, LEASE_TOKEN = NULL, LAST_ERROR = :error
WHERE BUSISN = :busisn AND LEASE_OWNER = :owner AND LEASE_TOKEN = :token AND STATE = 'leased'`,
};

export const CMDQ_RELEASE: QueryDef = {
  name: 'cmdq.release',
  sql: `UPDATE BSG_CMD_QUEUE SET STATE = 'queued', LEASE_OWNER = NULL, LEASE_UNTIL = NULL, LEASE_TOKEN = NULL, NEXT_TRY = :now,
  ATTEMPTS = CASE WHEN ATTEMPTS > 0 THEN ATTEMPTS - 1 ELSE 0 END
WHERE BUSISN = :busisn AND LEASE_OWNER = :owner AND LEASE_TOKEN = :token AND STATE = 'leased'`,
};

export const CMDQ_EXTEND: QueryDef = {
  name: 'cmdq.extend',
  sql: `UPDATE BSG_CMD_QUEUE SET LEASE_UNTIL = :until WHERE BUSISN = :busisn AND LEASE_OWNER = :owner AND LEASE_TOKEN = :token AND STATE = 'leased'`,
};

export const CMDQ_ENQUEUE: QueryDef = {
  name: 'cmdq.enqueue',
  sql: `INSERT INTO BSG_CMD_QUEUE (BUSISN, SVCNUM, REGION, NETTYPE, STATE, ATTEMPTS, NEXT_TRY, CREATED)
VALUES (:busisn, :svcnum, :region, :nettype, 'queued', 0, :now, :now)`,
};

export const CMDQ_GET: QueryDef = {
  name: 'cmdq.get',
  sql: `SELECT BUSISN, SVCNUM, REGION, NETTYPE, STATE, LEASE_OWNER, LEASE_UNTIL, LEASE_TOKEN, ATTEMPTS, NEXT_TRY, LAST_ERROR, CREATED
FROM BSG_CMD_QUEUE WHERE BUSISN = :busisn`,
  bigint: ['busisn'],
  dates: ['lease_until', 'next_try', 'created'],
};

export interface ClaimedCommand {
  busisn: bigint;
  svcnum: string;
  region: string;
  nettype: string;
  /** Attempts including this one (a counter only: the fence is leaseToken). */
  attempts: number;
  leaseOwner: string;
  /** This claim's LEASE_TOKEN: 32 hex characters, fresh for every claim (CommandLease). */
  leaseToken: string;
  leaseUntil: Date;
}

/**
 * The lease a claim handed out, as the calls below need it: a ClaimedCommand is one. `leaseToken`
 * is the fencing token (BSG_CMD_QUEUE.LEASE_TOKEN as this claim set it).
 */
export type CommandLease = Pick<ClaimedCommand, 'busisn' | 'leaseOwner' | 'leaseToken'>;

function fence(l: CommandLease): { busisn: bigint; owner: string; token: string } {
  return { busisn: l.busisn, owner: l.leaseOwner, token: l.leaseToken };
}

/** A fresh lease token: 128 random bits as 32 hex characters (LEASE_TOKEN). */
function newLeaseToken(): string {
  return randomBytes(16).toString('hex');
}

export interface ClaimOptions {
  /** The scanner's id, e.g. host:pid:n (LEASE_OWNER, at most 64 bytes). */
  owner: string;
  /** The clock's current time. */
  now: Date;
  /** How long the lease lasts (ms); a scanner must finish or extend before it expires. */
  leaseMs: number;
  /** At most this many commands (1…1000). */
  limit: number;
}

/** OC-01/OC-02: claim up to `limit` claimable commands, in BUSISN order, in one transaction. */
export async function claimCommands(store: Store, o: ClaimOptions): Promise<ClaimedCommand[]> {
  const limit = Math.max(1, Math.min(1000, Math.floor(o.limit)));
  const until = new Date(o.now.getTime() + o.leaseMs);
  return store.transaction(async (tx) => {
    const rows = await tx.all<{ busisn: bigint; svcnum: string; region: string; nettype: string; attempts: number }>(CMDQ_CLAIM_SELECT, {
      now: o.now,
      n: limit,
    });
    const claimed: ClaimedCommand[] = [];
    for (const r of rows) {
      const token = newLeaseToken();
      await tx.run(CMDQ_CLAIM_UPDATE, { busisn: r.busisn, owner: o.owner, until, token });
      claimed.push({
        busisn: r.busisn,
        svcnum: r.svcnum,
        region: r.region,
        nettype: r.nettype,
        attempts: Number(r.attempts) + 1,
        leaseOwner: o.owner,
        leaseToken: token,
        leaseUntil: until,
      });
    }
    return claimed;
  });
}

// LAST_ERROR holds 400 GBK bytes; 200 characters fit whatever the script.
function clip(s: string): string {
  return s.length > 200 ? s.slice(0, 200) : s;
}

/** OC-03: the switch executed it. False when the lease was no longer ours (nothing changed). */
export async function completeCommand(q: Queryable, lease: CommandLease): Promise<boolean> {
  return (await q.run(CMDQ_COMPLETE, fence(lease))) === 1;
}

/**
 * OC-03: delivery failed. With `retryAt` the command goes back to the queue (claimable from then
 * on); without it the command ends 'failed'. False when the lease was no longer ours.
 */
export async function failCommand(q: Queryable, lease: CommandLease, error: string, retryAt?: Date): Promise<boolean> {
  const n = retryAt
    ? await q.run(CMDQ_RETRY, { ...fence(lease), error: clip(error), next_try: retryAt })
    : await q.run(CMDQ_FAIL, { ...fence(lease), error: clip(error) });
  return n === 1;
}

/**
 * Give a command back untried (e.g. at shutdown): claimable again at once, the attempt not counted.
 * The lease ends: its token is cleared, and a later claim (even by the same owner) gets a new one.
 */
export async function releaseCommand(q: Queryable, lease: CommandLease, now: Date): Promise<boolean> {
  return (await q.run(CMDQ_RELEASE, { ...fence(lease), now })) === 1;
}

/** Keep a lease for a long delivery. False when it was no longer ours. */
export async function extendLease(q: Queryable, lease: CommandLease, until: Date): Promise<boolean> {
  return (await q.run(CMDQ_EXTEND, { ...fence(lease), until })) === 1;
}

/** Queue a command (in the same transaction as its USR_BUSI_RECORD row in status 5). */
export async function enqueueCommand(
  q: Queryable,
  c: { busisn: bigint; svcnum: string; region: string; nettype: string; now: Date },
): Promise<void> {
  await q.run(CMDQ_ENQUEUE, c);
}
