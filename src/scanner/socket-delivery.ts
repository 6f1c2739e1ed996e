// OC-02, the socket interface of the legacy online-command module (C-network commands and the
// Golmud switch): one persistent TCP connection per switch, a line protocol in GBK text.
// Exact protocol: docs/switch-interfaces.md. In short (→ bssgate to switch, ← switch to bssgate),
// every line ended by LF (a CR before it is ignored), fields separated by one space:
//
//   → LOGIN <user> <password>            password = rest of the line
//   ← LOGIN <code> <text>                0 logged in; 301 wrong user or password (then closed)
//   → PING <n>          ← PONG <n>       keep-alive, every keepaliveMs
//   → CMD <busisn> <attempt> <count>     followed by <count> command lines
//   ← ACK <busisn> <attempt> <code> <text>  SWITCH_ANSWERS codes (file-delivery.ts), matched by busisn
//                                        AND attempt (the CMD's, echoed): a late ACK of a timed-out
//                                        attempt never answers the next attempt of that busisn
//   ← ERR <code> <text>                  protocol error (303 not logged in, 304 malformed); then closed
//   → LOGOUT                             then closed
//
// Several CMDs may be in flight on one connection; ACKs come in any order. No ACK within
// ackTimeoutMs, or the connection lost first → 'retry' (the re-send carries the same busisn and a
// higher attempt, so the switch recognises it). Reconnects use p-retry's exponential backoff.
import net from 'node:net';
import pRetry from 'p-retry';
import type { Logger } from 'pino';
import { gbkEncodeStrict } from '../../protocol/gbk.js';
import { allowManyListeners, answerOutcome, encodeCommandLines, lenientGbk, MAX_LINE_BYTES } from './file-delivery.js';
import type { Delivery, DeliveryOutcome, SocketDeliveryOptions, SwitchCommand } from './types.js';

// ---------------------------------------------------------------------------------------------
// The protocol: codes, encoders, parsers. Shared with the simulator (src/sim/switch.ts).

/** Codes of LOGIN answers and ERR lines (the command answers are SWITCH_ANSWERS). */
export const SOCKET_CODES = {
  LOGGED_IN: { code: 0, zh: '登录成功', en: 'logged in' },
  LOGIN_REFUSED: { code: 301, zh: '用户名或密码错误', en: 'wrong user or password; the switch closes the connection' },
  TOO_MANY_SESSIONS: { code: 302, zh: '连接数已满', en: 'too many sessions; the switch closes the connection' },
  NOT_LOGGED_IN: { code: 303, zh: '未登录', en: 'a line other than LOGIN before the login; the switch closes the connection' },
  MALFORMED: { code: 304, zh: '报文格式错误', en: 'a line the switch cannot parse; the switch closes the connection' },
} as const;

/** Longest line either side accepts (a command line plus its framing); longer → the connection is closed. */
export const MAX_PROTOCOL_LINE = MAX_LINE_BYTES + 64;
const LF = 0x0a;

export class LineTooLongError extends Error {
  constructor(n: number) {
    super(`line longer than ${MAX_PROTOCOL_LINE} bytes (${n} buffered without LF)`);
    this.name = 'LineTooLongError';
  }
}

/** Splits a byte stream into LF-ended lines (without the LF and a CR before it). Keeps partial lines. */
export class LineSplitter {
  private rest: Buffer | undefined;

  push(chunk: Buffer): Buffer[] {
    const buf = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    const out: Buffer[] = [];
    let start = 0;
    for (;;) {
      const lf = buf.indexOf(LF, start);
      if (lf < 0) break;
      const end = lf > start && buf[lf - 1] === 0x0d ? lf - 1 : lf;
      out.push(buf.subarray(start, end));
      start = lf + 1;
    }
    this.rest = start < buf.length ? buf.subarray(start) : undefined;
    if (this.rest && this.rest.length > MAX_PROTOCOL_LINE) throw new LineTooLongError(this.rest.length);
    return out;
  }
}

