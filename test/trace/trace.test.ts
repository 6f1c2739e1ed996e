// Issue 18: the per-number trace. `bssgate trace <number> --for …` through the admin listener of a
// real gateway (the built CLI, real sockets): every request and answer of that number, on two
// interfaces and from cluster workers, decoded field by field with the password masked, to the
// trace's own file under [log] dir/trace/; nothing of another number; bssgate_traces_active;
// `--off`; the end by itself; and a restart that resumes a running trace and ends one whose time
// passed while the gateway was down (the expiry is persisted in trace/active.json).
import t, { type Test } from 'tap';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BssClient } from '../../src/client.js';
import { cli, freePort } from '../helpers/serve.js';
import { httpGet, parsePrometheusText } from '../../src/status.js';

type Line = Record<string, unknown>;

const TRACED = '13900000001';
const OTHER = '13900000002';
const PASSWORD = '735911';

interface Gw {
  child: ChildProcess;
  exited: Promise<number | null>;
  banner: string;
}

async function serve(t: Test, dir: string): Promise<Gw> {
  const child = spawn(process.execPath, [cli, 'serve', '-c', join(dir, 'h.ini')], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  t.teardown(() => {
    for (const l of warnLines(dir)) if (typeof l.workerPid === 'number') try { process.kill(l.workerPid, 'SIGKILL'); } catch { /* gone */ }
    child.kill('SIGKILL');
  });
  let out = '';
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`not ready in 60 s: ${out}`)), 60_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('Stop with')) {
        clearTimeout(timer);
        res();
      }
    });
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => rej(new Error(`exited ${code}: ${out}`)));
  });
  return { child, exited, banner: out };
}

async function stop(g: Gw): Promise<void> {
  g.child.kill('SIGTERM');
  const timer = setTimeout(() => g.child.kill('SIGKILL'), 30_000);
  await g.exited;
  clearTimeout(timer);
}

function warnLines(dir: string): Line[] {
  const f = join(dir, 'logs', 'warn.log');
  return existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line) : [];
}

async function setup(t: Test, workers: number, demo = 0): Promise<{ dir: string; cs: number; card: number; admin: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-trace-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const [cs, card, admin] = [await freePort(), await freePort(), await freePort()];
  writeFileSync(
    join(dir, 'h.ini'),
    `[interface.cs]\nhost = 127.0.0.1\nport = ${cs}\n\n[interface.card]\nhost = 127.0.0.1\nport = ${card}\n\n` +
      `[database]\ntype = sqlite\npath = data/gw.db\ndemo_subscribers = ${demo}\npassword_storage = plain\n\n[log]\ndir = logs\n\n[server]\nworkers = ${workers}\nshutdown_grace = 10s\n\n` +
      `[admin]\nenabled = true\nhost = 127.0.0.1\nport = ${admin}\n`,
  );
  return { dir, cs, card, admin };
}

/** `bssgate trace …` (the built CLI); its exit code and output. */
function trace(dir: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((res) => {
    execFile(process.execPath, [cli, 'trace', ...args, '-c', join(dir, 'h.ini')], { cwd: dir, timeout: 30_000 }, (err, out, stderr) => {
      res({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out, err: stderr });
    });
  });
}

function traceFiles(dir: string, number: string): string[] {
  const d = join(dir, 'logs', 'trace');
  return existsSync(d) ? readdirSync(d).filter((f) => f.startsWith(`${number}.`) && f.endsWith('.log')).map((f) => join(d, f)) : [];
}

function traceLines(dir: string, number: string): Line[] {
  return traceFiles(dir, number).flatMap((f) => readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line));
}

async function waitFor<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, ms = 30_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out (${ms} ms) waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One call on a connection of its own (a new connection goes to the next worker, SCHED_RR). */
async function callOnce(port: number, biz: number, body: Record<string, unknown>): Promise<number> {
  const c = await BssClient.connect({ port });
  try {
    return (await c.call(biz, body as never)).header.result;
  } finally {
    await c.close();
  }
}

async function activeGauge(admin: number): Promise<number | undefined> {
  const r = await httpGet('127.0.0.1', admin, '/metrics');
  return parsePrometheusText(r.body).find((s) => s.name === 'bssgate_traces_active')?.value;
}

