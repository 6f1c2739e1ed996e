// Prometheus metrics of the shadow (issue 16), in a Registry of its own (never prom-client's
// global one, which the gateway's metrics use): served on the [admin] port of the shadow's INI.
import http from 'node:http';
import { Counter, Histogram, Registry, type MetricObjectWithValues, type MetricValueWithName } from 'prom-client';
import { bizLabel, type ShadowReport } from './report.js';

/** What the metrics read from each relay at scrape time (the hot counters are plain numbers there). */
export interface MetricsSource {
  readonly cfg: { name: string };
  readonly report: ShadowReport;
  readonly relayed: { request: number; response: number };
  /** The candidate's answer times. */
  readonly latency: LatencyBuckets;
}

/** Upper bounds (s) of bssgate_shadow_answer_seconds. */
export const ANSWER_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5] as const;

/** A histogram's counts kept in plain numbers (one per bucket, as prom-client's `le`: value ≤ bound). */
export class LatencyBuckets {
  readonly counts: number[] = ANSWER_BUCKETS.map(() => 0);
  sum = 0;
  count = 0;
  observe(seconds: number): void {
    let i = 0;
    while (i < ANSWER_BUCKETS.length && seconds > ANSWER_BUCKETS[i]) i++;
    if (i < ANSWER_BUCKETS.length) this.counts[i]++;
    this.sum += seconds;
    this.count++;
  }
}

/** A Histogram whose values are the relays' LatencyBuckets, read when scraped (no work per observation here). */
class ScrapedHistogram extends Histogram<'shadow' | 'target'> {
  constructor(
    private readonly spec: { name: string; help: string; registers: Registry[] },
    private readonly read: () => { labels: { shadow: string; target: string }; b: LatencyBuckets }[],
  ) {
    super({ ...spec, labelNames: ['shadow', 'target'], buckets: [...ANSWER_BUCKETS] });
  }

  /** What prom-client's Histogram serves both get() and the text format from (lib/histogram.js). */
  async getForPromString(): Promise<MetricObjectWithValues<MetricValueWithName<'shadow' | 'target'>>> {
    const { name, help } = this.spec;
    const values: MetricValueWithName<'shadow' | 'target' | 'le'>[] = [];
    for (const { labels, b } of this.read()) {
      if (b.count === 0) continue;
      let acc = 0;
      ANSWER_BUCKETS.forEach((le, i) => {
        acc += b.counts[i];
        values.push({ metricName: `${name}_bucket`, labels: { ...labels, le }, value: acc });
      });
      values.push({ metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: b.count });
      values.push({ metricName: `${name}_sum`, labels, value: b.sum });
      values.push({ metricName: `${name}_count`, labels, value: b.count });
    }
    // What prom-client's own Histogram#get returns (its typings say an enum where the code has 'histogram').
    return { name, help, type: 'histogram', values, aggregator: 'sum' } as unknown as MetricObjectWithValues<MetricValueWithName<'shadow' | 'target'>>;
  }
}

export class ShadowMetrics {
  readonly registry = new Registry();
  readonly mirrored: Counter<'shadow' | 'biz'>;
  readonly identical: Counter<'shadow' | 'biz'>;
  readonly differing: Counter<'shadow' | 'biz'>;
  readonly differences: Counter<'shadow' | 'biz' | 'field'>;
  readonly candidateErrors: Counter<'shadow' | 'biz' | 'target'>;
  readonly timeouts: Counter<'shadow' | 'biz' | 'target'>;
  readonly dropped: Counter<'shadow' | 'biz'>;
  readonly relayed: Counter<'shadow' | 'direction'>;
  readonly candidateLatency: Histogram<'shadow' | 'target'>;
  private readonly sources = new Set<MetricsSource>();

  constructor() {
    const registers = [this.registry];
    const sources = this.sources;
    // Counted per request: kept as plain numbers by the relays and the report, copied in here when scraped.
    const fromStats = (pick: (s: import('./report.js').BizStats) => number) =>
      function (this: Counter<'shadow' | 'biz'>) {
        this.reset();
        for (const src of sources) {
          for (const s of src.report.stats.values()) {
            const v = pick(s);
            if (v > 0) this.inc({ shadow: src.cfg.name, biz: bizLabel(s.biz) }, v);
          }
        }
      };
    this.mirrored = new Counter({ name: 'bssgate_shadow_mirrored_total', help: 'Requests mirrored to the candidate', labelNames: ['shadow', 'biz'], registers, collect: fromStats((s) => s.mirrored) });
    this.identical = new Counter({
      name: 'bssgate_shadow_identical_total',
      help: 'Mirrored requests whose candidate answer equals the primary answer (after named noise)',
      labelNames: ['shadow', 'biz'],
      registers,
      collect: fromStats((s) => s.signatures.get('') ?? 0),
    });
    this.differing = new Counter({ name: 'bssgate_shadow_differing_total', help: 'Mirrored requests whose candidate answer differs from the primary answer (before learned noise)', labelNames: ['shadow', 'biz'], registers });
    this.differences = new Counter({ name: 'bssgate_shadow_differences_total', help: 'Differences by business type and field (list indexes removed: items[].fee)', labelNames: ['shadow', 'biz', 'field'], registers });
    this.candidateErrors = new Counter({ name: 'bssgate_shadow_candidate_errors_total', help: 'Mirrored requests the candidate (or secondary) did not answer usably: unreachable, closed, garbage', labelNames: ['shadow', 'biz', 'target'], registers });
    this.timeouts = new Counter({ name: 'bssgate_shadow_timeouts_total', help: 'Mirrored requests without an answer within the timeout', labelNames: ['shadow', 'biz', 'target'], registers });
    this.dropped = new Counter({ name: 'bssgate_shadow_dropped_total', help: 'Requests not mirrored because the candidate side was backed up (never client traffic)', labelNames: ['shadow', 'biz'], registers, collect: fromStats((s) => s.dropped) });
    this.relayed = new Counter({
      name: 'bssgate_shadow_relayed_bytes_total',
      help: 'Bytes relayed between clients and the primary',
      labelNames: ['shadow', 'direction'],
      registers,
      collect(this: Counter<'shadow' | 'direction'>) {
        this.reset();
        for (const src of sources) {
          for (const direction of ['request', 'response'] as const) {
            if (src.relayed[direction] > 0) this.inc({ shadow: src.cfg.name, direction }, src.relayed[direction]);
          }
        }
      },
    });
    this.candidateLatency = new ScrapedHistogram({ name: 'bssgate_shadow_answer_seconds', help: 'Time from a mirrored request to its answer, by target', registers }, () =>
      [...sources].map((src) => ({ labels: { shadow: src.cfg.name, target: 'candidate' }, b: src.latency })),
    );
  }

  /** A relay whose plain counters these metrics show. */
  track(src: MetricsSource): void {
    this.sources.add(src);
  }

  static biz(code: number): string {
    return bizLabel(code);
  }

  /** Serve GET /metrics on host:port; resolves with the server once listening. */
  listen(host: string, port: number): Promise<http.Server> {
    const server = http.createServer((req, res) => {
      if (req.method === 'GET' && (req.url === '/metrics' || req.url?.startsWith('/metrics?'))) {
        this.registry.metrics().then(
          (text) => {
            res.writeHead(200, { 'content-type': this.registry.contentType });
            res.end(text);
          },
          (err: Error) => {
            res.writeHead(500);
            res.end(err.message);
          },
        );
        return;
      }
      if (req.url === '/health/live') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('ok\n');
        return;
      }
      res.writeHead(404);
      res.end();
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.removeListener('error', reject);
        resolve(server);
      });
    });
  }
}
