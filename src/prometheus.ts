// OP-04: the gateway's metrics in prom-client's global registry, and their exposition (/metrics).
// Importing this module registers nothing: a process that serves /metrics calls registerMetrics()
// once (src/serve.ts, src/cluster.ts for the primary and every worker; src/admin.ts and the
// exposition functions below call it too, it is idempotent). The cells the hot path counts are in
// src/metrics.ts, which does not load prom-client: the client, `bssgate call`, the simulators and
// the spec renderer never do. docs/metrics.md lists every name; src/metrics.ts (top) describes the
// cells and the aggregation over cluster workers.
import { createRequire } from 'node:module';
import cluster from 'node:cluster';
import { AggregatorRegistry, Gauge, collectDefaultMetrics, register, type PrometheusContentType } from 'prom-client';
import { FAMILIES, SCANNER_OUTCOMES, activeTraces, openConnections, processReadiness, scanner, type Family, type Readiness } from './metrics.js';

function registerFamily(f: Family): void {
  // prom-client's Registry accepts any object with name/get/reset; its typing wants its own classes.
  register.registerMetric(f as unknown as Parameters<typeof register.registerMetric>[0]);
}

// One readiness evaluation per scrape, shared by the four gauges below: prom-client calls every
// metric's collect() in the same turn, so they all find the evaluation still pending.
let readinessScrape: Promise<Readiness | undefined> | undefined;
function scrapeReadiness(): Promise<Readiness | undefined> {
  if (!readinessScrape) {
    const p = processReadiness().finally(() => {
      if (readinessScrape === p) readinessScrape = undefined;
    });
    readinessScrape = p;
  }
  return readinessScrape;
}

/** package.json's version: two levels up from dist/src/, one from src/ (tests run the sources). */
function packageVersion(): string {
  const req = createRequire(import.meta.url);
  for (const p of ['../package.json', '../../package.json']) {
    try {
      const pkg = req(p) as { name?: string; version?: string };
      if (pkg.name === 'bssgate' && pkg.version) return pkg.version;
    } catch {
      // not at this level
    }
  }
  return 'unknown';
}

export const SCANNER_METRICS = [
  'bssgate_scanner_running',
  'bssgate_scanner_queue_depth',
  'bssgate_scanner_oldest_queued_seconds',
  'bssgate_scanner_in_flight',
  'bssgate_scanner_outcomes_total',
  'bssgate_scanner_switch_ready',
] as const;

/** The primary's own metrics besides the scanner's (omitted from the workers'): the trace owner's. */
export const PRIMARY_METRICS = ['bssgate_traces_active'] as const;

/**
 * prom-client's totals of nodejs_active_handles/requests/resources are gauges named `_total`, which
 * Prometheus reserves for counters (`promtool check metrics` fails on them). They are dropped:
 * `sum(nodejs_active_handles)` is the same number.
 */
export const DROPPED_DEFAULT_METRICS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'] as const;

let registered = false;

/**
 * Register every bssgate metric, the process metrics (collectDefaultMetrics) and the gauges in
 * prom-client's global registry. Once per process; later calls do nothing.
 */
