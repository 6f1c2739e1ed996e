// `bssgate spec`: rewrite the generated parts of protocol/SPEC.md and the whole of
// protocol/spec.json from the handler layouts (the contracts: no store is loaded); `--check`
// only reports whether both are current (exit 1 when not).
import type { Command } from 'commander';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CONTRACTS } from '../../handlers/contracts/index.js';
import { updateSpec } from './render.js';
import { shippedProfiles } from '../server/framing-vectors.js';
import { renderSpecJson } from './json.js';

export function registerSpecCommand(program: Command): void {
  program
    .command('spec')
    .description('rewrite the generated parts of protocol/SPEC.md and protocol/spec.json from the handler layouts (--check: only report whether both are current)')
    .option('--file <path>', 'the spec file', 'protocol/SPEC.md')
    .option('--json <path>', 'the machine-readable spec (default: spec.json beside --file)')
    .option('--check', 'exit 1 when a file is not current, change nothing')
    .option('--root <dir>', 'the directory holding config/framing/ (section 10: the shipped text framing profiles)', '.')
    .action(async (opts: { file: string; json?: string; check?: boolean; root: string }) => {
      const jsonFile = opts.json ?? join(dirname(opts.file), 'spec.json');
      const files: { path: string; old: string; fresh: string }[] = [];
      const old = readFileSync(opts.file, 'utf8');
      files.push({ path: opts.file, old, fresh: await updateSpec(old, CONTRACTS, shippedProfiles(opts.root)) });
      files.push({ path: jsonFile, old: existsSync(jsonFile) ? readFileSync(jsonFile, 'utf8') : '', fresh: renderSpecJson(CONTRACTS) });
      if (opts.check) {
        const stale = files.filter((f) => f.fresh !== f.old).map((f) => f.path);
        if (stale.length > 0) throw new Error(`${stale.join(' and ')} ${stale.length > 1 ? 'are' : 'is'} not current: run 'npm run spec'`);
        process.stdout.write(`${files.map((f) => f.path).join(' and ')} are current\n`);
        return;
      }
      for (const f of files) {
        if (f.fresh !== f.old) writeFileSync(f.path, f.fresh);
        process.stdout.write(`${f.path} ${f.fresh === f.old ? 'was already current' : 'rewritten'}\n`);
      }
    });
}
