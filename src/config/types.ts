// The validated configuration. src/config/load.ts turns one or more legacy INI files into this;
// every other module takes these objects, never raw INI.
import type { InterfaceKind } from '../types.js';

export interface InterfaceConfig {
  /** Section name, e.g. "cs" from [interface.cs]; used in log file paths and log bindings. */
  name: string;
  kind: InterfaceKind;
  /** Bind address (default 127.0.0.1) and port (defaults: cs 9921, card 7995, print 9923, sms 9925). */
  host: string;
  port: number;
  /** Largest accepted value of the frame length field, bytes (default 65536). */
  maxFrame: number;
  /** Open connections on this interface; the next one gets 9003 and is closed (default 256). */
  maxConnections: number;
  /** Close a connection that sent nothing for this long, ms (default 300000). */
  idleTimeoutMs: number;
  /** Once a frame's first byte arrived, the whole frame must arrive within this, ms (default 10000). */
  frameTimeoutMs: number;
  /** A blocked writer (client not reading) is closed after this, ms (default 30000). */
  drainTimeoutMs: number;
  /** A handler taking longer than this is answered 9002, ms (default 15000). */
  requestTimeoutMs: number;
  /** Requests read ahead of their answers on one connection before reading pauses (default 64). */
  maxPipeline: number;
  /** IPv4/IPv6 addresses or CIDR blocks; empty = any address. */
  allow: string[];
  /** Business types served; undefined = every handler whose default interfaces include `kind`. */
  serves?: number[];
  /** The INI file that defined this interface (for messages naming file, section and key). */
  file?: string;
}

export type DatabaseType = 'sqlite' | 'postgres' | 'oracle';

export interface DatabaseConfig {
  type: DatabaseType;
  /** sqlite: file path (default data/bssgate.db). */
  path?: string;
  /** postgres: connection URL (postgres://user@host:port/db); may come from BSSGATE_DB_URL. */
  url?: string;
  /** oracle: user, password (may come from BSSGATE_DB_PASSWORD), connect string host:port/service. */
  user?: string;
  password?: string;
  connectString?: string;
  /** Pool size for postgres/oracle (default 8). */
  poolMax: number;
  /** How service passwords are stored: legacy plain text or salted scrypt hash (default scrypt). */
  passwordStorage: 'plain' | 'scrypt';
  /** Create the schema and this many demo subscribers when the database is empty (0 = never; `npm start` uses 10000). */
  demoSubscribers: number;
  /** Demo generator seed. */
  demoSeed: number;
}

export interface LogConfig {
  /** Directory of the log families (default logs); `bak/` below it holds compressed earlier days. */
  dir: string;
  /** pino level for the main/warn log (default info). */
  level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
  /** Days of compressed logs kept in bak/ (default 30). */
  retentionDays: number;
  /** Write request/answer logs (query.MMDD / ans.MMDD); default true. */
  requests: boolean;
  /** Also write the main/warn log to stderr: true, false, or undefined = only when stderr is a TTY. (added by ops) */
  stderr?: boolean;
}

export interface Config {
  /** The files read, in order, for messages. */
  files: string[];
  interfaces: InterfaceConfig[];
  database: DatabaseConfig;
  log: LogConfig;
  /** Grace period for SIGTERM: in-flight requests get this long, ms (default 10000). */
  shutdownGraceMs: number;
}

/** Thrown by the loader; the message names file, section, key and what is accepted. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly section: string,
    readonly key: string,
    readonly problem: string,
  ) {
    // A problem with a whole file (missing, empty) has no section or key: "h.ini: file not found".
    super(`${file}: ${section ? `[${section}] ` : ''}${key ? `${key}: ` : ''}${problem}`);
    this.name = 'ConfigError';
  }
}
