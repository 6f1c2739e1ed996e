// PC-06 idempotency of write functions, in the dispatcher (docs/idempotency.md). The key is the
// client's identity (a name configured for its addresses, never the interface's section name),
// the business type and the header serial; the ledger row (BSG_IDEMPOTENCY) commits in the same
// unit of work as the write. A re-sent request gets the stored reply body byte for byte under a
// header re-stamped with its own seq; the same key with other content is 2007.
//
// Exactly once, however concurrent:
//   - in one process, requests of one key are coalesced: while one runs, the others wait for it
//     (the `pending` map, shared by every dispatcher on the same store) and get its answer;
//   - across processes or hosts on one database, the ledger's primary key decides: the unit whose
//     INSERT meets a unique violation is rolled back, and the committed row is read and replayed;
//     a unit that refuses or fails before its INSERT (a PC-04 that waited for the account's row
//     lock and then found the payment reversed by its own twin on another gateway) looks the key up
//     before it answers: a row committed meanwhile by a concurrent unit of the same key is the answer;
//   - on SQLite a batch's units share one transaction, so a later unit could see an earlier one's
//     uncommitted row; a unit's own outcome (and so its answer) is settled only after the batch's
//     COMMIT, and rows are read for replay only outside units (committed data only).
// No false 9xxx: a unit that finished but whose batch did not confirm its COMMIT (connection lost
// during COMMIT) is in doubt. It is resolved through the ledger, by a probe that inserts the key in
// a transaction of its own and rolls it back: a unique violation means the key's row is committed;
// success means it is not (it would otherwise still hold the key) and the 9xxx is true. A committed
// row is ours only if it carries this unit run's random ATTEMPT id; a row of another attempt (the
// re-send, committed on another gateway while ours rolled back) is answered as a replay, so the
// dispatcher logs no posting of ours. While the database does not answer the probe is retried
// with backoff and the frame stays unanswered (answers on a connection leave in order, so later
// ones wait behind it); if the gateway stops first, the frame gets no answer at all, which the
// client treats as unknown and re-sends: the ledger then answers.
import { createHash, randomBytes } from 'node:crypto';
import pino, { type Logger } from 'pino';
import { HEADER_SIZE, KIND_RESPONSE, OPERATOR_OFFSET, OPERATOR_SIZE, PROTOCOL_VERSION, RESULT_OFFSET, writeHeader, type Header } from '../protocol/header.js';
import { businessByName } from '../protocol/business-types.js';
import { GatewayError } from '../protocol/return-codes.js';
import { UNCONFIGURED_CARD_CLIENT } from './config/keys.js';
import type { ClientConfig } from './config/types.js';
import { describe, isUniqueViolation } from './store/errors.js';
import {
  LEDGER_GET,
  LEDGER_HELD,
  LEDGER_INSERT,
  LEDGER_PURGE_RECONCILED,
  LEDGER_PURGE_UNRECONCILED,
  RECONCILED_THROUGH,
} from './store/queries/idempotency.js';
import type { Queryable, Store, UnitOptions } from './store/types.js';
import type { Clock } from './types.js';

import { UNCONFIGURED_CLIENT } from './config/clients.js';

export { UNCONFIGURED_CLIENT };

/** BSG_META key prefix PC-07 writes per client: `card_reconciled_through.<client>` = YYYYMMDD. */
export const RECONCILED_META_PREFIX = 'card_reconciled_through.';

/**
 * Business types whose ledger rows also wait for the reconciliation covering their day (PC-07
 * reconciles card payments and reversals); every other write function's rows wait only the
 * configured days.
 */
export const RECONCILED_CODES: readonly number[] = ['payment', 'reversal'].map((n) => businessByName(n)!.code);

/** How often the purge runs (first run one minute after start). */
export const PURGE_EVERY_MS = 60 * 60 * 1000;

// ---------------------------------------------------------------------------------------------
// Client identity: the [client.<id>] sections (src/config/clients.ts, beside the loader that
// checks them); re-exported for the dispatcher and the tests.

export { ClientIdentities, conflictingAddresses, coversInterface, parseIp, peerAddress } from './config/clients.js';

// ---------------------------------------------------------------------------------------------
// Replies

