// The claim/lease queries of the online-command scanner (OC-01…OC-03).
//
// The contract is the legacy one: a switch command is a USR_BUSI_RECORD row in STATUS 5, whoever
// wrote it (bssgate's acceptance operations, the front-office application, a DBA's INSERT). The
// scanner moves it 5 → 6 (sending) → 7 (executed) or 8 (failed), filling EXECUTED and RESULT, which
// CS-05 and VO-11 show. A retryable failure puts it back to 5 with RESULT saying why it waits.
// bssgate's own lease and attempt bookkeeping lives beside it in BSG_CMD_QUEUE (one row per BUSISN
// the scanner has claimed at least once); nothing else needs to know that table.
//
// Claimable (CMD_CLAIM_QUEUED, CMD_CLAIM_EXPIRED below), in BUSISN order:
//   STATUS 5 and no BSG_CMD_QUEUE row says "not before NEXT_TRY"   (new, or its retry time came), or
//   STATUS 6 and its BSG_CMD_QUEUE lease has expired                (its scanner died or stalled),
// and no earlier record (smaller BUSISN) of the same number is in 5 or 6: commands of one number go
// out in order, never two at once (a suspend must not overtake the resume before it). A status-6 row
// without a lease row is someone else's delivery (another system's scanner): left alone.
//
// The claim SELECT locks with FOR UPDATE SKIP LOCKED on PostgreSQL/Oracle (on SQLite the writer
// lock serialises claimers); then each row is fenced by a conditional UPDATE that re-checks the
// latest committed version (PostgreSQL re-evaluates an UPDATE's WHERE after waiting on a row lock):
// 5 → 6 on USR_BUSI_RECORD for a queued command, "lease expired" on BSG_CMD_QUEUE for a taken-back
// one. Only the winner of that UPDATE writes the lease, so two scanners never hold one command.
//
// Lock order (no deadlock between scanners): a transaction that locks both rows of a command
// locks its USR_BUSI_RECORD row first, then its BSG_CMD_QUEUE row — the claim (its SELECT locks the
// record, then the lease row is written) and finishCommand (CMD_LOCK_RECORD before the fenced lease
// update). Between commands, rows are taken in BUSISN order (claims, result batches, renewals);
// extendLease locks lease rows only. A take-back claim never waits for a record row (SKIP LOCKED).
//
// Fencing (kept from the earlier design): completion, retry, failure, release and extension act
// only while the caller still holds the lease: STATE 'leased', LEASE_OWNER the caller's AND
// LEASE_TOKEN the one its claim set. The owner alone is not enough: a delivery whose lease expired
// and was re-claimed by the SAME scanner would otherwise finish the newer attempt. The token is 128
// random bits drawn afresh for every claim and cleared when the lease ends. ATTEMPTS is a counter,
// never the fence. Time always comes from the caller (`now`), so tests drive it with a Clock.
import { randomBytes } from 'node:crypto';
import { BUSI_STATUS } from '../../domain/codes.js';
import type { Queryable, Store } from '../types.js';
import { defineQuery } from './define.js';

const S = BUSI_STATUS;

// One number's earlier commands still open block it. `+ 0` keeps SQLite's planner off the
// (STATUS, BUSISN) index here (a range scan per row, quadratic in the queue length): the lookup
// goes through IX_BUSIREC_SVCNUM, as PostgreSQL and Oracle choose anyway.
const IN_ORDER = `NOT EXISTS (SELECT 1 FROM USR_BUSI_RECORD e
                  WHERE e.SVCNUM = r.SVCNUM AND e.BUSISN + 0 < r.BUSISN AND e.STATUS + 0 IN (${S.QUEUED.code}, ${S.SENDING.code}))`;

const CLAIM_COLUMNS = `r.BUSISN, r.SUBSCRBID, r.SVCNUM, r.BUSITYPE, r.STATUS, r.REGION, r.NETTYPE, r.IMSI, r.PARAM,
  (SELECT c.ATTEMPTS FROM BSG_CMD_QUEUE c WHERE c.BUSISN = r.BUSISN) AS ATTEMPTS`;

const CLAIM_SPEC = {
  busisn: 'id',
  subscrbid: 'id',
  svcnum: 'text',
  busitype: 'int',
  status: 'int',
  region: 'text',
  nettype: 'text',
  imsi: 'text?',
  param: 'text?',
  attempts: 'int?',
} as const;

/**
 * OC-01/02: queued commands (status 5, no retry time ahead), oldest first, locked (SKIP LOCKED).
 * One status per query, so the (STATUS, BUSISN) index delivers them in order and the scan stops at :n.
 */
