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
    .option('--ports <list>', `default TCP ports of the dissector (its <proto>.ports preference; default ${DEFAULT_DISSECTOR_PORTS} for v1; required with --framing)`)
    .option('--framing <profile>', 'a dissector for this text framing profile (JSON, docs/framing.md) instead of v1, e.g. --framing config/framing/h2.json --ports 9931')
    .action(async (opts: { spec?: string; ports?: string; framing?: string }) => {
      if (opts.framing && !opts.ports) throw new Error('--framing needs --ports: the server port(s) of the interfaces speaking the profile ([interface.x] port)');
      opts.ports ??= DEFAULT_DISSECTOR_PORTS;
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
      if (opts.framing) {
        const { loadFramingProfile } = await import('../../protocol/framing/packet.js');
        const { renderTextDissector } = await import('./text-dissector.js');
        const profile = loadFramingProfile(opts.framing);
        // The header fields' docs (kept in the file, not in the loaded profile): shown as the fields' descriptions.
        const docs: Record<string, string> = {};
        const raw = JSON.parse(readFileSync(opts.framing, 'utf8')) as { header?: { name?: unknown; doc?: unknown }[] };
        for (const h of raw.header ?? []) if (typeof h.name === 'string' && typeof h.doc === 'string') docs[h.name] = h.doc;
        process.stdout.write(renderTextDissector(profile, spec, opts.ports, docs));
        return;
      }
      process.stdout.write(renderDissector(spec, opts.ports));
    });
}
