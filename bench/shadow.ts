// Issue 16: the shadow relay's overhead. CS-14 (balance) load against the primary directly and
// through `bssgate shadow` with mirroring on (candidate = a second bssgate), same run, rounds
// alternating; medians over the rounds. Every program is its own process (`node dist/src/cli.js
// serve|shadow`), as in production; the load client is forked (bench/load.ts).
// Prints JSON: p50/p99 direct and through the shadow, the p50/p99 the relay adds, and the
// throughput ratio (target ≥ 0.8× direct with mirroring on; the p99 target of the issue is 1.5×).
//   node dist/bench/shadow.js [secondsPerRound=3] [rounds=3] [connections=16] [depth=1]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { encodeRequest } from '../protocol/message.js';
import { LAYOUTS_BY_CODE } from '../handlers/index.js';
import { demoFixtures } from '../src/store/demo.js';
import { load, type LoadResult } from './load.js';

const args = process.argv.slice(2).map(Number);
const seconds = args[0] || 3;
const rounds = args[1] || 3;
const connections = args[2] || 16;
const depth = args[3] || 1;
/** BENCH_SHADOW_MIRROR=off: relay only (CS-14 not mirrored), to tell the relay's cost from the mirror's. */
const mirrorOff = process.env.BENCH_SHADOW_MIRROR === 'off';
/**
 * BENCH_SHADOW_CANDIDATE=cheap: the candidate is bench/shadow-candidate.ts (the primary's recorded
 * answer under each request's seq) instead of a second bssgate, to tell the shadow's own cost from
 * that of a candidate competing for the same cores.
 */
const cheapCandidate = process.env.BENCH_SHADOW_CANDIDATE === 'cheap';
const CLI = resolve(import.meta.dirname, '../src/cli.js');

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => res(p));
    });
  });
}

/**
 * BENCH_SHADOW_PROFILE=file: the shadow runs in bench/shadow-proc.ts (the same shadow, plus a CPU
 * profiler) and the profile of the rounds through the shadow (warm-up seconds included) is written
 * to file; summarise it with bench/profile-summary.ts and the requests of those rounds.
 */
const profileFile = process.env.BENCH_SHADOW_PROFILE;

/** CPU time (user + system) a process has used so far, in ms (Linux /proc; NaN elsewhere). */
function cpuMs(pid: number | undefined): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}

