// The built CLI as a real gateway process: `node dist/src/cli.js serve <ini>` (npm test builds
// first), and a free port on 127.0.0.1 for its interfaces. Used by the fault tests that kill
// gateways or run several of them on one database (test/payments/).
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import net from 'node:net';

export const root = resolve(import.meta.dirname, '../..');
export const cli = join(root, 'dist/src/cli.js');

/** A port free on 127.0.0.1 at the moment of asking. */
export async function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => res(p));
    });
  });
}

export interface Server {
  child: ChildProcess;
  exited: Promise<number | null>;
}

/** `bssgate serve <ini>` as a process; resolves once it printed its banner (it listens then). */
export function serve(ini: string): Promise<Server> {
  const child = spawn(process.execPath, [cli, 'serve', ini], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let out = '';
  let err = '';
  return new Promise<Server>((res, rej) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rej(new Error(`not ready in 60 s; stdout: ${out} stderr: ${err}`));
    }, 60_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('Stop with')) {
        clearTimeout(timer);
        res({ child, exited });
      }
    });
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`serve exited ${code} before it was ready; stdout: ${out} stderr: ${err}`));
    });
  });
}
