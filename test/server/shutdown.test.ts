// Graceful stop loses nothing silently (OP-01: the gateway runs as an operator's service and is
// stopped with SIGTERM). Every frame the gateway read is answered, in order: a request whose
// handler started gets its real result (a write may commit: never a 9xxx), a frame read but not
// started gets 9004 SHUTTING_DOWN. Frames the gateway never read get no answer: the client sees
// the end of the stream after its last answer and re-sends the rest.
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import net from 'node:net';
import { startTestGateway } from '../helpers/gateway.js';
import { connectRaw } from '../helpers/raw.js';
import { req, sleeper, SLEEP_RES } from '../helpers/handlers.js';
import { familyLines } from '../helpers/log-files.js';
import { HANDLERS } from '../../handlers/index.js';

const root = resolve(import.meta.dirname, '../..');
const cli = join(root, 'dist/src/cli.js');
/** Frames pipelined on one connection in the SIGTERM test (BSSGATE_SHUTDOWN_FRAMES overrides). */
const FRAMES = Number(process.env.BSSGATE_SHUTDOWN_FRAMES ?? 100_000);

async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

t.test('OP-01 graceful stop: requests in flight get their real result, frames read but not started get 9004, in order', async (t) => {
  const g = await startTestGateway({ handlers: [...HANDLERS, sleeper], interfaces: [{ maxPipeline: 2 }] });
  t.teardown(() => g.stop());
  const peer = await connectRaw(g.port);
  // Two run (300 ms each), eight wait in the backlog: max_pipeline = 2.
  await peer.write(Buffer.concat(Array.from({ length: 10 }, (_, i) => req(60001, i + 1, { ms: 300, tag: 100 + i }))));
  await waitFor(() => g.gateway.stats()[0].frames === 10, 5_000, 'the ten frames to be read');
  const stopped = g.gateway.stop(5_000);
  await peer.closed;
  await stopped;
  const rs = peer.responses(SLEEP_RES);
  t.same(rs.map((r) => r.header.seq), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 'every frame read is answered, in order');
  t.same(rs.map((r) => r.header.result), [0, 0, 9004, 9004, 9004, 9004, 9004, 9004, 9004, 9004], 'started: real result; not started: 9004');
  t.same(rs.slice(0, 2).map((r) => r.body?.tag), [100, 101], 'the started handlers finished and answered with their results');
  t.same(rs.slice(2).map((r) => r.message), Array(8).fill('服务正在停止'), '9004 carries its message');
  const st = g.gateway.stats()[0];
  t.same([st.frames, st.answers, st.shuttingDown], [10, 10, 8], 'counters: frames read = answers written');
  const query = await g.logLines('cs', 'query');
  const ans = (await g.logLines('cs', 'ans')).map((l) => JSON.parse(l) as { seq: number; result: number });
  t.equal(query.length, 10, 'one query line per frame read');
  // ans lines are written as answers are decided (a 9004 at once, a running handler when it ends).
  t.same(ans.map((a) => [a.seq, a.result]).sort((a, b) => a[0] - b[0]), rs.map((r) => [r.header.seq, r.header.result]), 'one ans line per answer, with its code');
  const err = await g.logLines('cs', 'err');
  t.ok(err.some((l) => /"code":9004/.test(l) && /"shuttingDown":8/.test(l)), 'err records the 9004 answers, once per connection');
});

t.test('OP-01 graceful stop: a connection with nothing in flight closes at once; a new one is refused', async (t) => {
  const g = await startTestGateway();
  t.teardown(() => g.stop());
  const peer = await connectRaw(g.port);
  await peer.write(req(101, 1));
  await peer.waitResponses(1);
  await g.gateway.stop(5_000);
  await peer.closed;
  t.equal(peer.responses().length, 1);
  await t.rejects(connectRaw(g.port), 'no longer accepting');
});

async function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => res(p));
    });
  });
}

t.test(`OP-01: ${FRAMES} frames pipelined on one connection, SIGTERM to the process mid-stream: every frame read is answered, in order, 0 or 9004`, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-shutdown-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const port = await freePort();
  const ini = join(dir, 'h.ini');
  writeFileSync(
    ini,
    `[interface.cs]\nhost = 127.0.0.1\nport = ${port}\n\n[database]\ntype = sqlite\npath = data/gw.db\n\n[log]\ndir = logs\n\n[server]\nshutdown_grace = 20s\n`,
  );
  const child = spawn(process.execPath, [cli, 'serve', ini], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => child.kill('SIGKILL'));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  let out = '';
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`not ready: ${out}`)), 60_000);
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('Stop with')) {
        clearTimeout(timer);
        res();
      }
    });
  });

  const peer = await connectRaw(port);
  // Answers are counted as they arrive (decoding 100,000 at every chunk would be quadratic).
  let answered = 0;
  peer.socket.on('data', (c: Buffer) => (answered += c.length));
  const one = req(101, 1);
  const answerSize = 80; // lower bound of a CS-01 answer's size; only used to time the signal
  const all = Buffer.concat(Array.from({ length: FRAMES }, (_, i) => req(101, i + 1)));
  t.equal(all.length, FRAMES * one.length);
  peer.socket.write(all);
  // Mid-stream: once a tenth has been answered.
  await waitFor(() => answered >= (FRAMES / 10) * answerSize, 30_000, 'a tenth of the answers');
  child.kill('SIGTERM');
  await peer.closed;
  t.equal(await exited, 0, 'SIGTERM exits 0');

  const rs = peer.responses();
  const n = rs.length;
  t.ok(n > 0 && n < FRAMES, `stopped mid-stream: ${n} of ${FRAMES} answered`);
  let inOrder = true;
  let codesOk = true;
  let refused = 0;
  for (let i = 0; i < n; i++) {
    if (rs[i].header.seq !== i + 1) inOrder = false;
    const c = rs[i].header.result;
    if (c === 9004) refused++;
    // 0 while dispatched; once the stop began only 9004 (frames read but not started).
    else if (c !== 0 || refused > 0) codesOk = false;
  }
  t.ok(inOrder, 'the answers are seq 1..n, in order, none missing');
  t.ok(codesOk, `each 0, then only 9004 (${refused} × 9004)`);
  t.comment(`${n - refused} answered 0, ${refused} answered 9004, ${FRAMES - n} never read`);

  // The gateway's own record of what it read: one query line per frame taken in, one ans line per
  // answer; they are the same frames as the client's answers.
  const query = familyLines(join(dir, 'logs'), 'cs', 'query', new Date());
  const ans = familyLines(join(dir, 'logs'), 'cs', 'ans', new Date());
  t.equal(query.length, n, 'frames read (query lines) = answers received');
  t.equal(ans.length, n, 'ans lines = answers received');
  // Exactly one ans line per answer received, with the code the client got.
  const logged = new Map<number, number>();
  let dup = 0;
  for (const l of ans) {
    const a = JSON.parse(l) as { seq: number; result: number };
    if (logged.has(a.seq)) dup++;
    logged.set(a.seq, a.result);
  }
  t.equal(dup, 0, 'no seq logged twice');
  t.ok(rs.every((r) => logged.get(r.header.seq) === r.header.result), 'each answer has its ans line, with its code');
  const seqs = new Set(query.map((l) => (JSON.parse(l) as { seq: number }).seq));
  t.ok(seqs.size === n && rs.every((r) => seqs.has(r.header.seq)), 'the query lines are those of the frames answered');
});
