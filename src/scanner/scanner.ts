// The online-command scanner (OC-01…OC-03): claims USR_BUSI_RECORD rows in status 5 with leases
// (src/store/queries/commands.ts), renders them through SWITCH_INS_MODEL (render.ts), routes them
// to a configured switch (routing.ts), hands them to that switch's Delivery (types.ts: file or
// socket) and writes the outcome back: 7 executed / 8 failed with EXECUTED and RESULT, or back to
// 5 with a retry time. Any number of scanners on any hosts share one database.
//
// The loop never dies of one command: a bad template or a record it cannot render fails that
// command (err log line, RESULT says why); no route or an unreachable switch makes it wait
// (status 5, the attempt not counted); a database error is logged and the loop backs off.
// Outcomes are written in batches (one transaction for the results that finished together).
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { ScannerConfig, SwitchConfig } from '../config/types.js';
import {
  CMD_CHANNEL,
  CMD_DEPTH,
  CMD_SRVG_OF_RECORD,
  claimCommands,
  extendLease,
  finishCommands,
  type ClaimedCommand,
  type CommandResult,
} from '../store/queries/commands.js';
import { describe } from '../store/errors.js';
import { BUSI_STATUS, BUSI_TYPES } from '../domain/codes.js';
import type { Listening, Store } from '../store/types.js';
import { systemClock, type Clock } from '../clock.js';
import { RenderError, TemplateSet } from './render.js';
import { noRouteReason, Router } from './routing.js';
import type { Delivery, DeliveryOutcome, SwitchCommand } from './types.js';

/** SWITCH_INS_MODEL is re-read this often (operators edit it in place). */
export const TEMPLATE_TTL_MS = 60_000;
/** The queue depth of stats() is re-read this often. */
export const DEPTH_REFRESH_MS = 5_000;
/** Longest back-off of the loop while the database fails. */
const DB_BACKOFF_MAX_MS = 5_000;
/** One result transaction writes at most this many outcomes. */
const RESULT_BATCH = 500;
/** PostgreSQL/Oracle: claim and result transactions run this many at once (pool connections). */
const PARALLEL = 4;
/** Outcomes wait this long for others to share their transaction. */
const RESULT_COALESCE_MS = 5;
/** Notifications that arrive within this many ms wake the loop once. */
const NOTIFY_DEBOUNCE_MS = 2;
/** A repeated warning (same switch, same route) is logged at most this often. */
const WARN_EVERY_MS = 60_000;

const SRVG_TYPES = new Set<number>([BUSI_TYPES.SRVG_ADD.code, BUSI_TYPES.SRVG_REMOVE.code, BUSI_TYPES.SRVG_MODIFY.code]);

export interface ScannerOptions {
  store: Store;
  config: ScannerConfig;
  switches: readonly SwitchConfig[];
  /** One Delivery per switch name. A switch without one has its commands wait (logged). */
  deliveries: ReadonlyMap<string, Delivery>;
  /** warn.log: lifecycle, waits, taken-back leases. */
  log: Logger;
  /** err.MMDD of the scanner: every command failed for good, every bad template. */
  err: Logger;
  clock?: Clock;
  /** LEASE_OWNER; default host:pid:n. */
  owner?: string;
  /**
   * Claims and results a batch at a time with a fixed number of statements (issue 17) instead of
   * 2–3 per command. Default: on for PostgreSQL and SQLite; the bench turns it off for its "before".
   */
  setBased?: boolean;
  /**
   * PostgreSQL: LISTEN for the gateway's own queued commands (cmd.notify) and claim at once instead
   * of at the next poll. Default true; the bench turns it off for its "before".
   */
  listen?: boolean;
}

export interface SwitchStats {
  kind: string;
  ready: boolean;
  executed: number;
  failed: number;
  retried: number;
}