export const CMD_CLAIM_QUEUED = defineQuery({
  name: 'cmd.claim-queued',
  sql: `SELECT ${CLAIM_COLUMNS}
FROM USR_BUSI_RECORD r
WHERE r.STATUS = ${S.QUEUED.code}
  AND NOT EXISTS (SELECT 1 FROM BSG_CMD_QUEUE w WHERE w.BUSISN = r.BUSISN AND w.NEXT_TRY > :now)
  AND ${IN_ORDER}
ORDER BY r.BUSISN {{limit :n}} {{skipLocked}}`,
  binds: { now: 'time', n: 'int' },
  columns: CLAIM_SPEC,
});

/** OC-01/02: commands in status 6 whose lease expired (their scanner died or stalled), locked (SKIP LOCKED). */
export const CMD_CLAIM_EXPIRED = defineQuery({
  name: 'cmd.claim-expired',
  sql: `SELECT ${CLAIM_COLUMNS}
FROM USR_BUSI_RECORD r
WHERE r.STATUS = ${S.SENDING.code}
  AND EXISTS (SELECT 1 FROM BSG_CMD_QUEUE l WHERE l.BUSISN = r.BUSISN AND l.STATE = 'leased' AND l.LEASE_UNTIL < :now)
ORDER BY r.BUSISN {{limit :n}} {{skipLocked}}`,
  binds: { now: 'time', n: 'int' },
  columns: CLAIM_SPEC,
});

/** The fence of a first (or retried) claim: only one claimer moves the record 5 → 6. */
export const CMD_MARK_SENDING = defineQuery({
  name: 'cmd.mark-sending',
  sql: `UPDATE USR_BUSI_RECORD SET STATUS = ${S.SENDING.code} WHERE BUSISN = :busisn AND STATUS = ${S.QUEUED.code}`,
  binds: { busisn: 'id' },
  columns: {},
});

/** A claim of a record already in 6 for us: the lease row of an earlier claim, whatever its state. */
export const CMD_LEASE_AGAIN = defineQuery({
  name: 'cmd.lease-again',
  sql: `UPDATE BSG_CMD_QUEUE SET STATE = 'leased', LEASE_OWNER = :owner, LEASE_UNTIL = :until, LEASE_TOKEN = :token,
  ATTEMPTS = ATTEMPTS + 1, UPDATED = :now
WHERE BUSISN = :busisn`,
  binds: { busisn: 'id', owner: 'text', until: 'time', token: 'text', now: 'time' },
  columns: {},
});

/** The first claim of a record: its lease row. */
export const CMD_LEASE_NEW = defineQuery({
  name: 'cmd.lease-new',
  sql: `INSERT INTO BSG_CMD_QUEUE (BUSISN, STATE, LEASE_OWNER, LEASE_UNTIL, LEASE_TOKEN, ATTEMPTS, NEXT_TRY, CREATED, UPDATED)
VALUES (:busisn, 'leased', :owner, :until, :token, 1, :now, :now, :now)`,
  binds: { busisn: 'id', owner: 'text', until: 'time', token: 'text', now: 'time' },
  columns: {},
});

/** The fence of taking back an expired lease (the record stays 6). */
export const CMD_TAKE_BACK = defineQuery({
  name: 'cmd.take-back',
  sql: `UPDATE BSG_CMD_QUEUE SET LEASE_OWNER = :owner, LEASE_UNTIL = :until, LEASE_TOKEN = :token, ATTEMPTS = ATTEMPTS + 1, UPDATED = :now
WHERE BUSISN = :busisn AND STATE = 'leased' AND LEASE_UNTIL < :now`,
  binds: { busisn: 'id', owner: 'text', until: 'time', token: 'text', now: 'time' },
  columns: {},
});

const FENCE = `BUSISN = :busisn AND LEASE_OWNER = :owner AND LEASE_TOKEN = :token AND STATE = 'leased'`;
const FENCE_BINDS = { busisn: 'id', owner: 'text', token: 'text' } as const;

/** The lease-end and lease-wait statements up to their WHERE (the fence of one lease, or of a listed batch). */
const LEASE_END_UPDATE = `UPDATE BSG_CMD_QUEUE SET STATE = :state, LEASE_OWNER = NULL, LEASE_UNTIL = NULL, LEASE_TOKEN = NULL,
  SWITCH_NAME = NULLIF(:switch_name, ''), LAST_ERROR = NULLIF(:error, ''), UPDATED = :now
WHERE `;
const LEASE_WAIT_UPDATE = `UPDATE BSG_CMD_QUEUE SET STATE = 'queued', LEASE_OWNER = NULL, LEASE_UNTIL = NULL, LEASE_TOKEN = NULL,
  NEXT_TRY = :next_try, SWITCH_NAME = NULLIF(:switch_name, ''), LAST_ERROR = NULLIF(:error, ''), UPDATED = :now,
  ATTEMPTS = CASE WHEN ATTEMPTS >= :dec THEN ATTEMPTS - :dec ELSE 0 END
WHERE `;

