// `bssgate commands` (what is queued, sending, executed or failed at the switches, and why) and
// `bssgate scan` (a scanner-only process: any number of them on any hosts may share one database).
import type { Command } from 'commander';
import pino, { type Logger } from 'pino';
import type { Config, DatabaseConfig } from '../config/types.js';
import { createLogs } from '../log/index.js';
import { readMeta } from '../store/init.js';
import { AFTER_ALL, CMD_COUNT_BY_STATUS, CMD_LIST_BY_NUMBER, CMD_LIST_BY_STATUS } from '../store/queries/commands.js';
import { SCHEMA_VERSION } from '../store/schema.js';
import { BUSI_STATUS, BUSI_TYPES } from '../domain/codes.js';
import type { AdminStore } from '../store/types.js';
import { describeSwitches, startScanner } from './switches.js';

export interface ScannerCommandDeps {
  loadConfig(files: string[]): Config;
  openStore(cfg: DatabaseConfig, log: Logger): Promise<AdminStore>;
  out?: (text: string) => void;
}

import { configOption, noStrayArguments, requireConfig } from '../config/cli-options.js';

/** --state names → USR_BUSI_RECORD.STATUS. */
export const COMMAND_STATES = {
  queued: BUSI_STATUS.QUEUED.code,
  sending: BUSI_STATUS.SENDING.code,
  executed: BUSI_STATUS.EXECUTED.code,
  failed: BUSI_STATUS.FAILED.code,
} as const;
export type CommandState = keyof typeof COMMAND_STATES;

const STATE_OF = new Map<number, string>(Object.entries(COMMAND_STATES).map(([k, v]) => [v, k]));
const BUSI_NAME = new Map<number, string>(Object.values(BUSI_TYPES).map((b) => [b.code, b.zh]));

function wireTime(s: string): string {
  return s === '' ? '' : `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)} ${s.slice(8, 10)}:${s.slice(10, 12)}:${s.slice(12, 14)}`;
}

type ListRow = Awaited<ReturnType<typeof CMD_LIST_BY_STATUS.all>>[number];

/**
 * --origin: `scanner`, records bssgate's scanner claimed and tried (they have a BSG_CMD_QUEUE row);
 * `other`, records another system set final (the legacy program, the front office, the demo data's
 * seeded history): bssgate never sent them. The query's :origin code.
 */
export const COMMAND_ORIGINS = { all: 0, scanner: 1, other: 2 } as const;
export type CommandOrigin = keyof typeof COMMAND_ORIGINS;

/** The origin of a listed record. */
export function originOf(r: ListRow): 'scanner' | 'other' {
  return r.attempts !== null ? 'scanner' : 'other';
}

/** What a page holds and what is left: printed after the list. */
export interface PageInfo {
  /** Records matching, from the page's start on (this page included). */
  total: number;
  /** Of those, handled by bssgate's scanner. */
  byScanner: number;
  what: string;
  /** The command line of the next page without --after (e.g. "commands --state failed"). */
  again: string;
}

/** The footer: how many shown of how many, by origin, and how to get the next page. */
export function formatPageFooter(rows: readonly ListRow[], p: PageInfo): string {
  const more = p.total - rows.length;
  const other = p.total - p.byScanner;
  const origins = `${p.byScanner} by bssgate's scanner, ${other} other (not sent by bssgate: the legacy program, the front office, or seeded demo history)`;
  const head = `${rows.length} shown of ${p.total} ${p.what} (${origins})`;
  if (more <= 0 || rows.length === 0) return `${head}; no more\n`;
  return `${head}; ${more} more: ${p.again} --after ${String(rows[rows.length - 1].busisn)}\n`;
}

