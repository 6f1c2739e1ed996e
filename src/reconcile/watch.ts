// PC-07: the drop directory `bssgate serve` watches ([card] reconcile_dir, every [card]
// poll_interval): each file is reconciled (src/reconcile/run.ts) and moved to done/, or to
// rejected/ with the reason beside it (docs/reconciliation.md).
import { readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { keyError, type CardConfig } from '../config/types.js';
import { DirectoryError, ensureDirSync } from '../dirs.js';
import { ReconFormatError } from './parse.js';
import { exists } from './report.js';
import { reconcileFile, type ReconcileOptions } from './run.js';

export interface DropWatcher {
  /** Look once now (tests; the timer calls it too). Resolves when the files found are done. */
  scan(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * PC-07: create the [card] directories about to be used, before anything is applied: report_dir,
 * and reconcile_dir when `drop` (`bssgate serve` watches it). One that cannot be created is a
 * ConfigError naming the file, [card], the key and the OS reason (not a stack trace at the first
 * file, after its postings were committed).
 */
export function prepareCardDirs(card: CardConfig, o: { drop: boolean }): void {
  const dirs: [string, string, CardConfig['reportDirSource']][] = [];
  if (o.drop && card.reconcileDir !== undefined) dirs.push(['reconcile_dir', card.reconcileDir, card.reconcileDirSource]);
  dirs.push(['report_dir', card.reportDir, card.reportDirSource]);
  for (const [key, dir, source] of dirs) {
    try {
      ensureDirSync(dir);
    } catch (err) {
      if (err instanceof DirectoryError) throw keyError(source, 'card', key, err.message);
      throw err;
    }
  }
}

/**
 * Every poll_interval: each regular file in the directory (oldest first) is reconciled and moved to
 * done/, or, when malformed or failing, moved to rejected/ with a `<name>.error` beside it. A file
 * still being written is left for the next look (its size must be the same on two looks).
 */
export function watchDropDirectory(dir: string, o: ReconcileOptions & { card: CardConfig }): DropWatcher {
  const sizes = new Map<string, number>();
  let running: Promise<void> | undefined;
  let stopped = false;
  const moveTo = (sub: string, name: string): string => {
    const d = join(dir, sub);
    ensureDirSync(d);
    let target = join(d, name);
    for (let i = 2; exists(target); i++) target = join(d, `${name}.${i}`);
    renameSync(join(dir, name), target);
    return target;
  };
  const once = async (): Promise<void> => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (err) {
      o.log.warn({ dir, err: (err as Error).message }, '[card] reconcile_dir cannot be read');
      return;
    }
    const files = names
      .filter((n) => !n.startsWith('.') && !n.endsWith('.error'))
      .map((n) => ({ n, st: statSync(join(dir, n), { throwIfNoEntry: false }) }))
      .filter((f) => f.st?.isFile())
      .sort((a, b) => a.st!.mtimeMs - b.st!.mtimeMs);
    for (const { n, st } of files) {
      if (stopped) return;
      if (sizes.get(n) !== st!.size) {
        sizes.set(n, st!.size);
        continue; // seen for the first time, or still growing: next look
      }
      sizes.delete(n);
      let reconciled = false;
      try {
        await reconcileFile(join(dir, n), o);
        reconciled = true;
        moveTo('done', n);
      } catch (err) {
        const file = join(dir, n);
        if (reconciled) {
          // Committed, but it could not be moved: a re-run changes nothing, so the next look is harmless.
          o.log.error({ file, err: (err as Error).message }, 'reconciliation file applied but not moved to done/; it will be looked at again (a re-run changes nothing)');
          continue;
        }
        if (!(err instanceof ReconFormatError)) {
          // Database or file system trouble: nothing was applied; left in place to be run again.
          o.log.error({ file, err: (err as Error).message }, 'reconciliation file failed: nothing applied; it stays in the drop directory and is tried again');
          continue;
        }
        const msg = `malformed: ${err.message}; nothing applied`;
        o.log.error({ file, err: err.message }, `reconciliation file ${msg}`);
        try {
          const target = moveTo('rejected', n);
          writeFileSync(`${target}.error`, `${msg}\n`);
        } catch (e) {
          o.log.error({ file, err: (e as Error).message }, 'malformed reconciliation file could not be moved to rejected/');
        }
      }
    }
  };
  const scan = (): Promise<void> =>
    (running ??= once()
      .catch((err: unknown) => o.log.error({ dir, err: (err as Error).message }, 'reconciliation drop directory scan failed'))
      .finally(() => (running = undefined)));
  const timer = setInterval(() => void scan(), o.card.pollMs);
  timer.unref();
  // Files already there are picked up on the second look (size stable); look once at start.
  void scan();
  return {
    scan,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
