// One mirror target (the candidate, or the secondary) of one [shadow.<name>] section: one TCP
// connection shared by every client connection of the section, opened on the first mirrored
// request. Nothing here can delay the client's path: send() never waits, never throws, never
// writes to a socket itself.
//
// Cheap per request, because the shadow shares its CPU with the relay (issue 16, bench/shadow.ts):
// - every request is sent under a key of the link's own (v1: the seq, rewritten in a copy of the
//   frame written into the batch; the client's frame is never touched), so client connections whose seqs collide can
//   share the connection; the client's key is put back into the answer before it is compared.
//   A text profile's key cannot be rewritten (src/shadow/text-framing.ts): with serial
//   correlation the serial is the key (a serial already outstanding on the link is dropped), with
//   order correlation the oldest outstanding request takes the next answer, and a timeout closes
//   the connection (a late answer would otherwise be taken for the next request's);
// - mirrored requests (from every client connection) are gathered for MIRROR_BATCH_MS and go out
//   in one write: a mirror is not in a hurry, and each write costs the shadow (and the candidate's
//   host) a system call and a wake-up; the time an answer takes is measured from that write;
// - the batch is one buffer: each frame is copied into it once, at the write, with the link's key
//   set there (no copy per frame, then a second one to join them); the batch timer is one Timeout,
//   re-armed (not a new timer per batch);
// - timeouts are found by one sweep timer over the requests in the order they were sent, not a
//   timer per request; it runs while anything is outstanding and stops itself once nothing is
//   (not stopped and started again with every answer).
// A target that is backed up (too many answers outstanding, or unsent bytes piling up) makes
// send() drop the mirror; a target that is down, slow or speaks garbage turns into error/timeout
// outcomes.
import net from 'node:net';
import type { Framing, Reassembler, Splitter } from './framing.js';
import type { HostPort } from './config.js';

export type Outcome =
  | { ok: true; packets: Buffer[]; ms: number }
  | { ok: false; kind: 'error' | 'timeout'; reason: string };

/** Called with a mirror's outcome and the sender's context (one function per sender, not a closure per mirror). */
export type MirrorDone<T> = (o: Outcome, ctx: T) => void;

/** One mirrored request: waiting for the next write (frame set), then for its answer. */
interface Waiter {
  done: MirrorDone<never>;
  ctx: unknown;
  /** The client's key (v1: seq), put back into the answer. */
  clientKey: number | string;
  /** The key it goes out under on this link. */
  key: number | string;
  /** The client's frame until it is copied into the batch (then dropped). */
  frame: Buffer | undefined;
  t0: number;
}

const settle = (w: Waiter, o: Outcome): void => (w.done as MirrorDone<unknown>)(o, w.ctx);

/** Unsent bytes to a target beyond which new mirrors are dropped. */
export const MAX_UNSENT_BYTES = 1024 * 1024;
/** Answers outstanding on one target connection (all client connections together) beyond which new mirrors are dropped. */
export const MAX_LINK_IN_FLIGHT = 65_536;
/** Mirrored requests are gathered this long (ms) and written to the target together. */
export const MIRROR_BATCH_MS = 2;
/**
 * While answers are outstanding, the target's socket is read at most this often (ms): the answers
 * of a batch come one write each from the target, and are read together. The answer time
 * (bssgate_shadow_answer_seconds) is taken at the read, so it may be up to this much late.
 */
export const READ_EVERY_MS = 2;
/** The link's read buffer (one per link, reused for every read). */
export const READ_BUFFER_BYTES = 64 * 1024;
/** After a failed connection, a target is not tried again for this long (mirrors meanwhile are errors). */
export const RECONNECT_AFTER_MS = 1_000;

export interface LinkOptions {
  timeoutMs: number;
  maxFrame: number;
  onProblem?: (reason: string) => void;
}

export class TargetLink {
  private socket: net.Socket | undefined;
  private splitter: Splitter | undefined;
  private reassembler: Reassembler | undefined;
  /** Outstanding requests by the link's key, in the order they were sent (Map keeps insertion order). */
  private readonly waiting = new Map<number | string, Waiter>();
  private nextKey = 0;
  /** Mirrors whose frames (the client's bytes, not yet copied) wait for the next write. */
  private batch: Waiter[] = [];
  private batchBytes = 0;
  private flushScheduled = false;
  /** The batch timer: one Timeout, re-armed for each batch. */
  private flushTimer: NodeJS.Timeout | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  private failedAt = 0;
  private failReason = '';
  private closed = false;
  /** Writes to the target (each carries every request of one turn of the event loop). */
  writes = 0;
  /** Reads from the target (each takes every answer waiting in the socket). */
  reads = 0;
  private readBuf: Buffer | undefined;
  /** The read timer: one Timeout, re-armed; resumes reading paused by onRead. */
  private readTimer: NodeJS.Timeout | undefined;
  private readPaused = false;

