#!/usr/bin/env node
// The bssgate command line: `serve` runs the gateway from legacy INI files (OP-01), `call` sends
// one request and prints the reply, `db` creates schemas and demo data.
//
// A command loads what it needs: `call`, `spec`, `status` and the simulators load no database
// driver, no store and no metrics (the layouts come from handlers/contracts/). The store, the
// gateway and the commands built on them (db, card, scanner) are imported when a command that
// needs them runs (loadStoreCommands, the actions' `await import`).
import { Command, Option } from 'commander';
import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BssClient, type Reply } from './client.js';
import { businessByName, businessByCode, BUSINESS_ROWS } from '../protocol/business-types.js';
import { CONTRACTS, LAYOUTS_BY_CODE } from '../handlers/contracts/index.js';
import { registerSpecCommand } from './spec/spec-command.js';
import { registerDissectorCommand } from './spec/dissector-command.js';
import { coerceBody } from '../protocol/coerce.js';
import type { BodyRecord, BodyValue } from '../protocol/layout-types.js';
import { returnCode } from '../protocol/return-codes.js';
import { loadConfig } from './config/load.js';
import { ConfigError } from './config/types.js';
import { registerSimCard } from './sim/card.js';
import { registerSimSwitch } from './sim/switch.js';
import { isReportedToPrimary } from './reported-to-primary.js';
import { statusCommand } from './status.js';
import { cliLog } from './cli-progress.js';
import { configOption, CONFIG_RULE, portOffsetOption, requireConfig, strayConfigHint, noStrayArguments } from './config/cli-options.js';
import pino, { type Logger } from 'pino';
import type { Config, DatabaseConfig } from './config/types.js';
import type { Store } from './store/types.js';
import type { BatchingStore } from './store/group-commit.js';
import { svcnum as svcnumField } from '../handlers/kit/fields.js';
import { systemClock, type Clock } from './clock.js';

/** src/store/open.ts, imported when a command opens the database. */
async function openStore(cfg: DatabaseConfig, log: Logger): Promise<BatchingStore> {
  return (await import('./store/open.js')).openStore(cfg, log);
}

/** The commands that work on the database (db, reconcile/report, the scanner's), and their modules. */
export interface StoreCommands {
  registerDbCommands: typeof import('./store/db-commands.js').registerDbCommands;
  registerCardCommands: typeof import('./reconcile/cli.js').registerCardCommands;
  registerScannerCommands: typeof import('./scanner/cli.js').registerScannerCommands;
}

export async function loadStoreCommands(): Promise<StoreCommands> {
  const [db, card, scanner] = await Promise.all([import('./store/db-commands.js'), import('./reconcile/cli.js'), import('./scanner/cli.js')]);
  return { registerDbCommands: db.registerDbCommands, registerCardCommands: card.registerCardCommands, registerScannerCommands: scanner.registerScannerCommands };
}

/** Commands that need none of StoreCommands: main() does not load them for these. */
const LIGHT_COMMANDS: ReadonlySet<string> = new Set(['serve', 'call', 'spec', 'dissector', 'status', 'trace', 'lockout', 'sim', 'shadow']);

/** Where a client's target came from: printed with every error about it. */
export interface Target {
  host: string;
  port: number;
  /** "the command line", or the file and section, e.g. "h.ini.example [interface.cs]" (and a port shift). */
  source: string;
  /** An interface from the config whose `framing` is a profile: the profile file (issue 19). */
  framingFile?: string;
}

const HOST_PORT = /^(.+):(\d{1,5})$/;

function commandLineTarget(target: string): Target | undefined {
  const m = HOST_PORT.exec(target);
  if (!m) return undefined;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) throw new Error(`"${target}": ${m[2]} is not a port (1–65535)`);
  return { host: m[1] === 'localhost' ? '127.0.0.1' : m[1], port, source: 'the command line' };
}

const reachable = (host: string) => (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host);

