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
 * The store as a client must not load it: drivers, queries, the group commit. Not the table
 * definitions (src/store/schema.ts, no imports of its own) nor the error classification
 * (src/store/errors.ts: SQLSTATE / ORA- codes, `describe()`, imports protocol/ only), which the
 * scanner's file delivery shares with the switch simulator. The code tables whose meanings the
 * layouts' code fields list are src/domain/codes.ts, with the status transition table beside them.
 */
const STORE = (f: string) => (f.startsWith('src/store/') && f !== 'src/store/schema.ts' && f !== 'src/store/errors.ts') || oneOf('pg', 'better-sqlite3', 'oracledb')(f);
/** The domain's tables (codes, status transitions): they import only each other. */
const DOMAIN_TABLES = oneOf('src/domain/codes.ts', 'src/domain/transitions.ts');
/** The code of a business function (handlers/<function>.ts), not its contract or the kit. */
const HANDLER_CODE = (f: string) => /^handlers\/[^/]+\.ts$/.test(f);
/** The process wiring: what starts and serves; nothing below imports it. */
const WIRING = oneOf('src/serve.ts', 'src/serve-command.ts', 'src/cluster.ts', 'src/cli.ts', 'src/admin.ts', 'src/dispatch.ts', 'src/prometheus.ts');
const METRICS = oneOf('src/metrics.ts', 'src/prometheus.ts', 'prom-client');
/** The entry points that run without a database and without metrics, and what each must never load at run time. */
const LIGHT_ENTRIES: readonly { entry: string; heavy: (f: string) => boolean; what: string }[] = [
  { entry: 'src/client.ts', heavy: anyOf(STORE, METRICS, oneOf('pino')), what: 'no store, no metrics, no logger' },
  { entry: 'src/text-client.ts', heavy: anyOf(STORE, METRICS, oneOf('pino')), what: 'no store, no metrics, no logger' },
  { entry: 'src/spec/render.ts', heavy: anyOf(STORE, METRICS, oneOf('pino')), what: 'no store, no metrics, no logger' },
  { entry: 'handlers/contracts/index.ts', heavy: anyOf(STORE, METRICS, oneOf('pino'), under('src/server/'), (f) => /^handlers\/[^/]+\.ts$/.test(f)), what: 'no store, no metrics, no handler code' },
  { entry: 'src/sim/card.ts', heavy: anyOf(STORE, METRICS), what: 'no store (it is handed one), no metrics' },
  { entry: 'src/sim/switch.ts', heavy: anyOf(STORE, METRICS), what: 'no store, no metrics' },
  {
    entry: 'src/shadow/index.ts',
    heavy: anyOf(STORE, oneOf('src/metrics.ts', 'src/prometheus.ts'), HANDLER_CODE, under('src/server/')),
    what: "no store, not the gateway's metrics (its own prom-client Registry), no handler code",
  },
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
    name: 'src/store/ imports protocol/, src/config/, src/store/, the domain tables (codes, status transitions), and the clock, time, directory and metric cells; never handlers/, the posting domain, the handler contracts or the server',
    from: under('src/store/'),
    mayImport: anyOf(under('protocol/'), under('src/config/'), under('src/store/'), DOMAIN_TABLES, oneOf('src/clock.ts', 'src/time.ts', 'src/random.ts', 'src/dirs.ts', 'src/metrics.ts', 'src/log/redact.ts')),
  },
  {
    name: 'src/log/ imports protocol/, src/config/, src/log/, the clock and the directory helper; never the handler contracts, handlers/ or the server',
    from: under('src/log/'),
    mayImport: anyOf(under('protocol/'), under('src/config/'), under('src/log/'), oneOf('src/clock.ts', 'src/time.ts', 'src/dirs.ts')),
  },
  {
    name: 'handlers/ import protocol/, handlers/, the handler contracts and helpers (src/types.ts, src/context.ts, src/clock.ts, src/time.ts), src/store/, src/config/ and the metric cells; never the server, the dispatcher or the process wiring',
    from: under('handlers/'),
    mayImport: anyOf(
      under('protocol/'),
      under('handlers/'),
      under('src/store/'),
      under('src/config/'),
      under('src/domain/'),
      oneOf('src/types.ts', 'src/context.ts', 'src/clock.ts', 'src/time.ts', 'src/metrics.ts', 'src/idempotency.ts', 'src/kept-refusal.ts', 'src/log/posting-journal.ts'),
    ),
  },
  {
    name: 'handlers/contracts/ (the wire contract of each function) loads protocol/, handlers/contracts/, the field kit and the domain tables (codes, status transitions); no store, no handler code (types of other layers may be named: erased)',
    from: under('handlers/contracts/'),
    mayImport: (to) => anyOf(under('protocol/'), under('handlers/contracts/'), oneOf('handlers/kit/fields.ts', 'handlers/kit/detail-fields.ts', 'handlers/kit/lockout.ts'), DOMAIN_TABLES)(to),
    runtimeOnly: true,
  },
  {
    name: 'the field kit the contracts use (handlers/kit/fields.ts, detail-fields.ts, lockout.ts) loads protocol/ and the domain code tables only',
    from: oneOf('handlers/kit/fields.ts', 'handlers/kit/detail-fields.ts', 'handlers/kit/lockout.ts'),
    mayImport: anyOf(under('protocol/'), oneOf('handlers/kit/fields.ts', 'handlers/kit/detail-fields.ts'), DOMAIN_TABLES),
    runtimeOnly: true,
  },
  {
    name: 'the domain tables (src/domain/codes.ts, transitions.ts) import only each other',
    from: DOMAIN_TABLES,
    mayImport: DOMAIN_TABLES,
    packages: () => false,
  },
  {
    name: "src/domain/ (the posting domain) imports protocol/, src/domain/, src/store/, src/config/, the helpers of src/ and the handler kit's narrow lookups (subscriber, business record, real-time balance); never a handler's code, the server, the dispatcher or the wiring",
    from: under('src/domain/'),
    mayImport: anyOf(
      under('protocol/'),
      under('src/domain/'),
      under('src/store/'),
      under('src/config/'),
      oneOf('handlers/kit/subscriber.ts', 'handlers/kit/business-record.ts', 'handlers/kit/realtime-balance.ts', 'handlers/kit/fields.ts'),
      oneOf('src/types.ts', 'src/context.ts', 'src/clock.ts', 'src/time.ts', 'src/idempotency.ts', 'src/kept-refusal.ts', 'src/log/posting-journal.ts'),
    ),
  },
  {
    name: "src/reconcile/ (PC-07, PC-08) posts through src/domain/ and reads through the store and the kit's subscriber lookup; never a handler's code, the server, the dispatcher or the wiring",
    from: under('src/reconcile/'),
    mayImport: (to) => !HANDLER_CODE(to) && !to.startsWith('handlers/contracts/') && !under('src/server/')(to) && !under('src/shadow/')(to) && !WIRING(to) && !(to.startsWith('handlers/kit/') && to !== 'handlers/kit/subscriber.ts'),
  },
  {
    name: "src/shadow/ (the mirroring proxy) imports protocol/, the contracts' layouts, src/config/, src/log/ and src/shadow/; never the store, a handler's code, the server, the dispatcher or the gateway's metrics",
    from: under('src/shadow/'),
    mayImport: anyOf(under('protocol/'), under('handlers/contracts/'), under('src/config/'), under('src/log/'), under('src/shadow/'), oneOf('src/types.ts', 'src/clock.ts', 'src/time.ts', 'handlers/kit/fields.ts', 'handlers/kit/detail-fields.ts', 'handlers/kit/lockout.ts'), DOMAIN_TABLES),
  },
  {
    name: 'src/server/ (sockets) imports protocol/, src/server/, the dispatcher and lower layers; never handlers/ directly',
    from: under('src/server/'),
    mayImport: (to) => !to.startsWith('handlers/') && !oneOf('src/serve.ts', 'src/serve-command.ts', 'src/cluster.ts', 'src/cli.ts', 'src/client.ts')(to),
  },
  {
    name: "the metric cells (src/metrics.ts) do not load prom-client; only src/prometheus.ts does (and src/shadow/metrics.ts, the shadow proxy's own Registry)",
    from: (f) => f !== 'src/prometheus.ts' && f !== 'src/shadow/metrics.ts',
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
    { from: 'src/domain/codes.ts', to: 'src/store/schema.ts', typeOnly: false },
    { from: 'src/domain/posting.ts', to: 'handlers/payment.ts', typeOnly: false },
    { from: 'src/reconcile/rules.ts', to: 'src/dispatch.ts', typeOnly: false },
    { from: 'src/shadow/relay.ts', to: 'handlers/index.ts', typeOnly: false },
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