function line(text: string): Buffer {
  const b = gbkEncodeStrict(text) ?? Buffer.from(text.replace(/[^\x20-\x7e]/g, '?'), 'latin1');
  return Buffer.concat([b, Buffer.from('\n')]);
}

/** Answer texts are one line: a line break in them would end the frame. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}

export const encodeLogin = (user: string, password: string): Buffer => line(`LOGIN ${user} ${password}`);
export const encodePing = (n: number): Buffer => line(`PING ${n}`);
export const encodeLogout = (): Buffer => line('LOGOUT');
/** CMD header and the command lines (already GBK, checked by encodeCommandLines). */
export function encodeCmd(busisn: bigint, attempt: number, lines: readonly Buffer[]): Buffer {
  const lf = Buffer.from('\n');
  return Buffer.concat([line(`CMD ${busisn} ${attempt} ${lines.length}`), ...lines.flatMap((l) => [l, lf])]);
}
export const encodeLoginAnswer = (code: number, text: string): Buffer => line(`LOGIN ${code} ${oneLine(text)}`);
export const encodePong = (n: string): Buffer => line(`PONG ${n}`);
/** The answer to `CMD <busisn> <attempt> …`: echoes both, so an answer is matched to the very attempt it answers. */
export const encodeAck = (busisn: bigint, attempt: number, code: number, text: string): Buffer => line(`ACK ${busisn} ${attempt} ${code} ${oneLine(text)}`);
export const encodeErr = (code: number, text: string): Buffer => line(`ERR ${code} ${oneLine(text)}`);

export type ClientLine =
  | { verb: 'LOGIN'; user: string; password: string }
  | { verb: 'PING'; token: string }
  | { verb: 'CMD'; busisn: bigint; attempt: number; count: number }
  | { verb: 'LOGOUT' };

export type SwitchLine =
  | { verb: 'LOGIN'; code: number; text: string }
  | { verb: 'PONG'; token: string }
  | { verb: 'ACK'; busisn: bigint; attempt: number; code: number; text: string }
  | { verb: 'ERR'; code: number; text: string };

/** A line sent by bssgate (parsed by the switch). The command lines after CMD are not parsed. */
export function parseClientLine(l: string): ClientLine | { error: string } {
  let m: RegExpExecArray | null;
  if ((m = /^LOGIN (\S+) (.*)$/.exec(l))) return { verb: 'LOGIN', user: m[1], password: m[2] };
  if ((m = /^PING (\S{1,20})$/.exec(l))) return { verb: 'PING', token: m[1] };
  if ((m = /^CMD (\d{1,19}) (\d{1,6}) (\d{1,3})$/.exec(l))) {
    const count = Number(m[3]);
    if (count < 1 || count > 64) return { error: `CMD with ${count} lines (1–64)` };
    return { verb: 'CMD', busisn: BigInt(m[1]), attempt: Number(m[2]), count };
  }
  if (l === 'LOGOUT') return { verb: 'LOGOUT' };
  return { error: `unknown line ${JSON.stringify(l.slice(0, 40))}` };
}

/** A line sent by the switch. */
export function parseSwitchLine(l: string): SwitchLine | { error: string } {
  let m: RegExpExecArray | null;
  if ((m = /^ACK (\d{1,19}) (\d{1,6}) (\d{1,4})(?: (.*))?$/.exec(l))) {
    return { verb: 'ACK', busisn: BigInt(m[1]), attempt: Number(m[2]), code: Number(m[3]), text: (m[4] ?? '').trim() };
  }
  if ((m = /^PONG (\S{1,20})$/.exec(l))) return { verb: 'PONG', token: m[1] };
  if ((m = /^LOGIN (\d{1,4})(?: (.*))?$/.exec(l))) return { verb: 'LOGIN', code: Number(m[1]), text: (m[2] ?? '').trim() };
  if ((m = /^ERR (\d{1,4})(?: (.*))?$/.exec(l))) return { verb: 'ERR', code: Number(m[1]), text: (m[2] ?? '').trim() };
  return { error: `unknown line ${JSON.stringify(l.slice(0, 40))}` };
}

