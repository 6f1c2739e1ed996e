// `bssgate shadow <ini>` in a process of its own, as the CLI runs it, plus a CPU profiler the
// benchmark (bench/shadow.ts, BENCH_SHADOW_PROFILE) starts and stops over IPC around the rounds
// through the shadow, so the profile holds those rounds only (not start-up, not the direct rounds).
//   forked by bench/shadow.ts: shadow-proc.js <shadow.ini> <profile-file>
import fs from 'node:fs';
import { Session } from 'node:inspector';
import { shadowCommand } from '../src/shadow/index.js';

const [ini, out] = process.argv.slice(2);
const session = new Session();
session.connect();
const post = (method: string, params?: object) =>
  new Promise<unknown>((res, rej) => session.post(method, params ?? {}, (err, r) => (err ? rej(err) : res(r))));

process.on('message', (m: string) => {
  void (async () => {
    if (m === 'start') {
      await post('Profiler.enable');
      await post('Profiler.setSamplingInterval', { interval: 100 });
      await post('Profiler.start');
    } else if (m === 'stop') {
      const { profile } = (await post('Profiler.stop')) as { profile: unknown };
      fs.writeFileSync(out, JSON.stringify(profile));
    }
    process.send!(m);
  })();
});

await shadowCommand([ini]);
