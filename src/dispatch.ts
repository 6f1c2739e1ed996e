// The dispatcher: is this business type served on this interface? → its handler. Every error a
// request can meet becomes a return code here, in one place: GatewayError keeps its code, a
// handler's own bug becomes 9999 (INTERNAL_ERROR), a read-only handler slower than request_timeout
// 9002. A write function (handler.write) is never answered 9002 once started: it runs once per
// idempotency key (src/idempotency.ts, PC-06) as one unit of work, answered after its commit.
// It never touches a socket or the frame decoder: it takes one whole frame and returns the bytes
// of its answer, so a handler's exception cannot corrupt the connection's decoder state.
import type { Logger } from 'pino';
import type { Header } from '../protocol/header.js';
import {
  decodeRequestBody,
  decodeResponse,
  decodeResponseBody,
  encodeErrorResponse,
  encodeResponse,
  prepareResponse,
  readRequest,
  readResponse,
  type PreparedResponse,
  type ReadRequest,
  type ResponseContent,
} from '../protocol/message.js';
import { encodePrepared } from '../protocol/layout.js';
import { hasSecret, redact } from '../protocol/redact.js';
import { SERIAL_RULE, serialProblem } from '../protocol/serial.js';
import { GatewayError, RETURN_CODES, returnCode } from '../protocol/return-codes.js';
import type { BodyRecord, Layout } from '../protocol/layout-types.js';
import { ConfigError, type ClientConfig, type HandlerSettings, type InterfaceConfig } from './config/types.js';
import { businessByCode, type BusinessRow } from '../protocol/business-types.js';
import type { InterfaceLogs } from './log/index.js';
import type { Journaled, Posting, PostingKey } from './log/posting-journal.js';
import { RequestLines } from './log/request-lines.js';
import type { Store } from './store/types.js';
import { unitView } from './store/unit-view.js';
import { KeptRefusal } from './kept-refusal.js';
import type { Clock, HandlerContext, HandlerModule, WriteContext } from './types.js';
import { deriveContext, OPERATOR_NONE } from './context.js';
import { formatDateTimeMs } from './time.js';
import { interfaceMetrics, type InterfaceMetrics } from './metrics.js';
import { ClientIdentities, ledgerFor, peerAddress, replyOf, requestHash, requestHashOf, stampReply, UNCONFIGURED_CLIENT, type Ledger, type WriteOutcome } from './idempotency.js';
import { DEFAULT_IDEMPOTENCY_DAYS } from './config/keys.js';
import { DEFAULT_SETTINGS } from './config/settings.js';
import { NO_TRACES, type TraceEntry, type Traces } from './trace.js';

/** The answer to a text framing profile's request (Dispatcher.answer): the v1 answer's content, read back. */
export interface TextAnswer {
  result: number;
  /** The message as the v1 answer carries it (成功, or the reason). */
  message: string;
  /** The reply's fields, as decodeResponse reads them (lenient): result 0 and a business type with a handler. */
  body?: BodyRecord;
}

/** An answer as a trace records it. */
interface TracedAnswer extends ResponseContent {
  result: number;
  /** The answer's time (YYYYMMDDHHMMSS). */
  time: string;
}

/** A v1 answer read back for a trace (decodeResponse), or why it cannot be. */
function v1Answer(out: Buffer, layout: Layout | undefined): TracedAnswer | Error {
  try {
    const r = decodeResponse(out, layout);
    return { result: r.header.result, message: r.message, time: r.header.time, body: r.body };
  } catch (err) {
    return err as Error;
  }
}

/** A write's stored reply (v1 bytes, as the ledger holds them) read as decodeResponse reads its answer. */
function readStored(w: WriteOutcome, layout: Layout | undefined): ResponseContent | Error {
  try {
    return decodeResponseBody(w.body, w.result, layout);
  } catch (err) {
    return err as Error;
  }
}

