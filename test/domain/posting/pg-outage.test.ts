// The database-outage fault test of issue 13 (PC-03 payment, PC-04 reversal, PC-06 re-sends):
// PostgreSQL is stopped with `pg_ctl -m immediate stop` (every server process killed, no
// checkpoint: a crash) and started again, several times, while the card-system simulator pays and
// reverses and re-sends whatever got no definite answer (same serial, same bytes). Once with one
// gateway, once with two gateways on one database — real processes of the built CLI, `node
// dist/src/cli.js serve <ini>` — where the simulator spreads its transactions over both and a
// re-send fails over to the other gateway after a 3 s answer timeout (or a 9xxx, or a closed
// connection). Then:
//   - every transaction got a definite answer in the end (the harness re-sends until it does, and
//     counts a transaction as acknowledged only when it read a 0 answer);
//   - 0 doubled: no serial has two TAB_PAY rows;
//   - 0 lost: every acknowledged transaction is in TAB_PAY exactly once with its amount, nothing
//     else moved money, every balance equals start + acknowledged payments − reversals;
//   - the posting log: every acknowledged posting is in the gateways' `suc_query.MMDD` (all the
//     gateways' lines together) exactly once, under its TAB_PAY PAYSN, and no line names a PAYSN
//     that is not in TAB_PAY;
//   - the figures as a tap comment: answers by return code during each outage, and the recovery
//     time (database accepting connections again → first 0 answer).
// The test runs a PostgreSQL instance of its own (test/helpers/own-postgres.ts), so stopping it
// disturbs no other test; without installed server binaries it is skipped, saying why.
// Larger runs: BSSGATE_OUTAGE_PAYMENTS (transactions per scenario, default 300),
// BSSGATE_OUTAGE_ROUNDS (outages per scenario, default 2), BSSGATE_OUTAGE_RATE (new transactions
// per second, default 60), BSSGATE_OUTAGE_CONNECTIONS (simulator connections, default 8),
// BSSGATE_OUTAGE_MS (how long the database stays down, default 1500).
import t, { type Test } from 'tap';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { openStore } from '../../../src/store/open.js';
import { ensureDatabase } from '../../../src/store/init.js';
import type { DatabaseConfig } from '../../../src/config/types.js';
import type { AdminStore, Row } from '../../../src/store/types.js';
import { CardSimulator, formatSimStats, type CardSimStats } from '../../../src/sim/card.js';
import { SEED, SEED_SCRYPT } from '../../helpers/seeded.js';
import { cli, freePort, serve, type ServedGateway } from '../../helpers/serve.js';
import { findPostgresBin, startOwnPostgres, type OwnPostgres } from '../../helpers/own-postgres.js';

const env = (name: string, dflt: number, min: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) throw new Error(`${name}=${raw}: a number ≥ ${min}`);
  return n;
};
const PAYMENTS = env('BSSGATE_OUTAGE_PAYMENTS', 300, 20);
const ROUNDS = env('BSSGATE_OUTAGE_ROUNDS', 2, 1);
const RATE = env('BSSGATE_OUTAGE_RATE', 60, 1);
const CONNECTIONS = env('BSSGATE_OUTAGE_CONNECTIONS', 8, 2);
const OUTAGE_MS = env('BSSGATE_OUTAGE_MS', 1500, 100);
/** The card system's answer timeout before it re-sends (to the other gateway, when there are two). */
const FAILOVER_MS = 3_000;
/** Bound of the wait for the first 0 after the database is back (the assertion is that it comes). */
const RECOVERY_LIMIT_MS = 60_000;
const CLIENT = 'cardsim';
const SUBSCRIBERS = 120;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll `cond` every 50 ms until it holds or `ms` passed; resolves whether it held. */
async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await sleep(50);
  }
  return true;
}

