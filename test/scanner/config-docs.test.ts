// OC-01…OC-03 configuration, docs and operations: [scanner] and [switch.<name>] load with their
// defaults and refuse what cannot work (file, section, key named); the example configuration's
// switches are the legacy split and all simulators; docs/scanner.md names every key, state and
// placeholder, and its SQL runs; `bssgate commands` says what waits and why.
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { loadConfig } from '../../src/config/load.js';
import { keysOf } from '../../src/config/keys.js';
import { renderExampleIni } from '../../src/config/render.js';
import { PLACEHOLDERS } from '../../src/scanner/render.js';
import { registerScannerCommands } from '../../src/scanner/cli.js';
import { claimCommands, finishCommand } from '../../src/store/queries/commands.js';
import { Router } from '../../src/scanner/routing.js';
import { insertRecord, testDb } from './helpers.js';

const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'bsg-scan-cfg-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function ini(body: string): string {
  const f = join(dir, `c${n++}.ini`);
  writeFileSync(f, `[interface.cs]\nport = 9921\n\n${body}\n`);
  return f;
}
const FILE_SW = '[switch.g]\nkind = file\nregions = 0971, 0972\nnet_types = G\nswitch_type = ERI_HLR\ncommand_dir = con\nresult_dir = res\n';
const SOCK_SW = '[switch.c]\nkind = socket\nregions = *\nnet_types = C\nswitch_type = ZTE_HLR\nhost = 10.1.5.20\nport = 7001\nuser = bss\npassword = "s;cret"\n';

t.test('OC-01/OC-02: [scanner] and [switch.<name>] load with their defaults; paths resolve against the file', async (t) => {
  const f = ini(`${FILE_SW}\n${SOCK_SW}`);
  const c = loadConfig([f]);
  t.same(c.scanner, { enabled: true, pollMs: 200, batch: 200, maxInFlight: 256, leaseMs: 60_000, maxAttempts: 5, retryBackoffMs: 5_000, retryBackoffMaxMs: 300_000, unreachableWaitMs: 30_000 });
  t.equal(c.switches?.length, 2);
  const [g, s] = c.switches!;
  t.equal(g.commandDir, join(dir, 'con'));
  t.equal(g.resultTimeoutMs, 30_000);
  t.same(g.regions, ['0971', '0972']);
  t.equal(s.password, 's;cret');
  t.equal(s.ackTimeoutMs, 10_000);
  t.equal(s.simulator, false, 'never a simulator unless said so');
  const r = new Router(c.switches!);
  t.equal(r.route('0971', 'G')?.name, 'g');
  t.equal(r.route('0979', 'C')?.name, 'c', '* is every region');
  t.equal(r.route('0979', 'G'), undefined, 'no route');
  t.equal(loadConfig([ini('')]).scanner?.enabled, false, 'no switch: no scanner');
});

t.test('OC-01/OC-02: what cannot work is refused, naming file, section and key', async (t) => {
  const bad = (body: string, re: RegExp, what: string) => t.throws(() => loadConfig([ini(body)]), re, what);
  bad('[switch.g]\nregions = *\nnet_types = G\nswitch_type = X', /\[switch\.g\] kind: missing/, 'kind required');
  bad('[switch.g]\nkind = file\nnet_types = G\nswitch_type = X\ncommand_dir = a\nresult_dir = b', /\[switch\.g\] regions: missing/, 'regions required');
  bad('[switch.g]\nkind = file\nregions = *\nnet_types = G\nswitch_type = X\nresult_dir = b', /command_dir: missing/, 'file needs its directories');
  bad('[switch.g]\nkind = file\nregions = *\nnet_types = G\nswitch_type = X\ncommand_dir = a\nresult_dir = a', /result_dir: is the same directory/, 'one directory for both');
  bad(`${FILE_SW}host = 1.2.3.4`, /\[switch\.g\] host: applies only to kind = socket/, 'a socket key on a file switch');
  bad(`${SOCK_SW}simulator = true`, /\[switch\.c\] host: is 10\.1\.5\.20, but simulator = true listens on this host only/, 'a simulator is local');
  bad(`${FILE_SW}\n[switch.h]\nkind = file\nregions = 0972\nnet_types = G, C\nswitch_type = X\ncommand_dir = x\nresult_dir = y`, /\[switch\.h\] regions: region 0972 network G is also routed to \[switch\.g\]/, 'overlapping routes');
  bad(`${FILE_SW}net_typo = G`, /unknown key \(did you mean net_types\?\)/, 'unknown key');
  bad('[switch.g]\nkind = file\nregions = 0971, *\nnet_types = G\nswitch_type = X', /\* alone means every region/, '* with regions');
  bad('[switch.g]\nkind = file\nregions = 0971\nnet_types = G, Q\nswitch_type = X', /"Q", which is not a network type/, 'network types');
  bad(`${SOCK_SW}ack_timeout = 90s`, /\[scanner\] lease: is 60000 ms, not longer than \[switch\.c\] ack_timeout/, 'a lease shorter than a delivery');
  bad('[scanner]\nenabled = true', /\[scanner\] enabled: is true but no \[switch\.<name>\] section/, 'a scanner with no switch');
  bad(`${FILE_SW}\n[scanner]\nretry_backoff = 10s\nretry_backoff_max = 5s`, /retry_backoff_max: is shorter than retry_backoff/, 'backoff');
  bad('[switch]\nkind = file', /a switch section needs a name/, 'unnamed');
});

