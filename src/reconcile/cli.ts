// The CLI of the card postings: `bssgate reconcile <file>` (PC-07) and
// `bssgate report card-payments --since 1h` (PC-08), registered by src/cli.ts.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import pino, { type Logger } from 'pino';
import type { Config, DatabaseConfig } from '../config/types.js';
import { DEFAULT_CARD } from '../config/keys.js';
import { createLogs } from '../log/index.js';
import type { Store } from '../store/types.js';
import { systemClock, type Clock } from '../clock.js';
import { cardPaymentsReport, parseSince } from './card-payments.js';
import { parseReconFile, ReconFormatError, type ReconFile } from './parse.js';
import { reconcile } from './run.js';
import { prepareCardDirs } from './watch.js';
import { cliLog, type ProgressStream } from '../cli-progress.js';

export interface CardCommandDeps {
  loadConfig(files: string[]): Config;
  openStore(cfg: DatabaseConfig, log: Logger): Promise<Store>;
  out?: (text: string) => void;
  clock?: Clock;
  /** Where progress goes instead of stderr (tests: a stream with isTTY). */
  progress?: ProgressStream;
}

import { configOption, noStrayArguments, requireConfig } from '../config/cli-options.js';

/** `bssgate reconcile <file>`: 0 reconciled (the report lists the differences), 1 refused (malformed or failed: nothing applied). */
export async function reconcileCommand(path: string, opts: { config?: string[]; json?: boolean }, deps: CardCommandDeps): Promise<number> {
  const out = deps.out ?? ((s: string) => void process.stdout.write(s));
  const cfg = deps.loadConfig(requireConfig('reconcile', opts));
  // Issue 18: on a terminal a progress bar over the file's lines; JSON (warnings) otherwise or with --json.
  const progress = cliLog({ json: opts.json, stream: deps.progress, level: 'warn' });
  const log = progress.log;
  const clock = deps.clock ?? systemClock;
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch (err) {
    out(`${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); nothing applied\n`);
    return 1;
  }
  let file: ReconFile;
  try {
    file = parseReconFile(text);
  } catch (err) {
    if (!(err instanceof ReconFormatError)) throw err;
    out(`${path}: malformed at line ${err.line}: ${err.reason}; nothing applied\n`);
    return 1;
  }
  prepareCardDirs(cfg.card ?? DEFAULT_CARD, { drop: false });
  const cardIface = cfg.interfaces.find((i) => i.kind === 'card');
  const logs = cardIface ? createLogs(cfg.log, { clock, stderr: false, journal: 'reconcile' }) : undefined;
  let store: Store;
  try {
    store = await deps.openStore(cfg.database, log);
  } catch (err) {
    await logs?.close();
    throw err;
  }
  try {
    const r = await reconcile(file, path, { store, clock, log, card: cfg.card, postings: cardIface ? logs?.forInterface(cardIface.name).postings : undefined });
    progress.end();
    const summary = readFileSync(r.reportPath, 'utf8').trimEnd().split('\n').pop();
    if (opts.json) {
      out(JSON.stringify({ file: path, client: r.client, day: r.day, lines: file.lines.length, differences: r.differences.length, postings: r.postings, summary, report: r.reportPath }) + '\n');
      return 0;
    }
    out(`${path}: client ${r.client}, day ${r.day}: ${summary}; ${r.postings} postings; report ${r.reportPath}\n`);
    return 0;
  } finally {
    await logs?.close();
    await store.close();
  }
}

/** `bssgate report card-payments --since 1h`. */
export async function cardPaymentsCommand(opts: { config?: string[]; since: string; json?: boolean }, deps: CardCommandDeps): Promise<number> {
  const out = deps.out ?? ((s: string) => void process.stdout.write(s));
  const since = parseSince(opts.since);
  const cfg = deps.loadConfig(requireConfig('report card-payments', opts));
  const store = await deps.openStore(cfg.database, pino({ level: 'warn' }, pino.destination(2)));
  try {
    out(await cardPaymentsReport(store, since, { clock: deps.clock, json: opts.json }));
    return 0;
  } finally {
    await store.close();
  }
}

export function registerCardCommands(program: Command, deps: CardCommandDeps): void {
  noStrayArguments(program
    .command('reconcile'))
    .description("PC-07: reconcile the card system's daily file (docs/reconciliation.md); exit 0 reconciled (see the report), 1 refused: nothing applied")
    .argument('<file>', 'the reconciliation file (H|client|YYYYMMDD|count|net, then P| and R| lines)')
    .addOption(configOption('naming the database and [card]'))
    .option('--json', 'the result as JSON, and pino JSON lines on stderr (the default when stderr is not a terminal; on a terminal: a progress bar)')
    .action(async (path: string, opts: { config?: string[]; json?: boolean }) => {
      process.exitCode = await reconcileCommand(path, opts, deps);
    });
  const report = program.commands.find((c) => c.name() === 'report') ?? program.command('report').description('reports for operators');
  noStrayArguments(report
    .command('card-payments'))
    .description("PC-08: the card postings (TAB_PAY PAYMODE 15) of a recent window, newest first (the legacy select … paymode='15')")
    .option('--since <time>', 'the window: 1h, 30m, 90s, 2d (a bare number is minutes)', '1h')
    .option('--json', 'one JSON object a line')
    .addOption(configOption('naming the database'))
    .action(async (opts: { config?: string[]; since: string; json?: boolean }) => {
      process.exitCode = await cardPaymentsCommand(opts, deps);
    });
}
