// A gateway as a real process: `node dist/src/cli.js serve <ini>` (build first), for tests of
// what holds across processes on one database. Resolves once the banner is printed (it listens).
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { join, resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '../..');
export const cli = join(root, 'dist/src/cli.js');

export async function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => res(p));
    });
  });
}

export interface ServedGateway {
  child: ChildProcess;
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL if it has not exited within 20 s. */
  stop(): Promise<void>;
}

export function serve(ini: string, readyMs = 60_000): Promise<ServedGateway> {
  const child = spawn(process.execPath, [cli, 'serve', ini], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let out = '';
  let err = '';
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise<ServedGateway>((res, rej) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rej(new Error(`not ready in ${readyMs} ms; stdout: ${out} stderr: ${err}`));
    }, readyMs);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('Stop with')) {
        clearTimeout(timer);
        res({ child, exited, stop });
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