/** Lease end with an outcome: executed (done) or failed for good. */
export const CMD_LEASE_END = defineQuery({
  name: 'cmd.lease-end',
  sql: `${LEASE_END_UPDATE}${FENCE}`,
  binds: { ...FENCE_BINDS, state: 'text', switch_name: 'text', error: 'text', now: 'time' },
  columns: {},
});

/** Lease end, back to waiting until NEXT_TRY; `dec` 1 = the attempt is not counted (release, unreachable switch). */
export const CMD_LEASE_WAIT = defineQuery({
  name: 'cmd.lease-wait',
  sql: `${LEASE_WAIT_UPDATE}${FENCE}`,
  binds: { ...FENCE_BINDS, next_try: 'time', switch_name: 'text', error: 'text', now: 'time', dec: 'int' },
  columns: {},
});

export const CMD_EXTEND = defineQuery({
  name: 'cmd.extend',
  sql: `UPDATE BSG_CMD_QUEUE SET LEASE_UNTIL = :until WHERE ${FENCE}`,
  binds: { ...FENCE_BINDS, until: 'time' },
  columns: {},
});

/**
 * The lock order of every transaction that locks both rows of a command: its USR_BUSI_RECORD row
 * first, then its BSG_CMD_QUEUE row (the claim locks the record in its SELECT … FOR UPDATE SKIP
 * LOCKED, then writes the lease row). finishCommand takes this lock before it touches the lease
 * row; otherwise a stalled scanner writing its outcome (lease row locked, record next) and a
 * scanner taking the expired lease back (record locked, lease row next) wait for each other:
 * PostgreSQL/Oracle report a deadlock. SQLite: nothing (the writer lock serialises).
 */
export const CMD_LOCK_RECORD = defineQuery({
  name: 'cmd.lock-record',
  sql: `SELECT BUSISN FROM USR_BUSI_RECORD WHERE BUSISN = :busisn {{forUpdate}}`,
  binds: { busisn: 'id' },
  columns: { busisn: 'id' },
});

/** The legacy record's result: 7 executed / 8 failed with EXECUTED, or back to 5 with why it waits. */
export const CMD_RECORD_RESULT = defineQuery({
  name: 'cmd.record-result',
  sql: `UPDATE USR_BUSI_RECORD SET STATUS = :status, EXECUTED = :executed, RESULT = :result
WHERE BUSISN = :busisn AND STATUS = ${S.SENDING.code}`,
  binds: { busisn: 'id', status: 'int', executed: 'time', result: 'text' },
  columns: {},
});

/** Back to 5 (waiting): EXECUTED stays empty. */
export const CMD_RECORD_WAIT = defineQuery({
  name: 'cmd.record-wait',
  sql: `UPDATE USR_BUSI_RECORD SET STATUS = ${S.QUEUED.code}, EXECUTED = NULL, RESULT = :result
WHERE BUSISN = :busisn AND STATUS = ${S.SENDING.code}`,
  binds: { busisn: 'id', result: 'text' },
  columns: {},
});

// --- batches (issue 17): one statement for a whole claim or result batch ---------------------
//
// The same steps as the per-command queries above, for a list of commands given as one JSON bind
// ({{rows}}, src/store/dialect.ts): a batch of n commands is a fixed number of statements, not
// 2–3 per command. Each statement's row count is checked against the list; any difference (a lease
// lost, a record changed by someone else) rolls the batch back and it is done again command by
// command (claimCommands, finishCommands), which tells each case apart as before.

const LIST = '{{rows :list (busisn id)}}';
const LEASE_LIST = '{{rows :list (busisn id, token text)}}';

/** The fence of a batch claim: 5 → 6 for every listed record (all of them locked by the claim's SELECT). */
export const CMD_MARK_SENDING_BATCH = defineQuery({
  name: 'cmd.mark-sending-batch',
  sql: `UPDATE USR_BUSI_RECORD SET STATUS = ${S.SENDING.code}
WHERE STATUS = ${S.QUEUED.code} AND BUSISN IN (SELECT x.busisn FROM ${LIST} x)`,
  binds: { list: 'text' },
  columns: {},
});

/** The first claim of the listed records: their lease rows, one token for the batch (BUSISN is part of the fence). */
export const CMD_LEASE_NEW_BATCH = defineQuery({
  name: 'cmd.lease-new-batch',
  sql: `INSERT INTO BSG_CMD_QUEUE (BUSISN, STATE, LEASE_OWNER, LEASE_UNTIL, LEASE_TOKEN, ATTEMPTS, NEXT_TRY, CREATED, UPDATED)
SELECT x.busisn, 'leased', :owner, :until, :token, 1, :now, :now, :now FROM ${LIST} x`,
  binds: { list: 'text', owner: 'text', until: 'time', token: 'text', now: 'time' },
  columns: {},
});

