// How every bssgate command is told its configuration (README "Command line"): `-c FILE`, once
// per file (`-c h.ini -c qhjfk.ini`), never a default — no command reads h.ini.example or a
// default port it was not given. serve, scan, db init and shadow also take the files as their arguments
// (their only ones, so the older form is unambiguous). Light: commander only.
import { Option, type Command } from 'commander';

export const CONFIG_RULE = 'configuration files are given with -c FILE, once per file (-c h.ini -c qhjfk.ini); no command reads a default file';

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** `-c, --config <file>`: one file, repeatable; never variadic (the words after it stay arguments). */
export function configOption(what: string): Option {
  return new Option('-c, --config <file>', `INI file ${what}; repeat for several (-c h.ini -c qhjfk.ini)`).argParser(collect);
}

/** `--port-offset <n>`: shifts every listening port of the -c files (wins over BSSGATE_PORT_OFFSET). */
export function portOffsetOption(): Option {
  return new Option('--port-offset <n>', 'add N to every port of the configuration files (as BSSGATE_PORT_OFFSET, which it overrides)');
}

/** A word that looks like an INI file where a -c was probably meant (the old variadic `-c a.ini b.ini`). */
export function strayConfigHint(word: string): string | undefined {
  return /\.ini(\.example)?$/i.test(word) ? `"${word}" looks like a configuration file: -c takes one file; repeat it for several (-c a.ini -c ${word})` : undefined;
}

/**
 * The files of a command that needs a configuration: its -c files, plus (serve, scan, db init) its
 * file arguments. None: an error saying how to give them, never a default.
 */
export function requireConfig(command: string, opts: { config?: string[] }, positional: string[] = []): string[] {
  const files = [...(opts.config ?? []), ...positional];
  if (files.length === 0) {
    throw new Error(`${command}: no configuration file given: ${CONFIG_RULE} (the demo's is h.ini.example: bssgate ${command} -c h.ini.example)`);
  }
  return files;
}

/** Refuse words a command does not take, saying what they look like (a file meant for -c). */
export function noStrayArguments(cmd: Command): Command {
  return cmd.allowExcessArguments(true).hook('preAction', (_this, action) => {
    const expected = action.registeredArguments.length;
    const extra = action.registeredArguments.some((a) => a.variadic) ? [] : action.args.slice(expected);
    if (extra.length === 0) return;
    throw new Error(strayConfigHint(extra[0]) ?? `${action.name()}: unexpected argument "${extra[0]}" (see bssgate ${action.name()} --help)`);
  });
}
