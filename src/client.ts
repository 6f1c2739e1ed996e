// The typed client: one TCP connection, pipelined calls, a timeout per call, replies decoded with
// the same layout table the server uses (handlers/contracts/: layouts only, no handler code, no
// store; importing this module loads no database driver and no metrics). The CLI (`bssgate call`),
// the tests and the benchmarks use it; it reads replies with protocol/reply-reader.ts, on the
// production frame decoder (ioredis's rule: the mock speaks real protocol).
import net from 'node:net';
import type { Header } from '../protocol/header.js';
import { ReplyReader } from '../protocol/reply-reader.js';
import { decodeResponse, encodeRequest } from '../protocol/message.js';
import type { BodyRecord, Layout } from '../protocol/layout-types.js';
import { LAYOUTS_BY_CODE } from '../handlers/contracts/index.js';
import { businessByName } from '../protocol/business-types.js';
import { formatDateTime } from './time.js';

export interface Reply<B extends BodyRecord = BodyRecord> {
  header: Header;
  result: number;
  message: string;
  /** Present when result is 0 and the business type has a response layout. */
  body?: B;
}

export interface CallOptions {
  /** Client transaction serial (流水号), ≤ 20 ASCII; default a fresh unique one. */
  serial?: string;
  /** Operator / terminal id, ≤ 10 ASCII. */
  operator?: string;
  /** Per-call timeout, ms (default: the client's). */
  timeoutMs?: number;
  /** Override layouts (for business types the table does not know yet, or tests of raw layouts). */
  layouts?: { request: Layout; response: Layout };
}

export interface ClientOptions {
  host?: string;
  port: number;
  /** Local address to connect from (e.g. 127.0.0.2: another client host on loopback). */
  localAddress?: string;
  /** Connect timeout and default per-call timeout, ms (default 10000). */
  timeoutMs?: number;
  operator?: string;
  /** Largest answer accepted, bytes (default 16 MiB). */
  maxFrame?: number;
}

interface Pending {
  response: Layout | undefined;
  resolve(r: Reply): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

export class ClientError extends Error {
  constructor(message: string, readonly code: 'TIMEOUT' | 'CLOSED' | 'PROTOCOL' | 'CONNECT') {
    super(message);
    this.name = 'ClientError';
  }
}

let serialCounter = 0;
/** A serial unique enough for tests and the CLI: time + pid + counter, 20 chars. */
export function makeSerial(): string {
  serialCounter = (serialCounter + 1) % 1_000_000;
  return (Date.now().toString(36) + process.pid.toString(36) + serialCounter.toString(36)).slice(-20).padStart(20, '0');
}

/** A connected TCP socket to `host:port` (both clients' connect): a clear ClientError on refusal or timeout. */
export function connectSocket(opts: { host?: string; port: number; localAddress?: string; timeoutMs?: number }): Promise<net.Socket> {
  const host = opts.host ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port: opts.port, ...(opts.localAddress ? { localAddress: opts.localAddress } : {}) });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new ClientError(`connect to ${host}:${opts.port} timed out`, 'CONNECT'));
    }, opts.timeoutMs ?? 10_000);
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(new ClientError(`cannot connect to ${host}:${opts.port}: ${err.message}`, 'CONNECT'));
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
  });
}

export class BssClient {
  private readonly socket: net.Socket;
  private readonly reader: ReplyReader;
  private readonly pending = new Map<number, Pending>();
  private closedError: Error | undefined;
  readonly timeoutMs: number;
  readonly operator: string;

  private constructor(socket: net.Socket, opts: ClientOptions) {
    this.socket = socket;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.operator = opts.operator ?? 'bssgate';
    this.reader = new ReplyReader(opts.maxFrame ?? 16 * 1024 * 1024);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.fail(new ClientError(`connection error: ${err.message}`, 'CLOSED')));
    socket.on('close', () => this.fail(new ClientError('connection closed by the server', 'CLOSED')));
  }

  static async connect(opts: ClientOptions): Promise<BssClient> {
    return new BssClient(await connectSocket(opts), opts);
  }

  /** Send one request; resolves with its reply (whatever the result code), rejects on timeout or close. */
  call<B extends BodyRecord = BodyRecord>(business: number | string, body: BodyRecord = {}, opts: CallOptions = {}): Promise<Reply<B>> {
    if (this.closedError) return Promise.reject(this.closedError);
    const biz = typeof business === 'number' ? business : businessByName(business)?.code;
    if (biz === undefined) return Promise.reject(new ClientError(`unknown business type "${business}"`, 'PROTOCOL'));
    const layouts = opts.layouts ?? LAYOUTS_BY_CODE.get(biz);
    const seq = this.reader.nextSeq();
    let frame: Buffer;
    try {
      frame = encodeRequest(
        { biz, seq, serial: opts.serial ?? makeSerial(), time: formatDateTime(new Date()), operator: opts.operator ?? this.operator },
        layouts?.request ?? [],
        body,
      );
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise<Reply<B>>((resolve, reject) => {
      const ms = opts.timeoutMs ?? this.timeoutMs;
      const timer = setTimeout(() => {
        this.pending.delete(seq);
        reject(new ClientError(`no answer to seq ${seq} (biz ${biz}) within ${ms} ms`, 'TIMEOUT'));
      }, ms);
      this.pending.set(seq, { response: layouts?.response, resolve: resolve as (r: Reply) => void, reject, timer });
      this.socket.write(frame);
    });
  }

  /** Write raw bytes (tests of malformed input). */
  writeRaw(buf: Buffer): void {
    this.socket.write(buf);
  }

  private onData(chunk: Buffer): void {
    const bad = this.reader.push(chunk, (header, frame) => this.onReply(header, frame));
    if (bad) {
      this.fail(new ClientError(`bad ${bad.what} from server: ${bad.message}`, 'PROTOCOL'));
      this.socket.destroy();
    }
  }

  private onReply(header: Header, frame: Buffer): void {
    const p = this.pending.get(header.seq);
    if (!p) {
      // seq 0 is the server speaking unasked (e.g. 9003 too many connections): fail everything.
      if (header.seq === 0 && header.result !== 0) {
        let message = '';
        try {
          message = decodeResponse(frame).message;
        } catch {
          // A malformed unsolicited frame must not throw out of the socket's data handler.
          message = '(undecodable message)';
        }
        this.fail(new ClientError(`server refused: ${header.result} ${message}`, 'CLOSED'));
      }
      return;
    }
    this.pending.delete(header.seq);
    clearTimeout(p.timer);
    try {
      const r = decodeResponse(frame, p.response);
      p.resolve({ header: r.header, result: r.header.result, message: r.message, body: r.body });
    } catch (err) {
      p.reject(new ClientError(`cannot decode answer to seq ${header.seq}: ${(err as Error).message}`, 'PROTOCOL'));
    }
  }

  private fail(err: Error): void {
    this.closedError ??= err;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
  }

  /** Close after the replies in flight (or right away with force). */
  close(force = false): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) return resolve();
      this.socket.once('close', () => resolve());
      if (force) this.socket.destroy();
      else this.socket.end();
    });
  }
}