// ---------------------------------------------------------------------------------------------
// The delivery.

interface InFlight {
  busisn: bigint;
  attempt: number;
  resolve(o: DeliveryOutcome): void;
}

/** One logged-in connection. */
interface Session {
  socket: net.Socket;
  /** Resolves when the connection is gone (for any reason), with the reason. */
  ended: Promise<string>;
}

type State = 'connecting' | 'ready' | 'closed';

export class SocketDelivery implements Delivery {
  readonly switchName: string;
  private readonly opts: SocketDeliveryOptions;
  private readonly log: Logger;
  private state: State = 'connecting';
  private session: Session | undefined;
  private readonly inflight = new Map<string, InFlight>();
  private readonly stop = new AbortController();
  private readonly readyWaiters = new Set<() => void>();
  private lastError = 'not connected yet';
  /** The socket of a connect or login in progress (close() must not wait for its login timeout). */
  private connecting: net.Socket | undefined;
  private readonly loop: Promise<void>;
  /** Logins that succeeded (diagnostics and tests). */
  logins = 0;

  constructor(opts: SocketDeliveryOptions) {
    const where = `switch ${opts.switchName}`;
    if (!/^\S{1,64}$/.test(opts.user)) throw new Error(`${where}: user must be 1–64 characters without spaces`);
    if (/[\r\n]/.test(opts.password) || opts.password === '') throw new Error(`${where}: password must be one non-empty line`);
    for (const k of ['keepaliveMs', 'ackTimeoutMs', 'reconnectMinMs', 'reconnectMaxMs'] as const) {
      if (!(opts[k] > 0)) throw new Error(`${where}: ${k} must be > 0`);
    }
    if (opts.reconnectMaxMs < opts.reconnectMinMs) throw new Error(`${where}: reconnectMaxMs must be ≥ reconnectMinMs`);
    this.opts = opts;
    this.switchName = opts.switchName;
    // The password is never part of a binding or a message.
    this.log = opts.log.child({ switch: opts.switchName, kind: 'socket', peer: `${opts.host}:${opts.port}` });
    this.loop = this.run();
  }

  ready(): boolean {
    return this.state === 'ready';
  }

  /** Commands sent and not yet answered. */
  inFlight(): number {
    return this.inflight.size;
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return this.loop;
    const s = this.session;
    this.state = 'closed';
    this.stop.abort();
    this.failInFlight(`delivery to switch ${this.switchName} closed`);
    this.connecting?.destroy();
    if (s) {
      s.socket.end(encodeLogout());
      // A switch that does not close its side is not waited for.
      setTimeout(() => s.socket.destroy(), 1000).unref();
    }
    this.wakeReadyWaiters();
    await this.loop;
  }

