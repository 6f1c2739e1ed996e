// The validated configuration. src/config/load.ts turns one or more legacy INI files into this;
// every other module takes these objects, never raw INI.
import type { WireInterface as InterfaceKind } from '../../protocol/business-types.js';

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

/** OP-04: the admin HTTP listener ([admin]; src/admin.ts, docs/metrics.md). */
export interface AdminConfig {
  /** Off unless [admin] enabled = true. */
  enabled: boolean;
  /** Bind address (default 127.0.0.1) and port (default 9930; 0 = ephemeral, tests only). */
  host: string;
  port: number;
  /** Peers allowed (addresses or CIDR blocks); default loopback only. Never empty. */
  allow: string[];
  /** The INI file that set [admin] (for messages). */
  file?: string;
}

/** OC-01…OC-03: [scanner] (docs/scanner.md). All durations in ms. */
export interface ScannerConfig {
  /** Scan in this process (default: true when a switch is configured). */
  enabled: boolean;
  /** Wait when there was nothing to do (default 200). */
  pollMs: number;
  /** Commands claimed per transaction (default 200). */
  batch: number;
  /** Deliveries at once in this process (default 256). */
  maxInFlight: number;
  /** Lease of a claim, renewed while the delivery lasts (default 60000). */
  leaseMs: number;
  /** Deliveries of one command before it fails (default 5). */
  maxAttempts: number;
  /** First retry wait, doubled per retry up to retryBackoffMaxMs (defaults 5000, 300000). */
  retryBackoffMs: number;
  retryBackoffMaxMs: number;
  /** Wait of a command whose switch is unreachable or unrouted; the attempt is not counted (default 30000). */
  unreachableWaitMs: number;
}

/** OC-01/OC-02: one [switch.<name>] section. */
export interface SwitchConfig {
  name: string;
  kind: 'file' | 'socket';
  /** Run the in-process simulator for this switch (demo, tests): named in the banner. */
  simulator: boolean;
  /** Area codes, or ['*'] for every region. */
  regions: string[];
  /** NETTYPE codes G, C, V, X. */
  netTypes: string[];
  /** SWITCH_INS_MODEL.SWITCHTYPE of its templates. */
  switchType: string;
  /** file: directories (absolute), answer timeout and poll. */
  commandDir?: string;
  resultDir?: string;
  resultTimeoutMs: number;
  resultPollMs: number;
  /** socket: address, login and timing. */
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  keepaliveMs: number;
  ackTimeoutMs: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  /** The INI file that defined it (messages). */
  file?: string;
}

/** PC-03…PC-08: [card] (docs/payments.md, docs/reconciliation.md). Money in fen. */
export interface CardConfig {
  /** A payment outside [minAmount, maxAmount] fen is refused 2010 (defaults 1 and 1000000). */
  minAmount: bigint;
  maxAmount: bigint;
  /** PC-07: the drop directory `bssgate serve` watches for reconciliation files; undefined = not watched. */
  reconcileDir?: string;
  /** PC-07: where reconciliation reports are written (default <reconcileDir>/reports, else reports). */
  reportDir: string;
  /** PC-07: how often the drop directory is looked at, ms (default 60000). */
  pollMs: number;
  /** PC-07: our postings this close to either end of the file's day, not in the file, are reported, not reversed, ms (default 600000). */
  boundaryMs: number;
}

/**
 * PC-06: one [client.<id>] section. The identity in the idempotency key is `name`, configured for
 * the client's addresses; the section's <id> is only a label (renaming it changes nothing).
 */
export interface ClientConfig {
  /** The <id> of [client.<id>] (messages). */
  section: string;
  /** BSG_IDEMPOTENCY.CLIENT and the BSG_META card_reconciled_through.<name> key. */
  name: string;
  /** IPv4/IPv6 addresses and CIDR blocks of the client's hosts (never empty). */
  addresses: string[];
  /**
   * Names of the [interface.<name>] sections it covers; absent = every interface. On a covered
   * interface a write from an address no covering section names is refused 1010 (fail closed).
   */
  interfaces?: string[];
  /** The INI file that defined it (messages). */
  file?: string;
}

export interface Config {
  /** The files read, in order, for messages. */
  files: string[];
  interfaces: InterfaceConfig[];
  database: DatabaseConfig;
  log: LogConfig;
  /** Grace period for SIGTERM: in-flight requests get this long, ms (default 10000). */
  shutdownGraceMs: number;
  /** [server] workers: worker processes (node:cluster); absent or 1 = a single process. */
  workers?: number;
  /** [scanner]; absent (configs built in code) = no scanner. */
  scanner?: ScannerConfig;
  /** [switch.<name>] sections, in file order; absent = none. */
  switches?: SwitchConfig[];
  /** [admin]; absent (configs built in code) = off. */
  admin?: AdminConfig;
  /** [client.<id>] sections (PC-06 identities); absent = none: every peer is the unconfigured client `*`. */
  clients?: ClientConfig[];
  /** [server] idempotency_days: ledger rows are kept at least this long (default 7). */
  idempotencyDays?: number;
  /** [card]; absent (configs built in code) = the defaults (DEFAULT_CARD). */
  card?: CardConfig;
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
