// THE table of configuration keys. Parsing, validation, defaults, docs/config.md and
// h.ini.example all derive from it (src/config/load.ts, src/config/render.ts); a key that is
// not in this table is an error in any INI file. To add a key: add a row here, map it in
// load.ts, then regenerate the docs (`node dist/src/config/render.js --write`).
import type { InterfaceKind } from '../types.js';
import type { DatabaseType } from './types.js';
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
  ValueProblem,
} from './values.js';

export type SectionKind = 'interface' | 'database' | 'log' | 'server';

/** Environment variables read by the loader (and only there); set and non-empty, they win over the files. */
export const ENV_DB_URL = 'BSSGATE_DB_URL';
export const ENV_DB_PASSWORD = 'BSSGATE_DB_PASSWORD';

/** [database] path when type = sqlite and none is given; relative to the first INI file's directory. */
export const DEFAULT_SQLITE_PATH = 'data/bssgate.db';

export const INTERFACE_KINDS: readonly InterfaceKind[] = ['cs', 'card', 'print', 'sms'];
export const DATABASE_TYPES: readonly DatabaseType[] = ['sqlite', 'postgres', 'oracle'];
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

/** OP-01: the legacy programs' ports (qhh2 9921, common_interface 7995, qhprint 9923, dxjk 9925). */
export const DEFAULT_PORTS: Record<InterfaceKind, number> = { cs: 9921, card: 7995, print: 9923, sms: 9925 };

/** Frame length floor: the 56-byte header plus the smallest body; below 60 nothing useful fits. */
export const MIN_MAX_FRAME = 60;
/** Frame length ceiling: a frame is buffered whole before decoding, so one client may pin this much memory. */
export const MAX_MAX_FRAME = 16 * 1024 * 1024;