t.test('issue 18: a trace on a number catches its requests on two interfaces from the workers, masks the password, nothing of another number', async (t) => {
  const { dir, cs, card, admin } = await setup(t, 2);
  await serve(t, dir);
  t.equal(await activeGauge(admin), 0, 'bssgate_traces_active 0 before any trace');

  const on = await trace(dir, [TRACED, '--for', '1h']);
  t.equal(on.code, 0, `trace exits 0: ${on.err}`);
  t.match(on.out, `tracing ${TRACED} until`, 'it says until when');
  const file = traceFiles(dir, TRACED)[0];
  t.ok(file, 'the trace has its own file under logs/trace/');
  t.ok(on.out.includes(file), 'the command prints the file');
  t.equal(await activeGauge(admin), 1, 'bssgate_traces_active 1 (the primary owns the traces)');

  const list = await trace(dir, []);
  t.equal(list.code, 0);
  t.match(list.out, new RegExp(`1 trace active .*\\n\\s+${TRACED}\\s+until`), 'the listing names the number');

  // The other number first, on the same workers: had it been traced, its lines would precede these.
  for (let i = 0; i < 2; i++) await callOnce(cs, 114, { svcnum: OTHER });
  for (let i = 0; i < 2; i++) await callOnce(card, 301, { svcnum: OTHER, password: PASSWORD });
  for (let i = 0; i < 4; i++) await callOnce(cs, 114, { svcnum: TRACED });
  for (let i = 0; i < 4; i++) await callOnce(card, 301, { svcnum: TRACED, password: PASSWORD });

  const lines = await waitFor('4 cs and 4 card answers in the trace file', () => {
    const l = traceLines(dir, TRACED);
    const answers = (iface: string) => l.filter((x) => x.event === 'answer' && x.iface === iface).length;
    return answers('cs') >= 4 && answers('card') >= 4 ? l : undefined;
  });
  const requests = lines.filter((l) => l.event === 'request');
  t.equal(requests.filter((l) => l.iface === 'cs').length, 4, 'every cs request of the number');
  t.equal(requests.filter((l) => l.iface === 'card').length, 4, 'every card request of the number');
  t.equal(lines[0].event, 'started', 'the file begins with the start of the trace');

  const cs114 = requests.find((l) => l.iface === 'cs')!;
  t.match(cs114, { trace: TRACED, biz: 114, business: 'balance', body: { svcnum: TRACED } }, 'a request decoded field by field');
  t.match(String(cs114.process), /^w\d+$/, 'written by a worker');
  const card301 = requests.find((l) => l.iface === 'card')!;
  t.same(card301.body, { svcnum: TRACED, password: '[secret]' }, 'the password field masked as in query.MMDD');
  const answer = lines.find((l) => l.event === 'answer' && l.iface === 'cs')!;
  t.match(answer, { biz: 114, result: 2001, resultName: 'NO_SUBSCRIBER' }, 'an answer decoded: result, its name, message');
  t.type(answer.message, 'string');
  t.type(answer.ms, 'number');

  const workers = new Set(requests.map((l) => l.process));
  t.equal(workers.size, 2, `both worker processes wrote to the one file (${[...workers].join(', ')})`);
  t.ok(requests.every((l) => Number(l.conn) >= 1e9), 'conn ids are the workers\' (k·10⁹)');

  const text = traceFiles(dir, TRACED).map((f) => readFileSync(f, 'utf8')).join('');
  t.notOk(text.includes(PASSWORD), 'the password appears nowhere in the trace file');
  t.notOk(text.includes(OTHER), 'nothing of the other number');
  t.same(traceFiles(dir, OTHER), [], 'no file for the other number');

  const off = await trace(dir, [TRACED, '--off']);
  t.equal(off.code, 0, `--off exits 0: ${off.err}`);
  t.match(off.out, `trace of ${TRACED} ended`);
  t.equal(await activeGauge(admin), 0, 'bssgate_traces_active back to 0');
  t.match(traceLines(dir, TRACED).at(-1), { event: 'ended', reason: 'switched off' }, 'the file says it was switched off');
  const again = await trace(dir, [TRACED, '--off']);
  t.equal(again.code, 2, '--off of a number not traced: exit 2');

  // Workers told: after --off, a new request of the number adds nothing. Barrier: a trace of the
  // other number, whose request (sent after the first one's) is in its own file.
  const before = traceLines(dir, TRACED).length;
  t.equal((await trace(dir, [OTHER, '--for', '10m'])).code, 0);
  const c = await BssClient.connect({ port: cs });
  await c.call(114, { svcnum: TRACED } as never);
  await c.call(114, { svcnum: OTHER } as never);
  await c.close();
  await waitFor('the other number\'s answer', () => traceLines(dir, OTHER).some((l) => l.event === 'answer'));
  t.equal(traceLines(dir, TRACED).length, before, 'nothing written for the number once its trace is off');
});