/** readResponse, or why the v1 answer could not be read back. */
function readReply(p: PreparedResponse, layout: Layout | undefined, reply: BodyRecord | undefined): ResponseContent | Error {
  try {
    return readResponse(p, layout, reply);
  } catch (err) {
    return err as Error;
  }
}

export interface DispatchDeps {
  iface: InterfaceConfig;
  // HandlerModule<any, any>: see handlers/index.ts; bodies are validated against the layout first.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  handlers: readonly HandlerModule<any, any>[];
  store: Store;
  clock: Clock;
  logs: InterfaceLogs;
  /** What handlers see of the configuration, as ctx.settings (handlerSettings, src/config/settings.ts); absent = the defaults. */
  settings?: HandlerSettings;
  /** PC-06: [client.<id>] identities; none covering this interface = every peer is the client `*`. */
  clients?: readonly ClientConfig[];
  /** [server] idempotency_days (default 7). */
  idempotencyDays?: number;
  /** How often the ledger purge runs, ms (default hourly; 0 = never: tests). */
  purgeEveryMs?: number;
  /** Issue 18: this process's per-number traces (src/trace.ts); absent = none. */
  traces?: Traces;
}

/** What the connection needs to know about one request, for logs. */
export interface RequestOrigin {
  conn: number;
  peer: string;
}

/**
 * A read handler's request in flight under request_timeout: a node of the dispatcher's intrusive
 * list (issue 17: a Set of fresh objects hashed each one; unlinking a node is two assignments).
 * The list is in deadline order, since every request of an interface has the same timeout.
 */
class InFlight {
  prev: InFlight | undefined = undefined;
  next: InFlight | undefined = undefined;
  /** Still linked: neither settled nor timed out. */
  linked = true;
  /** The wrapper's reject: the sweeper answers 9002 through it. */
  reject!: (err: unknown) => void;
  constructor(readonly deadline: number) {}
}

/**
 * The handler context of one request (HandlerContext): a class, so every context has one shape,
 * and `log` a lazy getter on its prototype, not a closure made per request (issue 17: the object
 * literal with a getter was ~1 µs of a CS-01 request in the profiles). deriveContext
 * (src/context.ts) reads through it by prototype, so the write path keeps `log` lazy too.
 */
class RequestContext implements HandlerContext {
  readonly store: Store;
  readonly clock: Clock;
  readonly business: BusinessRow;
  readonly iface: string;
  readonly ifaceKind: HandlerContext['ifaceKind'];
  readonly operator: string;
  readonly serial: string;
  readonly seq: number;
  readonly time: string;
  readonly settings: HandlerSettings;
  client: string | undefined;
  /** What the lazy `log` is made of: not part of HandlerContext. */
  private readonly warn: Logger;
  private readonly conn: number;
  private readonly biz: number;
  private child: Logger | undefined = undefined;

  constructor(iface: InterfaceConfig, deps: DispatchDeps, header: Header, origin: RequestOrigin, business: BusinessRow, settings: HandlerSettings, client: string | undefined) {
    this.store = deps.store;
    this.clock = deps.clock;
    this.business = business;
    this.iface = iface.name;
    this.ifaceKind = iface.kind;
    this.operator = header.operator.trim() || OPERATOR_NONE;
    this.serial = header.serial;
    this.seq = header.seq;
    this.time = header.time;
    this.settings = settings;
    this.client = client;
    this.warn = deps.logs.warn;
    this.conn = origin.conn;
    this.biz = header.biz;
  }

  get log(): Logger {
    // A child per request only when a handler actually logs.
    return (this.child ??= this.warn.child({ conn: this.conn, seq: this.seq, biz: this.biz }));
  }
}

