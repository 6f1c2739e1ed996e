// Several workers on one host ([server] workers = 2; OP-01: one program serving every interface,
// OP-04: operations): every worker serves every interface on the same ports, a worker killed is
// replaced, SIGTERM to the primary drains them all (every frame read answered, in order), and the
// one set of log files per interface holds every request exactly once.
// Runs the built CLI (dist/) as real processes.
import t, { type Test } from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import net from 'node:net';
import { BssClient } from '../../src/client.js';
import { connectRaw, type RawPeer } from '../helpers/raw.js';
import { familyLines } from '../helpers/log-files.js';
import { encodeRequest } from '../../protocol/message.js';

const root = resolve(import.meta.dirname, '../..');
const cli = join(root, 'dist/src/cli.js');
/** Connections × frames pipelined in the SIGTERM test (BSSGATE_WORKERS_CONNS, BSSGATE_WORKERS_FRAMES). */
const CONNS = Number(process.env.BSSGATE_WORKERS_CONNS ?? 8);
const FRAMES = Number(process.env.BSSGATE_WORKERS_FRAMES ?? 5_000);

type Line = Record<string, unknown>;

async function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => res(p));
    });
  });
}

interface Cluster {
  child: ChildProcess;
  dir: string;
  /** cs, card, and the admin port. */
  ports: number[];
  exited: Promise<number | null>;
  warn(): Line[];
  lines(iface: string, family: string): Line[];
}

async function startCluster(t: Test, workers: number): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-workers-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const ports = [await freePort(), await freePort(), await freePort()];
  writeFileSync(
    join(dir, 'h.ini'),
    `[interface.cs]\nhost = 127.0.0.1\nport = ${ports[0]}\n\n[interface.card]\nhost = 127.0.0.1\nport = ${ports[1]}\n\n` +
      `[database]\ntype = sqlite\npath = data/gw.db\n\n[log]\ndir = logs\n\n[server]\nworkers = ${workers}\nshutdown_grace = 20s\n\n` +
      `[admin]\nenabled = true\nhost = 127.0.0.1\nport = ${ports[2]}\n`,
  );
  const child = spawn(process.execPath, [cli, 'serve', join(dir, 'h.ini')], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  // The workers are the primary's children: kill them too if the test fails half-way.
  t.teardown(() => {
    for (const l of readWarn(dir)) if (typeof l.workerPid === 'number') try { process.kill(l.workerPid, 'SIGKILL'); } catch { /* gone */ }
    child.kill('SIGKILL');
  });
  let out = '';
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`not ready in 60 s: ${out}`)), 60_000);
    const onData = (c: Buffer) => {
      out += c.toString();
      if (out.includes('Stop with')) {
        clearTimeout(timer);
        res();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => rej(new Error(`exited ${code}: ${out}`)));
  });
  t.match(out, `${workers} workers`, 'the banner says how many workers serve');
  return {
    child,
    dir,
    ports,
    exited,
    warn: () => readWarn(dir),
    lines: (iface, family) => familyLines(join(dir, 'logs'), iface, family, new Date()).map((l) => JSON.parse(l) as Line),
  };
}

function readWarn(dir: string): Line[] {
  const f = join(dir, 'logs', 'warn.log');
  return existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line) : [];
}

async function waitFor<T>(fn: () => T | undefined, ms: number, what: string): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** CS-01 on a new connection each time; the worker that answered shows in the log's conn id. */
async function connectionChecks(port: number, n: number): Promise<number[]> {
  const codes: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = await BssClient.connect({ port });
    codes.push((await c.call(101, {})).header.result);
    await c.close();
  }
  return codes;
}

const workerOf = (conn: unknown): number => Math.floor(Number(conn) / 1e9);

