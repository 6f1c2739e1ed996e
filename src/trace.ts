// The per-number trace (issue 18): `bssgate trace <number> --for 30m` (through the admin port)
// writes every request and answer for that number — every interface, every worker process —
// decoded field by field with secrets masked as in the request logs, to a file of its own
// (`<[log] dir>/trace/<number>.<YYYYMMDDHHMMSS>.log`), and ends by itself at its expiry.
//
// One Traces object per serving process. The process that serves the admin listener (a single
// gateway, or the cluster primary) is the owner: it starts and ends traces, persists them to
// `<[log] dir>/trace/active.json` (so a restarted gateway resumes a trace still running, and ends
// one that expired while it was down) and writes each trace's first and last line. A cluster
// worker loads the same file at start and is told every change over IPC (src/cluster.ts); each
// process ends its traces at their expiry by its own timer, and checks the expiry again on use.
//
// The request path's cost when no trace is active is one check: `traces.count !== 0`
// (src/dispatch.ts). Only a request whose number is traced builds anything.
import fs from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { LineWriter } from './log/line-writer.js';
import { LocalTimeFormatter } from './log/local-time.js';
import { redactSecrets } from './log/redact.js';
import { TRACE_MAX_MS, traceDir } from './log/trace-files.js';
import { jsonValue } from './log/request-lines.js';
import { ensureDirSync } from './dirs.js';
import { formatDateTimeMs } from './time.js';

/** Default and longest duration of a trace (the longest: src/log/trace-files.ts, which the log retention reads too). */
export const TRACE_DEFAULT_MS = 30 * 60_000;
export { TRACE_MAX_MS };
/** At most this many numbers traced at once. */
export const TRACE_MAX_ACTIVE = 100;
/** The number a trace follows: a service number (svcnum), 3–20 digits. */
export const TRACE_NUMBER = /^[0-9]{3,20}$/;

/** One trace, as persisted, listed by GET /trace and sent to the workers. */
export interface TraceEntry {
  number: string;
  /** Epoch ms. */
  started: number;
  /** Epoch ms: the trace ends then. */
  until: number;
  /** Absolute path of its log file. */
  file: string;
}

interface Active extends TraceEntry {
  writer: LineWriter;
}

export const TRACE_STATE_FILE = 'active.json';

export { traceDir };

export interface TracesOptions {
  /** [log] dir. */
  logDir: string;
  /** The admin process: starts, ends, persists, writes first and last lines. */
  owner: boolean;
  /** warn.log (what started, ended or failed). */
  log?: Logger;
  /** Epoch ms now (tests). */
  now?: () => number;
  /** This process's name in trace lines ("main", "w2"). */
  process?: string;
  /** The owner: tell the workers the new set. */
  broadcast?: (entries: TraceEntry[]) => void;
}

const WRITER = { minLength: 1, maxBuffer: 16 * 1024 * 1024, periodicFlushMs: 1000 };

/** A line for the trace file: `time`, then the fields, secrets masked at any depth; bigint as digits. */
function line(time: string, fields: Record<string, unknown>): string {
  return (jsonValue(redactSecrets({ time, ...fields })) ?? '{}') + '\n';
}

export class Traces {
  /** Active traces in this process. The request path reads only this when it is 0. */
  count = 0;
  private readonly active = new Map<string, Active>();
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;
  private readonly times = new LocalTimeFormatter();
  private closed = false;

  constructor(private readonly opts: TracesOptions) {
    this.now = opts.now ?? Date.now;
  }

  get dir(): string {
    return traceDir(this.opts.logDir);
  }

  get stateFile(): string {
    return join(this.dir, TRACE_STATE_FILE);
  }