export class Dispatcher {
  readonly iface: InterfaceConfig;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private readonly known = new Map<number, HandlerModule<any, any>>();
  private readonly served = new Set<number>();
  private readonly rows = new Map<number, BusinessRow>();
  private readonly deps: DispatchDeps;
  /** ctx.settings of every request (one object, not copied per request). */
  private readonly settings: HandlerSettings;
  /** OP-04: bssgate_requests_total and bssgate_request_duration_seconds of this interface. */
  private readonly metrics: InterfaceMetrics;
  /** query.MMDD and ans.MMDD lines, templated (src/log/request-lines.ts: pino's generic path cost 2× more). */
  private readonly lines: RequestLines;
  /** Read handlers under request_timeout, oldest first (an intrusive list: see InFlight). */
  private head: InFlight | undefined;
  private tail: InFlight | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  /** PC-06: who a peer is, and the store's one idempotency ledger. */
  private readonly identities: ClientIdentities;
  private readonly ledger: Ledger;
  private ledgerReleased = false;
  /** Per-number traces: the request path reads `traces.count` only (0 = nothing is traced). */
  private readonly traces: Traces;

  constructor(deps: DispatchDeps) {
    this.deps = deps;
    this.traces = deps.traces ?? NO_TRACES;
    this.iface = deps.iface;
    this.settings = deps.settings ?? DEFAULT_SETTINGS;
    this.metrics = interfaceMetrics(deps.iface.name);
    this.lines = new RequestLines(deps.logs);
    this.identities = new ClientIdentities(deps.clients ?? [], deps.iface.name);
    this.ledger = ledgerFor(deps.store);
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
    // Last: a constructor that threw above holds no ledger (its purge timer would outlive it).
    // Only an interface serving write functions purges (a read-only one may run on a store without the ledger).
    const writes = [...this.served].some((code) => this.known.get(code)?.write);
    this.ledger.acquire({ retentionDays: deps.idempotencyDays ?? DEFAULT_IDEMPOTENCY_DAYS, log: deps.logs.warn, clock: deps.clock, purgeEveryMs: writes ? deps.purgeEveryMs : 0 });
  }

  /** The request and response layouts of a business type with a handler (text framing profiles). */
  layouts(biz: number): { request: Layout; response: Layout } | undefined {
    const h = this.known.get(biz);
    return h ? { request: h.request, response: h.response } : undefined;
  }

  /** The client identity of a peer address ("10.1.2.3", no port): its [client.<id>] name, or `*` (PC-06). */
  clientOf(address: string): string {
    return this.identities.identify(address);
  }

  /** Business types this interface answers. */
  servedCodes(): number[] {
    return [...this.served].sort((a, b) => a - b);
  }

  /**
   * Answer one request whose header has been decoded. Never rejects: the result is always the
   * bytes of a response frame carrying the request's seq (empty: a write in doubt at a stop).
   */
  dispatch(header: Header, frame: Buffer, origin: RequestOrigin): Promise<Buffer> {
    return this.run(header, frame, undefined, origin, undefined) as Promise<Buffer>;
  }

  /**
   * Answer one request of a text framing profile (src/server/text-session.ts, issue 19): its body
   * as read from the text (`body`), and the answer as the v1 answer's content (result, message,
   * fields), not its bytes. The same request as `dispatch` — the same checks, logs, metrics,
   * traces, idempotency — and the same answer as its v1 frame would get read back: the body goes
   * through the v1 rules without the bytes (readRequest: the strict encoder's checks and
   * normalisation, then the decoder's), the reply likewise (prepareResponse, readResponse), a
   * write's stored reply is decoded (decodeResponseBody). `bodyError`: the text body could not
   * be read (or its check code failed); it is answered where a v1 body that does not decode
   * would be, after the same checks and with the same log lines. Resolves undefined for a write
   * in doubt at a stop (no answer). Rejects only where decodeResponse would refuse the v1 answer
   * (readResponse), after the answer's log lines; a reply value no reader accepts (a control
   * character) never gets there: the encoder's rules answer it 9999 on both wires.
   */
  answer(header: Header, body: BodyRecord | undefined, origin: RequestOrigin, bodyError?: GatewayError): Promise<TextAnswer | undefined> {
    return this.run(header, undefined, body, origin, bodyError) as Promise<TextAnswer | undefined>;
  }

