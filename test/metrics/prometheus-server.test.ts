// OP-04 (issue 18): a real Prometheus server scrapes a running gateway (`bssgate serve`: the
// interfaces, the scanner with a simulated switch, the admin listener), and every expression of
// docs/grafana-dashboard.json and of docs/metrics.md's PromQL block is evaluated through its HTTP
// API: each returns data. An alert condition (`… > 0`, `… == 0`) is empty while all is well, so
// its left-hand side must return data and the whole expression must evaluate without error.
// Prometheus comes with Debian's `prometheus` package (.ci/run installs it); without it the test
// is skipped, saying why. Every wait is bounded.
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import { BssClient } from '../../src/client.js';
import { freePort, root, serve, waitFor } from '../helpers/serve.js';

const haveProm = spawnSync('prometheus', ['--version'], { encoding: 'utf8' }).status === 0;

/** The dashboard's and the doc's expressions. */
function expressions(): { from: string; expr: string }[] {
  const out: { from: string; expr: string }[] = [];
  const dash = JSON.parse(readFileSync(join(root, 'docs/grafana-dashboard.json'), 'utf8')) as { panels: { title: string; targets?: { expr: string }[] }[] };
  for (const p of dash.panels) for (const tg of p.targets ?? []) out.push({ from: `dashboard "${p.title}"`, expr: tg.expr.replaceAll('$instance', '.*') });
  const doc = readFileSync(join(root, 'docs/metrics.md'), 'utf8');
  const block = /```promql\n([\s\S]*?)```/.exec(doc)![1];
  for (const l of block.split('\n')) if (l.trim() !== '' && !l.startsWith('#')) out.push({ from: 'docs/metrics.md', expr: l.trim() });
  return out;
}

/** An alert condition's left-hand side (the series it compares), or undefined for a plain query. */
function leftOfCondition(expr: string): string | undefined {
  const m = /^(.*\S)\s*(==|!=|>=|<=|>|<)\s*-?[\d.]+$/.exec(expr);
  return m ? m[1] : undefined;
}

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((res, rej) => {
    const req = http.get({ host: '127.0.0.1', port, path, timeout: 10_000 }, (r) => {
      let b = '';
      r.on('data', (c: Buffer) => (b += c.toString()));
      r.on('end', () => res({ status: r.statusCode ?? 0, body: b }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', rej);
  });
}

interface QueryResult {
  status: string;
  error?: string;
  data?: { resultType: string; result: unknown[] | [number, string] };
}

async function query(port: number, expr: string): Promise<QueryResult> {
  const r = await get(port, `/api/v1/query?query=${encodeURIComponent(expr)}`);
  return JSON.parse(r.body) as QueryResult;
}

const hasData = (q: QueryResult): boolean =>
  q.status === 'success' && (q.data?.resultType === 'scalar' || (Array.isArray(q.data?.result) && q.data!.result.length > 0));

t.test('OP-04 issue 18: a real Prometheus scraping a gateway answers every dashboard and documented expression with data', { skip: haveProm ? false : 'prometheus not installed (Debian package prometheus)' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-prom-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const [cs, card, admin, promPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const ini = join(dir, 'h.ini');
  writeFileSync(
    ini,
    `[interface.cs]\nhost = 127.0.0.1\nport = ${cs}\n\n[interface.card]\nhost = 127.0.0.1\nport = ${card}\n\n` +
      `[database]\ntype = sqlite\npath = data/gw.db\ndemo_subscribers = 50\npassword_storage = plain\n\n[log]\ndir = logs\n\n` +
      `[admin]\nenabled = true\nhost = 127.0.0.1\nport = ${admin}\n\n[scanner]\nenabled = true\npoll_interval = 200ms\n\n` +
      `[switch.sim]\nkind = file\nsimulator = true\nregions = *\nnet_types = G, C, V, X\nswitch_type = ERI_HLR\ncommand_dir = data/con\nresult_dir = data/res\n`,
  );
  const gw = await serve(ini, 120_000);
  t.teardown(() => gw.stop());
  const m = /e\.g\. (\d+) with service password (\S+?)\./.exec(gw.banner);
  t.ok(m, 'the banner names a demo subscriber');
  const [svcnum, password] = [m![1], m![2]];

  writeFileSync(
    join(dir, 'prometheus.yml'),
    `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: bssgate\n    static_configs:\n      - targets: ['127.0.0.1:${admin}']\n`,
  );
  const prom = spawn(
    'prometheus',
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--log.level=warn'],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let promErr = '';
  prom.stderr!.on('data', (c: Buffer) => (promErr += c.toString()));
  const promExit = new Promise<void>((r) => prom.once('exit', () => r()));
  t.teardown(async () => {
    prom.kill('SIGTERM');
    const k = setTimeout(() => prom.kill('SIGKILL'), 10_000);
    await promExit;
    clearTimeout(k);
  });
  await waitFor(`prometheus ready (${promErr.slice(-500)})`, async () => (await get(promPort, '/-/ready').catch(() => ({ status: 0 }))).status === 200, 60_000, 200);

  // Traffic while it scrapes: reads on both interfaces, a payment (a write: group commit), a
  // wrong password, an emergency suspend (a switch command for the scanner), repeated so that
  // rate() over several scrapes sees it grow.
  const c = await BssClient.connect({ port: cs });
  const k = await BssClient.connect({ port: card });
  t.teardown(async () => {
    await c.close().catch(() => undefined);
    await k.close().catch(() => undefined);
  });
  t.equal((await c.call(121, { svcnum } as never)).result, 0, 'CS-21 emergency suspend: a switch command queued');
  const traffic = async (): Promise<void> => {
    await c.call(114, { svcnum } as never);
    await c.call(101);
    await k.call(301, { svcnum, password } as never);
    await k.call(301, { svcnum, password: 'wrong1' } as never);
    await k.call(303, { svcnum, amount: 100n } as never);
  };

  const exprs = expressions();
  t.ok(exprs.length >= 30, `${exprs.length} expressions`);
  const pending = new Map(exprs.map((e) => [e.expr, e]));
  const last = new Map<string, QueryResult>();
  // Bounded: every expression must have data within 90 s of Prometheus being ready.
  const until = Date.now() + 90_000;
  while (pending.size > 0 && Date.now() < until) {
    await traffic();
    for (const { expr } of [...pending.values()]) {
      const probe = leftOfCondition(expr) ?? expr;
      const q = await query(promPort, probe);
      last.set(expr, q);
      if (hasData(q)) pending.delete(expr);
    }
    if (pending.size > 0) await new Promise((r) => setTimeout(r, 500));
  }
  for (const { from, expr } of exprs) {
    const q = last.get(expr);
    const left = leftOfCondition(expr);
    t.ok(q && hasData(q), `${from}: ${left ? `${left} (the series of the condition ${expr})` : expr} returns data${q?.error ? `: ${q.error}` : ''}`);
    if (left) {
      const whole = await query(promPort, expr);
      t.equal(whole.status, 'success', `${from}: the condition ${expr} evaluates (${whole.error ?? 'ok'})`);
    }
  }
});
