// `bssgate serve`: config → logs → store (schema and demo data when configured and missing) →
// one listener per interface → SIGTERM/SIGINT stop accepting, answer what is in flight, exit.
// The building blocks of one serving process; src/serve-command.ts (the CLI's `serve`) chooses
// between this (one process) and src/cluster.ts (with `[server] workers = N` > 1: a primary that
// does the schema check once and forks N workers, each running startGateway in worker mode).
import type { Config } from './config/types.js';
import { createLogs, type ArchiveDelegate, type Logs } from './log/index.js';
import { openStore } from './store/open.js';
import { checkQueriesAtStart, QueryCheckError } from './store/queries/check.js';
import { QueriesFileError } from './store/queries/file.js';
import { ensureDatabase } from './store/init.js';
import { banner, readDatabaseFacts, type DatabaseFacts } from './banner.js';
import type { AdminStore } from './store/types.js';
import { Gateway, type BoundInterface } from './server/gateway.js';
import { setConnectionIdBase } from './server/listener.js';
import { HANDLERS } from '../handlers/index.js';
import { systemClock, type Clock } from './clock.js';
import { adminSources, gatewaySource, startAdmin, type AdminServer } from './admin.js';
import { registerGateway, registerScannerStats, registerTraceCount } from './metrics.js';
import { Traces } from './trace.js';
import { registerMetrics } from './prometheus.js';
import { describeSwitches, startScanner, type ScannerRuntime } from './scanner/switches.js';
import { GatewayError, RETURN_CODES } from '../protocol/return-codes.js';
import { prepareCardDirs, watchDropDirectory, type DropWatcher } from './reconcile/watch.js';
import { ConfigError } from './config/types.js';
import { recoverPostingJournals, type PostingRecovery } from './posting-recovery.js';

/** How often the start-up schema check is retried while the database does not answer. */
const DB_RECHECK_MS = 5_000;

export interface Running {
  config: Config;
  gateway: Gateway;
  bound: BoundInterface[];
  store: AdminStore;
  logs: Logs;
  /** OP-04: the admin HTTP listener, when [admin] enabled = true (and not turned off by opts.admin). */
  admin: AdminServer | undefined;
  /** What the database says about itself (banner); undefined when it did not answer at start. */
  facts: DatabaseFacts | undefined;
  /** OC-01…OC-03: the scanner and its switches, when [scanner] is enabled (not in a cluster worker, nor with opts.scanner = false). */
  scanner: ScannerRuntime | undefined;
  /** Issue 18: this process's per-number traces (the owner's unless a cluster worker). */
  traces: Traces;
  /** Graceful stop; resolves when every connection is closed and the logs are flushed. */
  stop(): Promise<void>;
}

/** The start-up schema check, retried in the background while the database does not answer. */
export interface SchemaCheck {
  /** What the database says about itself; undefined when it did not answer at start. */
  facts: DatabaseFacts | undefined;
  /** Stop retrying (on stop). */
  cancel(): void;
}

/**
 * The schema check (and, on an empty database, the schema and demo data) needs the database.
 * A database that does not answer at start is not a reason to exit (a supervisor would restart
 * us in a loop): the gateway serves, every request that needs the database gets 9001, and the
 * check is retried until the database answers. Other failures (a newer schema…) throw.
 */
