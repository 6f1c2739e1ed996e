// THE table of configuration keys. Parsing, validation, defaults, where each value lands in the
// Config object, the Config types themselves (src/config/types.ts derives them from this table),
// docs/config.md and h.ini.example all derive from it (src/config/load.ts, src/config/render.ts);
// a key that is not in this table is an error in any INI file. To add a key: add a row here (with
// its `field` and `default`), use it where it is needed (handlers: ctx.settings.<section>.<field>),
// then regenerate the docs (`node dist/src/config/render.js --write`). docs/handlers.md, "Adding a
// setting".
import type { InterfaceKind } from '../../protocol/business-types.js';
import {
  parseAllowList,
  parseBizList,
  parseBoolean,
  parseDuration,
  parseEnum,
  parseHost,
  parseInteger,
  parseNonEmpty,
  parsePort,
  parseSize,
  splitList,
  ValueProblem,
} from './values.js';

export type SectionKind = 'interface' | 'database' | 'log' | 'server' | 'admin' | 'scanner' | 'switch' | 'card' | 'client';

/** Environment variables read by the loader (and only there); set and non-empty, they win over the files. */
export const ENV_DB_URL = 'BSSGATE_DB_URL';
export const ENV_DB_PASSWORD = 'BSSGATE_DB_PASSWORD';
/**
 * Shifts every port bssgate listens on ([interface.*] port, [admin] port, simulated socket
 * switches) by this many, so that a second copy of the demo runs without editing the files
 * (`--port-offset` of serve, call and status wins over it). Not a secret: shown in messages.
 */
export const ENV_PORT_OFFSET = 'BSSGATE_PORT_OFFSET';

/** [database] path when type = sqlite and none is given; relative to the first INI file's directory. */
export const DEFAULT_SQLITE_PATH = 'data/bssgate.db';

export const INTERFACE_KINDS: readonly InterfaceKind[] = ['cs', 'card', 'print', 'sms'];
export type DatabaseType = 'sqlite' | 'postgres' | 'oracle';
export const DATABASE_TYPES: readonly DatabaseType[] = ['sqlite', 'postgres', 'oracle'];
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

/** OP-01: the legacy programs' ports (qhh2 9921, common_interface 7995, qhprint 9923, dxjk 9925). */
export const DEFAULT_PORTS: Record<InterfaceKind, number> = { cs: 9921, card: 7995, print: 9923, sms: 9925 };

/** OP-04: the admin listener's port when [admin] enabled = true names none (next to the legacy ports). */
export const DEFAULT_ADMIN_PORT = 9930;
/** [admin] allow when none is given: loopback only. */
export const DEFAULT_ADMIN_ALLOW: readonly string[] = ['127.0.0.0/8', '::1'];

/**
 * The card system's identity when no [client.<id>] section names its address (the ledger's client
 * `*`): TAB_PAY.SOURCE of its postings, the client of its reconciliation file (`H|card|…`) and the
 * BSG_META key `card_reconciled_through.card`. Fixed — never the interface's section name — and
 * reserved: no [client.<id>] may take it (docs/payments.md, docs/idempotency.md).
 */
export const UNCONFIGURED_CARD_CLIENT = 'card';

/** [card] report_dir when unset: this directory below reconcile_dir, else beside the first INI file. */
export const DEFAULT_REPORT_DIR = 'reports';

/** [card] amounts: fen as an integer, at most this (10^12 fen, far below int64). */
const MAX_CARD_FEN = 1_000_000_000_000;

/** Frame length floor: the 56-byte header plus the smallest body; below 60 nothing useful fits. */
export const MIN_MAX_FRAME = 60;
/** Frame length ceiling: a frame is buffered whole before decoding, so one client may pin this much memory. */
export const MAX_MAX_FRAME = 16 * 1024 * 1024;

export interface KeyDef {
  section: SectionKind;
  key: string;
  /**
   * Where the parsed value (or the default) lands: this field of the section's object in Config
   * (`config.card.minAmount`; for [server], of Config itself). Absent: read by the section's
   * builder in load.ts only ([interface] enabled).
   */
  field?: string;
  /** Short type name for the docs table. */
  type: string;
  /** What is accepted, as printed in errors: `accepted: <this>`. */
  accepted: string;
  /**
   * The default, as documented, written once: unless `value`, `computed` or `optional` says
   * otherwise it is INI text, and the loader's default is `parse(default)` (typedDefault), so the
   * docs and the loader cannot disagree. Undefined = no default (see required / optional).
   */
  default?: string;
  /** The typed default when `default` is words rather than INI text (an empty list, "loopback only (…)"). */
  value?: unknown;
  /** The default depends on other keys or the section name: the section's builder in load.ts computes it; `default` says how. */
  computed?: true;
  /** Unset stays unset (no field in Config); `default`, if any, says what that means. */
  optional?: true;
  /** Every section of this kind must set it; the error is `missing; <required>`. */
  required?: string;
  doc: string;
  /** Parse and validate one raw value. Throws ValueProblem. */
  parse(raw: string): unknown;
  /** A value whose text must never appear in errors or logs. */
  secret?: boolean;
  /** Environment variable that overrides the file. */
  env?: string;
  /** [database] keys that apply only to some types; elsewhere they are an error. */
  types?: readonly DatabaseType[];
  /** Relative paths resolve against the directory of the file that set them. */
  path?: boolean;
  /** h.ini.example: the value written (uncommented); without it the key appears commented out with `sample`. */
  example?: string;
  sample?: string;
}