  constructor(
    readonly target: HostPort,
    private readonly framing: Framing,
    private readonly opts: LinkOptions,
  ) {}

  get inFlight(): number {
    return this.waiting.size;
  }

  /** True while the link has a connection to the target (open, or opening). */
  get connected(): boolean {
    return this.socket !== undefined;
  }

  /**
   * Mirror one request frame. Returns 'dropped' (backpressure: nothing sent, done is never
   * called) or 'sent' (done is called exactly once, later, with the answer or the failure).
   */
  send<T>(frame: Buffer, clientKey: number | string, done: MirrorDone<T>, ctx: T): 'sent' | 'dropped' {
    if (this.closed) return 'dropped';
    if (this.waiting.size >= MAX_LINK_IN_FLIGHT || this.batchBytes + (this.socket?.writableLength ?? 0) > MAX_UNSENT_BYTES) return 'dropped';
    const ownKey = this.framing.correlation === 'own-key';
    // The packet's own key (a serial) already awaits an answer on this link: the answers could not be told apart.
    if (ownKey && this.waiting.has(clientKey)) return 'dropped';
    if (!this.socket) {
      if (this.failedAt !== 0 && Date.now() - this.failedAt < RECONNECT_AFTER_MS) {
        const reason = this.failReason;
        setImmediate(() => done({ ok: false, kind: 'error', reason }, ctx));
        return 'sent';
      }
      this.open();
    }
    let key: number | string = clientKey;
    if (!ownKey) {
      let k = this.nextKey;
      while (this.waiting.has(k)) k = (k + 1) >>> 0;
      this.nextKey = (k + 1) >>> 0;
      key = k;
    }
    // t0 is set at the write (until then no timeout can be due: Infinity sorts last in the sweep).
    const w: Waiter = { done: done as MirrorDone<never>, ctx, clientKey, key, frame, t0: Infinity };
    this.waiting.set(key, w);
    // The client's bytes are never changed: the frame is copied (with the link's key) at the write.
    this.batch.push(w);
    this.batchBytes += frame.length;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      if (this.flushTimer) this.flushTimer.refresh();
      else this.flushTimer = setTimeout(this.flush, MIRROR_BATCH_MS);
    }
    if (!this.sweeper) {
      this.sweeper = setInterval(this.sweep, Math.max(10, Math.min(100, this.opts.timeoutMs / 4)));
      this.sweeper.unref();
    }
    return 'sent';
  }

  private readonly flush = (): void => {
    this.flushScheduled = false;
    const batch = this.batch;
    const bytes = this.batchBytes;
    if (batch.length === 0) return;
    this.batch = [];
    this.batchBytes = 0;
    if (!this.socket) return; // failed meanwhile: its waiters have had their errors
    const now = performance.now();
    // One buffer for the whole batch (a new one each time: the socket may still hold the last).
    const out = Buffer.allocUnsafe(bytes);
    let at = 0;
    for (const w of batch) {
      at = this.framing.copyWithKey(w.frame!, w.key, out, at);
      w.frame = undefined;
      w.t0 = now;
    }
    this.writes++;
    this.socket.write(out);
  };

  /** Requests older than the timeout, oldest first (they were sent in key order): timeouts. */
  private readonly sweep = (): void => {
    const limit = performance.now() - this.opts.timeoutMs;
    const expired: Waiter[] = [];
    for (const [key, w] of this.waiting) {
      if (w.t0 > limit) break;
      this.waiting.delete(key);
      expired.push(w);
    }
    this.stopSweeperIfIdle();
    for (const w of expired) settle(w, { ok: false, kind: 'timeout', reason: `no answer within ${this.opts.timeoutMs} ms` });
    // In-order answers: the late one would be taken for the next request's. Start afresh.
    if (expired.length > 0 && this.framing.correlation === 'order' && this.socket) {
      this.fail(this.socket, `${this.target.host}:${this.target.port}: out of step after a timeout (answers come in order): reconnecting`, true);
    }
  };

  private stopSweeperIfIdle(): void {
    if (this.waiting.size === 0 && this.sweeper) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  private open(): void {
    // Answers are read into the link's own buffer (no 64 KiB allocation and no stream machinery
    // per read) and copied out of it (the splitter keeps views of what it is given).
    this.readBuf ??= Buffer.allocUnsafe(READ_BUFFER_BYTES);
    const s: net.Socket = net.connect({
      host: this.target.host,
      port: this.target.port,
      onread: { buffer: this.readBuf, callback: (n: number, buf: Uint8Array) => this.onRead(s, n, buf) },
    });
    s.setNoDelay(true);
    // Flowing (no 'data' listener with onread): the end of the stream is seen, and 'close' follows.
    s.resume();
    this.socket = s;
    this.splitter = this.framing.splitter(this.opts.maxFrame, 'response');
    this.reassembler = this.framing.reassembler();
    s.on('error', (err) => this.fail(s, `${this.target.host}:${this.target.port}: ${err.message}`, true));
    s.on('close', () => this.fail(s, `${this.target.host}:${this.target.port} closed the connection`, false));
  }

  /**
   * One read of answers. While answers are outstanding and this read emptied the socket, reading
   * stops (returns false) until the read timer: the answers that come meanwhile wait in the
   * socket and are read together, READ_EVERY_MS later, instead of waking the shadow (and making
   * the target's writes wake it) once or twice per answer. Nothing outstanding: reading goes on,
   * so a target that closes an idle connection is seen at once.
   */
  private onRead(s: net.Socket, n: number, buf: Uint8Array): boolean {
    this.reads++;
    const chunk = Buffer.allocUnsafe(n);
    chunk.set(n === buf.length ? buf : buf.subarray(0, n));
    this.onData(s, chunk);
    if (s !== this.socket || this.waiting.size === 0 || n === buf.length) return true;
    if (this.readTimer) this.readTimer.refresh();
    else this.readTimer = setTimeout(this.readAgain, READ_EVERY_MS);
    this.readPaused = true;
    return false;
  }

  private readonly readAgain = (): void => {
    if (!this.readPaused) return;
    this.readPaused = false;
    this.socket?.resume();
  };

  private onData(s: net.Socket, chunk: Buffer): void {
    if (s !== this.socket) return;
    try {
      const inOrder = this.framing.correlation === 'order';
      for (const packet of this.splitter!.push(chunk)) {
        const head = this.framing.head(packet, 'response');
        const whole = this.reassembler!.push(packet, head);
        if (!whole) continue;
        // In order: the oldest request outstanding (the Map keeps the order they were sent in).
        const key = inOrder ? this.waiting.keys().next().value : head.seq;
        const w = key === undefined ? undefined : this.waiting.get(key);
        if (!w) continue; // an answer after its timeout, or unasked: nothing waits for it
        this.waiting.delete(key!);
        // The answer is the link's own copy (onRead): the client's key is put back in place.
        for (let i = 0; i < whole.length; i++) whole[i] = this.framing.setKey(whole[i], w.clientKey);
        settle(w, { ok: true, packets: whole, ms: performance.now() - w.t0 });
      }
    } catch (err) {
      this.fail(s, `unreadable answer from ${this.target.host}:${this.target.port}: ${(err as Error).message}`, true);
    }
    // The sweeper stops itself once nothing is outstanding (sweep).
  }

  /**
   * The connection failed: every waiting mirror is an error; the next send reconnects (after a
   * pause). A target that closes an idle connection (nothing outstanding) has not failed: the
   * next mirror simply opens a new one.
   */
  private fail(s: net.Socket, reason: string, error: boolean): void {
    s.destroy();
    if (s !== this.socket) return;
    this.socket = undefined;
    this.readPaused = false;
    this.batch = [];
    this.batchBytes = 0;
    const all = [...this.waiting.values()];
    this.waiting.clear();
    this.stopSweeperIfIdle();
    if (this.closed || (!error && all.length === 0)) return;
    this.failedAt = Date.now();
    this.failReason = reason;
    this.opts.onProblem?.(reason);
    for (const w of all) settle(w, { ok: false, kind: 'error', reason });
  }

  /** The shadow stops: the connection is closed; mirrors still outstanding are not compared. */
  close(): void {
    this.closed = true;
    this.waiting.clear();
    this.stopSweeperIfIdle();
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.readTimer) clearTimeout(this.readTimer);
    this.batch = [];
    const s = this.socket;
    this.socket = undefined;
    s?.destroy();
  }
}
