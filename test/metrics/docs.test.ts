// OP-04: docs/metrics.md lists exactly the metrics /metrics serves (names, types, labels), and the
// Grafana dashboard and the documented PromQL use only those names.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { BssClient } from '../../src/client.js';
import { parsePrometheusText } from '../../src/status.js';
import { startOpsGateway } from '../helpers/ops-gateway.js';

interface DocRow {
  type: string;
  labels: string[];
}

const DOC = readFileSync(new URL('../../docs/metrics.md', import.meta.url), 'utf8');
const DASHBOARD = readFileSync(new URL('../../docs/grafana-dashboard.json', import.meta.url), 'utf8');

/** The metric tables of docs/metrics.md: | `name` | type | labels | meaning |. */
function documented(): Map<string, DocRow> {
  const rows = new Map<string, DocRow>();
  for (const m of DOC.matchAll(/^\| `([a-z_:][a-z0-9_:]*)` \| (counter|gauge|histogram) \| ([^|]*) \|/gm)) {
    const labels = m[3].trim() === '—' ? [] : m[3].split(',').map((s) => s.trim());
    if (rows.has(m[1])) throw new Error(`${m[1]} documented twice`);
    rows.set(m[1], { type: m[2], labels });
  }
  return rows;
}

/** Metric names a PromQL expression refers to (histogram series reduced to their family). */
function metricRefs(expr: string, families: Set<string>): string[] {
  const out: string[] = [];
  for (const m of expr.matchAll(/\b((?:bssgate|process|nodejs)_[a-z0-9_]+)/g)) {
    let name = m[1];
    if (!families.has(name)) name = name.replace(/_(bucket|sum|count)$/, '');
    out.push(name);
  }
  return out;
}

t.test('OP-04 every metric in /metrics is in docs/metrics.md and every documented one is in /metrics', async (t) => {
  const g = await startOpsGateway(t, { name: 'sqlite' });
  const c = await BssClient.connect({ host: '127.0.0.1', port: g.port, timeoutMs: 5000 });
  t.equal((await c.call(101)).result, 0);
  const r = await g.get('/metrics');
  await c.close();
  const served = new Map<string, string>();
  for (const m of r.body.matchAll(/^# TYPE (\S+) (\S+)$/gm)) served.set(m[1], m[2]);
  const docs = documented();
  t.ok(docs.size >= 40, `the doc's tables were found (${docs.size} rows)`);
  t.same([...served.keys()].filter((n) => !docs.has(n)), [], 'no served metric is undocumented');
  t.same([...docs.keys()].filter((n) => !served.has(n)), [], 'no documented metric is missing');
  for (const [name, row] of docs) if (served.has(name)) t.equal(row.type, served.get(name), `${name} is a ${row.type}`);
  // Labels, for the bssgate metrics that have samples after a request.
  const samples = parsePrometheusText(r.body);
  for (const [name, row] of docs) {
    if (!name.startsWith('bssgate_')) continue;
    const series = row.type === 'histogram' ? `${name}_count` : name;
    const s = samples.find((x) => x.name === series);
    if (!s) continue;
    t.same(Object.keys(s.labels).sort(), [...row.labels].sort(), `${name} labels: ${row.labels.join(', ') || 'none'}`);
  }
});

t.test('OP-04 the Grafana dashboard is valid JSON whose every query uses documented metrics', async (t) => {
  const dash = JSON.parse(DASHBOARD) as { uid: string; title: string; panels: { type: string; title: string; targets?: { expr: string }[] }[] };
  t.type(dash.uid, 'string');
  t.match(dash.title, /bssgate/);
  const docs = documented();
  const families = new Set(docs.keys());
  const queried = dash.panels.filter((p) => p.type !== 'row');
  t.ok(queried.length >= 10, 'panels');
  const used = new Set<string>();
  for (const p of queried) {
    t.ok(p.targets && p.targets.length > 0, `${p.title}: has a query`);
    for (const tg of p.targets ?? []) {
      const refs = metricRefs(tg.expr, families);
      t.ok(refs.length > 0, `${p.title}: ${tg.expr} names a metric`);
      for (const n of refs) {
        t.ok(families.has(n), `${p.title}: ${n} is documented`);
        used.add(n);
      }
    }
  }
  for (const n of ['bssgate_ready', 'bssgate_requests_total', 'bssgate_request_duration_seconds', 'bssgate_refusals_total', 'bssgate_database_up']) {
    t.ok(used.has(n), `the dashboard shows ${n}`);
  }
});

t.test('OP-04 the PromQL of the 9:00 and 17:30 checks uses documented metrics', async (t) => {
  const block = /```promql\n([\s\S]*?)```/.exec(DOC);
  t.ok(block, 'a promql block');
  const families = new Set(documented().keys());
  const exprs = block![1].split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
  t.ok(exprs.length >= 10, 'queries');
  for (const e of exprs) {
    if (/^up\{/.test(e)) continue;
    const refs = metricRefs(e, families);
    t.ok(refs.length > 0, `${e} names a metric`);
    for (const n of refs) t.ok(families.has(n), `${n} is documented`);
  }
});
