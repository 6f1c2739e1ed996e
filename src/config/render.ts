// h.ini.example and docs/config.md are generated from the key table (src/config/keys.ts), so the
// documentation cannot drift from what the loader accepts; a test compares the committed files
// with this output. Regenerate from the repository root:
// `npx tsc -p tsconfig.build.json && node dist/src/config/render.js --write`.
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFIG_KEYS, DEFAULT_PORTS, INTERFACE_KINDS, keysOf } from './keys.js';
import type { KeyDef, SectionKind } from './keys.js';
import { ENV_DB_PASSWORD, ENV_DB_URL, ENV_PORT_OFFSET } from './keys.js';

const GENERATED = 'Generated from src/config/keys.ts by src/config/render.ts: edit the table, not this file.';

/** Wrap a paragraph into `; `-prefixed comment lines of at most ~96 columns. */
function comment(text: string, width = 96): string[] {
  const out: string[] = [];
  let line = ';';
  for (const word of text.split(/\s+/)) {
    if (line.length + 1 + word.length > width && line !== ';') {
      out.push(line);
      line = ';';
    }
    line += ` ${word}`;
  }
  if (line !== ';') out.push(line);
  return out;
}

function keyBlock(def: KeyDef, value: string | undefined): string[] {
  const lines = comment(`${def.key}: ${def.doc}`);
  lines.push(...comment(`Accepted: ${def.accepted}.${def.default !== undefined ? ` Default: ${def.default}.` : ''}${def.env ? ` Environment: ${def.env} wins over this key.` : ''}`));
  lines.push(value !== undefined ? `${def.key} = ${value}` : `;${def.key} = ${def.sample ?? ''}`);
  lines.push('');
  return lines;
}

function sectionKeys(section: SectionKind): KeyDef[] {
  return [...keysOf(section).values()];
}

/** h.ini.example: every key documented; loads cleanly; what `npm start` runs. */
export function renderExampleIni(): string {
  const out: string[] = [
    '; bssgate configuration example — every key, with what it accepts and its default.',
    `; ${GENERATED}`,
    ';',
    '; Durations: 300s, 5m, 2h, 1500ms, or a bare integer of seconds. Relative paths are relative to',
    '; the directory of the file that sets them. Values containing ; or # must be "quoted";',
    "; a value with a backslash goes in 'single quotes'.",
    '; Several files may be given (bssgate serve -c h.ini -c qhjfk.ini …): interfaces are merged; a key of',
    '; [database], [log] or [server] set in two files must have the same value. Unknown keys and',
    '; sections are errors. Run: npm start  (or: node dist/src/cli.js serve -c h.ini.example)',
    '',
    '; ── Interfaces: one [interface.<name>] section per listening port (OP-01). All keys are shown',
    ';    under [interface.cs]; the other interfaces use their defaults.',
    '',
  ];
  for (const kind of INTERFACE_KINDS) {
    out.push(`[interface.${kind}]`);
    if (kind === 'cs') {
      for (const def of sectionKeys('interface')) {
        out.push(...keyBlock(def, def.key === 'port' ? String(DEFAULT_PORTS.cs) : def.example));
      }
    } else {
      out.push('; Same keys as [interface.cs].', 'host = 127.0.0.1', `port = ${DEFAULT_PORTS[kind]}`, '');
    }
  }
  const sections: [SectionKind, string][] = [
    ['database', `; ── [database]: one database for every interface. Secrets may come from the environment instead: ${ENV_DB_URL}, ${ENV_DB_PASSWORD}.`],
    ['log', '; ── [log]: see docs/logs.md.'],
    ['server', '; ── [server]'],
    ['admin', '; ── [admin]: health checks and Prometheus metrics over HTTP (OP-04); see docs/metrics.md.'],
    ['card', '; ── [card]: payment-card amounts and reconciliation (PC-03…PC-08); see docs/payments.md and docs/reconciliation.md.'],
  ];
  for (const [section, intro] of sections) {
    out.push(intro, `[${section}]`);
    for (const def of sectionKeys(section)) out.push(...keyBlock(def, def.example));
  }
  out.push(...scannerExample());
  // PC-06 client identities: commented out, so every peer of the example is the unconfigured client *.
  out.push(
    '; ── [client.<id>]: who a peer is, for the idempotency key of write functions (PC-06); see',
    ';    docs/idempotency.md. One section per client system; without any, every peer is the client *.',
    ';    Fail closed: on an interface a section covers, writes from addresses no section names are 1010.',
    ';[client.cardsys]',
  );
  for (const def of sectionKeys('client')) out.push(...keyBlock(def, undefined));
  while (out[out.length - 1] === '') out.pop();
  return `${out.join('\n')}\n`;
}