/** [server] idempotency_days default: the card system re-sends for hours; a week also covers a long weekend's outage. */
export const DEFAULT_IDEMPOTENCY_DAYS = 7;

const DURATION_ACCEPTED = 'a duration: 300s, 5m, 2h, 1500ms, or a bare integer of seconds';
const POSITIVE = (what: string) => `an integer ≥ 1 (${what})`;

const TABLE = [
  // ── [interface.<name>] ── one section per listening interface (OP-01)
  {
    section: 'interface', key: 'kind', field: 'kind', type: 'enum', accepted: 'cs | card | print | sms', computed: true,
    default: 'the section name, when it is cs, card, print or sms (otherwise required)',
    doc: 'Which legacy program this interface replaces: cs = customer service (qhh2), card = payment card (common_interface), print = self-service print kiosk (qhprint), sms = SMS bill query (dxjk). Chooses the default port and the business functions served.',
    parse: (raw) => parseEnum(raw, INTERFACE_KINDS), sample: 'cs',
  },
  {
    section: 'interface', key: 'enabled', type: 'boolean', accepted: 'true | false (also yes/no, on/off, 1/0)', default: 'true',
    doc: 'false keeps the section in the file but does not listen. A disabled interface still reserves its name.',
    parse: parseBoolean, sample: 'true',
  },
  {
    section: 'interface', key: 'host', field: 'host', type: 'address', accepted: 'an IPv4/IPv6 address or a host name', default: '127.0.0.1',
    doc: 'Address to listen on. 0.0.0.0 or :: listens on every address; then restrict clients with allow.',
    parse: parseHost, example: '127.0.0.1',
  },
  {
    section: 'interface', key: 'port', field: 'port', type: 'port', accepted: 'an integer 1–65535', computed: true,
    default: `by kind: ${INTERFACE_KINDS.map((k) => `${k} ${DEFAULT_PORTS[k]}`).join(', ')}`,
    doc: 'TCP port. Two enabled interfaces may not share a host:port (a wildcard host overlaps every address).',
    parse: parsePort,
  },
  {
    section: 'interface', key: 'max_frame', field: 'maxFrame', type: 'size', accepted: `bytes ${MIN_MAX_FRAME}–${MAX_MAX_FRAME} (16 MiB), a bare integer or with a KiB/MiB suffix`,
    default: '65536',
    doc: 'Largest accepted value of the frame length field. A longer frame is answered 1008 and the connection closed without reading the rest.',
    parse: (raw) => parseSize(raw, MIN_MAX_FRAME, MAX_MAX_FRAME), sample: '64KiB',
  },
  {
    section: 'interface', key: 'max_connections', field: 'maxConnections', type: 'integer', accepted: POSITIVE('at most 1000000'), default: '256',
    doc: 'Open connections on this interface. The next client gets 9003 (too many connections) and is closed; each refusal is counted and logged (OP-05).',
    parse: (raw) => parseInteger(raw, 1, 1_000_000), sample: '256',
  },
  {
    section: 'interface', key: 'idle_timeout', field: 'idleTimeoutMs', type: 'duration', accepted: DURATION_ACCEPTED, default: '300s',
    doc: 'Close a connection that sent nothing for this long.',
    parse: (raw) => parseDuration(raw, 1), sample: '5m',
  },
  {
    section: 'interface', key: 'frame_timeout', field: 'frameTimeoutMs', type: 'duration', accepted: DURATION_ACCEPTED, default: '10s',
    doc: 'Once the first byte of a frame arrived, the whole frame must arrive within this; a slow sender is closed.',
    parse: (raw) => parseDuration(raw, 1), sample: '10s',
  },
  {
    section: 'interface', key: 'drain_timeout', field: 'drainTimeoutMs', type: 'duration', accepted: DURATION_ACCEPTED, default: '30s',
    doc: 'A connection whose client stops reading answers is closed after this.',
    parse: (raw) => parseDuration(raw, 1), sample: '30s',
  },
  {
    section: 'interface', key: 'request_timeout', field: 'requestTimeoutMs', type: 'duration', accepted: DURATION_ACCEPTED, default: '15s',
    doc: 'A read-only request not answered within this is answered 9002 (timeout; it may simply be retried). Write functions (payments, reversals, acceptance operations) are never answered 9002 once started: a 9xxx promises nothing was done, so their answer waits for the real outcome of their commit (docs/idempotency.md); a re-send with the same serial gets the stored reply.',
    parse: (raw) => parseDuration(raw, 1), sample: '15s',
  },
  {
    section: 'interface', key: 'max_pipeline', field: 'maxPipeline', type: 'integer', accepted: POSITIVE('at most 65536'), default: '64',
    doc: 'Requests read ahead of their answers on one connection before reading pauses.',
    parse: (raw) => parseInteger(raw, 1, 65536), sample: '64',
  },
  {
    section: 'interface', key: 'allow', field: 'allow', type: 'address list',
    accepted: 'comma-separated IPv4/IPv6 addresses and CIDR blocks, e.g. 10.1.0.0/16, 192.168.3.7, ::1',
    default: 'empty = any address', value: [],
    doc: 'Clients allowed to connect; others are closed at once and logged in err.MMDD.',
    parse: parseAllowList, sample: '127.0.0.1, 10.0.0.0/8, ::1',
  },
  {
    section: 'interface', key: 'framing', field: 'framingFile', type: 'string', accepted: 'v1, or the path of a framing profile (JSON; relative to this INI file), e.g. framing/h2.json (shipped in config/framing/)',
    default: 'v1', optional: true,
    doc: 'The wire this interface speaks: v1 = the binary protocol of protocol/SPEC.md; a profile file = a legacy text framing (ASCII length, fixed-width header, TAB fields, 0x1A; docs/framing.md), served from the same handlers. A profile that does not load stops the start with its file and JSON path.',
    parse: parseNonEmpty, sample: 'v1',
  },
  {
    section: 'interface', key: 'check_keys', field: 'checkKeysFile', type: 'path', accepted: 'a file path (a key file readable only by the service user: mode 0600 or 0400; relative to the directory of this INI file)', path: true,
    default: 'none: keys from the environment only', optional: true,
    doc: 'Only with a framing profile that declares a check code (验证码, docs/framing.md "Check codes"): the file of the per-client keys, one `<client name> = <hex key>` a line (`*` = peers no [client.<id>] section names). A file group or others can read is refused. A key in the environment, BSSGATE_CHECK_KEY_<CLIENT> (BSSGATE_CHECK_KEY for `*`), wins over the file. Keys are never written in the INI itself.',
    parse: parseNonEmpty, sample: 'keys/recharge.keys',
  },
  {
    section: 'interface', key: 'serves', field: 'serves', type: 'business code list', accepted: 'comma-separated business codes of protocol/SPEC.md section 6 (e.g. 101 = CS-01 connection check), each implemented in this version',
    default: 'every business function whose default interfaces include this kind', optional: true,
    doc: 'Restrict or extend the business types served here; a request for another type is answered 1004.',
    parse: parseBizList, sample: '101',
  },

  // ── [database] ──
  {
    section: 'database', key: 'type', field: 'type', type: 'enum', accepted: 'sqlite | postgres | oracle', default: 'sqlite',
    doc: 'Back end: sqlite (embedded, one host), postgres (PostgreSQL or openGauss/GaussDB), oracle (the legacy production database, Thin mode).',
    parse: (raw) => parseEnum(raw, DATABASE_TYPES), example: 'sqlite',
  },
  {
    section: 'database', key: 'path', field: 'path', type: 'path', accepted: 'a file path', default: DEFAULT_SQLITE_PATH, types: ['sqlite'], path: true,
    doc: 'sqlite: database file; relative to the directory of this INI file. Created, with the schema, when missing.',
    parse: parseNonEmpty, example: DEFAULT_SQLITE_PATH,
  },
  {
    section: 'database', key: 'url', field: 'url', type: 'URL', accepted: 'postgres://user@host:port/database or postgresql://…', types: ['postgres'],
    env: ENV_DB_URL, secret: true,
    doc: `postgres: connection URL (required). ${ENV_DB_URL}, when set and non-empty, wins over the file, so the password need not be written here.`,
    parse: parsePgUrl, sample: 'postgres://bssgate@127.0.0.1:5432/bss',
  },
  {
    section: 'database', key: 'user', field: 'user', type: 'string', accepted: 'a user name', types: ['oracle'],
    doc: 'oracle: user (required).',
    parse: parseNonEmpty, sample: 'BSS',
  },
  {
    section: 'database', key: 'password', field: 'password', type: 'secret', accepted: 'a password (quote it if it contains ; or #)', types: ['oracle', 'postgres'],
    env: ENV_DB_PASSWORD, secret: true,
    doc: `oracle: password (required); postgres: used when the URL carries none. ${ENV_DB_PASSWORD}, when set and non-empty, wins over the file; prefer it.`,
    parse: parseNonEmpty, sample: '"change-me"',
  },
  {
    section: 'database', key: 'connect_string', field: 'connectString', type: 'string', accepted: 'host:port/service_name (Easy Connect)', types: ['oracle'],
    doc: 'oracle: Easy Connect string (required), e.g. 10.1.2.3:1521/BSSDB.',
    parse: parseNonEmpty, sample: '127.0.0.1:1521/BSSDB',
  },
  {
    section: 'database', key: 'pool_max', field: 'poolMax', type: 'integer', accepted: POSITIVE('at most 1000'), default: '8', types: ['postgres', 'oracle'],
    doc: 'postgres/oracle: connections in the pool.',
    parse: (raw) => parseInteger(raw, 1, 1000), sample: '8',
  },
  {
    section: 'database', key: 'password_storage', field: 'passwordStorage', type: 'enum', accepted: 'plain | scrypt', default: 'scrypt',
    doc: 'How subscribers\' service passwords are stored: scrypt (salted hash) or plain (the legacy schema\'s clear text, for running on an existing database).',
    parse: (raw) => parseEnum(raw, ['plain', 'scrypt'] as const), example: 'scrypt',
  },
  {
    section: 'database', key: 'queries', field: 'queries', type: 'path', accepted: 'a file path (the queries file; relative to the directory of this INI file)', path: true,
    default: 'none: every query runs its default SQL', optional: true,
    doc: 'The operator\'s queries file: replaces the SQL of queries by name, per dialect where needed, and sets the table templates (ticket.<KIND>), so bssgate runs on a schema that differs from docs/schema.md; binds and result columns stay the contract (docs/operator-schema.md). Loaded at start; serve checks every query against the live database first (bssgate db check).',
    parse: parseNonEmpty, sample: 'queries.sql',
  },
  {
    section: 'database', key: 'demo_subscribers', field: 'demoSubscribers', type: 'integer', accepted: 'an integer 0–10000000', default: '0',
    doc: 'When the database is empty, create the schema and this many generated demo subscribers (0 = never). `npm start` uses this file with 10000.',
    parse: (raw) => parseInteger(raw, 0, 10_000_000), example: '10000',
  },
  {
    section: 'database', key: 'demo_seed', field: 'demoSeed', type: 'integer', accepted: 'an integer 0–4294967295', default: '1',
    doc: 'Seed of the demo generator; the same seed gives the same subscribers.',
    parse: (raw) => parseInteger(raw, 0, 4_294_967_295), example: '1',
  },

  // ── [log] ── (OP-02, OP-03; docs/logs.md)
  {
    section: 'log', key: 'dir', field: 'dir', type: 'path', accepted: 'a directory path', default: 'logs', path: true,
    doc: 'Log directory, relative to the directory of this INI file: <dir>/<interface>/query.MMDD etc., <dir>/<interface>/bak/ for compressed earlier days, <dir>/warn.log.',
    parse: parseNonEmpty, example: 'logs',
  },
  {
    section: 'log', key: 'level', field: 'level', type: 'enum', accepted: LOG_LEVELS.join(' | '), default: 'info',
    doc: 'Level of warn.log (warnings and lifecycle). The request, answer and error families always log.',
    parse: (raw) => parseEnum(raw, LOG_LEVELS), example: 'info',
  },
  {
    section: 'log', key: 'retention_days', field: 'retentionDays', type: 'integer', accepted: POSITIVE('at most 3650'), default: '30',
    doc: 'Compressed logs in bak/ older than this many days are deleted.',
    parse: (raw) => parseInteger(raw, 1, 3650), example: '30',
  },
  {
    section: 'log', key: 'requests', field: 'requests', type: 'boolean', accepted: 'true | false (also yes/no, on/off, 1/0)', default: 'true',
    doc: 'Write the request and answer families (query.MMDD, ans.MMDD). err.MMDD, suc_query.MMDD and warn.log are always written.',
    parse: parseBoolean, example: 'true',
  },
  {
    section: 'log', key: 'stderr', field: 'stderr', type: 'boolean', accepted: 'true | false (also yes/no, on/off, 1/0)', default: 'only when stderr is a terminal', optional: true,
    doc: 'Also copy warn.log lines to stderr (e.g. true under systemd, whose journal captures stderr).',
    parse: parseBoolean, sample: 'false',
  },

  // ── [admin] ── OP-04: /health/live, /health/ready and /metrics over HTTP (docs/metrics.md)
  {
    section: 'admin', key: 'enabled', field: 'enabled', type: 'boolean', accepted: 'true | false (also yes/no, on/off, 1/0)', default: 'false',
    doc: 'Serve the admin HTTP listener: health checks for a load balancer or systemd, Prometheus metrics, `bssgate status`. Off unless set, so a legacy INI file takes no port it did not name; h.ini.example (what `npm start` serves) sets it, on loopback, and the start banner prints its URLs.',
    parse: parseBoolean, sample: 'true', example: 'true',
  },
  {
    section: 'admin', key: 'host', field: 'host', type: 'address', accepted: 'an IPv4/IPv6 address or a host name', default: '127.0.0.1',
    doc: 'Address of the admin listener. 0.0.0.0 or :: listens on every address (e.g. for HAProxy or Prometheus on another host; then list them in allow).',
    parse: parseHost, sample: '127.0.0.1',
  },
  {
    section: 'admin', key: 'port', field: 'port', type: 'port', accepted: 'an integer 1–65535, not the port of an enabled interface on the same address',
    default: String(DEFAULT_ADMIN_PORT),
    doc: 'TCP port of the admin listener. Never a business port: the loader refuses a port an enabled interface uses on an overlapping address.',
    parse: parsePort, sample: String(DEFAULT_ADMIN_PORT),
  },
  {
    section: 'admin', key: 'allow', field: 'allow', type: 'address list',
    accepted: 'comma-separated IPv4/IPv6 addresses and CIDR blocks, e.g. 10.1.0.0/16, 192.168.3.7, ::1',
    default: `loopback only (${DEFAULT_ADMIN_ALLOW.join(', ')})`, value: DEFAULT_ADMIN_ALLOW,
    doc: 'Peers allowed to use the admin listener; others get 403 and a line in warn.log. Unlike [interface] allow, empty is not "any": metrics show business volumes, so remote monitors must be listed.',
    parse: parseAllowList, sample: '127.0.0.1, ::1, 10.0.0.0/8',
  },

  // ── [card] ── PC-03…PC-08: payment-card postings and reconciliation (docs/payments.md, docs/reconciliation.md)
  {
    section: 'card', key: 'min_amount', field: 'minAmount', type: 'integer', accepted: `an integer of fen, 1–${MAX_CARD_FEN}`, default: '1',
    doc: 'Smallest payment (303) accepted, in fen; a smaller one is refused 2010.',
    parse: (raw) => BigInt(parseInteger(raw, 1, MAX_CARD_FEN)), sample: '1',
  },
  {
    section: 'card', key: 'max_amount', field: 'maxAmount', type: 'integer', accepted: `an integer of fen, 1–${MAX_CARD_FEN}, not below min_amount`, default: '1000000',
    doc: 'Largest payment (303) accepted, in fen (default 10 000 yuan); a larger one is refused 2010.',
    parse: (raw) => BigInt(parseInteger(raw, 1, MAX_CARD_FEN)), sample: '1000000',
  },
  {
    section: 'card', key: 'reconcile_dir', field: 'reconcileDir', type: 'path', accepted: 'a directory path', path: true,
    doc: 'PC-07 (unset: no directory is watched): the drop directory of the card system\'s daily reconciliation files, watched by `bssgate serve`. A file is processed once: moved to done/ (applied) or rejected/ (malformed) below it. Created at start when missing.',
    parse: parseNonEmpty, sample: 'recon',
  },
  {
    section: 'card', key: 'report_dir', field: 'reportDir', type: 'path', accepted: 'a directory path', path: true, computed: true,
    doc: `PC-07 (unset: <reconcile_dir>/${DEFAULT_REPORT_DIR}, else ${DEFAULT_REPORT_DIR} beside the first INI file): where each reconciliation writes its report (every difference and the action taken). Created when missing, before a reconciliation applies anything.`,
    parse: parseNonEmpty, sample: 'recon/reports',
  },
  {
    section: 'card', key: 'poll_interval', field: 'pollMs', type: 'duration', accepted: 'a duration ≥ 1s', default: '60s',
    doc: 'PC-07: how often the drop directory is looked at.',
    parse: (raw) => parseDuration(raw, 1000), sample: '60s',
  },
  {
    section: 'card', key: 'day_boundary', field: 'boundaryMs', type: 'duration', accepted: 'a duration ≥ 0s, below 12h', default: '10m',
    doc: 'PC-07: a posting of ours this close to midnight at either end of the file\'s day that the file lacks may belong to the neighbouring day\'s file (clocks differ, re-sends arrive late): it is reported, not reversed.',
    parse: (raw) => { const ms = parseDuration(raw, 0); if (ms >= 12 * 3600_000) throw new ValueProblem('is 12h or more'); return ms; }, sample: '10m',
  },

  // ── [scanner] ── OC-01…OC-03: the online-command scanner (docs/scanner.md)
  {
    section: 'scanner', key: 'enabled', field: 'enabled', type: 'boolean', accepted: 'true | false (also yes/no, on/off, 1/0)',
    default: 'true when a [switch.<name>] section is configured', computed: true,
    doc: 'Run the scanner in this process: it claims USR_BUSI_RECORD rows in status 5 and delivers them to the switches. Any number of processes on any hosts may scan one database (leases in BSG_CMD_QUEUE).',
    parse: parseBoolean, example: 'true',
  },
  {
    section: 'scanner', key: 'poll_interval', field: 'pollMs', type: 'duration', accepted: 'a duration ≥ 10ms: 200ms, 1s, or a bare integer of seconds', default: '200ms',
    doc: 'How long the scanner waits before looking again when it found nothing to do (it looks again at once while there is work).',
    parse: (raw) => parseDuration(raw, 10), example: '200ms',
  },
  {
    section: 'scanner', key: 'batch', field: 'batch', type: 'integer', accepted: POSITIVE('at most 1000'), default: '200',
    doc: 'Commands claimed in one transaction.',
    parse: (raw) => parseInteger(raw, 1, 1000), sample: '200',
  },
  {
    section: 'scanner', key: 'max_in_flight', field: 'maxInFlight', type: 'integer', accepted: POSITIVE('at most 10000'), default: '256',
    doc: 'Commands being delivered at once by this process (different numbers in parallel; one number\'s commands always one at a time, in BUSISN order).',
    parse: (raw) => parseInteger(raw, 1, 10_000), sample: '256',
  },
  {
    section: 'scanner', key: 'lease', field: 'leaseMs', type: 'duration', accepted: 'a duration ≥ 1s, longer than every switch\'s result_timeout / ack_timeout', default: '60s',
    doc: 'A claimed command is this scanner\'s for this long (renewed while the delivery lasts); a scanner that died loses its commands to the others when it ends, and they are re-sent with the same busisn.',
    parse: (raw) => parseDuration(raw, 1000), sample: '60s',
  },
  {
    section: 'scanner', key: 'max_attempts', field: 'maxAttempts', type: 'integer', accepted: POSITIVE('at most 100'), default: '5',
    doc: 'Deliveries of one command (the first and its retries) before it is failed (status 8) with the last reason.',
    parse: (raw) => parseInteger(raw, 1, 100), sample: '5',
  },
  {
    section: 'scanner', key: 'retry_backoff', field: 'retryBackoffMs', type: 'duration', accepted: 'a duration ≥ 10ms', default: '5s',
    doc: 'Wait before the first retry of a retryable outcome (busy, timeout, disconnect); doubled for each further retry.',
    parse: (raw) => parseDuration(raw, 10), sample: '5s',
  },
  {
    section: 'scanner', key: 'retry_backoff_max', field: 'retryBackoffMaxMs', type: 'duration', accepted: 'a duration ≥ 10ms', default: '5m',
    doc: 'The doubled retry wait never exceeds this.',
    parse: (raw) => parseDuration(raw, 10), sample: '5m',
  },
  {
    section: 'scanner', key: 'unreachable_wait', field: 'unreachableWaitMs', type: 'duration', accepted: 'a duration ≥ 10ms', default: '30s',
    doc: 'A command whose switch cannot be reached, or for whose region and network no switch is configured, waits this long (status 5, RESULT says why, the attempt not counted) before it is looked at again.',
    parse: (raw) => parseDuration(raw, 10), sample: '30s',
  },

  // ── [switch.<name>] ── one section per switch the scanner delivers to (OC-01 file, OC-02 socket)
  {
    section: 'switch', key: 'kind', field: 'kind', type: 'enum', accepted: 'file | socket', required: 'accepted: file | socket',
    doc: 'The interface of this switch: file (OC-01: PT.<busisn> files into command_dir, answers from result_dir) or socket (OC-02: one persistent connection to host:port). Required.',
    parse: (raw) => parseEnum(raw, SWITCH_KINDS), sample: 'file',
  },
  {
    section: 'switch', key: 'simulator', field: 'simulator', type: 'boolean', accepted: 'true | false (also yes/no, on/off, 1/0)', default: 'false',
    doc: 'true: bssgate runs the switch simulator (bssgate sim switch) for this switch in its own process and delivers to it over the real file or socket interface: for the demo and tests only. Named in the start banner and warn.log; a socket simulator listens on 127.0.0.1 only.',
    parse: parseBoolean, sample: 'false',
  },
  {
    section: 'switch', key: 'regions', field: 'regions', type: 'region list', accepted: 'comma-separated area codes (e.g. 0971, 0972), or * for every region',
    required: 'accepted: comma-separated area codes, or * for every region',
    doc: 'The regions (USR_BUSI_RECORD.REGION) whose commands go to this switch. Required. A region and network type may be routed to one switch only.',
    parse: parseRegionList, sample: '0971, 0972',
  },
  {
    section: 'switch', key: 'net_types', field: 'netTypes', type: 'network list', accepted: 'comma-separated network types G, C, V, X (GSM, CDMA, VOIP, CDMA1X)',
    required: 'accepted: comma-separated network types G, C, V, X',
    doc: 'The network types (USR_BUSI_RECORD.NETTYPE) whose commands go to this switch. Required.',
    parse: parseNetTypeList, sample: 'G',
  },
  {
    section: 'switch', key: 'switch_type', field: 'switchType', type: 'string', accepted: '1–16 of A-Z 0-9 _ (SWITCH_INS_MODEL.SWITCHTYPE, e.g. ERI_HLR, HW_HLR, ZTE_HLR)',
    required: 'the SWITCH_INS_MODEL.SWITCHTYPE of its templates, e.g. ERI_HLR',
    doc: 'Which templates of SWITCH_INS_MODEL render the commands for this switch (with the record\'s BUSITYPE and NETTYPE). Required.',
    parse: parseSwitchType, sample: 'ERI_HLR',
  },
  {
    section: 'switch', key: 'command_dir', field: 'commandDir', type: 'path', accepted: 'a directory path', path: true,
    doc: 'file: where PT.<busisn> command files are written (legacy /prog/inout/hlr/con); relative to this INI file. Required for kind = file.',
    parse: parseNonEmpty, sample: 'data/switch/con',
  },
  {
    section: 'switch', key: 'result_dir', field: 'resultDir', type: 'path', accepted: 'a directory path', path: true,
    doc: 'file: where the switch writes its answer PT.<busisn>; relative to this INI file. Required for kind = file.',
    parse: parseNonEmpty, sample: 'data/switch/res',
  },
  {
    section: 'switch', key: 'result_timeout', field: 'resultTimeoutMs', type: 'duration', accepted: DURATION_ACCEPTED, default: '30s',
    doc: 'file: no answer within this: the outcome is unknown and the command is retried (the re-sent file has the same name, so the switch recognises it).',
    parse: (raw) => parseDuration(raw, 1), sample: '30s',
  },
  {
    section: 'switch', key: 'result_poll', field: 'resultPollMs', type: 'duration', accepted: 'a duration ≥ 10ms', default: '100ms',
    doc: 'file: how often the result directory is looked at.',
    parse: (raw) => parseDuration(raw, 10), sample: '100ms',
  },
  {
    section: 'switch', key: 'host', field: 'host', type: 'address', accepted: 'an IPv4/IPv6 address or a host name',
    doc: 'socket: the switch\'s address. Required for kind = socket.',
    parse: parseHost, sample: '10.1.5.20',
  },
  {
    section: 'switch', key: 'port', field: 'port', type: 'port', accepted: 'an integer 1–65535',
    doc: 'socket: the switch\'s port. Required for kind = socket.',
    parse: parsePort, sample: '7001',
  },
  {
    section: 'switch', key: 'user', field: 'user', type: 'string', accepted: 'a user name',
    doc: 'socket: login user. Required for kind = socket.',
    parse: parseNonEmpty, sample: 'bss',
  },
  {
    section: 'switch', key: 'password', field: 'password', type: 'secret', accepted: 'a password (quote it if it contains ; or #)', secret: true,
    doc: 'socket: login password. Required for kind = socket. Never logged.',
    parse: parseNonEmpty, sample: '"change-me"',
  },
  {
    section: 'switch', key: 'keepalive', field: 'keepaliveMs', type: 'duration', accepted: DURATION_ACCEPTED, default: '30s',
    doc: 'socket: a keep-alive is sent when the connection was idle this long.',
    parse: (raw) => parseDuration(raw, 1), sample: '30s',
  },
  {
    section: 'switch', key: 'ack_timeout', field: 'ackTimeoutMs', type: 'duration', accepted: DURATION_ACCEPTED, default: '10s',
    doc: 'socket: no acknowledgement of a command within this: the outcome is unknown and the command is retried with the same busisn.',
    parse: (raw) => parseDuration(raw, 1), sample: '10s',
  },
  {
    section: 'switch', key: 'reconnect_min', field: 'reconnectMinMs', type: 'duration', accepted: DURATION_ACCEPTED, default: '1s',
    doc: 'socket: first wait before reconnecting after a lost connection; doubled up to reconnect_max.',
    parse: (raw) => parseDuration(raw, 1), sample: '1s',
  },
  {
    section: 'switch', key: 'reconnect_max', field: 'reconnectMaxMs', type: 'duration', accepted: DURATION_ACCEPTED, default: '60s',
    doc: 'socket: longest wait between reconnection attempts.',
    parse: (raw) => parseDuration(raw, 1), sample: '60s',
  },

  // ── [server] ──
  {
    section: 'server', key: 'workers', field: 'workers', type: 'integer', accepted: 'an integer 1–64', default: '1',
    doc: 'Worker processes on this host (node:cluster): each serves every interface on the same ports; the primary spreads connections round-robin, restarts a worker that dies, drains them all on SIGTERM, and sums their metrics. 1 = one process, no cluster. About one per core (docs/architecture.md). max_connections and max_pipeline apply per worker.',
    parse: (raw) => parseInteger(raw, 1, 64), sample: '1',
  },
  {
    section: 'server', key: 'shutdown_grace', field: 'shutdownGraceMs', type: 'duration', accepted: 'a duration: 10s, 1m, 500ms, or a bare integer of seconds (0 = do not wait)',
    default: '10s',
    doc: 'On SIGTERM, stop accepting, then give in-flight requests this long before closing connections.',
    parse: (raw) => parseDuration(raw, 0), example: '10s',
  },
  {
    section: 'server', key: 'idempotency_days', field: 'idempotencyDays', type: 'integer', accepted: 'an integer 1–3650', default: String(DEFAULT_IDEMPOTENCY_DAYS),
    doc: 'PC-06: rows of the idempotency ledger (a write\'s stored reply, replayed to a re-send of its serial) are kept at least this many days, and payment and reversal rows also until the reconciliation that covers their day (docs/idempotency.md). The purge runs hourly and logs what it deleted.',
    parse: (raw) => parseInteger(raw, 1, 3650), sample: String(DEFAULT_IDEMPOTENCY_DAYS),
  },

  // ── [client.<id>] ── PC-06: who a peer is, for the idempotency key (docs/idempotency.md)
  {
    section: 'client', key: 'name', field: 'name', type: 'string',
    required: "the client's identity in the idempotency key, e.g. name = cardsys (kept when the section is renamed)", accepted: '1–16 of A-Z a-z 0-9 _ . -, starting with a letter or digit (TAB_PAY.SOURCE holds 16); not `card` (reserved for an unconfigured card system)',
    doc: 'The client\'s identity in the idempotency key of write functions (BSG_IDEMPOTENCY.CLIENT) and in the reconciliation\'s BSG_META key. Required. Keep it when the section is renamed or the client moves: a re-sent serial is recognised by this name, not by the section or the address.',
    parse: parseClientName, sample: 'cardsys',
  },
  {
    section: 'client', key: 'addresses', field: 'addresses', type: 'address list',
    required: 'the addresses and CIDR blocks the client connects from, e.g. addresses = 10.20.0.5, 10.20.0.6',
    accepted: 'comma-separated IPv4/IPv6 addresses and CIDR blocks, e.g. 10.1.0.0/16, 192.168.3.7, ::1',
    doc: 'The addresses the client connects from (every host of it: active and standby). Required. The most specific block wins when blocks of two clients overlap; the same block in two clients covering a common interface is an error. On an interface no [client.<id>] covers, every peer is the client `*`.',
    parse: parseAllowList, sample: '10.20.0.5, 10.20.0.6',
  },
  {
    section: 'client', key: 'interfaces', field: 'interfaces', type: 'name list', default: 'every interface', optional: true,
    accepted: 'comma-separated names of [interface.<name>] sections, e.g. card',
    doc: 'The interfaces this client\'s identity applies to. Fail closed: on an interface that some [client.<id>] section covers, a write function (PC-03, PC-04, CS-20…CS-26) from an address no covering section names is refused 1010 and not run (reads go on), so a host left out of addresses (a standby) cannot post under another identity. Name the card system\'s interface here so that its section does not lock out writes of clients on other interfaces (the call centre on cs); absent = every interface.',
    parse: parseInterfaceNames, sample: 'card',
  },
] as const satisfies readonly KeyDef[];

