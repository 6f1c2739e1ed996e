// Per-client check-code keys of a text framing interface (issue 19, docs/framing.md "Check codes").
// A key is never in the INI itself: it comes from the environment, BSSGATE_CHECK_KEY_<CLIENT>
// (BSSGATE_CHECK_KEY for the unconfigured client `*`), or from the key file that
// [interface.x] check_keys names — a file only the service user can read (no group or other
// permission bits, owned by the user the command runs as, unless that is root). Every problem names the INI file, the
// section and the key, and never shows a key.
import { readFileSync, statSync } from 'node:fs';
import { keyLengths } from '../../protocol/framing/check-code.js';
import type { FramingProfile } from '../../protocol/framing/profile.js';
import { UNCONFIGURED_CLIENT } from './clients.js';
import { ConfigError, type ClientConfig } from './types.js';

export const ENV_CHECK_KEY = 'BSSGATE_CHECK_KEY';

/** The environment variable of a client's key: BSSGATE_CHECK_KEY_<NAME> (upper case, other than A–Z 0–9 as _); `*` → BSSGATE_CHECK_KEY. */
export function checkKeyEnv(client: string): string {
  return client === UNCONFIGURED_CLIENT ? ENV_CHECK_KEY : `${ENV_CHECK_KEY}_${client.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

function parseKey(text: string, profile: FramingProfile): Buffer | string {
  const t = text.trim();
  if (!/^([0-9a-fA-F]{2})+$/.test(t)) return 'is not hexadecimal digits (two per byte)';
  const key = Buffer.from(t, 'hex');
  const [min, max] = keyLengths(profile.check!.algorithm);
  if (key.length < min || key.length > max) return `is ${key.length} bytes; ${profile.check!.algorithm} takes ${min === max ? min : `${min}–${max}`}`;
  return key;
}

export interface CheckKeySource {
  /** INI file and section of the interface (messages). */
  file: string;
  section: string;
  /** The key file named by check_keys (resolved), if any. */
  keysFile: string | undefined;
}

/**
 * The keys of one interface by client name. `clients`: the [client.<id>] sections covering it
 * (a key file naming another client is refused: a typo would leave that client without a key).
 */
export function loadCheckKeys(
  src: CheckKeySource,
  profile: FramingProfile,
  clients: readonly Pick<ClientConfig, 'name'>[],
  env: NodeJS.ProcessEnv,
  /** A client's own tool (clientCheckKey): the key file's lines of other clients are passed over, not refused. */
  opts: { otherClients?: 'skip'; key?: string } = {},
): Map<string, Buffer> {
  const fail = (problem: string): never => {
    throw new ConfigError(src.file, src.section, opts.key ?? 'check_keys', problem);
  };
  const names = new Set([UNCONFIGURED_CLIENT, ...clients.map((c) => c.name)]);
  const keys = new Map<string, Buffer>();
  if (src.keysFile !== undefined) {
    const f = src.keysFile;
    let st;
    try {
      st = statSync(f);
    } catch (err) {
      return fail(`${f}: cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    if (!st.isFile()) fail(`${f}: not a regular file`);
    if ((st.mode & 0o077) !== 0) {
      fail(`${f} is readable or writable by group or others (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}); a key file must be readable only by the service user: chmod 600 ${f}`);
    }
    // root (an operator's command on the gateway host) may read the service user's file.
    const uid = process.getuid?.();
    if (uid !== undefined && uid !== 0 && st.uid !== uid) fail(`${f} is owned by uid ${st.uid}, not by the user the gateway runs as (uid ${uid}); a key file must belong to the service user`);
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch (err) {
      return fail(`${f}: cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    text.split(/\r?\n/).forEach((line, i) => {
      const l = line.trim();
      if (l === '' || l.startsWith('#') || l.startsWith(';')) return;
      const eq = l.indexOf('=');
      if (eq <= 0) fail(`${f} line ${i + 1}: expected <client name> = <hex key> (the key is not shown)`);
      const name = l.slice(0, eq).trim();
      if (!names.has(name) && opts.otherClients === 'skip') return;
      if (!names.has(name)) fail(`${f} line ${i + 1}: no [client.<id>] section covering ${src.section} has name "${name}" (names: ${[...names].join(', ')})`);
      if (keys.has(name)) fail(`${f} line ${i + 1}: a second key for client "${name}"`);
      const k = parseKey(l.slice(eq + 1), profile);
      if (typeof k === 'string') fail(`${f} line ${i + 1}: the key of client "${name}" (not shown) ${k}`);
      keys.set(name, k as Buffer);
    });
  }
  for (const name of names) {
    const v = env[checkKeyEnv(name)];
    if (v === undefined || v === '') continue;
    const k = parseKey(v, profile);
    if (typeof k === 'string') throw new ConfigError(checkKeyEnv(name), 'environment', checkKeyEnv(name), `the key of client "${name}" (not shown) ${k}`);
    keys.set(name, k);
  }
  if (keys.size === 0 && opts.otherClients !== 'skip') {
    fail(
      `profile ${profile.name} declares a check code (${profile.check!.algorithm}) and no key is configured: name a key file here (check_keys = keys/${profile.name}.keys, mode 0600, lines <client name> = <hex key>) or set ${[...names].map(checkKeyEnv).join(' / ')}; a code that cannot be verified is not served`,
    );
  }
  return keys;
}

/**
 * The key a client signs its requests with when it speaks a profile with a check code (the card
 * simulator, `bssgate sim card --framing`): as the gateway finds that client's key —
 * BSSGATE_CHECK_KEY_<CLIENT>, else BSSGATE_CHECK_KEY (the key of `*`, what the gateway uses for a
 * peer no [client] section names), else the client's line (or `*`'s) of a key file in the gateway's
 * form and under its rules (mode 0600, owned by the user running the command). `option` names the
 * command-line option of the key file in messages; a key is never shown.
 */
export function clientCheckKey(profile: FramingProfile, client: string, keysFile: string | undefined, env: NodeJS.ProcessEnv, option: string): Buffer {
  const names = client === UNCONFIGURED_CLIENT ? [UNCONFIGURED_CLIENT] : [client, UNCONFIGURED_CLIENT];
  for (const name of names) {
    const v = env[checkKeyEnv(name)];
    if (v === undefined || v === '') continue;
    const k = parseKey(v, profile);
    if (typeof k === 'string') throw new ConfigError(checkKeyEnv(name), 'environment', checkKeyEnv(name), `the key of client "${name}" (not shown) ${k}`);
    return k;
  }
  if (keysFile !== undefined) {
    const keys = loadCheckKeys({ file: option, section: '', keysFile }, profile, names.filter((n) => n !== UNCONFIGURED_CLIENT).map((name) => ({ name })), {}, { otherClients: 'skip', key: '' });
    const k = keys.get(client) ?? keys.get(UNCONFIGURED_CLIENT);
    if (k) return k;
  }
  throw new Error(
    `profile ${profile.name} declares a check code (${profile.check!.algorithm}) and no key for client "${client}" was found: set ${names.map(checkKeyEnv).join(' or ')} (hex)` +
      `${keysFile === undefined ? `, or give the gateway's key file (${option} FILE: lines <client name> = <hex key>, mode 0600)` : `, or add a line "${client} = <hex key>" to ${keysFile}`}`,
  );
}
