// `bssgate db …`: the schema for DBAs and the demo database for developers.
//   bssgate db ddl --dialect oracle [--month YYYYMM]   print the DDL (no database needed)
//   bssgate db init [--demo N] [--seed S] [--force] [--now ISO] [config.ini…]
//   bssgate db fixtures [--seed S]                     the well-known demo subscribers and their passwords
import type { Command } from 'commander';
import pino, { type Logger } from 'pino';
import { DEFAULT_SQLITE_PATH } from '../config/keys.js';
import type { Config, DatabaseConfig } from '../config/types.js';
import type { AdminStore } from './types.js';
import { TICKET_KINDS } from './schema.js';
import { renderDdlScript, renderTicketDdl, type Dialect } from './ddl.js';
import { initDatabase } from './init.js';
import { demoFixtures, MAX_DEMO_SUBSCRIBERS } from './demo.js';

export interface DbCommandDeps {
  loadConfig(files: string[]): Config;
  openStore(cfg: DatabaseConfig, log: Logger): Promise<AdminStore>;
  /** Where results go (default process.stdout); tests capture it. */
  out?: (text: string) => void;
  /** Logger for progress (default pino at info on stderr). */
  log?: Logger;
}

import { configOption, requireConfig } from '../config/cli-options.js';

function intArg(name: string, min: number, max: number) {
  return (v: string): number => {
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new Error(`${name} must be an integer ${min}…${max}, got "${v}"`);
    return Number(v);
  };
}

export function registerDbCommands(program: Command, deps: DbCommandDeps): Command {
  const out = deps.out ?? ((s: string) => void process.stdout.write(s));
  const db = program.command('db').description('database schema and demo data');

  db.command('ddl')
    .description('print the DDL of the schema for a dialect (docs/oracle-ddl.sql is the oracle one)')
    .requiredOption('--dialect <dialect>', 'sqlite, postgres or oracle')
    .option('--month <yyyymm>', "print only one month's ticket tables instead")
    .action((opts: { dialect: string; month?: string }) => {
      const d = opts.dialect;
      if (d !== 'sqlite' && d !== 'postgres' && d !== 'oracle') throw new Error(`--dialect must be sqlite, postgres or oracle, got "${d}"`);
      if (opts.month !== undefined) {
        const month = opts.month;
        out(TICKET_KINDS.flatMap((k) => renderTicketDdl(k, month, d as Dialect)).map((s) => `${s};\n`).join(''));
      } else out(renderDdlScript(d));
    });

  db.command('init')
    .description('create the schema (and demo data) in the configured database')
    .argument('[files...]', 'the same files as arguments (the older form)')
    .addOption(configOption('naming the database'))
    .option('--demo <n>', 'demo subscribers (default: the config database.demo_subscribers)', intArg('--demo', 0, MAX_DEMO_SUBSCRIBERS))
    .option('--seed <s>', 'demo seed (default: the config database.demo_seed)', intArg('--seed', 0, 0xffffffff))
    .option('--force', 'drop the tables bssgate created and start over (destroys their data; refused on an adopted legacy database)')
    .option('--now <time>', 'the instant month-dependent demo data is relative to (default: now)')
    .action(async (args: string[], opts: { demo?: number; seed?: number; force?: boolean; now?: string; config?: string[] }) => {
      const cfg = deps.loadConfig(requireConfig('db init', opts, args));
      const now = opts.now ? new Date(opts.now) : new Date();
      if (Number.isNaN(now.getTime())) throw new Error(`--now: not a time: "${opts.now}"`);
      const log = deps.log ?? pino({ level: 'info' }, pino.destination(2));
      const demo = opts.demo ?? cfg.database.demoSubscribers;
      const seed = opts.seed ?? cfg.database.demoSeed;
      const store = await deps.openStore(cfg.database, log);
      try {
        const r = await initDatabase(store, { demo, seed, now, force: opts.force, log, passwordStorage: cfg.database.passwordStorage });
        const where = cfg.database.type === 'sqlite' ? cfg.database.path ?? DEFAULT_SQLITE_PATH : cfg.database.type;
        if (!r.created) {
          // --force is refused on an adopted legacy database (init.ts), so the hint says where it applies.
          out(`database ${where} is already initialised; nothing done (use --force to start over on a database bssgate created)\n`);
          return;
        }
        const rows = r.demo ? Object.values(r.demo.rows).reduce((a, b) => a + b, 0) : 0;
        out(
          `${r.mode === 'adopted' ? 'added bssgate tables to the legacy schema' : 'created the schema'} in ${where} (${store.dialect})` +
            (r.demo ? `: ${demo} demo subscribers (seed ${seed}), ${rows} rows` : '') +
            ` in ${r.seconds.toFixed(1)} s\n`,
        );
      } finally {
        await store.close();
      }
    });

  db.command('fixtures')
    .description('print the well-known demo subscribers (numbers, plain passwords) of a seed as JSON')
    .option('--seed <s>', 'demo seed', intArg('--seed', 0, 0xffffffff), 1)
    .action((opts: { seed: number }) => {
      const f = demoFixtures(opts.seed);
      const { all: _all, ...named } = f;
      out(`${JSON.stringify(named, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`);
    });

  return db;
}
