// The two request lines of every request (query.MMDD and ans.MMDD, OP-02), built by a template
// per line kind instead of pino's generic path (per-key loop over a fresh object, formatters,
// the belt-and-braces redaction walk of the whole object): their fields are fixed and known.
// The text is what pino writes for the same object through the same logger: its level label,
// its `time` function, its child bindings (`iface`) and its line end are taken from the logger
// itself (pino.symbols), and the line goes to the logger's own destination (the daily file's
// buffered LineWriter), so both paths can be mixed in one file and the tests compare them.
// Strings are JSON-escaped as pino does (JSON.stringify for anything with quotes, backslashes,
// control characters or surrogates); the body is serialised as pino serialises an object value.
import pino from 'pino';
import type { Logger } from 'pino';
import { isSecretKey, redactSecrets } from './redact.js';

const S = pino.symbols;

/** pino's level number of `info`. */
const INFO = 30;

/**
 * A JSON string literal of `s`, exactly as pino 10 writes a string value (its asString): quotes
 * and backslashes escaped in place, anything longer than 100 characters or with a control
 * character through JSON.stringify. (A lone surrogate stays as it is, as in pino: the file's
 * UTF-8 encoding turns it into U+FFFD on both paths.)
 */
export function jsonString(s: string): string {
  const n = s.length;
  if (n > 100) return JSON.stringify(s);
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 32) return JSON.stringify(s);
    if (c === 34 || c === 92) return escapeQuotes(s, i);
  }
  return '"' + s + '"';
}

/** `s` (no control character before `from`) with `"` and `\\` escaped from `from` on. */
function escapeQuotes(s: string, from: number): string {
  let out = '"' + s.slice(0, from);
  let last = from;
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 32) return JSON.stringify(s);
    if (c === 34 || c === 92) {
      out += s.slice(last, i) + '\\';
      last = i;
    }
  }
  return out + s.slice(last) + '"';
}

/** A number as pino writes one: finite as is, NaN and ±Infinity as null. */
function jsonNumber(n: number): string {
  return Number.isFinite(n) ? String(n) : 'null';
}

/**
 * An object value as pino writes it: JSON.stringify, or where that throws (a bigint — money is
 * bigint fen — or a cycle) pino's fallback (safe-stable-stringify as pino configures it): a
 * bigint as its digits, keys sorted, a cycle as "[Circular]", below depth 5 "[Object]" or
 * "[Array]", beyond 100 entries a count of those left out. Reproduced here to the byte.
 */
export function jsonValue(v: unknown): string | undefined {
  // A payment's body holds bigint money: JSON.stringify would throw (an Error and its stack each
  // time, issue 17) before the fallback; go to it directly when a bigint is known to be there.
  if (plainBigint(v, 0)) return safeJson(v, []);
  try {
    return JSON.stringify(v);
  } catch {
    return safeJson(v, []);
  }
}

/**
 * True when JSON.stringify(v) is certain to throw for a bigint: one reachable through plain objects
 * and arrays only (nothing with a toJSON, which could hide it). False says nothing.
 */
function plainBigint(v: unknown, depth: number): boolean {
  if (typeof v === 'bigint') return true;
  if (v === null || typeof v !== 'object' || depth > 8) return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (plainBigint(v[i], depth + 1)) return true;
    return false;
  }
  const proto: unknown = Object.getPrototypeOf(v);
  if ((proto !== Object.prototype && proto !== null) || typeof (v as { toJSON?: unknown }).toJSON === 'function') return false;
  for (const k of Object.keys(v)) if (plainBigint((v as Record<string, unknown>)[k], depth + 1)) return true;
  return false;
}

/** pino's depthLimit and edgeLimit defaults. */
const MAX_DEPTH = 5;
const MAX_BREADTH = 100;

const items = (n: number): string => (n === 1 ? '1 item' : `${n} items`);

