// PC-07 daily reconciliation (对帐文件, docs/reconciliation.md): one file, one transaction. The
// file is parsed (src/reconcile/parse.ts: refused whole, with a line number, when malformed),
// compared with our card postings and our side made to agree (src/reconcile/rules.ts: the card
// system is authoritative; each correction a posting of its own through src/domain/posting.ts,
// never an edit in place), all of it with the BSG_META `card_reconciled_through.<client>` mark in
// that transaction, the suc_query.MMDD lines journaled last before its COMMIT
// (src/log/posting-journal.ts); then those lines and the report (src/reconcile/report.ts).
// Re-running a file finds everything in place and changes nothing.
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { DEFAULT_CARD } from '../config/keys.js';
import type { CardConfig } from '../config/types.js';
import type { Journaled, PostingLog } from '../log/posting-journal.js';
import { RECON_OPERATOR } from '../domain/posting.js';
import { RECONCILED_META_PREFIX } from '../idempotency.js';
import { META_GET, META_SET } from '../store/queries/payments.js';
import type { Store } from '../store/types.js';
import { systemClock, type Clock } from '../clock.js';
import { parseReconFile, type ReconFile } from './parse.js';
import { writeReport } from './report.js';
import { compareAndCorrect, type Difference } from './rules.js';

export interface ReconResult {
  file: string;
  client: string;
  day: string;
  differences: Difference[];
  /** Postings made (0 on a re-run). */
  postings: number;
  reportPath: string;
}

export interface ReconcileOptions {
  store: Store;
  clock?: Clock;
  log: Logger;
  card?: CardConfig;
  /**
   * suc_query.MMDD of the postings made (optional): journaled before the commit, written after it
   * (src/log/posting-journal.ts).
   */
  postings?: PostingLog;
}

/** BSG_META key of a client's last reconciled day (read by PC-06's purge, src/idempotency.ts). */
export const reconciledKey = (client: string): string => `${RECONCILED_META_PREFIX}${client}`;

/** Reconcile one parsed file; everything in one transaction. */
export async function reconcile(file: ReconFile, fileName: string, o: ReconcileOptions): Promise<ReconResult> {
  const clock = o.clock ?? systemClock;
  const card = o.card ?? DEFAULT_CARD;
  const client = file.client;
  let journaled: Journaled | undefined;
  const outcome = await o.store.transaction(async (tx) => {
    // The posting domain's input: this transaction, the clock, [card], the reconciliation's operator.
    // Progress of a large file: every step at debug (a terminal's bar, src/cli-progress.ts), every 5 s at info.
    let lastInfo = performance.now();
    const progress = (done: number, of: number): void => {
      if (performance.now() - lastInfo > 5000) {
        lastInfo = performance.now();
        o.log.info({ file: fileName, done, of }, 'reconciliation progress');
      } else if (o.log.isLevelEnabled('debug')) o.log.debug({ done, of }, 'reconciliation progress');
    };
    // The dialect: on PostgreSQL a resume command queued by a posting notifies the scanners
    // (cmd.notify) with this COMMIT, as the gateway's own postings do.
    const compared = await compareAndCorrect({ tx, clock, card, operator: RECON_OPERATOR, dialect: o.store.dialect }, file, progress);
    // The mark PC-06's purge reads; never moved back by an older file.
    const key = reconciledKey(client);
    const prev = await META_GET.one(tx, { key });
    if (!prev || prev.value < file.day) await META_SET.run(tx, { key, value: file.day });
    // Last before the COMMIT: the lines on disk in the journal. If the commit then fails (or its
    // outcome is unknown), the entries stay unsettled and the next start's recovery asks TAB_PAY.
    if (o.postings && compared.lines.length > 0) journaled = await o.postings.prepare(compared.lines);
    return compared;
  }).catch((err: unknown) => {
    throw new Error(`${fileName}: nothing applied: ${(err as Error).message}`, { cause: err });
  });
  const { differences, postings } = outcome;
  if (journaled) o.postings?.commit(journaled);
  let reportPath: string;
  try {
    reportPath = writeReport(card.reportDir, fileName, file, differences, clock);
  } catch (err) {
    // Committed already: say so (a re-run changes nothing and writes the report).
    throw new Error(`${fileName}: reconciled (${postings} postings committed) but the report could not be written to ${card.reportDir}: ${(err as Error).message}; run the file again for its report`, { cause: err });
  }
  o.log.info({ file: fileName, client, day: file.day, differences: differences.length, postings, report: reportPath }, 'reconciliation done');
  return { file: fileName, client, day: file.day, differences, postings, reportPath };
}

/** Read, parse and reconcile one file (ReconFormatError when malformed: nothing applied). */
export async function reconcileFile(path: string, o: ReconcileOptions): Promise<ReconResult> {
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch (err) {
    throw new Error(`${path}: cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const file = parseReconFile(text);
  return reconcile(file, path, o);
}