t.test('OP-01/OP-04 workers = 2: both workers serve every interface on the same ports; one killed (SIGKILL) is replaced', async (t) => {
  const c = await startCluster(t, 2);
  const listening = await waitFor(() => {
    const l = c.warn().filter((x) => x.msg === 'worker listening');
    return l.length >= 2 ? l : undefined;
  }, 10_000, 'two workers listening');
  t.equal(new Set(listening.map((l) => l.workerPid)).size, 2, 'two worker processes');
  for (const iface of ['cs', 'card']) {
    // A worker's own 'listening' line may reach the file after the primary's 'worker listening'.
    const pids = await waitFor(() => {
      const p = new Set(c.warn().filter((l) => l.msg === 'listening' && l.iface === iface).map((l) => l.pid));
      return p.size >= 2 ? p : undefined;
    }, 10_000, `${iface} listening lines of both workers`).catch(() => new Set(c.warn().filter((l) => l.msg === 'listening' && l.iface === iface).map((l) => l.pid)));
    t.equal(pids.size, 2, `${iface} listened on by both workers`);
  }
  t.same(await connectionChecks(c.ports[0], 12), Array(12).fill(0), 'CS-01 on cs');
  t.same(await connectionChecks(c.ports[1], 12), Array(12).fill(0), 'CS-01 on card');
  // OP-04: the primary's /metrics sums the workers' counters.
  const metrics = await (await fetch(`http://127.0.0.1:${c.ports[2]}/metrics`)).text();
  const sum = (re: RegExp) => [...metrics.matchAll(re)].reduce((a, m) => a + Number(m[1]), 0);
  t.equal(sum(/^bssgate_requests_total\{iface="cs",[^}]*code="0"\} (\d+)$/gm), 12, '/metrics: the 12 cs requests of both workers');
  t.equal(sum(/^bssgate_requests_total\{iface="card",[^}]*code="0"\} (\d+)$/gm), 12, '/metrics: the 12 card requests');
  t.equal((await fetch(`http://127.0.0.1:${c.ports[2]}/health/ready`)).status, 200, '/health/ready: every worker ready');
  // The logs flush within a second; every connection's id names its worker (worker × 10^9 + n).
  const served = await waitFor(() => {
    const q = [...c.lines('cs', 'query'), ...c.lines('card', 'query')];
    return q.length >= 24 ? q : undefined;
  }, 5_000, 'the query lines');
  t.same([...new Set(served.map((l) => workerOf(l.conn)))].sort(), [1, 2], 'connections were spread over both workers (round-robin)');

  const victim = listening[0];
  process.kill(victim.workerPid as number, 'SIGKILL');
  const restarted = await waitFor(() => c.warn().find((l) => l.msg === 'worker listening' && l.worker === 3), 20_000, 'the replacement worker');
  t.ok(restarted, 'a third worker (the replacement) listens');
  const exitLine = c.warn().find((l) => typeof l.msg === 'string' && /worker \d exited \(SIGKILL\); restarting in \d+ ms/.test(l.msg));
  t.ok(exitLine, 'warn.log: the crash and the restart delay');
  t.equal(exitLine?.workerPid, victim.workerPid);
  t.same(await connectionChecks(c.ports[0], 8), Array(8).fill(0), 'still served after the crash');
  const after = await waitFor(() => {
    const q = c.lines('cs', 'query').filter((l) => workerOf(l.conn) === 3);
    return q.length > 0 ? q : undefined;
  }, 5_000, 'a request served by the replacement');
  t.ok(after.length > 0, 'the replacement serves requests');

  c.child.kill('SIGTERM');
  t.equal(await c.exited, 0, 'SIGTERM: the primary exits 0');
  t.same(c.warn().filter((l) => l.msg === 'worker stopping').length, 2, 'both live workers were told to stop');
});

