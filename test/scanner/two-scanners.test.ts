// OC-01/OC-02: two scanners as separate processes (`bssgate scan`) on one PostgreSQL database and
// one switch simulator; in every cycle one of them is killed with SIGKILL while it has deliveries
// in flight. Every command changes state exactly once (5 → 6 → 7, recorded by a trigger), none is
// lost, one number's commands execute in BUSISN order, and the switch sees no busisn twice except
// re-sends it recognises (answered 1 ALREADY_EXECUTED, not executed again) of the killed
// scanner's leases, taken back by the other when they expired.
// Cycles: BSSGATE_TEST_SCAN_CYCLES (default 2).
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { startSwitchSim } from '../../src/sim/switch.js';
import { ensureDatabase } from '../../src/store/init.js';
import { openStore } from '../../src/store/open.js';
import { LISTEN_APPLICATION_NAME } from '../../src/store/postgres.js';
import { withTempDatabase } from '../store/contract-pg-helper.js';
import { insertRecord, silent } from './helpers.js';

const pgUrl = process.env.BSSGATE_TEST_PG_URL;
const CYCLES = Number(process.env.BSSGATE_TEST_SCAN_CYCLES ?? 2);
const NUMBERS = 15;
const PER_NUMBER = 4;
const root = resolve(import.meta.dirname, '../..');
const cli = join(root, 'dist/src/cli.js');