  async deliver(cmd: SwitchCommand, signal: AbortSignal): Promise<DeliveryOutcome> {
    const lines = encodeCommandLines(cmd.lines);
    if (typeof lines === 'string') return { kind: 'failed', answer: lines };
    if (cmd.busisn < 0n || cmd.busisn > 9_999_999_999_999_999_999n) return { kind: 'failed', answer: `busisn ${cmd.busisn} out of range` };
    const key = String(cmd.busisn);
    if (signal.aborted) return { kind: 'retry', reason: 'aborted before sending' };
    if (this.state === 'closed') return { kind: 'retry', reason: `delivery to switch ${this.switchName} is closed` };
    allowManyListeners(signal);
    if (!this.ready()) {
      await this.waitReady(this.opts.ackTimeoutMs, signal);
      if (!this.ready()) {
        return { kind: 'retry', reason: `switch ${this.switchName} not connected (${this.lastError})` };
      }
    }
    if (this.inflight.has(key)) return { kind: 'retry', reason: `busisn ${key} is already in flight to switch ${this.switchName}` };
    const session = this.session!;
    return new Promise<DeliveryOutcome>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = () => finish({ kind: 'retry', reason: 'aborted while waiting for the acknowledgement (outcome unknown)' });
      const finish = (o: DeliveryOutcome) => {
        if (this.inflight.get(key) !== entry) return;
        this.inflight.delete(key);
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        resolve(o);
      };
      const entry: InFlight = { busisn: cmd.busisn, attempt: cmd.attempt, resolve: finish };
      this.inflight.set(key, entry);
      timer = setTimeout(() => {
        this.log.warn({ busisn: key, attempt: cmd.attempt }, `OC-02: no acknowledgement within ${this.opts.ackTimeoutMs} ms`);
        finish({ kind: 'retry', reason: `no acknowledgement from switch ${this.switchName} within ${this.opts.ackTimeoutMs} ms (outcome unknown)` });
      }, this.opts.ackTimeoutMs);
      signal.addEventListener('abort', onAbort, { once: true });
      session.socket.write(encodeCmd(cmd.busisn, cmd.attempt, lines));
    });
  }

  private waitReady(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((res) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.readyWaiters.delete(done);
        res();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      this.readyWaiters.add(done);
    });
  }

  private wakeReadyWaiters(): void {
    for (const w of [...this.readyWaiters]) w();
  }

  private failInFlight(reason: string): void {
    for (const f of [...this.inflight.values()]) f.resolve({ kind: 'retry', reason });
  }

  /**
   * Connect and log in with p-retry's backoff (reconnectMinMs, doubling, up to reconnectMaxMs,
   * each delay randomized ×1–2 and capped), stay connected until the connection ends, wait
   * reconnectMinMs, and again — until close().
   */
  private async run(): Promise<void> {
    const signal = this.stop.signal;
    while (!signal.aborted) {
      let session: Session;
      try {
        session = await pRetry(() => this.connectOnce(), {
          retries: Infinity,
          factor: 2,
          minTimeout: this.opts.reconnectMinMs,
          maxTimeout: this.opts.reconnectMaxMs,
          randomize: true,
          signal,
          onFailedAttempt: ({ error, attemptNumber }) => {
            this.lastError = error.message;
            if (!signal.aborted) this.log.warn({ attempt: attemptNumber }, `OC-02: switch ${this.switchName}: ${error.message}; reconnecting with backoff`);
          },
        });
      } catch {
        break; // aborted by close()
      }
      if (signal.aborted) {
        session.socket.destroy();
        break;
      }
      this.session = session;
      this.state = 'ready';
      this.logins++;
      this.log.info({ user: this.opts.user }, `OC-02: logged in to switch ${this.switchName}`);
      this.wakeReadyWaiters();
      const reason = await session.ended;
      this.session = undefined;
      if ((this.state as State) === 'ready') this.state = 'connecting';
      this.lastError = reason;
      this.failInFlight(`connection to switch ${this.switchName} lost before the acknowledgement (${reason}; outcome unknown)`);
      if (signal.aborted) break;
      this.log.warn(`OC-02: connection to switch ${this.switchName} lost: ${reason}; reconnecting in ${this.opts.reconnectMinMs} ms`);
      await new Promise<void>((res) => {
        const t = setTimeout(res, this.opts.reconnectMinMs);
        signal.addEventListener('abort', () => (clearTimeout(t), res()), { once: true });
      });
    }
  }

  /** One TCP connection and login; resolves logged in, rejects with the reason. */
  private connectOnce(): Promise<Session> {
    const { host, port, user, password, ackTimeoutMs, keepaliveMs } = this.opts;
    return new Promise<Session>((resolve, reject) => {
      if (this.stop.signal.aborted) return reject(new Error('closed'));
      const socket = net.connect({ host, port });
      this.connecting = socket;
      socket.setNoDelay(true);
      const splitter = new LineSplitter();
      let loggedIn = false;
      let endReason = 'closed by the switch';
      let endSession!: (reason: string) => void;
      const ended = new Promise<string>((res) => (endSession = res));
      let pingSeq = 0;
      // PINGs sent since the switch last sent anything. Two unanswered = dead: one alone may be an
      // event-loop stall on either side, not a lost connection.
      let unanswered = 0;
      let keepalive: NodeJS.Timeout | undefined;

      const loginTimer = setTimeout(() => {
        endReason = `no login answer within ${ackTimeoutMs} ms`;
        socket.destroy();
      }, ackTimeoutMs);

      const fail = (reason: string) => {
        endReason = reason;
        socket.destroy();
      };

      socket.on('connect', () => {
        socket.setKeepAlive(true, keepaliveMs);
        socket.write(encodeLogin(user, password));
      });
      socket.on('data', (chunk: Buffer) => {
        let lines: Buffer[];
        try {
          lines = splitter.push(chunk);
        } catch (err) {
          return fail((err as Error).message);
        }
        unanswered = 0;
        for (const raw of lines) {
          const text = lenientGbk(raw);
          const m = parseSwitchLine(text);
          if ('error' in m) {
            this.log.warn(`OC-02: switch ${this.switchName} sent ${m.error}; ignored`);
            continue;
          }
          if (!loggedIn) {
            if (m.verb === 'LOGIN' && m.code === SOCKET_CODES.LOGGED_IN.code) {
              loggedIn = true;
              clearTimeout(loginTimer);
              keepalive = setInterval(() => {
                if (unanswered >= 2) return fail(`no keep-alive answer within ${2 * keepaliveMs} ms`);
                unanswered++;
                socket.write(encodePing(++pingSeq));
              }, keepaliveMs);
              this.connecting = undefined;
              resolve({ socket, ended });
            } else if (m.verb === 'LOGIN' || m.verb === 'ERR') {
              fail(`login as ${user} refused: ${m.code} ${m.text}`);
            } else {
              this.log.warn(`OC-02: switch ${this.switchName} sent ${m.verb} before the login answer; ignored`);
            }
            continue;
          }
          if (m.verb === 'ACK') {
            const f = this.inflight.get(String(m.busisn));
            if (f && f.attempt === m.attempt) f.resolve(answerOutcome(m.code, m.text));
            else if (f) {
              // The late answer of an earlier attempt of this busisn (timed out, then re-sent): it
              // answers that attempt, not the one in flight, whose own answer is still to come.
              this.log.warn(
                { busisn: String(m.busisn), attempt: m.attempt, inFlightAttempt: f.attempt, code: m.code },
                `OC-02: acknowledgement of attempt ${m.attempt} while attempt ${f.attempt} of busisn ${m.busisn} is in flight; discarded`,
              );
            } else this.log.info({ busisn: String(m.busisn), attempt: m.attempt, code: m.code }, 'OC-02: late acknowledgement (after its timeout); ignored');
          } else if (m.verb === 'ERR') {
            this.log.warn({ code: m.code }, `OC-02: switch ${this.switchName} reports a protocol error: ${m.code} ${m.text}`);
            endReason = `switch reported ${m.code} ${m.text}`;
          } else if (m.verb === 'LOGIN') {
            this.log.warn('OC-02: unexpected LOGIN answer after the login; ignored');
          }
        }
      });
      socket.on('error', (err: NodeJS.ErrnoException) => {
        endReason = `${err.code ?? 'error'}: ${err.message}`;
      });
      socket.on('close', () => {
        if (this.connecting === socket) this.connecting = undefined;
        clearTimeout(loginTimer);
        clearInterval(keepalive);
        if (loggedIn) endSession(endReason);
        else reject(new Error(endReason === 'closed by the switch' ? 'connection closed by the switch before the login answer' : endReason));
      });
    });
  }
}

export function createSocketDelivery(opts: SocketDeliveryOptions): Delivery {
  return new SocketDelivery(opts);
}
