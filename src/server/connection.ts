// One client connection: its frame decoder, its pipeline of requests in flight, its timers and
// its one idempotent close(). Lifecycle rules (docs/architecture.md, Connection lifecycle):
// - idle: nothing received and nothing in flight for idle_timeout → closed;
// - slowloris: once a frame's first byte arrived, the whole frame must arrive within frame_timeout;
// - backpressure: a client that does not read its answers blocks our writes; reading pauses, and
//   if the socket does not drain within drain_timeout it is closed;
// - pipelining: requests run concurrently, answers leave in request order (each with its seq);
//   at most max_pipeline requests are held before reading pauses;
// - a framing or header error is answered (when the header is readable) after every earlier
//   request's answer, then the connection closes; body and business errors keep it open, since
//   the frame boundary is intact;
// - graceful stop (shutdown()): reading stops at once; every frame already read is answered, in
//   order — a request whose handler started gets its real result (a write may commit: never a
//   9xxx for it), a frame read but not yet dispatched (held in the backlog) gets 9004
//   SHUTTING_DOWN. After the last answer the connection half-closes; what the peer still sends is
//   discarded unparsed (only to see its FIN): those bytes were never taken as frames, and the
//   peer, seeing the end of the stream after its last answer, knows they were not served.
import type { Socket } from 'node:net';
import { FrameDecoder, FrameError } from '../../protocol/frame.js';
import { BIZ_OFFSET, decodeHeader, HEADER_SIZE, KIND_OFFSET, KIND_REQUEST, SEQ_OFFSET, VERSION_OFFSET, type Header } from '../../protocol/header.js';
import { encodeErrorResponse } from '../../protocol/message.js';
import { GatewayError, RETURN_CODES } from '../../protocol/return-codes.js';
import type { InterfaceConfig } from '../config/types.js';
import type { RequestOrigin } from '../dispatch.js';
import type { DispatchTarget, FrameSource } from './text-session.js';
import type { InterfaceLogs } from '../log/index.js';
import type { Clock } from '../clock.js';
import { formatDateTimeMs } from '../time.js';
import { interfaceMetrics, type InterfaceMetrics } from '../metrics.js';

interface Slot {
  buf: Buffer | undefined;
  /** Close the connection once this answer is written (framing/header errors). */
  closeAfter: boolean;
}

/** Per-connection counters (frames taken in vs answers written: equal once it closed cleanly). */
export interface ConnectionCounters {
  /** Whole frames taken from the stream (each is answered, or the connection ended on an error). */
  frames: number;
  /** Answer frames written. */
  answers: number;
  /** Of those, 9004 SHUTTING_DOWN answers to frames read but not dispatched when the stop began. */
  shuttingDown: number;
}

export interface ConnectionDeps {
  id: number;
  socket: Socket;
  iface: InterfaceConfig;
  dispatcher: DispatchTarget;
  /**
   * A text framing profile's session (src/server/text-session.ts): frames come from it, and the
   * answers the connection makes itself (bad frame, 9004, 9999) are written by it. Absent: v1.
   */
  text?: FrameSource & { errorAnswer(header: Header, err: GatewayError): Buffer };
  logs: InterfaceLogs;
  clock: Clock;
  onClose(conn: Connection): void;
}

/**
 * A header good enough to address an answer to a frame whose header did not validate:
 * the numeric fields are read as they are, the text fields are left blank.
 */
function roughHeader(frame: Buffer): Header | undefined {
  if (frame.length < HEADER_SIZE) return undefined;
  return {
    version: frame.readUInt8(VERSION_OFFSET),
    kind: frame.readUInt8(KIND_OFFSET),
    biz: frame.readUInt16BE(BIZ_OFFSET),
    seq: frame.readUInt32BE(SEQ_OFFSET),
    serial: '',
    time: '',
    operator: '',
    result: 0,
    reserved: 0,
  };
}

