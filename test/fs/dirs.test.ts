// Issue 13 defect 9: the bounded mkdir -p (src/dirs.ts) behind every configured directory.
// fs.mkdir(…, { recursive: true }) never returns under /proc (ENOENT for the child, EEXIST for the
// parent, again and again); ensureDir/ensureDirSync end with the component and the OS reason.
import t, { type Test } from 'tap';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirectoryError, ensureDir, ensureDirSync } from '../../src/dirs.js';

const onLinux = process.platform === 'linux';

function base(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-dirs-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const both = [
  ['ensureDirSync', async (d: string) => ensureDirSync(d)],
  ['ensureDir', (d: string) => ensureDir(d)],
] as const;

for (const [name, make] of both) {
  t.test(`issue 13 defect 9: ${name} creates missing parents, accepts an existing directory`, async (t) => {
    const dir = base(t);
    const deep = join(dir, 'a', 'b', 'c');
    await make(deep);
    t.ok(statSync(deep).isDirectory(), 'created with its parents');
    await make(deep);
    t.pass('an existing directory is fine');
  });

  t.test(`issue 13 defect 9: ${name} under a regular file names the file (ENOTDIR)`, async (t) => {
    const dir = base(t);
    writeFileSync(join(dir, 'f'), 'x');
    const err = await Promise.resolve()
      .then(() => make(join(dir, 'f', 'sub', 'x')))
      .then(() => undefined, (e: unknown) => e);
    t.type(err, DirectoryError);
    t.match((err as DirectoryError).message, `${join(dir, 'f')} is a file, not a directory (ENOTDIR)`);
    t.equal((err as DirectoryError).code, 'ENOTDIR');
  });

  t.test(`issue 13 defect 9: ${name} through a dangling symbolic link ends with a reason`, async (t) => {
    const dir = base(t);
    symlinkSync(join(dir, 'gone'), join(dir, 'link'));
    const err = await Promise.resolve()
      .then(() => make(join(dir, 'link', 'x')))
      .then(() => undefined, (e: unknown) => e);
    t.type(err, DirectoryError);
    t.notOk(existsSync(join(dir, 'gone', 'x')), 'nothing created through the link');
  });

  t.test(`issue 13 defect 9: ${name} under /proc ends at once with ENOENT (fs.mkdir recursive spins for ever)`, { skip: !onLinux && 'needs procfs' }, async (t) => {
    const started = Date.now();
    const err = await Promise.resolve()
      .then(() => make('/proc/nope-bssgate/a/b'))
      .then(() => undefined, (e: unknown) => e);
    t.type(err, DirectoryError);
    t.match((err as DirectoryError).message, 'mkdir /proc/nope-bssgate: no such file or directory (ENOENT)');
    t.ok(Date.now() - started < 10_000, 'ends (bounded by the number of path components)');
  });
}

t.test('issue 13 defect 9: a directory created meanwhile by another process is accepted', async (t) => {
  const dir = base(t);
  mkdirSync(join(dir, 'x'));
  await Promise.all([ensureDir(join(dir, 'x', 'y')), ensureDir(join(dir, 'x', 'y')), Promise.resolve(ensureDirSync(join(dir, 'x', 'y')))]);
  t.ok(statSync(join(dir, 'x', 'y')).isDirectory());
});
