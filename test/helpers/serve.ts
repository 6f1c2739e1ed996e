// The built CLI as a real gateway process: `node dist/src/cli.js serve <ini>` (npm test builds
// first), and a free port on 127.0.0.1 for its interfaces. For tests whose claim is about gateway
// processes: killed under load, or several of them on one database (each its own event loop, pool
// and in-flight map).
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import net from 'node:net';

export const root = resolve(import.meta.dirname, '../..');
export const cli = join(root, 'dist/src/cli.js');

/** A port free on 127.0.0.1 at the moment of asking. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => res(p));
    });
  });
}

export interface ServedGateway {
  child: ChildProcess;
  /** Resolves with the exit code when the process ends. */
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after `ms`; resolves when it exited. */
  stop(ms?: number): Promise<void>;
  /** What it printed up to its banner's end. */
  banner: string;
}

/** `bssgate serve <ini>`; resolves once it printed its banner (it listens then), rejects after readyMs. */
export function serve(ini: string, readyMs = 60_000, opts: { args?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<ServedGateway> {
  const child = spawn(process.execPath, [cli, 'serve', ini, ...(opts.args ?? [])], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const stop = async (ms = 20_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    await exited;
    clearTimeout(timer);
  };
  let out = '';
  let err = '';
  return new Promise<ServedGateway>((res, rej) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rej(new Error(`not ready in ${readyMs} ms; stdout: ${out} stderr: ${err}`));
    }, readyMs);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('Stop with')) {
        clearTimeout(timer);
        res({ child, exited, stop, banner: out });
      }
    });
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`serve exited ${code} before it was ready; stdout: ${out} stderr: ${err}`));
    });
  });
}

/** Poll `check` until it is true; reject after `ms` with `what`. */
export async function waitFor(what: string, check: () => Promise<boolean>, ms = 30_000, everyMs = 50): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
