// OP-04: the gateway's metric cells — what the hot path counts — and the sources the gauges read
// (running gateways, the scanner). This module does not import prom-client and registers nothing:
// src/prometheus.ts turns these into prom-client metrics when a process that serves /metrics calls
// registerMetrics() (serve, the cluster primary and its workers, the admin listener).
// docs/metrics.md lists every name.
//
// The hot path never calls prom-client: prom-client's `labels(...).inc()` hashes and validates the
// label set on every call (a string built per request). Instead each interface, business type and
// return code owns a plain cell, created the first time it is seen and cached (a Map lookup by
// number, then `cell.value++`); the families below read those cells only when /metrics is scraped
// and hand prom-client the samples in the shape its own metrics produce, so prom-client formats,
// registers and aggregates them like any other metric.
//
// ── Several workers (node:cluster, `[server] workers = N`) ───────────────────────────────────────
// Every worker keeps its own cells; the primary answers /metrics with the sum over the workers,
// through prom-client's AggregatorRegistry (request/response over the cluster IPC channel):
//   - in every WORKER, once at start (before or after startGateway): `serveMetricsToPrimary()`
//     (src/prometheus.ts); start the gateway there with `startGateway(config, { admin: false })`
//     (no admin listener);
//   - in the PRIMARY (src/admin.ts): `startAdmin(config.admin, clusterAdminSources({ expectedWorkers: () => N,
//     liveWorkers: () => <count of workers connected> }), log)` — it serves /health/live,
//     /health/ready (ready when every expected worker is connected and reports bssgate_ready 1) and
//     /metrics (the aggregate), and `admin.close()` on stop.
// Counters and histograms are summed; bssgate_ready, bssgate_database_up and
// bssgate_interface_listening take the minimum (one worker not ready makes the host not ready),
// bssgate_stopping the maximum, bssgate_build_info the first worker's.
import { businessByCode } from '../protocol/business-types.js';
import type { ScannerStats } from './scanner/scanner.js';

// ── cells and families ───────────────────────────────────────────────────────────────────────────

type Labels = Record<string, string>;
/** How prom-client's AggregatorRegistry combines a metric over cluster workers (its `Aggregator`). */
export type Aggregator = 'sum' | 'first' | 'min' | 'max' | 'average' | 'omit';
/** The exposition type names prom-client writes after # TYPE (its .d.ts declares a numeric enum). */
type FamilyType = 'counter' | 'histogram';

/** One counter value with its labels, incremented on the hot path by `cell.value++`. */
export interface Cell {
  readonly labels: Labels;
  value: number;
}

interface Sample {
  value: number;
  labels: Labels;
  metricName?: string;
}

/** A metric prom-client's Registry can hold: it calls get() when scraped, reset() on resetMetrics(). */
export abstract class Family {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: FamilyType,
    readonly aggregator: Aggregator = 'sum',
  ) {}
  abstract samples(): Sample[];
  abstract reset(): void;
  get(): Promise<{ name: string; help: string; type: FamilyType; aggregator: Aggregator; values: Sample[] }> {
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values: this.samples() });
  }
}

/** A counter whose children are plain cells keyed by their label values. */
class CellCounter extends Family {
  private readonly cells = new Map<string, Cell>();
  constructor(name: string, help: string, private readonly labelNames: readonly string[]) {
    super(name, help, 'counter');
  }
  /** The cell of these label values (created once; callers keep it). */
  cell(...values: string[]): Cell {
    const key = values.join('\u0000');
    let c = this.cells.get(key);
    if (!c) {
      const labels: Labels = {};
      this.labelNames.forEach((n, i) => (labels[n] = values[i]));
      c = { labels, value: 0 };
      this.cells.set(key, c);
    }
    return c;
  }
  samples(): Sample[] {
    return [...this.cells.values()].map((c) => ({ value: c.value, labels: c.labels }));
  }
  reset(): void {
    for (const c of this.cells.values()) c.value = 0;
  }
}

