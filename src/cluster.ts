// Several workers on one host: `[server] workers = N` (> 1). node:cluster with SCHED_RR — the
// primary accepts every connection and hands it to the workers in turn; each worker serves every
// interface on the same ports (docs/architecture.md says why not SO_REUSEPORT, with figures).
//
// The primary: the schema check once (N workers racing to create an empty database's schema
// would collide), the start-up log sweep, the banner, the admin listener (metrics summed over the
// workers, src/metrics.ts), a crashed worker restarted with backoff, SIGTERM/SIGINT → every
// worker drains (each answers what it read, src/server/connection.ts) → exit.
//
// Logs: every process appends whole lines, O_APPEND, to the same `<iface>/query.MMDD`… (one
// set of files per interface, as operators expect). Workers rotate at midnight by themselves and
// report each day file they open and close; the primary compresses a day's file only once no
// worker holds it (a worker that died holds nothing).
import cluster, { type Worker } from 'node:cluster';
import { ConfigError, type Config } from './config/types.js';
import { createLogs, mmdd, type Logs } from './log/index.js';
import { openStore } from './store/open.js';
import type { AdminStore } from './store/types.js';
import { checkSchema, startError, startGateway, summary, type Running, type SchemaCheck } from './serve.js';
import { startScanner, type ScannerRuntime } from './scanner/switches.js';
import { prepareCardDirs, watchDropDirectory, type DropWatcher } from './reconcile/watch.js';
import { systemClock } from './clock.js';
import { clusterAdminSources, startAdmin, type AdminServer } from './admin.js';
import { registerScannerStats, registerTraceCount } from './metrics.js';
import { Traces, type TraceEntry } from './trace.js';
import { registerMetrics, serveMetricsToPrimary } from './prometheus.js';
import { markReportedToPrimary } from './reported-to-primary.js';
import type { BoundInterface } from './server/gateway.js';
import { basename } from 'node:path';
import { recoverPostingJournals, type PostingRecovery } from './posting-recovery.js';

/** Worker → primary. (prom-client's aggregation shares the channel: its messages have no `bssgate`.) */
type ToPrimary =
  | { bssgate: 'ready'; bound: BoundInterface[] }
  | { bssgate: 'failed'; message: string; config?: { file: string; section: string; key: string; problem: string } }
  | { bssgate: 'log-open'; file: string }
  | { bssgate: 'log-done'; file: string };
type ToWorker = { bssgate: 'stop' } | { bssgate: 'traces'; traces: TraceEntry[] };

// Start-up errors of a worker that the primary reports: src/reported-to-primary.ts.
export { isReportedToPrimary } from './reported-to-primary.js';

/** Restart backoff: 100 ms, doubling per crash in a row, at most 30 s; a worker up 10 s resets it. */
export const RESTART_MIN_MS = 100;
export const RESTART_MAX_MS = 30_000;
const STABLE_MS = 10_000;
/** After the last worker releases a finished day file, wait this long before compressing it. */
const ARCHIVE_SETTLE_MS = 2_000;
/** Beyond shutdown_grace, how long the primary waits for a worker to exit before SIGKILL. */
const EXIT_MARGIN_MS = 10_000;

interface Slot {
  index: number;
  worker?: Worker;
  /** The worker's unique number (1, 2, … for every fork, restarts included): its conn id base. */
  number: number;
  ready: boolean;
  startedAt: number;
  crashes: number;
  restart?: NodeJS.Timeout;
}

const DAY_FILE = /\.(\d{4})$/;

/**
 * The primary's record of which workers have which day files open. A finished day's file is
 * compressed once no worker holds it (its last holder closed it, or died), after a settle delay
 * and a re-check: a worker that opened it just before midnight may not have said so yet.
 */
export class DayFileHolders {
  private readonly holders = new Map<string, Set<number>>();
  private stopped = false;

  constructor(
    private readonly today: () => string,
    private readonly archive: (file: string) => void,
    private readonly settleMs = ARCHIVE_SETTLE_MS,
  ) {}

  opened(file: string, worker: number): void {
    let set = this.holders.get(file);
    if (!set) this.holders.set(file, (set = new Set()));
    set.add(worker);
  }

  finished(file: string, worker: number): void {
    const set = this.holders.get(file);
    if (!set) return;
    set.delete(worker);
    if (set.size > 0) return;
    this.holders.delete(file);
    // Only an earlier day's file is compressed; today's stays for the workers still to come.
    const m = DAY_FILE.exec(basename(file));
    if (!m || m[1] === this.today()) return;
    setTimeout(() => {
      if (!this.holders.has(file) && !this.stopped) this.archive(file);
    }, this.settleMs).unref();
  }