export class Connection {
  readonly id: number;
  readonly peer: string;
  /** What every request of this connection tells the dispatcher about its origin: built once. */
  private readonly origin: RequestOrigin;
  private readonly socket: Socket;
  private readonly iface: InterfaceConfig;
  private readonly deps: ConnectionDeps;
  private readonly decoder: FrameSource;
  /** bssgate_refusals_total: counted where each cut is logged. */
  private readonly metrics: InterfaceMetrics;
  private readonly queue: Slot[] = [];
  /** Whole frames read but not yet dispatched (max_pipeline requests already in flight). */
  private readonly backlog: Buffer[] = [];
  /** A framing error met while frames were still in the backlog: answered after them. */
  private pendingFrameError: unknown;
  /** An error answer that closes the stream is queued: nothing after it is dispatched. */
  private errorQueued = false;

  private frameTimer: NodeJS.Timeout | undefined;
  private drainTimer: NodeJS.Timeout | undefined;
  private lingerTimer: NodeJS.Timeout | undefined;
  /** No more requests are read: an error answer is pending, the peer half-closed, or shutdown. */
  private stopReading = false;
  private writeBlocked = false;
  private pipelineFull = false;
  /** A flush is waiting for the end of this turn of the event loop (answerReady). */
  private flushPending = false;
  private closed = false;
  /** Graceful stop in progress: frames not yet dispatched are answered 9004, never started. */
  private stopping = false;
  private closeWaiters: (() => void)[] = [];
  readonly counters: ConnectionCounters = { frames: 0, answers: 0, shuttingDown: 0 };

  constructor(deps: ConnectionDeps) {
    this.deps = deps;
    this.id = deps.id;
    this.socket = deps.socket;
    this.iface = deps.iface;
    this.peer = `${deps.socket.remoteAddress ?? '?'}:${deps.socket.remotePort ?? '?'}`;
    this.origin = Object.freeze({ conn: this.id, peer: this.peer });
    this.decoder = deps.text ?? new FrameDecoder({ maxFrame: deps.iface.maxFrame });
    this.metrics = interfaceMetrics(deps.iface.name);
  }

  /** Attach the socket's events and start reading (the listener accepted it paused). */
  start(): void {
    const s = this.socket;
    s.setNoDelay(true);
    s.setTimeout(this.iface.idleTimeoutMs);
    s.on('data', (chunk: Buffer) => this.onData(chunk));
    s.on('timeout', () => this.onIdle());
    s.on('end', () => this.onPeerEnd());
    s.on('drain', () => this.onDrain());
    s.on('error', (err) => {
      // ECONNRESET and friends: the peer went away; nothing to answer.
      this.deps.logs.err.info({ conn: this.id, peer: this.peer, err: err.message }, 'socket error');
      this.close('socket error');
    });
    s.on('close', () => this.close('closed'));
    s.resume();
  }