  /**
   * The one dispatcher of both entry points: `frame` for v1 (the answer is its bytes), else the
   * text profile's `body` (the answer is a TextAnswer). Only reading the body, making the answer
   * and the request hash of a write differ.
   */
  private async run(header: Header, frame: Buffer | undefined, body: BodyRecord | undefined, origin: RequestOrigin, bodyError: GatewayError | undefined): Promise<Buffer | TextAnswer | undefined> {
    const { logs, clock } = this.deps;
    const started = performance.now();
    const handler = this.known.get(header.biz);
    let result = 0;
    let message: string = RETURN_CODES.OK.message;
    let reply: BodyRecord | undefined;
    /** A write's outcome: its answer is its stored reply (first answer and replays alike). */
    let stored: WriteOutcome | undefined;
    let replay = false;
    /** The trace of this request's number, when one runs (src/trace.ts). */
    let traced: TraceEntry | undefined;
    try {
      // A text request whose check code failed (src/server/text-session.ts) is refused first,
      // whatever it asks for: nothing about the business types is told to an unverified peer.
      if (bodyError?.rc === 'CHECK_CODE_FAILED') {
        this.logQuery(header, origin, undefined);
        throw bodyError;
      }
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
      let shown: BodyRecord | undefined;
      /** A text request's body through the strict encoder: its v1 bytes, for a write's request hash. */
      let text: ReadRequest | undefined;
      try {
        if (bodyError !== undefined) throw bodyError;
        if (frame !== undefined) req = decodeRequestBody(frame, handler.request);
        else {
          text = readRequest(handler.request, body!);
          req = text.body;
        }
      } finally {
        // Logged whether or not the body decodes; the body only when it did, secrets redacted.
        shown = req === undefined ? undefined : redact(handler.request, req);
        this.logQuery(header, origin, shown);
        // The one check a request pays while nothing is traced.
        if (this.traces.count !== 0) traced = this.traceRequest(header, origin, shown);
      }
      if (handler.write) {
        // What makes a re-send "the same request" (src/idempotency.ts): for a text request, the
        // bytes of the v1 frame it would be, so the hash is the one every version computed.
        const redacted = hasSecret(handler.request) ? shown : undefined;
        const hash = frame !== undefined ? requestHash(frame, redacted) : requestHashOf(header.operator, () => encodePrepared(handler.request, body!, text!.prepared), redacted);
        const w = await this.runWrite(handler, req!, header, hash, origin);
        if (w.unanswered) {
          // In doubt when the gateway stopped: no answer (a 9xxx could be false, a 0 unproven).
          logs.ans.info({ conn: origin.conn, seq: header.seq, biz: header.biz, result: null, unanswered: true });
          if (traced !== undefined) this.traces.write(traced, { event: 'answer', iface: this.iface.name, conn: origin.conn, seq: header.seq, biz: header.biz, result: null, unanswered: true });
          return frame !== undefined ? Buffer.alloc(0) : undefined;
        }
        result = w.result;
        replay = w.replay;
        stored = w;
      } else {
        reply = await this.runHandler(handler, req!, header, origin);
      }
    } catch (err) {
      if (err instanceof GatewayError) {
        result = err.code;
        message = err.wireMessage;
        // err.MMDD (docs/logs.md): the request was wrong (1xxx: unknown or unserved business type,
        // bad body) or the system could not serve it (9xxx). 2xxx refusals are answers like 0: ans only.
        if (err.code >= 9000) logs.err.error({ conn: origin.conn, seq: header.seq, biz: header.biz, code: err.code, err }, err.message);
        else if (err.code < 2000) logs.err.warn({ conn: origin.conn, peer: origin.peer, seq: header.seq, biz: header.biz, code: err.code, reason: err.message }, err.rc);
      } else {
        result = RETURN_CODES.INTERNAL_ERROR.code;
        message = RETURN_CODES.INTERNAL_ERROR.message;
        logs.err.error({ conn: origin.conn, seq: header.seq, biz: header.biz, code: RETURN_CODES.INTERNAL_ERROR.code, err }, 'handler threw');
      }
    }
    const layout = handler?.response;
    if (frame !== undefined) {
      let out: Buffer;
      if (stored !== undefined) out = stampReply(header, stored, formatDateTimeMs(clock.now()));
      else {
        try {
          out = encodeResponse(header, result, message, layout, reply, formatDateTimeMs(clock.now()));
        } catch (err) {
          result = this.unfit(header, origin, err);
          out = encodeErrorResponse(header, new GatewayError('INTERNAL_ERROR'), formatDateTimeMs(clock.now()));
        }
      }
      const ms = this.answered(header, origin, result, started, replay);
      if (traced !== undefined) this.traceAnswer(traced, header, origin, layout, v1Answer(out, layout), ms, replay);
      return out;
    }
    // A text profile's answer: what decodeResponse would read from the v1 answer above.
    let content: ResponseContent | Error;
    if (stored !== undefined) content = readStored(stored, layout);
    else {
      let prepared: PreparedResponse;
      try {
        prepared = prepareResponse(result, message, layout, reply);
      } catch (err) {
        result = this.unfit(header, origin, err);
        message = new GatewayError('INTERNAL_ERROR').wireMessage;
        reply = undefined;
        prepared = prepareResponse(result, message);
      }
      content = readReply(prepared, layout, reply);
    }
    const ms = this.answered(header, origin, result, started, replay);
    if (traced !== undefined) this.traceAnswer(traced, header, origin, layout, content instanceof Error ? content : { result, message: content.message, time: formatDateTimeMs(clock.now()), body: content.body }, ms, replay);
    if (content instanceof Error) throw content;
    return content.body === undefined ? { result, message: content.message } : { result, message: content.message, body: content.body };
  }