/** A reply as the ledger holds it: the return code and the body bytes after the header. */
export interface StoredReply {
  result: number;
  body: Buffer;
}

/** The answer frame for this request: its header (this frame's seq, the given time), the stored body. */
export function stampReply(req: Header, reply: StoredReply, time: string): Buffer {
  const buf = Buffer.allocUnsafe(HEADER_SIZE + reply.body.length);
  writeHeader(
    buf,
    0,
    { version: PROTOCOL_VERSION, kind: KIND_RESPONSE, biz: req.biz, seq: req.seq, serial: req.serial, time, operator: req.operator, result: reply.result, reserved: 0 },
    reply.body.length,
  );
  reply.body.copy(buf, HEADER_SIZE);
  return buf;
}

/** The body of an encoded response frame, and its result (the frame was built by encodeResponse). */
export function replyOf(frame: Buffer): StoredReply {
  return { result: frame.readUInt16BE(RESULT_OFFSET), body: Buffer.from(frame.subarray(HEADER_SIZE)) };
}

/**
 * What makes two requests of one key "the same": the header's operator field and the body bytes
 * (not seq or time, which a re-send changes). A different operator under one serial is a different
 * request: the acceptance operations record who did it.
 *
 * A body with secret fields (CS-22's old and new passwords) is not hashed as bytes: a 6–8 digit
 * password under a plain SHA-256 in BSG_IDEMPOTENCY would be recovered by brute force by anyone
 * who can read the table. Its redacted form (`redacted`: secrets masked) is hashed instead, so a
 * re-send that differs only in a secret is the same request (replayed), not 2007 — a serial names
 * one attempt; a new attempt takes a new serial (docs/idempotency.md).
 */
export function requestHash(frame: Buffer, redacted?: Record<string, unknown>): string {
  return hashRequest(frame.subarray(OPERATOR_OFFSET, OPERATOR_OFFSET + OPERATOR_SIZE), redacted === undefined ? frame.subarray(HEADER_SIZE) : undefined, redacted);
}

/**
 * requestHash of a request that reached the dispatcher without a v1 frame (a text framing
 * profile, issue 19), over the bytes of the frame it would have been — and, before issue 19, was:
 * the header's operator field as written (space-padded) and the body as the strict encoder writes
 * it (`body`: called only when there is no `redacted` form). So a re-send replays (or is 2007)
 * against ledger rows written by any version, over v1 or over text (docs/idempotency.md).
 */
export function requestHashOf(operator: string, body: () => Buffer, redacted?: Record<string, unknown>): string {
  const field = Buffer.alloc(OPERATOR_SIZE, 0x20);
  field.write(operator, 0, OPERATOR_SIZE, 'latin1');
  return hashRequest(field, redacted === undefined ? body() : undefined, redacted);
}

function hashRequest(operatorField: Buffer, body: Buffer | undefined, redacted: Record<string, unknown> | undefined): string {
  const h = createHash('sha256').update(operatorField);
  if (redacted === undefined) return h.update(body!).digest('hex');
  return h.update(JSON.stringify(redacted, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))).digest('hex');
}

// ---------------------------------------------------------------------------------------------
// The ledger

export interface LedgerKey {
  client: string;
  biz: number;
  serial: string;
}

/** The outcome of a write request: its reply, and whether it was a replay of an earlier one. */
export interface WriteOutcome extends StoredReply {
  replay: boolean;
  /** In doubt when the gateway stopped: no answer is sent (the client re-sends; the ledger answers). */
  unanswered?: boolean;
}

/** What a follower of the same key learns from the request it waited for: its reply or its refusal. */
interface Shared {
  hash: string;
  reply?: StoredReply;
  refusal?: GatewayError;
  /** The leader was left in doubt at a stop: so is an identical follower (no answer). */
  unanswered?: boolean;
}

/** A ledger row as read back (committed rows only). */
interface LedgerRow extends StoredReply {
  hash: string;
  /** BSG_IDEMPOTENCY.ATTEMPT: the id of the unit run that wrote it (undefined in rows older than the column). */
  attempt?: string;
}