/** What H7's metrics and `bssgate status` read (OP-04). Counters are this process's since start. */
export interface ScannerStats {
  owner: string;
  running: boolean;
  inFlight: number;
  /** From the database, refreshed every DEPTH_REFRESH_MS (null until the first read). */
  depth: {
    /** Status 5 and claimable (not waiting for a retry time). */
    queued: number;
    /** Status 5 waiting for its NEXT_TRY (retry back-off, unreachable switch, no route). */
    waiting: number;
    /** Status 6, by any scanner. */
    sending: number;
    /** Age of the oldest status-5 record, ms; null when there is none. */
    oldestQueuedAgeMs: number | null;
    /** When it was read. */
    at: Date;
  } | null;
  /** Outcomes written by this process. */
  executed: number;
  failed: number;
  retried: number;
  /** Waits without a counted attempt: no route, switch not reachable. */
  waited: number;
  /** Expired leases of other (dead) scanners taken back. */
  takenBack: number;
  /** Outcomes not written because the lease was no longer ours (another scanner has the command). */
  lost: number;
  bySwitch: Record<string, SwitchStats>;
}

let ownerSeq = 0;

/** A scanner id for LEASE_OWNER: host:pid:n (at most 64 bytes). */
export function scannerOwner(): string {
  return `${hostname().slice(0, 40)}:${process.pid}:${ownerSeq++}`;
}

interface Pending {
  cmd: ClaimedCommand;
  result: CommandResult;
  resolve(): void;
}

interface InFlight {
  cmd: ClaimedCommand;
  abort: AbortController;
  /** Its outcome is queued for writing. */
  finishing?: boolean;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export class Scanner {
  readonly owner: string;
  private readonly store: Store;
  private readonly cfg: ScannerConfig;
  private readonly router: Router;
  private readonly deliveries: ReadonlyMap<string, Delivery>;
  private readonly log: Logger;
  private readonly err: Logger;
  private readonly clock: Clock;
  private templates: TemplateSet | undefined;
  private templatesAt = 0;
  private readonly inFlight = new Map<bigint, InFlight>();
  private pending: Pending[] = [];
  private writing: Promise<void> | undefined;
  private loopDone: Promise<void> | undefined;
  private stopping = false;
  /** While stopping: outcomes still unwritten at this time (clock ms) are given up. */
  private flushDeadline: number | undefined;
  /** The loop waits for in-flight deliveries to finish before it claims again. */
  private full = false;
  /** Wakes the loop early: a slot freed, a result written, stop(). */
  private wake = new AbortController();
  private extendTimer: NodeJS.Timeout | undefined;
  private depthAt = 0;
  private readonly warned = new Map<string, number>();
  private readonly counters = { executed: 0, failed: 0, retried: 0, waited: 0, takenBack: 0, lost: 0 };
  private readonly perSwitch = new Map<string, { executed: number; failed: number; retried: number }>();
  private depth: ScannerStats['depth'] = null;
  private readonly setBased: boolean;
  private readonly listenOn: boolean;
  private listening: Listening | undefined;
  private nudgeTimer: NodeJS.Timeout | undefined;

  constructor(opts: ScannerOptions) {
    this.store = opts.store;
    this.cfg = opts.config;
    this.router = new Router(opts.switches);
    this.deliveries = opts.deliveries;
    this.log = opts.log;
    this.err = opts.err;
    this.clock = opts.clock ?? systemClock;
    this.owner = opts.owner ?? scannerOwner();
    this.setBased = opts.setBased ?? this.store.dialect !== 'oracle';
    this.listenOn = opts.listen ?? true;
    for (const sw of opts.switches) this.perSwitch.set(sw.name, { executed: 0, failed: 0, retried: 0 });
  }

  /** Start the loop (returns at once). */
  start(): void {
    if (this.loopDone) return;
    this.stopping = false;
    this.log.info({ owner: this.owner, switches: this.router.switches.map((s) => s.name) }, 'scanner started');
    this.startRenewal();
    // A committed command of the gateway's own wakes the loop at once (a notification per commit
    // at most: PostgreSQL folds a transaction's equal notifications into one); commands that other
    // systems insert by plain SQL are found by the poll.
    if (this.listenOn && this.store.listen) this.listening = this.store.listen(CMD_CHANNEL, () => this.nudge());
    this.loopDone = this.loop();
  }

  /** The backend pid of the LISTEN connection (tests terminate it); null when not listening. */
  listenPid(): number | null {
    return this.listening?.pid() ?? null;
  }

  /** Claim now rather than at the next poll (a notification). A loop that is busy or full is left alone: it claims again on its own. */
  private nudge(): void {
    if (this.nudgeTimer) return;
    this.nudgeTimer = setTimeout(() => {
      this.nudgeTimer = undefined;
      if (!this.stopping && !this.full) this.wake.abort();
    }, NOTIFY_DEBOUNCE_MS);
  }

  /** Renew the leases of the deliveries in flight every third of the lease (until stopRenewal). */
  private startRenewal(): void {
    if (this.extendTimer) return;
    const every = Math.max(50, Math.floor(this.cfg.leaseMs / 3));
    this.extendTimer = setInterval(() => void this.extendLeases(), every);
    this.extendTimer.unref();
  }

  private stopRenewal(): void {
    if (this.extendTimer) clearInterval(this.extendTimer);
    this.extendTimer = undefined;
  }

  /**
   * Stop claiming; give deliveries in flight `graceMs` to finish, then abort them (their commands
   * wait, uncounted, and are re-sent with the same busisn by the next scanner); write every outcome.
   */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    this.wake.abort();
    const listening = this.listening;
    this.listening = undefined;
    await listening?.close();
    clearTimeout(this.nudgeTimer);
    this.nudgeTimer = undefined;
    await this.loopDone;
    const deadline = this.clock.now() + graceMs;
    while (this.inFlight.size > 0 && this.clock.now() < deadline) await sleep(20);
    for (const f of this.inFlight.values()) f.abort.abort(new Error('scanner stopping'));
    // A transport that ignores the abort is not waited for forever: its leases expire instead.
    const hard = this.clock.now() + 5_000;
    while (this.inFlight.size > 0 && this.clock.now() < hard) await sleep(10);
    if (this.inFlight.size > 0) this.log.warn({ inFlight: this.inFlight.size }, 'scanner: deliveries still running at stop; their leases expire and another scanner re-sends them');
    // Outcomes not yet written are written now, but not forever: with the database away a stop
    // would never end. Past the lease they are given up (logged): the leases expire and another
    // scanner re-sends those commands with the same busisn, which the switch recognises.
    this.flushDeadline = this.clock.now() + this.cfg.leaseMs;
    await this.flush();
    this.flushDeadline = undefined;
    this.stopRenewal();
    this.loopDone = undefined;
    this.log.info({ owner: this.owner, ...this.counters }, 'scanner stopped');
  }

