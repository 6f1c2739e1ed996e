// Issue 16: the shadow relay's overhead. CS-14 (balance) load against the primary directly and
// through `bssgate shadow` with mirroring on (candidate = a second bssgate), same run, rounds
// alternating; medians over the rounds. Every program is its own process (`node dist/src/cli.js
// serve|shadow`), as in production; the load client is forked (bench/load.ts).
// Prints JSON: p50/p99 direct and through the shadow, the p50/p99 the relay adds, and the
// throughput ratio (target ≥ 0.8× direct with mirroring on; the p99 target of the issue is 1.5×).
//   node dist/bench/shadow.js [secondsPerRound=3] [rounds=3] [connections=16] [depth=1] [--candidate-nice N]
// --candidate-nice N: a second candidate runs under `nice -n N` behind a second shadow, and the
// rounds alternate direct / through the shadow (candidate at the primary's priority) / through the
// shadow (candidate niced): both figures are printed, the default one first (docs/shadow.md).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { encodeRequest } from '../protocol/message.js';
import { LAYOUTS_BY_CODE } from '../handlers/index.js';
import { demoFixtures } from '../src/store/demo.js';
import { load, type LoadResult } from './load.js';

const argv = process.argv.slice(2);
/** --candidate-nice N: also measure with the candidate at a lower priority (nice N, 1..19). */
let candidateNice: number | undefined;
{
  const at = argv.indexOf('--candidate-nice');
  if (at >= 0) {
    candidateNice = Number(argv[at + 1]);
    if (!Number.isInteger(candidateNice) || candidateNice < 1 || candidateNice > 19) {
      process.stderr.write(`--candidate-nice takes a niceness 1..19, got ${argv[at + 1] ?? 'nothing'}\n`);
      process.exit(2);
    }
    argv.splice(at, 2);
  }
}
const args = argv.map(Number);
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

