// Issue 14 (items 4 and 5): the layering of docs/architecture.md ("Who may import what"), checked
// on the import graph of the sources (test/architecture/graph.ts reads it with the TypeScript
// parser). A failure prints the offending chain of files.
import t from 'tap';
import { findCycles, importGraph, runtimeClosure, type Edge } from './graph.js';

const { files, edges } = importGraph();

const isFile = (to: string) => to.endsWith('.ts');
const under = (dir: string) => (f: string) => f.startsWith(dir);
const oneOf =
  (...names: string[]) =>
  (f: string) =>
    names.includes(f);
const anyOf =
  (...preds: ((f: string) => boolean)[]) =>
  (f: string) =>
    preds.some((p) => p(f));

interface Rule {
  /** What the rule says, as docs/architecture.md says it. */
  name: string;
  from: (f: string) => boolean;
  /** Project files it may import (packages are checked by `packages`). */
  mayImport: (to: string) => boolean;
  /** Packages (npm or node:) it may import; undefined = any. */
  packages?: (p: string) => boolean;
  /** The rule is about what runs: type-only imports (erased) are not checked. */
  runtimeOnly?: boolean;
}

/**
 * The store as a client must not load it: drivers, queries, the group commit. Not the schema's code
 * tables (src/store/schema.ts, no imports of its own), whose meanings the layouts' code fields list
 * (issue 14 item 3 moves them to a domain module).
 */
const STORE = (f: string) => (f.startsWith('src/store/') && f !== 'src/store/schema.ts') || oneOf('pg', 'better-sqlite3', 'oracledb')(f);
const METRICS = oneOf('src/metrics.ts', 'src/prometheus.ts', 'prom-client');
/** The entry points that run without a database and without metrics, and what each must never load at run time. */
const LIGHT_ENTRIES: readonly { entry: string; heavy: (f: string) => boolean; what: string }[] = [
  { entry: 'src/client.ts', heavy: anyOf(STORE, METRICS, oneOf('pino')), what: 'no store, no metrics, no logger' },
  { entry: 'src/spec/render.ts', heavy: anyOf(STORE, METRICS, oneOf('pino')), what: 'no store, no metrics, no logger' },
  { entry: 'handlers/contracts/index.ts', heavy: anyOf(STORE, METRICS, oneOf('pino'), under('src/server/'), (f) => /^handlers\/[^/]+\.ts$/.test(f)), what: 'no store, no metrics, no handler code' },
  { entry: 'src/sim/card.ts', heavy: anyOf(STORE, METRICS), what: 'no store (it is handed one), no metrics' },
  { entry: 'src/sim/switch.ts', heavy: anyOf(STORE, METRICS), what: 'no store, no metrics' },
];

const RULES: Rule[] = [
  {
    name: 'protocol/ is the wire format alone: it imports only protocol/ (and its codec packages)',
    from: under('protocol/'),
    mayImport: under('protocol/'),
    packages: (p) => p.startsWith('node:') || p === 'binary-parser' || p === 'iconv-lite',
  },
  {
    name: 'src/config/ (the INI files) imports only protocol/ and src/config/',
    from: under('src/config/'),
    mayImport: anyOf(under('protocol/'), under('src/config/')),
  },
  {
    name: 'src/store/ imports protocol/, src/config/, src/store/, and the clock, time and metric cells; never handlers/, the handler contracts or the server',
    from: under('src/store/'),
    mayImport: anyOf(under('protocol/'), under('src/config/'), under('src/store/'), oneOf('src/clock.ts', 'src/time.ts', 'src/random.ts', 'src/metrics.ts', 'src/log/redact.ts')),
  },
  {
    name: 'src/log/ imports protocol/, src/config/, src/log/ and the clock; never the handler contracts, handlers/ or the server',
    from: under('src/log/'),
    mayImport: anyOf(under('protocol/'), under('src/config/'), under('src/log/'), oneOf('src/clock.ts', 'src/time.ts')),
  },
  {
    name: 'handlers/ import protocol/, handlers/, the handler contracts and helpers (src/types.ts, src/context.ts, src/clock.ts, src/time.ts), src/store/, src/config/ and the metric cells; never the server, the dispatcher or the process wiring',
    from: under('handlers/'),
    mayImport: anyOf(
      under('protocol/'),
      under('handlers/'),
      under('src/store/'),
      under('src/config/'),
      oneOf('src/types.ts', 'src/context.ts', 'src/clock.ts', 'src/time.ts', 'src/metrics.ts', 'src/idempotency.ts', 'src/log/posting-journal.ts'),
    ),
  },
  {
    name: 'handlers/contracts/ (the wire contract of each function) loads protocol/, handlers/contracts/, the field kit and the schema code tables; no store, no handler code (types of other layers may be named: erased)',
    from: under('handlers/contracts/'),
    mayImport: (to) =>
      anyOf(under('protocol/'), under('handlers/contracts/'), oneOf('handlers/kit/fields.ts', 'handlers/kit/detail-fields.ts', 'handlers/kit/lockout.ts', 'src/store/schema.ts'))(to),
    runtimeOnly: true,
  },
  {
    name: 'the field kit the contracts use (handlers/kit/fields.ts, detail-fields.ts, lockout.ts) loads protocol/ and the schema code tables only',
    from: oneOf('handlers/kit/fields.ts', 'handlers/kit/detail-fields.ts', 'handlers/kit/lockout.ts'),
    mayImport: anyOf(under('protocol/'), oneOf('handlers/kit/fields.ts', 'handlers/kit/detail-fields.ts', 'src/store/schema.ts')),
    runtimeOnly: true,
  },
  {
    name: 'src/server/ (sockets) imports protocol/, src/server/, the dispatcher and lower layers; never handlers/ directly',
    from: under('src/server/'),
    mayImport: (to) => !to.startsWith('handlers/') && !oneOf('src/serve.ts', 'src/serve-command.ts', 'src/cluster.ts', 'src/cli.ts', 'src/client.ts')(to),
  },
  {
    name: 'the metric cells (src/metrics.ts) do not load prom-client; only src/prometheus.ts does',
    from: (f) => f !== 'src/prometheus.ts',
    mayImport: () => true,
    packages: (p) => p !== 'prom-client',
  },
];

