// Issue 14 item 4: importing a module does nothing. What an integrator imports — the client — and
// the spec renderer are imported in a fresh node process (the built dist/, as `npm test` builds
// first), with a resolve hook recording every module the process loads: no database driver
// (better-sqlite3, pg, oracledb), no prom-client, no logger, none of src/store/ and no metrics.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(import.meta.dirname, '../..');

const HOOKS = `
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(process.env.BSSGATE_LOADED, r.url + '\\n');
  return r;
}
`;

const DRIVERS = ['better-sqlite3', 'pg', 'oracledb', 'prom-client', 'pino'];
/** The CLI logs (pino) for the commands that run long; `call` and `spec` must still load no store and no metrics. */
const CLI_HEAVY = DRIVERS.filter((d) => d !== 'pino');

/**
 * Every module a fresh `node` loads (ESM through the resolve hook, CommonJS from require.cache at
 * exit) to import `file`, or, with `args`, to run `node file ...args`.
 */
function loadedBy(dir: string, file: string, args?: string[]): { modules: string[]; stderr: string; status: number | null } {
  const hooks = join(dir, 'hooks.mjs');
  const register = join(dir, 'register.mjs');
  const out = join(dir, 'loaded.txt');
  writeFileSync(hooks, HOOKS);
  writeFileSync(
    register,
    `import { register, createRequire } from 'node:module';
import { appendFileSync } from 'node:fs';
register(${JSON.stringify(pathToFileURL(hooks).href)});
process.on('exit', () => appendFileSync(process.env.BSSGATE_LOADED, Object.keys(createRequire(import.meta.url).cache).join('\\n') + '\\n'));
`,
  );
  writeFileSync(out, '');
  const argv = args ? [file, ...args] : ['--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(file).href)});`];
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(register).href, ...argv], {
    cwd: root,
    env: { ...process.env, BSSGATE_LOADED: out },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const modules = readFileSync(out, 'utf8').split('\n').filter(Boolean);
  return { modules, stderr: r.stderr, status: r.status };
}

/**
 * The modules of `modules` that must not load: the packages, src/store/ (but its table definitions,
 * schema.js, and its error classification, errors.js: both import protocol/ at most, and the CLI's
 * switch simulator shares the scanner's file delivery, which describes errors with errors.js), and
 * the metrics.
 */
function heavy(modules: string[], packages: readonly string[] = DRIVERS): string[] {
  return modules.filter(
    (m) =>
      packages.some((d) => m.includes(`/node_modules/${d}/`)) ||
      (/\/dist\/src\/store\//.test(m) && !m.endsWith('/dist/src/store/schema.js') && !m.endsWith('/dist/src/store/errors.js')) ||
      /\/dist\/src\/(metrics|prometheus)\.js$/.test(m),
  );
}

// Issue 18: the machine-readable spec and the dissector generator are as light as the renderer.
for (const entry of ['dist/src/client.js', 'dist/src/spec/render.js', 'dist/src/spec/json.js', 'dist/src/spec/dissector.js', 'dist/src/spec/text-dissector.js']) {
  t.test(`issue 14: importing ${entry} loads no database driver, no prom-client, no store, no metrics`, async (t) => {
    const file = join(root, entry);
    if (!existsSync(file)) return t.fail(`${entry} is missing: run npm run build first`);
    const r = loadedBy(t.testdir(), file);
    t.equal(r.status, 0, `the import succeeded${r.stderr ? `: ${r.stderr}` : ''}`);
    t.ok(r.modules.some((m) => m.endsWith(entry.replace(/^dist/, '/dist'))), `the hook saw ${entry} itself (${r.modules.length} modules)`);
    t.strictSame(heavy(r.modules), [], 'modules it must not load');
  });
}

t.test('issue 14: the check sees a driver and prom-client where they are loaded (the gateway)', async (t) => {
  const file = join(root, 'dist/src/serve.js');
  if (!existsSync(file)) return t.fail('dist/src/serve.js is missing: run npm run build first');
  const r = loadedBy(t.testdir(), file);
  t.equal(r.status, 0, `the import succeeded${r.stderr ? `: ${r.stderr}` : ''}`);
  const found = heavy(r.modules);
  for (const d of ['better-sqlite3', 'pg', 'prom-client']) t.ok(found.some((m) => m.includes(`/node_modules/${d}/`)), `${d} is seen`);
});

t.test('issue 14, issue 18: `bssgate call`, `bssgate spec --check` and `bssgate dissector` load no database driver, no prom-client, no store, no metrics', async (t) => {
  const cli = join(root, 'dist/src/cli.js');
  if (!existsSync(cli)) return t.fail('dist/src/cli.js is missing: run npm run build first');
  // Port 1 on 127.0.0.1: nothing listens, the call fails at connect (exit 1) after loading all it needs.
  const call = loadedBy(t.testdir(), cli, ['call', '127.0.0.1:1', 'balance', 'svcnum=13900000000', '--timeout', '2000']);
  t.equal(call.status, 1, `call exits 1: nothing listens (${call.stderr.trim()})`);
  t.ok(call.modules.some((m) => m.endsWith('/dist/src/client.js')), 'the call loaded the client');
  t.strictSame(heavy(call.modules, CLI_HEAVY), [], 'bssgate call: modules it must not load');
  const spec = loadedBy(t.testdir(), cli, ['spec', '--check']);
  t.equal(spec.status, 0, `spec --check: ${spec.stderr.trim()}`);
  t.strictSame(heavy(spec.modules, CLI_HEAVY), [], 'bssgate spec: modules it must not load');
  t.ok(spec.modules.some((m) => m.endsWith('/dist/src/spec/json.js')), 'spec --check built spec.json');
  const dissector = loadedBy(t.testdir(), cli, ['dissector']);
  t.equal(dissector.status, 0, `dissector: ${dissector.stderr.trim()}`);
  t.strictSame(heavy(dissector.modules, CLI_HEAVY), [], 'bssgate dissector: modules it must not load');
  const textDissector = loadedBy(t.testdir(), cli, ['dissector', '--framing', join(root, 'config/framing/h2.json'), '--ports', '9931']);
  t.equal(textDissector.status, 0, `dissector --framing: ${textDissector.stderr.trim()}`);
  t.strictSame(heavy(textDissector.modules, CLI_HEAVY), [], 'bssgate dissector --framing: modules it must not load');
});
