// `bssgate serve`: load the INI files and run them — in this process (src/serve.ts startGateway),
// or, with `[server] workers = N` > 1, as a node:cluster primary or one of its workers
// (src/cluster.ts). Kept apart from both so that neither imports the other's chooser.
import cluster from 'node:cluster';
import { loadConfig } from './config/load.js';
import { runPrimary, runWorker } from './cluster.js';
import { startGateway, summary, type Running } from './serve.js';
import { lockLogDir } from './log/dir-lock.js';

/**
 * The CLI entry: load the files, start, print the summary, stop on SIGTERM/SIGINT. With
 * [server] workers > 1: the cluster primary (prints the summary once every worker listens), or,
 * in a process the primary forked, a worker.
 */
export async function serveCommand(files: string[], out: NodeJS.WritableStream = process.stdout, opts: { portOffset?: string } = {}): Promise<Running | undefined> {
  const config = loadConfig(files, process.env, { portOffset: opts.portOffset });
  if (cluster.isWorker) return runWorker(config);
  // One gateway per [log] dir (src/log/dir-lock.ts): held by this process (the single one, or the
  // cluster primary) until it exits; a SIGKILL leaves it to be taken over by the next start.
  const release = lockLogDir(config.log);
  process.once('exit', release);
  if ((config.workers ?? 1) > 1) {
    await runPrimary(config, out);
    return undefined;
  }
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