/**
 * `call`/`sim card` target: host:port as given, or an interface name (or kind) looked up in the -c
 * files — never in a file that was not given. Only the addresses are read: no [database] keys demanded.
 */
export function resolveTarget(target: string, configFiles: string[], opts: { portOffset?: string } = {}): Target {
  const direct = commandLineTarget(target);
  if (direct) return direct;
  if (configFiles.length === 0) {
    throw new Error(`"${target}" is not host:port, and no -c FILE names interfaces: give host:port, or the file that defines [interface.${target}] (e.g. -c h.ini.example)`);
  }
  const cfg = loadConfig(configFiles, process.env, { addressesOnly: true, portOffset: opts.portOffset });
  const iface = cfg.interfaces.find((i) => i.name === target) ?? cfg.interfaces.find((i) => i.kind === target);
  if (!iface) {
    throw new Error(`no enabled interface "${target}" in ${configFiles.join(', ')}; known: ${cfg.interfaces.map((i) => i.name).join(', ')}`);
  }
  return {
    host: reachable(iface.host), port: iface.port, source: `${iface.file ?? configFiles[0]} [interface.${iface.name}]${iface.portShift ? ` port ${iface.portShift}` : ''}`,
    ...(iface.framing ? { framingFile: iface.framing.file } : {}),
  };
}

/** `bssgate status` target: host:port, else the [admin] of the -c files; no default. */
export function adminTarget(target: string | undefined, configFiles: string[], opts: { portOffset?: string; command?: string } = {}): Target {
  if (target !== undefined) {
    const direct = commandLineTarget(target);
    if (direct) return direct;
    throw new Error(strayConfigHint(target) ?? `"${target}" is not host:port (the admin listener, [admin] host and port)`);
  }
  if (configFiles.length === 0) {
    const how = opts.command === 'trace' ? '--admin host:port' : 'host:port';
    throw new Error(`${opts.command ?? 'status'}: give the admin listener as ${how} (e.g. 127.0.0.1:9930), or -c FILE whose [admin] section names it (e.g. -c h.ini.example)`);
  }
  const a = loadConfig(configFiles, process.env, { addressesOnly: true, portOffset: opts.portOffset }).admin;
  if (!a?.enabled) throw new Error(`[admin] is not enabled in ${configFiles.join(', ')}: set enabled = true there (docs/metrics.md)`);
  return { host: reachable(a.host), port: a.port, source: `${a.file ?? configFiles[0]} [admin]${a.portShift ? ` port ${a.portShift}` : ''}` };
}

/** Parse `field=value` arguments against the business type's request layout. */
export function parseFields(biz: number, args: string[]): BodyRecord {
  if (args.length === 0) return {};
  const stray = args.find((a) => !a.includes('=') && strayConfigHint(a));
  if (stray) throw new Error(strayConfigHint(stray)!);
  const layouts = LAYOUTS_BY_CODE.get(biz);
  if (!layouts) throw new Error(`business type ${biz} has no layout yet`);
  return coerceBody(layouts.request, args);
}

function jsonValue(v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return v.map(jsonValue);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonValue(x)]));
  return v;
}

export function formatReply(r: Reply, json: boolean): string {
  const biz = businessByCode(r.header.biz);
  if (json) {
    return (
      JSON.stringify(
        jsonValue({
          result: r.result,
          resultName: returnCode(r.result)?.name ?? null,
          message: r.message,
          biz: r.header.biz,
          business: biz?.name ?? null,
          seq: r.header.seq,
          serial: r.header.serial,
          time: r.header.time,
          body: r.body ?? null,
        }),
      ) + '\n'
    );
  }
  const lines = [
    `result   ${r.result} ${returnCode(r.result)?.name ?? ''} ${r.message}`.trimEnd(),
    `business ${r.header.biz} ${biz?.name ?? ''} ${biz && biz.ids.length ? '(' + biz.ids.join(', ') + ')' : ''}`.trimEnd(),
    `seq      ${r.header.seq}   serial ${r.header.serial}   time ${r.header.time}`,
  ];
  const body = r.body;
  if (body) {
    const width = Math.max(8, ...Object.keys(body).map((k) => k.length));
    const show = (rec: BodyRecord, indent: string) => {
      for (const [k, v] of Object.entries(rec)) {
        if (Array.isArray(v)) {
          lines.push(`${indent}${k.padEnd(width)} [${v.length}]`);
          v.forEach((item, i) => {
            lines.push(`${indent}  #${i + 1}`);
            show(item, indent + '    ');
          });
        } else lines.push(`${indent}${k.padEnd(width)} ${String(v as BodyValue)}`);
      }
    };
    show(body, '');
  }
  return lines.join('\n') + '\n';
}