/** One block per command: what it is, where it stands, and why. */
export function formatCommands(rows: readonly ListRow[]): string {
  if (rows.length === 0) return 'no such commands\n';
  const out: string[] = [];
  for (const r of rows) {
    const state = STATE_OF.get(r.status) ?? String(r.status);
    const waiting = r.status === COMMAND_STATES.queued && r.next_try !== '' && r.state === 'queued';
    const head = [
      `${String(r.busisn).padEnd(12)} ${r.svcnum.padEnd(14)} ${state.padEnd(8)} ${originOf(r).padEnd(7)}`,
      `${r.busitype} ${BUSI_NAME.get(r.busitype) ?? ''}`.trim(),
      `region ${r.region} net ${r.nettype}`,
      `operator ${r.operator}`,
    ].join('  ');
    out.push(head);
    const detail = [
      `  created ${wireTime(r.created)}`,
      r.executed ? `executed ${wireTime(r.executed)}` : '',
      r.attempts !== null ? `attempts ${r.attempts}` : r.status === COMMAND_STATES.queued ? 'not claimed yet' : r.status === COMMAND_STATES.sending ? '' : 'not sent by bssgate',
      r.switch_name ? `switch ${r.switch_name}` : '',
      waiting ? `next try ${wireTime(r.next_try)}` : '',
      r.status === COMMAND_STATES.sending && r.lease_owner ? `by ${r.lease_owner} until ${wireTime(r.lease_until)}` : '',
      r.status === COMMAND_STATES.sending && r.attempts === null ? 'by another system (no bssgate lease)' : '',
    ].filter(Boolean);
    out.push(detail.join('  '));
    const why = r.result || r.last_error;
    if (why) out.push(`  ${r.status === COMMAND_STATES.executed ? 'answer' : 'why'}: ${why}`);
  }
  return `${out.join('\n')}\n`;
}