function run(argv: string[], ready: RegExp, script = CLI): Promise<ChildProcess> {
  const child = spawn(process.execPath, [script, ...argv], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  return new Promise((res, rej) => {
    let out = '';
    const timer = setTimeout(() => rej(new Error(`not ready after 180 s: ${argv.join(' ')}\n${out}`)), 180_000);
    const on = (d: Buffer) => {
      out += d.toString();
      if (ready.test(out)) {
        clearTimeout(timer);
        res(child);
      }
    };
    child.stdout!.on('data', on);
    child.stderr!.on('data', on);
    child.once('exit', (code) => rej(new Error(`${argv.join(' ')} exited ${code}\n${out}`)));
  });
}

async function gatewayIni(dir: string, name: string, port: number): Promise<string> {
  const ini = join(dir, `${name}.ini`);
  writeFileSync(
    ini,
    `[interface.cs]\nhost = 127.0.0.1\nport = ${port}\n[database]\ntype = sqlite\npath = ${join(dir, name + '.db')}\ndemo_subscribers = 200\ndemo_seed = 1\n[log]\ndir = ${join(dir, name + '-logs')}\n`,
  );
  return ini;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const r3 = (x: number) => Math.round(x * 1000) / 1000;

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-bench-shadow-'));
  const children: ChildProcess[] = [];
  try {
    const [pp, cp, sp] = [await freePort(), await freePort(), await freePort()];
    const svcnum = demoFixtures(1).first.svcnum;
    const frame = encodeRequest({ biz: 114, seq: 1, serial: 'BENCH', time: '20260101120000', operator: 'bench' }, LAYOUTS_BY_CODE.get(114)!.request, { svcnum });
    children.push(await run(['serve', await gatewayIni(dir, 'primary', pp)], /listening|9921|cs /i));
    if (cheapCandidate) {
      children.push(await run([String(pp), String(cp), frame.toString('hex')], /candidate listening/, resolve(import.meta.dirname, 'shadow-candidate.js')));
    } else children.push(await run(['serve', await gatewayIni(dir, 'candidate', cp)], /listening|cs /i));
    const shadowIni = join(dir, 'shadow.ini');
    writeFileSync(shadowIni, `[shadow.cs]\nlisten = 127.0.0.1:${sp}\nprimary = 127.0.0.1:${pp}\ncandidate = 127.0.0.1:${cp}\nreport_dir = ${join(dir, 'report')}\n${mirrorOff ? 'mirror = connection-check\n' : ''}[log]\nlevel = warn\n`);
    const shadowProc = profileFile
      ? await run([shadowIni, resolve(profileFile)], /shadow cs: listening/, resolve(import.meta.dirname, 'shadow-proc.js'))
      : await run(['shadow', shadowIni], /shadow cs: listening/);
    const profiler = (m: 'start' | 'stop') =>
      profileFile ? new Promise<void>((res) => (shadowProc.once('message', () => res()), shadowProc.send(m))) : Promise.resolve();
    children.push(shadowProc);
    const [primaryProc, candidateProc] = children;
    /** CPU ms per process (primary, candidate, shadow) spent in the direct rounds and in the shadow rounds. */
    const cpu = { direct: [0, 0, 0], shadow: [0, 0, 0] };
    const procs = [primaryProc, candidateProc, shadowProc];
    const measured = async (into: number[], f: () => Promise<LoadResult>) => {
      const before = procs.map((c) => cpuMs(c.pid));
      const r = await f();
      procs.forEach((c, i) => (into[i] += cpuMs(c.pid) - before[i]));
      return r;
    };
    const params = { connections, depth, seconds, frameHex: frame.toString('hex') };
    const d: LoadResult[] = [];
    const s: LoadResult[] = [];
    for (let i = 0; i < rounds; i++) {
      d.push(await measured(cpu.direct, () => load({ port: pp, ...params })));
      await profiler('start');
      s.push(await measured(cpu.shadow, () => load({ port: sp, ...params })));
      await profiler('stop');
    }
    const m = (xs: LoadResult[], k: 'rps' | 'p50' | 'p99') => median(xs.map((x) => x[k]));
    // Give the shadow a moment to write its summary (every 5 s), then read the mirror counts.
    await new Promise((r) => setTimeout(r, 6_000));
    let summary: unknown = null;
    try {
      summary = JSON.parse(readFileSync(join(dir, 'report', 'cs.summary.jsonl'), 'utf8').trim().split('\n')[0]);
    } catch {
      summary = 'no summary yet';
    }
    const out = {
      bench: 'shadow-relay-cs14',
      secondsPerRound: seconds,
      rounds,
      connections,
      depth,
      node: process.version,
      mirroring: !mirrorOff,
      candidate: cheapCandidate ? 'cheap (bench/shadow-candidate.ts: recorded answers)' : 'bssgate serve',
      direct: { rps: r3(m(d, 'rps')), p50: r3(m(d, 'p50')), p99: r3(m(d, 'p99')) },
      shadow: { rps: r3(m(s, 'rps')), p50: r3(m(s, 'p50')), p99: r3(m(s, 'p99')) },
      addedP50: r3(m(s, 'p50') - m(d, 'p50')),
      addedP99: r3(m(s, 'p99') - m(d, 'p99')),
      throughputRatio: r3(m(s, 'rps') / m(d, 'rps')),
      p99Ratio: r3(m(s, 'p99') / m(d, 'p99')),
      targets: { throughputRatio: '>= 0.8', p99Ratio: '<= 1.5' },
      // CPU µs per request answered (warm-up included), per process, in the direct and the shadow rounds.
      /** Answers in the rounds through the shadow, warm-up included (the profile's requests). */
      shadowRoundAnswers: s.reduce((a, x) => a + (x.answered ?? x.requests), 0),
      cpuUsPerRequest: (() => {
        const n = s.reduce((a, x) => a + (x.answered ?? x.requests), 0);
        const nd = d.reduce((a, x) => a + (x.answered ?? x.requests), 0);
        const us = (ms: number, k: number) => Math.round((ms * 1000) / k);
        return {
          direct: { primary: us(cpu.direct[0], nd) },
          shadowRounds: { primary: us(cpu.shadow[0], n), candidate: us(cpu.shadow[1], n), shadow: us(cpu.shadow[2], n) },
        };
      })(),
      mirror: summary,
    };
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  process.stderr.write(`${err.stack ?? err.message}\n`);
  process.exit(1);
});
