// `bssgate commands` (what is queued, sending, executed or failed at the switches, and why) and
// `bssgate scan` (a scanner-only process: any number of them on any hosts may share one database).
import type { Command } from 'commander';
import pino, { type Logger } from 'pino';
import type { Config, DatabaseConfig } from '../config/types.js';
import { createLogs } from '../log/index.js';
import { readMeta } from '../store/init.js';
import { CMD_LIST_BY_NUMBER, CMD_LIST_BY_STATUS } from '../store/queries/commands.js';
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

/** One block per command: what it is, where it stands, and why. */
export function formatCommands(rows: readonly ListRow[]): string {
  if (rows.length === 0) return 'no such commands\n';
  const out: string[] = [];
  for (const r of rows) {
    const state = STATE_OF.get(r.status) ?? String(r.status);
    const waiting = r.status === COMMAND_STATES.queued && r.next_try !== '' && r.state === 'queued';
    const head = [
      `${String(r.busisn).padEnd(12)} ${r.svcnum.padEnd(14)} ${state.padEnd(8)}`,
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
    .option('--limit <n>', 'at most this many, newest first', '50')
    .addOption(configOption('naming the database'))
    .action(async (opts: { number?: string; state?: string; limit: string; config?: string[] }) => {
      if (opts.state !== undefined && !(opts.state in COMMAND_STATES)) {
        throw new Error(`--state must be one of ${Object.keys(COMMAND_STATES).join(', ')}, got "${opts.state}"`);
      }
      if (opts.number !== undefined && !/^\d{3,20}$/.test(opts.number)) throw new Error(`--number: "${opts.number}" is not a service number (3–20 digits)`);
      if (!/^\d{1,5}$/.test(opts.limit) || Number(opts.limit) < 1) throw new Error(`--limit must be an integer 1…99999, got "${opts.limit}"`);
      const n = Number(opts.limit);
      const cfg = deps.loadConfig(requireConfig('commands', opts));
      const store = await deps.openStore(cfg.database, pino({ level: 'warn' }, pino.destination(2)));
      try {
        let rows: ListRow[];
        if (opts.number !== undefined) {
          rows = await CMD_LIST_BY_NUMBER.all(store, { svcnum: opts.number, n });
          if (opts.state) rows = rows.filter((r) => r.status === COMMAND_STATES[opts.state as CommandState]);
        } else {
          const s = opts.state ? COMMAND_STATES[opts.state as CommandState] : undefined;
          rows = await CMD_LIST_BY_STATUS.all(store, { s1: s ?? COMMAND_STATES.queued, s2: s ?? COMMAND_STATES.sending, n });
        }
        out(formatCommands(rows));
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