t.test('OC-01/OC-02: the example configuration routes the legacy split, every switch a simulator', async (t) => {
  const f = join(dir, 'example.ini');
  writeFileSync(f, renderExampleIni());
  const c = loadConfig([f]);
  const by = new Map(c.switches!.map((s) => [s.name, s]));
  t.ok(c.switches!.every((s) => s.simulator), 'npm start reaches no real switch');
  const r = new Router(c.switches!);
  t.equal(r.route('0971', 'G')?.kind, 'file', 'Xining G: file interface');
  t.equal(r.route('0972', 'G')?.kind, 'file', 'Haidong G: file interface');
  t.equal(r.route('0979', 'G')?.name, 'g-golmud', 'Golmud: socket');
  t.equal(by.get('g-golmud')?.kind, 'socket');
  t.equal(r.route('0971', 'C')?.kind, 'socket', 'C network: socket');
  for (const net of ['G', 'C', 'V', 'X']) for (const region of ['0971', '0972', '0979', '0977', '0974', '0970', '0973', '0975', '0976']) t.ok(r.route(region, net), `${region} ${net} routed`);
});

t.test('OC-01…OC-03: docs/scanner.md names every key, state and placeholder; its SQL runs', async (t) => {
  const doc = readFileSync(join(root, 'docs/scanner.md'), 'utf8');
  for (const k of keysOf('scanner').keys()) t.ok(doc.includes(`\`${k}\``), `[scanner] ${k}`);
  for (const k of keysOf('switch').keys()) t.ok(doc.includes(`\`${k}\``), `[switch] ${k}`);
  for (const s of ['queued', 'leased', 'done', 'failed']) t.ok(doc.includes(`\`${s}\``), `state ${s}`);
  for (const p of PLACEHOLDERS) t.ok(doc.includes(`\`{${p}}\``), `placeholder ${p}`);
  const { store } = await testDb(t, 'sqlite');
  const blocks = [...doc.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1].trim().replace(/;$/, ''));
  t.ok(blocks.length >= 6, 'the DBA statements');
  const binds: Record<string, string | number | bigint | Date> = { since: new Date(2000, 0, 1), busisn: 77n, subscrbid: 1n, svcnum: '13997000077', imsi: '460001', now: new Date() };
  let i = 0;
  for (const sql of blocks) {
    const used = Object.fromEntries(Object.entries(binds).filter(([k]) => sql.includes(`:${k}`)));
    await t.resolves(store.all({ name: `doc.sql.${i++}`, sql }, used), sql.split('\n')[0]);
  }
  t.equal((await store.all<{ status: number }>({ name: 'doc.check', sql: 'SELECT STATUS FROM USR_BUSI_RECORD WHERE BUSISN = 77' }))[0]?.status, 5, 'the hand-queued record is in status 5');
});

