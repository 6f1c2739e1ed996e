// OP-04: the admin HTTP listener ([admin], off the business ports). What the operators checked by
// hand at 9:00 and 17:30, for a monitor to poll:
//   GET /health/live   200 while the process runs (an event loop that answers HTTP);
//   GET /health/ready  200 when the database answers, every enabled interface listens and the
//                      gateway is not stopping; else 503. Both with a JSON body saying which;
//   GET /metrics       the Prometheus text format (src/metrics.ts, docs/metrics.md);
//   GET /trace, POST /trace/<number>?for=30m, DELETE /trace/<number>   the per-number traces
//                      (src/trace.ts, `bssgate trace`), where the process owns them.
// A peer outside [admin] allow gets 403 (counted, logged to warn.log); an unknown path 404; a
// method other than GET/HEAD 405. HAProxy checks /health/ready (config/haproxy.cfg), so a gateway
// that loses its database, or is draining after SIGTERM, is taken out of rotation.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { AdminConfig } from './config/types.js';
import type { Gateway } from './server/gateway.js';
import { buildAllowList, isAllowed, listenError } from './server/listener.js';
import type { Store } from './store/types.js';
import { countAdminRefusal, processReadiness, type GatewaySource, type Readiness } from './metrics.js';
import { METRICS_CONTENT_TYPE, clusterMetricsText, metricsText, registerMetrics } from './prometheus.js';
import { TRACE_DEFAULT_MS, TraceError, type Traces } from './trace.js';
import { parseDuration, ValueProblem } from './config/values.js';

/** A readiness probe waits this long for the database before answering 503. */
export const READY_DB_TIMEOUT_MS = 2000;

/** What the admin listener serves; one process (adminSources) or a cluster primary (clusterAdminSources). */
export interface AdminSources {
  readiness(): Promise<Readiness>;
  metrics(): Promise<string>;
  /** Issue 18: the per-number traces this process owns (absent: /trace answers 404). */
  traces?: Traces;
}

export interface AdminServer {
  host: string;
  port: number;
  close(): Promise<void>;
}

/** The readiness gauges' and /health/ready's view of one gateway and its store. */
export function gatewaySource(gateway: Gateway, store: Store): GatewaySource {
  return {
    connections: () => gateway.stats().map((s) => ({ iface: s.iface, open: s.connections })),
    async readiness(): Promise<Readiness> {
      const database = await probeDatabase(store);
      const interfaces = gateway.listening();
      const stopping = gateway.isStopping;
      const reasons: string[] = [];
      if (stopping) reasons.push('stopping: answering the requests in flight, accepting no new connections');
      if (!database.up) reasons.push(`database not answering: ${database.error}`);
      for (const i of interfaces) if (!i.listening) reasons.push(`interface ${i.name} (${i.host}:${i.port}) not listening`);
      return { ready: reasons.length === 0, stopping, database, interfaces, reasons };
    },
  };
}

