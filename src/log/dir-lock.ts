// One gateway per [log] dir (docs/logs.md "One gateway per log directory"). The posting journal
// (posting-journal.ts) of a gateway is `journal.main…` in its log directory, and at start a
// gateway recovers every journal it finds there into suc_query.MMDD: two gateways sharing the
// directory would write one journal and recover each other's lines while the other is still
// running. `bssgate serve` (the process that owns the journals: the single process, or the cluster
// primary) therefore holds `<dir>/bssgate.lock` while it runs: its pid and host, created with
// O_EXCL. A lock whose process is gone (a SIGKILL, a crash) is taken over; a live one stops the
// start with file, [log] dir and who holds it.
import { closeSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { keyError, type LogConfig } from '../config/types.js';
import { DirectoryError, ensureDirSync, osReason } from '../dirs.js';

export const LOCK_FILE = 'bssgate.lock';

interface Holder {
  pid: number;
  host: string;
}

function readHolder(path: string): Holder | undefined {
  try {
    const [pid, host] = readFileSync(path, 'utf8').trim().split(/\s+/);
    return /^[0-9]+$/.test(pid ?? '') ? { pid: Number(pid), host: host ?? '' } : undefined;
  } catch {
    return undefined;
  }
}

function writeHolder(file: string, flags: 'w' | 'wx', text: string): void {
  const fd = openSync(file, flags, 0o644);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

/** True when a process with this pid runs on this host (EPERM: it runs under another user). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Take the log directory's lock for this process; returns the release (idempotent; removes the
 * file only while it is still ours). Throws a ConfigError naming the file, [log] dir and the
 * holder when another live gateway has it.
 */
export function lockLogDir(cfg: Pick<LogConfig, 'dir' | 'dirSource'>): () => void {
  const fail = (problem: string) => keyError(cfg.dirSource, 'log', 'dir', problem);
  try {
    ensureDirSync(cfg.dir);
  } catch (err) {
    if (err instanceof DirectoryError) throw fail(err.message);
    throw err;
  }
  const path = join(cfg.dir, LOCK_FILE);
  const me = `${process.pid} ${hostname()}\n`;
  const mine = () => {
    const h = readHolder(path);
    return h !== undefined && h.pid === process.pid && h.host === hostname();
  };
  for (let attempt = 0; ; attempt++) {
    try {
      writeHolder(path, 'wx', me);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw fail(`cannot create ${path}: ${osReason(err)}`);
    }
    const h = readHolder(path);
    if (h && h.host !== hostname()) {
      throw fail(`${cfg.dir} is in use by bssgate process ${h.pid} on host ${h.host} (${path}): two gateways must not share a log directory (their posting journals and suc_query would mix); give each its own [log] dir, or delete the file if that gateway is gone`);
    }
    if (h && h.pid !== process.pid && alive(h.pid)) {
      throw fail(`${cfg.dir} is in use by bssgate process ${h.pid} (${path}): two gateways must not share a log directory (their posting journals and suc_query would mix); give each its own [log] dir`);
    }
    if (attempt > 0) throw fail(`cannot take ${path}: another process took it at the same moment`);
    // Its process is gone (or the file is unreadable): take it over in one rename, then go round once more to confirm.
    const tmp = `${path}.${process.pid}`;
    try {
      writeHolder(tmp, 'w', me);
      renameSync(tmp, path);
    } catch (err) {
      throw fail(`cannot take over ${path}: ${osReason(err)}`);
    }
    if (mine()) break;
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    try {
      if (mine()) unlinkSync(path);
    } catch {
      // Gone already: nothing to release.
    }
  };
}