  /** Counters, in-flight and the last-read queue depth (sync: H7's metrics read it on every scrape). */
  stats(): ScannerStats {
    const bySwitch: Record<string, SwitchStats> = {};
    for (const sw of this.router.switches) {
      const c = this.perSwitch.get(sw.name) ?? { executed: 0, failed: 0, retried: 0 };
      bySwitch[sw.name] = { kind: sw.kind, ready: this.deliveries.get(sw.name)?.ready() ?? false, ...c };
    }
    return { owner: this.owner, running: !!this.loopDone && !this.stopping, inFlight: this.inFlight.size, depth: this.depth, ...this.counters, bySwitch };
  }

  /**
   * One pass without the loop (tests, `bssgate scan --once`): claim what is claimable now, deliver
   * it and write every outcome. Resolves with the number of commands claimed.
   */
  async runOnce(): Promise<number> {
    // The pass renews its leases like the loop does: a pass longer than the lease (slow switches,
    // many commands) must not have its commands taken back and re-sent by another scanner.
    const renew = !this.extendTimer;
    if (renew) this.startRenewal();
    try {
      await this.ensureTemplates(true);
      const claimed = await this.claim();
      await Promise.all(claimed.map((c) => this.handle(c)));
      await this.flush();
      return claimed.length;
    } finally {
      if (renew) this.stopRenewal();
    }
  }