export function registerMetrics(): void {
  if (registered) return;
  registered = true;
  for (const f of FAMILIES) registerFamily(f);

  new Gauge({
    name: 'bssgate_connections_open',
    help: 'Client connections open now, by interface',
    labelNames: ['iface'],
    registers: [register],
    collect() {
      this.reset();
      for (const [iface, open] of openConnections()) this.set({ iface }, open);
    },
  });
  new Gauge({
    name: 'bssgate_ready',
    help: '1 when /health/ready answers 200: database answering, every enabled interface listening, not stopping',
    registers: [register],
    aggregator: 'min',
    async collect() {
      const r = await scrapeReadiness();
      this.set(r?.ready ? 1 : 0);
    },
  });
  new Gauge({
    name: 'bssgate_stopping',
    help: '1 once SIGTERM was received: no new connections, requests in flight being answered',
    registers: [register],
    aggregator: 'max',
    async collect() {
      const r = await scrapeReadiness();
      this.set(r?.stopping ? 1 : 0);
    },
  });
  new Gauge({
    name: 'bssgate_database_up',
    help: '1 when the database answered a trivial query (CS-01\'s) just now, 0 when it did not',
    registers: [register],
    aggregator: 'min',
    async collect() {
      const r = await scrapeReadiness();
      this.set(r?.database.up ? 1 : 0);
    },
  });
  new Gauge({
    name: 'bssgate_interface_listening',
    help: '1 when the interface accepts connections, 0 when it does not (stopping, or its listener failed)',
    labelNames: ['iface', 'port'],
    registers: [register],
    aggregator: 'min',
    async collect() {
      this.reset();
      const r = await scrapeReadiness();
      for (const i of r?.interfaces ?? []) this.set({ iface: i.name, port: String(i.port) }, i.listening ? 1 : 0);
    },
  });

  registerFamily(SCANNER_OUTCOMES);
  new Gauge({
    name: 'bssgate_scanner_running',
    help: '1 while the command scanner runs in this process, else 0',
    registers: [register],
    aggregator: 'omit',
    collect() {
      this.set(scanner()?.running ? 1 : 0);
    },
  });
  new Gauge({
    name: 'bssgate_scanner_queue_depth',
    help: 'Online commands (USR_BUSI_RECORD) by state: queued (status 5, claimable), waiting (status 5, retry time not reached), sending (status 6, any scanner)',
    labelNames: ['state'],
    registers: [register],
    aggregator: 'omit',
    collect() {
      this.reset();
      const d = scanner()?.depth;
      if (!d) return;
      this.set({ state: 'queued' }, d.queued);
      this.set({ state: 'waiting' }, d.waiting);
      this.set({ state: 'sending' }, d.sending);
    },
  });
  new Gauge({
    name: 'bssgate_scanner_oldest_queued_seconds',
    help: 'Age of the oldest online command in status 5, seconds (0: none, or the scanner not running)',
    registers: [register],
    aggregator: 'omit',
    collect() {
      const ms = scanner()?.depth?.oldestQueuedAgeMs;
      this.set(ms ? ms / 1000 : 0);
    },
  });
  new Gauge({
    name: 'bssgate_scanner_in_flight',
    help: 'Online commands this scanner is delivering now',
    registers: [register],
    aggregator: 'omit',
    collect() {
      this.set(scanner()?.inFlight ?? 0);
    },
  });
  new Gauge({
    name: 'bssgate_scanner_switch_ready',
    help: '1 when the switch can be reached (socket: logged in; file: directories writable), by switch',
    labelNames: ['switch', 'kind'],
    registers: [register],
    aggregator: 'omit',
    collect() {
      this.reset();
      const s = scanner();
      if (s) for (const [name, sw] of Object.entries(s.bySwitch)) this.set({ switch: name, kind: sw.kind }, sw.ready ? 1 : 0);
    },
  });

  new Gauge({
    name: 'bssgate_traces_active',
    help: 'Service numbers traced now (bssgate trace <number>: every request and answer of the number to logs/trace/)',
    registers: [register],
    aggregator: 'omit',
    collect() {
      this.set(activeTraces());
    },
  });

  new Gauge({
    name: 'bssgate_build_info',
    help: 'Always 1; the labels say which bssgate and Node.js run',
    labelNames: ['version', 'node'],
    registers: [register],
    aggregator: 'first',
  }).set({ version: packageVersion(), node: process.versions.node }, 1);

  // Process metrics (CPU, memory, file descriptors, event-loop lag, GC) from prom-client itself.
  collectDefaultMetrics({ register });
  for (const name of DROPPED_DEFAULT_METRICS) register.removeSingleMetric(name);
}

// ── exposition ───────────────────────────────────────────────────────────────────────────────────

export const METRICS_CONTENT_TYPE = register.contentType;

/** This process's metrics in the Prometheus text format. */
export function metricsText(): Promise<string> {
  registerMetrics();
  return register.metrics();
}

/** In a cluster worker: answer the primary's AggregatorRegistry requests over IPC (idempotent). */
export function serveMetricsToPrimary(): void {
  registerMetrics();
  // The constructor attaches prom-client's IPC listener (once per process); the instance is not needed.
  if (cluster.isWorker) new AggregatorRegistry();
}

let aggregator: AggregatorRegistry<PrometheusContentType> | undefined;
/** In the cluster primary: every worker's metrics, aggregated (see the note at the top). */
export async function clusterMetricsText(): Promise<string> {
  registerMetrics();
  aggregator ??= new AggregatorRegistry();
  const workers = await aggregator.clusterMetrics();
  // The scanner runs in the primary: its metrics are the primary's own (omitted from the workers').
  const own = await Promise.all([...SCANNER_METRICS, ...PRIMARY_METRICS].map((n) => register.getSingleMetricAsString(n)));
  return `${workers.replace(/\n*$/, '\n')}\n${own.join('\n\n')}\n`;
}