export interface LockoutCommandDeps {
  loadConfig(files: string[]): Config;
  openStore(cfg: DatabaseConfig, log: Logger): Promise<Store>;
  /** Where the result goes (default process.stdout); tests capture it. */
  out?: (text: string) => void;
  clock?: Clock;
}

/**
 * `bssgate lockout clear <number>`: clear the password lock of a number (the lockout of the
 * password checks CS-02, VO-01, PC-01, PR-01, SM-01; the same as business type 190 lockout-clear)
 * in the database the config files name. Prints what was cleared; resolves to the exit code:
 * 0 cleared, 2 the number had no lock (nothing changed).
 */
export async function lockoutClearCommand(
  svcnum: string,
  opts: { config?: string[]; operator?: string },
  deps: LockoutCommandDeps = { loadConfig, openStore },
): Promise<number> {
  if (!svcnumField.pattern?.test(svcnum)) throw new Error(`"${svcnum}" is not a service number (3–20 digits)`);
  const out = deps.out ?? ((s: string) => void process.stdout.write(s));
  const operator = opts.operator ?? process.env.USER ?? 'cli';
  const files = requireConfig('lockout clear', opts);
  const cfg = deps.loadConfig(files);
  const store = await deps.openStore(cfg.database, pino({ level: 'warn' }, pino.destination(2)));
  try {
    const { clearLockout } = await import('./store/queries/auth.js');
    const row = await clearLockout(store, svcnum, (deps.clock ?? systemClock).date());
    if (!row) {
      out(`${svcnum}: no password lock; nothing cleared\n`);
      return 2;
    }
    const what = [
      row.hard_locked !== 0 ? `the lock until an operator clears it (${row.consecutive} consecutive wrong passwords)` : '',
      row.lock_active !== 0 ? `the lock until ${row.locked_until} (${row.fails_in_window} wrong passwords in the window)` : '',
    ].filter(Boolean);
    out(`${svcnum}: cleared ${what.join(' and ')}; counters reset; operator ${operator}\n`);
    return 0;
  } finally {
    await store.close();
  }
}