function safeJson(v: unknown, stack: object[]): string | undefined {
  if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') {
    v = (v as { toJSON(): unknown }).toJSON();
  }
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return jsonNumber(v);
    case 'bigint':
      return v.toString();
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object': {
      if (v === null) return 'null';
      if (stack.includes(v)) return '"[Circular]"';
      if (Array.isArray(v)) {
        if (v.length === 0) return '[]';
        if (MAX_DEPTH < stack.length + 1) return '"[Array]"';
        stack.push(v);
        const n = Math.min(v.length, MAX_BREADTH);
        const parts: string[] = [];
        for (let i = 0; i < n; i++) parts.push(safeJson(v[i], stack) ?? 'null');
        if (v.length - 1 > MAX_BREADTH) parts.push(`"... ${items(v.length - MAX_BREADTH - 1)} not stringified"`);
        stack.pop();
        return '[' + parts.join(',') + ']';
      }
      const keys = Object.keys(v);
      if (keys.length === 0) return '{}';
      if (MAX_DEPTH < stack.length + 1) return '"[Object]"';
      keys.sort();
      stack.push(v);
      const parts: string[] = [];
      const n = Math.min(keys.length, MAX_BREADTH);
      for (let i = 0; i < n; i++) {
        const s = safeJson((v as Record<string, unknown>)[keys[i]], stack);
        if (s !== undefined) parts.push(JSON.stringify(keys[i]) + ':' + s);
      }
      if (keys.length > MAX_BREADTH) parts.push(`"...":"${items(keys.length - MAX_BREADTH)} not stringified"`);
      stack.pop();
      return '{' + parts.join(',') + '}';
    }
    default:
      // undefined, functions, symbols: omitted as by JSON.stringify.
      return undefined;
  }
}

interface PinoInternals {
  write(line: string): unknown;
}

/** What a template needs of a pino logger: its destination and its fixed line parts. */
class LineTarget {
  private readonly stream: PinoInternals;
  private readonly head: string;
  private readonly time: () => string;
  readonly bindings: string;
  readonly end: string;

  constructor(private readonly log: Logger) {
    const l = log as unknown as Record<symbol, unknown>;
    this.stream = l[S.streamSym] as PinoInternals;
    this.head = (l[S.lsCacheSym] as Record<number, string>)[INFO];
    this.time = l[S.timeSym] as () => string;
    this.bindings = (l[S.chindingsSym] as string | undefined) ?? '';
    this.end = l[S.endSym] as string;
    if (typeof this.stream?.write !== 'function' || typeof this.head !== 'string' || typeof this.time !== 'function' || typeof this.end !== 'string') {
      throw new Error('request lines: this pino version does not expose the logger internals the templates use');
    }
  }

  get enabled(): boolean {
    return this.log.isLevelEnabled('info');
  }

  /** `{"level":"info","time":…`: the start of a line, up to its bindings, the time stamp taken now. */
  stamped(): string {
    return this.head + this.time();
  }

  /** `{"level":"info","time":…,"iface":…` + fields + line end. */
  line(fields: string): string {
    return this.head + this.time() + this.bindings + fields + this.end;
  }

  /** A whole line, to the logger's destination. */
  writeLine(line: string): void {
    this.stream.write(line);
  }
}

/**
 * `s` as one flat string: a string kept and reused on many lines (a connection's part of the
 * line) is copied once instead of walked as a tree of concatenations in every line.
 */
function flat(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}

/** A number as pino writes one; a safe integer without the general path (String(n) is the same text). */
function num(n: number): string {
  return Number.isSafeInteger(n) ? '' + n : jsonNumber(n);
}

/**
 * `ms` rounded to the µs, as pino writes `Math.round(ms * 1000) / 1000`: for a whole number of µs
 * below 2^53 / 1000 that text is the integer part, then the µs digits without trailing zeros
 * (test/log/request-lines.test.ts holds the two equal), made without the double-to-text path.
 */
export function msText(ms: number): string {
  const us = Math.round(ms * 1000);
  if (!(us >= 0 && us <= 9_007_199_254_740)) return jsonNumber(us / 1000);
  const whole = Math.floor(us / 1000);
  const frac = us - whole * 1000;
  if (frac === 0) return '' + whole;
  if (frac % 100 === 0) return whole + '.' + frac / 100;
  if (frac % 10 === 0) return whole + (frac < 100 ? '.0' : '.') + frac / 10;
  return whole + (frac < 10 ? '.00' : frac < 100 ? '.0' : '.') + frac;
}

/** The per-connection parts of the request lines, made once per connection (a small direct-mapped cache). */
const CONN_SLOTS = 64;

/**
 * The line `log.info(obj)` writes for a flat object — every value a string, number, boolean,
 * bigint or undefined; no secret key (SECRET_KEYS), no `err` or `msg` — made without pino's
 * generic path (issue 17: pino's JSON.stringify throws on each bigint before its fallback, and
 * a posting line has three). undefined for any other object: the caller then asks pino itself.
 * The suc_query lines of the posting journal (src/log/index.ts) are made with it.
 */