export interface KeyDef {
  section: SectionKind;
  key: string;
  /** Short type name for the docs table. */
  type: string;
  /** What is accepted, as printed in errors: `accepted: <this>`. */
  accepted: string;
  /** The default, as documented; undefined = no default (required where the doc says so, else unset). */
  default?: string;
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

const DURATION_ACCEPTED = 'a duration: 300s, 5m, 2h, 1500ms, or a bare integer of seconds';
const POSITIVE = (what: string) => `an integer ≥ 1 (${what})`;

export const CONFIG_KEYS: readonly KeyDef[] = [
  // ── [interface.<name>] ── one section per listening interface (OP-01)
  {
    section: 'interface', key: 'kind', type: 'enum', accepted: 'cs | card | print | sms',
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
    section: 'interface', key: 'host', type: 'address', accepted: 'an IPv4/IPv6 address or a host name', default: '127.0.0.1',
    doc: 'Address to listen on. 0.0.0.0 or :: listens on every address; then restrict clients with allow.',
    parse: parseHost, example: '127.0.0.1',
  },
  {
    section: 'interface', key: 'port', type: 'port', accepted: 'an integer 1–65535',
    default: 'by kind: cs 9921, card 7995, print 9923, sms 9925',
    doc: 'TCP port. Two enabled interfaces may not share a host:port (a wildcard host overlaps every address).',
    parse: parsePort,
  },
  {
    section: 'interface', key: 'max_frame', type: 'size', accepted: `bytes ${MIN_MAX_FRAME}–${MAX_MAX_FRAME} (16 MiB), a bare integer or with a KiB/MiB suffix`,
    default: '65536',
    doc: 'Largest accepted value of the frame length field. A longer frame is answered 1008 and the connection closed without reading the rest.',
    parse: (raw) => parseSize(raw, MIN_MAX_FRAME, MAX_MAX_FRAME), sample: '64KiB',
  },
  {
    section: 'interface', key: 'max_connections', type: 'integer', accepted: POSITIVE('at most 1000000'), default: '256',
    doc: 'Open connections on this interface. The next client gets 9003 (too many connections) and is closed; each refusal is counted and logged (OP-05).',
    parse: (raw) => parseInteger(raw, 1, 1_000_000), sample: '256',
  },
  {
    section: 'interface', key: 'idle_timeout', type: 'duration', accepted: DURATION_ACCEPTED, default: '300s',
    doc: 'Close a connection that sent nothing for this long.',
    parse: (raw) => parseDuration(raw, 1), sample: '5m',
  },
  {
    section: 'interface', key: 'frame_timeout', type: 'duration', accepted: DURATION_ACCEPTED, default: '10s',
    doc: 'Once the first byte of a frame arrived, the whole frame must arrive within this; a slow sender is closed.',
    parse: (raw) => parseDuration(raw, 1), sample: '10s',
  },
  {
    section: 'interface', key: 'drain_timeout', type: 'duration', accepted: DURATION_ACCEPTED, default: '30s',
    doc: 'A connection whose client stops reading answers is closed after this.',
    parse: (raw) => parseDuration(raw, 1), sample: '30s',
  },
  {
    section: 'interface', key: 'request_timeout', type: 'duration', accepted: DURATION_ACCEPTED, default: '15s',
    doc: 'A request not answered within this is answered 9002 (timeout). Read-only functions may simply be retried; write functions are idempotent by serial, so a retry replays the real outcome.',
    parse: (raw) => parseDuration(raw, 1), sample: '15s',
  },
  {
    section: 'interface', key: 'max_pipeline', type: 'integer', accepted: POSITIVE('at most 65536'), default: '64',
    doc: 'Requests read ahead of their answers on one connection before reading pauses.',
    parse: (raw) => parseInteger(raw, 1, 65536), sample: '64',
  },
  {
    section: 'interface', key: 'allow', type: 'address list',
    accepted: 'comma-separated IPv4/IPv6 addresses and CIDR blocks, e.g. 10.1.0.0/16, 192.168.3.7, ::1',
    default: 'empty = any address',
    doc: 'Clients allowed to connect; others are closed at once and logged in err.MMDD.',
    parse: parseAllowList, sample: '127.0.0.1, 10.0.0.0/8, ::1',
  },
  {
    section: 'interface', key: 'serves', type: 'business code list', accepted: 'comma-separated business codes of protocol/SPEC.md section 6 (e.g. 101 = CS-01 connection check), each implemented in this version',
    default: 'every business function whose default interfaces include this kind',
    doc: 'Restrict or extend the business types served here; a request for another type is answered 1004.',
    parse: parseBizList, sample: '101',
  },

  // ── [database] ──
  {
    section: 'database', key: 'type', type: 'enum', accepted: 'sqlite | postgres | oracle', default: 'sqlite',
    doc: 'Back end: sqlite (embedded, one host), postgres (PostgreSQL or openGauss/GaussDB), oracle (the legacy production database, Thin mode).',
    parse: (raw) => parseEnum(raw, DATABASE_TYPES), example: 'sqlite',
  },
  {
    section: 'database', key: 'path', type: 'path', accepted: 'a file path', default: DEFAULT_SQLITE_PATH, types: ['sqlite'], path: true,
    doc: 'sqlite: database file; relative to the directory of this INI file. Created, with the schema, when missing.',
    parse: parseNonEmpty, example: DEFAULT_SQLITE_PATH,
  },
  {
    section: 'database', key: 'url', type: 'URL', accepted: 'postgres://user@host:port/database or postgresql://…', types: ['postgres'],
    env: ENV_DB_URL, secret: true,
    doc: `postgres: connection URL (required). ${ENV_DB_URL}, when set and non-empty, wins over the file, so the password need not be written here.`,
    parse: parsePgUrl, sample: 'postgres://bssgate@127.0.0.1:5432/bss',
  },
  {
    section: 'database', key: 'user', type: 'string', accepted: 'a user name', types: ['oracle'],
    doc: 'oracle: user (required).',
    parse: parseNonEmpty, sample: 'BSS',
  },
  {
    section: 'database', key: 'password', type: 'secret', accepted: 'a password (quote it if it contains ; or #)', types: ['oracle', 'postgres'],
    env: ENV_DB_PASSWORD, secret: true,
    doc: `oracle: password (required); postgres: used when the URL carries none. ${ENV_DB_PASSWORD}, when set and non-empty, wins over the file; prefer it.`,
    parse: parseNonEmpty, sample: '"change-me"',
  },
  {
    section: 'database', key: 'connect_string', type: 'string', accepted: 'host:port/service_name (Easy Connect)', types: ['oracle'],
    doc: 'oracle: Easy Connect string (required), e.g. 10.1.2.3:1521/BSSDB.',
    parse: parseNonEmpty, sample: '127.0.0.1:1521/BSSDB',
  },
  {
    section: 'database', key: 'pool_max', type: 'integer', accepted: POSITIVE('at most 1000'), default: '8', types: ['postgres', 'oracle'],
    doc: 'postgres/oracle: connections in the pool.',
    parse: (raw) => parseInteger(raw, 1, 1000), sample: '8',
  },
  {
    section: 'database', key: 'password_storage', type: 'enum', accepted: 'plain | scrypt', default: 'scrypt',
    doc: 'How subscribers\' service passwords are stored: scrypt (salted hash) or plain (the legacy schema\'s clear text, for running on an existing database).',
    parse: (raw) => parseEnum(raw, ['plain', 'scrypt'] as const), example: 'scrypt',
  },
  {
    section: 'database', key: 'demo_subscribers', type: 'integer', accepted: 'an integer 0–10000000', default: '0',
    doc: 'When the database is empty, create the schema and this many generated demo subscribers (0 = never). `npm start` uses this file with 10000.',
    parse: (raw) => parseInteger(raw, 0, 10_000_000), example: '10000',
  },
  {
    section: 'database', key: 'demo_seed', type: 'integer', accepted: 'an integer 0–4294967295', default: '1',
    doc: 'Seed of the demo generator; the same seed gives the same subscribers.',
    parse: (raw) => parseInteger(raw, 0, 4_294_967_295), example: '1',
  },

  // ── [log] ── (OP-02, OP-03; docs/logs.md)
  {
    section: 'log', key: 'dir', type: 'path', accepted: 'a directory path', default: 'logs', path: true,
    doc: 'Log directory, relative to the directory of this INI file: <dir>/<interface>/query.MMDD etc., <dir>/<interface>/bak/ for compressed earlier days, <dir>/warn.log.',
    parse: parseNonEmpty, example: 'logs',
  },
  {
    section: 'log', key: 'level', type: 'enum', accepted: LOG_LEVELS.join(' | '), default: 'info',
    doc: 'Level of warn.log (warnings and lifecycle). The request, answer and error families always log.',
    parse: (raw) => parseEnum(raw, LOG_LEVELS), example: 'info',
  },
  {
    section: 'log', key: 'retention_days', type: 'integer', accepted: POSITIVE('at most 3650'), default: '30',
    doc: 'Compressed logs in bak/ older than this many days are deleted.',
    parse: (raw) => parseInteger(raw, 1, 3650), example: '30',
  },
  {
    section: 'log', key: 'requests', type: 'boolean', accepted: 'true | false (also yes/no, on/off, 1/0)', default: 'true',
    doc: 'Write the request and answer families (query.MMDD, ans.MMDD). err.MMDD, suc_query.MMDD and warn.log are always written.',
    parse: parseBoolean, example: 'true',
  },
  {
    section: 'log', key: 'stderr', type: 'boolean', accepted: 'true | false (also yes/no, on/off, 1/0)', default: 'only when stderr is a terminal',
    doc: 'Also copy warn.log lines to stderr (e.g. true under systemd, whose journal captures stderr).',
    parse: parseBoolean, sample: 'false',
  },

  // ── [server] ──
  {
    section: 'server', key: 'shutdown_grace', type: 'duration', accepted: 'a duration: 10s, 1m, 500ms, or a bare integer of seconds (0 = do not wait)',
    default: '10s',
    doc: 'On SIGTERM, stop accepting, then give in-flight requests this long before closing connections.',
    parse: (raw) => parseDuration(raw, 0), example: '10s',
  },
];

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

export const SECTION_KINDS: readonly SectionKind[] = ['interface', 'database', 'log', 'server'];

const BY_SECTION = new Map<SectionKind, Map<string, KeyDef>>();
for (const s of SECTION_KINDS) BY_SECTION.set(s, new Map());
for (const k of CONFIG_KEYS) BY_SECTION.get(k.section)!.set(k.key, k);

/** The keys of one section kind, by name. */
export function keysOf(section: SectionKind): ReadonlyMap<string, KeyDef> {
  return BY_SECTION.get(section)!;
}