/** The command line; without `store` (StoreCommands), the commands that work on the database are left out. */
export function buildProgram(store?: StoreCommands): Command {
  const program = new Command();
  program
    .name('bssgate')
    .description('Interface gateway of the billing system (营帐系统接口网关)')
    .addHelpText('after', `\nConfiguration: ${CONFIG_RULE}; serve, scan, db init and shadow also take them as arguments.\nTargets: host:port as given; call and sim card also take an interface name of the -c files, status the [admin] of the -c files.\nPorts: BSSGATE_PORT_OFFSET=N (or --port-offset N) adds N to every port of the files.\n`)
    .showHelpAfterError();

  program
    .command('serve')
    .description('serve every interface configured in the INI files (e.g. -c h.ini -c qhjfk.ini -c print.ini -c dxjk.ini; npm start: -c h.ini.example)')
    .argument('[files...]', 'the same files as arguments (the older form)')
    .addOption(configOption('to serve'))
    .addOption(portOffsetOption())
    .action(async (files: string[], opts: { config?: string[]; portOffset?: string }) => {
      const { serveCommand } = await import('./serve-command.js');
      await serveCommand(requireConfig('serve', opts, files), process.stdout, { portOffset: opts.portOffset });
    });

  program
    .command('call')
    .description('send one request and print the reply, e.g.: bssgate call 127.0.0.1:9921 connection-check')
    .argument('<target>', 'host:port, or an interface name from the config (cs, card, print, sms)')
    .argument('<business>', `business name or code (${BUSINESS_ROWS.map((b) => b.name).slice(0, 3).join(', ')}, …)`)
    .argument('[fields...]', 'request fields as field=value')
    .option('--json', 'print the reply as one JSON line')
    .addOption(configOption('defining the interface named as <target> (only its host and port are read)'))
    .addOption(portOffsetOption())
    .option('--operator <id>', 'operator / terminal id in the header', 'cli')
    .option('--serial <serial>', 'transaction serial (流水号); default a fresh one')
    .addOption(new Option('--timeout <ms>', 'answer timeout in ms').default('10000').argParser((v) => Number(v)))
    .option('--framing <profile>', 'speak a text framing profile (JSON, docs/framing.md) instead of v1, e.g. config/framing/h2.json (an interface named from -c FILE speaks its own framing without it)')
    .option('--header <name=value...>', 'with --framing: echoed header fields of the profile (phone=13997000001 office=F010ZB)')
    .action(async (target: string, business: string, fields: string[], opts: { json?: boolean; config?: string[]; portOffset?: string; operator: string; serial?: string; timeout: number; framing?: string; header?: string[] }) => {
      const { host, port, source, framingFile } = resolveTarget(target, opts.config ?? [], { portOffset: opts.portOffset });
      // An interface named from the config speaks its `framing`; --framing names one explicitly (and wins).
      const framing = opts.framing ?? framingFile;
      // A number is sent as it is, known or not (to see what the server answers); a name must be known.
      const code = /^\d+$/.test(business) ? Number(business) : businessByName(business)?.code;
      if (code === undefined || code > 0xffff) {
        const served = BUSINESS_ROWS.filter((b) => LAYOUTS_BY_CODE.has(b.code)).map((b) => b.name);
        throw new Error(`unknown business "${business}"; implemented: ${served.join(', ')} (every business type: protocol/SPEC.md, section 6)`);
      }
      const body = parseFields(code, fields);
      // An unreachable target says where its address came from (the command line, or file and section).
      if (opts.header && !framing) throw new Error('--header is for a text framing profile: give --framing <profile>, or an interface whose framing is one');
      const client = await (framing
        ? (await import('./text-client.js')).connectTextClient(framing, opts.header ?? [], { host, port, timeoutMs: opts.timeout, operator: opts.operator })
        : BssClient.connect({ host, port, timeoutMs: opts.timeout, operator: opts.operator })
      ).catch((err: Error) => {
        throw new Error(`${err.message} (${source === 'the command line' ? 'the address given on the command line' : `"${target}" from ${source}`})`);
      });
      try {
        const reply = await client.call(code, body, { serial: opts.serial });
        process.stdout.write(formatReply(reply, !!opts.json));
        process.exitCode = reply.result === 0 ? 0 : 2;
      } finally {
        await client.close(true);
      }
    });

  registerSpecCommand(program);
  registerDissectorCommand(program);

  store?.registerDbCommands(program, { loadConfig, openStore, cliLog });
  store?.registerCardCommands(program, { loadConfig, openStore });
  registerSimCard(program, { loadConfig, openStore, resolveTarget });
  registerSimSwitch(program);
  store?.registerScannerCommands(program, { loadConfig, openStore });

  program
    .command('status')
    .description(`health and key metrics of a running gateway, read from its admin listener (OP-04); exit 0 ready, 2 not ready, 1 unreachable`)
    .argument('[target]', 'host:port of the admin listener (or -c FILE: its [admin] section); no default')
    .addOption(configOption('whose [admin] section names the listener'))
    .addOption(portOffsetOption())
    .action(async (target: string | undefined, opts: { config?: string[]; portOffset?: string }) => {
      const t = adminTarget(target, opts.config ?? [], { portOffset: opts.portOffset });
      process.exitCode = await statusCommand(t.host, t.port, process.stdout, t.source);
    });

  program
    .command('trace')
    .description('trace one service number: every request and answer of it, on every interface and worker, decoded with secrets masked, to its own file under [log] dir/trace/ (docs/logs.md); ends by itself. Without a number: the active traces')
    .argument('[number]', 'the service number (svcnum) to trace')
    .option('--for <duration>', 'how long (90s, 30m, 2h; at most 24h; default 30m)')
    .option('--off', 'end the trace of <number> now (exit 2 when none was active)')
    .option('--json', 'print JSON')
    .addOption(configOption('whose [admin] section names the admin listener'))
    .option('--admin <host:port>', 'the admin listener, instead of -c FILE')
    .addOption(portOffsetOption())
    .action(async (number: string | undefined, opts: { for?: string; off?: boolean; json?: boolean; config?: string[]; admin?: string; portOffset?: string }) => {
      if (number !== undefined && !/^[0-9]{3,20}$/.test(number)) throw new Error(strayConfigHint(number) ?? `trace: "${number}" is not a service number (3–20 digits)`);
      const t = adminTarget(opts.admin, opts.config ?? [], { portOffset: opts.portOffset, command: 'trace' });
      const { traceCommand } = await import('./trace-command.js');
      process.exitCode = await traceCommand(t.host, t.port, number, opts, process.stdout, t.source);
    });

  program
    .command('shadow')
    .description('mirror read-only traffic in front of a legacy program to a candidate bssgate and report every difference (docs/shadow.md): bssgate shadow -c shadow.ini; `shadow report <dir>` prints the verdicts')
    .argument('[files...]', 'the shadow INI files as arguments (the older form); or "report" and the report directory')
    .addOption(configOption('holding the [shadow.<name>] sections'))
    .action(async (files: string[], opts: { config?: string[] }) => {
      if (files[0] === 'report') {
        if (files.length !== 2 || opts.config) throw new Error('usage: bssgate shadow report <report_dir>');
        const { shadowReportCommand } = await import('./shadow/index.js');
        process.exitCode = await shadowReportCommand(files[1]);
        return;
      }
      const { shadowCommand } = await import('./shadow/index.js');
      await shadowCommand(requireConfig('shadow', opts, files));
    });

  program
    .command('lockout')
    .description('password lockout of the password checks (CS-02, VO-01, PC-01, PR-01, SM-01)')
    .command('clear')
    .description('clear the password lock of a number (as business type 190 lockout-clear); exit 2 when it had none')
    .argument('<number>', 'service number')
    .addOption(configOption('naming the database'))
    .option('--operator <id>', 'who clears it, printed with the result (default $USER)')
    .action(async (number: string, opts: { config?: string[]; operator?: string }) => {
      process.exitCode = await lockoutClearCommand(number, opts);
    });
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    const store = LIGHT_COMMANDS.has(argv[2] ?? '') ? undefined : await loadStoreCommands();
    await buildProgram(store).parseAsync(argv);
  } catch (err) {
    process.exitCode = 1;
    // A cluster worker's start-up error: the primary prints it, once for all workers.
    if (isReportedToPrimary(err)) return;
    const msg = err instanceof ConfigError ? `configuration error: ${err.message}` : (err as Error).message;
    process.stderr.write(`bssgate: ${msg}\n`);
    process.exitCode = 1;
  }
}

// Run when executed directly (node dist/src/cli.js …), not when imported by tests.
// argv[1] may be a symlink (node_modules/.bin/bssgate, npm -g): compare real paths.
function invokedDirectly(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}
if (invokedDirectly()) {
  void main(process.argv);
}
