// The configured switches of a scanner process: one Delivery per [switch.<name>] (OC-01 file,
// OC-02 socket), and, for a switch with simulator = true, the in-process switch simulator it
// delivers to over the same real interface (src/sim/switch.ts). A simulator is never implied:
// it is one key per switch, named in the banner and in warn.log at start.
import type { Logger } from 'pino';
import { resolve } from 'node:path';
import { ConfigError, type ScannerConfig, type SwitchConfig } from '../config/types.js';
import { DirectoryError } from '../dirs.js';
import { listenError } from '../server/listener.js';
import { didYouMean } from '../config/values.js';
import type { Store } from '../store/types.js';
import { startSwitchSim, type SwitchSim } from '../sim/switch.js';
import { createFileDelivery } from './file-delivery.js';
import { TemplateSet } from './render.js';
import { Scanner, type ScannerOptions } from './scanner.js';
import { createSocketDelivery } from './socket-delivery.js';
import type { Delivery } from './types.js';
import type { Clock } from '../clock.js';

export interface SwitchRuntime {
  deliveries: Map<string, Delivery>;
  /** The simulators started for switches with simulator = true, by switch name. */
  sims: Map<string, SwitchSim>;
  /** Resolves when every socket delivery logged in, or after `ms` (the scanner waits, uncounted, for the others). */
  ready(ms: number): Promise<void>;
  close(): Promise<void>;
}

/** One line per switch for the banner and `bssgate scan`. */
export function describeSwitches(switches: readonly SwitchConfig[]): string[] {
  return switches.map((sw) => {
    const where = sw.kind === 'file' ? `${sw.commandDir} → ${sw.resultDir}` : `${sw.host}:${sw.port}`;
    const routes = `regions ${sw.regions.join(',')} net ${sw.netTypes.join(',')} ${sw.switchType}`;
    return `  ${sw.name.padEnd(12)} ${sw.kind.padEnd(6)} ${where}  ${routes}${sw.simulator ? '  SIMULATOR (no real switch)' : ''}`;
  });
}

/**
 * A simulator that cannot start because of its configuration (command_dir or result_dir cannot be
 * created, its port is in use): a ConfigError naming the file, [switch.<name>] and the key.
 */
function simStartError(sw: SwitchConfig, err: unknown): unknown {
  const section = `switch.${sw.name}`;
  if (err instanceof DirectoryError) {
    const key = sw.commandDir !== undefined && resolve(sw.commandDir) === err.dir ? 'command_dir' : 'result_dir';
    return new ConfigError(sw.file ?? '(configuration built in code)', section, key, err.message);
  }
  const code = (err as NodeJS.ErrnoException)?.code;
  if (sw.kind === 'socket' && typeof code === 'string' && (code.startsWith('EADDR') || code === 'EACCES')) {
    return listenError(err as Error, sw.file, section, sw.host!, sw.port!, sw.portShift);
  }
  return err;
}