export function registerScannerCommands(program: Command, deps: ScannerCommandDeps): void {
  const out = deps.out ?? ((s: string) => void process.stdout.write(s));

  noStrayArguments(program
    .command('commands'))
    .description('switch commands (OC-01…OC-03): what is queued, sending, executed or failed, with attempts and why')
    .option('--number <svcnum>', 'the commands of one service number (every state)')
    .option('--state <state>', `queued | sending | executed | failed (default: queued and sending)`)
    .option('--limit <n>', 'at most this many, newest first (the footer says how many more)', '50')
    .option('--after <busisn>', 'the next page: only records older than this BUSISN (the footer prints it)')
    .option('--origin <origin>', "scanner: what bssgate's scanner handled | other: set final elsewhere (legacy program, front office, seeded demo history), never sent by bssgate | all (default)", 'all')
    .addOption(configOption('naming the database'))
    .action(async (opts: { number?: string; state?: string; limit: string; after?: string; origin: string; config?: string[] }) => {
      if (opts.state !== undefined && !(opts.state in COMMAND_STATES)) {
        throw new Error(`--state must be one of ${Object.keys(COMMAND_STATES).join(', ')}, got "${opts.state}"`);
      }
      if (!(opts.origin in COMMAND_ORIGINS)) throw new Error(`--origin must be one of ${Object.keys(COMMAND_ORIGINS).join(', ')}, got "${opts.origin}"`);
      if (opts.number !== undefined && !/^\d{3,20}$/.test(opts.number)) throw new Error(`--number: "${opts.number}" is not a service number (3–20 digits)`);
      if (!/^\d{1,5}$/.test(opts.limit) || Number(opts.limit) < 1) throw new Error(`--limit must be an integer 1…99999, got "${opts.limit}"`);
      if (opts.after !== undefined && (!/^\d{1,19}$/.test(opts.after) || BigInt(opts.after) > AFTER_ALL)) throw new Error(`--after must be a BUSISN (digits, as the footer prints it), got "${opts.after}"`);
      const n = Number(opts.limit);
      const after = opts.after !== undefined ? BigInt(opts.after) : AFTER_ALL;
      const origin = COMMAND_ORIGINS[opts.origin as CommandOrigin];
      const cfg = deps.loadConfig(requireConfig('commands', opts));
      const store = await deps.openStore(cfg.database, pino({ level: 'warn' }, pino.destination(2)));
      // The command line of the next page, as given (without --after).
      const again = ['bssgate commands', opts.number ? `--number ${opts.number}` : '', opts.state ? `--state ${opts.state}` : '', opts.origin !== 'all' ? `--origin ${opts.origin}` : '', opts.limit !== '50' ? `--limit ${opts.limit}` : '', ...(opts.config ?? []).map((f) => `-c ${f}`)].filter(Boolean).join(' ');
      const what = `${opts.state ?? (opts.number ? 'switch' : 'queued and sending')} command${opts.number ? 's of ' + opts.number : 's'}${opts.after ? ` older than ${opts.after}` : ''}${opts.origin !== 'all' ? ` (origin ${opts.origin})` : ''}`;
      try {
        let rows: ListRow[];
        let page: PageInfo;
        if (opts.number !== undefined) {
          // A number has few records: filtered here.
          let all = await CMD_LIST_BY_NUMBER.all(store, { svcnum: opts.number, n: 100_000 });
          all = all.filter((r) => (!opts.state || r.status === COMMAND_STATES[opts.state as CommandState]) && r.busisn < after && (origin === 0 || originOf(r) === opts.origin));
          rows = all.slice(0, n);
          page = { total: all.length, byScanner: all.filter((r) => originOf(r) === 'scanner').length, what, again };
        } else {
          const s = opts.state ? COMMAND_STATES[opts.state as CommandState] : undefined;
          const binds = { s1: s ?? COMMAND_STATES.queued, s2: s ?? COMMAND_STATES.sending, after, origin };
          rows = await CMD_LIST_BY_STATUS.all(store, { ...binds, n });
          const c = await CMD_COUNT_BY_STATUS.one(store, binds);
          page = { total: c?.n ?? rows.length, byScanner: c?.by_scanner ?? 0, what, again };
        }
        out(formatCommands(rows));
        out(formatPageFooter(rows, page));
      } finally {
        await store.close();
      }
    });

  program
    .command('scan')
    .description('run only the online-command scanner (OC-01…OC-03) of the configuration: claims status-5 commands and delivers them to the [switch.<name>] sections; several may share one database')
    .argument('[files...]', 'the same files as arguments (the older form)')
    .addOption(configOption('naming the database and the switches'))
    .option('--once', 'one pass: claim what is claimable now, deliver it, write the outcomes, exit')
    .action(async (args: string[], opts: { once?: boolean; config?: string[] }) => {
      const files = requireConfig('scan', opts, args);
      const cfg = deps.loadConfig(files);
      const switches = cfg.switches ?? [];
      if (switches.length === 0) throw new Error(`no [switch.<name>] section in ${files.join(', ')}: nothing to scan for (docs/scanner.md)`);
      if (cfg.scanner && !cfg.scanner.enabled) throw new Error(`[scanner] enabled = false in ${files.join(', ')}`);
      const logs = createLogs(cfg.log);
      const store = await deps.openStore(cfg.database, logs.main);
      const meta = await readMeta(store).catch(() => ({}) as Record<string, string>);
      if (meta.schema_version === undefined) {
        await store.close();
        await logs.close();
        throw new Error('the database has no bssgate schema yet: run `bssgate db init` (or `bssgate serve`) first');
      }
      if (Number(meta.schema_version) !== SCHEMA_VERSION) {
        await store.close();
        await logs.close();
        const older = Number(meta.schema_version) < SCHEMA_VERSION ? ': `bssgate db init` or the next `bssgate serve` upgrades an older database in place when it can' : '';
        throw new Error(`the database has schema version ${meta.schema_version}, this bssgate ${SCHEMA_VERSION}${older} (docs/schema.md, Initialisation)`);
      }
      const slogs = logs.forInterface('scanner');
      const rt = await startScanner({ store, scanner: cfg.scanner!, switches, log: slogs.warn, err: slogs.err, loop: !opts.once });
      const stop = async () => {
        await rt.stop(cfg.shutdownGraceMs);
        await store.close();
        await logs.close();
      };
      if (opts.once) {
        const n = await rt.scanner.runOnce();
        const s = rt.scanner.stats();
        await stop();
        out(`scanned once: ${n} claimed, ${s.executed} executed, ${s.failed} failed, ${s.retried} to retry, ${s.waited} waiting\n`);
        return;
      }
      out([`bssgate scanner ${rt.scanner.owner} (database: ${cfg.database.type})`, ...describeSwitches(switches), 'Stop with Ctrl-C or SIGTERM: deliveries in flight finish first.', ''].join('\n'));
      await new Promise<void>((resolve) => {
        const onSignal = (sig: string) => {
          slogs.warn.info({ signal: sig }, 'signal received');
          stop().then(resolve, (err: unknown) => {
            process.stderr.write(`bssgate: error while stopping: ${(err as Error).message}\n`);
            process.exitCode = 1;
            resolve();
          });
        };
        process.once('SIGTERM', () => onSignal('SIGTERM'));
        process.once('SIGINT', () => onSignal('SIGINT'));
      });
    });
}