export function flatLine(log: Logger): (obj: Record<string, unknown>) => string | undefined {
  const t = new LineTarget(log);
  return (obj) => {
    let fields = '';
    for (const k in obj) {
      if (!Object.prototype.hasOwnProperty.call(obj, k)) continue;
      if (k === 'err' || k === 'msg' || isSecretKey(k)) return undefined;
      const v = obj[k];
      switch (typeof v) {
        case 'undefined':
          continue;
        case 'string':
          fields += ',' + jsonString(k) + ':' + jsonString(v);
          break;
        case 'number':
          fields += ',' + jsonString(k) + ':' + jsonNumber(v);
          break;
        case 'boolean':
        case 'bigint':
          fields += ',' + jsonString(k) + ':' + String(v);
          break;
        default:
          return undefined;
      }
    }
    return t.line(fields);
  };
}

/**
 * The query and answer lines of one interface, written through its `query` and `ans` loggers
 * (InterfaceLogs); nothing is built when request logs are off (`[log] requests = false`).
 */
export class RequestLines {
  private readonly q: LineTarget;
  private readonly a: LineTarget;
  /**
   * By conn % CONN_SLOTS: the connection, its peer, and what its lines hold between the time stamp
   * and `seq`'s value: the logger's bindings then `,"conn":…,"peer":…,"seq":` (query), `,"conn":…,"seq":` (ans).
   */
  private readonly slotConn: number[] = new Array<number>(CONN_SLOTS).fill(-1);
  private readonly slotPeer: string[] = new Array<string>(CONN_SLOTS).fill('');
  private readonly slotQuery: string[] = new Array<string>(CONN_SLOTS).fill('');
  private readonly slotAns: string[] = new Array<string>(CONN_SLOTS).fill('');

  constructor(logs: { query: Logger; ans: Logger }) {
    this.q = new LineTarget(logs.query);
    this.a = new LineTarget(logs.ans);
  }

  /** The cache slot of this connection, (re)filled when another connection held it. */
  private slot(conn: number, peer: string): number {
    const i = (conn >>> 0) % CONN_SLOTS;
    if (this.slotConn[i] !== conn || this.slotPeer[i] !== peer) {
      const c = ',"conn":' + jsonNumber(conn);
      this.slotConn[i] = conn;
      this.slotPeer[i] = peer;
      this.slotQuery[i] = flat(this.q.bindings + c + ',"peer":' + jsonString(peer) + ',"seq":');
      this.slotAns[i] = flat(this.a.bindings + c + ',"seq":');
    }
    return i;
  }

  /**
   * query.MMDD: `conn`, `peer`, `seq`, `biz`, `serial`, `operator`, `sent`, `body` (absent when
   * undefined; secret keys masked at any depth, as the loggers' formatter does).
   */
  query(conn: number, peer: string, seq: number, biz: number, serial: string, operator: string, sent: string, body: unknown): void {
    const t = this.q;
    if (!t.enabled) return;
    let body_ = '';
    if (body !== undefined) {
      // Depth 1: the formatter walks the whole line object, so the body is one level down there.
      const b = isEmptyRecord(body) ? '{}' : jsonValue(redactSecrets(body, 1));
      if (b !== undefined) body_ = ',"body":' + b;
    }
    t.writeLine(t.stamped() + this.slotQuery[this.slot(conn, peer)] + num(seq) + ',"biz":' + num(biz) + ',"serial":' + jsonString(serial) +
      ',"operator":' + jsonString(operator) + ',"sent":' + jsonString(sent) + body_ + t.end);
  }

  /** ans.MMDD: `conn`, `seq`, `biz`, `result`, `ms` (rounded to the µs), `replay` only when true. */
  answer(conn: number, seq: number, biz: number, result: number, ms: number, replay: boolean): void {
    const t = this.a;
    if (!t.enabled) return;
    const i = this.slotConn[(conn >>> 0) % CONN_SLOTS] === conn ? (conn >>> 0) % CONN_SLOTS : -1;
    const prefix = i >= 0 ? this.slotAns[i] : t.bindings + ',"conn":' + jsonNumber(conn) + ',"seq":';
    t.writeLine(t.stamped() + prefix + num(seq) + ',"biz":' + num(biz) + ',"result":' + num(result) +
      ',"ms":' + msText(ms) + (replay ? ',"replay":true' : '') + t.end);
  }
}

/**
 * A plain object with no enumerable key and no toJSON (a request of an empty layout, CS-01):
 * JSON.stringify gives `{}` and there is nothing to redact.
 */
function isEmptyRecord(v: unknown): boolean {
  if (v === null || typeof v !== 'object' || Object.getPrototypeOf(v) !== Object.prototype) return false;
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return false;
  for (const k in v) if (k !== undefined) return false;
  return true;
}