  /** Re-read the queue depth now (stats() has it afterwards). */
  async refreshDepth(): Promise<void> {
    const now = this.clock.date();
    const rows = await CMD_DEPTH.all(this.store, { now });
    const d = { queued: 0, waiting: 0, sending: 0, oldestQueuedAgeMs: null as number | null, at: now };
    for (const r of rows) {
      if (r.status === BUSI_STATUS.QUEUED.code) {
        d.waiting = r.waiting;
        d.queued = r.n - r.waiting;
        d.oldestQueuedAgeMs = Math.max(0, now.getTime() - wireToDate(r.oldest).getTime());
      } else d.sending = r.n;
    }
    this.depth = d;
    this.depthAt = this.clock.now();
  }

  // --- the loop -------------------------------------------------------------------------------

  private async loop(): Promise<void> {
    let dbBackoff = 0;
    while (!this.stopping) {
      let claimed = 0;
      let limit = 0;
      try {
        if (this.clock.now() - this.depthAt >= DEPTH_REFRESH_MS) await this.refreshDepth();
        await this.ensureTemplates(false);
        limit = Math.min(this.cfg.batch, this.cfg.maxInFlight - this.inFlight.size);
        this.full = limit < Math.ceil(Math.min(this.cfg.batch, this.cfg.maxInFlight) / 2);
        if (!this.full) {
          const list = await this.claim(limit);
          claimed = list.length;
          for (const c of list) void this.handle(c);
        }
        dbBackoff = 0;
      } catch (err) {
        dbBackoff = Math.min(DB_BACKOFF_MAX_MS, Math.max(this.cfg.pollMs, dbBackoff * 2));
        this.warnOnce('db', 'error', { err: describe(err), retryMs: dbBackoff }, 'scanner: database error; claiming again after a pause');
        await sleep(dbBackoff, this.wake.signal);
        this.renewWake();
        continue;
      }
      // A full batch: there is more, go on at once. Otherwise wait for the poll interval, or less
      // when a slot frees or a result is written (the next command of that number is claimable).
      if (!this.full && claimed === limit) {
        await new Promise((r) => setImmediate(r));
        continue;
      }
      await sleep(this.cfg.pollMs, this.wake.signal);
      this.renewWake();
    }
  }

  private renewWake(): void {
    if (this.wake.signal.aborted && !this.stopping) this.wake = new AbortController();
  }

  private async ensureTemplates(force: boolean): Promise<void> {
    if (!force && this.templates && this.clock.now() - this.templatesAt < TEMPLATE_TTL_MS) return;
    try {
      this.templates = await TemplateSet.load(this.store);
      this.templatesAt = this.clock.now();
    } catch (err) {
      if (!this.templates) throw err;
      // Keep the templates we have; look again at the next pass.
      this.warnOnce('templates', 'warn', { err: describe(err) }, 'scanner: SWITCH_INS_MODEL could not be re-read; using the templates read before');
    }
  }

  private async claim(limit = this.cfg.batch): Promise<ClaimedCommand[]> {
    const o = { owner: this.owner, now: this.clock.date(), leaseMs: this.cfg.leaseMs };
    // PostgreSQL/Oracle command by command: parallel claim transactions (SKIP LOCKED keeps them
    // apart; a number's later command stays blocked by the earlier one whichever transaction holds
    // it). Set-based, a claim is a few statements whatever its size: one transaction (parallel
    // ones would only multiply the statements of the many small claims that notifications bring).
    const par = this.store.dialect === 'sqlite' || this.setBased ? 1 : Math.min(PARALLEL, Math.ceil(limit / 50));
    const size = Math.ceil(limit / par);
    const parts = await Promise.all(Array.from({ length: par }, () => claimCommands(this.store, { ...o, limit: size, batch: this.setBased })));
    const list = parts.flat();
    for (const c of list) {
      if (c.takenBack) {
        this.counters.takenBack++;
        this.log.warn({ busisn: String(c.busisn), svcnum: c.svcnum, attempt: c.attempts }, 'scanner: took back a command whose lease had expired (its scanner died or stalled); re-sending it with the same busisn');
      }
    }
    return list;
  }

  // --- one command ----------------------------------------------------------------------------

