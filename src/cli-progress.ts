// What long CLI work (`db init --demo 1000000`, `reconcile` of a large file) shows while it runs
// (issue 18): on a terminal, a progress bar and one human line per step; pino JSON lines only
// when asked (`--json`) or when stderr is not a terminal (a pipe, a file, a supervisor's log),
// where a machine reads them. The work itself logs through pino as ever: the human form is a pino
// destination that renders the same lines.
//
// Progress events are pino lines with `done` and `of` (and the message naming the work): at
// `debug` on every step (the terminal renders them, throttled), at `info` every few seconds (what
// the JSON form keeps, as before).
import pino, { type Logger } from 'pino';

export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface CliLog {
  log: Logger;
  /** True when the output is for a person (a terminal and no --json). */
  human: boolean;
  /** Finish the bar's line (call before printing the summary). */
  end(): void;
}

/** The messages whose `done`/`of` draw the bar, and what the bar calls the unit. */
export const PROGRESS_UNITS: Record<string, string> = {
  'demo load progress': 'subscribers',
  'reconciliation progress': 'lines',
};

const STANDARD = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'v']);
const LABELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: '', 40: 'warning: ', 50: 'error: ', 60: 'fatal: ' };

function duration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '?';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m ${String(Math.floor(s % 60)).padStart(2, '0')}s` : `${s.toFixed(s < 10 ? 1 : 0)}s`;
}

const thousands = (n: number): string => n.toLocaleString('en-US');

/** Renders pino lines for a person: a bar for progress, one line per other message. */
export class HumanRenderer {
  private barShown = false;
  private lastDraw = 0;
  private started: number | undefined;

  constructor(
    private readonly out: ProgressStream,
    private readonly now: () => number = () => performance.now(),
  ) {}

  line(json: string): void {
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(json) as Record<string, unknown>;
    } catch {
      this.print(json.trimEnd());
      return;
    }
    const msg = String(o.msg ?? '');
    const level = Number(o.level ?? 30);
    const unit = PROGRESS_UNITS[msg];
    if (unit !== undefined && typeof o.done === 'number' && typeof o.of === 'number') {
      this.bar(msg, o.done, o.of, unit);
      return;
    }
    if (level < 30) return;
    const fields = Object.entries(o)
      .filter(([k]) => !STANDARD.has(k))
      .map(([k, v]) => `${k} ${typeof v === 'number' && !Number.isInteger(v) ? String(Number(v.toFixed(2))) : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v as string)}`)
      .join(', ');
    this.print(`${LABELS[level] ?? ''}${msg}${fields ? ` (${fields})` : ''}`);
  }

  private bar(msg: string, done: number, of: number, unit: string): void {
    const t = this.now();
    this.started ??= t;
    if (done < of && t - this.lastDraw < 100) return;
    this.lastDraw = t;
    const frac = of > 0 ? Math.min(1, done / of) : 1;
    const width = 24;
    const filled = Math.round(frac * width);
    const elapsed = (t - this.started) / 1000;
    const left = frac > 0 && frac < 1 ? `, ~${duration((elapsed / frac) * (1 - frac))} left` : '';
    const what = msg.replace(/ progress$/, '');
    const text = `${what} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(frac * 100)).padStart(3)}%  ${thousands(done)} / ${thousands(of)} ${unit}  ${duration(elapsed)}${left}`;
    this.out.write(`\r\x1b[2K${text}`);
    this.barShown = true;
  }

  private print(text: string): void {
    this.out.write(`${this.barShown ? '\r\x1b[2K' : ''}${text}\n`);
    this.barShown = false;
  }

  /** Leave the bar as it stands on its own line. */
  end(): void {
    if (this.barShown) this.out.write('\n');
    this.barShown = false;
  }
}

/**
 * The logger of a long command. `json`: --json given. `stream`: where progress goes (default
 * stderr; tests inject one with isTTY). `level`: the JSON form's level (default info).
 */
export function cliLog(opts: { json?: boolean; stream?: ProgressStream; level?: pino.Level; now?: () => number } = {}): CliLog {
  const stream = opts.stream ?? process.stderr;
  const human = !opts.json && stream.isTTY === true;
  if (!human) {
    const log = opts.stream ? pino({ level: opts.level ?? 'info' }, { write: (s: string) => void stream.write(s) }) : pino({ level: opts.level ?? 'info' }, pino.destination(2));
    return { log, human, end: () => undefined };
  }
  const r = new HumanRenderer(stream, opts.now);
  const log = pino({ level: 'debug', base: undefined, timestamp: false }, { write: (s: string) => r.line(s) });
  return { log, human, end: () => r.end() };
}