/** A claim of listed records that have a lease row from an earlier claim. */
export const CMD_LEASE_AGAIN_BATCH = defineQuery({
  name: 'cmd.lease-again-batch',
  sql: `UPDATE BSG_CMD_QUEUE SET STATE = 'leased', LEASE_OWNER = :owner, LEASE_UNTIL = :until, LEASE_TOKEN = :token,
  ATTEMPTS = ATTEMPTS + 1, UPDATED = :now
WHERE BUSISN IN (SELECT x.busisn FROM ${LIST} x)`,
  binds: { list: 'text', owner: 'text', until: 'time', token: 'text', now: 'time' },
  columns: {},
});

/** CMD_LOCK_RECORD for a result batch: the records first, in BUSISN order ("Lock order" above). */
export const CMD_LOCK_RECORDS_BATCH = defineQuery({
  name: 'cmd.lock-records-batch',
  sql: `SELECT BUSISN FROM USR_BUSI_RECORD WHERE BUSISN IN (SELECT x.busisn FROM ${LIST} x) ORDER BY BUSISN {{forUpdate}}`,
  binds: { list: 'text' },
  columns: { busisn: 'id' },
});

const FENCE_BATCH = `LEASE_OWNER = :owner AND STATE = 'leased' AND (BUSISN, LEASE_TOKEN) IN (SELECT x.busisn, x.token FROM ${LEASE_LIST} x)`;

/** CMD_LEASE_END for listed leases (busisn, token) of one owner that share one outcome. */
export const CMD_LEASE_END_BATCH = defineQuery({
  name: 'cmd.lease-end-batch',
  sql: `${LEASE_END_UPDATE}${FENCE_BATCH}`,
  binds: { list: 'text', owner: 'text', state: 'text', switch_name: 'text', error: 'text', now: 'time' },
  columns: {},
});

/** CMD_LEASE_WAIT for listed leases (busisn, token) of one owner that share one outcome. */
export const CMD_LEASE_WAIT_BATCH = defineQuery({
  name: 'cmd.lease-wait-batch',
  sql: `${LEASE_WAIT_UPDATE}${FENCE_BATCH}`,
  binds: { list: 'text', owner: 'text', next_try: 'time', switch_name: 'text', error: 'text', now: 'time', dec: 'int' },
  columns: {},
});

/** CMD_RECORD_RESULT for listed records that share one outcome. */
export const CMD_RECORD_RESULT_BATCH = defineQuery({
  name: 'cmd.record-result-batch',
  sql: `UPDATE USR_BUSI_RECORD SET STATUS = :status, EXECUTED = :executed, RESULT = :result
WHERE STATUS = ${S.SENDING.code} AND BUSISN IN (SELECT x.busisn FROM ${LIST} x)`,
  binds: { list: 'text', status: 'int', executed: 'time', result: 'text' },
  columns: {},
});

/** CMD_RECORD_WAIT for listed records that share one outcome. */
export const CMD_RECORD_WAIT_BATCH = defineQuery({
  name: 'cmd.record-wait-batch',
  sql: `UPDATE USR_BUSI_RECORD SET STATUS = ${S.QUEUED.code}, EXECUTED = NULL, RESULT = :result
WHERE STATUS = ${S.SENDING.code} AND BUSISN IN (SELECT x.busisn FROM ${LIST} x)`,
  binds: { list: 'text', result: 'text' },
  columns: {},
});

/** Wake-up (PostgreSQL): a unit that queues a command notifies the scanners' channel; delivered on COMMIT. */
export const CMD_NOTIFY = defineQuery({
  name: 'cmd.notify',
  sql: '{{notify :channel}}',
  binds: { channel: 'text' },
  columns: {},
});

/** The channel of CMD_NOTIFY, per database (PostgreSQL channels are). */
export const CMD_CHANNEL = 'bssgate_cmd';

/** CS-24's special services of a record: what {SRVGID} and {PARAM} render to. */
export const CMD_SRVG_OF_RECORD = defineQuery({
  name: 'cmd.srvg-of-record',
  sql: 'SELECT SRVGID, ACTION, PARAM FROM USR_BUSI_SRVG WHERE BUSISN = :busisn ORDER BY SRVGID',
  binds: { busisn: 'id' },
  columns: { srvgid: 'text', action: 'text', param: 'text?' },
});

/** Every switch command template (cached by the scanner: a few hundred rows). */
export const CMD_TEMPLATES = defineQuery({
  name: 'cmd.templates',
  sql: 'SELECT BUSITYPE, NETTYPE, SWITCHTYPE, SEQNO, TEMPLATE FROM SWITCH_INS_MODEL ORDER BY BUSITYPE, NETTYPE, SWITCHTYPE, SEQNO',
  binds: {},
  columns: { busitype: 'int', nettype: 'text', switchtype: 'text', seqno: 'int', template: 'text' },
});

