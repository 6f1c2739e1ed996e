// Opening the configured store. The returned store is a BatchingStore (an AdminStore that can
// also group-commit units of work).
//
// Start-up policy (docs/store.md):
//   - durability settings too weak → DurabilityError: the program refuses to start;
//   - database unreachable (PostgreSQL/Oracle: network, server down) → the store starts degraded:
//     one error log line, every query answers 9001 DATABASE_UNAVAILABLE, a background reconnect
//     with backoff; the server still starts and answers, which is what an operator expects;
//   - wrong credentials, missing database or missing config → the error: a configuration mistake
//     does not heal by waiting.
//
// The DatabaseConfig is used as given: the environment (BSSGATE_DB_URL, BSSGATE_DB_PASSWORD) is
// read by the config loader only (src/config/load.ts), where it wins over the files.
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { DEFAULT_SQLITE_PATH } from '../config/keys.js';
import { keyError, type DatabaseConfig } from '../config/types.js';
import { DirectoryError, ensureDirSync, osReason } from '../dirs.js';
import { DurabilityError } from './errors.js';
import type { BatchingStore, GroupCommitOptions } from './group-commit.js';
import { OracleStore } from './oracle.js';
import { PostgresStore } from './postgres.js';
import { SqliteStore, type SqliteOptions } from './sqlite.js';
import './queries/all.js';
import { loadQueriesFile } from './queries/file.js';

export type { BatchingStore } from './group-commit.js';

export { DEFAULT_SQLITE_PATH } from '../config/keys.js';

export async function openStore(cfg: DatabaseConfig, log: Logger, opts: GroupCommitOptions = {}): Promise<BatchingStore> {
  // [database] queries: read and checked (without the database) before anything opens; its mistakes
  // name the file, the line and the query (QueriesFileError). The store runs its SQL from the first query on.
  const queries = cfg.queries === undefined ? undefined : loadQueriesFile(cfg.queries, cfg.type);
  const store = await openDriver(cfg, log, opts);
  if (queries) store.queries = queries;
  return store;
}

async function openDriver(cfg: DatabaseConfig, log: Logger, opts: GroupCommitOptions): Promise<BatchingStore> {
  switch (cfg.type) {
    case 'sqlite': {
      const p = cfg.path ?? DEFAULT_SQLITE_PATH;
      const where = (problem: string) => keyError(cfg.pathSource, 'database', 'path', problem);
      try {
        ensureDirSync(path.dirname(path.resolve(p)));
      } catch (err) {
        if (err instanceof DirectoryError) throw where(`${p}: cannot create its directory ${err.dir}: ${err.problem}`);
        throw err;
      }
      try {
        return new SqliteStore(p, log, opts);
      } catch (err) {
        // The file cannot be opened or created (a directory, no permission, not a database): a
        // configuration mistake, named as such, not a driver error with a stack.
        if (err instanceof DurabilityError) throw err;
        throw where(`cannot open ${p}: ${sqliteOpenReason(p, err)}`);
      }
    }
    case 'postgres': {
      // loadConfig guarantees url; a programmatic config may lack it.
      if (!cfg.url) throw new Error('database type postgres needs url');
      // password ([database] password / BSSGATE_DB_PASSWORD): used when the URL carries none
      return PostgresStore.open(cfg.url, log, { ...opts, poolMax: cfg.poolMax, password: cfg.password });
    }
    case 'oracle': {
      // loadConfig guarantees all three; a programmatic config may lack them.
      const { user, password, connectString } = cfg;
      if (!user || !connectString || password === undefined) {
        throw new Error('database type oracle needs user, connectString and password');
      }
      return OracleStore.open(log, { ...opts, user, password, connectString, poolMax: cfg.poolMax });
    }
    default: {
      const t: never = cfg.type;
      throw new Error(`unknown database type ${String(t)}`);
    }
  }
}

/** Why SQLite could not open `file`: the driver says only "unable to open database file"; stat says more. */
function sqliteOpenReason(file: string, err: unknown): string {
  const st = fs.statSync(file, { throwIfNoEntry: false });
  if (st?.isDirectory()) return 'it is a directory; accepted: a file path';
  const e = err as { code?: unknown; message?: unknown };
  if (typeof e?.code === 'string' && e.code.startsWith('SQLITE_')) return `${String(e.message)} (${e.code})`;
  return osReason(err);
}

/** A SQLite store on a file (created when missing); for tests and tools. */
export function createSqliteStore(file: string, log: Logger, opts: SqliteOptions = {}): SqliteStore {
  ensureDirSync(path.dirname(path.resolve(file)));
  return new SqliteStore(file, log, opts);
}
