// Issue 14 item 2: a setting is declared once. Each row of the key table (src/config/keys.ts)
// carries where its value lands in Config (`field`) and its default, written once; the loader maps
// every row generically, the docs are rendered from the same rows, the Config types derive from
// them, and handlers see the sections as one object (ctx.settings). These tests hold the claim of
// docs/handlers.md ("Adding a setting": the row and the code that reads it, nothing else): they
// know no key by name, so a new row is checked without touching this file.
import t from 'tap';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/load.js';
import { CONFIG_KEYS, SECTION_KINDS, keysOf, typedDefault, type KeyDef, type SectionKind } from '../../src/config/keys.js';
import { handlerSettings } from '../../src/config/settings.js';
import { ConfigError, type Config } from '../../src/config/types.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const NO_ENV = {};

/** Sections that need other sections or keys to load at all. */
const BASE = '[interface.cs]\n[interface.card]\n';
const FILE_SWITCH = { kind: 'file', regions: '0971', net_types: 'G', switch_type: 'ERI_HLR', command_dir: 'con', result_dir: 'res' };
const SOCKET_SWITCH = { kind: 'socket', regions: '0971', net_types: 'G', switch_type: 'ERI_HLR', host: '127.0.0.1', port: '7001', user: 'u', password: 'p' };
const CLIENT = { name: 'cardsys', addresses: '10.20.0.5' };
const DB_REQUIRED: Record<string, Record<string, string>> = {
  sqlite: {},
  postgres: { url: 'postgres://bssgate@127.0.0.1:5432/bss' },
  oracle: { user: 'BSS', password: 'x', connect_string: '127.0.0.1:1521/BSSDB' },
};

const section = (header: string, keys: Record<string, string>): string =>
  `[${header}]\n${Object.entries(keys).map(([k, v]) => `${k} = ${v}\n`).join('')}`;

/** [switch.<name>] keys of kind = socket only. */
const SOCKET_ONLY = ['host', 'port', 'user', 'password', 'keepalive', 'ack_timeout', 'reconnect_min', 'reconnect_max'];

/**
 * A configuration in which `kind` appears with `keys` set (and whatever else it needs to load);
 * `about`: the key under test, which the surrounding sections do not set for it.
 */
function iniWith(kind: SectionKind, keys: Record<string, string>, about: string): string {
  switch (kind) {
    case 'interface':
      return section('interface.cs', keys) + '[interface.card]\n';
    case 'switch': {
      const socket = about in keys ? SOCKET_ONLY.includes(about) : about in FILE_SWITCH;
      return BASE + section('switch.sw', { ...(socket ? SOCKET_SWITCH : FILE_SWITCH), ...keys });
    }
    case 'client':
      return BASE + section('client.c', { ...CLIENT, ...keys });
    case 'database': {
      const type = keys.type ?? 'sqlite';
      return BASE + section('database', { ...DB_REQUIRED[type], ...keys });
    }
    case 'scanner':
      // The scanner's keys need a switch to deliver to.
      return BASE + section('scanner', keys) + section('switch.sw', FILE_SWITCH);
    default:
      return BASE + section(kind, keys);
  }
}

/** The object a section's values land in. */
function landing(c: Config, kind: SectionKind): Record<string, unknown> {
  const objects: Record<SectionKind, unknown> = {
    interface: c.interfaces.find((i) => i.name === 'cs'),
    database: c.database,
    log: c.log,
    server: c,
    admin: c.admin,
    scanner: c.scanner,
    switch: c.switches?.[0],
    card: c.card,
    client: c.clients?.[0],
  };
  return objects[kind] as Record<string, unknown>;
}

function load(dir: string, text: string): Config {
  const f = join(dir, `h${Math.random().toString(36).slice(2)}.ini`);
  writeFileSync(f, text);
  return loadConfig([f], NO_ENV);
}

/** The default column of docs/config.md (the committed, generated file) for one key. */
function documentedDefault(doc: string, def: KeyDef): string {
  const title = def.section === 'interface' || def.section === 'switch' ? `${def.section}.<name>` : def.section === 'client' ? 'client.<id>' : def.section;
  const part = doc.split(`\n### [${title}]\n`)[1]!.split('\n### ')[0]!;
  const row = part.split('\n').find((l) => l.startsWith(`| \`${def.key}\` |`))!;
  const cells = row.split(/(?<!\\)\|/).map((s) => s.trim().replace(/\\\|/g, '|'));
  return cells[3]!;
}

t.test('issue 14: every key of the table lands in Config through its row (no key is mapped by hand)', async (t) => {
  const unmapped = CONFIG_KEYS.filter((k) => k.field === undefined).map((k) => `${k.section}.${k.key}`);
  t.same(unmapped, ['interface.enabled'], 'only [interface] enabled has no field (it drops the section instead)');
  for (const s of SECTION_KINDS) {
    const fields = [...keysOf(s).values()].flatMap((k) => (k.field === undefined ? [] : [k.field]));
    t.equal(new Set(fields).size, fields.length, `[${s}]: no two keys land in one field`);
  }
});