t.test('OC-03: `bssgate commands` says what is queued, sending, executed, failed, and why', async (t) => {
  const { store } = await testDb(t, 'sqlite');
  await insertRecord(store, { busisn: 501n, svcnum: '13997000501' });
  await insertRecord(store, { busisn: 502n, svcnum: '13997000502' });
  await insertRecord(store, { busisn: 503n, svcnum: '13997000501', busitype: 12 });
  const now = new Date();
  const claimed = await claimCommands(store, { owner: 'h:1:0', now, leaseMs: 60_000, limit: 10 });
  const c501 = claimed.find((c) => c.busisn === 501n)!;
  await finishCommand(store, c501, { kind: 'wait', reason: 'attempt 1 of 5: 101 交换机忙; retry in 5 s', retryAt: new Date(now.getTime() + 60_000), counted: true, switchName: 'g' }, now);
  let out = '';
  const program = new Command().exitOverride();
  registerScannerCommands(program, { loadConfig: () => ({ database: { type: 'sqlite' } }) as never, openStore: async () => ({ ...store, all: store.all.bind(store), close: async () => undefined }) as never, out: (s) => (out += s) });
  await program.parseAsync(['node', 'bssgate', 'commands', '-c', 't.ini', '--number', '13997000501']);
  t.match(out, /503\s+13997000501\s+queued .*12 有条件开机/, 'the later command of the number, queued');
  t.match(out, /501\s+13997000501\s+queued .*\n.*attempts 1 .*switch g .*next try/, 'the waiting one with attempts and the next try');
  t.match(out, /why: attempt 1 of 5: 101 交换机忙/, 'and why');
  out = '';
  await program.parseAsync(['node', 'bssgate', 'commands', '-c', 't.ini', '--state', 'sending']);
  t.match(out, /502\s+13997000502\s+sending .*\n.*by h:1:0 until/, 'who sends it, until when');
  t.notMatch(out, /501/);
  await t.rejects(program.parseAsync(['node', 'bssgate', 'commands', '-c', 't.ini', '--state', 'stuck']), /--state must be one of queued, sending, executed, failed/);
});

t.test('OC-01/OC-03: `bssgate serve` runs the scanner against a simulated switch, says so in the banner, and a CS-21 ends executed', async (t) => {
  const { startGateway, summary } = await import('../../src/serve.js');
  const { testInterface } = await import('../helpers/gateway.js');
  const { BssClient } = await import('../../src/client.js');
  const { demoFixtures } = await import('../../src/store/demo.js');
  const work = mkdtempSync(join(tmpdir(), 'bsg-serve-scan-'));
  t.teardown(() => rmSync(work, { recursive: true, force: true }));
  const sw = {
    name: 'g-sim', kind: 'file' as const, simulator: true, regions: ['*'], netTypes: ['G', 'C', 'V', 'X'], switchType: 'ERI_HLR',
    commandDir: join(work, 'con'), resultDir: join(work, 'res'), resultTimeoutMs: 5000, resultPollMs: 10,
    keepaliveMs: 30_000, ackTimeoutMs: 10_000, reconnectMinMs: 1000, reconnectMaxMs: 60_000,
  };
  const running = await startGateway({
    files: [],
    interfaces: [testInterface()],
    database: { type: 'sqlite', path: join(work, 'db.sqlite'), poolMax: 1, passwordStorage: 'plain', demoSubscribers: 20, demoSeed: 1 },
    log: { dir: join(work, 'logs'), level: 'info', retentionDays: 30, requests: false, stderr: false },
    shutdownGraceMs: 2000,
    scanner: { enabled: true, pollMs: 20, batch: 50, maxInFlight: 16, leaseMs: 30_000, maxAttempts: 3, retryBackoffMs: 50, retryBackoffMaxMs: 200, unreachableWaitMs: 200 },
    switches: [sw],
  });
  t.teardown(() => running.stop());
  t.ok(running.scanner, 'the scanner runs in serve');
  t.match(summary(running), /g-sim\s+file .*SIMULATOR \(no real switch\)/, 'the banner names the simulator');
  const fx = demoFixtures(1);
  const c = await BssClient.connect({ host: '127.0.0.1', port: running.bound[0].port, timeoutMs: 5000, operator: 'T1' });
  t.teardown(() => c.close(true));
  const r = await c.call<{ busisn: string }>('emergency-suspend', { svcnum: fx.first.svcnum });
  t.equal(r.result, 0);
  const end = Date.now() + 15_000;
  let status = 0;
  while (Date.now() < end && status !== 7) {
    const rows = await running.store.all<{ status: number }>({ name: 'test.serve-status', sql: 'SELECT STATUS FROM USR_BUSI_RECORD WHERE BUSISN = :b' }, { b: BigInt(r.body!.busisn) });
    status = Number(rows[0]?.status);
    await new Promise((res) => setTimeout(res, 20));
  }
  t.equal(status, 7, 'executed by the simulated switch');
  t.equal(running.scanner!.switches.sims.get('g-sim')?.timesExecuted(BigInt(r.body!.busisn)), 1);
  t.equal(running.scanner!.scanner.stats().executed, 1, 'stats() counts it');
});