// A unit run's attempt id: 32 hex digits, new for every run of a unit. The first 16 are drawn at
// random once per process, the last 16 count the runs: unique within the process by the counter,
// and another process's (another gateway's, a restarted one's) by its own random half. Issue 17: a
// randomBytes call per payment cost more than every other ledger step together.
const ATTEMPT_PREFIX = randomBytes(8).toString('hex');
let attempts = 0;

/** A unit run's attempt id (see ATTEMPT_PREFIX). */
export function newAttempt(): string {
  attempts++;
  return ATTEMPT_PREFIX + attempts.toString(16).padStart(16, '0');
}

/** Re-runs of one write after a concurrent unit committed a row it also inserts (then its error stands). */
const MAX_RACE_RERUNS = 5;

/** The handler's own insert met a row a concurrent unit committed (see lead()). */
class RowRaced extends Error {
  constructor(readonly original: unknown) {
    super('unique violation against a concurrent unit');
  }
}

/** Thrown inside a unit whose ledger INSERT found the key taken (another process wrote it). */
class KeyTaken extends Error {}
/** Thrown to roll the probe's transaction back. */
class ProbeRollback extends Error {}

async function bytesOf(v: unknown): Promise<Buffer> {
  if (Buffer.isBuffer(v)) return v;
  if (v instanceof Uint8Array) return Buffer.from(v);
  // Oracle hands a BLOB out as a Lob unless told otherwise
  if (v && typeof v === 'object' && typeof (v as { getData?: unknown }).getData === 'function') {
    return bytesOf(await (v as { getData(): Promise<unknown> }).getData());
  }
  throw new Error(`BSG_IDEMPOTENCY.REPLY holds ${typeof v}, not bytes`);
}

export interface LedgerOptions {
  retentionDays: number;
  log: Logger;
  clock: Clock;
  /** Test hook; default PURGE_EVERY_MS. 0 = no periodic purge. */
  purgeEveryMs?: number;
}

/** Backoff of the in-doubt resolution, ms. */
const RESOLVE_MIN_MS = 50;
const RESOLVE_MAX_MS = 2000;

export class Ledger {
  private readonly pending = new Map<string, Promise<Shared | undefined>>();
  private users = 0;
  /** Bumped when the last dispatcher lets go (gateway stop): resolutions of an older one give up. */
  private generation = 0;
  /** Keys being resolved now (logged at a stop that leaves them unanswered). */
  private readonly doubts = new Set<string>();
  private readonly wakers = new Set<() => void>();
  private purgeTimer: NodeJS.Timeout | undefined;
  /** For tests and logs: requests in doubt now, resolved so far. */
  readonly stats = {
    inDoubt: 0,
    resolvedCommitted: 0,
    /** In doubt, and the key's committed row is another attempt's (ours rolled back): replayed. */
    resolvedOther: 0,
    resolvedAbsent: 0,
    replays: 0,
    conflicts: 0,
    purged: 0,
    keyTaken: 0,
    reruns: 0,
    /** Refused or failed, and a concurrent unit of the key had committed: answered by its row. */
    failedThenReplayed: 0,
  };

  private opts: LedgerOptions;

  constructor(private readonly store: Store) {
    // replaced by the first acquire(); until then nothing runs that logs
    this.opts = { retentionDays: 7, log: pino({ level: 'silent' }), clock: { now: () => Date.now(), date: () => new Date() } };
  }

  /**
   * A dispatcher starts using the ledger (the purge runs while any does). The latest options win:
   * a gateway restarted on the same store brings its own logs.
   */
  acquire(opts: LedgerOptions): void {
    this.opts = opts;
    this.users++;
    const every = this.opts.purgeEveryMs ?? PURGE_EVERY_MS;
    if (this.purgeTimer || !(every > 0)) return;
    const run = () => {
      this.purge().catch((e: unknown) => this.opts.log.warn({ err: describe(e) }, 'idempotency ledger purge failed; retried at the next run'));
    };
    // first run soon after start (a gateway restarted daily still purges), then every `every` ms
    this.purgeTimer = setTimeout(() => {
      run();
      this.purgeTimer = setInterval(run, every);
      this.purgeTimer.unref();
    }, Math.min(every, 60_000));
    this.purgeTimer.unref();
  }

