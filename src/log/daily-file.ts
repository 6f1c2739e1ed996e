// A pino destination that writes `<dir>/<family>.MMDD` for the current LOCAL day and moves to the
// next day's file at local midnight (OP-02). Each write compares the clock with a cached
// "next midnight" (one Date.now() and one comparison), so rotation costs nothing on the hot path;
// an idle timer in src/log/index.ts calls rotateIfDue() for files nobody writes to.
// Buffered: LineWriter collects lines until MIN_LENGTH bytes (or PERIODIC_FLUSH_MS passes), then
// writes them with one async write — no sync fs call per line (see line-writer.ts for why not sonic-boom).
import { join } from 'node:path';
import { LineWriter } from './line-writer.js';
import type { Clock } from '../clock.js';
import { mmdd, nextLocalMidnight } from './local-time.js';

/** Characters buffered before an async write; one write per ~100 request lines. */
export const MIN_LENGTH = 16384;
/** Buffered lines reach the disk at least this often when traffic is light. */
export const PERIODIC_FLUSH_MS = 1000;
/**
 * Buffer ceiling: if the disk stalls this long, lines are dropped (and counted in warn.log)
 * rather than growing memory without bound until the gateway dies.
 */
export const MAX_BUFFER = 64 * 1024 * 1024;

export interface DailyFileEvents {
  /** A day's file is opened for appending (several processes may hold the same one). */
  onOpened?(file: string): void;
  /** The previous day's file is closed (flushed, fsynced): compress it. */
  onFinished(file: string): void;
  onError(err: Error, file: string): void;
  onDrop(bytes: number, file: string): void;
}

export class DailyFile {
  private writer: LineWriter | undefined;
  private path = '';
  private nextMidnight = 0;
  private readonly closing = new Set<Promise<void>>();
  private readonly closingPaths = new Set<string>();
  private closed = false;

  constructor(
    readonly dir: string,
    readonly family: string,
    private readonly clock: Clock,
    private readonly events: DailyFileEvents,
  ) {}

  /** pino's destination interface. */
  write(line: string): boolean {
    if (this.closed) return false;
    const now = this.clock.now();
    if (now >= this.nextMidnight || this.writer === undefined) this.open(now);
    return this.writer !== undefined && this.writer.write(line);
  }

  /** Close the day's file when its day is over, even if nothing is being written (idle timer). */
  rotateIfDue(): void {
    if (this.writer && this.clock.now() >= this.nextMidnight) this.finish();
  }

  /** Files are opened lazily: a family with nothing to say today (suc_query on cs) has no file. */
  private open(now: number): void {
    if (this.writer) this.finish();
    this.path = join(this.dir, `${this.family}.${mmdd(now)}`);
    this.nextMidnight = nextLocalMidnight(now);
    const file = this.path;
    let writer: LineWriter;
    try {
      writer = new LineWriter(file, { minLength: MIN_LENGTH, maxBuffer: MAX_BUFFER, periodicFlushMs: PERIODIC_FLUSH_MS });
    } catch (err) {
      // The directory or file cannot be opened (disk, permissions): report, and retry on the next line.
      this.events.onError(err as Error, file);
      this.writer = undefined;
      this.nextMidnight = 0;
      return;
    }
    writer.on('error', (err: Error) => this.events.onError(err, file));
    writer.on('drop', (data: string) => this.events.onDrop(Buffer.byteLength(data), file));
    this.writer = writer;
    this.events.onOpened?.(file);
  }

  /** End the current file; once closed, report it finished (for compression). */
  private finish(): void {
    const writer = this.writer!;
    const file = this.path;
    this.writer = undefined;
    const done = new Promise<void>((resolve) => {
      writer.once('close', () => {
        this.events.onFinished(file);
        resolve();
      });
      // An error while closing is reported by the 'error' listener; do not hang close().
      writer.once('error', () => resolve());
    });
    this.closing.add(done);
    this.closingPaths.add(file);
    void done.then(() => {
      this.closing.delete(done);
      this.closingPaths.delete(file);
    });
    writer.end();
  }

  /**
   * True while this file is being written or is still closing (its last lines flushed, fsynced):
   * the archiver must not compress and delete it under the writer.
   */
  owns(file: string): boolean {
    return (this.writer !== undefined && this.path === file) || this.closingPaths.has(file);
  }

  /** Everything written so far is handed to the kernel. */
  flush(): Promise<void> {
    const writer = this.writer;
    if (!writer) return Promise.all(this.closing).then(() => undefined);
    return new Promise<void>((resolve, reject) => {
      writer.flush((err) => (err ? reject(err) : resolve()));
    }).then(() => Promise.all(this.closing).then(() => undefined));
  }

  /**
   * Everything written so far is on disk: the current file flushed and fdatasync'ed, files still
   * closing closed (their close fsyncs). The posting journal (posting-journal.ts) deletes a
   * segment only after this.
   */
  async sync(): Promise<void> {
    const writer = this.writer;
    if (writer) await new Promise<void>((resolve, reject) => writer.sync((err) => (err ? reject(err) : resolve())));
    await Promise.all(this.closing);
  }

  /** Flush and close; writes after this are ignored. Does not archive today's file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const writer = this.writer;
    this.writer = undefined;
    if (writer) {
      await new Promise<void>((resolve) => {
        writer.once('close', () => resolve());
        writer.once('error', () => resolve());
        writer.end();
      });
    }
    await Promise.all(this.closing);
  }
}
