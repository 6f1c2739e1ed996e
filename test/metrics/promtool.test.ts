// OP-04 (issue 18): a live scrape of /metrics passes Prometheus's own linter, `promtool check
// metrics`, and every unlabelled counter has a sample (0) before its first event, so that the
// documented alerts on increase(...) have data from the start. promtool comes with Debian's
// `prometheus` package (.ci/run installs it); without it the promtool part is skipped, saying why.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { parsePrometheusText } from '../../src/status.js';
import { startOpsGateway } from '../helpers/ops-gateway.js';

const promtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
const havePromtool = promtool.status === 0;

t.test('OP-04 counters have a sample of 0 before their first event', async (t) => {
  const g = await startOpsGateway(t, { name: 'sqlite' });
  const samples = parsePrometheusText((await g.get('/metrics')).body);
  for (const name of ['bssgate_database_outages_total', 'bssgate_database_reconnects_total', 'bssgate_admin_refused_total']) {
    const s = samples.filter((x) => x.name === name);
    t.equal(s.length, 1, `${name} has one sample`);
    t.equal(s[0]?.value, 0, `${name} is 0`);
  }
  const kinds = samples.filter((x) => x.name === 'bssgate_password_lockouts_total').map((x) => x.labels.kind).sort();
  t.same(kinds, ['hard', 'window'], 'bssgate_password_lockouts_total has both kinds');
});

t.test('OP-04 a live scrape passes promtool check metrics', { skip: havePromtool ? false : 'promtool not installed (Debian package prometheus)' }, async (t) => {
  const g = await startOpsGateway(t, { name: 'sqlite' });
  const body = (await g.get('/metrics')).body;
  t.ok(body.includes('# TYPE bssgate_requests_total counter'), 'the scrape is the gateway\'s (promtool passes an empty input)');
  const r = spawnSync('promtool', ['check', 'metrics'], { input: body, encoding: 'utf8', timeout: 60_000 });
  t.equal(r.status, 0, `promtool exit status (stdout: ${r.stdout.trim()} stderr: ${r.stderr.trim()})`);
  t.equal(`${r.stdout}${r.stderr}`.trim(), '', 'no lint findings');
});
