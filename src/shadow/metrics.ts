// Prometheus metrics of the shadow (issue 16), in a Registry of its own (never prom-client's
// global one, which the gateway's metrics use): served on the [admin] port of the shadow's INI.
import http from 'node:http';
import { Counter, Histogram, Registry } from 'prom-client';
import { bizLabel, type ShadowReport } from './report.js';

/** What the metrics read from each relay at scrape time (the hot counters are plain numbers there). */
export interface MetricsSource {
  readonly cfg: { name: string };
  readonly report: ShadowReport;
  readonly relayed: { request: number; response: number };
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
    this.candidateLatency = new Histogram({
      name: 'bssgate_shadow_answer_seconds',
      help: 'Time from a mirrored request to its answer, by target',
      labelNames: ['shadow', 'target'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    });
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
