// The dispatcher: is this business type served on this interface? → its handler. Every error a
// request can meet becomes a return code here, in one place: GatewayError keeps its code, a
// handler's own bug becomes 9999 (INTERNAL_ERROR), a handler slower than request_timeout 9002.
// It never touches a socket or the frame decoder: it takes one whole frame and returns the bytes
// of its answer, so a handler's exception cannot corrupt the connection's decoder state.
import type { Logger } from 'pino';
import type { Header } from '../protocol/header.js';
import { decodeRequestBody, encodeErrorResponse, encodeResponse } from '../protocol/message.js';
import { redact } from '../protocol/layout.js';
import { GatewayError, RETURN_CODES } from '../protocol/return-codes.js';
import type { BodyRecord } from '../protocol/layout-types.js';
import { ConfigError, type InterfaceConfig } from './config/types.js';
import { businessByCode, type BusinessRow } from '../protocol/business-types.js';
import type { InterfaceLogs } from './log/index.js';
import type { Queryable, Store } from './store/types.js';
import { OPERATOR_NONE, type Clock, type HandlerContext, type HandlerModule, type WriteContext } from './types.js';
import { formatDateTimeMs } from './time.js';

export interface DispatchDeps {
  iface: InterfaceConfig;
  // HandlerModule<any, any>: see handlers/index.ts; bodies are validated against the layout first.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  handlers: readonly HandlerModule<any, any>[];
  store: Store;
  clock: Clock;
  logs: InterfaceLogs;
}

/** What the connection needs to know about one request, for logs. */
export interface RequestOrigin {
  conn: number;
  peer: string;
}

interface InFlight {
  deadline: number;
  reject(err: unknown): void;
}

export class Dispatcher {
  readonly iface: InterfaceConfig;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private readonly known = new Map<number, HandlerModule<any, any>>();
  private readonly served = new Set<number>();
  private readonly rows = new Map<number, BusinessRow>();
  private readonly deps: DispatchDeps;
  private readonly inFlight = new Set<InFlight>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(deps: DispatchDeps) {
    this.deps = deps;
    this.iface = deps.iface;
    for (const h of deps.handlers) {
      if (this.known.has(h.biz)) throw new Error(`business type ${h.biz} registered twice (${h.name})`);
      this.known.set(h.biz, h);
      // Test-only handlers (codes outside the table) get a row of their own identity.
      this.rows.set(h.biz, businessByCode(h.biz) ?? (Object.freeze({ key: h.name, code: h.biz, ids: h.ids, name: h.name, title: h.name, interfaces: h.interfaces }) as unknown as BusinessRow));
    }
    if (deps.iface.serves) {
      for (const code of deps.iface.serves) {
        // The loader checks that a code is in the business-type table; here, that it is implemented.
        if (!this.known.has(code)) {
          const row = businessByCode(code);
          const implemented = deps.handlers.map((h) => `${h.biz} (${h.name})`).join(', ');
          throw new ConfigError(
            deps.iface.file ?? '(configuration)',
            `interface.${deps.iface.name}`,
            'serves',
            `business type ${code}${row ? ` (${row.name}, ${row.ids.join(', ')})` : ''} is not implemented in this version; implemented: ${implemented}`,
          );
        }
        this.served.add(code);
      }
    } else {
      for (const h of deps.handlers) if (h.interfaces.includes(deps.iface.kind)) this.served.add(h.biz);
    }
  }

  /** Business types this interface answers. */
  servedCodes(): number[] {
    return [...this.served].sort((a, b) => a - b);
  }

  /**
   * Answer one request whose header has been decoded. Never rejects: the result is always the
   * bytes of a response frame carrying the request's seq.
   */
  async dispatch(header: Header, frame: Buffer, origin: RequestOrigin): Promise<Buffer> {
    const { logs, clock } = this.deps;
    const started = performance.now();
    const handler = this.known.get(header.biz);
    let result = 0;
    let message: string = RETURN_CODES.OK.message;
    let reply: BodyRecord | undefined;
    try {
      if (!handler) {
        this.logQuery(header, origin, undefined);
        // In the business-type table but not implemented in this version: not served (1004);
        // not in the table at all: unknown (1003). protocol/SPEC.md section 8.
        const row = businessByCode(header.biz);
        if (row) throw new GatewayError('BUSINESS_NOT_SERVED', `${header.biz} (${row.ids.join(', ')}) is not implemented in this version`);
        throw new GatewayError('UNKNOWN_BUSINESS', String(header.biz));
      }
      if (!this.served.has(header.biz)) {
        this.logQuery(header, origin, undefined);
        throw new GatewayError('BUSINESS_NOT_SERVED', `${header.biz} on ${this.iface.name}`);
      }
      let req: BodyRecord | undefined;
      try {
        req = decodeRequestBody(frame, handler.request);
      } finally {
        // Logged whether or not the body decodes; the body only when it did, secrets redacted.
        this.logQuery(header, origin, req === undefined ? undefined : redact(handler.request, req));
      }
      reply = await this.runHandler(handler, req, header, origin);
    } catch (err) {
      if (err instanceof GatewayError) {
        result = err.code;
        message = err.wireMessage;
        if (err.code >= 9000) logs.err.error({ conn: origin.conn, seq: header.seq, biz: header.biz, code: err.code, err }, err.message);
      } else {
        result = RETURN_CODES.INTERNAL_ERROR.code;
        message = RETURN_CODES.INTERNAL_ERROR.message;
        logs.err.error({ conn: origin.conn, seq: header.seq, biz: header.biz, err }, 'handler threw');
      }
    }
    let out: Buffer;
    try {
      out = encodeResponse(header, result, message, handler?.response, reply, formatDateTimeMs(clock.now()));
    } catch (err) {
      // A handler returned a value its own layout cannot carry: that is our bug, not the client's.
      logs.err.error({ conn: origin.conn, seq: header.seq, biz: header.biz, err }, 'reply does not fit its layout');
      result = RETURN_CODES.INTERNAL_ERROR.code;
      out = encodeErrorResponse(header, new GatewayError('INTERNAL_ERROR'), formatDateTimeMs(clock.now()));
    }
    logs.ans.info({
      conn: origin.conn,
      seq: header.seq,
      biz: header.biz,
      result,
      ms: Math.round((performance.now() - started) * 1000) / 1000,
    });
    return out;
  }