async function until(what: string, fn: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for: ${what}`);
}

t.test('OC-01/OC-02: two `bssgate scan` processes on one PostgreSQL database, one killed with SIGKILL mid-delivery, every cycle', { skip: pgUrl ? false : 'BSSGATE_TEST_PG_URL not set' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bsg-2scan-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const db = await withTempDatabase(t, pgUrl!, 'scan2');
  const store = await openStore({ type: 'postgres', url: db.url, poolMax: 4, passwordStorage: 'plain', demoSubscribers: 0, demoSeed: 1 }, silent);
  t.teardown(() => store.close());
  await ensureDatabase(store, { demoSubscribers: 0, demoSeed: 1, now: new Date(), log: silent });
  // Every status change of a record, as the database saw it.
  const admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  t.teardown(() => admin.end());
  await admin.query(`CREATE TABLE T_STATUS_LOG (BUSISN bigint, OLD_STATUS int, NEW_STATUS int, SEQ bigserial)`);
  await admin.query(`CREATE FUNCTION t_status_log() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF NEW.status IS DISTINCT FROM OLD.status THEN INSERT INTO t_status_log (busisn, old_status, new_status) VALUES (NEW.busisn, OLD.status, NEW.status); END IF; RETURN NEW; END $$`);
  await admin.query(`CREATE TRIGGER t_status_log AFTER UPDATE ON usr_busi_record FOR EACH ROW EXECUTE FUNCTION t_status_log()`);

  const sim = await startSwitchSim({ kind: 'socket', name: 'sim', host: '127.0.0.1', port: 0, user: 'bss', password: 'pw-2scan', delayMinMs: 5, delayMaxMs: 40, seed: 7 });
  t.teardown(() => sim.close());

  const config = (name: string): string => {
    const file = join(dir, `${name}.ini`);
    writeFileSync(
      file,
      [
        '[interface.cs]', 'port = 65000', '',
        '[database]', 'type = postgres', `url = ${db.url}`, 'pool_max = 3', '',
        '[log]', `dir = ${join(dir, `logs-${name}`)}`, 'requests = false', '',
        '[scanner]', 'poll_interval = 50ms', 'lease = 2s', 'batch = 10', 'max_in_flight = 10', 'max_attempts = 100', 'retry_backoff = 100ms', '',
        '[switch.sim]', 'kind = socket', 'regions = *', 'net_types = G', 'switch_type = ERI_HLR', 'host = 127.0.0.1', `port = ${sim.port}`, 'user = bss', 'password = pw-2scan', 'ack_timeout = 1s', 'reconnect_min = 100ms', 'reconnect_max = 1s', '',
      ].join('\n'),
    );
    return file;
  };
  const children = new Set<ChildProcess>();
  let stderr = '';
  t.teardown(() => {
    if (stderr) t.comment(`scanner stderr: ${stderr.slice(0, 2000)}`);
  });
  t.teardown(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });
  const scan = (name: string): ChildProcess => {
    const c = spawn(process.execPath, [cli, 'scan', config(name)], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(c);
    c.stdout!.resume();
    c.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    return c;
  };
  const count = async (sql: string): Promise<number> => Number((await admin.query(sql)).rows[0].n);

  let busisn = 1_000_000n;
  const all: { busisn: bigint; svcnum: string }[] = [];
  let killedLeases = 0;
  for (let cycle = 0; cycle < CYCLES; cycle++) {
    const batch: { busisn: bigint; svcnum: string; busitype: number }[] = [];
    for (let k = 0; k < PER_NUMBER; k++) {
      for (let n = 0; n < NUMBERS; n++) {
        const svcnum = `13997${String(cycle).padStart(2, '0')}${String(n).padStart(4, '0')}`;
        batch.push({ busisn: ++busisn, svcnum, busitype: k % 2 ? 12 : 11 });
      }
    }
    all.push(...batch);
    // Both scanners up (each LISTENs on a connection of its own, issue 17) before the commands
    // appear: otherwise the first one may have sent them all before the second has started.
    const listening = `SELECT COUNT(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = '${LISTEN_APPLICATION_NAME}'`;
    await until("the last cycle's scanners are gone", async () => (await count(listening)) === 0);
    const a = scan(`a${cycle}`);
    const b = scan(`b${cycle}`);
    const victim = cycle % 2 ? b : a;
    await until('both scanners are up', async () => (await count(listening)) >= 2);
    for (const c of batch) await insertRecord(store, c);
    const owner = `${hostname().slice(0, 40)}:${victim.pid}:`;
    // Kill it while it holds leases whose commands the switch is working on.
    await until(`scanner ${victim.pid} has deliveries in flight`, async () => (await count(`SELECT COUNT(*) AS n FROM bsg_cmd_queue WHERE state = 'leased' AND lease_owner LIKE '${owner}%'`)) >= 2);
    killedLeases += await count(`SELECT COUNT(*) AS n FROM bsg_cmd_queue WHERE state = 'leased' AND lease_owner LIKE '${owner}%'`);
    victim.kill('SIGKILL');
    await new Promise((r) => victim.once('exit', r));
    const open = () => count(`SELECT COUNT(*) AS n FROM usr_busi_record WHERE busisn > ${batch[0].busisn - 1n} AND status <> 7`);
    await until(`cycle ${cycle}: every command executed by the survivor`, async () => (await open()) === 0, 40_000);
    const survivor = victim === a ? b : a;
    survivor.kill('SIGTERM');
    await new Promise((r) => survivor.once('exit', r));
    t.equal(survivor.exitCode, 0, `cycle ${cycle}: the survivor stopped cleanly on SIGTERM`);
  }

  // Every command: 5 → 6 once, 6 → 7 once, nothing else.
  const log = (await admin.query('SELECT busisn, old_status, new_status FROM t_status_log ORDER BY seq')).rows as { busisn: string; old_status: number; new_status: number }[];
  const byBusisn = new Map<string, string[]>();
  for (const r of log) byBusisn.set(r.busisn, [...(byBusisn.get(r.busisn) ?? []), `${r.old_status}>${r.new_status}`]);
  const wrong = all.filter((c) => (byBusisn.get(String(c.busisn)) ?? []).join(',') !== '5>6,6>7');
  t.same(wrong.map((c) => [String(c.busisn), byBusisn.get(String(c.busisn))]), [], `all ${all.length} commands went 5 → 6 → 7, exactly once each`);
  t.equal(await count('SELECT COUNT(*) AS n FROM usr_busi_record WHERE status <> 7'), 0, 'none lost');

  // The switch: each executed once; any further arrival is a recognised re-send.
  const notOnce = all.filter((c) => sim.timesExecuted(c.busisn) !== 1);
  t.same(notOnce.map((c) => String(c.busisn)), [], 'the switch executed every busisn exactly once');
  const arrivals = new Map<bigint, typeof sim.records>();
  for (const r of sim.records) arrivals.set(r.busisn, [...(arrivals.get(r.busisn) ?? []), r]);
  const unrecognised = [...arrivals.values()].flatMap((list) => list.slice(1)).filter((r) => !r.resend || r.executed);
  t.same(unrecognised.map((r) => String(r.busisn)), [], 'every second arrival was a re-send the switch recognised (answered 1, not executed)');
  const resent = [...arrivals.values()].filter((l) => l.length > 1).length;
  t.ok(resent <= killedLeases, `re-sends (${resent}) only of the killed scanners' leases (${killedLeases})`);
  // Per number, executions in BUSISN order.
  const order = sim.executedBusisns();
  for (const svcnum of new Set(all.map((c) => c.svcnum))) {
    const mine = all.filter((c) => c.svcnum === svcnum).map((c) => c.busisn);
    const executed = order.filter((b) => mine.includes(b));
    if (executed.join() !== mine.join()) t.fail(`${svcnum}: executed ${executed.join()} ≠ ${mine.join()}`);
  }
  t.pass(`per-number BUSISN order kept for ${NUMBERS * CYCLES} numbers`);
});
