// suc_query.MMDD without loss and without a line for a posting that did not commit (issue 13,
// defect 3; docs/logs.md "Postings: suc_query is crash-safe").
//
// A write-ahead journal per process and interface log dir. The posting lines of a unit of work are
// appended to `<ifaceDir>/suc_query.journal.<process>.<start>.<n>` and fdatasync'ed BEFORE its
// batch's COMMIT is issued (src/store/group-commit.ts beforeCommit; every unit of a batch, and of
// overlapping batches, shares one write + one fdatasync: concurrent prepare() calls coalesce). Once
// the COMMIT is confirmed the same bytes go to suc_query.MMDD as before (buffered). A journal file
// ("segment") is sealed after SEAL_AFTER_MS or SEAL_AFTER_BYTES, and deleted once each of its
// entries is settled (its line handed to suc_query, or its unit known not to have committed) and
// suc_query.MMDD has been fsynced. What a crash leaves is read at the next start by
// recoverPostings(): an entry whose PAYSN is in TAB_PAY with the same SOURCE and SERIAL (the PAYSN
// comes from a sequence; the unit's rows exist only if it committed) gets its line appended to the
// day file of its time, unless that file (or its archive) already has a line with that PAYSN.
import fs from 'node:fs';
import { readdir, readFile, unlink, open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { mmdd, nextLocalMidnight } from './local-time.js';

/** Journal segments of every process: `suc_query.journal.<process>.<start>.<n>`. */
export const JOURNAL_PREFIX = 'suc_query.journal.';
/** A segment takes new entries this long at most (then the next one starts; the old one goes once settled). */
export const SEAL_AFTER_MS = 1000;
/** … or this many bytes. */
export const SEAL_AFTER_BYTES = 1 << 20;

/** The TAB_PAY row a posting line stands for: recovery writes the line only if this row committed. */
export interface PostingKey {
  paysn: bigint | number | string;
  /** TAB_PAY.SOURCE */
  source: string;
  /** TAB_PAY.SERIAL */
  serial: string;
}

export interface Posting {
  line: Record<string, unknown>;
  key: PostingKey;
}

interface Segment {
  path: string;
  fh?: FileHandle;
  opened: number;
  bytes: number;
  /** Entries (units) journaled here and not yet settled. */
  unsettled: number;
  sealed: boolean;
  removing: boolean;
}

/** A unit's journaled lines: commit() or abandon() it once its outcome is known. */
export interface Journaled {
  readonly lines: readonly string[];
  seg?: Segment;
  settled: boolean;
}

/** Where committed lines go: the interface's suc_query DailyFile. */
export interface PostingTarget {
  write(line: string): boolean;
  /** Everything written so far is on disk (flushed and fsynced). */
  sync(): Promise<void>;
}

export interface PostingLogEvents {
  onError(err: Error, file: string): void;
}

interface Queued {
  data: string;
  j: Journaled;
  resolve(): void;
  reject(e: unknown): void;
}

/** A journal entry as written: one JSON object a line. */
interface Entry {
  /** Epoch ms the line was made (its `time`): the day file it belongs to. */
  t: number;
  paysn: string;
  source: string;
  serial: string;
  /** The suc_query line, byte for byte (with its newline). */
  line: string;
}

export class PostingLog {
  private seg: Segment | undefined;
  private readonly segments = new Set<Segment>();
  private queue: Queued[] = [];
  private writing = false;
  private scheduled = false;
  private n = 0;
  private readonly started: number;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly removals = new Set<Promise<void>>();
  /** Journal writes (each one write + one fdatasync), units journaled, segments deleted: for tests and benches. */
  readonly stats = { writes: 0, units: 0, removed: 0 };

  constructor(
    readonly dir: string,
    /** This process's journal name: `main`, or `w<number>` in a cluster worker. */
    readonly name: string,
    private readonly target: PostingTarget,
    private readonly format: (line: Record<string, unknown>) => string,
    private readonly clock: Clock,
    private readonly events: PostingLogEvents,
  ) {
    this.started = clock.now();
  }

  /**
   * Journal a unit's posting lines durably (before its COMMIT). Resolves once they are written
   * and fdatasync'ed; calls made in the same turn (the units of one batch) share one write.
   */
  prepare(postings: readonly Posting[]): Promise<Journaled> {
    if (this.closed) return Promise.reject(new Error(`${this.dir}: the posting journal is closed`));
    const t = this.clock.now();
    const lines: string[] = [];
    let data = '';
    for (const p of postings) {
      const line = this.format(p.line);
      lines.push(line);
      const e: Entry = { t, paysn: String(p.key.paysn), source: p.key.source, serial: p.key.serial, line };
      data += `${JSON.stringify(e)}\n`;
    }
    const j: Journaled = { lines, settled: false };
    return new Promise<Journaled>((resolve, reject) => {
      this.queue.push({ data, j, resolve: () => resolve(j), reject });
      if (!this.writing && !this.scheduled) {
        this.scheduled = true;
        queueMicrotask(() => {
          this.scheduled = false;
          void this.flushQueue();
        });
      }
    });
  }

  /**
   * The unit committed (and is this request's own commit): its lines go to suc_query.MMDD. A line
   * the file refuses (closed, or dropped because the disk does not keep up) leaves the entry
   * unsettled: its segment stays, and the next start's recovery restores the line.
   */
  commit(j: Journaled): void {
    if (j.settled) return;
    let written = true;
    for (const line of j.lines) if (!this.target.write(line)) written = false;
    if (written) this.settle(j);
  }

  /** The unit did not commit (or is answered as a replay): no line. */
  abandon(j: Journaled): void {
    if (!j.settled) this.settle(j);
  }

  private settle(j: Journaled): void {
    j.settled = true;
    const seg = j.seg;
    if (!seg) return;
    seg.unsettled--;
    if (seg.sealed && seg.unsettled === 0) this.remove(seg);
  }

  private async flushQueue(): Promise<void> {
    if (this.writing || this.queue.length === 0) return;
    this.writing = true;
    const batch = this.queue;
    this.queue = [];
    let seg: Segment | undefined;
    try {
      const now = this.clock.now();
      if (this.seg && (now - this.seg.opened >= SEAL_AFTER_MS || this.seg.bytes >= SEAL_AFTER_BYTES)) this.seal();
      seg = this.seg ?? (await this.openSegment(now));
      for (const q of batch) {
        q.j.seg = seg;
        seg.unsettled++;
      }
      const data = batch.length === 1 ? batch[0].data : batch.map((q) => q.data).join('');
      const buf = Buffer.from(data, 'utf8');
      for (let off = 0; off < buf.length; ) off += (await seg.fh!.write(buf, off, buf.length - off)).bytesWritten;
      seg.bytes += buf.length;
      await seg.fh!.datasync();
      this.stats.writes++;
      this.stats.units += batch.length;
      for (const q of batch) q.resolve();
    } catch (err) {
      // Not journaled: the batch must not commit (group-commit rolls it back, nothing was done).
      for (const q of batch) {
        if (q.j.seg) {
          q.j.seg.unsettled--;
          q.j.seg = undefined;
        }
        q.j.settled = true;
        q.reject(new Error(`the posting journal ${seg?.path ?? this.dir} cannot be written: ${(err as Error).message}`, { cause: err }));
      }
      this.events.onError(err as Error, seg?.path ?? this.dir);
      // A fresh file next time.
      if (this.seg) this.seal();
    } finally {
      this.writing = false;
    }
    if (this.queue.length > 0) void this.flushQueue();
  }

  private async openSegment(now: number): Promise<Segment> {
    fs.mkdirSync(this.dir, { recursive: true });
    const path = join(this.dir, `${JOURNAL_PREFIX}${this.name}.${this.started.toString(36)}.${++this.n}`);
    const fh = await open(path, 'a');
    // The new name must survive a power loss as well as its content.
    await syncDir(this.dir);
    const seg: Segment = { path, fh, opened: now, bytes: 0, unsettled: 0, sealed: false, removing: false };
    this.seg = seg;
    this.segments.add(seg);
    if (!this.timer) {
      this.timer = setInterval(() => this.tick(), SEAL_AFTER_MS);
      this.timer.unref();
    }
    return seg;
  }

  /** Seal an old idle segment, so that the journal empties when the traffic stops. */
  private tick(): void {
    const seg = this.seg;
    if (seg && !this.writing && this.clock.now() - seg.opened >= SEAL_AFTER_MS) this.seal();
  }

  private seal(): void {
    const seg = this.seg;
    if (!seg) return;
    this.seg = undefined;
    seg.sealed = true;
    if (seg.unsettled === 0) this.remove(seg);
  }

  /** Delete a settled segment once suc_query.MMDD holds its committed lines on disk. */
  private remove(seg: Segment): void {
    if (seg.removing) return;
    seg.removing = true;
    const p = (async () => {
      try {
        await this.target.sync();
        await seg.fh?.close();
        seg.fh = undefined;
        await unlink(seg.path);
        this.segments.delete(seg);
        this.stats.removed++;
      } catch (err) {
        this.events.onError(err as Error, seg.path);
      }
    })();
    this.removals.add(p);
    void p.finally(() => this.removals.delete(p));
  }

  /** Entries journaled and not settled (tests). */
  get unsettled(): number {
    let n = 0;
    for (const s of this.segments) n += s.unsettled;
    return n;
  }

  /**
   * After suc_query.MMDD was closed (flushed and fsynced): delete every settled segment. A segment
   * with an unsettled entry (a write left in doubt at the stop) stays for the next start's recovery.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.seal();
    await Promise.all(this.removals);
    for (const seg of this.segments) {
      if (seg.removing) continue;
      await seg.fh?.close().catch(() => undefined);
      seg.fh = undefined;
    }
  }
}

async function syncDir(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch {
    // Not every file system lets a directory be fsynced; the entries still are.
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------
// Recovery at start

export interface RecoverOptions {
  /** The interface's log dir (`<[log] dir>/<iface>`). */
  dir: string;
  /** The committed TAB_PAY row of a PAYSN (its SOURCE and SERIAL), or undefined: src/serve.ts reads TAB_PAY. */
  lookup(paysn: bigint): Promise<{ source: string; serial: string } | undefined>;
  /** Which journal names to recover (default: every one). The cluster primary recovers a dead worker's `w<number>`. */
  names?: (name: string) => boolean;
  /**
   * Only these journal files (a snapshot taken before serving: a retry must never read a journal
   * a live process created since). Default: every one in `dir`.
   */
  only?: ReadonlySet<string>;
  clock: Clock;
  /** A day file of an earlier day was appended to: compress it again (it may have been archived already). */
  archive?: (file: string) => void;
}

export interface RecoverResult {
  /** Journal files read (and deleted). */
  files: number;
  /** Entries read (a torn last entry of a write cut by the crash is not counted: it never committed). */
  entries: number;
  /** Lines appended to suc_query.MMDD: committed postings whose line was missing. */
  restored: number;
  /** Committed postings whose line was already there. */
  present: number;
  /** Entries of units that did not commit (no TAB_PAY row with that PAYSN, source and serial): no line. */
  absent: number;
}

/** A journal file's name, of a process `names` accepts (default any). */
export function isJournal(file: string, names?: (name: string) => boolean): boolean {
  return file.startsWith(JOURNAL_PREFIX) && (names?.(file.slice(JOURNAL_PREFIX.length).split('.')[0]) ?? true);
}

const PAYSN_IN_LINE = /"paysn":"?(\d+)/;

/** The PAYSNs already written in a day's suc_query file and its archives. */
async function presentIn(dir: string, day: string): Promise<Set<string>> {
  const found = new Set<string>();
  const scan = (text: string) => {
    for (const l of text.split('\n')) {
      const m = PAYSN_IN_LINE.exec(l);
      if (m) found.add(m[1]);
    }
  };
  try {
    scan(await readFile(join(dir, `suc_query.${day}`), 'utf8'));
  } catch {
    // no file of that day
  }
  let bak: string[] = [];
  try {
    bak = await readdir(join(dir, 'bak'));
  } catch {
    // no archives
  }
  const archived = new RegExp(`^suc_query\\.${day}(\\.\\d+)?\\.gz$`);
  for (const f of bak.filter((f) => archived.test(f))) {
    try {
      scan(gunzipSync(await readFile(join(dir, 'bak', f))).toString('utf8'));
    } catch {
      // unreadable archive: its lines cannot be counted (a restored line may then be doubled)
    }
  }
  return found;
}

/**
 * Restore the suc_query.MMDD lines a crash lost: read the journal files left in `dir`, keep the
 * entries whose posting committed (TAB_PAY), append those whose PAYSN no line of their day (or the
 * next: a line may cross midnight) has, fsync, then delete the journal files. Throws (leaving the
 * files for a later attempt) when the database cannot be read.
 */
export async function recoverPostings(o: RecoverOptions): Promise<RecoverResult> {
  const result: RecoverResult = { files: 0, entries: 0, restored: 0, present: 0, absent: 0 };
  let names: string[];
  try {
    names = (await readdir(o.dir)).filter((f) => isJournal(f, o.names) && (o.only?.has(f) ?? true));
  } catch {
    return result;
  }
  if (names.length === 0) return result;
  names.sort();
  // paysn → its entries (on SQLite a PAYSN of a rolled-back unit can come back: the row decides which)
  const byPaysn = new Map<string, Entry[]>();
  for (const f of names) {
    const text = await readFile(join(o.dir, f), 'utf8');
    result.files++;
    for (const raw of text.split('\n')) {
      if (raw === '') continue;
      let e: Entry;
      try {
        e = JSON.parse(raw) as Entry;
      } catch {
        continue; // the last entry of a write the crash cut: its batch never committed
      }
      if (typeof e.paysn !== 'string' || typeof e.line !== 'string' || typeof e.t !== 'number') continue;
      result.entries++;
      const list = byPaysn.get(e.paysn);
      if (list) list.push(e);
      else byPaysn.set(e.paysn, [e]);
    }
  }
  const toWrite = new Map<string, Entry[]>();
  const present = new Map<string, Set<string>>();
  const presentOn = async (day: string) => {
    let s = present.get(day);
    if (!s) present.set(day, (s = await presentIn(o.dir, day)));
    return s;
  };
  for (const [paysn, entries] of byPaysn) {
    const row = await o.lookup(BigInt(paysn));
    const e = row && entries.find((x) => String(row.source).trim() === x.source.trim() && String(row.serial).trim() === x.serial.trim());
    if (!e) {
      result.absent += entries.length;
      continue;
    }
    const day = mmdd(e.t);
    if ((await presentOn(day)).has(paysn) || (await presentOn(mmdd(nextLocalMidnight(e.t)))).has(paysn)) {
      result.present++;
      continue;
    }
    const list = toWrite.get(day);
    if (list) list.push(e);
    else toWrite.set(day, [e]);
    (await presentOn(day)).add(paysn);
  }
  const today = mmdd(o.clock.now());
  for (const [day, entries] of toWrite) {
    entries.sort((a, b) => a.t - b.t);
    const file = join(o.dir, `suc_query.${day}`);
    const fd = fs.openSync(file, 'a');
    try {
      fs.writeSync(fd, entries.map((e) => e.line).join(''));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    result.restored += entries.length;
    if (day !== today) o.archive?.(file);
  }
  await syncDir(o.dir);
  for (const f of names) await unlink(join(o.dir, f));
  await syncDir(o.dir);
  return result;
}

/** recoverPostings for one interface dir, the outcome logged to warn.log (with what it restored). */
export async function recoverAndLog(o: RecoverOptions & { log: Logger }): Promise<RecoverResult> {
  const r = await recoverPostings(o);
  if (r.files > 0) {
    o.log.warn({ dir: o.dir, ...r }, `posting journal recovered: ${r.restored} suc_query line(s) restored, ${r.present} already there, ${r.absent} entry(ies) of postings that did not commit`);
  }
  return r;
}
