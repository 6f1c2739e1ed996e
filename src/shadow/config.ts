// The shadow's INI file (issue 16): one [shadow.<name>] section per mirrored interface, plus
// [admin] (Prometheus metrics) and [log] (the shadow's own log level). The gateway's loader
// (src/config/load.ts) refuses sections it does not know, so this file is read here, with the
// same kind of errors: ConfigError naming the file, the section, the key and what is accepted.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import ini from 'ini';
import { ConfigError } from '../config/types.js';
import { didYouMean } from '../config/values.js';
import { businessByCode, businessById, businessByName } from '../../protocol/business-types.js';
import { CONTRACTS } from '../../handlers/contracts/index.js';
import type { FunctionContract } from '../types.js';
import { loadFramingProfile } from '../../protocol/framing/packet.js';
import { ProfileError } from '../../protocol/framing/profile.js';
import { V1_FRAMING, type Framing } from './framing.js';
import { textFraming } from './text-framing.js';

export interface HostPort {
  host: string;
  port: number;
}

export interface ShadowInterface {
  /** The section's name: [shadow.cs] → "cs". */
  name: string;
  file: string;
  listen: HostPort;
  primary: HostPort;
  candidate: HostPort;
  secondary?: HostPort;
  framing: Framing;
  /** Business codes mirrored, sorted. */
  mirror: number[];
  reportDir: string;
  /** ms a mirrored request waits for the candidate's (or secondary's) answer before it counts as a timeout. */
  timeoutMs: number;
  /** Mirrored requests awaiting the candidate's answer per client connection; beyond it new mirrors are dropped. */
  maxInFlight: number;
  /** Samples kept per differing field in the summary. */
  samples: number;
  /** Named noise: fields never counted as differences, `biz:field` (`connection-check:serverTime`, `*:time`). */
  ignore: string[];
  maxFrame: number;
}

export interface ShadowConfig {
  files: string[];
  shadows: ShadowInterface[];
  admin?: { host: string; port: number };
  logLevel: string;
}

/** Why a business type must never be mirrored, or undefined when it may be. */
export function writeReason(h: FunctionContract): string | undefined {
  if (h.write) {
    return 'is a write function (it changes the database); a write sent to the candidate too is a payment, a suspend or a switch command twice — writes are never mirrored';
  }
  // Not defined with defineWriteHandler, but it changes the database all the same.
  if (h.biz === 190) return 'clears a password lock (it changes the database); writes are never mirrored';
  return undefined;
}

/** The default `mirror`: every read-only business type of the handler registry. */
export function readOnlyTypes(): number[] {
  return CONTRACTS.filter((h) => writeReason(h) === undefined).map((h) => h.biz);
}

const KEYS = ['listen', 'primary', 'candidate', 'secondary', 'framing', 'mirror', 'report_dir', 'timeout', 'max_in_flight', 'samples', 'ignore', 'max_frame'] as const;
const REQUIRED = ['listen', 'primary', 'candidate', 'report_dir'] as const;
const ADMIN_KEYS = ['enabled', 'host', 'port', 'allow'] as const;
const LOG_KEYS = ['level', 'dir', 'retention_days', 'requests'] as const;
const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;

/** `framing`: v1, or the path of a text framing profile (relative to the INI file), as [interface.x] framing. */
function framingOf(file: string, section: string, value: string): Framing {
  if (value === 'v1') return V1_FRAMING;
  const profileFile = resolve(dirname(resolve(file)), value);
  try {
    return textFraming(loadFramingProfile(profileFile));
  } catch (err) {
    if (err instanceof ProfileError) fail(file, section, 'framing', `profile ${err.path === '$' ? err.file : `${err.file} ${err.path}`}: ${err.problem}`);
    throw err;
  }
}

function fail(file: string, section: string, key: string, problem: string): never {
  throw new ConfigError(file, section, key, problem);
}

export function parseHostPort(file: string, section: string, key: string, text: string): HostPort {
  const m = /^\[?([^\]]*?)\]?:(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || m[1] === '' || port < 1 || port > 65535) {
    fail(file, section, key, `"${text}" is not host:port; accepted: an address or host name and a port 1–65535, e.g. 127.0.0.1:9921`);
  }
  return { host: m[1] === 'localhost' ? '127.0.0.1' : m[1], port };
}

