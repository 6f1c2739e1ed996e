// `bssgate trace <number> [--for 30m] | --off <number> | (no number: the list)`, through the admin
// listener of a running gateway (issue 18, src/trace.ts; docs/logs.md "Per-number trace"). Light:
// node:http only. Exit 0 done, 2 `--off` of a number with no trace, 1 refused or unreachable.
import http from 'node:http';

interface TraceJson {
  number: string;
  started: number;
  until: number;
  file: string;
}

function request(host: string, port: number, method: string, path: string, timeoutMs = 5000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, method, path, timeout: timeoutMs, agent: false }, (res) => { // a connection of its own (see httpGet in status.ts)
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${host}:${port} within ${timeoutMs} ms`)));
    req.on('error', (err) => reject(new Error(`cannot reach the admin listener at ${host}:${port}${path}: ${err.message}`)));
    req.end();
  });
}

const pad2 = (n: number) => String(n).padStart(2, '0');
/** Local `YYYY-MM-DD HH:MM:SS`. */
export function localTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

function left(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h ${m}m` : m > 0 ? `${m}m ${s % 60}s` : `${s}s`;
}

function parse<T>(target: string, r: { status: number; body: string }): T {
  if (r.status === 403) throw new Error(`${target} refused this address (403): add it to [admin] allow`);
  let v: T & { error?: string };
  try {
    v = JSON.parse(r.body) as T & { error?: string };
  } catch {
    throw new Error(`${target} answered HTTP ${r.status} without JSON: is this a bssgate admin listener (a version with /trace)?`);
  }
  if (r.status >= 400 && r.status !== 404) throw new Error(`${target}: ${v.error ?? `HTTP ${r.status}`}`);
  return v;
}

export interface TraceOptions {
  for?: string;
  off?: boolean;
  json?: boolean;
}

/** Resolves with the exit code. */
export async function traceCommand(
  host: string,
  port: number,
  number: string | undefined,
  opts: TraceOptions,
  out: NodeJS.WritableStream = process.stdout,
  source?: string,
  now = Date.now(),
): Promise<number> {
  const target = `${host}:${port}`;
  const call = (method: string, path: string) =>
    request(host, port, method, path).catch((err: Error) => {
      throw source ? new Error(`${err.message} (${source === 'the command line' ? 'the address given on the command line' : `from ${source}`})`) : err;
    });
  if (number === undefined) {
    if (opts.off) throw new Error('trace --off: which number? (bssgate trace <number> --off)');
    if (opts.for !== undefined) throw new Error('trace --for: which number? (bssgate trace <number> --for 30m)');
    const r = await call('GET', '/trace');
    const v = parse<{ traces?: TraceJson[]; error?: string }>(target, r);
    if (r.status === 404) throw new Error(`${target}: ${v.error ?? 'no /trace here'}`);
    const list = v.traces ?? [];
    if (opts.json) out.write(JSON.stringify(list) + '\n');
    else if (list.length === 0) out.write(`no trace active on ${target}\n`);
    else {
      out.write(`${list.length} trace${list.length === 1 ? '' : 's'} active on ${target}:\n`);
      for (const e of list) out.write(`  ${e.number.padEnd(20)} until ${localTime(e.until)} (${left(e.until - now)} left)  ${e.file}\n`);
    }
    return 0;
  }
  if (opts.off) {
    if (opts.for !== undefined) throw new Error('trace: --off and --for together: choose one');
    const r = await call('DELETE', `/trace/${encodeURIComponent(number)}`);
    const v = parse<{ ended?: string; error?: string }>(target, r);
    if (r.status === 404) {
      out.write(`${v.error ?? `no trace of ${number}`}\n`);
      return 2;
    }
    out.write(opts.json ? JSON.stringify(v) + '\n' : `trace of ${number} ended\n`);
    return 0;
  }
  const q = opts.for !== undefined ? `?for=${encodeURIComponent(opts.for)}` : '';
  const r = await call('POST', `/trace/${encodeURIComponent(number)}${q}`);
  const v = parse<{ trace?: TraceJson; error?: string }>(target, r);
  if (r.status === 404 || !v.trace) throw new Error(`${target}: ${v.error ?? 'no trace started'}`);
  const e = v.trace;
  out.write(
    opts.json
      ? JSON.stringify(e) + '\n'
      : `tracing ${e.number} until ${localTime(e.until)} (${left(e.until - now)}): every request and answer of it, every interface and worker\n  → ${e.file}\n  end it sooner: bssgate trace ${e.number} --off\n`,
  );
  return 0;
}