  /** A dispatcher stops; with the last one, resolutions in doubt give up (no answer) and the purge stops. */
  release(): void {
    this.users = Math.max(0, this.users - 1);
    if (this.users > 0) return;
    this.generation++;
    if (this.doubts.size > 0) {
      // Logged here, synchronously, while the logs are still open (the resolutions end after).
      this.opts.log.error({ writes: [...this.doubts] }, `gateway stopping with ${this.doubts.size} write(s) still in doubt: left unanswered (a re-send of the serial gets the ledger's answer)`);
    }
    if (this.purgeTimer) clearTimeout(this.purgeTimer);
    this.purgeTimer = undefined;
    for (const w of this.wakers) w();
    this.wakers.clear();
  }

  /**
   * Run a write request once per key. `unit` runs the handler inside the unit of work and returns
   * its reply (a success, or a refusal whose writes commit); any throw from it rolls the unit back
   * and is the answer (nothing was done, nothing remembered). Rejects with GatewayError for 2007
   * and for answers that did nothing. `opts.beforeCommit` runs after the unit, before its batch's
   * COMMIT (the posting journal, src/dispatch.ts).
   */
  async execute(key: LedgerKey, hash: string, iface: string, unit: (tx: Queryable) => Promise<StoredReply>, opts?: UnitOptions): Promise<WriteOutcome> {
    const k = `${key.client}\u0000${key.biz}\u0000${key.serial}`;
    for (let round = 0; ; round++) {
      if (round > 1000) throw new Error(`idempotency key ${key.client}/${key.biz}/${key.serial}: no outcome after ${round} rounds`);
      const inflight = this.pending.get(k);
      if (inflight) {
        const s = await inflight;
        if (s && s.hash === hash) {
          if (s.unanswered) return { result: 0, body: Buffer.alloc(0), replay: false, unanswered: true };
          if (s.refusal) throw s.refusal;
          this.stats.replays++;
          return { ...s.reply!, replay: true };
        }
        // The request we waited for is done: its ledger row (or none) decides now.
        continue;
      }
      let settle!: (s: Shared | undefined) => void;
      this.pending.set(k, new Promise<Shared | undefined>((r) => (settle = r)));
      let shared: Shared | undefined;
      try {
        const o = await this.lead(key, hash, iface, unit, round, opts);
        if (o === 'again') continue;
        shared = o.unanswered ? { hash, unanswered: true } : { hash, reply: { result: o.result, body: o.body } };
        return o;
      } catch (e) {
        // A refusal (1xxx/2xxx) is what a same-moment duplicate would get too; after a 9xxx or a
        // bug it runs again itself.
        if (e instanceof GatewayError && e.code < 9000) shared = { hash, refusal: e };
        throw e;
      } finally {
        this.pending.delete(k);
        settle(shared);
      }
    }
  }

  private async read(key: LedgerKey): Promise<LedgerRow | undefined> {
    const row = await this.store.one<{ request_hash: string; result: number | bigint; reply: unknown; attempt: string | null }>(LEDGER_GET, { ...key });
    if (!row) return undefined;
    // ATTEMPT is null in rows written before the column existed: never this process's unit's.
    return { hash: String(row.request_hash), result: Number(row.result), body: await bytesOf(row.reply), attempt: row.attempt == null ? undefined : String(row.attempt).trim() };
  }

  private replay(key: LedgerKey, hash: string, row: LedgerRow): WriteOutcome {
    if (row.hash !== hash) {
      this.stats.conflicts++;
      throw new GatewayError('SERIAL_CONFLICT', `${key.serial} was already used for business type ${key.biz} with other content`);
    }
    this.stats.replays++;
    return { result: row.result, body: row.body, replay: true };
  }

