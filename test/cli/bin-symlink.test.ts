// The CLI's "am I the entry point?" check must work when started through a symlink, which is
// how npm installs package.json "bin" (node_modules/.bin/bssgate, npx, npm -g); it once ran nothing and exited 0.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, symlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const cli = resolve(import.meta.dirname, '../../dist/src/cli.js');

t.test('bssgate --help through a bin symlink prints the usage', { skip: existsSync(cli) ? false : 'run npm run build first' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-bin-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const link = join(dir, 'bssgate');
  symlinkSync(cli, link);
  const direct = execFileSync(process.execPath, [cli, '--help'], { encoding: 'utf8', timeout: 10_000 });
  t.match(direct, /Usage: bssgate/, 'direct invocation works');
  const viaLink = execFileSync(process.execPath, [link, '--help'], { encoding: 'utf8', timeout: 10_000 });
  t.match(viaLink, /Usage: bssgate/, `via symlink printed ${JSON.stringify(viaLink)}`);
});
