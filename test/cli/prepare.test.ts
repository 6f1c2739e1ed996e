// OP-01: `npm install` (or `npm ci`) on a fresh clone leaves a working command line. npm runs a
// package's `prepare` script after installing its dependencies, so `prepare` must build dist/;
// the build must put the bin where package.json says, executable, and the bin must run both
// directly (its shebang) and through npm's bin lookup (`npx bssgate`).
// The cheap way: the build itself is not re-run here (npm test's pretest just ran it).
import t from 'tap';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  scripts: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** The commands a script runs, following `npm run X` into X (one level is all package.json uses). */
function expand(script: string): string {
  return script.replace(/npm run ([\w:-]+)/g, (_, name: string) => pkg.scripts[name] ?? `<no script ${name}>`);
}

t.test('OP-01: prepare builds dist/ with tsc (typescript is installed by npm ci as a devDependency)', async (t) => {
  t.ok(pkg.scripts.prepare, 'package.json has a prepare script');
  const cmd = expand(pkg.scripts.prepare ?? '');
  t.match(cmd, /\btsc -p tsconfig\.build\.json\b/, `prepare compiles the sources: ${cmd}`);
  t.match(cmd, /chmodSync\('dist\/src\/cli\.js', 0o755\)/, 'and makes the bin executable');
  t.ok(pkg.devDependencies.typescript, 'tsc comes from a devDependency (present during npm install / npm ci)');
  const build = JSON.parse(readFileSync(join(root, 'tsconfig.build.json'), 'utf8')) as { extends: string; include: string[] };
  const base = JSON.parse(readFileSync(join(root, build.extends), 'utf8')) as { compilerOptions: { outDir: string; rootDir: string } };
  t.ok(build.include.includes('src'), 'the build compiles src/');
  t.equal(join(base.compilerOptions.outDir, 'src/cli.js'), pkg.bin.bssgate, 'src/cli.ts compiles to the path package.json bin names');
});

t.test('OP-01: the built bin runs directly and through npx', async (t) => {
  const bin = join(root, pkg.bin.bssgate);
  t.ok(existsSync(bin), `${pkg.bin.bssgate} exists`);
  if (!existsSync(bin)) return;
  t.ok((statSync(bin).mode & 0o111) !== 0, 'the bin is executable');
  t.match(readFileSync(bin, 'utf8').split('\n')[0], /^#!\/usr\/bin\/env node$/, 'with a node shebang');
  const direct = execFileSync(bin, ['--help'], { cwd: root, encoding: 'utf8', timeout: 20_000 });
  t.match(direct, /Usage: bssgate/, 'executed directly');
  const viaNode = execFileSync(process.execPath, [bin, 'db', '--help'], { cwd: root, encoding: 'utf8', timeout: 20_000 });
  t.match(viaNode, /Usage: bssgate db/, 'node dist/src/cli.js db --help');
  // An npm cache of its own: npx links the project into <cache>/_npx/<hash of its path>, and two
  // npx runs of one checkout at once raced on creating that directory ("ENOENT … package.json").
  // ignore_scripts: linking the project runs its `prepare` (the whole build) unless told not to,
  // and rewriting dist/ while other tests start the built CLI broke them ("does not provide an
  // export"); the bin lookup is what this checks, the build is npm test's pretest.
  const cache = mkdtempSync(join(tmpdir(), 'bssgate-npx-'));
  t.teardown(() => rmSync(cache, { recursive: true, force: true }));
  const distBefore = statSync(join(root, pkg.bin.bssgate)).mtimeMs;
  const npx = spawnSync('npx', ['--no-install', 'bssgate', '--help'], { cwd: root, encoding: 'utf8', timeout: 60_000, env: { ...process.env, npm_config_cache: cache, npm_config_ignore_scripts: 'true' } });
  t.equal(npx.status, 0, `npx bssgate --help: ${npx.stderr}`);
  t.match(npx.stdout, /Usage: bssgate/);
  t.equal(statSync(join(root, pkg.bin.bssgate)).mtimeMs, distBefore, 'npx did not rebuild dist/ under the other tests');
});