function parseInt(file: string, section: string, key: string, text: string, min: number, max: number): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < min || Number(text) > max) {
    fail(file, section, key, `"${text}" is not accepted; accepted: an integer ${min}–${max}`);
  }
  return Number(text);
}

function parseMirror(file: string, section: string, text: string): number[] {
  const words = text.split(/[\s,]+/).filter(Boolean);
  if (words.length === 0) fail(file, section, 'mirror', 'is empty; accepted: business types by name, inventory ID or code (e.g. balance, CS-14, 114), or leave the key out for every read-only type');
  const out = new Set<number>();
  for (const w of words) {
    const row = /^\d+$/.test(w) ? businessByCode(Number(w)) : (businessById(w.toUpperCase()) ?? businessByName(w));
    if (!row) fail(file, section, 'mirror', `"${w}" is not a business type; accepted: a name (balance), an inventory ID (CS-14) or a code (114)`);
    const h = CONTRACTS.find((x) => x.biz === row.code);
    if (!h) fail(file, section, 'mirror', `${w} (${row.code}) is not served by bssgate, so its answers cannot be decoded`);
    const why = writeReason(h);
    if (why) fail(file, section, 'mirror', `${row.name} (${[...row.ids, row.code].join(', ')}) ${why}; remove it from mirror`);
    out.add(row.code);
  }
  return [...out].sort((a, b) => a - b);
}

function str(v: unknown): string {
  return v === null || v === undefined ? '' : String(v as string);
}

function checkKeys(file: string, section: string, raw: Record<string, unknown>, keys: readonly string[]): void {
  for (const key of Object.keys(raw)) {
    const v = raw[key];
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) fail(file, `${section}.${key}`, '', 'sections do not nest here');
    if (!keys.includes(key)) {
      const near = didYouMean(key, keys);
      fail(file, section, key, `unknown key${near ? ` (did you mean ${near}?)` : ''}; accepted here: ${keys.join(', ')}`);
    }
    if (Array.isArray(v)) fail(file, section, key, 'is a list (key[] syntax); give one value');
  }
}