// --- operations: `bssgate commands`, stats() -------------------------------------------------

const LIST_COLUMNS = `r.BUSISN, r.SVCNUM, r.BUSITYPE, r.STATUS, r.REGION, r.NETTYPE, r.OPERATOR, r.CREATED, r.EXECUTED, r.RESULT,
  q.STATE, q.ATTEMPTS, q.NEXT_TRY, q.LEASE_OWNER, q.LEASE_UNTIL, q.SWITCH_NAME, q.LAST_ERROR`;
const LIST_SPEC = {
  busisn: 'id',
  svcnum: 'text',
  busitype: 'int',
  status: 'int',
  region: 'text',
  nettype: 'text',
  operator: 'text',
  created: 'datetime',
  executed: 'datetime?',
  result: 'text?',
  state: 'text?',
  attempts: 'int?',
  next_try: 'datetime?',
  lease_owner: 'text?',
  lease_until: 'datetime?',
  switch_name: 'text?',
  last_error: 'text?',
} as const;

/**
 * `bssgate commands --state …`: switch-command records in the given statuses, newest first, a page
 * at a time (BUSISN below :after), by origin: :origin 0 every record, 1 those bssgate's scanner
 * handled (a BSG_CMD_QUEUE row: it claimed and tried them), 2 the others (set final by another
 * system — the legacy program, the front office, the demo data's seeded history — never sent by bssgate).
 */
export const CMD_LIST_BY_STATUS = defineQuery({
  name: 'cmd.list-by-status',
  sql: `SELECT ${LIST_COLUMNS}
FROM USR_BUSI_RECORD r LEFT JOIN BSG_CMD_QUEUE q ON q.BUSISN = r.BUSISN
WHERE r.STATUS IN (:s1, :s2) AND r.BUSISN < :after
  AND (:origin = 0 OR (:origin = 1 AND q.BUSISN IS NOT NULL) OR (:origin = 2 AND q.BUSISN IS NULL))
ORDER BY r.BUSISN DESC {{limit :n}}`,
  binds: { s1: 'int', s2: 'int', after: 'id', origin: 'int', n: 'int' },
  columns: LIST_SPEC,
});

/** How many records `cmd.list-by-status` would list without its limit: all, and those bssgate's scanner handled. */
export const CMD_COUNT_BY_STATUS = defineQuery({
  name: 'cmd.count-by-status',
  sql: `SELECT COUNT(*) AS N, COALESCE(SUM(CASE WHEN q.BUSISN IS NULL THEN 0 ELSE 1 END), 0) AS BY_SCANNER
FROM USR_BUSI_RECORD r LEFT JOIN BSG_CMD_QUEUE q ON q.BUSISN = r.BUSISN
WHERE r.STATUS IN (:s1, :s2) AND r.BUSISN < :after
  AND (:origin = 0 OR (:origin = 1 AND q.BUSISN IS NOT NULL) OR (:origin = 2 AND q.BUSISN IS NULL))`,
  binds: { s1: 'int', s2: 'int', after: 'id', origin: 'int' },
  columns: { n: 'int', by_scanner: 'int' },
});

/** `--after` when not given: above every BUSISN (a 64-bit id, NUMBER(19)). */
export const AFTER_ALL = 9_223_372_036_854_775_807n;

/** `bssgate commands --number N`: every switch-command record of a number (status 5…8), newest first. */
export const CMD_LIST_BY_NUMBER = defineQuery({
  name: 'cmd.list-by-number',
  sql: `SELECT ${LIST_COLUMNS}
FROM USR_BUSI_RECORD r LEFT JOIN BSG_CMD_QUEUE q ON q.BUSISN = r.BUSISN
WHERE r.SVCNUM = :svcnum AND r.STATUS IN (${S.QUEUED.code}, ${S.SENDING.code}, ${S.EXECUTED.code}, ${S.FAILED.code})
ORDER BY r.BUSISN DESC {{limit :n}}`,
  binds: { svcnum: 'text', n: 'int' },
  columns: LIST_SPEC,
});

/** One command with its lease (tests, `bssgate commands`). */
export const CMD_GET = defineQuery({
  name: 'cmd.get',
  sql: `SELECT ${LIST_COLUMNS}, q.LEASE_TOKEN
FROM USR_BUSI_RECORD r LEFT JOIN BSG_CMD_QUEUE q ON q.BUSISN = r.BUSISN
WHERE r.BUSISN = :busisn`,
  binds: { busisn: 'id' },
  columns: { ...LIST_SPEC, lease_token: 'text?' },
});