export async function startSwitches(switches: readonly SwitchConfig[], log: Logger): Promise<SwitchRuntime> {
  const deliveries = new Map<string, Delivery>();
  const sims = new Map<string, SwitchSim>();
  const close = async () => {
    await Promise.all([...deliveries.values()].map((d) => d.close().catch((err: unknown) => log.warn({ err }, 'closing a switch delivery'))));
    await Promise.all([...sims.values()].map((s) => s.close().catch((err: unknown) => log.warn({ err }, 'closing a switch simulator'))));
  };
  try {
    for (const sw of switches) {
      const slog = log.child({ switch: sw.name });
      if (sw.simulator) {
        const sim = await startSwitchSim(
          sw.kind === 'file'
            ? { kind: 'file', name: sw.name, commandDir: sw.commandDir!, resultDir: sw.resultDir!, log: slog }
            : { kind: 'socket', name: sw.name, host: sw.host!, port: sw.port!, user: sw.user!, password: sw.password!, log: slog },
        ).catch((err: unknown) => {
          throw simStartError(sw, err);
        });
        sims.set(sw.name, sim);
        slog.warn({ kind: sw.kind }, `switch ${sw.name} is the built-in SIMULATOR (simulator = true): its commands reach no real switch`);
      }
      deliveries.set(
        sw.name,
        sw.kind === 'file'
          ? createFileDelivery({ switchName: sw.name, commandDir: sw.commandDir!, resultDir: sw.resultDir!, resultTimeoutMs: sw.resultTimeoutMs, pollMs: sw.resultPollMs, log: slog })
          : createSocketDelivery({
              switchName: sw.name,
              host: sw.host!,
              port: sw.port!,
              user: sw.user!,
              password: sw.password!,
              keepaliveMs: sw.keepaliveMs,
              ackTimeoutMs: sw.ackTimeoutMs,
              reconnectMinMs: sw.reconnectMinMs,
              reconnectMaxMs: sw.reconnectMaxMs,
              log: slog,
            }),
      );
    }
  } catch (err) {
    await close();
    throw err;
  }
  return {
    deliveries,
    sims,
    async ready(ms) {
      const end = Date.now() + ms;
      while (Date.now() < end && [...deliveries.values()].some((d) => !d.ready())) await new Promise((r) => setTimeout(r, 20));
    },
    close,
  };
}

/**
 * Every switch's `switch_type` must name templates in SWITCH_INS_MODEL (reference rows of the
 * database, so this is checked at start, not by the loader): a misspelt type would fail every
 * command of that switch at run time. Throws a ConfigError naming the file, section and key.
 */
export async function checkSwitchTypes(store: Store, switches: readonly SwitchConfig[]): Promise<void> {
  if (switches.length === 0) return;
  const known = (await TemplateSet.load(store)).switchTypes();
  for (const sw of switches) {
    if (known.has(sw.switchType)) continue;
    const near = didYouMean(sw.switchType, known);
    const list = [...known].sort().join(', ') || 'none: the table is empty';
    throw new ConfigError(
      sw.file ?? '(configuration)',
      `switch.${sw.name}`,
      'switch_type',
      `"${sw.switchType}" has no command templates in SWITCH_INS_MODEL${near ? ` (did you mean ${near}?)` : ''}; accepted: a SWITCHTYPE of the database's templates (${list})`,
    );
  }
}

/** A running scanner with its switches (serve, `bssgate scan`). */
export interface ScannerRuntime {
  scanner: Scanner;
  switches: SwitchRuntime;
  stop(graceMs: number): Promise<void>;
}

/** How long the first claim waits for the switches to come up (not reachable by then: commands wait). */
export const SWITCH_READY_WAIT_MS = 5_000;

export async function startScanner(o: {
  store: Store;
  scanner: ScannerConfig;
  switches: readonly SwitchConfig[];
  log: Logger;
  err: Logger;
  clock?: Clock;
  /** false: do not start the loop (`bssgate scan --once` calls runOnce). */
  loop?: boolean;
  /** bench/scanner.ts's "before": the per-command statements, no LISTEN (ScannerOptions). */
  tuning?: Pick<ScannerOptions, 'setBased' | 'listen'>;
}): Promise<ScannerRuntime> {
  await checkSwitchTypes(o.store, o.switches);
  const switches = await startSwitches(o.switches, o.log);
  const scanner = new Scanner({ store: o.store, config: o.scanner, switches: o.switches, deliveries: switches.deliveries, log: o.log, err: o.err, clock: o.clock, ...o.tuning });
  // Not awaited by the caller's start-up beyond a few seconds: a switch that is down makes its
  // commands wait, it does not keep the gateway from serving.
  await switches.ready(SWITCH_READY_WAIT_MS);
  if (o.loop !== false) scanner.start();
  let stopping: Promise<void> | undefined;
  return {
    scanner,
    switches,
    stop(graceMs) {
      stopping ??= (async () => {
        await scanner.stop(graceMs);
        await switches.close();
      })();
      return stopping;
    },
  };
}
