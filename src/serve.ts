// `bssgate serve`: config → logs → store (schema and demo data when configured and missing) →
// one listener per interface → SIGTERM/SIGINT stop accepting, answer what is in flight, exit.
import { loadConfig } from './config/load.js';
import type { Config } from './config/types.js';
import { createLogs, type Logs } from './log/index.js';
import { openStore } from './store/open.js';
import { ensureDatabase } from './store/init.js';
import { demoFixtures } from './store/demo.js';
import type { AdminStore } from './store/types.js';
import { Gateway, type BoundInterface } from './server/gateway.js';
import { HANDLERS } from '../handlers/index.js';
import { systemClock, type Clock } from './types.js';
import { GatewayError, RETURN_CODES } from '../protocol/return-codes.js';

/** How often the start-up schema check is retried while the database does not answer. */
const DB_RECHECK_MS = 5_000;

export interface Running {
  config: Config;
  gateway: Gateway;
  bound: BoundInterface[];
  store: AdminStore;
  logs: Logs;
  /** Graceful stop; resolves when every connection is closed and the logs are flushed. */
  stop(): Promise<void>;
}

export async function startGateway(config: Config, opts: { clock?: Clock } = {}): Promise<Running> {
  const clock = opts.clock ?? systemClock;
  const logs = createLogs(config.log, { clock });
  let opened: AdminStore | undefined;
  try {
    const store = await openStore(config.database, logs.main);
    opened = store;
    // The schema check (and, on an empty database, the schema and demo data) needs the database.
    // A database that does not answer at start is not a reason to exit (a supervisor would
    // restart us in a loop): the gateway serves, every request that needs the database gets 9001,
    // and the check is retried until the database answers.
    const check = async (): Promise<void> => {
      const t0 = performance.now();
      const init = await ensureDatabase(store, {
        demoSubscribers: config.database.demoSubscribers,
        demoSeed: config.database.demoSeed,
        passwordStorage: config.database.passwordStorage,
        now: clock.date(),
        log: logs.main,
      });
      if (init.created) {
        logs.main.info({ ms: Math.round(performance.now() - t0), subscribers: config.database.demoSubscribers }, 'database created');
      }
    };
    let retry: NodeJS.Timeout | undefined;
    let stopped = false;
    try {
      await check();
    } catch (err) {
      if (!(err instanceof GatewayError && err.code === RETURN_CODES.DATABASE_UNAVAILABLE.code)) throw err;
      logs.main.error({ err: err.message }, 'database unavailable at start: serving, answering 9001 until it answers; schema check retried every 5 s');
      const again = () => {
        retry = setTimeout(() => {
          check().then(
            () => logs.main.info('database answers: schema check done'),
            (e: unknown) => {
              if (stopped) return;
              if (e instanceof GatewayError && e.code === RETURN_CODES.DATABASE_UNAVAILABLE.code) again();
              else logs.main.fatal({ err: e }, 'schema check failed after the database came back');
            },
          );
        }, DB_RECHECK_MS);
        retry.unref();
      };
      again();
    }
    const gateway = new Gateway({ config, store, logs, clock, handlers: HANDLERS });
    const bound = await gateway.start();
    let stopping: Promise<void> | undefined;
    return {
      config,
      gateway,
      bound,
      store,
      logs,
      stop() {
        stopping ??= (async () => {
          stopped = true;
          if (retry) clearTimeout(retry);
          await gateway.stop();
          await store.close().catch((err: unknown) => logs.main.error({ err }, 'closing the store'));
          await logs.close();
        })();
        return stopping;
      },
    };
  } catch (err) {
    await opened?.close().catch(() => undefined);
    logs.main.fatal({ err }, 'cannot start');
    await logs.close();
    throw err;
  }
}

/** The CLI entry: load the files, start, print the summary, stop on SIGTERM/SIGINT. */
export async function serveCommand(files: string[], out: NodeJS.WritableStream = process.stdout): Promise<Running> {
  const config = loadConfig(files);
  const running = await startGateway(config);
  out.write(summary(running));
  const onSignal = (sig: string) => {
    running.logs.main.info({ signal: sig }, 'signal received');
    running.stop().then(
      () => process.exit(0),
      (err) => {
        process.stderr.write(`bssgate: error while stopping: ${(err as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  process.once('SIGINT', () => onSignal('SIGINT'));
  return running;
}

/** Last month's billing cycle YYYYMM (complete, so its detail has records). */
function previousCycle(): string {
  const d = new Date();
  const p = new Date(d.getFullYear(), d.getMonth() - 1, 1);
  return `${p.getFullYear()}${String(p.getMonth() + 1).padStart(2, '0')}`;
}

export function summary(r: Running): string {
  const lines = [`bssgate ready (database: ${r.config.database.type}${r.config.database.path ? ' ' + r.config.database.path : ''})`];
  for (const b of r.bound) {
    lines.push(`  ${b.name.padEnd(8)} ${b.kind.padEnd(6)} ${b.host}:${b.port}  serves ${b.serves.join(', ')}`);
  }
  const first = r.bound[0];
  if (first) {
    lines.push(
      '',
      'Try it (in another terminal, in this directory):',
      `  node dist/src/cli.js call ${first.host}:${first.port} connection-check`,
      `  (the same: npx bssgate call ${first.host}:${first.port} connection-check)`,
    );
  }
  if (r.config.database.demoSubscribers > 0) {
    // The demo's well-known subscribers are computed from the seed, without reading the database.
    const fx = demoFixtures(r.config.database.demoSeed);
    lines.push(
      '',
      `Demo data: ${r.config.database.demoSubscribers} subscribers (seed ${r.config.database.demoSeed}); e.g. ${fx.first.svcnum} with service password ${fx.first.password}.`,
      `  node dist/src/cli.js db fixtures --seed ${r.config.database.demoSeed}   lists the others`,
    );
    // One call per interface for that subscriber (README "Try it").
    const demoCalls: Record<string, string> = {
      cs: `balance svcnum=${fx.first.svcnum}`,
      card: `card-verify svcnum=${fx.first.svcnum} password=${fx.first.password}`,
      print: `print-monthly-detail svcnum=${fx.first.svcnum} password=${fx.first.password} cycle=${previousCycle()} offset=0 limit=5`,
      sms: `sms-realtime-fees svcnum=${fx.first.svcnum}`,
    };
    for (const b of r.bound) {
      const call = demoCalls[b.kind];
      if (call && b.serves.length > 1) lines.push(`  node dist/src/cli.js call ${b.host}:${b.port} ${call}`);
    }
  }
  lines.push('', 'Stop with Ctrl-C (SIGINT) or SIGTERM: requests in flight are answered first.', '');
  return lines.join('\n');
}
