// OP-03 durability: the original day file is unlinked only after its .gz is complete and
// fsynced, and the rename into bak/ is fsynced (the directory), so a power loss at any point
// leaves the day's log or a complete archive of it. node:fs/promises is wrapped to record
// the order of the steps and to check the archive at the moment the original is removed.
import t from 'tap';
import * as realFs from 'node:fs/promises';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

t.test('the original is unlinked only after the .gz is complete, fsynced, renamed and bak/ fsynced', async (t) => {
  const steps: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-archive-'));
  const iface = join(dir, 'cs');
  mkdirSync(iface);
  const original = join(iface, 'query.1122');
  const content = Array.from({ length: 5000 }, (_, i) => `{"seq":${i},"msg":"request"}`).join('\n') + '\n';
  writeFileSync(original, content);
  const bak = join(iface, 'bak');
  const target = join(bak, 'query.1122.gz');
  let atUnlink: { gz: string; tmpGone: boolean } | undefined;

  const { Archiver } = await t.mockImport<typeof import('../../src/log/archive.js')>('../../src/log/archive.js', {
    'node:fs/promises': {
      ...realFs,
      open: async (path: string, flags: string) => {
        const fh = await realFs.open(path, flags);
        return {
          sync: async () => {
            steps.push(`fsync ${path}`);
            await fh.sync();
          },
          close: () => fh.close(),
        };
      },
      rename: async (from: string, to: string) => {
        steps.push(`rename ${from} -> ${to}`);
        await realFs.rename(from, to);
      },
      unlink: async (path: string) => {
        steps.push(`unlink ${path}`);
        if (path === original) {
          // What a crash right now would leave in bak/: it must be the whole day, decompressible.
          atUnlink = {
            gz: gunzipSync(readFileSync(target)).toString('utf8'),
            tmpGone: !(await realFs.stat(`${target}.tmp`).then(() => true, () => false)),
          };
        }
        await realFs.unlink(path);
      },
    },
  });

  const errors: Error[] = [];
  const a = new Archiver({ now: () => Date.now(), date: () => new Date() }, 30, { onError: (e) => void errors.push(e) });
  a.enqueue(original);
  await a.idle();

  t.same(errors, [], 'no error reported');
  const expected = [
    `fsync ${target}.tmp`,
    `rename ${target}.tmp -> ${target}`,
    ...(process.platform === 'win32' ? [] : [`fsync ${bak}`]),
    `unlink ${original}`,
  ];
  t.same(steps, expected, 'fsync the .gz, rename, fsync bak/, and only then unlink the original');
  t.ok(atUnlink, 'the original was unlinked');
  t.equal(atUnlink?.gz, content, 'when the original is removed, the .gz already holds the whole day');
  t.equal(atUnlink?.tmpGone, true, 'and is in place under its final name');
});

t.test('when the fsync fails, the original is kept and the error reported', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-archive-'));
  const iface = join(dir, 'cs');
  mkdirSync(iface);
  const original = join(iface, 'ans.1122');
  writeFileSync(original, 'line\n');
  const { Archiver } = await t.mockImport<typeof import('../../src/log/archive.js')>('../../src/log/archive.js', {
    'node:fs/promises': {
      ...realFs,
      open: async (path: string, flags: string) => {
        const fh = await realFs.open(path, flags);
        return {
          sync: async () => {
            throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
          },
          close: () => fh.close(),
        };
      },
    },
  });
  const errors: Error[] = [];
  const a = new Archiver({ now: () => Date.now(), date: () => new Date() }, 30, { onError: (e) => void errors.push(e) });
  a.enqueue(original);
  await a.idle();
  t.match(errors, [{ code: 'EIO' }], 'the fsync failure is reported');
  t.equal(readFileSync(original, 'utf8'), 'line\n', 'the original is still there');
});