const SECTION_TITLES: Record<SectionKind, string> = {
  interface: '[interface.<name>]',
  database: '[database]',
  log: '[log]',
  server: '[server]',
  admin: '[admin]',
  scanner: '[scanner]',
  switch: '[switch.<name>]',
  card: '[card]',
  client: '[client.<id>]',
};

/**
 * The example's switches: the legacy split (OC-01 file interface for the G-network HLR of Xining
 * and Haidong, OC-02 socket for the Golmud switch and the C network) plus the VOIP softswitch and
 * the CDMA1X AAA server, every one with simulator = true so that `npm start` shows the whole flow
 * without a real switch (the banner says so).
 */
const EXAMPLE_SWITCHES: { name: string; intro: string; full?: boolean; values: Record<string, string> }[] = [
  {
    name: 'g-xining', full: true,
    intro: 'OC-01 file interface: G network of Xining and Haidong (and the eastern regions served by the Xining HLR).',
    values: { kind: 'file', simulator: 'true', regions: '0971, 0972, 0970, 0973, 0974, 0975, 0976', net_types: 'G', switch_type: 'ERI_HLR', command_dir: 'data/switch/g-xining/con', result_dir: 'data/switch/g-xining/res' },
  },
  {
    name: 'g-golmud', full: true,
    intro: 'OC-02 socket interface: the Golmud switch (G network of Golmud and Haixi).',
    values: { kind: 'socket', simulator: 'true', regions: '0979, 0977', net_types: 'G', switch_type: 'HW_HLR', host: '127.0.0.1', port: '7101', user: 'bss', password: '"sim-only"' },
  },
  {
    name: 'c-network', intro: 'OC-02 socket interface: every C-network command.',
    values: { kind: 'socket', simulator: 'true', regions: '*', net_types: 'C', switch_type: 'ZTE_HLR', host: '127.0.0.1', port: '7102', user: 'bss', password: '"sim-only"' },
  },
  {
    name: 'voip', intro: 'VOIP softswitch (socket).',
    values: { kind: 'socket', simulator: 'true', regions: '*', net_types: 'V', switch_type: 'SOFTX', host: '127.0.0.1', port: '7103', user: 'bss', password: '"sim-only"' },
  },
  {
    name: 'cdma1x', intro: 'CDMA1X AAA server (socket).',
    values: { kind: 'socket', simulator: 'true', regions: '*', net_types: 'X', switch_type: 'AAA', host: '127.0.0.1', port: '7104', user: 'bss', password: '"sim-only"' },
  },
];

/** Keys of [switch.<name>] that belong to the other kind (not shown in a section of this kind). */
const OTHER_KIND: Record<string, readonly string[]> = {
  file: ['host', 'port', 'user', 'password', 'keepalive', 'ack_timeout', 'reconnect_min', 'reconnect_max'],
  socket: ['command_dir', 'result_dir', 'result_timeout', 'result_poll'],
};

