// Summarise a V8 CPU profile (node --cpu-prof) of one server under load (bench/profile.ts): self
// time per function (top N) and per stage of a request, in µs per request when the request count
// is given. The stages are assigned by the function's file and name (first match wins below), so
// the same table can be made of the gateway's and the minimal server's profiles. The payments
// bench's profiles (bench/payments.ts --profile) take the acknowledged payments as the count.
//   node dist/bench/profile-summary.js FILE.cpuprofile [requests] [top=25]
import fs from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const [file, reqArg, topArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: profile-summary.js FILE.cpuprofile [requests] [top=25]\n');
  process.exit(2);
}
const requests = Number(reqArg ?? 0);
const top = Number(topArg ?? 25);
const p = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;

const byId = new Map<number, Node>();
for (const n of p.nodes) byId.set(n.id, n);
const self = new Map<number, number>();
for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

/** Stages of a request, by where the time is spent; natives are attributed to their JS caller's stage. */
const STAGES: [string, (fn: string, url: string) => boolean][] = [
  ['gc', (fn) => fn === '(garbage collector)'],
  ['idle', (fn) => fn === '(idle)' || fn === '(program)'],
  // bench/payments.ts --profile: starting the profiler and forking the simulator are the bench's, not the gateway's
  ['bench itself (profiler start, simulator fork)', (fn, url) => /^node:inspector$|^node:internal\/child_process$|^node:child_process$/.test(url)],
  ['promise hooks (AsyncLocalStorage)', (fn, url) => /async_hooks|async_local_storage/.test(url) || /PromiseHook|promiseInitHook|promiseBeforeHook|promiseAfterHook|promiseResolveHook/.test(fn)],
  // (node:fs: the gateway's LineWriter calls fs.write, whose native writeString was "other JS")
  ['logs', (fn, url) => /\/src\/log\/|pino|sonic-boom|\/fs\.js|minimal-server.*(finish)|internal\/fs|^node:fs$/.test(url) || /^(jsonString|jsonValue)$/.test(fn)],
  ['metrics', (fn, url) => /\/src\/metrics\./.test(url)],
  ['framing', (fn, url) => /protocol\/frame\.|length-prefixed|text-session/.test(url)],
  ['header', (fn, url) => /protocol\/header\./.test(url)],
  ['encode', (fn, url) => /protocol\/(message|layout|codec|encode|compile)|protocol\/.*encoder/.test(url) || /^encode|Encoder|replyHead|balanceReply|refusal$/.test(fn)],
  ['body decode', (fn, url) => /protocol\/(decode|redact)/.test(url) || /^decode/.test(fn)],
  ['typed query conversion', (fn, url) => /store\/queries\/define\.|store\/dialect\./.test(url) || /^convert|^toBig|sqliteToDate/.test(fn)],
  // (bench/payments.ts's statement counter wraps the drivers' calls: its frames are the driver's)
  ['database (driver)', (fn, url) => /better-sqlite3|\/pg\/|pg-protocol|\/bench\/payments\./.test(url) || /^(get|all|run|pluck|raw)$/.test(fn) && url === ''],
  ['group commit', (fn, url) => /\/src\/store\/group-commit\./.test(url)],
  ['store', (fn, url) => /\/src\/store\//.test(url)],
  ['posting domain', (fn, url) => /\/src\/domain\//.test(url)],
  ['idempotency ledger', (fn, url) => /\/src\/idempotency\./.test(url)],
  ['handler', (fn, url) => /\/handlers\//.test(url)],
  ['dispatch', (fn, url) => /\/src\/dispatch\.|\/src\/context\.|\/src\/idempotency\./.test(url)],
  ['connection', (fn, url) => /\/src\/server\//.test(url)],
  ['socket write', (fn, url) => /^(writev|writeBuffer|writeUtf8String|writeGeneric|writevGeneric)$/.test(fn) || /internal\/stream_base_commons|_stream_writable|streams\/writable/.test(url)],
  ['socket read', (fn, url) => /^(onStreamRead|onread)$/.test(fn) || /streams\/readable|_stream_readable/.test(url)],
  ['net/stream (other)', (fn, url) => /node:net|\/net\.js|internal\/streams|stream/.test(url)],
  ['event loop, timers, promises', (fn, url) => /timers|task_queues|processTicksAndRejections|microtask/.test(url) || /runMicrotasks|processTicksAndRejections|listOnTimeout/.test(fn)],
];

function stageOf(id: number): string {
  // A native frame (url '') takes the stage of its nearest JS caller that has one.
  let cur: number | undefined = id;
  while (cur !== undefined) {
    const n = byId.get(cur)!;
    const { functionName: fn, url } = n.callFrame;
    if (url !== '' || fn.startsWith('(')) {
      for (const [name, test] of STAGES) if (test(fn, url)) return name;
      if (url !== '') return 'other JS';
    } else {
      // Natives named after what they do.
      for (const [name, test] of STAGES.slice(0, 4)) if (test(fn, url)) return name;
      // (a write native takes its caller's stage: a socket's, or a file's — the posting journal's)
    }
    cur = parent.get(cur);
  }
  return 'other native';
}

const total = [...self.values()].reduce((a, b) => a + b, 0);
const stages = new Map<string, number>();
const fns = new Map<string, number>();
for (const [id, t] of self) {
  const s = stageOf(id);
  stages.set(s, (stages.get(s) ?? 0) + t);
  const c = byId.get(id)!.callFrame;
  const key = `${c.functionName || '(anonymous)'} ${c.url.replace(/^.*\/(node_modules|dist)\//, '$1/')}:${c.lineNumber + 1}`;
  fns.set(key, (fns.get(key) ?? 0) + t);
}
// the profiler's own start is not the server's work
const busy = total - (stages.get('idle') ?? 0) - (stages.get('bench itself (profiler start, simulator fork)') ?? 0);
const r1 = (x: number) => Math.round(x * 10) / 10;
const row = (t: number) => ({ pctBusy: r1((t / busy) * 100), ...(requests > 0 ? { usPerRequest: Math.round((t / requests) * 100) / 100 } : {}) });
const out = {
  file,
  totalMs: Math.round(total / 1000),
  busyMs: Math.round(busy / 1000),
  requests: requests || undefined,
  busyUsPerRequest: requests > 0 ? Math.round((busy / requests) * 100) / 100 : undefined,
  stages: Object.fromEntries([...stages].sort((a, b) => b[1] - a[1]).map(([k, t]) => [k, row(t)])),
  topFunctions: Object.fromEntries([...fns].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, t]) => [k, row(t)])),
};
process.stdout.write(JSON.stringify(out, null, 2) + '\n');