t.test(`OP-01 workers = 2: SIGTERM with ${CONNS} × ${FRAMES} frames in flight answers every frame read, and the logs hold each request exactly once`, async (t) => {
  const c = await startCluster(t, 2);
  const peers: RawPeer[] = [];
  for (let i = 0; i < CONNS; i++) peers.push(await connectRaw(c.ports[i % 2]));
  const sizes = peers.map(() => 0);
  peers.forEach((p, i) => p.socket.on('data', (d: Buffer) => (sizes[i] += d.length)));
  // Each connection its own serial, so its lines can be found whatever its conn id.
  peers.forEach((p, i) => {
    const frames = Array.from({ length: FRAMES }, (_, k) =>
      encodeRequest({ biz: 101, seq: k + 1, serial: `W${i}`, time: '20261122120000', operator: 'op' }, [], {}),
    );
    p.socket.write(Buffer.concat(frames));
  });
  // Mid-stream: once every connection has some answers.
  await waitFor(() => sizes.every((s) => s > 80 * 50), 30_000, 'answers on every connection');
  c.child.kill('SIGTERM');
  await Promise.all(peers.map((p) => p.closed));
  t.equal(await c.exited, 0, 'SIGTERM: the primary exits 0 once every worker drained');

  const query = [...c.lines('cs', 'query'), ...c.lines('card', 'query')];
  const ans = [...c.lines('cs', 'ans'), ...c.lines('card', 'ans')];
  let total = 0;
  let allOrdered = true;
  let codesOk = true;
  let linesOk = true;
  for (let i = 0; i < CONNS; i++) {
    const rs = peers[i].responses();
    total += rs.length;
    if (!rs.every((r, k) => r.header.seq === k + 1)) allOrdered = false;
    const first9004 = rs.findIndex((r) => r.header.result === 9004);
    if (!rs.every((r, k) => (first9004 === -1 || k < first9004 ? r.header.result === 0 : r.header.result === 9004))) codesOk = false;
    const mine = query.filter((l) => l.serial === `W${i}`);
    const conns = new Set(mine.map((l) => l.conn));
    const seqs = mine.map((l) => l.seq as number).sort((a, b) => a - b);
    // Exactly once: one query line per answered frame, seqs 1..n without repeats, one conn.
    if (conns.size !== 1 || seqs.length !== rs.length || !seqs.every((s, k) => s === k + 1)) linesOk = false;
    const conn = [...conns][0];
    const answered = ans.filter((l) => l.conn === conn).map((l) => l.seq as number).sort((a, b) => a - b);
    if (answered.length !== rs.length || !answered.every((s, k) => s === k + 1)) linesOk = false;
  }
  t.ok(total > 0 && total < CONNS * FRAMES, `stopped mid-stream: ${total} of ${CONNS * FRAMES} answered`);
  t.ok(allOrdered, 'every connection: answers seq 1..n in order');
  t.ok(codesOk, 'every connection: 0, then only 9004');
  t.ok(linesOk, 'every answered request: exactly one query line and one ans line, on one conn');
  t.equal(query.length, total, 'query lines = answers, over all workers');
  t.equal(ans.length, total, 'ans lines = answers, over all workers');
  const keys = new Set(query.map((l) => `${String(l.conn)}/${String(l.seq)}`));
  t.equal(keys.size, query.length, 'no (conn, seq) twice');
  t.same([...new Set(query.map((l) => workerOf(l.conn)))].sort(), [1, 2], 'both workers served');
  // Whole lines only: every line of every file parsed as JSON above (familyLines + JSON.parse).
});

t.test('OP-01 workers = 2: a worker that cannot start (port taken) fails the start with its reason, exit 1, no restart loop', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-workers-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const taken = net.createServer();
  await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => taken.close());
  const port = (taken.address() as net.AddressInfo).port;
  writeFileSync(join(dir, 'h.ini'), `[interface.cs]\nhost = 127.0.0.1\nport = ${port}\n\n[database]\ntype = sqlite\npath = gw.db\n\n[log]\ndir = logs\n\n[server]\nworkers = 2\n`);
  const child = spawn(process.execPath, [cli, 'serve', join(dir, 'h.ini')], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => child.kill('SIGKILL'));
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const code = await new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
  t.equal(code, 1, 'exit 1');
  t.match(err, new RegExp(`\\[interface\\.cs\\] port: cannot listen on 127\\.0\\.0\\.1:${port}`), 'stderr names the interface and the port');
  t.notOk(readWarn(dir).some((l) => /restarting in/.test(String(l.msg))), 'not restarted');
});