  private async lead(key: LedgerKey, hash: string, iface: string, unit: (tx: Queryable) => Promise<StoredReply>, round: number, opts?: UnitOptions): Promise<WriteOutcome | 'again'> {
    const row = await this.read(key);
    if (row) return this.replay(key, hash, row);
    // Set once the unit's work and its ledger row are in: from then on only the COMMIT is missing.
    let finished = false;
    // This unit run's id in its ledger row: in doubt, tells our commit from another attempt's.
    let attempt = '';
    let reply: StoredReply | undefined;
    try {
      reply = await this.store.unitOfWork(async (tx) => {
        finished = false;
        attempt = newAttempt();
        let r: StoredReply;
        try {
          r = await unit(tx);
        } catch (e) {
          // A row the handler inserts (TAB_PAY's source+serial: a reversal's tombstone and its
          // payment arriving together on PostgreSQL) was committed by a concurrent unit of another
          // batch while this one ran: run it again, it now sees that row and answers by it.
          if (isUniqueViolation(e) && round < MAX_RACE_RERUNS) throw new RowRaced(e);
          throw e;
        }
        try {
          await tx.run(LEDGER_INSERT, { ...key, hash, result: r.result, reply: r.body, iface, created: this.opts.clock.date(), attempt });
        } catch (e) {
          if (isUniqueViolation(e)) throw new KeyTaken();
          throw e;
        }
        finished = true;
        return r;
      }, opts);
      return { ...reply, replay: false };
    } catch (e) {
      if (e instanceof RowRaced) {
        this.stats.reruns++;
        return 'again';
      }
      if (e instanceof KeyTaken) {
        this.stats.keyTaken++;
        // Another process committed this key while we ran: our unit was rolled back; its reply is the answer.
        const again = await this.read(key);
        return again ? this.replay(key, hash, again) : 'again';
      }
      if (!finished) return this.afterFailure(key, hash, e);
      return this.resolve(key, hash, attempt, e);
    }
  }

  /**
   * Our unit refused or failed and was rolled back (any error; not in doubt: its ledger row was
   * never written). Before that answer goes out, the key is looked up once: a concurrent unit of
   * the same key (the same request on another gateway) may have committed while ours ran — often
   * the very reason for the refusal (it waited for the row lock of that unit, then found its
   * work done). Then that unit's stored reply is the answer (other hash: 2007), as for any copy of
   * the key; otherwise our own error is. Only on this path: a success costs no extra read.
   */
  private async afterFailure(key: LedgerKey, hash: string, cause: unknown): Promise<WriteOutcome> {
    // The database may be what failed: then the cause (9001) stands, not the read's error.
    const row = await this.read(key).catch(() => undefined);
    if (!row) throw cause;
    this.stats.failedThenReplayed++;
    return this.replay(key, hash, row);
  }

  /** The unit finished but its COMMIT was not confirmed: ask the ledger until it can tell. */
  private async resolve(key: LedgerKey, hash: string, mine: string, cause: unknown): Promise<WriteOutcome> {
    const { log } = this.opts;
    this.stats.inDoubt++;
    log.warn({ client: key.client, biz: key.biz, serial: key.serial, err: describe(cause) }, 'write in doubt (its COMMIT was not confirmed): resolving through the idempotency ledger before answering');
    let wait = RESOLVE_MIN_MS;
    const generation = this.generation;
    const doubt = `${key.client}/${key.biz}/${key.serial}`;
    this.doubts.add(doubt);
    try {
      for (let attempt = 1; ; attempt++) {
        if (this.generation !== generation) {
          return { result: 0, body: Buffer.alloc(0), replay: false, unanswered: true };
        }
        let committed: boolean | undefined;
        try {
          committed = await this.probe(key);
        } catch (e) {
          if (attempt === 1 || attempt % 20 === 0) log.warn({ client: key.client, serial: key.serial, attempt, err: describe(e) }, 'write still in doubt: the database does not answer yet');
        }
        if (committed === false) {
          this.stats.resolvedAbsent++;
          log.warn({ client: key.client, biz: key.biz, serial: key.serial }, 'write in doubt resolved: not committed');
          // Nothing was done: the commit's own error (9001, or 9999 for a bug) is a true answer.
          throw cause;
        }
        if (committed === true) {
          const row = await this.read(key).catch(() => undefined);
          if (row && row.attempt === mine) {
            this.stats.resolvedCommitted++;
            log.warn({ client: key.client, biz: key.biz, serial: key.serial, result: row.result }, 'write in doubt resolved: committed; its stored reply is sent');
            return { result: row.result, body: row.body, replay: false };
          }
          if (row) {
            // Committed by another attempt of the key (a re-send on another gateway) while ours
            // rolled back: answered with its reply as a replay — nothing of ours committed, so
            // nothing of ours (suc_query.MMDD postings) is logged.
            this.stats.resolvedOther++;
            log.warn({ client: key.client, biz: key.biz, serial: key.serial, result: row.result }, 'write in doubt resolved: not committed by this attempt; another attempt of the key committed, its stored reply is sent as a replay');
            return this.replay(key, hash, row);
          }
        }
        await this.sleep(wait);
        wait = Math.min(RESOLVE_MAX_MS, wait * 2);
      }
    } finally {
      this.stats.inDoubt--;
      this.doubts.delete(doubt);
    }
  }

