// Legacy-style INI files → the validated Config (OP-01). Every key is looked up in the one table
// (src/config/keys.ts); anything unknown, malformed, out of range or contradictory throws a
// ConfigError naming the file, the section, the key and what is accepted. Nothing is clamped.
// Values and defaults land in Config generically (sectionValues: each row's `field` and typed
// default); the builders below hold only what relates keys to each other.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import ini from 'ini';
import { ConfigError } from './types.js';
import type { AdminConfig, CardConfig, ClientConfig, Config, DatabaseConfig, InterfaceConfig, KeySource, PortOffset, ScannerConfig, SwitchConfig } from './types.js';
import { DEFAULT_PORTS, DEFAULT_REPORT_DIR, ENV_DB_PASSWORD, ENV_DB_URL, ENV_PORT_OFFSET, INTERFACE_KINDS, SECTION_KINDS, keysOf, typedDefault } from './keys.js';
import type { KeyDef, LoadedValues, SectionKind } from './keys.js';
import { ValueProblem, didYouMean } from './values.js';
import { conflictingAddresses, coversInterface } from './clients.js';
import { loadFramingProfile } from '../../protocol/framing/packet.js';
import { ProfileError } from '../../protocol/framing/profile.js';
import { loadCheckKeys } from './check-keys.js';

// The loader is the only place the environment is read: ENV_DB_URL and ENV_DB_PASSWORD, set and
// non-empty, win over the files. openStore takes the DatabaseConfig built here as given.
export { ENV_DB_PASSWORD, ENV_DB_URL, ENV_PORT_OFFSET } from './keys.js';

export interface LoadOptions {
  /**
   * A client of the listeners (`call -c`, `status -c`) needs their addresses only: [database] keys
   * that only opening the database needs (postgres url, oracle user/password/connect_string) are
   * not demanded. Everything else is checked as for `serve`.
   */
  addressesOnly?: boolean;
  /** `--port-offset N` of the command line: wins over BSSGATE_PORT_OFFSET. */
  portOffset?: string;
}

/** The largest shift: one port to the other end of the range. */
const MAX_PORT_OFFSET = 65534;

/** BSSGATE_PORT_OFFSET / --port-offset: a signed integer; 0 or unset: no shift. */
export function parsePortOffset(raw: string, source: string): PortOffset | undefined {
  const text = raw.trim();
  if (!/^[+-]?\d{1,5}$/.test(text) || Math.abs(Number(text)) > MAX_PORT_OFFSET) {
    throw new ConfigError(source, '', '', `"${raw}" is not a port offset; accepted: an integer -${MAX_PORT_OFFSET}…${MAX_PORT_OFFSET} added to every port bssgate listens on (e.g. 1000: 9921 → 10921)`);
  }
  const value = Number(text);
  return value === 0 ? undefined : { value, source };
}

/** A listening port moved by the offset; refused (naming file, section and the offset's source) when it leaves 1–65535. */
function shiftPort(file: string, section: string, port: number, offset: PortOffset | undefined): { port: number; portShift?: string } {
  if (offset === undefined) return { port };
  const shifted = port + offset.value;
  const how = `${port} ${offset.value < 0 ? '-' : '+'} ${offset.source} ${Math.abs(offset.value)}`;
  if (shifted < 1 || shifted > 65535) {
    throw new ConfigError(file, section, 'port', `${how} = ${shifted} is not a port; accepted: every shifted port within 1–65535 (a smaller ${offset.source})`);
  }
  return { port: shifted, portShift: how };
}

const shiftNote = (x: { portShift?: string }): string => (x.portShift ? ` (${x.portShift})` : '');

/** Interface names become log directory names and log bindings: keep them path-safe. */
const INTERFACE_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;

interface SetValue {
  value: unknown;
  file: string;
}

interface ParsedInterface {
  name: string;
  file: string;
  values: Map<string, unknown>;
}

/**
 * Load and merge one or more INI files. Interfaces come from all files; [database], [log] and
 * [server] may be in one file or repeated, but a key set in two files must have the same value.
 */
