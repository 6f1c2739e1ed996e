// `bssgate shadow <ini>` and `bssgate shadow report <dir>` (issue 16; docs/shadow.md).
import type http from 'node:http';
import pino, { type Logger } from 'pino';
import { loadShadowConfig, type ShadowConfig } from './config.js';
import { ShadowMetrics } from './metrics.js';
import { ShadowRelay } from './relay.js';
import { readSummaries, reportText } from './report.js';

export { loadShadowConfig } from './config.js';
export type { ShadowConfig, ShadowInterface } from './config.js';

export interface RunningShadow {
  relays: ShadowRelay[];
  /** Bound listen port per shadow name. */
  ports: Record<string, number>;
  metrics: ShadowMetrics;
  admin?: http.Server;
  adminPort?: number;
  stop(): Promise<void>;
}

export async function startShadow(cfg: ShadowConfig, log: Logger = pino({ level: cfg.logLevel }, pino.destination(2))): Promise<RunningShadow> {
  const metrics = new ShadowMetrics();
  const relays: ShadowRelay[] = [];
  const ports: Record<string, number> = {};
  let admin: http.Server | undefined;
  const stop = async () => {
    await Promise.all(relays.map((r) => r.stop()));
    if (admin) await new Promise<void>((resolve) => admin!.close(() => resolve()));
  };
  try {
    for (const sh of cfg.shadows) {
      const r = new ShadowRelay(sh, metrics, log);
      relays.push(r);
      ports[sh.name] = await r.start();
    }
    if (cfg.admin) admin = await metrics.listen(cfg.admin.host, cfg.admin.port);
  } catch (err) {
    await stop();
    throw err;
  }
  const adminPort = admin ? (admin.address() as { port: number }).port : undefined;
  return { relays, ports, metrics, admin, adminPort, stop };
}

/** `bssgate shadow <ini…>`: run until SIGTERM/SIGINT, then write the summaries. */
export async function shadowCommand(files: string[], out: NodeJS.WritableStream = process.stdout): Promise<RunningShadow> {
  const cfg = loadShadowConfig(files);
  const running = await startShadow(cfg);
  for (const sh of cfg.shadows) {
    out.write(
      `shadow ${sh.name}: listening on ${sh.listen.host}:${running.ports[sh.name]}, primary ${sh.primary.host}:${sh.primary.port}, ` +
        `candidate ${sh.candidate.host}:${sh.candidate.port}${sh.secondary ? `, secondary ${sh.secondary.host}:${sh.secondary.port}` : ''}, ` +
        `framing ${sh.framing.name}, ${sh.mirror.length} business types mirrored, report in ${sh.reportDir}\n`,
    );
  }
  if (running.adminPort !== undefined) out.write(`metrics on http://${cfg.admin!.host}:${running.adminPort}/metrics\n`);
  const onSignal = () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    void running.stop().then(() => process.exit(0));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return running;
}

/** `bssgate shadow report <dir>`: prints the verdicts; resolves to the exit code (0 nothing differs, 2 something differs or failed). */
export async function shadowReportCommand(dir: string, out: (s: string) => void = (s) => void process.stdout.write(s)): Promise<number> {
  let lines;
  try {
    lines = await readSummaries(dir);
  } catch (err) {
    throw new Error(`cannot read the report directory ${dir}: ${(err as Error).message}`);
  }
  out(reportText(lines));
  if (lines.length === 0) return 1;
  return lines.some((l) => l.differing > 0 || l.candidateErrors > 0 || l.timeouts > 0) ? 2 : 0;
}