  private onData(chunk: Buffer): void {
    if (this.stopReading || this.closed) return;
    let frames: Buffer[];
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      // Whole frames before the bad length (in this same chunk) are still answered, in order;
      // then the framing error's answer, then the close.
      if (err instanceof FrameError) for (const frame of err.frames) this.accept(frame);
      if (this.backlog.length > 0) {
        // Answer the whole frames first; the framing error follows them (see drainBacklog).
        this.pendingFrameError = err;
        this.stopReading = true;
        this.clearFrameTimer();
        this.socket.pause();
      } else if (!this.stopReading) {
        this.onFrameError(err);
      }
      return;
    }
    for (const frame of frames) this.accept(frame);
    this.armFrameTimer(frames.length > 0);
  }

  /**
   * A whole frame read from the socket: dispatched now, or held in the backlog while
   * max_pipeline requests are already in flight. One read can carry hundreds of small frames;
   * the backlog keeps max_pipeline a hard bound on the handler work one client causes.
   */
  private accept(frame: Buffer): void {
    // After an error answer that closes the stream, later frames are not answered (nor counted:
    // the stream ended at the bad frame; the peer sees its error answer, then the close).
    if (this.errorQueued) return;
    this.counters.frames++;
    if (this.backlog.length > 0 || this.queue.length >= this.iface.maxPipeline) {
      this.backlog.push(frame);
      if (!this.pipelineFull) {
        this.pipelineFull = true;
        this.updateReading();
      }
      return;
    }
    this.onFrame(frame);
  }

  /** Dispatch held frames while there is room; then a framing error held behind them. */
  private drainBacklog(): void {
    while (this.backlog.length > 0 && this.queue.length < this.iface.maxPipeline && !this.closed) {
      const frame = this.backlog.shift()!;
      this.onFrame(frame);
      if (this.errorQueued) {
        // A bad header closed the stream: later frames are not answered.
        this.backlog.length = 0;
        this.pendingFrameError = undefined;
      }
    }
    if (this.backlog.length === 0 && this.pendingFrameError !== undefined) {
      const err = this.pendingFrameError;
      this.pendingFrameError = undefined;
      this.onFrameError(err);
    }
  }

  private onFrame(frame: Buffer): void {
    let header: Header;
    try {
      header = decodeHeader(frame);
      if (header.kind !== KIND_REQUEST) throw new GatewayError('NOT_A_REQUEST', `kind ${header.kind}`);
    } catch (err) {
      this.answerErrorAndClose(err, roughHeader(frame), 'bad header');
      return;
    }
    if (this.stopping) {
      this.refuseStopping(header);
      return;
    }
    const slot: Slot = { buf: undefined, closeAfter: false };
    this.queue.push(slot);
    this.deps.dispatcher.dispatch(header, frame, this.origin).then(
      (buf) => {
        slot.buf = buf;
        // An empty answer: a write whose outcome was still in doubt when the gateway stopped
        // (src/dispatch.ts). Neither 0 nor 9xxx would be true, and skipping it would break the
        // answer order: the answers before it go out, then the connection ends, so the client
        // re-sends from this frame on (the ledger answers the write on the re-send).
        if (buf.length === 0) slot.closeAfter = true;
        this.answerReady();
      },
      (err) => {
        // dispatch() never rejects by contract; if it ever does, answer 9999 rather than hang.
        this.deps.logs.err.error({ conn: this.id, err }, 'dispatch rejected');
        slot.buf = this.errorAnswer(header, new GatewayError('INTERNAL_ERROR'));
        this.answerReady();
      },
    );
    if (this.queue.length >= this.iface.maxPipeline && !this.pipelineFull) {
      this.pipelineFull = true;
      this.updateReading();
    }
  }

  /**
   * A frame read but not dispatched when the stop began: answered 9004 in its place in the
   * order, and logged as any request is (a query line without body, an answer line), so the
   * query and ans files still hold one line per frame read.
   */
  private refuseStopping(header: Header): void {
    const { logs } = this.deps;
    const code = RETURN_CODES.SHUTTING_DOWN.code;
    if (logs.query.isLevelEnabled('info')) {
      logs.query.info({ conn: this.id, peer: this.peer, seq: header.seq, biz: header.biz, serial: header.serial, operator: header.operator, sent: header.time });
    }
    logs.ans.info({ conn: this.id, seq: header.seq, biz: header.biz, result: code, ms: 0 });
    this.metrics.request(header.biz, code, 0);
    this.counters.shuttingDown++;
    const buf = this.errorAnswer(header, new GatewayError('SHUTTING_DOWN'));
    this.queue.push({ buf, closeAfter: false });
  }

  /** An answer the connection makes itself, in the interface's framing. */
  private errorAnswer(header: Header, err: GatewayError): Buffer {
    if (this.deps.text) return this.deps.text.errorAnswer(header, err);
    return encodeErrorResponse(header, err, formatDateTimeMs(this.deps.clock.now()));
  }

  private onFrameError(err: unknown): void {
    const header = err instanceof FrameError ? err.header : undefined;
    this.answerErrorAndClose(err, header, 'bad frame');
  }

  /** Queue an error answer (when there is a header to address it to) and close after it. */
  private answerErrorAndClose(err: unknown, header: Header | undefined, what: string): void {
    const ge = err instanceof GatewayError ? err : new GatewayError('MALFORMED_HEADER');
    this.metrics.refused[what === 'bad header' ? 'bad_header' : 'bad_frame'].value++;
    // Only the header fields are logged: a body may hold a password.
    this.deps.logs.err.warn(
      { conn: this.id, peer: this.peer, code: ge.code, seq: header?.seq, biz: header?.biz, reason: ge.message },
      what,
    );
    this.stopReading = true;
    this.errorQueued = true;
    this.clearFrameTimer();
    this.socket.pause();
    if (header) {
      const buf = this.errorAnswer(header, ge);
      this.queue.push({ buf, closeAfter: true });
      this.flush();
    } else if (this.queue.length === 0) {
      this.close(what);
    } else {
      this.queue.push({ buf: Buffer.alloc(0), closeAfter: true });
      this.flush();
    }
  }

  /**
   * A dispatched request's answer is ready. Alone in the queue (one request at a time): written
   * now. Behind or ahead of others (pipelining): written once this turn of the event loop is over
   * (setImmediate, after every answer that resolved in it), so the answers of one read leave in
   * one writev instead of one write each (issue 17: a system call per answer was the pipelined
   * path's largest cost, and a shadow's candidate's). The order and backpressure are flush's.
   */
  private answerReady(): void {
    if (this.queue.length <= 1) this.flush();
    else if (!this.flushPending) {
      this.flushPending = true;
      setImmediate(this.flushLater);
    }
  }

  private readonly flushLater = (): void => {
    this.flushPending = false;
    this.flush();
  };

  /** Write every answer at the head of the queue that is ready, in request order. */
  private flush(): void {
    if (this.closed) return;
    const q = this.queue;
    if (q.length === 0 || q[0].buf === undefined) return;
    const s = this.socket;
    // One answer ready (the usual case one request at a time): written straight, without
    // cork/uncork (uncork sends even a single buffered write through the writev path). Several
    // ready (pipelining): corked, so they leave in one writev.
    const batch = q.length > 1 && q[1].buf !== undefined;
    if (batch) s.cork();
    let ok = true;
    let closeAfter = false;
    while (q.length > 0 && q[0].buf !== undefined) {
      const slot = q.shift()!;
      if (slot.buf!.length > 0) {
        ok = s.write(slot.buf!);
        this.counters.answers++;
      }
      if (slot.closeAfter) {
        closeAfter = true;
        break;
      }
    }
    if (batch) s.uncork();
    if (closeAfter) {
      this.endGracefully();
      return;
    }
    if (!ok) {
      this.writeBlocked = true;
      this.drainTimer ??= setTimeout(() => {
        this.metrics.refused.drain_timeout.value++;
        this.deps.logs.err.warn({ conn: this.id, peer: this.peer }, `client did not read its answers within ${this.iface.drainTimeoutMs} ms`);
        this.close('drain timeout');
      }, this.iface.drainTimeoutMs);
    }
    this.drainBacklog();
    if (this.pipelineFull && this.backlog.length === 0 && q.length < this.iface.maxPipeline) this.pipelineFull = false;
    this.updateReading();
    if (this.stopReading && q.length === 0 && this.backlog.length === 0 && this.pendingFrameError === undefined) this.endGracefully();
  }

  private onDrain(): void {
    this.writeBlocked = false;
    if (this.drainTimer) clearTimeout(this.drainTimer);
    this.drainTimer = undefined;
    this.updateReading();
  }

  private updateReading(): void {
    // Once ending, the socket keeps reading (and dropping) so the peer's FIN is seen.
    if (this.closed || this.lingerTimer) return;
    if (this.stopReading || this.writeBlocked || this.pipelineFull) {
      this.socket.pause();
      // The slowloris clock runs only while we read: a frame we stopped reading is not late.
      this.clearFrameTimer();
    } else {
      this.socket.resume();
      // Reading again: a partial frame gets a fresh frame_timeout from now.
      this.armFrameTimer(false);
    }
  }

  /** Slowloris guard: a started frame must complete within frame_timeout of its first byte. */
  private armFrameTimer(frameCompleted: boolean): void {
    if (this.decoder.pending === 0 || this.stopReading || this.writeBlocked || this.pipelineFull) {
      this.clearFrameTimer();
      return;
    }
    if (frameCompleted) this.clearFrameTimer();
    this.frameTimer ??= setTimeout(() => {
      this.metrics.refused.frame_timeout.value++;
      this.deps.logs.err.warn(
        { conn: this.id, peer: this.peer, pending: this.decoder.pending },
        `frame not completed within ${this.iface.frameTimeoutMs} ms`,
      );
      this.close('frame timeout');
    }, this.iface.frameTimeoutMs);
  }

  private clearFrameTimer(): void {
    if (this.frameTimer) clearTimeout(this.frameTimer);
    this.frameTimer = undefined;
  }

  private onIdle(): void {
    // Only a connection with nothing in flight and no frame started is idle; a slow handler is not.
    if (this.queue.length > 0 || this.decoder.pending > 0) return;
    this.metrics.refused.idle_timeout.value++;
    this.deps.logs.err.info({ conn: this.id, peer: this.peer }, `idle for ${this.iface.idleTimeoutMs} ms`);
    this.close('idle');
  }

  /** The peer half-closed: answer what it sent, then close. A partial frame is dropped. */
  private onPeerEnd(): void {
    this.stopReading = true;
    this.clearFrameTimer();
    if (this.queue.length === 0) this.endGracefully();
  }

  /** Graceful shutdown: stop reading, answer everything already received, then close. */
  shutdown(): Promise<void> {
    if (this.closed) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.closeWaiters.push(resolve));
    // Already ending (reading and dropping until the peer's FIN): nothing more to do.
    if (this.lingerTimer) return done;
    this.stopReading = true;
    this.stopping = true;
    this.clearFrameTimer();
    this.socket.pause();
    // Frames read but not dispatched: 9004, behind the answers in flight. A framing error held
    // behind them is still answered after them (drainBacklog's rule).
    while (this.backlog.length > 0 && !this.errorQueued) this.onFrame(this.backlog.shift()!);
    this.backlog.length = 0;
    if (this.pendingFrameError !== undefined && !this.errorQueued) {
      const err = this.pendingFrameError;
      this.pendingFrameError = undefined;
      this.onFrameError(err);
    }
    this.pendingFrameError = undefined;
    if (this.queue.length === 0) this.endGracefully();
    else this.flush();
    return done;
  }

  /** Half-close after the last answer; destroy if the peer does not finish closing in time. */
  private endGracefully(): void {
    if (this.closed || this.lingerTimer) return;
    this.socket.end();
    // Keep reading (onData drops it: stopReading) so the peer's FIN is seen and close completes.
    this.stopReading = true;
    this.socket.resume();
    // The peer has this long to finish closing; answers still in our write buffer get the whole
    // drain_timeout to reach a slow reader before the socket is destroyed.
    const linger = this.socket.writableLength > 0 ? this.iface.drainTimeoutMs : Math.min(this.iface.drainTimeoutMs, 5000);
    this.lingerTimer = setTimeout(() => this.close('linger'), linger);
  }

  /** Idempotent: timers cleared, socket destroyed, the listener told once. */
  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.clearFrameTimer();
    if (this.drainTimer) clearTimeout(this.drainTimer);
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.socket.destroy();
    const unanswered = this.queue.length + this.backlog.length;
    if (unanswered > 0) {
      this.deps.logs.err.warn({ conn: this.id, peer: this.peer, unanswered, frames: this.counters.frames, answers: this.counters.answers, reason }, 'closed with requests unanswered');
    }
    if (this.counters.shuttingDown > 0) {
      // One line per connection, not one per refused frame (each has its ans line already).
      const c = this.counters;
      this.deps.logs.err.warn({ conn: this.id, peer: this.peer, code: RETURN_CODES.SHUTTING_DOWN.code, shuttingDown: c.shuttingDown, frames: c.frames, answers: c.answers }, `stopping: ${c.shuttingDown} requests read but not started answered 9004`);
    }
    this.queue.length = 0;
    this.backlog.length = 0;
    this.deps.onClose(this);
    for (const w of this.closeWaiters.splice(0)) w();
  }
}
