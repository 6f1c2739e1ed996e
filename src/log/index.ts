// The log families legacy operators know (OP-02), per interface, under `<dir>/<iface>/`:
//   query.MMDD      each request (time, conn, peer, seq, biz, serial, operator, redacted body)
//   ans.MMDD        each answer (seq, biz, result code, elapsed ms)
//   err.MMDD        malformed frames, handler exceptions, refusals, socket errors
//   suc_query.MMDD  card interface: successful postings, crash-safe through a write-ahead journal
//                   (`postings`, posting-journal.ts: journaled before the COMMIT, restored at start)
// plus `<dir>/warn.log`: warnings and lifecycle of the whole process (logs.main).
// With several worker processes (src/cluster.ts) every process appends to the same files: each
// file is opened O_APPEND and every write() carries whole lines, so lines never interleave; the
// workers rotate at midnight themselves and report the day files they open and close; only the
// primary compresses a finished day, once no worker holds it (docs/logs.md, "Several workers").
// Rotated at local midnight; earlier days gzip-compressed into `<dir>/<iface>/bak/` (OP-03) and
// deleted after retention_days. Everything stays in-process (pino + sonic-boom, buffered async
// writes, no worker thread): see docs/logs.md.
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import type { Logger } from 'pino';
import sonicBoom from 'sonic-boom';

// sonic-boom is CommonJS; its `.default` is the constructor both in its types and at run time.
const SonicBoom = sonicBoom.default;
import { keyError, type LogConfig } from '../config/types.js';
import { DirectoryError, ensureDirSync, osReason } from '../dirs.js';
import { systemClock, type Clock } from '../clock.js';
import { Archiver, type DailyFamily } from './archive.js';
import { DailyFile } from './daily-file.js';
import { LocalTimeFormatter, nextLocalMidnight } from './local-time.js';
import { redactSecrets } from './redact.js';
import { PostingLog } from './posting-journal.js';
import { flatLine } from './request-lines.js';

export { SECRET_KEYS, redactSecrets } from './redact.js';
export { mmdd } from './local-time.js';

export interface InterfaceLogs {
  /** query.MMDD: one line per request. */
  query: Logger;
  /** ans.MMDD: one line per answer. */
  ans: Logger;
  /** err.MMDD: errors and refusals. */
  err: Logger;
  /** suc_query.MMDD: successful postings (card interface). */
  sucQuery: Logger;
  /**
   * suc_query.MMDD lines of units of work, crash-safe: journaled before the COMMIT, written after
   * it (src/log/posting-journal.ts, docs/logs.md).
   */
  postings: PostingLog;
  /** warn.log, with the binding { iface }. */
  warn: Logger;
}

export interface Logs {
  /** warn.log (and stderr when it is a TTY or [log] stderr = true): warnings and lifecycle. */
  readonly main: Logger;
  /** The loggers of one interface; the same object for the same name. */
  forInterface(name: string): InterfaceLogs;
  /** Every buffered line handed to the kernel (and earlier days' files compressed). */
  flush(): Promise<void>;
  /** Flush, close every file, stop the timers, finish compression in progress. Idempotent. */
  close(): Promise<void>;
  /** Close files whose day is over; called by a timer, exposed for tests that drive the clock. */
  rotateIfDue(): void;
  /** Reopen warn.log (after an external logrotate moved it); daily files rotate themselves. */
  reopen(): void;
  /** Cluster primary: compress this earlier day's file now (no worker holds it any more). */
  archive(file: string): void;
}

/**
 * A cluster worker's logs do not compress: the primary does, once no worker holds the day's file.
 * The worker reports each day file it opens and each it has closed (flushed and fsynced).
 */
export interface ArchiveDelegate {
  opened(file: string): void;
  finished(file: string): void;
}

export interface CreateLogsOptions {
  clock?: Clock;
  /** Overrides [log] stderr and the TTY check (tests pass false). */
  stderr?: boolean;
  /** Cluster worker: no start-up sweep, no compression; files reported to the primary instead. */
  delegate?: ArchiveDelegate;
  /** The start-up sweep of earlier days' files (default: without a delegate only; the cluster primary has both). */
  sweep?: boolean;
  /** This process's posting journal name (default `main`; a cluster worker `w<number>`). */
  journal?: string;
}