  /** The persisted traces (none when the file is absent; a damaged file is reported and ignored). */
  readState(): TraceEntry[] {
    let text: string;
    try {
      text = fs.readFileSync(this.stateFile, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.opts.log?.error({ err, file: this.stateFile }, 'trace: cannot read the active traces');
      return [];
    }
    try {
      const v = JSON.parse(text) as { traces?: unknown };
      const list = Array.isArray(v.traces) ? v.traces : [];
      return list.filter(
        (e): e is TraceEntry =>
          typeof e === 'object' && e !== null && typeof e.number === 'string' && TRACE_NUMBER.test(e.number) &&
          typeof e.until === 'number' && typeof e.started === 'number' && typeof e.file === 'string',
      );
    } catch (err) {
      this.opts.log?.error({ err: (err as Error).message, file: this.stateFile }, 'trace: the active traces file is not JSON; ignored');
      return [];
    }
  }

  /**
   * At start: the persisted traces. The owner resumes those still running (a `resumed` line) and
   * ends those that expired while the gateway was down (an `ended` line), then rewrites the file.
   */
  load(): void {
    const now = this.now();
    const entries = this.readState();
    for (const e of entries) {
      if (e.until > now) {
        this.open(e);
        if (this.opts.owner) this.note(e.number, 'resumed', { reason: 'the gateway started again; the trace continues until its end', until: this.iso(e.until) });
      } else if (this.opts.owner) {
        this.appendOnce(e.file, { trace: e.number, event: 'ended', reason: 'expired while the gateway was stopped', until: this.iso(e.until) });
        this.opts.log?.info({ number: e.number, file: e.file }, 'trace ended: expired while the gateway was stopped');
      }
    }
    if (this.opts.owner && entries.length > 0) this.persist();
    this.schedule();
  }

  list(): TraceEntry[] {
    this.expire();
    return [...this.active.values()].map(({ number, started, until, file }) => ({ number, started, until, file }));
  }

  /** The owner: trace `number` for `ms` from now (a trace already running is given the new end). */
  start(number: string, ms: number): TraceEntry {
    if (!TRACE_NUMBER.test(number)) throw new TraceError(400, `"${number}" is not a service number (3–20 digits)`);
    if (!(ms > 0) || ms > TRACE_MAX_MS) throw new TraceError(400, `a trace lasts more than 0 and at most ${TRACE_MAX_MS / 3600_000}h`);
    this.expire();
    const now = this.now();
    const until = now + ms;
    const running = this.active.get(number);
    let entry: TraceEntry;
    if (running) {
      running.until = until;
      entry = running;
      this.note(number, 'extended', { until: this.iso(until) });
    } else {
      if (this.active.size >= TRACE_MAX_ACTIVE) throw new TraceError(409, `${TRACE_MAX_ACTIVE} numbers are traced already; end one first (bssgate trace <number> --off)`);
      ensureDirSync(this.dir);
      const file = join(this.dir, `${number}.${formatDateTimeMs(now)}.log`);
      entry = { number, started: now, until, file };
      this.open(entry);
      this.note(number, 'started', { until: this.iso(until), pid: process.pid });
    }
    this.opts.log?.info({ number, until: this.iso(until), file: entry.file }, 'trace started');
    this.changed();
    return { number, started: entry.started, until, file: entry.file };
  }

  /** The owner: end the trace of `number` now; false when there was none. */
  stop(number: string, reason = 'switched off'): boolean {
    const a = this.active.get(number);
    if (!a) return false;
    this.end(a, reason);
    this.changed();
    return true;
  }

  /** A worker: the owner's current set replaces this process's. */
  replace(entries: TraceEntry[]): void {
    const keep = new Set(entries.map((e) => e.number));
    for (const a of [...this.active.values()]) if (!keep.has(a.number)) this.end(a, 'switched off');
    for (const e of entries) {
      const a = this.active.get(e.number);
      if (a) a.until = e.until;
      else if (e.until > this.now()) this.open(e);
    }
    this.schedule();
  }

  /**
   * The trace of this request's number, if one runs (called only when count !== 0). The number is
   * the request's `svcnum` (or an IP Phone lookup's `number`).
   */
  match(body: Record<string, unknown> | undefined): TraceEntry | undefined {
    if (body === undefined) return undefined;
    const n = typeof body.svcnum === 'string' ? body.svcnum : typeof body.number === 'string' ? body.number : undefined;
    if (n === undefined) return undefined;
    const a = this.active.get(n);
    if (a === undefined) return undefined;
    if (a.until <= this.now()) {
      this.expire();
      return undefined;
    }
    return a;
  }

  /** One line of a trace (a request or an answer), secrets masked. */
  write(entry: TraceEntry, fields: Record<string, unknown>): void {
    const a = this.active.get(entry.number);
    // Ended meanwhile (between the request and its answer): its file gets the answer anyway.
    if (a) a.writer.write(line(this.times.format(this.now()), { trace: entry.number, process: this.opts.process, ...fields }));
    else this.appendOnce(entry.file, { trace: entry.number, process: this.opts.process, ...fields });
  }

  /** Stop: close the files (the traces stay persisted for the next start). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const writers = [...this.active.values()].map((a) => a.writer);
    this.active.clear();
    this.count = 0;
    await Promise.all(writers.map((w) => new Promise<void>((res) => {
      w.once('close', () => res());
      w.end();
    })));
  }

  private open(e: TraceEntry): void {
    if (this.active.has(e.number)) return;
    ensureDirSync(this.dir);
    const writer = new LineWriter(e.file, WRITER);
    writer.on('error', (err: Error) => this.opts.log?.error({ err: err.message, file: e.file }, 'trace file write failed'));
    writer.on('drop', () => undefined);
    this.active.set(e.number, { number: e.number, started: e.started, until: e.until, file: e.file, writer });
    this.count = this.active.size;
  }

  private end(a: Active, reason: string): void {
    this.active.delete(a.number);
    this.count = this.active.size;
    if (this.opts.owner) {
      a.writer.write(line(this.times.format(this.now()), { trace: a.number, event: 'ended', reason }));
      this.opts.log?.info({ number: a.number, file: a.file, reason }, 'trace ended');
    }
    a.writer.end();
  }

  /** End every trace whose time is up. */
  private expire(): void {
    const now = this.now();
    let any = false;
    for (const a of [...this.active.values()]) {
      if (a.until <= now) {
        this.end(a, 'its time is up');
        any = true;
      }
    }
    if (any && this.opts.owner) this.persist();
    this.schedule();
  }

  private changed(): void {
    this.persist();
    this.schedule();
    this.opts.broadcast?.(this.list());
  }

  private persist(): void {
    if (!this.opts.owner) return;
    ensureDirSync(this.dir);
    const traces = [...this.active.values()].map(({ number, started, until, file }) => ({ number, started, until, file }));
    const tmp = `${this.stateFile}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify({ traces }, null, 1) + '\n');
    fs.renameSync(tmp, this.stateFile);
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.closed || this.active.size === 0) return;
    const next = Math.min(...[...this.active.values()].map((a) => a.until));
    const wait = Math.max(0, Math.min(next - this.now(), 2 ** 31 - 1));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.expire();
      if (this.opts.owner) this.opts.broadcast?.(this.list());
    }, wait + 5);
    this.timer.unref();
  }

  private note(number: string, event: string, fields: Record<string, unknown>): void {
    const a = this.active.get(number);
    a?.writer.write(line(this.times.format(this.now()), { trace: number, event, ...fields }));
  }

  /** A line to a file no writer holds (an ended trace), appended synchronously. */
  private appendOnce(file: string, fields: Record<string, unknown>): void {
    try {
      fs.appendFileSync(file, line(this.times.format(this.now()), fields));
    } catch (err) {
      this.opts.log?.error({ err: (err as Error).message, file }, 'trace file write failed');
    }
  }

  private iso(ms: number): string {
    return new LocalTimeFormatter().format(ms);
  }
}

/** A refused trace request: the HTTP status and why. */
export class TraceError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The traces of a process that serves none (tests, tools): always empty. */
export const NO_TRACES = new Traces({ logDir: '/nonexistent', owner: false });