  private async handle(cmd: ClaimedCommand): Promise<void> {
    const abort = new AbortController();
    this.inFlight.set(cmd.busisn, { cmd, abort });
    try {
      const result = await this.attempt(cmd, abort.signal);
      await this.record(cmd, result);
    } catch (err) {
      // Only our own bug gets here: the command waits (not failed: nothing is known about it).
      this.err.error({ busisn: String(cmd.busisn), err: describe(err) }, 'scanner: unexpected error handling a command; it waits and is tried again');
      await this.record(cmd, this.wait(cmd, `internal error: ${describe(err)}`, '', false));
    } finally {
      // Only our own entry: after a lease expired and this scanner claimed the busisn again, the
      // map holds the newer attempt, which must keep its lease renewal and its stop handling.
      if (this.inFlight.get(cmd.busisn)?.cmd === cmd) this.inFlight.delete(cmd.busisn);
      // Wake the loop early only when it is waiting for capacity and half a batch is free again (a
      // claim per finished command would be a transaction per command); otherwise the poll interval
      // brings the next claim, the next command of this number among them.
      if (this.full && this.cfg.maxInFlight - this.inFlight.size >= Math.ceil(Math.min(this.cfg.batch, this.cfg.maxInFlight) / 2)) {
        this.full = false;
        this.wake.abort();
      }
    }
  }

  private wait(cmd: ClaimedCommand, reason: string, switchName: string, counted: boolean, ms = this.cfg.unreachableWaitMs): CommandResult {
    return { kind: 'wait', reason, retryAt: new Date(this.clock.now() + ms), counted, switchName };
  }

  private async attempt(cmd: ClaimedCommand, signal: AbortSignal): Promise<CommandResult> {
    const sw = this.router.route(cmd.region, cmd.netType);
    if (!sw) {
      const reason = noRouteReason(cmd.region, cmd.netType);
      this.warnOnce(`route:${cmd.region}|${cmd.netType}`, 'warn', { busisn: String(cmd.busisn), region: cmd.region, nettype: cmd.netType }, `scanner: ${reason}`);
      return this.wait(cmd, reason, '', false);
    }
    const delivery = this.deliveries.get(sw.name);
    if (!delivery) {
      const reason = `switch ${sw.name} has no delivery in this process: waiting`;
      this.warnOnce(`nodelivery:${sw.name}`, 'error', { switch: sw.name }, `scanner: ${reason}`);
      return this.wait(cmd, reason, sw.name, false);
    }
    let lines: string[];
    try {
      const services = SRVG_TYPES.has(cmd.busiType) ? await CMD_SRVG_OF_RECORD.all(this.store, { busisn: cmd.busisn }) : [];
      lines = this.templates!.render(
        { ...cmd, services: services.map((s) => ({ srvgid: s.srvgid.trim(), param: s.param })) },
        sw.switchType,
      );
    } catch (err) {
      if (!(err instanceof RenderError)) throw err;
      this.err.error({ busisn: String(cmd.busisn), svcnum: cmd.svcnum, busitype: cmd.busiType, nettype: cmd.netType, switch: sw.name, reason: err.message }, 'scanner: command failed: cannot render it');
      return { kind: 'failed', reason: err.message, switchName: sw.name };
    }
    if (!delivery.ready()) {
      const reason = `switch ${sw.name} not reachable: waiting`;
      this.warnOnce(`ready:${sw.name}`, 'warn', { switch: sw.name, kind: sw.kind }, `scanner: ${reason} (commands wait ${this.cfg.unreachableWaitMs} ms, uncounted)`);
      return this.wait(cmd, reason, sw.name, false);
    }
    const sc: SwitchCommand = {
      busisn: cmd.busisn,
      svcnum: cmd.svcnum,
      imsi: cmd.imsi,
      region: cmd.region,
      netType: cmd.netType,
      busiType: cmd.busiType,
      lines,
      attempt: cmd.attempts,
    };
    let out: DeliveryOutcome;
    try {
      out = await delivery.deliver(sc, signal);
    } catch (err) {
      // The contract says deliver never rejects; a transport that does is treated as an unknown outcome.
      out = { kind: 'retry', reason: `delivery error: ${describe(err)}` };
    }
    if (signal.aborted && out.kind === 'retry') {
      // Stopping (or the lease was lost): the outcome is unknown, the next scanner re-sends it.
      return this.wait(cmd, 'scanner stopped during delivery; re-sent with the same busisn', sw.name, false, 0);
    }
    return this.outcome(cmd, sw, out);
  }