/**
 * [log] dir is created (with its parents) and warn.log opened once, synchronously, before the
 * asynchronous writer: a directory that cannot be created or written stops the start with one
 * ConfigError naming the file, [log] and dir and the OS reason (sonic-boom's own mkdir would spin
 * for ever under /proc, and its failed open ended in an ERR_OUT_OF_RANGE stack trace).
 */
function openLogDir(cfg: LogConfig, warnPath: string): void {
  try {
    ensureDirSync(cfg.dir);
  } catch (err) {
    if (err instanceof DirectoryError) throw keyError(cfg.dirSource, 'log', 'dir', err.message);
    throw err;
  }
  try {
    closeSync(openSync(warnPath, 'a'));
  } catch (err) {
    throw keyError(cfg.dirSource, 'log', 'dir', `cannot open ${warnPath} for appending: ${osReason(err)}`);
  }
}

/** Interface names become directory names: refuse anything that could leave the log dir. */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** The idle rotation check runs at least this often (and at midnight itself). */
const IDLE_CHECK_MAX_MS = 60_000;

export function createLogs(cfg: LogConfig, opts: CreateLogsOptions = {}): Logs {
  const clock = opts.clock ?? systemClock;
  const stamp = new LocalTimeFormatter();
  // `"time":"2024-11-22T09:15:03.123+08:00"` in local time, from the injectable clock.
  // The same string for every line of one millisecond (issue 17: the request lines reuse their
  // start while the stamp is unchanged, src/log/request-lines.ts).
  let stampMs = NaN;
  let stampText = '';
  const timestamp = (): string => {
    const ms = clock.now();
    if (ms !== stampMs) {
      stampText = `,"time":"${stamp.format(ms)}"`;
      stampMs = ms;
    }
    return stampText;
  };
  const formatters = {
    level: (label: string) => ({ level: label }),
    // Secret keys at any depth of the logged object (src/log/redact.ts says why not pino redact).
    log: (obj: Record<string, unknown>) => redactSecrets(obj),
  };

  // warn.log: low volume, so no buffering (minLength 0): a warning is on disk before a crash.
  const warnPath = join(cfg.dir, 'warn.log');
  openLogDir(cfg, warnPath);
  const warnFile = new SonicBoom({ dest: warnPath, append: true, sync: false });
  warnFile.on('error', (err: Error) => process.stderr.write(`bssgate: cannot write ${warnPath}: ${err.message}\n`));
  const toStderr = opts.stderr ?? cfg.stderr ?? process.stderr.isTTY === true;
  let warnClosed = false;
  let warnBroken = false;
  // A line logged after close() (a late socket event) is dropped, not thrown from pino.
  const mainDest = {
    write(line: string): boolean {
      if (warnClosed) return false;
      if (toStderr) process.stderr.write(line);
      try {
        return warnFile.write(line);
      } catch (err) {
        // sonic-boom throws from write() when its file could not be (re)opened (fd -1, e.g. after
        // an external logrotate moved the directory away): the line is lost, the process is not.
        if (!warnBroken) process.stderr.write(`bssgate: cannot write ${warnPath}: ${(err as Error).message}; warn.log lines are dropped until it can be reopened\n`);
        warnBroken = true;
        return false;
      }
    },
  };
  const main = pino({ level: cfg.level, timestamp, formatters, base: { pid: process.pid } }, mainDest);

  const archiver = new Archiver(clock, cfg.retentionDays, {
    onError: (err, file) => main.warn({ err, file }, 'log archiving failed'),
    onArchived: (from, to) => main.debug({ from, to }, 'log archived'),
    onDeleted: (file) => main.info({ file }, 'log archive deleted after retention_days'),
  });
  const files: DailyFile[] = [];
  const delegate = opts.delegate;
  const sweeping = !(opts.sweep ?? !delegate)
    ? Promise.resolve()
    : archiver.sweep(cfg.dir, (f) => files.some((d) => d.owns(f))).catch((err: Error) => main.warn({ err }, 'log sweep failed'));

  const byName = new Map<string, InterfaceLogs>();
  let closed: Promise<void> | undefined;

  const postingLogs: PostingLog[] = [];
  const dailyFile = (ifaceDir: string, family: DailyFamily): DailyFile => {
    const file = new DailyFile(ifaceDir, family, clock, {
      onOpened: delegate ? (f) => delegate.opened(f) : undefined,
      onFinished: delegate ? (f) => delegate.finished(f) : (f) => archiver.enqueue(f),
      onError: (err, f) => main.error({ err, file: f }, 'log write failed'),
      onDrop: (bytes, f) => main.error({ bytes, file: f }, 'log lines dropped: the disk is not keeping up'),
    });
    files.push(file);
    return file;
  };
  const daily = (ifaceDir: string, family: DailyFamily, level: pino.LevelWithSilent): Logger =>
    pino({ level, timestamp, formatters, base: undefined }, dailyFile(ifaceDir, family));

  // Idle rotation: sleep until the next midnight (at most a minute at a time, so a changed
  // system clock is noticed), then close finished days. unref: never keeps the process alive.
  let timer: NodeJS.Timeout | undefined;
  const schedule = (): void => {
    const now = clock.now();
    timer = setTimeout(tick, Math.max(10, Math.min(IDLE_CHECK_MAX_MS, nextLocalMidnight(now) - now + 5)));
    timer.unref();
  };
  const rotateIfDue = (): void => {
    for (const f of files) f.rotateIfDue();
  };
  const tick = (): void => {
    rotateIfDue();
    if (!closed) schedule();
  };
  schedule();

  return {
    main,
    forInterface(name: string): InterfaceLogs {
      const known = byName.get(name);
      if (known) return known;
      if (!SAFE_NAME.test(name)) throw new Error(`interface name ${JSON.stringify(name)} cannot be a log directory name`);
      const dir = join(cfg.dir, name);
      const bindings = { iface: name };
      const requests = cfg.requests ? 'info' : 'silent';
      const sucFile = dailyFile(dir, 'suc_query');
      // The posting journal writes the very bytes pino would: one line made by a logger of the same
      // settings whose destination keeps it (pino writes synchronously).
      let made = '';
      const maker = pino({ level: 'info', timestamp, formatters, base: undefined }, { write: (line: string) => void (made = line) }).child(bindings);
      const flat = flatLine(maker);
      const postings = new PostingLog(dir, opts.journal ?? 'main', sucFile, (line) => {
        const l = flat(line);
        if (l !== undefined) return l;
        maker.info(line);
        return made;
      }, clock, { onError: (err, f) => main.error({ err, file: f }, 'posting journal failed') });
      postingLogs.push(postings);
      const logs: InterfaceLogs = {
        query: daily(dir, 'query', requests).child(bindings),
        ans: daily(dir, 'ans', requests).child(bindings),
        err: daily(dir, 'err', 'info').child(bindings),
        sucQuery: pino({ level: 'info', timestamp, formatters, base: undefined }, sucFile).child(bindings),
        postings,
        warn: main.child(bindings),
      };
      byName.set(name, logs);
      return logs;
    },
    async flush(): Promise<void> {
      await Promise.all(files.map((f) => f.flush()));
      if (!warnClosed) await new Promise<void>((resolve) => warnFile.flush(() => resolve()));
      await sweeping;
      await archiver.idle();
    },
    rotateIfDue,
    reopen(): void {
      warnFile.reopen();
    },
    archive(file: string): void {
      archiver.enqueue(file);
    },
    close(): Promise<void> {
      closed ??= (async () => {
        if (timer) clearTimeout(timer);
        await Promise.all(files.map((f) => f.close()));
        // suc_query.MMDD is closed (fsynced): the settled journal segments can go.
        await Promise.all(postingLogs.map((p) => p.close()));
        await sweeping;
        await archiver.idle();
        warnClosed = true;
        await new Promise<void>((resolve) => {
          warnFile.once('close', () => resolve());
          warnFile.once('error', () => resolve());
          warnFile.end();
        });
      })();
      return closed;
    },
  };
}