/** One histogram child: per-bucket (non-cumulative) counts, cumulated when scraped. */
export class HistogramCell {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(
    readonly labels: Labels,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }
  observe(v: number): void {
    const b = this.bounds;
    let i = 0;
    while (i < b.length && v > b[i]) i++;
    this.counts[i]++;
    this.sum += v;
    this.count++;
  }
}

class CellHistogram extends Family {
  private readonly cells = new Map<string, HistogramCell>();
  constructor(
    name: string,
    help: string,
    private readonly labelNames: readonly string[],
    readonly bounds: readonly number[],
  ) {
    super(name, help, 'histogram');
  }
  cell(...values: string[]): HistogramCell {
    const key = values.join('\u0000');
    let c = this.cells.get(key);
    if (!c) {
      const labels: Labels = {};
      this.labelNames.forEach((n, i) => (labels[n] = values[i]));
      c = new HistogramCell(labels, this.bounds);
      this.cells.set(key, c);
    }
    return c;
  }
  samples(): Sample[] {
    const out: Sample[] = [];
    for (const c of this.cells.values()) {
      let acc = 0;
      for (let i = 0; i <= this.bounds.length; i++) {
        acc += c.counts[i];
        const le = i < this.bounds.length ? String(this.bounds[i]) : '+Inf';
        out.push({ metricName: `${this.name}_bucket`, labels: { ...c.labels, le }, value: acc });
      }
      out.push({ metricName: `${this.name}_sum`, labels: c.labels, value: c.sum });
      out.push({ metricName: `${this.name}_count`, labels: c.labels, value: c.count });
    }
    return out;
  }
  reset(): void {
    for (const c of this.cells.values()) {
      c.counts.fill(0);
      c.sum = 0;
      c.count = 0;
    }
  }
}

const families: Family[] = [];
/** Every cell family, for src/prometheus.ts to register with prom-client (in this order). */
export const FAMILIES: readonly Family[] = families;

function registered<T extends Family>(f: T): T {
  families.push(f);
  return f;
}

// ── the metrics ──────────────────────────────────────────────────────────────────────────────────

/** Latency buckets, seconds: CS-01 takes tens of µs; request_timeout defaults to 15 s. */
export const LATENCY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15] as const;
/** Group-commit batch sizes (units per COMMIT; maxBatch defaults to 256). */
export const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256] as const;

const requestsTotal = registered(
  new CellCounter('bssgate_requests_total', 'Requests answered, by interface, business type (code and name) and return code', ['iface', 'biz', 'fn', 'code']),
);
const requestDuration = registered(
  new CellHistogram('bssgate_request_duration_seconds', 'Time from a decoded header to the encoded answer, by interface and business type', ['iface', 'biz', 'fn'], LATENCY_BUCKETS),
);
const acceptedTotal = registered(new CellCounter('bssgate_connections_accepted_total', 'Connections accepted (past the allowlist and the connection limit)', ['iface']));

/** Causes of bssgate_refusals_total: connections refused or cut by the gateway (OP-05). */
export const REFUSAL_CAUSES = ['limit', 'allowlist', 'idle_timeout', 'frame_timeout', 'drain_timeout', 'bad_frame', 'bad_header'] as const;
export type RefusalCause = (typeof REFUSAL_CAUSES)[number];
const refusalsTotal = registered(
  new CellCounter('bssgate_refusals_total', 'Connections refused (limit: 9003 sent; allowlist) or closed by the gateway (timeouts, bad frames, bad headers)', ['iface', 'cause']),
);

const dbOutages = registered(new CellCounter('bssgate_database_outages_total', 'Times the database was lost (queries answered 9001 from then on until it returns)', []));
const dbReconnects = registered(new CellCounter('bssgate_database_reconnects_total', 'Times the database answered again after an outage', []));
const batchSize = registered(new CellHistogram('bssgate_group_commit_batch_size', 'Units of work per group commit (one COMMIT each)', [], BATCH_BUCKETS));
const lockouts = registered(
  new CellCounter('bssgate_password_lockouts_total', 'Service-password locks set: window = too many wrong passwords in 30 minutes, hard = too many in a row (an operator must clear it)', ['kind']),
);
const adminRefused = registered(new CellCounter('bssgate_admin_refused_total', 'Admin HTTP requests refused because the peer is not in [admin] allow (answered 403)', []));
// A counter has a sample (0) from the start, not only after its first event: otherwise an alert
// such as `increase(bssgate_database_outages_total[8h]) > 0` has no data until the first outage.
for (const c of [dbOutages, dbReconnects, adminRefused]) c.cell();
for (const kind of ['window', 'hard']) lockouts.cell(kind);