t.test('issue 18: a trace ends by itself, and its expiry survives a restart (resumed while running, ended when it passed)', async (t) => {
  const { dir, cs, admin } = await setup(t, 1);
  let g = await serve(t, dir);
  t.equal((await trace(dir, [TRACED, '--for', '1h'])).code, 0);
  const short = await trace(dir, [OTHER, '--for', '2s']);
  t.equal(short.code, 0);
  t.equal(await activeGauge(admin), 2, 'two traces active');
  await callOnce(cs, 114, { svcnum: OTHER });
  // The end by itself: polled (bounded), not slept.
  await waitFor('the 2 s trace to end by itself', async () => !(await trace(dir, [])).out.includes(OTHER));
  await waitFor('its ended line', () => traceLines(dir, OTHER).some((l) => l.event === 'ended'));
  t.match(traceLines(dir, OTHER).find((l) => l.event === 'ended'), { reason: 'its time is up' }, 'the file says its time was up');
  t.equal(await activeGauge(admin), 1, 'one trace left');
  t.ok(traceLines(dir, OTHER).some((l) => l.event === 'request'), 'the short trace caught its request before it ended');

  // A trace whose end passes while the gateway is down.
  const third = '13900000003';
  t.equal((await trace(dir, [third, '--for', '3s'])).code, 0);
  const state = JSON.parse(readFileSync(join(dir, 'logs', 'trace', 'active.json'), 'utf8')) as { traces: { number: string; until: number }[] };
  t.same(state.traces.map((e) => e.number).sort(), [TRACED, third], 'active.json holds the running traces');
  const thirdUntil = state.traces.find((e) => e.number === third)!.until;
  await stop(g);
  await waitFor('the third trace\'s end to pass', () => Date.now() > thirdUntil + 100, 30_000);

  g = await serve(t, dir);
  const listed = await trace(dir, ['--json']);
  const after = JSON.parse(listed.out) as { number: string }[];
  t.same(after.map((e) => e.number), [TRACED], 'after the restart: the running trace resumed, the expired one gone');
  t.equal(await activeGauge(admin), 1);
  t.match(traceLines(dir, third).at(-1), { event: 'ended', reason: 'expired while the gateway was stopped' }, 'the expired trace\'s file says so');
  t.ok(traceLines(dir, TRACED).some((l) => l.event === 'resumed'), 'the running trace\'s file says it resumed');
  await callOnce(cs, 114, { svcnum: TRACED });
  await waitFor('a request after the restart', () => traceLines(dir, TRACED).some((l) => l.event === 'answer'));
  t.pass('the resumed trace catches requests');
  await stop(g);
});

t.test('issue 18: bad trace requests are refused with a reason', async (t) => {
  const { dir } = await setup(t, 1);
  await serve(t, dir);
  const bad = await trace(dir, [TRACED, '--for', 'soon']);
  t.equal(bad.code, 1);
  t.match(bad.err, /for=soon is not a duration/);
  const long = await trace(dir, [TRACED, '--for', '25h']);
  t.equal(long.code, 1);
  t.match(long.err, /at most 24h/);
  const notNumber = await trace(dir, ['h.ini']);
  t.equal(notNumber.code, 1);
  t.match(notNumber.err, /looks like a configuration file/);
  const none = await new Promise<string>((res) => execFile(process.execPath, [cli, 'trace', TRACED], (_e, _o, err) => res(err)));
  t.match(none, /trace: give the admin listener as --admin host:port/, 'no target: says how to give one');
});

t.test('issue 18: a traced answer carrying a secret (CS-06 PUK code) is masked too; the found subscriber decoded field by field', async (t) => {
  const { dir, cs } = await setup(t, 1, 20);
  const g = await serve(t, dir);
  const m = /e\.g\. (\d+) with service password (\S+?)\./.exec(g.banner);
  t.ok(m, 'the banner names a demo subscriber');
  const number = m![1];
  t.equal((await trace(dir, [number, '--for', '10m'])).code, 0);
  const c = await BssClient.connect({ port: cs });
  const puk = await c.call(106, { svcnum: number } as never);
  const balance = await c.call(114, { svcnum: number } as never);
  await c.close();
  t.equal(puk.result, 0, 'CS-06 answered with the PUK code');
  const code = String((puk.body as Record<string, unknown>).puk);
  t.match(code, /^\d{8}$/);
  const lines = await waitFor('both answers traced', () => {
    const l = traceLines(dir, number).filter((x) => x.event === 'answer');
    return l.length >= 2 ? l : undefined;
  });
  const p = lines.find((l) => l.biz === 106)!;
  t.match(p, { result: 0, resultName: 'OK', body: { puk: '[secret]' } }, 'the PUK code masked in the traced answer');
  t.notOk(traceFiles(dir, number).map((f) => readFileSync(f, 'utf8')).join('').includes(code), 'the PUK code appears nowhere in the trace file');
  const b = lines.find((l) => l.biz === 114)!;
  t.same(Object.keys(b.body as object).sort(), Object.keys(balance.body as object).sort(), 'the balance answer with every field of the reply');
  t.equal(String((b.body as Record<string, unknown>).balance), String((balance.body as Record<string, unknown>).balance), 'with the values the client got (fen)');
  await stop(g);
});