export const CONFIG_KEYS: readonly KeyDef[] = TABLE;

/** [client.<id>] interfaces: names of [interface.<name>] sections (the loader checks they exist). */
function parseInterfaceNames(raw: string): string[] {
  const items = splitList(raw);
  for (const n of items) if (!/^[a-z0-9][a-z0-9_-]{0,31}$/.test(n)) throw new ValueProblem(`has "${n}", which is not an interface name`);
  const dup = items.find((n, i) => items.indexOf(n) !== i);
  if (dup !== undefined) throw new ValueProblem(`lists ${dup} twice`);
  return items;
}

function parseClientName(raw: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,15}$/.test(raw)) throw new ValueProblem('is not a client name');
  if (raw === UNCONFIGURED_CARD_CLIENT) {
    throw new ValueProblem(`is reserved: "${UNCONFIGURED_CARD_CLIENT}" is the identity of a card system no [client.<id>] names (TAB_PAY.SOURCE, docs/payments.md); choose another name`);
  }
  return raw;
}

/** The PostgreSQL URL; the text is never echoed back because it may hold a password. */
function parsePgUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ValueProblem('is not a URL');
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') throw new ValueProblem('is not a postgres:// URL');
  if (!u.hostname) throw new ValueProblem('has no host');
  return raw;
}

