// Creating the directories the configuration names ([log] dir, the SQLite file's directory, [card]
// reconcile_dir and report_dir, a simulated switch's command_dir and result_dir), with errors an
// operator can act on.
//
// Not fs.mkdir(…, { recursive: true }): Node's recursive mkdir reads ENOENT as "the parent is
// missing", creates the parent (EEXIST: fine) and tries the child again. Under /proc (and other
// file systems that answer ENOENT for a child they will never hold) that is an endless loop at
// full CPU: `[database] path = /proc/nope/x.db` hung `bssgate serve` for ever, and sonic-boom's
// `mkdir: true` hung the same way on a thread-pool thread. Here the walk is bounded by the number
// of path components: find the nearest existing ancestor, then mkdir each missing component once,
// and report the first failure with the component and the OS reason.
import { mkdirSync, statSync, type Stats } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { getSystemErrorMap } from 'node:util';

/** A directory that cannot be created or used; `problem` says which component failed and why. */
export class DirectoryError extends Error {
  constructor(
    /** The directory asked for (absolute). */
    readonly dir: string,
    /** The OS error code (ENOTDIR, ENOENT, EACCES…). */
    readonly code: string,
    /** What went wrong, e.g. "/srv/x is not a directory" or "mkdir /proc/nope: no such file or directory (ENOENT)". */
    readonly problem: string,
  ) {
    super(`cannot create directory ${dir}: ${problem}`);
    this.name = 'DirectoryError';
  }
}

/** "no such file or directory (ENOENT)": the OS reason of a Node system error, without the stack. */
export function osReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (typeof e?.code !== 'string') return (err as Error)?.message ?? String(err);
  const text = typeof e.errno === 'number' ? getSystemErrorMap().get(e.errno)?.[1] : undefined;
  return `${text ?? e.message} (${e.code})`;
}

const code = (err: unknown): string => (err as NodeJS.ErrnoException)?.code ?? 'EIO';

/** The missing components of `target`, outermost first, once the nearest existing ancestor is a directory. */
function missingComponents(target: string, statOf: (p: string) => Stats | undefined): string[] {
  const missing: string[] = [];
  for (let p = target; ; p = dirname(p)) {
    const st = statOf(p);
    if (st === undefined) {
      if (dirname(p) === p) throw new DirectoryError(target, 'ENOENT', `${p} does not exist (ENOENT)`);
      missing.unshift(p);
      continue;
    }
    if (!st.isDirectory()) throw new DirectoryError(target, 'ENOTDIR', st.isFile() ? `${p} is a file, not a directory (ENOTDIR)` : `${p} is not a directory (ENOTDIR)`);
    return missing;
  }
}

/** stat; undefined when the path or one of its parents does not exist (ENOENT) or is not a directory (ENOTDIR). */
function statOrUndefined(target: string, p: string): Stats | undefined {
  try {
    return statSync(p);
  } catch (err) {
    if (code(err) === 'ENOENT' || code(err) === 'ENOTDIR') return undefined;
    throw new DirectoryError(target, code(err), `stat ${p}: ${osReason(err)}`);
  }
}

function mkdirFailed(target: string, p: string, err: unknown, now: Stats | undefined): DirectoryError {
  if (code(err) === 'EEXIST' && now === undefined) return new DirectoryError(target, 'EEXIST', `${p} exists but does not lead to a directory (a dangling symbolic link?) (EEXIST)`);
  if (code(err) === 'EEXIST') return new DirectoryError(target, 'ENOTDIR', `${p} is not a directory (ENOTDIR)`);
  return new DirectoryError(target, code(err), `mkdir ${p}: ${osReason(err)}`);
}

/** mkdir -p that always ends: creates `dir` and its missing parents, or throws a DirectoryError. */
export function ensureDirSync(dir: string): void {
  const target = resolve(dir);
  for (const p of missingComponents(target, (q) => statOrUndefined(target, q))) {
    try {
      mkdirSync(p);
    } catch (err) {
      // Created meanwhile by someone else (another gateway, a worker): fine if it is a directory.
      const now = statSync(p, { throwIfNoEntry: false });
      if (code(err) === 'EEXIST' && now?.isDirectory()) continue;
      throw mkdirFailed(target, p, err, now);
    }
  }
}

/** ensureDirSync without blocking the event loop (the same bounded walk). */
export async function ensureDir(dir: string): Promise<void> {
  const target = resolve(dir);
  // The walk up uses stat results gathered first (async), then the same rule as ensureDirSync.
  const stats = new Map<string, Stats | undefined>();
  for (let p = target; ; p = dirname(p)) {
    let st: Stats | undefined;
    try {
      st = await stat(p);
    } catch (err) {
      if (code(err) !== 'ENOENT' && code(err) !== 'ENOTDIR') throw new DirectoryError(target, code(err), `stat ${p}: ${osReason(err)}`);
    }
    stats.set(p, st);
    if (st !== undefined || dirname(p) === p) break;
  }
  for (const p of missingComponents(target, (q) => stats.get(q))) {
    try {
      await mkdir(p);
    } catch (err) {
      const now = await stat(p).catch(() => undefined);
      if (code(err) === 'EEXIST' && now?.isDirectory()) continue;
      throw mkdirFailed(target, p, err, now);
    }
  }
}