/** Queue depth by legacy status (5, 6), the waiting ones (5 with a NEXT_TRY ahead) and the oldest queued record. */
export const CMD_DEPTH = defineQuery({
  name: 'cmd.depth',
  sql: `SELECT r.STATUS, COUNT(*) AS N, MIN(r.CREATED) AS OLDEST,
  SUM(CASE WHEN q.NEXT_TRY > :now AND r.STATUS = ${S.QUEUED.code} THEN 1 ELSE 0 END) AS WAITING
FROM USR_BUSI_RECORD r LEFT JOIN BSG_CMD_QUEUE q ON q.BUSISN = r.BUSISN
WHERE r.STATUS IN (${S.QUEUED.code}, ${S.SENDING.code}) GROUP BY r.STATUS`,
  binds: { now: 'time' },
  columns: { status: 'int', n: 'int', oldest: 'datetime', waiting: 'int' },
});

// --- the calls --------------------------------------------------------------------------------

export interface ClaimedCommand {
  busisn: bigint;
  subscrbid: bigint;
  svcnum: string;
  busiType: number;
  region: string;
  netType: string;
  /** '' when the record has none. */
  imsi: string;
  param: string;
  /** Attempts including this one (a counter only: the fence is leaseToken). */
  attempts: number;
  /** True when an expired lease of another (or an earlier) claim was taken back. */
  takenBack: boolean;
  leaseOwner: string;
  /** This claim's LEASE_TOKEN: 32 hex characters, fresh for every claim (CommandLease). */
  leaseToken: string;
  leaseUntil: Date;
}

/** The lease a claim handed out, as the calls below need it: a ClaimedCommand is one. */
export type CommandLease = Pick<ClaimedCommand, 'busisn' | 'leaseOwner' | 'leaseToken'>;

function fence(l: CommandLease): { busisn: bigint; owner: string; token: string } {
  return { busisn: l.busisn, owner: l.leaseOwner, token: l.leaseToken };
}

/** Fresh lease tokens: 128 random bits each, as 32 hex characters (LEASE_TOKEN); one draw per claim. */
function newLeaseTokens(n: number): string[] {
  const hex = randomBytes(16 * n).toString('hex');
  return Array.from({ length: n }, (_, i) => hex.slice(i * 32, i * 32 + 32));
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
  /**
   * Claim the queued commands with a fixed number of statements (the *-batch queries, one lease
   * token for the batch) instead of two per command. A difference in a row count rolls it back and
   * the claim is done again command by command. Default false.
   */
  batch?: boolean;
}

/** A batch statement changed another number of rows than it listed: done again command by command. */
class BatchMismatch extends Error {
  constructor(what: string, want: number, got: number) {
    super(`${what}: ${got} rows changed, ${want} listed`);
    this.name = 'BatchMismatch';
  }
}

/** The JSON list of a {{rows :list (busisn id[, token text])}} bind. */
function listOf(items: readonly { busisn: bigint; token?: string }[]): string {
  return `[${items.map((c) => (c.token === undefined ? `{"busisn":${c.busisn}}` : `{"busisn":${c.busisn},"token":"${c.token}"}`)).join(',')}]`;
}

async function expectRows(what: string, want: number, n: Promise<number>): Promise<void> {
  const got = await n;
  if (got !== want) throw new BatchMismatch(what, want, got);
}

/** OC-01/OC-02: claim up to `limit` claimable commands, in BUSISN order, in one transaction. */
export async function claimCommands(store: Store, o: ClaimOptions): Promise<ClaimedCommand[]> {
  if (o.batch) {
    try {
      return await claimOnce(store, o, true);
    } catch (err) {
      if (!(err instanceof BatchMismatch)) throw err;
    }
  }
  return claimOnce(store, o, false);
}