function runtimeOrType(e: Edge): string {
  return e.typeOnly ? ' (type-only)' : '';
}

t.test('issue 14: the import graph was read', async (t) => {
  t.ok(files.length > 100, `${files.length} source files`);
  t.ok(edges.some((e) => e.from === 'src/dispatch.ts' && e.to === 'protocol/message.ts'), 'a known import is seen');
  t.ok(edges.some((e) => e.typeOnly), 'type-only imports are told apart');
});

t.test('issue 14: no import cycle among src/, protocol/ and handlers/ (type-only imports included)', async (t) => {
  const cycles = findCycles(edges);
  t.strictSame(
    cycles.map((c) => c.join(' → ')),
    [],
    'every cycle, as a chain of files (break it by moving what both need below both)',
  );
});

t.test('issue 14: every import points in an allowed direction', async (t) => {
  for (const rule of RULES) {
    const bad: string[] = [];
    for (const e of edges) {
      if (!rule.from(e.from) || (rule.runtimeOnly && e.typeOnly)) continue;
      if (isFile(e.to)) {
        if (!rule.mayImport(e.to)) bad.push(`${e.from} → ${e.to}${runtimeOrType(e)}`);
      } else if (rule.packages && !rule.packages(e.to)) bad.push(`${e.from} → package ${e.to}${runtimeOrType(e)}`);
    }
    t.strictSame(bad, [], rule.name);
  }
});

t.test('issue 14: nothing in src/, protocol/ or handlers/ imports test/ or bench/', async (t) => {
  const bad = edges.filter((e) => /^(test|bench)\//.test(e.to)).map((e) => `${e.from} → ${e.to}`);
  t.strictSame(bad, []);
});

t.test('issue 14: the client, the contracts, the spec renderer and the simulators load no store and no metrics', async (t) => {
  for (const { entry, heavy, what } of LIGHT_ENTRIES) {
    const chains = runtimeClosure(edges, entry);
    const bad = [...chains.entries()].filter(([f]) => heavy(f)).map(([, chain]) => chain.join(' → '));
    t.strictSame(bad, [], `${entry}: ${what} (what it loads at run time; type-only imports are erased)`);
  }
});

t.test('issue 14: the rules can fail (a planted edge of each kind is caught)', async (t) => {
  const planted: Edge[] = [
    { from: 'protocol/frame.ts', to: 'src/store/types.ts', typeOnly: true },
    { from: 'handlers/balance.ts', to: 'src/server/connection.ts', typeOnly: false },
    { from: 'src/metrics.ts', to: 'prom-client', typeOnly: false },
    { from: 'handlers/contracts/balance.ts', to: 'src/store/queries/account.ts', typeOnly: false },
  ];
  for (const e of planted) {
    const rule = RULES.find((r) => r.from(e.from) && !(r.runtimeOnly && e.typeOnly) && (isFile(e.to) ? !r.mayImport(e.to) : !!r.packages && !r.packages(e.to)));
    t.ok(rule, `${e.from} → ${e.to} breaks a rule${rule ? `: ${rule.name}` : ''}`);
  }
  const cyc = findCycles([...edges, { from: 'src/store/types.ts', to: 'src/types.ts', typeOnly: true }]);
  t.ok(
    cyc.some((c) => c.includes('src/store/types.ts') && c.includes('src/types.ts')),
    `a planted cycle is reported: ${cyc.map((c) => c.join(' → ')).join('; ')}`,
  );
  const heavy = runtimeClosure([...edges, { from: 'src/client.ts', to: 'src/store/open.ts', typeOnly: false }], 'src/client.ts');
  t.ok([...heavy.keys()].some(LIGHT_ENTRIES[0].heavy), 'a planted store import of the client is caught');
});