  private outcome(cmd: ClaimedCommand, sw: SwitchConfig, out: DeliveryOutcome): CommandResult {
    if (out.kind === 'executed') return { kind: 'executed', answer: out.answer || '执行成功', switchName: sw.name };
    if (out.kind === 'failed') {
      this.err.error({ busisn: String(cmd.busisn), svcnum: cmd.svcnum, busitype: cmd.busiType, switch: sw.name, attempt: cmd.attempts, answer: out.answer }, 'scanner: command failed: the switch refused it');
      return { kind: 'failed', reason: out.answer, switchName: sw.name };
    }
    if (cmd.attempts >= this.cfg.maxAttempts) {
      const reason = `failed after ${cmd.attempts} attempts: ${out.reason}`;
      this.err.error({ busisn: String(cmd.busisn), svcnum: cmd.svcnum, busitype: cmd.busiType, switch: sw.name, attempts: cmd.attempts, reason: out.reason }, 'scanner: command failed: retries exhausted');
      return { kind: 'failed', reason, switchName: sw.name };
    }
    const ms = retryDelay(cmd.attempts, this.cfg.retryBackoffMs, this.cfg.retryBackoffMaxMs);
    return this.wait(cmd, `attempt ${cmd.attempts} of ${this.cfg.maxAttempts}: ${out.reason}; retry in ${Math.round(ms / 1000)} s`, sw.name, true, ms);
  }

  // --- results --------------------------------------------------------------------------------

  private record(cmd: ClaimedCommand, result: CommandResult): Promise<void> {
    const f = this.inFlight.get(cmd.busisn);
    if (f && f.cmd === cmd) f.finishing = true;
    return new Promise((resolve) => {
      this.pending.push({ cmd, result, resolve });
      // Started a moment later, so the outcomes that arrive together share one transaction (a
      // commit per outcome would cap the scanner at the disk's fsync rate).
      if (!this.writing) this.writing = new Promise<void>((r) => setTimeout(r, RESULT_COALESCE_MS)).then(() => this.writeLoop());
    });
  }

  private async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** Writes pending outcomes in batches until none is left; a failed batch is retried after a pause. */
  private async writeLoop(): Promise<void> {
    let backoff = 0;
    try {
      while (this.pending.length > 0) {
        // PostgreSQL/Oracle: a statement is a round trip, so chunks go in parallel transactions
        // (pool connections); SQLite has one writer: one transaction.
        const par = this.store.dialect === 'sqlite' ? 1 : PARALLEL;
        const taken = this.pending.splice(0, RESULT_BATCH * par).sort((a, b) => (a.cmd.busisn < b.cmd.busisn ? -1 : 1));
        // Set-based, a chunk costs a few statements whatever its size: split only beyond RESULT_BATCH.
        const size = this.setBased ? RESULT_BATCH : Math.ceil(taken.length / par);
        const chunks = Array.from({ length: Math.ceil(taken.length / size) }, (_, i) => taken.slice(i * size, (i + 1) * size));
        const now = this.clock.date();
        const settled = await Promise.allSettled(chunks.map((chunk) => finishCommands(this.store, chunk.map((p) => ({ lease: p.cmd, result: p.result })), now, this.setBased)));
        const failed: Pending[] = [];
        settled.forEach((r, i) => {
          if (r.status === 'fulfilled') chunks[i].forEach((p, k) => this.written(p, r.value[k]));
          else {
            failed.push(...chunks[i]);
            // The database is down: keep the outcomes and try again. If it stays down beyond the
            // lease, another scanner re-sends those commands (same busisn; the switch recognises it).
            backoff = Math.min(DB_BACKOFF_MAX_MS, Math.max(50, backoff * 2));
            this.warnOnce('results', 'error', { err: describe(r.reason), pending: this.pending.length + chunks[i].length, retryMs: backoff }, 'scanner: cannot write command outcomes; retrying');
          }
        });
        if (failed.length > 0) {
          this.pending.unshift(...failed);
          if (this.flushDeadline !== undefined && this.clock.now() + backoff > this.flushDeadline) {
            const dropped = this.pending.splice(0);
            this.err.error({ outcomes: dropped.length, busisns: dropped.slice(0, 20).map((p) => String(p.cmd.busisn)) }, 'scanner stopping: command outcomes could not be written before the deadline; their leases expire and the commands are re-sent (same busisn)');
            for (const p of dropped) p.resolve();
            break;
          }
          await sleep(backoff);
        } else backoff = 0;
      }
    } finally {
      this.writing = undefined;
    }
  }