  /** One query.MMDD line per request read (nothing is built when request logs are off). */
  private logQuery(header: Header, origin: RequestOrigin, body: BodyRecord | undefined): void {
    const log = this.deps.logs.query;
    if (!log.isLevelEnabled('info')) return;
    log.info({
      conn: origin.conn,
      peer: origin.peer,
      seq: header.seq,
      biz: header.biz,
      serial: header.serial,
      operator: header.operator,
      // The header's send time; `time` itself is the log line's own timestamp.
      sent: header.time,
      body,
    });
  }

  private runHandler(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    handler: HandlerModule<any, any>,
    req: BodyRecord,
    header: Header,
    origin: RequestOrigin,
  ): Promise<BodyRecord> {
    const { store, clock, logs } = this.deps;
    const iface = this.iface;
    let log: Logger | undefined;
    const ctx: HandlerContext = {
      store,
      clock,
      get log() {
        // A child per request only when a handler actually logs.
        return (log ??= logs.warn.child({ conn: origin.conn, seq: header.seq, biz: header.biz }));
      },
      business: this.rows.get(handler.biz)!,
      iface: iface.name,
      ifaceKind: iface.kind,
      operator: header.operator.trim() || OPERATOR_NONE,
      serial: header.serial,
      seq: header.seq,
      time: header.time,
    };
    if (handler.write) return this.runWrite(handler, req, ctx);
    const work = handler.handle(req, ctx);
    const ms = iface.requestTimeoutMs;
    if (!(ms > 0)) return work;
    // One sweeper per dispatcher instead of a timer per request (a timer costs ~1.5 µs of a
    // ~10 µs CS-01 round trip); a timed-out request is answered 9002 within 1/8 of the limit.
    return new Promise<BodyRecord>((resolve, reject) => {
      const rec: InFlight = { deadline: performance.now() + ms, reject };
      this.inFlight.add(rec);
      this.startSweeper(ms);
      work.then(
        (v) => {
          this.inFlight.delete(rec);
          resolve(v);
        },
        (e: unknown) => {
          this.inFlight.delete(rec);
          reject(e);
        },
      );
    });
  }

  /**
   * A write function as one unit of work of the group commit: its reply (or its keepWrites
   * refusal) is returned only after the unit's batch committed durably. No 9002 here: a 9xxx
   * promises nothing was done, and a started unit may still commit, so the answer waits for
   * the real outcome.
   */
  private async runWrite(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    handler: HandlerModule<any, any>,
    req: BodyRecord,
    ctx: HandlerContext,
  ): Promise<BodyRecord> {
    const { store } = this.deps;
    const outcome = await store.unitOfWork(async (tx) => {
      const wctx: WriteContext = { ...ctx, tx, store: unitView(store, tx) };
      try {
        return { reply: (await handler.handle(req, wctx)) as BodyRecord };
      } catch (err) {
        // Refused, but what it wrote stays (see GatewayError.keepWrites): commit, then answer.
        if (err instanceof GatewayError && err.keepWrites) return { refused: err };
        throw err;
      }
    });
    if ('refused' in outcome) throw outcome.refused;
    return outcome.reply;
  }

  private startSweeper(ms: number): void {
    if (this.sweeper) return;
    const every = Math.max(10, Math.min(1000, Math.floor(ms / 8)));
    this.sweeper = setInterval(() => {
      const now = performance.now();
      for (const rec of this.inFlight) {
        if (now >= rec.deadline) {
          // The late result of a timed-out handler is dropped (work.then above finds it gone).
          this.inFlight.delete(rec);
          rec.reject(new GatewayError('TIMEOUT', `${ms} ms`));
        }
      }
    }, every);
    this.sweeper.unref();
  }

  /** Stop the timeout sweeper (the gateway calls this when it stops). */
  close(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }
}

/**
 * The store as a write function sees it: every read and write goes into its unit of work, so the
 * kit's lookups (written against ctx.store) read the unit's own uncommitted rows. Opening another
 * transaction from inside a unit would wait for the writer it holds itself: refused.
 */
function unitView(store: Store, tx: Queryable): Store {
  const refuse = (what: string) => () => Promise.reject(new Error(`${what} inside a write function's unit of work: use ctx.tx`));
  return {
    dialect: store.dialect,
    all: (q, b) => tx.all(q, b),
    one: (q, b) => tx.one(q, b),
    run: (q, b) => tx.run(q, b),
    ping: () => store.ping(),
    tableExists: (t) => store.tableExists(t),
    transaction: refuse('transaction()'),
    unitOfWork: refuse('unitOfWork()'),
    close: refuse('close()'),
  } as Store;
}