export async function checkSchema(store: AdminStore, config: Config, logs: Logs, clock: Clock): Promise<SchemaCheck> {
  const check = async (): Promise<void> => {
    const t0 = performance.now();
    const init = await ensureDatabase(store, {
      demoSubscribers: config.database.demoSubscribers,
      demoSeed: config.database.demoSeed,
      passwordStorage: config.database.passwordStorage,
      now: clock.date(),
      log: logs.main,
    });
    if (init.created) {
      logs.main.info({ ms: Math.round(performance.now() - t0), subscribers: config.database.demoSubscribers }, 'database created');
    }
  };
  let retry: NodeJS.Timeout | undefined;
  let stopped = false;
  const cancel = () => {
    stopped = true;
    if (retry) clearTimeout(retry);
  };
  try {
    await check();
    // The queries (default or the operator's file) against the live schema: a broken contract stops the start.
    await checkQueriesAtStart(store, clock.date(), (line) => logs.main.warn(line));
    return { facts: await readDatabaseFacts(store), cancel };
  } catch (err) {
    if (!(err instanceof GatewayError && err.code === RETURN_CODES.DATABASE_UNAVAILABLE.code)) throw err;
    logs.main.error({ err: err.message }, 'database unavailable at start: serving, answering 9001 until it answers; schema check retried every 5 s');
    const again = () => {
      retry = setTimeout(() => {
        check().then(
          () => logs.main.info('database answers: schema check done'),
          (e: unknown) => {
            if (stopped) return;
            if (e instanceof GatewayError && e.code === RETURN_CODES.DATABASE_UNAVAILABLE.code) again();
            else logs.main.fatal({ err: e }, 'schema check failed after the database came back');
          },
        );
      }, DB_RECHECK_MS);
      retry.unref();
    };
    again();
    return { facts: undefined, cancel };
  }
}

/**
 * What warn.log says about a start that failed: a ConfigError is the operator's mistake, named by
 * file, section and key: its message, without a stack (on a terminal warn.log also goes to stderr,
 * beside the one line the CLI prints); anything else with its stack.
 */
export function startError(err: unknown): unknown {
  return err instanceof ConfigError || err instanceof QueryCheckError || err instanceof QueriesFileError ? err.message : err;
}

/** A cluster worker (src/cluster.ts): its unique number and where its log files are reported. */
export interface WorkerRole {
  number: number;
  delegate: ArchiveDelegate;
}

/**
 * opts.admin = false: no admin listener even when [admin] enabled = true (a cluster worker: the
 * primary serves it, src/metrics.ts). opts.worker: a cluster worker — no schema check (the
 * primary did it), no admin listener, log files reported to the primary, connection ids of its own.
 */