// ── per-interface handles (cached by the listener, the connection and the dispatcher) ─────────────

export interface InterfaceMetrics {
  readonly accepted: Cell;
  readonly refused: Readonly<Record<RefusalCause, Cell>>;
  /** Count one answered request and its latency (allocation-free once the cells exist). */
  request(biz: number, code: number, ms: number): void;
}

interface BizCells {
  latency: HistogramCell;
  codes: Map<number, Cell>;
  biz: string;
  fn: string;
}

class InterfaceCells implements InterfaceMetrics {
  readonly accepted: Cell;
  readonly refused: Record<RefusalCause, Cell>;
  private readonly byBiz = new Map<number, BizCells>();

  constructor(private readonly iface: string) {
    this.accepted = acceptedTotal.cell(iface);
    this.refused = Object.fromEntries(REFUSAL_CAUSES.map((c) => [c, refusalsTotal.cell(iface, c)])) as Record<RefusalCause, Cell>;
  }

  request(biz: number, code: number, ms: number): void {
    let b = this.byBiz.get(biz);
    if (b === undefined) b = this.bizCells(biz);
    let c = b.codes.get(code);
    if (c === undefined) {
      c = requestsTotal.cell(this.iface, b.biz, b.fn, String(code));
      b.codes.set(code, c);
    }
    c.value++;
    b.latency.observe(ms / 1000);
  }

  private bizCells(biz: number): BizCells {
    // The business code comes off the wire: only codes of the business-type table get a label of
    // their own, so a client sending random codes cannot create unbounded series.
    const row = businessByCode(biz);
    const key = row ? biz : -1;
    let b = this.byBiz.get(key);
    if (!b) {
      const label = row ? String(biz) : 'other';
      const fn = row ? row.name : 'other';
      b = { latency: requestDuration.cell(this.iface, label, fn), codes: new Map(), biz: label, fn };
      this.byBiz.set(key, b);
    }
    if (key !== biz) {
      // Remember a bounded number of unknown codes as aliases of 'other' (skip the table lookup).
      if (this.byBiz.size < 1024) this.byBiz.set(biz, b);
    }
    return b;
  }
}

const interfaces = new Map<string, InterfaceCells>();

/** The metric handles of one interface; the same object for every caller with that name. */
export function interfaceMetrics(iface: string): InterfaceMetrics {
  let m = interfaces.get(iface);
  if (!m) interfaces.set(iface, (m = new InterfaceCells(iface)));
  return m;
}

/** src/store/availability.ts: the database was lost / answers again. */
export const databaseMetrics = {
  outage(): void {
    dbOutages.cell().value++;
  },
  reconnected(): void {
    dbReconnects.cell().value++;
  },
};

const batchCell = batchSize.cell();
/** src/store/group-commit.ts: one batch of `units` units starts. */
export function observeBatch(units: number): void {
  batchCell.observe(units);
}

/** handlers/kit/password.ts: a number's service password was just locked. */
export function countLockout(kind: 'window' | 'hard'): void {
  lockouts.cell(kind).value++;
}

export function countAdminRefusal(): void {
  adminRefused.cell().value++;
}

// ── gauges read when scraped: connections, readiness, the scanner ─────────────────────────────────

/** What /health/ready reports (src/admin.ts); also the source of the readiness gauges. */
export interface Readiness {
  ready: boolean;
  stopping: boolean;
  database: { up: boolean; error?: string };
  interfaces: { name: string; host: string; port: number; listening: boolean }[];
  /** Why not ready, one phrase each; empty when ready. */
  reasons: string[];
}

/** A running gateway, as the gauges see it (src/serve.ts registers one per startGateway). */
export interface GatewaySource {
  /** Open connections per interface name. */
  connections(): { iface: string; open: number }[];
  readiness(): Promise<Readiness>;
}