const byCode = (m: Map<string, number>) => [...m].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}×${v}`).join(' ') || 'none';

interface Round {
  downMs: number;
  /** Answers by return code from the stop until the database accepted connections again. */
  during: Map<string, number>;
  /** Answers by return code from then until the first 0. */
  after: Map<string, number>;
  /** Database accepting connections → first 0 answer (ms), undefined: none within the limit. */
  recoveryMs?: number;
  /** Sends given up on without an answer (answer timeout) and lost with a closed connection, during the outage and recovery. */
  timeouts: number;
  closed: number;
}

async function outageRun(t: Test, pg: OwnPostgres, gateways: 1 | 2): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-outage-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const url = await pg.createDatabase(`bss_outage_${gateways}`);
  const database: DatabaseConfig = { type: 'postgres', url, poolMax: 4, passwordStorage: 'scrypt', demoSubscribers: 0, demoSeed: SEED };
  const log = pino({ level: 'silent' });

  // The demo database, made here (cheap scrypt); the gateways find it in place. The test's own
  // connection is closed during the outages and opened again for the audit.
  const open = async (): Promise<AdminStore> => openStore(database, log) as Promise<AdminStore>;
  let store = await open();
  await ensureDatabase(store, { demoSubscribers: SUBSCRIBERS, demoSeed: SEED, now: new Date(), log, passwordStorage: 'scrypt', scrypt: SEED_SCRYPT });
  const sql = <T = Row>(text: string) => store.all<T>({ name: `outage.${Math.random()}`, sql: text });
  const live = await sql<{ svcnum: string; acctid: unknown }>('SELECT SVCNUM AS svcnum, ACCTID AS acctid FROM TAB_SUBSCRB WHERE STATUS IN (1, 3) ORDER BY SVCNUM');
  const acctOf = new Map(live.map((r) => [String(r.svcnum), String(r.acctid)]));
  const balances = async () => new Map((await sql<{ acctid: unknown; balance: unknown }>('SELECT ACCTID AS acctid, BALANCE AS balance FROM ACCT_BALANCE')).map((r) => [String(r.acctid), BigInt(r.balance as string)]));
  const before = await balances();
  await store.close();

  // One INI per gateway: its own card port and log directory, the same database and client identity.
  const names = gateways === 1 ? ['A'] : ['A', 'B'];
  const gws: { name: string; port: number; logDir: string; ini: string; server?: ServedGateway }[] = [];
  for (const name of names) {
    const port = await freePort();
    const logDir = join(dir, `logs-${name}`);
    const ini = join(dir, `${name}.ini`);
    writeFileSync(
      ini,
      [
        '[interface.card]', 'host = 127.0.0.1', `port = ${port}`, '',
        '[client.simulator]', `name = ${CLIENT}`, 'addresses = 127.0.0.1', '',
        '[database]', 'type = postgres', `url = ${url}`, 'pool_max = 4', '',
        '[log]', `dir = ${logDir}`, '',
      ].join('\n'),
    );
    gws.push({ name, port, logDir, ini });
  }
  for (const g of gws) g.server = await serve(g.ini);
  t.teardown(() => gws.forEach((g) => g.server?.child.kill('SIGKILL')));

  // Every answer, timestamped, by code (onResult sees each one: first, replay, 9xxx).
  const answers: { at: number; code: number }[] = [];
  const prefix = `PO${gateways}${Date.now().toString(36).toUpperCase().slice(-6)}`;
  const sim = new CardSimulator({
    host: '127.0.0.1',
    port: gws[0].port,
    targets: gws.map((g) => ({ host: '127.0.0.1', port: g.port })),
    numbers: live.map((r) => String(r.svcnum)),
    connections: CONNECTIONS,
    pipeline: 2,
    rate: RATE,
    durationMs: 30 * 60_000,
    reversalPct: 15,
    // PC-06: whatever got no definite answer is re-sent soon (the card system waits 5 minutes).
    resendAfterMs: 250,
    answerTimeoutMs: FAILOVER_MS,
    drainMs: 90_000,
    reconnectMaxMs: 200,
    serialPrefix: prefix,
    onResult: (code) => answers.push({ at: Date.now(), code }),
  });
  const running = sim.run();
  let stats: CardSimStats | undefined;
  t.teardown(() => {
    if (!stats) sim.stop();
  });
  const created = () => sim.stats.created.P + sim.stats.created.R;
  // Load time grows with the machine's load: the waits for the next outage are bounded generously.
  const loadLimitMs = Math.max(30_000, (4 * PAYMENTS * 1000) / RATE);

  const rounds: Round[] = [];
  for (let r = 1; r <= ROUNDS; r++) {
    const loaded = await until(() => created() >= Math.floor((r * PAYMENTS) / (ROUNDS + 1)) && sim.stats.acked.P > 0, loadLimitMs);
    t.ok(loaded, `round ${r}: payments in flow before the outage (${created()} created)`);
    const t0 = Date.now();
    const ans0 = answers.length;
    const timeouts0 = sim.stats.timeouts;
    const closed0 = sim.stats.closedInFlight;
    await pg.stopImmediate();
    await sleep(OUTAGE_MS); // the fault's length, not an assertion
    await pg.start();
    const up = Date.now();
    const ansUp = answers.length;
    const recovered = await until(() => answers.slice(ansUp).some((a) => a.code === 0), RECOVERY_LIMIT_MS);
    const first0 = answers.slice(ansUp).find((a) => a.code === 0);
    const count = (xs: { code: number }[]) => xs.reduce((m, a) => m.set(String(a.code), (m.get(String(a.code)) ?? 0) + 1), new Map<string, number>());
    const during = count(answers.slice(ans0, ansUp));
    const after = count(answers.slice(ansUp, first0 ? answers.indexOf(first0) : answers.length));
    rounds.push({ downMs: up - t0, during, after, recoveryMs: first0 ? first0.at - up : undefined, timeouts: sim.stats.timeouts - timeouts0, closed: sim.stats.closedInFlight - closed0 });
    t.ok(recovered, `round ${r}: payments answered 0 again after the database came back (within ${RECOVERY_LIMIT_MS / 1000} s)${recovered ? '' : `\nserver log:\n${pg.logTail()}`}`);
    if (!recovered) break;
  }
  await until(() => created() >= PAYMENTS, loadLimitMs);
  sim.stopCreating();
  stats = await running;

  const figures = [
    `${gateways} gateway${gateways > 1 ? 's' : ''}, ${CONNECTIONS} connections × pipeline 2, ${RATE}/s, answer timeout ${FAILOVER_MS / 1000} s${gateways > 1 ? ' then fail-over to the other gateway' : ''}`,
    ...rounds.map(
      (r, i) =>
        `outage ${i + 1}: database down ${(r.downMs / 1000).toFixed(1)} s; answers meanwhile ${byCode(r.during)}; ` +
        `recovery ${r.recoveryMs === undefined ? 'NONE' : `${(r.recoveryMs / 1000).toFixed(2)} s`} (answers before the first 0: ${byCode(r.after)}); ` +
        `sends timed out ${r.timeouts}, lost with a closed connection ${r.closed}`,
    ),
    formatSimStats(stats).trimEnd(),
  ].join('\n');
  t.comment(figures);

  t.equal(stats.pending, 0, 'every transaction got a definite answer in the end (re-sent until it did)');
  t.equal(stats.defects, 0, `no wrong answer, every later answer equal to the first: ${stats.problems.join('; ')}`);
  t.same(stats.refused, {}, 'nothing refused (every number is payable, every reversal names an acknowledged payment)');
  t.notOk(stats.retryable['9999'], `no 9999 (an internal error) at any time: ${stats.retryable['9999'] ?? 0}`);
  t.ok(stats.acked.P >= PAYMENTS / 2, `payments acknowledged: ${stats.acked.P}, reversals ${stats.acked.R}`);
  t.ok(stats.resends > 0, `transactions were re-sent (${stats.resends})`);

  // Stop the gateways cleanly (their logs flushed), then audit the database and the posting logs.
  for (const g of gws) {
    g.server!.child.kill('SIGTERM');
    t.equal(await g.server!.exited, 0, `gateway ${g.name} exits 0 on SIGTERM`);
  }
  store = await open();
  t.teardown(() => store.close());
  const txs = sim.transactions();
  const acked = new Map(txs.filter((x) => x.state === 'acked').map((x) => [x.serial, x.kind === 'P' ? x.amount : -x.amount]));

  const dup = await sql<{ serial: string; n: unknown }>(`SELECT SERIAL AS serial, COUNT(*) AS n FROM TAB_PAY WHERE SERIAL LIKE '${prefix}%' GROUP BY SERIAL HAVING COUNT(*) > 1`);
  t.same(dup.map((r) => `${r.serial}×${r.n}`), [], '0 doubled: no serial has two TAB_PAY rows');
  const rows = await sql<{ serial: string; amount: unknown; paysn: unknown; source: string }>(`SELECT SERIAL AS serial, AMOUNT AS amount, PAYSN AS paysn, SOURCE AS source FROM TAB_PAY WHERE SERIAL LIKE '${prefix}%'`);
  const rowOf = new Map(rows.map((r) => [String(r.serial), r]));
  const lost = [...acked.keys()].filter((s) => !rowOf.has(s));
  t.same(lost, [], `0 lost: every acknowledged transaction (${acked.size}) has its TAB_PAY row`);
  t.same(rows.filter((r) => acked.get(String(r.serial)) !== BigInt(r.amount as string)).map((r) => `${r.serial} ${r.amount}`), [], 'every TAB_PAY row is an acknowledged transaction with its amount (nothing else moved money)');
  t.same([...new Set(rows.map((r) => String(r.source).trim()))], rows.length ? [CLIENT] : [], 'posted under the configured client name');
  const afterBal = await balances();
  const expect = new Map(before);
  for (const [svcnum, d] of sim.balanceDeltas()) expect.set(acctOf.get(svcnum)!, (expect.get(acctOf.get(svcnum)!) ?? 0n) + d);
  t.same([...expect].filter(([a, b]) => afterBal.get(a) !== b).map(([a, b]) => `${a}: ${afterBal.get(a)} ≠ ${b}`), [], 'every ACCT_BALANCE equals start + acknowledged payments − reversals');

  // suc_query.MMDD of every gateway (every day file, should the run cross midnight), together.
  const lines: { gw: string; line: { serial?: string; paysn?: unknown } }[] = [];
  for (const g of gws) {
    const d = join(g.logDir, 'card');
    for (const f of existsSync(d) ? readdirSync(d).filter((n) => n.startsWith('suc_query.')) : []) {
      for (const l of readFileSync(join(d, f), 'utf8').split('\n').filter(Boolean)) lines.push({ gw: g.name, line: JSON.parse(l) as { serial?: string; paysn?: unknown } });
    }
  }
  const ours = lines.filter((l) => String(l.line.serial ?? '').startsWith(prefix));
  const perSerial = new Map<string, string[]>();
  for (const l of ours) perSerial.set(String(l.line.serial), [...(perSerial.get(String(l.line.serial)) ?? []), l.gw]);
  const missing = [...acked.keys()].filter((s) => !perSerial.has(s));
  const twice = [...perSerial].filter(([, g]) => g.length > 1).map(([s, g]) => `${s} (${g.join('+')})`);
  const paysns = new Set((await sql<{ paysn: unknown }>('SELECT PAYSN AS paysn FROM TAB_PAY')).map((r) => String(r.paysn)));
  const phantom = lines.filter((l) => !paysns.has(String(l.line.paysn))).map((l) => `${l.line.serial} PAYSN ${String(l.line.paysn)} (${l.gw})`);
  const wrongPaysn = ours.filter((l) => rowOf.has(String(l.line.serial)) && String(rowOf.get(String(l.line.serial))!.paysn) !== String(l.line.paysn)).map((l) => `${l.line.serial} (${l.gw})`);
  t.comment(`suc_query.MMDD: ${ours.length} lines (${gws.map((g) => `${g.name} ${ours.filter((l) => l.gw === g.name).length}`).join(', ')}) for ${acked.size} acknowledged postings; missing ${missing.length}, twice ${twice.length}, PAYSN not in TAB_PAY ${phantom.length}`);
  // What the gateways' warn.log and err.MMDD say about the serials the checks below name (to tell why).
  const named = [...new Set([...missing, ...[...perSerial].filter(([, g]) => g.length > 1).map(([s]) => s), ...phantom.map((p) => p.split(' ')[0])])].slice(0, 5);
  for (const serial of named) {
    const said = gws.flatMap((g) => [join(g.logDir, 'warn.log'), ...(existsSync(join(g.logDir, 'card')) ? readdirSync(join(g.logDir, 'card')).filter((n) => n.startsWith('err.')).map((n) => join(g.logDir, 'card', n)) : [])].filter(existsSync).flatMap((f) => readFileSync(f, 'utf8').split('\n').filter((l) => l.includes(serial)).map((l) => `${g.name}: ${l.slice(0, 400)}`)));
    t.comment(`${serial}: ${perSerial.get(serial)?.join('+') ?? 'no'} suc_query line(s); TAB_PAY PAYSN ${rowOf.get(serial)?.paysn ?? 'none'}; the logs:\n${said.slice(0, 8).join('\n') || '(nothing)'}`);
  }
  t.same(missing.slice(0, 20), [], `every acknowledged posting has its suc_query.MMDD line (${missing.length} missing)`);
  t.same(twice.slice(0, 20), [], `no posting has two lines, across the gateways (${twice.length} twice)`);
  t.same(phantom.slice(0, 20), [], `no line names a PAYSN that is not in TAB_PAY (${phantom.length})`);
  t.same(wrongPaysn.slice(0, 20), [], 'each line names its posting’s PAYSN');
  t.equal(ours.length, acked.size, 'as many lines as acknowledged postings');
}

const found = findPostgresBin();
// Two scenarios: seeding, gateways' start, the load, the outages and the drain. CI's defaults fit
// well under the two minutes of tap's default; larger runs get the time they need.
t.setTimeout(Math.max(120_000, 2 * (40_000 + (PAYMENTS * 1000) / RATE + ROUNDS * (OUTAGE_MS + 15_000) + 30_000)));

t.test('fault test preconditions', async (t) => {
  t.ok(existsSync(cli), 'dist/src/cli.js is built (npm test runs the build first)');
});

if ('reason' in found) {
  t.test('PC-03 PC-04 PC-06 issue 13: PostgreSQL outage under payment load', { skip: `no PostgreSQL server to run an instance of this test's own: ${found.reason}` }, () => undefined);
} else {
  t.test('PC-03 PC-04 PC-06 issue 13: PostgreSQL stopped with -m immediate and restarted under payments with re-sends', async (t) => {
    const pg = await startOwnPostgres(found.bin);
    t.teardown(() => pg.destroy());
    t.test('one gateway', (t) => outageRun(t, pg, 1));
    t.test('two gateway processes on one database, the client failing over after 3 s', (t) => outageRun(t, pg, 2));
  });
}
