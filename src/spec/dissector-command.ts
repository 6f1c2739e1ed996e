// `bssgate dissector > bssgate.lua`: print the Wireshark dissector generated from the
// machine-readable spec: protocol/spec.json's content as this build generates it (the committed
// file is tested to be the same), or the spec.json given with --spec (a partner's copy).
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { CONTRACTS } from '../../handlers/contracts/index.js';
import { buildSpecJson } from './json.js';
import { DEFAULT_DISSECTOR_PORTS, renderDissector, type DissectorInput } from './dissector.js';

export function registerDissectorCommand(program: Command): void {
  program
    .command('dissector')
    .description('print a Wireshark Lua dissector generated from the machine-readable spec, e.g.: bssgate dissector > bssgate.lua (docs/integrators.md)')
    .option('--spec <file>', 'generate from this spec.json (default: the spec of this build, as protocol/spec.json)')
    .option('--ports <list>', 'default TCP ports of the dissector (its bssgate.ports preference)', DEFAULT_DISSECTOR_PORTS)
    .action((opts: { spec?: string; ports: string }) => {
      if (!/^\d{1,5}(-\d{1,5})?(,\d{1,5}(-\d{1,5})?)*$/.test(opts.ports)) throw new Error(`--ports "${opts.ports}": expected comma-separated ports or ranges a-b`);
      let spec: DissectorInput;
      if (opts.spec) {
        try {
          spec = JSON.parse(readFileSync(opts.spec, 'utf8')) as DissectorInput;
        } catch (err) {
          throw new Error(`--spec ${opts.spec}: ${(err as Error).message}`);
        }
      } else spec = buildSpecJson(CONTRACTS);
      // `bssgate dissector | head`: the reader leaving early is not an error.
      process.stdout.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EPIPE') throw err;
      });
      process.stdout.write(renderDissector(spec, opts.ports));
    });
}