  /** A worker exited: it holds nothing any more (its descriptors are closed). */
  gone(worker: number): void {
    for (const [file, set] of [...this.holders]) if (set.has(worker)) this.finished(file, worker);
  }

  held(file: string): boolean {
    return this.holders.has(file);
  }

  /** Stopping: nothing more is compressed now (the next start's sweep does it). */
  stop(): void {
    this.stopped = true;
  }
}

/** The cluster primary. Resolves once every worker listens (the banner is printed); throws if a worker cannot start. */
export async function runPrimary(config: Config, out: NodeJS.WritableStream): Promise<void> {
  const n = config.workers ?? 1;
  const clock = systemClock;
  // OP-04: the primary serves /metrics (the workers' summed, its own scanner's and process metrics).
  registerMetrics();
  // The primary writes day files too (the scanner's, the card interface's suc_query of the
  // reconciliation): it is holder 0 of them, so none is compressed while a worker still appends.
  let days: DayFileHolders | undefined;
  const logs: Logs = createLogs(config.log, {
    clock,
    sweep: true,
    delegate: { opened: (f) => days?.opened(f, 0), finished: (f) => days?.finished(f, 0) },
  });
  days = new DayFileHolders(() => mmdd(clock.now()), (file) => logs.archive(file));
  // Issue 18: the primary owns the per-number traces (the admin listener is its own): it persists
  // them and tells every worker each change; a worker loads the persisted set when it starts.
  let slotsForTraces: Slot[] = [];
  const tellWorker = (w: Worker | undefined, traces: TraceEntry[]): void => {
    try {
      if (w?.isConnected()) w.send({ bssgate: 'traces', traces } satisfies ToWorker);
    } catch {
      // disconnecting: its successor loads the persisted set
    }
  };
  const traces = new Traces({
    logDir: config.log.dir,
    owner: true,
    log: logs.main,
    process: 'primary',
    now: () => clock.now(),
    broadcast: (list) => {
      for (const s of slotsForTraces) tellWorker(s.worker, list);
    },
  });
  traces.load();
  const unregisterTraces = registerTraceCount(() => traces.list().length);
  let store: AdminStore | undefined;
  let schema: SchemaCheck;
  try {
    // PC-07: the drop and report directories, before any worker listens.
    if (config.card?.reconcileDir) prepareCardDirs(config.card, { drop: true });
    store = await openStore(config.database, logs.main);
    schema = await checkSchema(store, config, logs, clock);
  } catch (err) {
    logs.main.fatal({ err: startError(err) }, 'cannot start');
    await store?.close().catch(() => undefined);
    unregisterTraces();
    await traces.close();
    await logs.close();
    throw err;
  }
  // What runs once per host, not once per worker (src/serve.ts does the same in a single process):
  // OC-01…OC-03 the scanner, PC-07 the reconciliation drop directory.
  let scanner: ScannerRuntime | undefined;
  let unregisterScanner: (() => void) | undefined;
  let recon: DropWatcher | undefined;
  try {
    if (config.scanner?.enabled) {
      const slogs = logs.forInterface('scanner');
      scanner = await startScanner({ store, scanner: config.scanner, switches: config.switches ?? [], log: slogs.warn, err: slogs.err, clock });
      const rt = scanner;
      unregisterScanner = registerScannerStats(() => rt.scanner.stats());
    }
    if (config.card?.reconcileDir) {
      const cardIface = config.interfaces.find((i) => i.kind === 'card');
      recon = watchDropDirectory(config.card.reconcileDir, { store, clock, log: logs.main, card: config.card, postings: cardIface ? logs.forInterface(cardIface.name).postings : undefined });
    }
  } catch (err) {
    logs.main.fatal({ err: startError(err) }, 'cannot start');
    schema.cancel();
    await scanner?.stop(0).catch(() => undefined);
    await store.close().catch(() => undefined);
    unregisterTraces();
    await traces.close();
    await logs.close();
    throw err;
  }
  // suc_query.MMDD lines a crash left in the posting journals (every process's), before any worker serves.
  const recoveries = new Set<PostingRecovery>();
  const recoverJournals = (names?: (name: string) => boolean): Promise<boolean> => {
    const r = recoverPostingJournals(config, store, logs, clock, { names, archive: !names });
    recoveries.add(r);
    void r.done.finally(() => recoveries.delete(r));
    return r.first;
  };
  await recoverJournals();
  logs.main.info({ workers: n }, `cluster primary: starting ${n} workers`);

  let stopping = false;
  let nextNumber = 1;
  const slots: Slot[] = Array.from({ length: n }, (_, index) => ({ index, number: 0, ready: false, startedAt: 0, crashes: 0 }));
  slotsForTraces = slots;
  let firstBound: BoundInterface[] | undefined;
  let startup: { resolve(): void; reject(err: Error): void } | undefined;
  const started = new Promise<void>((resolve, reject) => (startup = { resolve, reject }));

  const onMessage = (slot: Slot, number: number, msg: unknown): void => {
    if (typeof msg !== 'object' || msg === null || !('bssgate' in msg)) return;
    const m = msg as ToPrimary;
    switch (m.bssgate) {
      case 'ready':
        slot.ready = true;
        firstBound ??= m.bound;
        // What changed while it started (it loaded the persisted set before listening).
        tellWorker(slot.worker, traces.list());
        logs.main.info({ worker: number, workerPid: slot.worker?.process.pid }, 'worker listening');
        if (slots.every((s) => s.ready)) startup?.resolve();
        break;
      case 'failed':
        logs.main.fatal({ worker: number, err: m.message }, 'worker cannot start');
        // A worker's configuration error stays one (the CLI prints "configuration error: …").
        startup?.reject(m.config ? new ConfigError(m.config.file, m.config.section, m.config.key, m.config.problem) : new Error(m.message));
        break;
      case 'log-open':
        days.opened(m.file, number);
        break;
      case 'log-done':
        days.finished(m.file, number);
        break;
    }
  };

  const fork = (slot: Slot): void => {
    const number = nextNumber++;
    const worker = cluster.fork({ BSSGATE_WORKER_NUMBER: String(number) });
    Object.assign(slot, { worker, number, ready: false, startedAt: Date.now() });
    worker.on('message', (msg: unknown) => onMessage(slot, number, msg));
    // A message to a worker that is just disconnecting fails asynchronously (EPIPE) as an 'error'
    // event; unhandled, it would end the primary with a stack trace. Its exit is handled below.
    worker.on('error', (err: Error) => logs.main.warn({ worker: number, err: err.message }, 'worker channel error'));
    worker.on('exit', (code, signal) => {
      days.gone(number);
      // What the worker journaled and did not settle (a crash, or a write in doubt at its stop).
      if (!stopping) void recoverJournals((name) => name === `w${number}`);
      if (slot.worker !== worker) return;
      slot.worker = undefined;
      slot.ready = false;
      if (stopping) return;
      if (startup) {
        // Before every worker listened once: a configuration or port problem, not a crash to retry.
        startup.reject(new Error(`worker ${number} exited during start-up (${signal ?? `code ${code}`})`));
        return;
      }
      if (Date.now() - slot.startedAt >= STABLE_MS) slot.crashes = 0;
      const delay = Math.min(RESTART_MAX_MS, RESTART_MIN_MS * 2 ** slot.crashes);
      slot.crashes++;
      logs.main.error(
        { worker: number, workerPid: worker.process.pid, code, signal, restartInMs: delay, crashesInARow: slot.crashes },
        `worker ${number} exited (${signal ?? `code ${code}`}); restarting in ${delay} ms`,
      );
      slot.restart = setTimeout(() => {
        slot.restart = undefined;
        if (!stopping) fork(slot);
      }, delay);
    });
  };

  let admin: AdminServer | undefined;
  const stopAll = async (why: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    days?.stop();
    logs.main.info({ why }, 'cluster primary: stopping every worker (each answers what it read)');
    const exits = slots.map((s) => {
      if (s.restart) clearTimeout(s.restart);
      const w = s.worker;
      if (!w || w.isDead()) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          logs.main.error({ worker: s.number }, 'worker did not exit in time: killed');
          w.process.kill('SIGKILL');
        }, config.shutdownGraceMs + EXIT_MARGIN_MS);
        w.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        try {
          if (!w.isConnected()) throw new Error('channel closed');
          w.send({ bssgate: 'stop' } satisfies ToWorker);
        } catch {
          w.process.kill('SIGTERM');
        }
      });
    });
    await Promise.all(exits);
    schema.cancel();
    for (const r of recoveries) r.cancel();
    await Promise.all([...recoveries].map((r) => r.done));
    await scanner?.stop(config.shutdownGraceMs).catch((err: unknown) => logs.main.error({ err }, 'stopping the scanner'));
    unregisterScanner?.();
    await recon?.stop().catch(() => undefined);
    await admin?.close().catch(() => undefined);
    unregisterTraces();
    await traces.close();
    await store?.close().catch(() => undefined);
    logs.main.info('cluster primary: stopped');
    await logs.close();
  };

  cluster.schedulingPolicy = cluster.SCHED_RR;
  // A worker is this same command line; its role comes from cluster.isWorker (src/serve-command.ts).
  cluster.setupPrimary({ exec: process.argv[1], args: process.argv.slice(2) });
  for (const s of slots) fork(s);
  try {
    await started;
  } catch (err) {
    await stopAll('a worker could not start');
    throw err;
  } finally {
    startup = undefined;
  }
  if (config.admin?.enabled) {
    try {
      admin = await startAdmin(
        config.admin,
        { ...clusterAdminSources({ expectedWorkers: () => n, liveWorkers: () => slots.filter((s) => s.ready).length, stopping: () => stopping }), traces },
        logs.main,
      );
    } catch (err) {
      await stopAll('the admin listener cannot start');
      throw err;
    }
  }
  out.write(summary({ config, bound: firstBound ?? [], facts: schema.facts, scanner, workers: n, admin }));
  const onSignal = (sig: string): void => {
    logs.main.info({ signal: sig }, 'signal received');
    stopAll(sig).then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`bssgate: error while stopping: ${(err as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  process.once('SIGINT', () => onSignal('SIGINT'));
}

/** A worker: the gateway in worker mode; stops (draining) on the primary's word or on SIGTERM/SIGINT. */
export async function runWorker(config: Config): Promise<Running> {
  const number = Number(process.env.BSSGATE_WORKER_NUMBER);
  if (!Number.isInteger(number) || number < 1) throw new Error('cluster worker started without BSSGATE_WORKER_NUMBER');
  const send = (m: ToPrimary): void => {
    if (process.connected) process.send?.(m);
  };
  serveMetricsToPrimary();
  // A stop that arrives while the gateway is still starting is remembered and carried out as soon
  // as it is up (an IPC message with no listener yet would be dropped, and KillMode=mixed signals
  // only the primary).
  let stopAsked: string | undefined;
  const early = (msg: unknown): void => {
    if (typeof msg === 'object' && msg !== null && (msg as ToWorker).bssgate === 'stop') stopAsked ??= 'the primary stops';
  };
  const earlySignal = (sig: string) => () => void (stopAsked ??= sig);
  const onTerm = earlySignal('SIGTERM');
  const onInt = earlySignal('SIGINT');
  process.on('message', early);
  process.once('SIGTERM', onTerm);
  process.once('SIGINT', onInt);
  let running: Running;
  try {
    running = await startGateway(config, {
      worker: {
        number,
        delegate: { opened: (file) => send({ bssgate: 'log-open', file }), finished: (file) => send({ bssgate: 'log-done', file }) },
      },
    });
  } catch (err) {
    // The IPC channel would keep this process alive: leave once the primary has the reason.
    if (process.connected) {
      const config = err instanceof ConfigError ? { file: err.file, section: err.section, key: err.key, problem: err.problem } : undefined;
      process.send?.({ bssgate: 'failed', message: (err as Error).message, config } satisfies ToPrimary, () => process.disconnect());
      markReportedToPrimary(err);
    }
    throw err;
  }
  const stop = (why: string): void => {
    running.logs.main.info({ worker: number, why }, 'worker stopping');
    running.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.off('message', early);
  process.off('SIGTERM', onTerm);
  process.off('SIGINT', onInt);
  process.on('message', (msg: unknown) => {
    if (typeof msg !== 'object' || msg === null) return;
    const m = msg as ToWorker;
    if (m.bssgate === 'stop') stop('the primary stops');
    else if (m.bssgate === 'traces' && Array.isArray(m.traces)) running.traces.replace(m.traces);
  });
  // Ctrl-C reaches every process of the group; under systemd (KillMode=mixed) only the primary
  // gets SIGTERM and tells the workers over IPC.
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  // A primary that dies (SIGKILL) takes the listening sockets with it; node:cluster then ends
  // the worker at once (its own 'disconnect' handler): a crash, like SIGKILL of a single process.
  send({ bssgate: 'ready', bound: running.bound });
  if (stopAsked !== undefined) stop(stopAsked);
  return running;
}