export async function startGateway(config: Config, opts: { clock?: Clock; admin?: boolean; worker?: WorkerRole; scanner?: boolean } = {}): Promise<Running> {
  const clock = opts.clock ?? systemClock;
  // OP-04: a serving process exposes its metrics (directly, or to the cluster primary).
  registerMetrics();
  const logs = createLogs(config.log, { clock, delegate: opts.worker?.delegate, journal: opts.worker ? `w${opts.worker.number}` : 'main' });
  if (opts.worker) setConnectionIdBase(opts.worker.number * 1_000_000_000);
  let opened: AdminStore | undefined;
  let recovery: PostingRecovery | undefined;
  let traces: Traces | undefined;
  let unregisterTraces = (): void => undefined;
  try {
    // PC-07: the drop and report directories, before anything listens (one ConfigError if not creatable).
    if (config.card?.reconcileDir && !opts.worker) prepareCardDirs(config.card, { drop: true });
    const store = await openStore(config.database, logs.main);
    opened = store;
    const schema: SchemaCheck = opts.worker ? { facts: undefined, cancel: () => undefined } : await checkSchema(store, config, logs, clock);
    const facts = schema.facts;
    // suc_query.MMDD lines a crash left in the posting journals, before serving (a cluster
    // worker's are the primary's to recover). If the database does not answer, retried meanwhile.
    if (!opts.worker) {
      const r = recoverPostingJournals(config, store, logs, clock, { archive: true });
      recovery = r;
      await r.first;
    }
    // Issue 18: the traces persisted by the last run (resumed, or ended when their time is up);
    // a cluster worker follows the primary's (src/cluster.ts).
    traces = new Traces({ logDir: config.log.dir, owner: !opts.worker, log: logs.main, process: opts.worker ? `w${opts.worker.number}` : 'main', now: () => clock.now() });
    traces.load();
    if (!opts.worker) unregisterTraces = registerTraceCount(() => traces!.list().length);
    const gateway = new Gateway({ config, store, logs, clock, handlers: HANDLERS, traces });
    const bound = await gateway.start();
    // OP-04: the gauges (open connections, readiness) read this gateway while it runs.
    const unregister = registerGateway(gatewaySource(gateway, store));
    let admin: AdminServer | undefined;
    if (config.admin?.enabled && opts.admin !== false && !opts.worker) {
      try {
        admin = await startAdmin(config.admin, { ...adminSources(), traces }, logs.main);
      } catch (err) {
        unregister();
        await gateway.stop(0);
        throw err;
      }
    }
    // OC-01…OC-03: one scanner per process that is not a cluster worker (with workers, the
    // primary runs it: src/cluster.ts); any number of such processes may share the database.
    let scanner: ScannerRuntime | undefined;
    let unregisterScanner: (() => void) | undefined;
    if (config.scanner?.enabled && opts.scanner !== false && !opts.worker) {
      try {
        const slogs = logs.forInterface('scanner');
        scanner = await startScanner({ store, scanner: config.scanner, switches: config.switches ?? [], log: slogs.warn, err: slogs.err, clock });
        // OP-04: the scanner metrics (queue depth, oldest age, outcomes) read its stats when scraped.
        const rt = scanner;
        unregisterScanner = registerScannerStats(() => rt.scanner.stats());
      } catch (err) {
        unregister();
        await admin?.close();
        await gateway.stop(0);
        throw err;
      }
    }
    // PC-07: the drop directory of the card system's reconciliation files (not in a cluster worker).
    let recon: DropWatcher | undefined;
    if (config.card?.reconcileDir && !opts.worker) {
      const cardIface = config.interfaces.find((i) => i.kind === 'card');
      recon = watchDropDirectory(config.card.reconcileDir, { store, clock, log: logs.main, card: config.card, postings: cardIface ? logs.forInterface(cardIface.name).postings : undefined });
    }
    let stopping: Promise<void> | undefined;
    return {
      config,
      gateway,
      bound,
      store,
      logs,
      admin,
      facts,
      scanner,
      traces,
      stop() {
        stopping ??= (async () => {
          schema.cancel();
          recovery?.cancel();
          await recovery?.done;
          // The admin listener stays up while the gateway drains: /health/ready answers 503
          // (stopping), so a load balancer takes this gateway out before it closes.
          await gateway.stop();
          await scanner?.stop(config.shutdownGraceMs);
          unregisterScanner?.();
          await recon?.stop();
          unregister();
          await admin?.close();
          unregisterTraces();
          await traces!.close();
          await store.close().catch((err: unknown) => logs.main.error({ err }, 'closing the store'));
          await logs.close();
        })();
        return stopping;
      },
    };
  } catch (err) {
    recovery?.cancel();
    await recovery?.done;
    unregisterTraces();
    await traces?.close();
    await opened?.close().catch(() => undefined);
    logs.main.fatal({ err: startError(err) }, 'cannot start');
    await logs.close();
    throw err;
  }
}

/** The start-up banner: interfaces, a call to paste, and what the database really holds. */
export function summary(r: Pick<Running, 'config' | 'bound' | 'facts' | 'scanner'> & { workers?: number; admin?: { host: string; port: number } }): string {
  const text = banner({ config: r.config, bound: r.bound, facts: r.facts, workers: r.workers, admin: r.admin ? { host: r.admin.host, port: r.admin.port } : undefined });
  if (!r.scanner) return text;
  const sw = r.config.switches ?? [];
  const sims = sw.filter((s) => s.simulator).length;
  const lines = [
    `Scanner (OC-01…OC-03) ${r.scanner.scanner.owner}: USR_BUSI_RECORD status 5 → switches${sims ? ` — ${sims} of ${sw.length} are SIMULATORS, no real switch is reached` : ''}:`,
    ...describeSwitches(sw),
    `  node dist/src/cli.js commands --state queued ${(r.config.files ?? []).map((f) => `-c ${f}`).join(' ')}   what is waiting for a switch, and why`,
    '',
  ];
  return `${text}${text.endsWith('\n') ? '' : '\n'}${lines.join('\n')}`;
}