function run(argv: string[], ready: RegExp, script = CLI, nice?: number): Promise<ChildProcess> {
  // `nice` execs node: the child's pid is node's (its /proc CPU figures are node's).
  const child =
    nice === undefined
      ? spawn(process.execPath, [script, ...argv], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] })
      : spawn('nice', ['-n', String(nice), process.execPath, script, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
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

/** One way through a shadow: its candidate, its shadow, its report. */
interface Variant {
  label: string;
  nice?: number;
  port: number;
  candidate: ChildProcess;
  shadow: ChildProcess;
  reportDir: string;
  results: LoadResult[];
  /** CPU ms in this variant's rounds: primary, candidate, shadow, load client. */
  cpu: number[];
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-bench-shadow-'));
  const children: ChildProcess[] = [];
  try {
    const pp = await freePort();
    const svcnum = demoFixtures(1).first.svcnum;
    const frame = encodeRequest({ biz: 114, seq: 1, serial: 'BENCH', time: '20260101120000', operator: 'bench' }, LAYOUTS_BY_CODE.get(114)!.request, { svcnum });
    const primaryProc = await run(['serve', await gatewayIni(dir, 'primary', pp)], /listening|9921|cs /i);
    children.push(primaryProc);
    const variant = async (label: string, nice?: number, profile?: string): Promise<Variant> => {
      const [cp, sp] = [await freePort(), await freePort()];
      const candidate = cheapCandidate
        ? await run([String(pp), String(cp), frame.toString('hex')], /candidate listening/, resolve(import.meta.dirname, 'shadow-candidate.js'), nice)
        : await run(['serve', await gatewayIni(dir, `candidate-${label}`, cp)], /listening|cs /i, CLI, nice);
      children.push(candidate);
      const reportDir = join(dir, `report-${label}`);
      const shadowIni = join(dir, `shadow-${label}.ini`);
      writeFileSync(shadowIni, `[shadow.cs]\nlisten = 127.0.0.1:${sp}\nprimary = 127.0.0.1:${pp}\ncandidate = 127.0.0.1:${cp}\nreport_dir = ${reportDir}\n${mirrorOff ? 'mirror = connection-check\n' : ''}[log]\nlevel = warn\n`);
      const shadow = profile
        ? await run([shadowIni, resolve(profile)], /shadow cs: listening/, resolve(import.meta.dirname, 'shadow-proc.js'))
        : await run(['shadow', shadowIni], /shadow cs: listening/);
      children.push(shadow);
      return { label, nice, port: sp, candidate, shadow, reportDir, results: [], cpu: [0, 0, 0, 0] };
    };
    const variants = [await variant('same-priority', undefined, profileFile)];
    if (candidateNice !== undefined) variants.push(await variant(`nice-${candidateNice}`, candidateNice));
    const profiler = (m: 'start' | 'stop') =>
      profileFile ? new Promise<void>((res) => (variants[0].shadow.once('message', () => res()), variants[0].shadow.send(m))) : Promise.resolve();
    const measured = async (procs: ChildProcess[], into: number[], f: () => Promise<LoadResult>) => {
      const before = procs.map((c) => cpuMs(c.pid));
      const r = await f();
      procs.forEach((c, i) => (into[i] += cpuMs(c.pid) - before[i]));
      into[procs.length] += r.cpuMs ?? NaN;
      return r;
    };
    const params = { connections, depth, seconds, frameHex: frame.toString('hex') };
    const d: LoadResult[] = [];
    /** Direct rounds: primary, load client. */
    const cpuDirect = [0, 0];
    for (let i = 0; i < rounds; i++) {
      d.push(await measured([primaryProc], cpuDirect, () => load({ port: pp, ...params })));
      for (const v of variants) {
        if (v === variants[0]) await profiler('start');
        v.results.push(await measured([primaryProc, v.candidate, v.shadow], v.cpu, () => load({ port: v.port, ...params })));
        if (v === variants[0]) await profiler('stop');
      }
    }
    const m = (xs: LoadResult[], k: 'rps' | 'p50' | 'p99') => median(xs.map((x) => x[k]));
    const answers = (xs: LoadResult[]) => xs.reduce((a, x) => a + (x.answered ?? x.requests), 0);
    const us = (ms: number, k: number) => Math.round((ms * 1000) / k);
    // Give the shadows a moment to write their summaries (every 5 s), then read the mirror counts.
    await new Promise((r) => setTimeout(r, 6_000));
    const summaryOf = (v: Variant): unknown => {
      try {
        return JSON.parse(readFileSync(join(v.reportDir, 'cs.summary.jsonl'), 'utf8').trim().split('\n')[0]);
      } catch {
        return 'no summary yet';
      }
    };
    const nd = answers(d);
    const through = (v: Variant) => {
      const n = answers(v.results);
      return {
        candidateNice: v.nice ?? 0,
        shadow: { rps: r3(m(v.results, 'rps')), p50: r3(m(v.results, 'p50')), p99: r3(m(v.results, 'p99')) },
        addedP50: r3(m(v.results, 'p50') - m(d, 'p50')),
        addedP99: r3(m(v.results, 'p99') - m(d, 'p99')),
        throughputRatio: r3(m(v.results, 'rps') / m(d, 'rps')),
        p99Ratio: r3(m(v.results, 'p99') / m(d, 'p99')),
        /** Answers in the rounds through this shadow, warm-up included (the profile's requests). */
        shadowRoundAnswers: n,
        // CPU µs per request answered (warm-up included), per process, in this variant's rounds.
        cpuUsPerRequest: { primary: us(v.cpu[0], n), candidate: us(v.cpu[1], n), shadow: us(v.cpu[2], n), loadClient: us(v.cpu[3], n) },
        mirror: summaryOf(v),
      };
    };
    const [same, ...niced] = variants.map(through);
    const out = {
      bench: 'shadow-relay-cs14',
      secondsPerRound: seconds,
      rounds,
      connections,
      depth,
      node: process.version,
      mirroring: !mirrorOff,
      candidate: cheapCandidate ? 'cheap (bench/shadow-candidate.ts: recorded answers)' : 'bssgate serve',
      targets: { throughputRatio: '>= 0.8', p99Ratio: '<= 1.5' },
      direct: { rps: r3(m(d, 'rps')), p50: r3(m(d, 'p50')), p99: r3(m(d, 'p99')), cpuUsPerRequest: { primary: us(cpuDirect[0], nd), loadClient: us(cpuDirect[1], nd) } },
      // The default: the candidate at the primary's priority, on the same cores.
      ...same,
      // --candidate-nice: the candidate on the same host at a low priority (what docs/shadow.md advises).
      ...(niced.length > 0 ? { niced: niced[0] } : {}),
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