export function loadConfig(files: string[], env: NodeJS.ProcessEnv = process.env, options: LoadOptions = {}): Config {
  if (files.length === 0) throw new ConfigError('(no file)', '', '', 'no configuration file given; e.g. bssgate serve -c h.ini');
  const portOffset =
    options.portOffset !== undefined
      ? parsePortOffset(options.portOffset, '--port-offset')
      : nonEmptyEnv(env, ENV_PORT_OFFSET) !== undefined
        ? parsePortOffset(nonEmptyEnv(env, ENV_PORT_OFFSET)!, ENV_PORT_OFFSET)
        : undefined;
  const interfaces: ParsedInterface[] = [];
  const switches: ParsedInterface[] = [];
  const clients: ParsedInterface[] = [];
  const shared: Record<Exclude<SectionKind, 'interface' | 'switch' | 'client'>, Map<string, SetValue>> = {
    database: new Map(),
    log: new Map(),
    server: new Map(),
    admin: new Map(),
    scanner: new Map(),
    card: new Map(),
  };
  // Defaults that are paths resolve against the first file's directory.
  const baseDir = dirname(resolve(files[0]));

  for (const file of files) {
    // ini.parse reads the scanner's normalised text (section headers rewritten to a bare
    // `[name]`), so both agree on where every section starts; checkTopLevel (below) then
    // refuses anything the INI reader still put outside a section instead of ignoring it.
    const { headers, text } = scanStructure(file, readConfigFile(file));
    const parsed = ini.parse(text) as Record<string, unknown>;

    for (const header of headers) {
      const section = classifySection(file, header);
      const raw = sectionObject(parsed, header);
      if (section.kind === 'interface') {
        const prev = interfaces.find((i) => i.name === section.name);
        if (prev) {
          throw new ConfigError(file, header, '', `interface "${section.name}" is also defined in ${prev.file}; define each interface once`);
        }
        interfaces.push({ name: section.name, file, values: parseSection(file, header, 'interface', raw) });
      } else if (section.kind === 'switch') {
        const prev = switches.find((i) => i.name === section.name);
        if (prev) throw new ConfigError(file, header, '', `switch "${section.name}" is also defined in ${prev.file}; define each switch once`);
        switches.push({ name: section.name, file, values: parseSection(file, header, 'switch', raw) });
      } else if (section.kind === 'client') {
        const prev = clients.find((i) => i.name === section.name);
        if (prev) throw new ConfigError(file, header, '', `client "${section.name}" is also defined in ${prev.file}; define each client once`);
        clients.push({ name: section.name, file, values: parseSection(file, header, 'client', raw) });
      } else {
        const values = parseSection(file, header, section.kind, raw);
        const into = shared[section.kind];
        for (const [key, value] of values) {
          const prev = into.get(key);
          if (prev && !isDeepStrictEqual(prev.value, value)) {
            const def = keysOf(section.kind).get(key)!;
            const shown = def.secret ? 'a different value' : `${JSON.stringify(value)}, which differs from ${JSON.stringify(prev.value)}`;
            throw new ConfigError(file, header, key, `is ${shown} in ${prev.file}; a key repeated across files must have the same value`);
          }
          if (!prev) into.set(key, { value, file });
        }
      }
    }
    // After the sections, so that a malformed header gets classifySection's clearer message.
    checkTopLevel(file, parsed, headers);
  }

  const label = files.join(', ');
  if (interfaces.length === 0) {
    throw new ConfigError(label, '', '', 'no interfaces: define at least one [interface.<name>] section, e.g. [interface.cs]');
  }
  const built = interfaces.map((p) => buildInterface(p, baseDir, portOffset)).filter((i): i is InterfaceConfig & { file: string } => i !== undefined);
  if (built.length === 0) throw new ConfigError(label, '', '', 'no enabled interfaces: every [interface.*] section has enabled = false');
  checkPortConflicts(built);
  const admin = buildAdmin(shared.admin, files[0], baseDir, portOffset);
  checkAdminPort(admin, built);
  const scan = buildScanner(shared.scanner, switches, files[0], baseDir, portOffset);
  checkSimulatorPorts(scan.switches, admin, built);

  const builtClients = buildClients(clients, interfaces, baseDir);
  // Only the addresses are wanted (bssgate call, status): the key files, readable by the service user alone, are not read.
  for (const i of options.addressesOnly === true ? [] : built) {
    if (i.framing?.check) {
      i.checkKeys = loadCheckKeys({ file: i.file, section: `interface.${i.name}`, keysFile: i.checkKeysFile }, i.framing, builtClients.filter((c) => coversInterface(c, i.name)), env);
    } else if (i.checkKeysFile !== undefined) {
      throw new ConfigError(i.file, `interface.${i.name}`, 'check_keys', `the interface's framing (${i.framing ? `profile ${i.framing.name}` : 'v1'}) declares no check code; remove check_keys`);
    }
  }

  return {
    files: [...files],
    interfaces: built,
    database: buildDatabase(shared.database, env, baseDir, files[0], options.addressesOnly === true),
    log: { ...sectionValues('log', getter(shared.log), baseDir), dirSource: sourceOf(shared.log, 'dir', files[0]) },
    // [server] lands in Config itself.
    ...sectionValues('server', getter(shared.server), baseDir),
    clients: builtClients,
    admin,
    ...scan,
    card: buildCard(shared.card, baseDir, files[0]),
    ...(portOffset ? { portOffset } : {}),
  };
}