/** [switch.<name>] kind. */
export const SWITCH_KINDS = ['file', 'socket'] as const;
/** [switch.<name>] net_types: the NETTYPE codes (src/store/schema.ts NET_TYPES). */
export const SWITCH_NET_TYPES = ['G', 'C', 'V', 'X'] as const;

function parseRegionList(raw: string): string[] {
  const items = splitList(raw);
  if (items.includes('*')) {
    if (items.length > 1) throw new ValueProblem('has * with other regions; * alone means every region');
    return ['*'];
  }
  for (const r of items) if (!/^[0-9A-Za-z]{1,4}$/.test(r)) throw new ValueProblem(`has "${r}", which is not an area code (1–4 digits or letters)`);
  return items;
}

function parseNetTypeList(raw: string): string[] {
  const items = splitList(raw).map((s) => s.toUpperCase());
  for (const n of items) if (!(SWITCH_NET_TYPES as readonly string[]).includes(n)) throw new ValueProblem(`has "${n}", which is not a network type`);
  return [...new Set(items)];
}

function parseSwitchType(raw: string): string {
  if (!/^[A-Z0-9_]{1,16}$/.test(raw)) throw new ValueProblem('is not a switch type');
  return raw;
}

export const SECTION_KINDS: readonly SectionKind[] = ['interface', 'database', 'log', 'server', 'admin', 'scanner', 'switch', 'card', 'client'];