/** CS-01's trivial round trip, bounded in time: a database that hangs is not answering. */
async function probeDatabase(store: Store): Promise<Readiness['database']> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${READY_DB_TIMEOUT_MS} ms`)), READY_DB_TIMEOUT_MS);
  });
  try {
    await Promise.race([store.ping(), late]);
    return { up: true };
  } catch (err) {
    return { up: false, error: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/** Sources of a single-process gateway: this process's registry and registered gateways. */
export function adminSources(): AdminSources {
  return {
    async readiness() {
      return (
        (await processReadiness()) ?? {
          ready: false,
          stopping: false,
          database: { up: false, error: 'no gateway running' },
          interfaces: [],
          reasons: ['no gateway running in this process'],
        }
      );
    },
    metrics: metricsText,
  };
}

/**
 * Sources of a node:cluster primary (src/metrics.ts, top): metrics aggregated over the workers;
 * ready when every expected worker is connected and each reports ready (the aggregate's minimum).
 */
export function clusterAdminSources(opts: { expectedWorkers: () => number; liveWorkers: () => number; stopping?: () => boolean }): AdminSources {
  return {
    metrics: clusterMetricsText,
    async readiness(): Promise<Readiness> {
      const reasons: string[] = [];
      const expected = opts.expectedWorkers();
      const live = opts.liveWorkers();
      const stopping = opts.stopping?.() ?? false;
      if (stopping) reasons.push('stopping: answering the requests in flight, accepting no new connections');
      if (live < expected) reasons.push(`${live} of ${expected} workers running`);
      let text = '';
      try {
        text = live > 0 ? await clusterMetricsText() : '';
      } catch (err) {
        reasons.push(`workers did not report: ${(err as Error).message}`);
      }
      const r = readinessFromMetrics(text);
      if (!r.database.up) reasons.push(`database not answering in a worker`);
      for (const i of r.interfaces) if (!i.listening) reasons.push(`interface ${i.name} (port ${i.port}) not listening in a worker`);
      if (text !== '' && !r.ready && reasons.length === 0) reasons.push('a worker reports not ready');
      return { ...r, stopping: stopping || r.stopping, ready: reasons.length === 0 && text !== '', reasons };
    },
  };
}

/** The readiness gauges of a (possibly aggregated) exposition text. */
export function readinessFromMetrics(text: string): Readiness {
  const value = (name: string): number | undefined => {
    const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
    return m ? Number(m[1]) : undefined;
  };
  const interfaces: Readiness['interfaces'] = [];
  for (const m of text.matchAll(/^bssgate_interface_listening\{iface="([^"]*)",port="(\d+)"\} (\S+)$/gm)) {
    interfaces.push({ name: m[1], host: '', port: Number(m[2]), listening: Number(m[3]) === 1 });
  }
  const up = value('bssgate_database_up') === 1;
  return {
    ready: value('bssgate_ready') === 1,
    stopping: value('bssgate_stopping') === 1,
    database: up ? { up } : { up, error: 'not answering' },
    interfaces,
    reasons: [],
  };
}

function send(res: http.ServerResponse, status: number, type: string, body: string, head: boolean): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(head ? undefined : body);
}

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Issue 18: GET /trace lists the active traces; POST /trace/<number>?for=30m starts one (or gives a
 * running one a new end); DELETE /trace/<number> ends one (404 when there was none).
 */
function traceRoute(traces: Traces | undefined, method: string, path: string, q: URLSearchParams, res: http.ServerResponse, log: Logger): void {
  const answer = (status: number, v: unknown) => send(res, status, JSON_TYPE, JSON.stringify(v), false);
  if (!traces) return answer(404, { error: 'this process serves no traces' });
  const number = path === '/trace' ? undefined : decodeURIComponent(path.slice('/trace/'.length));
  try {
    if (number === undefined) {
      if (method !== 'GET') {
        res.setHeader('allow', 'GET');
        return answer(405, { error: 'method not allowed: GET /trace lists; POST or DELETE /trace/<number>' });
      }
      return answer(200, { traces: traces.list() });
    }
    if (method === 'POST') {
      const raw = q.get('for');
      let ms = TRACE_DEFAULT_MS;
      if (raw !== null) {
        try {
          ms = parseDuration(raw, 1000);
        } catch (err) {
          throw new TraceError(400, `for=${raw} ${err instanceof ValueProblem ? err.message : 'is not a duration'} (e.g. 90s, 30m, 2h)`);
        }
      }
      return answer(200, { trace: traces.start(number, ms) });
    }
    if (method === 'DELETE') {
      return traces.stop(number) ? answer(200, { ended: number }) : answer(404, { error: `no trace of ${number} is active` });
    }
    res.setHeader('allow', 'POST, DELETE');
    return answer(405, { error: 'method not allowed: POST /trace/<number>?for=30m starts, DELETE /trace/<number> ends' });
  } catch (err) {
    if (err instanceof TraceError) return answer(err.status, { error: err.message });
    log.error({ err }, 'trace request failed');
    return answer(500, { error: (err as Error).message });
  }
}

export function startAdmin(cfg: AdminConfig, sources: AdminSources, log: Logger): Promise<AdminServer> {
  registerMetrics();
  const allow = buildAllowList(cfg.allow);
  let refused = 0;
  const started = Date.now();
  const server = http.createServer((req, res) => {
    const peer = req.socket.remoteAddress;
    // An empty allow is not possible from the loader ([admin] allow defaults to loopback); a config
    // built in code with allow [] means any peer, as for interfaces.
    if (!isAllowed(allow, peer)) {
      refused++;
      countAdminRefusal();
      log.warn({ peer, path: req.url, refused: 'admin allowlist', count: refused }, 'admin request refused: address not in [admin] allow');
      send(res, 403, JSON_TYPE, JSON.stringify({ error: 'forbidden: address not in [admin] allow' }), false);
      return;
    }
    const head = req.method === 'HEAD';
    const [path, query] = (req.url ?? '/').split('?') as [string, string | undefined];
    if (path === '/trace' || path.startsWith('/trace/')) {
      traceRoute(sources.traces, req.method ?? 'GET', path, new URLSearchParams(query ?? ''), res, log);
      return;
    }
    if (req.method !== 'GET' && !head) {
      res.setHeader('allow', 'GET, HEAD');
      send(res, 405, JSON_TYPE, JSON.stringify({ error: 'method not allowed; GET or HEAD' }), false);
      return;
    }
    const answer = (async () => {
      switch (path) {
        case '/health/live':
          send(res, 200, JSON_TYPE, JSON.stringify({ live: true, pid: process.pid, uptimeSeconds: Math.round((Date.now() - started) / 1000) }), head);
          return;
        case '/health/ready': {
          const r = await sources.readiness();
          send(res, r.ready ? 200 : 503, JSON_TYPE, JSON.stringify(r), head);
          return;
        }
        case '/metrics':
          send(res, 200, METRICS_CONTENT_TYPE, await sources.metrics(), head);
          return;
        default:
          send(res, 404, JSON_TYPE, JSON.stringify({ error: `no such path: ${path}; known: /health/live, /health/ready, /metrics, /trace` }), head);
      }
    })();
    answer.catch((err: unknown) => {
      log.error({ err, path }, 'admin request failed');
      if (!res.headersSent) send(res, 500, JSON_TYPE, JSON.stringify({ error: (err as Error).message }), head);
      else res.destroy();
    });
  });
  // A monitor's request is small and quick: a slow or idle peer does not hold a socket for long.
  server.headersTimeout = 5_000;
  server.requestTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
  server.maxConnections = 64;
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(listenError(err, cfg.file, 'admin', cfg.host, cfg.port, cfg.portShift));
    server.once('error', onError);
    server.listen({ host: cfg.host, port: cfg.port }, () => {
      server.off('error', onError);
      server.on('error', (err) => log.error({ err }, 'admin listener error'));
      const addr = server.address() as AddressInfo;
      log.info({ host: addr.address, port: addr.port }, 'admin listening: /health/live, /health/ready, /metrics');
      let closing: Promise<void> | undefined;
      resolve({
        host: addr.address,
        port: addr.port,
        close() {
          closing ??= new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          });
          return closing;
        },
      });
    });
  });
}
