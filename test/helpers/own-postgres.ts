// A PostgreSQL instance of a test's own, to stop and start at will without disturbing any other
// test: `initdb` into a temporary directory, its own port on 127.0.0.1 (and its Unix socket in that
// directory), `pg_ctl` from the installed server's bin directory (/usr/lib/postgresql/<major>/bin,
// or BSSGATE_PG_BIN). The server refuses to run as root: as root, every pg_ctl/initdb runs as the
// `postgres` user (runuser) on a directory it owns. Always stopped (immediate) and removed at the end.
import { execFile, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './serve.js';

export interface OwnPostgres {
  port: number;
  /** URL of a database of this instance (as the superuser `postgres`, trust auth). */
  url(database: string): string;
  /** CREATE DATABASE name; resolves to its URL. */
  createDatabase(name: string): Promise<string>;
  /** `pg_ctl -m immediate stop`: every server process killed at once, no checkpoint (a crash). */
  stopImmediate(): Promise<void>;
  /** `pg_ctl start -w`: resolves once the server accepts connections (after its crash recovery). */
  start(): Promise<void>;
  /** The server log's last lines (for a failure message). */
  logTail(lines?: number): string;
  /** Stop (immediate) and remove the directory; idempotent. */
  destroy(): void;
}

/** The bin directory of the newest installed PostgreSQL server, or why there is none. */
export function findPostgresBin(): { bin: string } | { reason: string } {
  const given = process.env.BSSGATE_PG_BIN;
  const candidates = given
    ? [given]
    : existsSync('/usr/lib/postgresql')
      ? readdirSync('/usr/lib/postgresql')
          .filter((v) => /^\d+(\.\d+)?$/.test(v))
          .sort((a, b) => Number(b) - Number(a))
          .map((v) => join('/usr/lib/postgresql', v, 'bin'))
      : [];
  const bin = candidates.find((b) => ['initdb', 'pg_ctl', 'postgres'].every((x) => existsSync(join(b, x))));
  if (!bin) return { reason: given ? `BSSGATE_PG_BIN=${given} holds no initdb, pg_ctl and postgres` : 'no PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql/*/bin; set BSSGATE_PG_BIN' };
  if (process.getuid?.() === 0) {
    if (spawnSync('id', ['-u', 'postgres']).status !== 0) return { reason: 'running as root and there is no `postgres` user to run the server as' };
    if (spawnSync('runuser', ['--help']).error) return { reason: 'running as root and there is no runuser to run the server as `postgres`' };
  }
  return { bin };
}

/** initdb + start an instance of its own; the caller stops it with destroy() (also on process exit). */
export async function startOwnPostgres(bin: string): Promise<OwnPostgres> {
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-pg-'));
  if (asRoot) {
    const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  const cmd = (tool: string, args: string[]): [string, string[]] => (asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]] : [join(bin, tool), args]);
  const run = (tool: string, args: string[], timeoutMs: number): Promise<void> =>
    new Promise((res, rej) => {
      const [file, argv] = cmd(tool, args);
      execFile(file, argv, { timeout: timeoutMs, env: { ...process.env, LC_ALL: 'C' } }, (err, stdout, stderr) => (err ? rej(new Error(`${tool} ${args.join(' ')}: ${err.message}\n${stdout}${stderr}`)) : res()));
    });
  const port = await freePort();
  let running = false;
  let destroyed = false;
  const stopSync = () => {
    if (!running) return;
    const [file, argv] = cmd('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    spawnSync(file, argv, { timeout: 60_000 });
    running = false;
  };
  const destroy = () => {
    if (destroyed) return;
    destroyed = true;
    stopSync();
    process.off('exit', destroy);
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', destroy);
  const start = async () => {
    running = true;
    await run('pg_ctl', ['-D', data, '-l', logFile, '-w', '-t', '120', '-o', `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c max_connections=60`, 'start'], 150_000);
  };
  try {
    // -N: no fsync during initdb (a scratch cluster); the server itself runs with fsync on.
    await run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '-N'], 120_000);
    await start();
  } catch (err) {
    destroy();
    throw err;
  }
  const url = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  return {
    port,
    url,
    async createDatabase(name) {
      const c = new pg.Client({ connectionString: url('postgres') });
      await c.connect();
      try {
        await c.query(`CREATE DATABASE ${name}`);
      } finally {
        await c.end();
      }
      return url(name);
    },
    async stopImmediate() {
      await run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop'], 60_000);
      running = false;
    },
    start,
    logTail(lines = 20) {
      return existsSync(logFile) ? readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') : '(no server log)';
    },
    destroy,
  };
}