function scannerExample(): string[] {
  const out: string[] = ['; ── [scanner]: the online-command scanner (OC-01…OC-03); see docs/scanner.md.', '[scanner]'];
  for (const def of sectionKeys('scanner')) out.push(...keyBlock(def, def.example));
  out.push(
    '; ── [switch.<name>]: one section per switch. Every switch below runs the built-in SIMULATOR',
    ';    (simulator = true): for a real switch, set simulator = false and its real address or directories.',
    '',
  );
  for (const sw of EXAMPLE_SWITCHES) {
    out.push(...comment(sw.intro), `[switch.${sw.name}]`);
    const skip = OTHER_KIND[sw.values.kind] ?? [];
    for (const def of sectionKeys('switch')) {
      if (skip.includes(def.key)) continue;
      const v = sw.values[def.key];
      if (sw.full) out.push(...keyBlock(def, v));
      else if (v !== undefined) out.push(`${def.key} = ${v}`);
    }
    if (!sw.full) out.push('');
  }
  return out;
}

const cell = (s: string): string => s.replace(/\|/g, '\\|');

/** docs/config.md: the key table as Markdown, with the rules around it. */
export function renderConfigDoc(): string {
  const out: string[] = [
    '# Configuration',
    '',
    `<!-- ${GENERATED} -->`,
    '',
    'bssgate reads legacy-style INI files (OP-01): `bssgate serve -c h.ini` with one file defining',
    'every interface, or `bssgate serve -c h.ini -c qhjfk.ini -c print.ini -c dxjk.ini` with one file per legacy',
    'program (`config/` holds that set; `bssgate serve h.ini qhjfk.ini …`, the files as arguments, works too).',
    'Every command that reads a configuration is given it with `-c FILE` (once per file); none reads a',
    'default file. `h.ini.example` documents every key and is what `npm start` runs (the demo: `[admin]`',
    'enabled on loopback, 10000 demo subscribers, simulated switches; the legacy files in `config/` leave `[admin]` off).',
    '',
    '## Rules',
    '',
    '- Sections: `[interface.<name>]` (one per listening port; name: 1–32 of `a-z 0-9 _ -`),',
    '  `[database]`, `[log]`, `[server]`, `[scanner]` and `[switch.<name>]` (one per switch the online-command',
    '  scanner delivers to, docs/scanner.md). Unknown sections and unknown keys are errors, with a',
    '  "did you mean" when a known name is close. A section or key repeated in one file is an error.',
    '  A header may be indented and followed by a `;` or `#` comment (`[database] ; production`);',
    '  any other text after it, or a line with no key before `=`, is an error.',
    '- Several files: interfaces are collected from all files; an interface name defined twice, or',
    '  two enabled interfaces on the same host:port (a wildcard host such as `0.0.0.0` overlaps every',
    '  address), is an error naming both files. `[database]`, `[log]` and `[server]` may be in one file',
    '  or repeated; a key set in two files must have the same value there, otherwise an error names',
    '  both files. Keys set in only one file apply to all.',
    '- Durations: `300s`, `5m`, `2h`, `1500ms`, or a bare integer meaning seconds (`300` = 5 minutes).',
    '  Integers only (write `1500ms`, not `1.5s`); at most 2147483647 ms (a Node timer\'s limit).',
    '- Sizes (`max_frame`): bytes, bare or with a `KiB`/`MiB` suffix.',
    '- Booleans: `true`/`false`, `yes`/`no`, `on`/`off`, `1`/`0`.',
    '- Relative paths (`[database] path`, `[log] dir`) are resolved against the directory of the file',
    '  that sets them; their defaults against the directory of the first file given.',
    '- Values containing `;` or `#` must be quoted (`password = "a;b"`): the INI reader treats an',
    '  unquoted `;` or `#` as the start of a comment. A quoted value keeps its leading and',
    '  trailing spaces (`password = "  s3cret  "`); unquoted values are trimmed. A value the reader',
    '  would change is refused rather than changed: a `;`/`#` glued to an unquoted value (`abc#def`),',
    '  a backslash inside "double quotes" (an escape there: use \'single quotes\'), or text after a',
    '  closing quote.',
    `- Secrets from the environment: \`${ENV_DB_URL}\` (postgres URL) and \`${ENV_DB_PASSWORD}\` (oracle, or`,
    '  postgres when the URL has none). When set and non-empty they win over the files. They are',
    '  ignored when the database type does not use them. Error messages never print these values.',
    `- Ports without editing the files: \`${ENV_PORT_OFFSET}=N\` (or \`--port-offset N\` of \`serve\`, \`call\` and`,
    '  `status`, which wins) adds N (may be negative) to every port bssgate listens on: each',
    '  `[interface.*] port`, `[admin] port` and the port of a simulated socket switch (a real switch\'s',
    '  port is left alone). `BSSGATE_PORT_OFFSET=1000 npm start` serves the demo on 10921, 8995, 10923,',
    '  10925 and admin 10930; the banner prints the shifted addresses. A shifted port outside 1–65535, or',
    '  one that lands on another listener\'s port, stops the start naming the file, section and the offset:',
    '  `h.ini: [interface.cs] port: 9921 + BSSGATE_PORT_OFFSET 60000 = 69921 is not a port; …`.',
    '- `[database]` keys that do not apply to the chosen `type` (e.g. `url` with `type = sqlite`)',
    '  are errors, not silently ignored. postgres needs `url`; oracle needs `user`, `password` and',
    '  `connect_string`.',
    '- `enabled = false` keeps an interface out of the running set; at least one must be enabled.',
    '- Nothing is clamped: a value out of range stops the start with an error such as',
    '  `h.ini: [interface.cs] port: "99x" is not a port; accepted: an integer 1–65535`.',
    '- What shows only when a value is used stops the command the same way, one line and exit 1, before',
    '  anything is served or applied: a directory that cannot be created (`[log] dir`, the directory of',
    '  `[database] path`, `[card] reconcile_dir` and `report_dir`, a simulated switch\'s `command_dir` and',
    '  `result_dir`; missing ones are created), a database file that cannot be opened, an address or',
    '  port that cannot be listened on. The line names the file that set the key (a key at its default:',
    '  the first file, `not set, the default: …`) and the operating system\'s reason, e.g.',
    '  `h.ini: [log] dir: cannot create directory /srv/x/logs: /srv/x is a file, not a directory (ENOTDIR)`,',
    '  `h.ini: [interface.cs] port: cannot listen on 127.0.0.1:9921: address already in use (EADDRINUSE)`.',
    '',
    '## Keys',
    '',
  ];
  for (const section of Object.keys(SECTION_TITLES) as SectionKind[]) {
    out.push(`### ${SECTION_TITLES[section]}`, '', '| key | type | default | accepted | meaning |', '|---|---|---|---|---|');
    for (const def of CONFIG_KEYS.filter((k) => k.section === section)) {
      const extra = [def.env ? `Environment \`${def.env}\` wins.` : '', def.types ? `Only for type = ${def.types.join('/')}.` : '']
        .filter(Boolean)
        .join(' ');
      out.push(`| \`${def.key}\` | ${def.type} | ${cell(def.default ?? '—')} | ${cell(def.accepted)} | ${cell(def.doc)}${extra ? ` ${extra}` : ''} |`);
    }
    out.push('');
  }
  while (out[out.length - 1] === '') out.pop();
  return `${out.join('\n')}\n`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url) && process.argv.includes('--write')) {
  const root = process.cwd(); // run from the repository root
  writeFileSync(join(root, 'h.ini.example'), renderExampleIni());
  writeFileSync(join(root, 'docs', 'config.md'), renderConfigDoc());
  process.stdout.write(`wrote ${join(root, 'h.ini.example')} and ${join(root, 'docs', 'config.md')}\n`);
}