/** A shared section's parsed values by key. */
function getter(set: ReadonlyMap<string, SetValue>): (key: string) => unknown {
  return (key) => set.get(key)?.value;
}

/**
 * One section's object, generically from the key table: each row's value lands at its `field`;
 * an unset key gets its typed default (a path resolved against the first file's directory, as
 * docs/config.md says), an unset `required` one is an error naming file and section (`where`:
 * sections that have such keys), an `optional` or `computed` one stays unset (the builder
 * computes the latter).
 */
function sectionValues<S extends SectionKind>(kind: S, get: (key: string) => unknown, baseDir: string, where?: { file: string; header: string }): LoadedValues<S> {
  const out: Record<string, unknown> = {};
  for (const def of keysOf(kind).values()) {
    if (def.field === undefined) continue;
    let v = get(def.key);
    if (v === undefined) {
      if (def.required !== undefined) throw new ConfigError(where?.file ?? '', where?.header ?? kind, def.key, `missing; ${def.required}`);
      v = typedDefault(def);
      if (v !== undefined && def.path) v = resolve(baseDir, v as string);
      else if (Array.isArray(v)) v = [...(v as unknown[])];
    }
    if (v !== undefined) out[def.field] = v;
  }
  return out as LoadedValues<S>;
}

function readConfigFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ConfigError(file, '', '', 'file not found');
    if (code === 'EACCES' || code === 'EPERM') throw new ConfigError(file, '', '', 'cannot be read: permission denied');
    if (code === 'EISDIR') throw new ConfigError(file, '', '', 'is a directory, not an INI file');
    throw new ConfigError(file, '', '', `cannot be read: ${(err as Error).message}`);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // BOM left by Windows editors
  return text;
}

/**
 * Values the `ini` package would silently change (docs/config.md: a value is never silently changed):
 * a ; or # glued to an unquoted value (`abc#def`) starts a comment and cuts it — after a space it
 * is the legacy files' ordinary end-of-line comment; "double quotes" are decoded as a JSON string,
 * so a backslash is an escape; text after the closing quote keeps the quotes in the value.
 */
