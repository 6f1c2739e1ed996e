// The built CLI as a gateway process (`node dist/src/cli.js serve <ini>`): for tests whose claim is
// about several gateway processes on one database (each its own event loop, pool and in-flight
// map). Build first (`npm run build`; `npm test` does).
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const CLI = join(ROOT, 'dist/src/cli.js');

/** A free TCP port on 127.0.0.1 (closed again before it is returned). */
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
}

/** `bssgate serve <ini>`; resolves once it printed its banner (it listens then), rejects after readyMs. */
export function serveCli(ini: string, readyMs = 60_000): Promise<ServedGateway> {
  const child = spawn(process.execPath, [CLI, 'serve', ini], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const stop = async (ms = 10_000) => {
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