const BY_SECTION = new Map<SectionKind, Map<string, KeyDef>>();
for (const s of SECTION_KINDS) BY_SECTION.set(s, new Map());
for (const k of CONFIG_KEYS) BY_SECTION.get(k.section)!.set(k.key, k);

/** The keys of one section kind, by name. */
export function keysOf(section: SectionKind): ReadonlyMap<string, KeyDef> {
  return BY_SECTION.get(section)!;
}

// ── Typed defaults: computed once, here, from each row ─────────────────────────────────────────

const TYPED_DEFAULTS = new Map<KeyDef, unknown>();
for (const k of CONFIG_KEYS) {
  if (k.computed || k.optional) continue;
  if ('value' in k) TYPED_DEFAULTS.set(k, k.value);
  // A row whose documented default is words must say so (value, computed or optional): parsing it
  // here fails at the first import, not at some operator's start.
  else if (k.default !== undefined) TYPED_DEFAULTS.set(k, k.parse(k.default));
}

/**
 * The key's default as the loader uses it: `parse(default)`, or `value`; undefined when the key
 * has none (required, optional, or computed by the section's builder). A path is not yet resolved
 * (the loader resolves it against the first file's directory).
 */
export function typedDefault(def: KeyDef): unknown {
  return TYPED_DEFAULTS.get(def);
}

