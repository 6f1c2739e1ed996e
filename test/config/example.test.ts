import t from 'tap';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFIG_KEYS, DEFAULT_PORTS } from '../../src/config/keys.js';
import { loadConfig } from '../../src/config/load.js';
import { renderConfigDoc, renderExampleIni } from '../../src/config/render.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const EXAMPLE = join(ROOT, 'h.ini.example');
const text = readFileSync(EXAMPLE, 'utf8');

/** The lines of one [section] of an INI text (or of a commented-out ;[section]), up to the next header. */
function sectionLines(ini: string, header: string): string[] {
  const lines = ini.split('\n');
  let start = lines.indexOf(`[${header}]`);
  if (start < 0) start = lines.indexOf(`;[${header}]`);
  if (start < 0) return [];
  const end = lines.findIndex((l, i) => i > start && /^;?\[/.test(l));
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

/** Sections that document a key kind: [interface.cs] for interfaces, every [switch.*] (file keys under a file switch, socket keys under a socket one), the commented-out [client.*] sample. */
function documentingSections(section: string): string[] {
  if (section === 'interface') return ['interface.cs'];
  if (section === 'switch' || section === 'client') {
    return [...text.matchAll(new RegExp(`^;?\\[(${section}\\.[^\\]]+)\\]`, 'gm'))].map((m) => m[1]!);
  }
  return [section];
}

t.test('h.ini.example documents every key of the table with a comment, in its section', async (t) => {
  for (const def of CONFIG_KEYS) {
    const headers = documentingSections(def.section);
    const documented = headers.some((header) => {
      const lines = sectionLines(text, header);
      const at = lines.findIndex((l) => new RegExp(`^;?${def.key} = `).test(l));
      return at > 0 && lines.slice(0, at).some((l) => l.startsWith(`; ${def.key}: `));
    });
    t.ok(documented, `[${headers.join('|')}] ${def.key} appears as a setting with its comment`);
  }
});

t.test('h.ini.example loads cleanly: four interfaces on 127.0.0.1 with their default ports, SQLite and 10000 demo subscribers', async (t) => {
  const c = loadConfig([EXAMPLE], {});
  t.same(c.interfaces.map((i) => [i.kind, i.host, i.port]), (['cs', 'card', 'print', 'sms'] as const).map((k) => [k, '127.0.0.1', DEFAULT_PORTS[k]]));
  t.match(c.database, { type: 'sqlite', path: join(ROOT, 'data/bssgate.db'), demoSubscribers: 10000 });
  t.equal(c.log.dir, join(ROOT, 'logs'));
});

t.test('every commented-out sample in h.ini.example is itself a valid value', async (t) => {
  // Uncomment the interface samples one at a time: a sample that does not load is a doc bug.
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-example-'));
  // check_keys applies only with a framing profile that declares a check code (test/config/check-keys.test.ts).
  for (const def of CONFIG_KEYS.filter((k) => k.section === 'interface' && k.sample !== undefined && k.key !== 'check_keys')) {
    const f = join(dir, 'one.ini');
    writeFileSync(f, `[interface.cs]\n${def.key} = ${def.sample}\n`);
    t.doesNotThrow(() => loadConfig([f], {}), `${def.key} = ${def.sample}`);
  }
  const f = join(dir, 'pg.ini');
  writeFileSync(f, `[interface.cs]\n[database]\ntype = postgres\nurl = ${CONFIG_KEYS.find((k) => k.key === 'url')!.sample}\n`);
  t.doesNotThrow(() => loadConfig([f], {}), 'url sample');
});

t.test('h.ini.example and docs/config.md are what the key table generates', async (t) => {
  t.equal(text, renderExampleIni(), 'h.ini.example is current (regenerate: node dist/src/config/render.js --write)');
  t.equal(readFileSync(join(ROOT, 'docs/config.md'), 'utf8'), renderConfigDoc(), 'docs/config.md is current');
  for (const def of CONFIG_KEYS) t.match(renderConfigDoc(), `| \`${def.key}\` |`, `docs/config.md documents ${def.key}`);
});