export function quotingProblem(raw: string): string | undefined {
  const q = raw[0];
  if (q !== '"' && q !== "'") {
    if (/[^\s][;#]/.test(raw.split(/\s[;#]/)[0])) {
      return 'a ; or # inside an unquoted value starts a comment and would cut the value; put the value in "double quotes"';
    }
    return undefined;
  }
  if (raw.length < 2 || raw.indexOf(q, 1) !== raw.length - 1) {
    return `a quoted value must end with its closing ${q} and nothing after it (no comment on the same line, no ${q} inside)`;
  }
  if (q === '"' && raw.includes('\\')) return 'a backslash inside "double quotes" is read as an escape; write the value in \'single quotes\' or without quotes';
  return undefined;
}

/**
 * A line scan beside `ini.parse`, which silently merges a repeated section and keeps the last
 * of a repeated key: both are usually copy-paste mistakes, so both are errors here. Also
 * rejects keys before the first section and empty files. Returns the section headers in order
 * and the text for `ini.parse`, in which every header line is rewritten to a bare `[name]`:
 * `ini` only recognises a header that starts the line and ends at `]`, so an indented header
 * or one followed by a comment (`[database] ; prod db`) was a header here but a junk key there,
 * and the section's keys silently landed in the previous section or at the top level.
 */
function scanStructure(file: string, text: string): { headers: string[]; text: string } {
  const headers: string[] = [];
  const lines: string[] = [];
  let current: string | undefined;
  let keys = new Set<string>();
  // Split exactly as `ini` does (a lone CR is a line break too), so the lines seen here are
  // the lines it parses.
  for (const line of text.split(/[\r\n]+/)) {
    lines.push(line);
    const t = line.trim();
    if (t === '' || t.startsWith(';') || t.startsWith('#')) continue;
    // `[^\]]*` as in `ini`: in "[log] ; see [x]" the name is "log", not "log] ; see [x".
    const h = /^\[([^\]]*)\]\s*([;#].*)?$/.exec(t);
    if (h) {
      const name = h[1].trim();
      if (headers.includes(name)) throw new ConfigError(file, name, '', 'section appears twice in this file; merge the two');
      headers.push(name);
      current = name;
      keys = new Set();
      lines[lines.length - 1] = `[${name}]`; // the header as `ini` recognises it
      continue;
    }
    const eq = t.indexOf('=');
    const key = (eq < 0 ? t : t.slice(0, eq)).trim();
    if (current === undefined) {
      throw new ConfigError(file, '(top of file)', key, 'key outside any section; put it under [interface.<name>], [database], [log] or [server]');
    }
    if (eq < 0) throw new ConfigError(file, current, key, 'has no "="; write key = value');
    // `ini` skips a line that starts with "=" altogether: refuse it rather than lose the value
    // (the line is not echoed: it may be a password).
    if (key === '') throw new ConfigError(file, current, '', 'a line has no key before "="; write key = value');
    if (keys.has(key)) throw new ConfigError(file, current, key, 'is set twice in this section');
    keys.add(key);
    const problem = quotingProblem(t.slice(eq + 1).trim());
    // The value is not echoed: it may be a password.
    if (problem) throw new ConfigError(file, current, key, problem);
  }
  if (headers.length === 0) throw new ConfigError(file, '', '', 'is empty: no sections; see h.ini.example');
  return { headers, text: lines.join('\n') };
}

/**
 * Whatever `ini` put at the top level must be a section object for one of the scanned headers
 * (`[interface.cs]` is parsed.interface.cs). A plain value there is a key no section owns, which
 * nothing would read: refuse it, never ignore it. Guards against any other disagreement between
 * scanStructure and `ini` about where a section starts. Exported for tests only: with the
 * normalised text no known input reaches it through loadConfig.
 */
export function checkTopLevel(file: string, parsed: Record<string, unknown>, headers: readonly string[]): void {
  const roots = new Set(headers.map((h) => h.split('.')[0]));
  for (const [key, value] of Object.entries(parsed)) {
    const isSection = value !== null && typeof value === 'object' && !Array.isArray(value);
    if (isSection && roots.has(key)) continue;
    throw new ConfigError(
      file, '(top of file)', key,
      isSection
        ? 'is a section the INI reader found but the section scan did not; write each header alone on its line as [name]'
        : 'ended up outside any section, where it would be ignored; put it under [interface.<name>], [database], [log] or [server]',
    );
  }
}

type SectionId = { kind: 'interface' | 'switch' | 'client'; name: string } | { kind: Exclude<SectionKind, 'interface' | 'switch' | 'client'> };

function classifySection(file: string, header: string): SectionId {
  if (header === 'database' || header === 'log' || header === 'server' || header === 'admin' || header === 'scanner' || header === 'card') return { kind: header };
  if (header.startsWith('switch.')) {
    const name = header.slice('switch.'.length);
    if (!INTERFACE_NAME.test(name)) {
      throw new ConfigError(file, header, '', `"${name}" is not a switch name; accepted: 1–32 of a-z 0-9 _ -, starting with a letter or digit`);
    }
    return { kind: 'switch', name };
  }
  if (header === 'switch') throw new ConfigError(file, header, '', 'a switch section needs a name, e.g. [switch.xining-hlr]');
  if (header.startsWith('client.')) {
    const name = header.slice('client.'.length);
    if (!INTERFACE_NAME.test(name)) {
      throw new ConfigError(file, header, '', `"${name}" is not a client section name; accepted: 1–32 of a-z 0-9 _ -, starting with a letter or digit`);
    }
    return { kind: 'client', name };
  }
  if (header === 'client') throw new ConfigError(file, header, '', 'a client section needs an id, e.g. [client.cardsys]');
  if (header.startsWith('interface.')) {
    const name = header.slice('interface.'.length);
    if (!INTERFACE_NAME.test(name)) {
      throw new ConfigError(file, header, '', `"${name}" is not an interface name; accepted: 1–32 of a-z 0-9 _ -, starting with a letter or digit`);
    }
    return { kind: 'interface', name };
  }
  if (header === 'interface') {
    throw new ConfigError(file, header, '', 'an interface section needs a name; accepted: [interface.cs], [interface.card], [interface.print], [interface.sms] or [interface.<name>] with kind');
  }
  const candidates = [...SECTION_KINDS.filter((s) => s !== 'interface'), ...INTERFACE_KINDS.map((k) => `interface.${k}`)];
  // "[interfaces.cs]" or "[interace.card]": suggest with the same name after the dot.
  const dot = header.indexOf('.');
  if (dot > 0 && didYouMean(header.slice(0, dot), ['interface'])) candidates.push(`interface.${header.slice(dot + 1)}`);
  const near = didYouMean(header, candidates);
  throw new ConfigError(file, header, '', `unknown section${near ? ` (did you mean [${near}]?)` : ''}; accepted: [interface.<name>], [database], [log], [server], [admin], [scanner], [switch.<name>], [card], [client.<id>]`);
}

/** The object `ini` built for a header; `[interface.cs]` becomes parsed.interface.cs. */
function sectionObject(parsed: Record<string, unknown>, header: string): Record<string, unknown> {
  let o: unknown = parsed;
  for (const part of header.split('.')) o = (o as Record<string, unknown> | undefined)?.[part];
  return (o ?? {}) as Record<string, unknown>;
}

function parseSection(file: string, header: string, kind: SectionKind, raw: Record<string, unknown>): Map<string, unknown> {
  const table = keysOf(kind);
  const out = new Map<string, unknown>();
  for (const [key, rawValue] of Object.entries(raw)) {
    // A nested object is a sub-section ([interface.cs.x]); classifySection already refused it.
    if (rawValue !== null && typeof rawValue === 'object' && !Array.isArray(rawValue)) continue;
    const def = table.get(key);
    if (!def) {
      const near = didYouMean(key, table.keys());
      throw new ConfigError(file, header, key, `unknown key${near ? ` (did you mean ${near}?)` : ''}; accepted here: ${[...table.keys()].join(', ')}`);
    }
    if (Array.isArray(rawValue)) throw new ConfigError(file, header, key, `is a list (key[] syntax); accepted: ${def.accepted}`);
    // No trim: `ini` already trimmed unquoted values, so only a quoted value can carry
    // surrounding spaces here, and those are part of the value as the operator quoted it
    // (password = "  s3cret  " is a ten-character password).
    const text = rawValue === null ? 'null' : String(rawValue);
    out.set(key, parseValue(file, header, def, text));
  }
  return out;
}

function parseValue(file: string, header: string, def: KeyDef, text: string): unknown {
  try {
    const v = def.parse(text);
    return def.path ? resolve(dirname(resolve(file)), v as string) : v;
  } catch (err) {
    if (!(err instanceof ValueProblem)) throw err;
    const shown = def.secret ? 'the value (not shown)' : `"${text}"`;
    const problem = text === '' ? 'is empty' : err.message;
    throw new ConfigError(file, header, def.key, `${shown} ${problem}; accepted: ${def.accepted}`);
  }
}

function buildInterface(p: ParsedInterface, baseDir: string, offset: PortOffset | undefined): (InterfaceConfig & { file: string }) | undefined {
  const v = p.values;
  let kind = v.get('kind') as InterfaceConfig['kind'] | undefined;
  if (kind === undefined) {
    if (!(INTERFACE_KINDS as readonly string[]).includes(p.name)) {
      throw new ConfigError(p.file, `interface.${p.name}`, 'kind', `missing; accepted: ${INTERFACE_KINDS.join(' | ')} (required because "${p.name}" is not one of them)`);
    }
    kind = p.name as InterfaceConfig['kind'];
  }
  if (v.get('enabled') === false) return undefined;
  const values = sectionValues('interface', (key) => v.get(key), baseDir);
  const cfg: InterfaceConfig & { file: string } = {
    file: p.file, name: p.name, ...values, kind,
    ...shiftPort(p.file, `interface.${p.name}`, values.port ?? DEFAULT_PORTS[kind], offset),
  };
  if (values.framingFile !== undefined && values.framingFile !== 'v1') {
    const profileFile = resolve(dirname(resolve(p.file)), values.framingFile);
    try {
      cfg.framing = loadFramingProfile(profileFile);
    } catch (err) {
      if (err instanceof ProfileError) throw new ConfigError(p.file, `interface.${p.name}`, 'framing', `profile ${err.path === '$' ? err.file : `${err.file} ${err.path}`}: ${err.problem}`);
      throw err;
    }
  }
  return cfg;
}

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '::0', '0:0:0:0:0:0:0:0']);

