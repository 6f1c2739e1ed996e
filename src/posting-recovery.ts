// The start-up recovery of suc_query.MMDD (docs/logs.md "Postings"): before a gateway serves, the
// posting journals a crash left in every interface's log dir are read, and the line of each
// posting that committed (TAB_PAY has its PAYSN with the same SOURCE and SERIAL) is appended to
// its day's suc_query file unless already there (src/log/posting-journal.ts recoverPostings).
// Single process: at start, every journal. Cluster: the primary at start (before forking), every
// journal; and a worker's own journals (`w<number>`) when that worker exits.
// While the database does not answer, the journals stay and the recovery is retried.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './config/types.js';
import type { Logs } from './log/index.js';
import { isJournal, recoverAndLog } from './log/posting-journal.js';
import { PAY_BY_PAYSN } from './store/queries/payments.js';
import type { Store } from './store/types.js';
import type { Clock } from './types.js';

/** How often a recovery the database did not let finish is tried again. */
export const RECOVERY_RETRY_MS = 5_000;

export interface PostingRecovery {
  /** Resolves once every journal was recovered (or the recovery was cancelled). */
  readonly done: Promise<void>;
  /** Stop retrying (the gateway stops; the next start recovers). */
  cancel(): void;
}

/**
 * Recover the posting journals of every interface of `config` (only the journal names
 * `opts.names` accepts, default all). `opts.archive`: an earlier day's file appended to is
 * compressed again (at start; not while workers may still hold it). The first attempt is awaited by the caller through `first`: true when
 * it completed, false when it failed (logged) and is being retried in the background.
 */
export function recoverPostingJournals(
  config: Config,
  store: Store,
  logs: Logs,
  clock: Clock,
  opts: { names?: (name: string) => boolean; archive?: boolean } = {},
): PostingRecovery & { first: Promise<boolean> } {
  let cancelled = false;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  const lookup = async (paysn: bigint) => {
    const row = await PAY_BY_PAYSN.one(store, { paysn });
    return row ? { source: String(row.source), serial: String(row.serial) } : undefined;
  };
  // The journals there are now: a retry never reads one a process started since has created.
  const snapshot = config.interfaces.map((iface) => {
    const dir = join(config.log.dir, iface.name);
    let files: string[] = [];
    try {
      files = readdirSync(dir).filter((f) => isJournal(f, opts.names));
    } catch {
      // no such dir yet
    }
    return { dir, only: new Set(files) };
  });
  const once = async (): Promise<void> => {
    for (const { dir, only } of snapshot) {
      if (only.size === 0) continue;
      await recoverAndLog({ dir, only, lookup, names: opts.names, clock, archive: opts.archive ? (f) => logs.archive(f) : undefined, log: logs.main });
    }
  };
  let resolveFirst!: (ok: boolean) => void;
  const first = new Promise<boolean>((r) => (resolveFirst = r));
  const done = (async () => {
    // The start-up sweep compresses earlier days: let it finish before a day file is appended to.
    if (snapshot.every((s) => s.only.size === 0)) {
      resolveFirst(true);
      return;
    }
    await logs.flush().catch(() => undefined);
    for (let attempt = 1; !cancelled; attempt++) {
      try {
        await once();
        resolveFirst(true);
        return;
      } catch (err) {
        if (attempt === 1 || attempt % 12 === 0) {
          logs.main.error({ err, attempt }, `suc_query recovery from the posting journal failed (the journal files stay); retried every ${RECOVERY_RETRY_MS / 1000} s`);
        }
        resolveFirst(false);
        await new Promise<void>((r) => {
          wake = r;
          timer = setTimeout(r, RECOVERY_RETRY_MS);
          timer.unref();
        });
      }
    }
    resolveFirst(false);
  })();
  return {
    first,
    done,
    cancel() {
      cancelled = true;
      if (timer) clearTimeout(timer);
      wake?.();
    },
  };
}