  /** A handler returned a value its own layout cannot carry: that is our bug, not the client's (9999). */
  private unfit(header: Header, origin: RequestOrigin, err: unknown): number {
    this.deps.logs.err.error({ conn: origin.conn, seq: header.seq, biz: header.biz, code: RETURN_CODES.INTERNAL_ERROR.code, err }, 'reply does not fit its layout');
    return RETURN_CODES.INTERNAL_ERROR.code;
  }

  /** The metrics and the ans.MMDD line of an answer made; its duration, ms. */
  private answered(header: Header, origin: RequestOrigin, result: number, started: number, replay: boolean): number {
    const ms = performance.now() - started;
    this.metrics.request(header.biz, result, ms);
    this.lines.answer(origin.conn, header.seq, header.biz, result, ms, replay);
    return ms;
  }

  /** A traced number's request: every field decoded, secrets masked (`shown`, as query.MMDD has it). */
  private traceRequest(header: Header, origin: RequestOrigin, shown: BodyRecord | undefined): TraceEntry | undefined {
    const entry = this.traces.match(shown);
    if (entry === undefined) return undefined;
    this.traces.write(entry, {
      event: 'request', iface: this.iface.name, conn: origin.conn, peer: origin.peer, seq: header.seq, biz: header.biz,
      business: this.rows.get(header.biz)?.name, serial: header.serial, operator: header.operator, sent: header.time, body: shown,
    });
    return entry;
  }