function checkPortConflicts(list: readonly (InterfaceConfig & { file: string })[]): void {
  for (let i = 0; i < list.length; i++) {
    for (let j = 0; j < i; j++) {
      const a = list[j];
      const b = list[i];
      if (a.port !== b.port) continue;
      // A wildcard bind takes the port on every address, so it collides with any host.
      if (a.host === b.host || WILDCARD_HOSTS.has(a.host) || WILDCARD_HOSTS.has(b.host)) {
        throw new ConfigError(
          b.file, `interface.${b.name}`, 'port',
          `${b.host}:${b.port}${shiftNote(b)} conflicts with [interface.${a.name}] ${a.host}:${a.port}${shiftNote(a)} in ${a.file}; accepted: a port no other enabled interface uses on that address`,
        );
      }
    }
  }
}

function nonEmptyEnv(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v === '' ? undefined : v;
}

function buildDatabase(set: Map<string, SetValue>, env: NodeJS.ProcessEnv, baseDir: string, firstFile: string, addressesOnly: boolean): DatabaseConfig {
  const fileOf = (key: string): string => set.get(key)?.file ?? set.get('type')?.file ?? firstFile;
  const db: DatabaseConfig = sectionValues('database', getter(set), baseDir);
  const type = db.type;
  // A key that does not apply to the chosen type is an error, not silently ignored.
  for (const [key, { file }] of set) {
    const def = keysOf('database').get(key)!;
    if (def.types && !def.types.includes(type)) {
      throw new ConfigError(file, 'database', key, `applies only to type = ${def.types.join(' or ')}, but type is ${type}`);
    }
  }
  // The path's default applies to sqlite alone (a key of another type was refused above).
  if (type !== 'sqlite') delete db.path;
  else db.pathSource = sourceOf(set, 'path', firstFile);
  if (type === 'postgres') {
    const url = nonEmptyEnv(env, ENV_DB_URL) ?? db.url;
    if (url === undefined) {
      if (addressesOnly) return db;
      throw new ConfigError(fileOf('url'), 'database', 'url', `missing; type = postgres needs url = postgres://user@host:port/database, or the environment variable ${ENV_DB_URL}`);
    }
    if (nonEmptyEnv(env, ENV_DB_URL) !== undefined) {
      try {
        keysOf('database').get('url')!.parse(url);
      } catch (err) {
        if (err instanceof ValueProblem) throw new ConfigError(ENV_DB_URL, 'environment', ENV_DB_URL, `the value (not shown) ${err.message}; accepted: postgres://user@host:port/database`);
        throw err;
      }
    }
    db.url = url;
    const password = nonEmptyEnv(env, ENV_DB_PASSWORD) ?? db.password;
    if (password !== undefined) db.password = password;
  } else if (type === 'oracle') {
    const password = nonEmptyEnv(env, ENV_DB_PASSWORD) ?? db.password;
    if (addressesOnly) return db;
    if (db.connectString === undefined) {
      throw new ConfigError(fileOf('connect_string'), 'database', 'connect_string', 'missing; type = oracle needs connect_string = host:port/service_name');
    }
    if (db.user === undefined) throw new ConfigError(fileOf('user'), 'database', 'user', 'missing; type = oracle needs user');
    if (password === undefined) {
      throw new ConfigError(fileOf('password'), 'database', 'password', `missing; type = oracle needs password, or the environment variable ${ENV_DB_PASSWORD}`);
    }
    db.password = password;
  }
  return db;
}