t.test('issue 14: the documented default of every key is what the loader gives a section that leaves it out', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bsg-once-'));
  const doc = readFileSync(join(ROOT, 'docs/config.md'), 'utf8');
  let compared = 0;
  for (const def of CONFIG_KEYS) {
    if (def.field === undefined) continue;
    const id = `[${def.section}] ${def.key}`;
    t.equal(documentedDefault(doc, def), def.default ?? '—', `${id}: docs/config.md shows the row's default`);
    if (def.required !== undefined) {
      // Required: every other required key of the section set, this one left out.
      const keys = def.section === 'switch' ? { ...FILE_SWITCH } : { ...CLIENT };
      delete (keys as Record<string, string>)[def.key];
      const text = def.section === 'switch' ? BASE + section('switch.sw', keys) : BASE + section('client.c', keys);
      const f = join(dir, 'required.ini');
      writeFileSync(f, text);
      t.throws(() => loadConfig([f], NO_ENV), new ConfigError(f, `${def.section}.${def.section === 'switch' ? 'sw' : 'c'}`, def.key, `missing; ${def.required}`), `${id}: required, refused naming file, section and key`);
      continue;
    }
    const loaded = landing(load(dir, iniWith(def.section, {}, def.key)), def.section);
    if (def.optional || (def.default === undefined && !def.computed)) {
      t.notOk(def.field in loaded, `${id}: unset stays unset (${def.default ?? 'no default'})`);
      continue;
    }
    if (def.computed) {
      t.not(loaded[def.field], undefined, `${id}: computed by its section's builder (${def.default ?? 'see its doc'})`);
      continue;
    }
    let expected = typedDefault(def);
    t.not(expected, undefined, `${id}: has a typed default`);
    // The docs' text, read back by the key's own parser, is the loader's value (unless the row
    // states its typed default separately: words such as "empty = any address").
    if (!('value' in def)) t.same(def.parse(def.default!), expected, `${id}: parse(${JSON.stringify(def.default)}) is the typed default`);
    if (def.path) expected = resolve(dir, expected as string);
    t.same(loaded[def.field], expected, `${id}: lands as ${def.field} = ${String(expected)}`);
    compared++;
  }
  t.ok(compared >= 40, `${compared} defaults compared`);
});

t.test('issue 14: a value set in the file lands at its row\'s field, parsed by its row\'s parser', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bsg-once-'));
  let checked = 0;
  for (const def of CONFIG_KEYS) {
    const raw = def.sample ?? def.example;
    if (def.field === undefined || raw === undefined) continue;
    const keys: Record<string, string> = { [def.key]: raw };
    // [database] keys of one type: under that type.
    if (def.section === 'database' && def.types && def.key !== 'type') keys.type = def.types[0]!;
    // [interface] check_keys only with a framing that declares a check code, and the key file
    // must exist, readable by the service alone (test/config/check-keys.test.ts covers its rules).
    if (def.section === 'interface' && def.key === 'check_keys') {
      keys.framing = join(ROOT, 'config/framing/card-recharge.json');
      mkdirSync(dirname(resolve(dir, raw)), { recursive: true });
      writeFileSync(resolve(dir, raw), `* = ${'0123456789abcdef'.repeat(2)}\n`);
      chmodSync(resolve(dir, raw), 0o600);
    }
    const loaded = landing(load(dir, iniWith(def.section, keys, def.key)), def.section);
    const unquoted = /^"(.*)"$/.exec(raw)?.[1] ?? raw;
    let expected = def.parse(unquoted);
    if (def.path) expected = resolve(dir, expected as string);
    t.same(loaded[def.field], expected, `[${def.section}] ${def.key} = ${raw} lands as ${def.field}`);
    checked++;
  }
  t.ok(checked >= 55, `${checked} keys set`);
});

t.test('issue 14: handlers get one settings object with every key of their sections, secrets left out', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bsg-once-'));
  const c = load(dir, BASE + section('database', { type: 'postgres', url: 'postgres://u:pw@127.0.0.1/db', password: 'secret', password_storage: 'plain' }) + section('card', { min_amount: '500' }));
  const s = handlerSettings(c);
  t.equal(s.card, c.card, '[card] as loaded');
  t.equal(s.card.minAmount, 500n);
  t.equal(s.database.passwordStorage, 'plain', '[database] password_storage');
  for (const def of keysOf('database').values()) {
    if (def.secret) t.notOk(def.field! in s.database, `no ${def.key} (secret)`);
    else if (def.field! in c.database) t.same((s.database as Record<string, unknown>)[def.field!], (c.database as Record<string, unknown>)[def.field!], `${def.key}`);
  }
  t.ok(Object.isFrozen(s), 'one frozen object, built once per gateway');
  const d = handlerSettings({});
  for (const def of keysOf('card').values()) {
    if (typedDefault(def) !== undefined) t.same((d.card as Record<string, unknown>)[def.field!], typedDefault(def), `a configuration built in code: [card] ${def.key} at its default`);
  }
  t.equal(d.database.passwordStorage, typedDefault(keysOf('database').get('password_storage')!), 'password_storage at its default');
});
