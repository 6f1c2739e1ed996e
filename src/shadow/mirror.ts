// One mirror target (the candidate, or the secondary) as seen by one client connection: its own
// TCP connection, opened on the first mirrored request, answers correlated by the framing's key
// (v1: seq). Nothing here can delay the client's path: send() never waits, never throws; a target
// that is backed up (too many answers outstanding, or unsent bytes piling up) makes send() drop
// the mirror, and a target that is down, slow or speaks garbage turns into error/timeout outcomes.
import net from 'node:net';
import type { Framing, Reassembler, Splitter } from './framing.js';
import type { HostPort } from './config.js';

export type Outcome =
  | { ok: true; packets: Buffer[]; ms: number }
  | { ok: false; kind: 'error' | 'timeout'; reason: string };

interface Waiter {
  done(o: Outcome): void;
  timer: NodeJS.Timeout;
  t0: number;
}

/** Unsent bytes to a target beyond which new mirrors are dropped. */
export const MAX_UNSENT_BYTES = 1024 * 1024;
/** After a failed connection, a target is not tried again for this long (mirrors meanwhile are errors). */
export const RECONNECT_AFTER_MS = 1_000;

export class TargetLink {
  private socket: net.Socket | undefined;
  private splitter: Splitter | undefined;
  private reassembler: Reassembler | undefined;
  private readonly waiting = new Map<number, Waiter[]>();
  private inFlight = 0;
  private failedAt = 0;
  private failReason = '';
  private closing = false;

  constructor(
    readonly target: HostPort,
    private readonly framing: Framing,
    private readonly opts: { timeoutMs: number; maxInFlight: number; maxFrame: number; onProblem?: (reason: string) => void },
  ) {}

  /**
   * Mirror one request frame. Returns 'dropped' (backpressure: nothing sent, done is never
   * called) or 'sent' (done is called exactly once, later, with the answer or the failure).
   */
  send(frame: Buffer, key: number, done: (o: Outcome) => void): 'sent' | 'dropped' {
    if (this.closing) return 'dropped';
    if (this.inFlight >= this.opts.maxInFlight || (this.socket !== undefined && this.socket.writableLength > MAX_UNSENT_BYTES)) return 'dropped';
    if (!this.socket) {
      if (this.failedAt !== 0 && Date.now() - this.failedAt < RECONNECT_AFTER_MS) {
        const reason = this.failReason;
        setImmediate(() => done({ ok: false, kind: 'error', reason }));
        return 'sent';
      }
      this.open();
    }
    const w: Waiter = {
      t0: performance.now(),
      done,
      timer: setTimeout(() => {
        this.remove(key, w);
        done({ ok: false, kind: 'timeout', reason: `no answer within ${this.opts.timeoutMs} ms` });
        this.closeIfIdle();
      }, this.opts.timeoutMs),
    };
    const l = this.waiting.get(key);
    if (l) l.push(w);
    else this.waiting.set(key, [w]);
    this.inFlight++;
    this.socket!.write(frame);
    return 'sent';
  }

  private open(): void {
    const s = net.connect({ host: this.target.host, port: this.target.port });
    s.setNoDelay(true);
    this.socket = s;
    this.splitter = this.framing.splitter(this.opts.maxFrame);
    this.reassembler = this.framing.reassembler();
    s.on('data', (chunk: Buffer) => this.onData(s, chunk));
    s.on('error', (err) => this.fail(s, `${this.target.host}:${this.target.port}: ${err.message}`));
    s.on('close', () => this.fail(s, `${this.target.host}:${this.target.port} closed the connection`));
  }

  private onData(s: net.Socket, chunk: Buffer): void {
    if (s !== this.socket) return;
    try {
      for (const packet of this.splitter!.push(chunk)) {
        const head = this.framing.head(packet);
        const whole = this.reassembler!.push(packet, head);
        if (!whole) continue;
        const l = this.waiting.get(head.seq);
        const w = l?.shift();
        if (l && l.length === 0) this.waiting.delete(head.seq);
        if (!w) continue; // an answer after its timeout, or unasked: nothing waits for it
        clearTimeout(w.timer);
        this.inFlight--;
        w.done({ ok: true, packets: whole, ms: performance.now() - w.t0 });
      }
    } catch (err) {
      this.fail(s, `unreadable answer from ${this.target.host}:${this.target.port}: ${(err as Error).message}`);
      s.destroy();
      return;
    }
    this.closeIfIdle();
  }

  private remove(key: number, w: Waiter): void {
    const l = this.waiting.get(key);
    const i = l ? l.indexOf(w) : -1;
    if (i >= 0) {
      l!.splice(i, 1);
      if (l!.length === 0) this.waiting.delete(key);
      this.inFlight--;
    }
  }

  /** The connection failed: every waiting mirror is an error; the next send reconnects (after a pause). */
  private fail(s: net.Socket, reason: string): void {
    if (s !== this.socket) return;
    this.socket = undefined;
    if (!this.closing) {
      this.failedAt = Date.now();
      this.failReason = reason;
      this.opts.onProblem?.(reason);
    }
    const all = [...this.waiting.values()].flat();
    this.waiting.clear();
    this.inFlight = 0;
    for (const w of all) {
      clearTimeout(w.timer);
      w.done({ ok: false, kind: 'error', reason });
    }
    s.destroy();
  }

  /** The client's connection is gone: close once the mirrors still waiting are answered or timed out. */
  close(): void {
    this.closing = true;
    this.closeIfIdle();
  }

  private closeIfIdle(): void {
    if (this.closing && this.inFlight === 0 && this.socket) {
      const s = this.socket;
      this.socket = undefined;
      s.end();
      s.destroySoon?.();
    }
  }
}