/** Where a key got its value: the file that set it, else (its default) the first file. */
function sourceOf(set: Map<string, SetValue>, key: string, firstFile: string): KeySource {
  const v = set.get(key);
  return v ? { file: v.file, isDefault: false } : { file: firstFile, isDefault: true };
}

/** PC-03…PC-08: [card]; every key optional. */
function buildCard(set: Map<string, SetValue>, baseDir: string, firstFile: string): CardConfig {
  const values = sectionValues('card', getter(set), baseDir);
  const card: CardConfig = { ...values, reportDir: values.reportDir ?? resolve(values.reconcileDir ?? baseDir, DEFAULT_REPORT_DIR) };
  // report_dir's default lies below reconcile_dir when that is set: its file is the one to name.
  card.reportDirSource = set.has('report_dir') ? sourceOf(set, 'report_dir', firstFile) : sourceOf(set, 'reconcile_dir', firstFile);
  if (card.reconcileDir !== undefined) card.reconcileDirSource = sourceOf(set, 'reconcile_dir', firstFile);
  if (card.maxAmount < card.minAmount) {
    throw new ConfigError(set.get('max_amount')?.file ?? set.get('min_amount')?.file ?? firstFile, 'card', 'max_amount', `is ${card.maxAmount}, below min_amount ${card.minAmount}; accepted: an amount not below min_amount`);
  }
  return card;
}

/** OP-04: [admin]; off unless enabled = true. */
function buildAdmin(set: Map<string, SetValue>, firstFile: string, baseDir: string, offset: PortOffset | undefined): AdminConfig {
  // The file of the key a clash is about (port, then host), not of `enabled`.
  const file = set.get('port')?.file ?? set.get('host')?.file ?? set.get('enabled')?.file ?? firstFile;
  const values = sectionValues('admin', getter(set), baseDir);
  // A listener that is off takes no port: its port is not shifted (nor refused for the shift).
  return { ...values, file, ...(values.enabled ? shiftPort(file, 'admin', values.port, offset) : {}) };
}