  /**
   * True when the key's row is committed, false when it is not and can no longer be: an INSERT of
   * the key in a transaction of our own waits for any transaction still holding it, then fails
   * (committed) or succeeds (it was rolled back; ours is rolled back too).
   */
  private async probe(key: LedgerKey): Promise<boolean> {
    try {
      await this.store.transaction(async (tx) => {
        try {
          await tx.run(LEDGER_INSERT, { ...key, hash: '-', result: 9999, reply: Buffer.from([0, 0]), iface: '-', created: this.opts.clock.date(), attempt: '-' });
        } catch (e) {
          if (isUniqueViolation(e)) throw new KeyTaken();
          throw e;
        }
        throw new ProbeRollback();
      });
    } catch (e) {
      if (e instanceof KeyTaken) return true;
      if (e instanceof ProbeRollback) return false;
      throw e;
    }
    throw new Error('probe transaction committed');
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      this.wakers.add(done);
    });
  }

  /**
   * Delete the rows past retention: older than idempotency_days, and — for the reconciled business
   * types — also on or before the client's `card_reconciled_through` day. Logged when it deleted
   * or held back anything.
   */
  async purge(): Promise<{ deleted: number; held: number }> {
    const now = this.opts.clock.date();
    // rolling, not at midnight: each hourly run deletes about an hour's rows, never a whole day's at once
    const cutoff = new Date(now.getTime() - this.opts.retentionDays * 86_400_000);
    let deleted = await this.store.run(LEDGER_PURGE_UNRECONCILED(RECONCILED_CODES), { cutoff });
    const meta = await this.store.all<{ key: string; value: string }>(RECONCILED_THROUGH);
    for (const m of meta) {
      const key = String(m.key);
      if (!key.startsWith(RECONCILED_META_PREFIX)) continue;
      const client = key.slice(RECONCILED_META_PREFIX.length);
      const day = /^(\d{4})(\d{2})(\d{2})$/.exec(String(m.value).trim());
      if (!day) {
        this.opts.log.warn({ key, value: m.value }, 'BSG_META reconciliation day is not YYYYMMDD: that client\'s payment rows are kept');
        continue;
      }
      // rows of that day are covered: everything before the next midnight
      const through = new Date(Number(day[1]), Number(day[2]) - 1, Number(day[3]) + 1);
      // `card` (reserved) is the unconfigured card system, whose ledger rows are the client `*`
      const ledger = client === UNCONFIGURED_CARD_CLIENT ? UNCONFIGURED_CLIENT : client;
      deleted += await this.store.run(LEDGER_PURGE_RECONCILED(RECONCILED_CODES), { ledger, cutoff: through < cutoff ? through : cutoff });
    }
    const heldRow = await this.store.one<{ n: number | bigint }>(LEDGER_HELD(RECONCILED_CODES), { cutoff });
    const held = Number(heldRow?.n ?? 0);
    this.stats.purged += deleted;
    if (deleted > 0 || held > 0) {
      this.opts.log.info({ deleted, held, retentionDays: this.opts.retentionDays }, `idempotency ledger purged: ${deleted} rows deleted, ${held} older rows of reconciled business types kept until their reconciliation`);
    }
    return { deleted, held };
  }
}

const LEDGERS = new WeakMap<Store, Ledger>();

/** The one ledger of a store (every interface's dispatcher shares its in-flight map). */
export function ledgerFor(store: Store): Ledger {
  let l = LEDGERS.get(store);
  if (!l) {
    l = new Ledger(store);
    LEDGERS.set(store, l);
  }
  return l;
}
