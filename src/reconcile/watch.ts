// PC-07: the drop directory `bssgate serve` watches ([card] reconcile_dir, every [card]
// poll_interval): each file is reconciled (src/reconcile/run.ts) and moved to done/, or to
// rejected/ with the reason beside it (docs/reconciliation.md).
import { mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CardConfig } from '../config/types.js';
import { ReconFormatError } from './parse.js';
import { exists } from './report.js';
import { reconcileFile, type ReconcileOptions } from './run.js';

export interface DropWatcher {
  /** Look once now (tests; the timer calls it too). Resolves when the files found are done. */
  scan(): Promise<void>;
  stop(): Promise<void>;
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
    mkdirSync(d, { recursive: true });
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