async function claimOnce(store: Store, o: ClaimOptions, batch: boolean): Promise<ClaimedCommand[]> {
  const limit = Math.max(1, Math.min(1000, Math.floor(o.limit)));
  const until = new Date(o.now.getTime() + o.leaseMs);
  const now = o.now;
  return store.transaction(async (tx) => {
    // Taken-back leases first (they are the oldest work); then queued ones. A status-6 record of a
    // number blocks its later commands, so the two lists never hold two commands of one number.
    const expired = await CMD_CLAIM_EXPIRED.all(tx, { now, n: limit });
    const rows = expired.length < limit ? [...expired, ...(await CMD_CLAIM_QUEUED.all(tx, { now, n: limit - expired.length }))] : expired;
    const claimed: ClaimedCommand[] = [];
    // One more: the batch's own (a token is never shared by two claims).
    const tokens = newLeaseTokens(rows.length + 1);
    // Batch: the queued records are locked by the SELECT (SKIP LOCKED; SQLite: the writer lock), so
    // 5 → 6 changes every one of them; the lease rows are written per kind (new, again) in one
    // statement each. Taken-back leases (rare: a scanner died) stay one by one below.
    const batched = new Set<bigint>();
    let batchToken = '';
    if (batch) {
      const queued = rows.filter((r) => r.status === S.QUEUED.code);
      if (queued.length > 0) {
        batchToken = tokens[rows.length];
        const lease = { owner: o.owner, until, token: batchToken, now };
        const fresh = queued.filter((r) => r.attempts === null);
        const again = queued.filter((r) => r.attempts !== null);
        await expectRows('cmd.mark-sending-batch', queued.length, CMD_MARK_SENDING_BATCH.run(tx, { list: listOf(queued) }));
        if (fresh.length) await expectRows('cmd.lease-new-batch', fresh.length, CMD_LEASE_NEW_BATCH.run(tx, { ...lease, list: listOf(fresh) }));
        if (again.length) await expectRows('cmd.lease-again-batch', again.length, CMD_LEASE_AGAIN_BATCH.run(tx, { ...lease, list: listOf(again) }));
        for (const r of queued) batched.add(r.busisn);
      }
    }
    for (const [i, r] of rows.entries()) {
      const token = batched.has(r.busisn) ? batchToken : tokens[i];
      const lease = { busisn: r.busisn, owner: o.owner, until, token, now };
      let takenBack = false;
      if (batched.has(r.busisn)) {
        // claimed above
      } else if (r.status === S.QUEUED.code) {
        if ((await CMD_MARK_SENDING.run(tx, { busisn: r.busisn })) !== 1) continue; // another scanner won it
        // Only the winner of 5 → 6 gets here: the lease row is ours to write.
        if (r.attempts === null) await CMD_LEASE_NEW.run(tx, lease);
        else if ((await CMD_LEASE_AGAIN.run(tx, lease)) !== 1) await CMD_LEASE_NEW.run(tx, lease);
      } else {
        if ((await CMD_TAKE_BACK.run(tx, lease)) !== 1) continue; // taken back by another scanner first
        takenBack = true;
      }
      claimed.push({
        busisn: r.busisn,
        subscrbid: r.subscrbid,
        svcnum: r.svcnum,
        busiType: r.busitype,
        region: r.region.trim(),
        netType: r.nettype.trim(),
        imsi: r.imsi.trim(),
        param: r.param,
        attempts: (r.attempts ?? 0) + 1,
        takenBack,
        leaseOwner: o.owner,
        leaseToken: token,
        leaseUntil: until,
      });
    }
    return claimed;
  });
}

// LAST_ERROR and RESULT hold 400 GBK bytes; 200 characters fit whatever the script.
export function clip(s: string): string {
  return s.length > 200 ? s.slice(0, 200) : s;
}

export type CommandResult =
  /** The switch executed it: record 7, RESULT = the switch's answer. */
  | { kind: 'executed'; answer: string; switchName: string }
  /** Failed for good: record 8, RESULT = the reason. */
  | { kind: 'failed'; reason: string; switchName: string }
  /** Back to 5 until `retryAt`, RESULT = why it waits; `counted` false = the attempt is not counted. */
  | { kind: 'wait'; reason: string; retryAt: Date; counted: boolean; switchName: string };

/**
 * OC-03: write one outcome, in the caller's transaction: the lease row and the legacy record
 * together. 'lost' when the lease was no longer ours (nothing changed); 'moved' when the lease was
 * ours but the record had left status 6 (someone changed it by hand): the lease ends, the record is
 * left as it is.
 */
export async function finishCommand(q: Queryable, lease: CommandLease, r: CommandResult, now: Date): Promise<'ok' | 'lost' | 'moved'> {
  const f = fence(lease);
  // Record row before lease row, as the claim locks them (CMD_LOCK_RECORD): never the other way round.
  await CMD_LOCK_RECORD.all(q, { busisn: lease.busisn });
  let n: number;
  let rec: number;
  if (r.kind === 'wait') {
    // Times are kept to the second (PostgreSQL timestamp(0) rounds, Oracle DATE truncates):
    // floored here, so that a wait of 0 is claimable at once on every back end.
    const nextTry = new Date(Math.floor(r.retryAt.getTime() / 1000) * 1000);
    n = await CMD_LEASE_WAIT.run(q, { ...f, next_try: nextTry, switch_name: r.switchName, error: clip(r.reason), now, dec: r.counted ? 0 : 1 });
    if (n !== 1) return 'lost';
    rec = await CMD_RECORD_WAIT.run(q, { busisn: lease.busisn, result: clip(r.reason) });
  } else {
    const executed = r.kind === 'executed';
    const text = clip(executed ? r.answer : r.reason);
    n = await CMD_LEASE_END.run(q, { ...f, state: executed ? 'done' : 'failed', switch_name: r.switchName, error: executed ? '' : text, now });
    if (n !== 1) return 'lost';
    rec = await CMD_RECORD_RESULT.run(q, {
      busisn: lease.busisn,
      status: executed ? S.EXECUTED.code : S.FAILED.code,
      executed: now,
      result: text,
    });
  }
  return rec === 1 ? 'ok' : 'moved';
}

