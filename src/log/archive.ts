// OP-03: earlier days' log files are gzip-compressed into `<dir>/<iface>/bak/<name>.gz` and the
// originals removed — what operators used to do by hand every evening. Work runs in the
// background, one file at a time (2 cores are shared with the request path), with node:zlib
// streams: no sync fs call and no whole file in memory.
import { createReadStream, createWriteStream } from 'node:fs';
import { open, readdir, rename, stat, unlink, utimes } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Clock } from '../clock.js';
import { ensureDir } from '../dirs.js';
import { localMidnight, mmdd } from './local-time.js';
import { TRACE_FILE_NAME, TRACE_MAX_MS, traceDir } from './trace-files.js';

/** The daily families (OP-02). warn.log is not among them: it is one file per log dir. */
export const DAILY_FAMILIES = ['query', 'ans', 'err', 'suc_query'] as const;
export type DailyFamily = (typeof DAILY_FAMILIES)[number];

const DAILY_NAME = new RegExp(`^(${DAILY_FAMILIES.join('|')})\\.(\\d{4})$`);
const DAY_MS = 86_400_000;
/** Margin over the longest trace before its file may count as ended (daylight-saving hours, clock steps). */
const TRACE_MARGIN_MS = 2 * 3600_000;

export interface ArchiveEvents {
  /** A problem that must not stop the gateway: reported to warn.log. */
  onError(err: Error, file: string): void;
  onArchived?(from: string, to: string): void;
  onDeleted?(file: string): void;
}