/** Refuse repeated sections and keys (the INI reader would silently keep the last one). */
function scan(file: string, text: string): string[] {
  const headers: string[] = [];
  let current: string | undefined;
  let keys = new Set<string>();
  for (const line of text.split(/[\r\n]+/)) {
    const t = line.trim();
    if (t === '' || t.startsWith(';') || t.startsWith('#')) continue;
    const h = /^\[([^\]]*)\]\s*([;#].*)?$/.exec(t);
    if (h) {
      const name = h[1].trim();
      if (headers.includes(name)) fail(file, name, '', 'section appears twice in this file; merge the two');
      headers.push(name);
      current = name;
      keys = new Set();
      continue;
    }
    const eq = t.indexOf('=');
    const key = (eq < 0 ? t : t.slice(0, eq)).trim();
    if (current === undefined) fail(file, '(top of file)', key, 'key outside any section; put it under [shadow.<name>]');
    if (eq < 0) fail(file, current, key, 'has no "="; write key = value');
    if (keys.has(key)) fail(file, current, key, 'is set twice in this section');
    keys.add(key);
  }
  if (headers.length === 0) fail(file, '', '', 'is empty: no sections; write a [shadow.<name>] section (docs/shadow.md)');
  return headers;
}

export function loadShadowConfig(files: string[]): ShadowConfig {
  if (files.length === 0) throw new ConfigError('(no file)', '', '', 'no configuration file given; e.g. bssgate shadow -c shadow.ini');
  const shadows: ShadowInterface[] = [];
  let admin: ShadowConfig['admin'];
  let logLevel = 'info';
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      fail(file, '', '', code === 'ENOENT' ? 'file not found' : `cannot be read: ${(err as Error).message}`);
    }
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const headers = scan(file, text);
    const parsed = ini.parse(text) as Record<string, Record<string, unknown>>;
    for (const header of headers) {
      const raw = header.split('.').reduce<unknown>((o, p) => (o as Record<string, unknown> | undefined)?.[p], parsed) as Record<string, unknown> | undefined ?? {};
      if (header === 'admin') {
        checkKeys(file, header, raw, ADMIN_KEYS);
        const enabled = str(raw.enabled).toLowerCase();
        if (raw.enabled !== undefined && !['true', 'false', 'yes', 'no', 'on', 'off', '1', '0'].includes(enabled)) {
          fail(file, header, 'enabled', `"${str(raw.enabled)}" is not accepted; accepted: true | false`);
        }
        if (['true', 'yes', 'on', '1'].includes(enabled)) {
          if (raw.port === undefined) fail(file, header, 'port', 'is required when enabled = true: the port of the shadow\'s metrics listener');
          admin = { host: raw.host === undefined ? '127.0.0.1' : str(raw.host), port: parseInt(file, header, 'port', str(raw.port), 1, 65535) };
        }
        continue;
      }
      if (header === 'log') {
        checkKeys(file, header, raw, LOG_KEYS);
        if (raw.level !== undefined) {
          if (!LEVELS.includes(str(raw.level))) fail(file, header, 'level', `"${str(raw.level)}" is not accepted; accepted: ${LEVELS.join(', ')}`);
          logLevel = str(raw.level);
        }
        continue;
      }
      if (!header.startsWith('shadow.')) {
        const near = didYouMean(header, ['shadow', 'admin', 'log']);
        fail(file, header, '', `unknown section${near ? ` (did you mean [${near === 'shadow' ? 'shadow.<name>' : near}]?)` : ''}; a shadow file accepts [shadow.<name>], [admin] and [log] (the gateway's own sections belong in its own INI)`);
      }
      const name = header.slice('shadow.'.length);
      if (!NAME.test(name)) fail(file, header, '', `"${name}" is not a shadow name; accepted: 1–32 of a-z 0-9 _ -, starting with a letter or digit`);
      if (shadows.some((s) => s.name === name)) fail(file, header, '', `shadow "${name}" is defined twice; define each once`);
      checkKeys(file, header, raw, KEYS);
      for (const k of REQUIRED) if (raw[k] === undefined || str(raw[k]) === '') fail(file, header, k, 'is required');
      const framing = framingOf(file, header, raw.framing === undefined ? 'v1' : str(raw.framing));
      const sh: ShadowInterface = {
        name,
        file,
        listen: parseHostPort(file, header, 'listen', str(raw.listen)),
        primary: parseHostPort(file, header, 'primary', str(raw.primary)),
        candidate: parseHostPort(file, header, 'candidate', str(raw.candidate)),
        secondary: raw.secondary === undefined || str(raw.secondary) === '' ? undefined : parseHostPort(file, header, 'secondary', str(raw.secondary)),
        framing,
        mirror: raw.mirror === undefined ? readOnlyTypes() : parseMirror(file, header, str(raw.mirror)),
        reportDir: resolve(dirname(resolve(file)), str(raw.report_dir)),
        timeoutMs: raw.timeout === undefined ? 5_000 : parseInt(file, header, 'timeout', str(raw.timeout), 1, 600_000),
        maxInFlight: raw.max_in_flight === undefined ? 256 : parseInt(file, header, 'max_in_flight', str(raw.max_in_flight), 1, 100_000),
        samples: raw.samples === undefined ? 5 : parseInt(file, header, 'samples', str(raw.samples), 0, 1000),
        ignore: raw.ignore === undefined ? [] : str(raw.ignore).split(/[\s,]+/).filter(Boolean),
        maxFrame: raw.max_frame === undefined ? 16 * 1024 * 1024 : parseInt(file, header, 'max_frame', str(raw.max_frame), 56, 0xffffffff),
      };
      for (const ig of sh.ignore) {
        if (!/^[^:\s]+:[A-Za-z0-9_.[\]]+$/.test(ig)) fail(file, header, 'ignore', `"${ig}" is not business:field; e.g. connection-check:serverTime or *:time`);
      }
      const same = (a: HostPort, b: HostPort) => a.port === b.port && a.host === b.host;
      if (same(sh.candidate, sh.primary)) fail(file, header, 'candidate', 'is the primary\'s address; the candidate must be another program');
      if (same(sh.listen, sh.primary)) fail(file, header, 'listen', 'is the primary\'s address; the shadow listens where the clients connect, in front of the primary');
      shadows.push(sh);
    }
  }
  if (shadows.length === 0) fail(files.join(', '), '', '', 'no [shadow.<name>] section: nothing to mirror');
  return { files: [...files], shadows, admin, logLevel };
}
