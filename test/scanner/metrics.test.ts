// OP-04: the scanner's metrics (OC-01…OC-03) read its stats() when scraped, whether or not a
// scanner runs in this process.
import t from 'tap';
import { registerScannerStats } from '../../src/metrics.js';
import { metricsText } from '../../src/prometheus.js';
import type { ScannerStats } from '../../src/scanner/scanner.js';
import { parsePrometheusText } from '../../src/status.js';
import { value } from '../helpers/ops-gateway.js';

function stats(over: Partial<ScannerStats> = {}): ScannerStats {
  return {
    owner: 'host:1:1', running: true, inFlight: 2,
    depth: { queued: 7, waiting: 3, sending: 2, oldestQueuedAgeMs: 95_000, at: new Date() },
    executed: 40, failed: 2, retried: 5, waited: 1, takenBack: 0, lost: 0,
    bySwitch: { hlr1: { kind: 'file', ready: true, executed: 30, failed: 1, retried: 2 }, golmud: { kind: 'socket', ready: false, executed: 10, failed: 1, retried: 3 } },
    ...over,
  };
}

t.test('OP-04 no scanner in this process: running 0, no queue samples', async (t) => {
  const s = parsePrometheusText(await metricsText());
  t.equal(value(s, 'bssgate_scanner_running'), 0);
  t.equal(s.filter((x) => x.name === 'bssgate_scanner_queue_depth').length, 0, 'no depth samples');
  t.equal(value(s, 'bssgate_scanner_oldest_queued_seconds'), 0);
  t.equal(s.filter((x) => x.name === 'bssgate_scanner_outcomes_total').length, 0);
});

t.test('OP-04 a registered scanner: depth by state, oldest age, outcomes, switches, read at each scrape', async (t) => {
  let current = stats();
  const unregister = registerScannerStats(() => current);
  t.teardown(unregister);
  let s = parsePrometheusText(await metricsText());
  t.equal(value(s, 'bssgate_scanner_running'), 1);
  t.equal(value(s, 'bssgate_scanner_queue_depth', { state: 'queued' }), 7);
  t.equal(value(s, 'bssgate_scanner_queue_depth', { state: 'waiting' }), 3);
  t.equal(value(s, 'bssgate_scanner_queue_depth', { state: 'sending' }), 2);
  t.equal(value(s, 'bssgate_scanner_oldest_queued_seconds'), 95);
  t.equal(value(s, 'bssgate_scanner_in_flight'), 2);
  t.equal(value(s, 'bssgate_scanner_outcomes_total', { outcome: 'executed' }), 40);
  t.equal(value(s, 'bssgate_scanner_outcomes_total', { outcome: 'retried' }), 5);
  t.equal(value(s, 'bssgate_scanner_switch_ready', { switch: 'hlr1', kind: 'file' }), 1);
  t.equal(value(s, 'bssgate_scanner_switch_ready', { switch: 'golmud', kind: 'socket' }), 0);
  current = stats({ depth: { queued: 0, waiting: 0, sending: 0, oldestQueuedAgeMs: null, at: new Date() }, executed: 41 });
  s = parsePrometheusText(await metricsText());
  t.equal(value(s, 'bssgate_scanner_queue_depth', { state: 'queued' }), 0, 'the next scrape reads again');
  t.equal(value(s, 'bssgate_scanner_oldest_queued_seconds'), 0, 'none waiting: 0');
  t.equal(value(s, 'bssgate_scanner_outcomes_total', { outcome: 'executed' }), 41);
  // A stats() that throws leaves the scanner's metrics empty; the scrape still succeeds.
  current = undefined as unknown as ScannerStats;
  const broken = registerScannerStats(() => {
    throw new Error('boom');
  });
  s = parsePrometheusText(await metricsText());
  t.equal(value(s, 'bssgate_scanner_running'), 0);
  t.ok(s.some((x) => x.name === 'bssgate_requests_total' || x.name === 'bssgate_build_info'), 'the rest is served');
  broken();
  unregister();
  s = parsePrometheusText(await metricsText());
  t.equal(value(s, 'bssgate_scanner_running'), 0, 'unregistered on stop');
});