  /** A traced number's answer as sent (result, message, every field), or why it cannot be read back. */
  private traceAnswer(entry: TraceEntry, header: Header, origin: RequestOrigin, layout: Layout | undefined, answer: TracedAnswer | Error, ms: number, replay: boolean): void {
    const fields: Record<string, unknown> = { event: 'answer', iface: this.iface.name, conn: origin.conn, seq: header.seq, biz: header.biz, business: this.rows.get(header.biz)?.name };
    if (answer instanceof Error) fields.undecodable = answer.message;
    else {
      Object.assign(fields, { result: answer.result, resultName: returnCode(answer.result)?.name, message: answer.message, answered: answer.time });
      if (answer.body !== undefined) fields.body = layout ? redact(layout, answer.body) : answer.body;
    }
    fields.ms = Math.round(ms * 1000) / 1000;
    if (replay) fields.replay = true;
    this.traces.write(entry, fields);
  }

  /** One query.MMDD line per request read (nothing is built when request logs are off). */
  private logQuery(header: Header, origin: RequestOrigin, body: BodyRecord | undefined): void {
    // `sent` is the header's send time; `time` is the log line's own timestamp.
    this.lines.query(origin.conn, origin.peer, header.seq, header.biz, header.serial, header.operator, header.time, body);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private context(handler: HandlerModule<any, any>, header: Header, origin: RequestOrigin, client?: string): HandlerContext {
    return new RequestContext(this.iface, this.deps, header, origin, this.rows.get(handler.biz)!, this.settings, client);
  }

  private runHandler(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    handler: HandlerModule<any, any>,
    req: BodyRecord,
    header: Header,
    origin: RequestOrigin,
  ): Promise<BodyRecord> {
    const iface = this.iface;
    const ctx = this.context(handler, header, origin);
    const work = handler.handle(req, ctx);
    const ms = iface.requestTimeoutMs;
    if (!(ms > 0)) return work;
    // One sweeper per dispatcher instead of a timer per request (a timer costs ~1.5 µs of a
    // ~10 µs CS-01 round trip); a timed-out request is answered 9002 within 1/8 of the limit.
    return new Promise<BodyRecord>((resolve, reject) => {
      const rec = new InFlight(performance.now() + ms);
      rec.reject = reject;
      this.link(rec);
      this.startSweeper(ms);
      work.then(
        (v) => {
          // Unlinked already: timed out, answered 9002; the late result is dropped.
          if (!rec.linked) return;
          this.unlink(rec);
          resolve(v);
        },
        (e: unknown) => {
          if (!rec.linked) return;
          this.unlink(rec);
          reject(e);
        },
      );
    });
  }

  private link(rec: InFlight): void {
    rec.prev = this.tail;
    if (this.tail) this.tail.next = rec;
    else this.head = rec;
    this.tail = rec;
  }

  private unlink(rec: InFlight): void {
    rec.linked = false;
    if (rec.prev) rec.prev.next = rec.next;
    else this.head = rec.next;
    if (rec.next) rec.next.prev = rec.prev;
    else this.tail = rec.prev;
    rec.prev = rec.next = undefined;
  }

  /**
   * A write function (PC-06, docs/idempotency.md): once per (client, business type, serial). A
   * new key runs the handler as one unit of work of the group commit; its reply (or its
   * KeptRefusal, src/kept-refusal.ts) is encoded inside the unit and stored in the ledger in the same unit, and
   * returned only after the batch committed durably. A key already in the ledger replays the
   * stored reply (2007 when the content differs). No 9002 here: a 9xxx promises nothing was
   * done, and a started unit may still commit, so the answer waits for the real outcome. A plain
   * refusal rolls the unit back and is not remembered (nothing was done: a re-send runs again).
   */
  private async runWrite(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    handler: HandlerModule<any, any>,
    req: BodyRecord,
    header: Header,
    /** requestHash of the request: what makes a re-send of its key the same request. */
    hash: string,
    origin: RequestOrigin,
  ): Promise<WriteOutcome> {
    const { store } = this.deps;
    // The one serial rule (protocol/serial.ts): a serial a reversal or a reconciliation file could
    // not name is refused here, before the ledger, so nothing is written.
    const bad = serialProblem(header.serial);
    if (bad) throw new GatewayError('MALFORMED_HEADER', `serial ${JSON.stringify(header.serial)} ${bad}: a write function's serial (its idempotency key, PC-06) is ${SERIAL_RULE}`);
    const address = peerAddress(origin.peer);
    const client = this.identities.identify(address);
    // Fail closed (docs/idempotency.md): where client sections cover this interface, a write from an
    // address none names would key its serials as another client (`*`) and post a re-send of a named
    // client's payment again. Refused before anything runs; err.MMDD logs it with the peer.
    if (client === UNCONFIGURED_CLIENT && this.identities.configured) {
      throw new GatewayError('UNKNOWN_CLIENT', `${address} is not in the addresses of any [client.<id>] section covering interface ${this.iface.name}; write functions are refused, reads are answered`);
    }
    // The client identity reaches the handler too: TAB_PAY.SOURCE of card postings (src/domain/posting.ts cardClient).
    const ctx = this.context(handler, header, origin, client);
    let postings: Posting[] = [];
    // suc_query.MMDD (docs/logs.md): the unit's posting lines are journaled durably before its
    // batch's COMMIT (beforeCommit), so that a crash between the COMMIT and the line loses nothing.
    const journal = this.deps.logs.postings;
    let journaled: Journaled | undefined;
    const beforeCommit = async (): Promise<void> => {
      if (postings.length === 0) return;
      const j = await journal.prepare(postings);
      if (journaled) journal.abandon(journaled);
      journaled = j;
    };
    let outcome: WriteOutcome;
    try {
      outcome = await this.ledger.execute({ client, biz: header.biz, serial: header.serial }, hash, this.iface.name, async (tx) => {
        // A unit re-run after a deadlock starts afresh: only the committed run's lines are written.
        const lines: Posting[] = [];
        postings = lines;
        const wctx: WriteContext = deriveContext(ctx, { tx, store: unitView(store, tx), logPosting: (line: Record<string, unknown>, key: PostingKey) => lines.push({ line, key }) });
        let reply: BodyRecord;
        try {
          reply = (await handler.handle(req, wctx)) as BodyRecord;
        } catch (err) {
          // Refused, but what it wrote stays (see KeptRefusal): commit, remember, answer.
          if (err instanceof KeptRefusal) return replyOf(encodeErrorResponse(header, err));
          throw err;
        }
        // Encoded here: a reply its layout cannot carry is a 9999 whose unit rolls back.
        return replyOf(encodeResponse(header, 0, RETURN_CODES.OK.message, handler.response, reply));
      }, { beforeCommit });
    } catch (err) {
      // Not committed (nothing was done): no line.
      if (journaled) journal.abandon(journaled);
      throw err;
    }
    if (journaled) {
      // Durably committed by this request (a KeptRefusal included): now the suc_query.MMDD
      // lines. A replay (not this request's commit) writes none. Left in doubt at a stop
      // (unanswered): the entry stays in the journal, and the next start's recovery writes the
      // line if TAB_PAY has the posting.
      if (!outcome.replay && !outcome.unanswered) journal.commit(journaled);
      else if (!outcome.unanswered) journal.abandon(journaled);
    }
    return outcome;
  }

  private startSweeper(ms: number): void {
    if (this.sweeper) return;
    const every = Math.max(10, Math.min(1000, Math.floor(ms / 8)));
    this.sweeper = setInterval(() => {
      const now = performance.now();
      for (let rec = this.head; rec !== undefined; ) {
        const next = rec.next;
        if (now >= rec.deadline) {
          // The late result of a timed-out handler is dropped (work.then above finds it unlinked).
          this.unlink(rec);
          rec.reject(new GatewayError('TIMEOUT', `${ms} ms`));
        }
        rec = next;
      }
    }, every);
    this.sweeper.unref();
  }

  /** Stop the timeout sweeper and release the ledger (the gateway calls this when it stops). */
  close(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
    if (!this.ledgerReleased) {
      this.ledgerReleased = true;
      this.ledger.release();
    }
  }
}