// ── The Config types, derived from the rows (src/config/types.ts names them) ───────────────────

type Row = (typeof TABLE)[number];
/** The rows of one section that land in its Config object. */
type Landing<S extends SectionKind> = Extract<Row, { section: S; field: string }>;
type ValueOf<R> = R extends { parse(raw: string): infer V } ? V : never;
type Fields<R extends { field: string }> = { [K in R as K['field']]: ValueOf<K> };
/** Rows that always have a value once loaded: a default, a required key. */
type Given<S extends SectionKind> = Exclude<Extract<Landing<S>, { default: string } | { value: unknown } | { required: string }>, { optional: true } | { computed: true }>;
type Computed<S extends SectionKind> = Extract<Landing<S>, { computed: true }>;
type Unset<S extends SectionKind> = Exclude<Landing<S>, Given<S> | Computed<S>>;

/** One section's object in Config: each row's `field` with its parsed type; optional when it may be unset. */
export type SectionValues<S extends SectionKind> = Fields<Given<S> | Computed<S>> & Partial<Fields<Unset<S>>>;
/** The same before the section's builder computed the `computed` fields. */
export type LoadedValues<S extends SectionKind> = Fields<Given<S>> & Partial<Fields<Computed<S> | Unset<S>>>;
/** The fields of a section's secret keys (never handed to handlers). */
export type SecretField<S extends SectionKind> = Extract<Landing<S>, { secret: true }>['field'];
type DefaultFields<S extends SectionKind> = Fields<Exclude<Extract<Landing<S>, { default: string } | { value: unknown }>, { optional: true } | { computed: true }>>;

/** A section's typed defaults by field (paths unresolved): what a configuration built in code gets. */
export function defaultsOf<S extends SectionKind>(section: S): DefaultFields<S> {
  const out: Record<string, unknown> = {};
  for (const def of keysOf(section).values()) {
    const v = typedDefault(def);
    if (def.field !== undefined && v !== undefined) out[def.field] = Array.isArray(v) ? [...(v as unknown[])] : v;
  }
  return out as DefaultFields<S>;
}

/** PC-03…PC-08: [card] of a configuration built without the section (tests, reconcile without a config file). */
export const DEFAULT_CARD: Readonly<SectionValues<'card'>> = Object.freeze({ ...defaultsOf('card'), reportDir: DEFAULT_REPORT_DIR });
