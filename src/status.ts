// `bssgate status [host:port]`: the admin listener's /health/ready and /metrics (OP-04), read for
// a person — what the operators looked at by hand at 9:00 and 17:30. Exit 0 when ready, 2 when the
// gateway answers but is not ready, 1 when it cannot be reached.
import http from 'node:http';
import type { Readiness } from './metrics.js';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition (comments skipped; enough for our own output). */
export function parsePrometheusText(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    if (m[2]) for (const l of m[2].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    out.push({ name: m[1], labels, value: m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : Number(m[3]) });
  }
  return out;
}

export function httpGet(host: string, port: number, path: string, timeoutMs = 5000): Promise<{ status: number; body: string; type: string }> {
  return new Promise((resolve, reject) => {
    // agent: false, a connection of its own: the global agent keeps sockets alive (Node ≥ 19), and a
    // request on a kept socket that the admin listener closes after keepAliveTimeout (5 s) at the
    // same moment fails with "socket hang up".
    const req = http.get({ host, port, path, timeout: timeoutMs, headers: { accept: '*/*' }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), type: String(res.headers['content-type'] ?? '') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${host}:${port} within ${timeoutMs} ms`)));
    req.on('error', (err) => reject(new Error(`cannot reach the admin listener at ${host}:${port}${path}: ${err.message}`)));
  });
}

const sum = (xs: Sample[]): number => xs.reduce((a, s) => a + s.value, 0);

/** The q-quantile of a cumulative histogram's buckets (linear inside a bucket, as histogram_quantile). */
export function quantile(q: number, buckets: { le: number; count: number }[]): number | undefined {
  const b = [...buckets].sort((x, y) => x.le - y.le);
  const total = b.at(-1)?.count ?? 0;
  if (total === 0) return undefined;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const { le, count } of b) {
    if (count >= rank) {
      if (le === Infinity) return prevLe;
      return prevLe + ((le - prevLe) * (rank - prevCount)) / Math.max(1, count - prevCount);
    }
    prevLe = le;
    prevCount = count;
  }
  return prevLe;
}

function fmtSeconds(s: number | undefined): string {
  if (s === undefined) return '—';
  if (s < 0.001) return `${(s * 1e6).toFixed(0)} µs`;
  if (s < 1) return `${(s * 1000).toFixed(1)} ms`;
  return `${s.toFixed(2)} s`;
}

function fmtDuration(sec: number): string {
  const d = Math.floor(sec / 86400);
  const h = Math.floor((sec % 86400) / 3600);
  const m = Math.floor((sec % 3600) / 60);
  return d > 0 ? `${d}d ${h}h ${m}m` : h > 0 ? `${h}h ${m}m` : `${m}m ${Math.floor(sec % 60)}s`;
}

/** The report a person reads; `ready` decides the exit code. */
export function formatStatus(target: string, ready: Readiness, samples: Sample[], now = Date.now() / 1000): string {
  const of = (name: string, pred: (l: Record<string, string>) => boolean = () => true) => samples.filter((s) => s.name === name && pred(s.labels));
  const lines: string[] = [];
  const info = of('bssgate_build_info')[0];
  lines.push(`bssgate ${info?.labels.version ?? '?'} at ${target}: ${ready.ready ? 'READY' : 'NOT READY'}`);
  for (const r of ready.reasons) lines.push(`  ! ${r}`);
  lines.push(`  database     ${ready.database.up ? 'answering' : `NOT answering (${ready.database.error ?? '?'})`}`);
  const start = of('process_start_time_seconds')[0]?.value;
  const rss = of('process_resident_memory_bytes')[0]?.value;
  const lag = of('nodejs_eventloop_lag_p99_seconds')[0]?.value;
  lines.push(
    `  process      ${start ? `up ${fmtDuration(Math.max(0, now - start))}` : ''}${rss ? `, memory ${Math.round(rss / 1048576)} MB` : ''}${lag !== undefined ? `, event-loop lag p99 ${fmtSeconds(lag)}` : ''}`,
  );
  lines.push('', '  interface  address                listening  open conns  accepted  requests  errors(≠0)  p50       p99');
  for (const i of ready.interfaces) {
    const on = (l: Record<string, string>) => l.iface === i.name;
    const reqs = of('bssgate_requests_total', on);
    const errs = reqs.filter((s) => s.labels.code !== '0');
    const buckets = new Map<number, number>();
    for (const b of of('bssgate_request_duration_seconds_bucket', on)) {
      const le = b.labels.le === '+Inf' ? Infinity : Number(b.labels.le);
      buckets.set(le, (buckets.get(le) ?? 0) + b.value);
    }
    const bl = [...buckets].map(([le, count]) => ({ le, count }));
    lines.push(
      `  ${i.name.padEnd(10)} ${`${i.host}:${i.port}`.padEnd(22)} ${(i.listening ? 'yes' : 'NO').padEnd(10)} ${String(sum(of('bssgate_connections_open', on))).padEnd(11)} ${String(sum(of('bssgate_connections_accepted_total', on))).padEnd(9)} ${String(sum(reqs)).padEnd(9)} ${String(sum(errs)).padEnd(11)} ${fmtSeconds(quantile(0.5, bl)).padEnd(9)} ${fmtSeconds(quantile(0.99, bl))}`,
    );
  }
  const codes = new Map<string, number>();
  for (const s of of('bssgate_requests_total')) codes.set(s.labels.code, (codes.get(s.labels.code) ?? 0) + s.value);
  if (codes.size > 0) {
    lines.push('', `  return codes ${[...codes].sort((a, b) => Number(a[0]) - Number(b[0])).map(([c, n]) => `${c}: ${n}`).join(', ')}`);
  }
  const causes = new Map<string, number>();
  for (const s of of('bssgate_refusals_total')) causes.set(s.labels.cause, (causes.get(s.labels.cause) ?? 0) + s.value);
  lines.push(`  refusals     ${[...causes].map(([c, n]) => `${c} ${n}`).join(', ') || 'none'}`);
  lines.push(
    `  database     outages ${sum(of('bssgate_database_outages_total'))}, reconnects ${sum(of('bssgate_database_reconnects_total'))}` +
      `; password lockouts ${of('bssgate_password_lockouts_total').map((s) => `${s.labels.kind} ${s.value}`).join(', ') || 'none'}`,
  );
  const depth = of('bssgate_scanner_queue_depth');
  const oldest = of('bssgate_scanner_oldest_queued_seconds')[0];
  lines.push(
    sum(of('bssgate_scanner_running')) > 0
      ? `  scanner      queue ${depth.map((s) => `${s.labels.state} ${s.value}`).join(', ') || 'not read yet'}; oldest waiting ${oldest?.value ? fmtDuration(oldest.value) : '—'}` +
          `; switches not reachable: ${of('bssgate_scanner_switch_ready').filter((s) => s.value === 0).map((s) => s.labels.switch).join(', ') || 'none'}`
      : '  scanner      not running in this process',
  );
  return `${lines.join('\n')}\n`;
}

/** Fetch and print; resolves with the exit code. */
export async function statusCommand(host: string, port: number, out: NodeJS.WritableStream = process.stdout, source?: string): Promise<number> {
  const target = `${host}:${port}`;
  // An unreachable target says where its address came from (the command line, or file and [admin]).
  const ready = await httpGet(host, port, '/health/ready').catch((err: Error) => {
    throw source ? new Error(`${err.message} (${source === 'the command line' ? 'the address given on the command line' : `from ${source}`})`) : err;
  });
  if (ready.status === 403) throw new Error(`${target} refused this address (403): add it to [admin] allow`);
  if (ready.status !== 200 && ready.status !== 503) throw new Error(`${target}/health/ready answered HTTP ${ready.status}: is this a bssgate admin listener?`);
  let r: Readiness;
  try {
    r = JSON.parse(ready.body) as Readiness;
  } catch {
    throw new Error(`${target}/health/ready did not answer JSON: is this a bssgate admin listener?`);
  }
  const metrics = await httpGet(host, port, '/metrics');
  if (metrics.status !== 200) throw new Error(`${target}/metrics answered HTTP ${metrics.status}`);
  out.write(formatStatus(target, r, parsePrometheusText(metrics.body)));
  return r.ready ? 0 : 2;
}