  private written(p: Pending, verdict: string): void {
    const { cmd, result } = p;
    const sw = result.switchName ? this.perSwitch.get(result.switchName) : undefined;
    if (verdict === 'lost') {
      this.counters.lost++;
      this.log.warn({ busisn: String(cmd.busisn), outcome: result.kind }, 'scanner: lease lost before the outcome was written (another scanner has the command); outcome not written');
    } else {
      if (verdict === 'moved') {
        this.log.warn({ busisn: String(cmd.busisn), outcome: result.kind }, 'scanner: the record left status 6 while being sent (changed by someone else); its status was left as it is');
      }
      if (result.kind === 'executed') {
        this.counters.executed++;
        if (sw) sw.executed++;
      } else if (result.kind === 'failed') {
        this.counters.failed++;
        if (sw) sw.failed++;
      } else if (result.counted) {
        this.counters.retried++;
        if (sw) sw.retried++;
      } else this.counters.waited++;
    }
    p.resolve();
  }

  // --- leases ---------------------------------------------------------------------------------

  /** Renew the leases of every delivery in flight; one whose lease is gone is aborted. */
  private async extendLeases(): Promise<void> {
    if (this.inFlight.size === 0) return;
    // Not those whose outcome is being written (their lease ends anyway). Lease rows only, in
    // BUSISN order like the result transactions and the claims; every transaction that locks both
    // rows of a command locks its record before its lease row (src/store/queries/commands.ts, "Lock
    // order"), so none waits for a row another holds while that one waits for a row it holds.
    const list = [...this.inFlight.values()].filter((f) => !f.finishing).sort((a, b) => (a.cmd.busisn < b.cmd.busisn ? -1 : 1));
    if (list.length === 0) return;
    const until = new Date(this.clock.now() + this.cfg.leaseMs);
    try {
      const kept = await this.store.transaction(async (tx) => {
        const out: boolean[] = [];
        for (const f of list) out.push(await extendLease(tx, f.cmd, until));
        return out;
      });
      list.forEach((f, i) => {
        if (kept[i]) f.cmd.leaseUntil = until;
        else if (this.inFlight.has(f.cmd.busisn)) {
          this.log.warn({ busisn: String(f.cmd.busisn) }, 'scanner: lease lost during delivery (taken back by another scanner); abandoning this attempt');
          f.abort.abort(new Error('lease lost'));
        }
      });
    } catch (err) {
      this.warnOnce('extend', 'error', { err: describe(err) }, 'scanner: cannot renew leases');
    }
  }

  private warnOnce(key: string, level: 'warn' | 'error', obj: Record<string, unknown>, msg: string): void {
    const now = this.clock.now();
    const last = this.warned.get(key);
    if (last !== undefined && now - last < WARN_EVERY_MS) return;
    this.warned.set(key, now);
    (level === 'error' ? this.err : this.log)[level](obj, msg);
    if (level === 'error') this.log.error(obj, msg);
  }
}

/** Retry wait after `attempts` deliveries: base · 2^(attempts−1), at most max, with up to 10 % jitter. */
export function retryDelay(attempts: number, baseMs: number, maxMs: number): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, Math.min(30, attempts - 1)));
  return Math.round(exp * (1 + Math.random() * 0.1));
}

/** A 'datetime' column's wire string YYYYMMDDHHMMSS (local time) as a Date. */
function wireToDate(s: string): Date {
  return new Date(Number(s.slice(0, 4)), Number(s.slice(4, 6)) - 1, Number(s.slice(6, 8)), Number(s.slice(8, 10)), Number(s.slice(10, 12)), Number(s.slice(12, 14)));
}