export class Archiver {
  private readonly queue: string[] = [];
  /** .gz.tmp files being written right now. */
  private readonly inProgress = new Set<string>();
  private readonly queued = new Set<string>();
  private running: Promise<void> | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly retentionDays: number,
    private readonly events: ArchiveEvents,
  ) {}

  /** Queue one finished day file for compression; returns at once. */
  enqueue(file: string): void {
    if (this.queued.has(file)) return;
    this.queued.add(file);
    this.queue.push(file);
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
  }

  /** Resolves when every queued file has been compressed (or failed and been reported). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async run(): Promise<void> {
    // Yield first so that a rotation inside a request's write never waits on disk work.
    await new Promise<void>((r) => setImmediate(r));
    for (let file = this.queue.shift(); file !== undefined; file = this.queue.shift()) {
      try {
        await this.compress(file);
        await this.prune(join(dirname(file), 'bak'));
        await this.pruneTraces(dirname(dirname(file)));
      } catch (err) {
        this.events.onError(err as Error, file);
      } finally {
        this.queued.delete(file);
      }
    }
  }

  private async compress(file: string): Promise<void> {
    const bak = join(dirname(file), 'bak');
    await ensureDir(bak);
    const st = await stat(file);
    const target = await freeName(bak, basename(file));
    const tmp = `${target}.tmp`;
    // The start-up sweep removes leftover .gz.tmp files of a crash; never this one, in progress.
    this.inProgress.add(tmp);
    try {
      await this.compressTo(file, st, tmp, target, bak);
    } finally {
      this.inProgress.delete(tmp);
    }
  }

  private async compressTo(file: string, st: Awaited<ReturnType<typeof stat>>, tmp: string, target: string, bak: string): Promise<void> {
    await pipeline(createReadStream(file), createGzip(), createWriteStream(tmp));
    // The archive keeps the day's mtime: retention counts from the day logged, not from when it was compressed.
    await utimes(tmp, st.atime, st.mtime);
    // Durability before the original goes: the .gz data must be on disk (fsync the file), and
    // so must its name after the rename (fsync bak/). Otherwise a power loss shortly after the
    // unlink can leave neither the day's log nor a complete archive of it.
    await fsyncPath(tmp, 'r+');
    await rename(tmp, target);
    // (Windows cannot open a directory for fsync; NTFS journals the rename itself.)
    if (process.platform !== 'win32') await fsyncPath(bak, 'r');
    await unlink(file);
    this.events.onArchived?.(file, target);
  }

  /** Delete archives in `bak` whose day ended more than retention_days ago. */
  prune(bak: string): Promise<void> {
    return this.deleteOlder(bak, (name) => name.endsWith('.gz'), localMidnight(this.clock.now()) - this.retentionDays * DAY_MS);
  }

  /**
   * Delete per-number trace files (`<dir>/trace/<number>.<start>.log`) last written before the
   * retention cutoff, as archives are. A trace runs at most TRACE_MAX_MS and writes its last line
   * when it ends, so a file untouched for longer than that (with a margin) belongs to an ended
   * trace, whatever the retention: a running trace's file is never deleted. `active.json` and
   * names of any other form are not touched.
   */
  pruneTraces(logDir: string): Promise<void> {
    const now = this.clock.now();
    const cutoff = Math.min(localMidnight(now) - this.retentionDays * DAY_MS, now - TRACE_MAX_MS - TRACE_MARGIN_MS);
    return this.deleteOlder(traceDir(logDir), (name) => TRACE_FILE_NAME.test(name), cutoff);
  }

  /** Delete the files of `dir` whose names `matches` accepts, last modified before `cutoff` (epoch ms); a missing dir has none. */
  private async deleteOlder(dir: string, matches: (name: string) => boolean, cutoff: number): Promise<void> {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const name of names) {
      if (!matches(name)) continue;
      const f = join(dir, name);
      const st = await stat(f).catch(() => undefined);
      if (st?.isFile() && st.mtimeMs < cutoff) {
        await unlink(f).catch((err: Error) => this.events.onError(err, f));
        this.events.onDeleted?.(f);
      }
    }
  }

  /**
   * At start: files of earlier days left uncompressed (a crash, or the process was down at
   * midnight) are queued, half-written `.gz.tmp` files removed, old archives and ended trace files pruned.
   * A file counts as an earlier day's when its MMDD is not today's, or it was last written
   * before today's local midnight (the same MMDD a year ago).
   */
  async sweep(logDir: string, isActive: (file: string) => boolean = () => false): Promise<void> {
    let dirs: string[];
    try {
      dirs = (await readdir(logDir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const d of dirs) {
      const ifaceDir = join(logDir, d);
      for (const name of await readdir(ifaceDir)) {
        const m = DAILY_NAME.exec(name);
        if (!m) continue;
        const f = join(ifaceDir, name);
        const st = await stat(f).catch(() => undefined);
        // "Today" is read when each file is judged, not once at the start: a sweep that runs
        // across midnight must not take the new day's file (just opened) for a leftover; and a
        // file a DailyFile is writing is never archived under it.
        const now = this.clock.now();
        if (st?.isFile() && !isActive(f) && (m[2] !== mmdd(now) || st.mtimeMs < localMidnight(now))) this.enqueue(f);
      }
      const bak = join(ifaceDir, 'bak');
      for (const name of await readdir(bak).catch(() => [] as string[])) {
        if (name.endsWith('.gz.tmp') && !this.inProgress.has(join(bak, name))) await unlink(join(bak, name)).catch(() => undefined);
      }
      await this.prune(bak);
    }
    await this.pruneTraces(logDir);
  }
}

/** `query.1122.gz`, or `query.1122.1.gz`… when that name is taken (the same MMDD of another year). */
async function freeName(bak: string, name: string): Promise<string> {
  for (let i = 0; ; i++) {
    const candidate = join(bak, i === 0 ? `${name}.gz` : `${name}.${i}.gz`);
    const taken = await stat(candidate).then(
      () => true,
      () => false,
    );
    if (!taken) return candidate;
  }
}

/** fsync a file ('r+') or a directory ('r': Linux allows fsync on a directory opened read-only). */
async function fsyncPath(path: string, flags: 'r' | 'r+'): Promise<void> {
  const fh = await open(path, flags);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