/** One outcome to write: a command's lease and its result. */
export interface Finish {
  lease: CommandLease;
  result: CommandResult;
}

/**
 * OC-03 for many outcomes, in the caller's transaction: what finishCommand returns for each, in
 * order. Outcomes that share their values (kind, switch, text, retry time) are written with one
 * statement per table; the records are locked first, in BUSISN order, as finishCommand does. A row
 * count that differs from the list (a lease lost, a record moved) throws BatchMismatch: the caller
 * rolls back and writes them one by one (finishCommands does both).
 */
async function finishBatch(q: Queryable, list: readonly Finish[], now: Date): Promise<('ok' | 'lost' | 'moved')[]> {
  if (list.length === 0) return [];
  const owner = list[0].lease.leaseOwner;
  if (list.some((f) => f.lease.leaseOwner !== owner)) throw new BatchMismatch('owners', 1, 2);
  await CMD_LOCK_RECORDS_BATCH.all(q, { list: listOf(list.map((f) => f.lease)) });
  const groups = new Map<string, Finish[]>();
  for (const f of list) {
    const r = f.result;
    const key = JSON.stringify(r.kind === 'wait' ? [r.kind, Math.floor(r.retryAt.getTime() / 1000), r.counted, r.switchName, clip(r.reason)] : [r.kind, r.switchName, clip(r.kind === 'executed' ? r.answer : r.reason)]);
    const g = groups.get(key);
    if (g) g.push(f);
    else groups.set(key, [f]);
  }
  for (const g of groups.values()) {
    const r = g[0].result;
    const leases = listOf(g.map((f) => ({ busisn: f.lease.busisn, token: f.lease.leaseToken })));
    const records = listOf(g.map((f) => f.lease));
    if (r.kind === 'wait') {
      const nextTry = new Date(Math.floor(r.retryAt.getTime() / 1000) * 1000);
      await expectRows('cmd.lease-wait-batch', g.length, CMD_LEASE_WAIT_BATCH.run(q, { list: leases, owner, next_try: nextTry, switch_name: r.switchName, error: clip(r.reason), now, dec: r.counted ? 0 : 1 }));
      await expectRows('cmd.record-wait-batch', g.length, CMD_RECORD_WAIT_BATCH.run(q, { list: records, result: clip(r.reason) }));
    } else {
      const executed = r.kind === 'executed';
      const text = clip(executed ? r.answer : r.reason);
      await expectRows('cmd.lease-end-batch', g.length, CMD_LEASE_END_BATCH.run(q, { list: leases, owner, state: executed ? 'done' : 'failed', switch_name: r.switchName, error: executed ? '' : text, now }));
      await expectRows('cmd.record-result-batch', g.length, CMD_RECORD_RESULT_BATCH.run(q, { list: records, status: executed ? S.EXECUTED.code : S.FAILED.code, executed: now, result: text }));
    }
  }
  return list.map(() => 'ok');
}

/**
 * Write many outcomes in one transaction: with `batch`, the set-based way first (finishBatch), and
 * when a row count differs, again one by one (finishCommand's verdicts). The list should be in
 * BUSISN order (the lock order between commands).
 */
export async function finishCommands(store: Store, list: readonly Finish[], now: Date, batch: boolean): Promise<('ok' | 'lost' | 'moved')[]> {
  if (batch) {
    try {
      return await store.transaction((tx) => finishBatch(tx, list, now));
    } catch (err) {
      if (!(err instanceof BatchMismatch)) throw err;
    }
  }
  return store.transaction(async (tx) => {
    const out: ('ok' | 'lost' | 'moved')[] = [];
    for (const f of list) out.push(await finishCommand(tx, f.lease, f.result, now));
    return out;
  });
}

/**
 * Give a command back untried (at shutdown): claimable again at once, the attempt not counted, the
 * record back to 5. The lease ends: its token is cleared, a later claim (even by the same owner) gets a new one.
 */
export async function releaseCommand(q: Queryable, lease: CommandLease, now: Date, why = 'released at scanner shutdown'): Promise<boolean> {
  return (await finishCommand(q, lease, { kind: 'wait', reason: why, retryAt: now, counted: false, switchName: '' }, now)) !== 'lost';
}

/** Keep a lease for a long delivery. False when it was no longer ours. */
export async function extendLease(q: Queryable, lease: CommandLease, until: Date): Promise<boolean> {
  return (await CMD_EXTEND.run(q, { ...fence(lease), until })) === 1;
}