const gateways = new Set<GatewaySource>();

/** Register a running gateway for the gauges; returns the function that unregisters it. */
export function registerGateway(src: GatewaySource): () => void {
  gateways.add(src);
  return () => gateways.delete(src);
}

/** Readiness of every gateway registered in this process (normally one), merged. */
export async function processReadiness(): Promise<Readiness | undefined> {
  if (gateways.size === 0) return undefined;
  const all = await Promise.all([...gateways].map((g) => g.readiness()));
  return mergeReadiness(all);
}

export function mergeReadiness(all: readonly Readiness[]): Readiness {
  const database = all.every((r) => r.database.up)
    ? { up: true }
    : { up: false, error: all.find((r) => !r.database.up)?.database.error ?? 'not answering' };
  return {
    ready: all.every((r) => r.ready),
    stopping: all.some((r) => r.stopping),
    database,
    interfaces: all.flatMap((r) => r.interfaces),
    reasons: [...new Set(all.flatMap((r) => r.reasons))],
  };
}

/** Open connections per interface name, summed over the registered gateways (every interface seen has an entry). */
export function openConnections(): Map<string, number> {
  const sums = new Map<string, number>();
  for (const name of interfaces.keys()) sums.set(name, 0);
  for (const g of gateways) for (const c of g.connections()) sums.set(c.iface, (sums.get(c.iface) ?? 0) + c.open);
  return sums;
}

// The scanner (OC-01…OC-03) runs in one process per host (with workers: the primary), so its
// metrics are not summed over workers: they take the 'omit' aggregator there, and the primary
// appends its own (clusterMetricsText).
type ScannerStatsFn = () => ScannerStats;
let scannerStats: ScannerStatsFn | undefined;

/**
 * Where the scanner runs, register its stats() (src/scanner/scanner.ts) when it starts; call the
 * returned function when it stops. While none is registered the scanner metrics have no samples
 * (bssgate_scanner_running 0).
 */
export function registerScannerStats(fn: ScannerStatsFn): () => void {
  scannerStats = fn;
  return () => {
    if (scannerStats === fn) scannerStats = undefined;
  };
}

/** The scanner's stats for this scrape; a scanner whose stats() throws leaves its metrics empty. */
export function scanner(): ScannerStats | undefined {
  try {
    return scannerStats?.();
  } catch {
    return undefined;
  }
}

/** Counters the scanner keeps itself (since this process started), read when scraped. */
class ScannerOutcomes extends Family {
  samples(): Sample[] {
    const s = scanner();
    if (!s) return [];
    const of: [string, number][] = [
      ['executed', s.executed],
      ['failed', s.failed],
      ['retried', s.retried],
      ['waited', s.waited],
      ['taken_back', s.takenBack],
      ['lost', s.lost],
    ];
    return of.map(([outcome, value]) => ({ value, labels: { outcome } }));
  }
  reset(): void {
    // The scanner's own counters; nothing to reset here.
  }
}

/** Registered after the gauges of the gateways (src/prometheus.ts), as the scanner's own. */
export const SCANNER_OUTCOMES = new ScannerOutcomes(
  'bssgate_scanner_outcomes_total',
  'Online commands handled by this process\'s scanner: executed, failed (for good), retried (re-sent later), waited (no route or switch unreachable), taken_back (an expired lease of a dead scanner), lost (the lease had passed to another scanner)',
  'counter',
  'omit',
);

// Issue 18: the per-number traces (src/trace.ts) of the process that owns them (a single gateway,
// or the cluster primary, which appends this gauge to the workers' aggregate as the scanner's).
type TraceCountFn = () => number;
let traceCount: TraceCountFn | undefined;

/** The trace owner registers how many numbers are traced now; call the returned function on stop. */
export function registerTraceCount(fn: TraceCountFn): () => void {
  traceCount = fn;
  return () => {
    if (traceCount === fn) traceCount = undefined;
  };
}

/** Numbers traced now (0 where no owner is registered). */
export function activeTraces(): number {
  try {
    return traceCount?.() ?? 0;
  } catch {
    return 0;
  }
}