/** The admin listener never shares a business port (same rule as between interfaces). */
function checkAdminPort(admin: AdminConfig, list: readonly (InterfaceConfig & { file: string })[]): void {
  if (!admin.enabled) return;
  for (const i of list) {
    if (i.port !== admin.port) continue;
    if (i.host === admin.host || WILDCARD_HOSTS.has(i.host) || WILDCARD_HOSTS.has(admin.host)) {
      throw new ConfigError(
        admin.file ?? i.file, 'admin', 'port',
        `${admin.host}:${admin.port}${shiftNote(admin)} is the port of [interface.${i.name}] ${i.host}:${i.port}${shiftNote(i)} in ${i.file}; accepted: a port no enabled interface uses on that address (the admin listener is never on a business port)`,
      );
    }
  }
}

/** A simulated socket switch listens on 127.0.0.1 in this process: never on the port of an interface or of [admin]. */
function checkSimulatorPorts(switches: readonly SwitchConfig[], admin: AdminConfig, list: readonly (InterfaceConfig & { file: string })[]): void {
  const local = (h: string) => WILDCARD_HOSTS.has(h) || h === '127.0.0.1' || h === 'localhost' || h === '::1';
  for (const sw of switches) {
    if (!sw.simulator || sw.kind !== 'socket' || sw.port === undefined) continue;
    const other = [
      ...list.map((i) => ({ what: `[interface.${i.name}]`, host: i.host, port: i.port, file: i.file, portShift: i.portShift })),
      ...(admin.enabled ? [{ what: '[admin]', host: admin.host, port: admin.port, file: admin.file, portShift: admin.portShift }] : []),
    ].find((o) => o.port === sw.port && local(o.host));
    if (other) {
      throw new ConfigError(
        sw.file ?? '', `switch.${sw.name}`, 'port',
        `${sw.port}${shiftNote(sw)} is the port of ${other.what} ${other.host}:${other.port}${shiftNote(other)} in ${other.file ?? ''}; accepted: a port of its own (the simulator listens on 127.0.0.1)`,
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------
// OC-01…OC-03: [scanner] and [switch.<name>] (docs/scanner.md).

/** Keys of [switch.<name>] that only one kind takes; elsewhere they are an error. */
const SWITCH_KEYS_OF: Record<string, 'file' | 'socket'> = {
  command_dir: 'file', result_dir: 'file', result_timeout: 'file', result_poll: 'file',
  host: 'socket', port: 'socket', user: 'socket', password: 'socket', keepalive: 'socket', ack_timeout: 'socket', reconnect_min: 'socket', reconnect_max: 'socket',
};

function buildSwitch(p: ParsedInterface, baseDir: string, offset: PortOffset | undefined): SwitchConfig {
  const v = p.values;
  const header = `switch.${p.name}`;
  const need = <T>(key: string, why: string): T => {
    const x = v.get(key) as T | undefined;
    if (x === undefined) throw new ConfigError(p.file, header, key, `missing; ${why}`);
    return x;
  };
  // The kind first: which other keys belong here depends on it.
  const kind = need<SwitchConfig['kind']>('kind', keysOf('switch').get('kind')!.required!);
  for (const key of v.keys()) {
    const only = SWITCH_KEYS_OF[key];
    if (only && only !== kind) throw new ConfigError(p.file, header, key, `applies only to kind = ${only}, but kind is ${kind}`);
  }
  const sw: SwitchConfig = { name: p.name, ...sectionValues('switch', (key) => v.get(key), baseDir, { file: p.file, header }), file: p.file };
  if (kind === 'file') {
    sw.commandDir = need<string>('command_dir', 'kind = file needs the directory the command files go to');
    sw.resultDir = need<string>('result_dir', 'kind = file needs the directory the switch answers in');
    if (sw.commandDir === sw.resultDir) throw new ConfigError(p.file, header, 'result_dir', 'is the same directory as command_dir; accepted: a directory of its own');
  } else {
    sw.host = need<string>('host', 'kind = socket needs the switch\'s address');
    sw.port = need<number>('port', 'kind = socket needs the switch\'s port');
    sw.user = need<string>('user', 'kind = socket needs the login user');
    sw.password = need<string>('password', 'kind = socket needs the login password');
    if (sw.simulator && !['127.0.0.1', '::1', 'localhost'].includes(sw.host)) {
      throw new ConfigError(p.file, header, 'host', `is ${sw.host}, but simulator = true listens on this host only; accepted with a simulator: 127.0.0.1, ::1 or localhost`);
    }
    if (sw.reconnectMaxMs < sw.reconnectMinMs) throw new ConfigError(p.file, header, 'reconnect_max', 'is shorter than reconnect_min');
    // A simulator listens here: its port moves with the others. A real switch's port is the switch's own.
    if (sw.simulator) Object.assign(sw, shiftPort(p.file, header, sw.port, offset));
  }
  return sw;
}

/** Two switches may not both take one region and network type: the route must be unambiguous. */
function checkRoutes(list: readonly SwitchConfig[]): void {
  for (let i = 0; i < list.length; i++) {
    for (let j = 0; j < i; j++) {
      const a = list[j];
      const b = list[i];
      const nets = b.netTypes.filter((n) => a.netTypes.includes(n));
      if (nets.length === 0) continue;
      const regions = a.regions.includes('*') ? b.regions : b.regions.includes('*') ? a.regions : b.regions.filter((r) => a.regions.includes(r));
      if (regions.length === 0) continue;
      throw new ConfigError(
        b.file ?? '', `switch.${b.name}`, 'regions',
        `region ${regions[0]} network ${nets[0]} is also routed to [switch.${a.name}] in ${a.file ?? ''}; accepted: each region and network type routed to one switch`,
      );
    }
  }
}

function buildScanner(set: Map<string, SetValue>, parsed: readonly ParsedInterface[], firstFile: string, baseDir: string, offset: PortOffset | undefined): { scanner: ScannerConfig; switches: SwitchConfig[] } {
  const switches = parsed.map((p) => buildSwitch(p, baseDir, offset));
  checkRoutes(switches);
  const values = sectionValues('scanner', getter(set), baseDir);
  const enabled = values.enabled ?? switches.length > 0;
  if (enabled && switches.length === 0) {
    throw new ConfigError(set.get('enabled')?.file ?? firstFile, 'scanner', 'enabled', 'is true but no [switch.<name>] section is configured; add one or set enabled = false');
  }
  const scanner: ScannerConfig = { ...values, enabled };
  if (scanner.retryBackoffMaxMs < scanner.retryBackoffMs) {
    throw new ConfigError(set.get('retry_backoff_max')?.file ?? firstFile, 'scanner', 'retry_backoff_max', 'is shorter than retry_backoff');
  }
  // A lease must outlast one delivery, or every slow answer would be taken back and re-sent.
  for (const sw of switches) {
    const longest = sw.kind === 'file' ? sw.resultTimeoutMs : sw.ackTimeoutMs;
    if (scanner.leaseMs <= longest) {
      throw new ConfigError(
        set.get('lease')?.file ?? sw.file ?? firstFile, 'scanner', 'lease',
        `is ${scanner.leaseMs} ms, not longer than [switch.${sw.name}] ${sw.kind === 'file' ? 'result_timeout' : 'ack_timeout'} (${longest} ms); accepted: a lease longer than every switch's timeout`,
      );
    }
  }
  return { scanner, switches };
}

// ---------------------------------------------------------------------------------------------
// PC-06: [client.<id>] (docs/idempotency.md).

function buildClients(parsed: readonly ParsedInterface[], interfaces: readonly ParsedInterface[], baseDir: string): ClientConfig[] {
  // Every [interface.<name>] section of the files counts, enabled or not (disabling one for a while
  // does not make its client sections wrong).
  const known = interfaces.map((i) => i.name);
  const out = parsed.map((p): ClientConfig => {
    const header = `client.${p.name}`;
    const values = sectionValues('client', (key) => p.values.get(key), baseDir, { file: p.file, header });
    const unknown = values.interfaces?.find((i) => !known.includes(i));
    if (unknown !== undefined) {
      throw new ConfigError(p.file, header, 'interfaces', `"${unknown}" is not an interface of the configuration; accepted: names of [interface.<name>] sections (${known.join(', ')})`);
    }
    return { section: p.name, ...values, file: p.file };
  });
  for (let i = 0; i < out.length; i++) {
    const prev = out.slice(0, i).find((c) => c.name === out[i].name);
    if (prev) {
      throw new ConfigError(out[i].file ?? '', `client.${out[i].section}`, 'name', `"${out[i].name}" is also the name of [client.${prev.section}] in ${prev.file ?? ''}; accepted: one section per client, listing all its addresses`);
    }
  }
  const clash = conflictingAddresses(out);
  if (clash) {
    throw new ConfigError(
      clash.b.file ?? '', `client.${clash.b.section}`, 'addresses',
      `${clash.entry} is also an address of [client.${clash.a.section}] (name ${clash.a.name}) in ${clash.a.file ?? ''}, on a common interface; accepted: each address or block in one client per interface`,
    );
  }
  return out;
}
