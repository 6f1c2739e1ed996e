// The shadow's report (issue 16): per business type, how many requests were mirrored, how many
// answers were identical and how many differed (by field: how often, with samples), candidate
// errors, timeouts and dropped mirrors. Machines read JSON lines in report_dir:
//   <name>.differences.jsonl  one line per difference (appended as they are found)
//   <name>.summary.jsonl      one line per business type (rewritten every few seconds and at stop)
// People read `bssgate shadow report <dir>` (reportText), one verdict line per business type.
//
// Writing never blocks, delays or fails the relay: lines are queued in memory (bounded) and
// appended asynchronously; a full disk drops report lines and counts them, nothing else.
import { appendFile, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { businessByCode } from '../../protocol/business-types.js';
import type { Field, Layout } from '../../protocol/layout-types.js';
import { SECRET_MASK } from '../../protocol/redact.js';
import { redactSecrets } from '../log/redact.js';
import { plain, valueAt, type Difference } from './compare.js';
import type { DecodedReply } from './framing.js';

/** Diffy's thresholds: a field is noise when the candidate differs from the primary at most this much more often than the secondary does. */
export const NOISE_RELATIVE = 0.2;
export const NOISE_ABSOLUTE = 0.03;

export interface FieldStats {
  count: number;
  samples: { field: string; primary: unknown; candidate: unknown }[];
  /** With a secondary: exchanges (where both answered) in which this field differed primary↔candidate, and primary↔secondary. */
  pc: number;
  ps: number;
}

export class BizStats {
  mirrored = 0;
  dropped = 0;
  candidateErrors = 0;
  timeouts = 0;
  /** Answers compared (both answered), and of those, how many had only normalised (named) noise. */
  compared = 0;
  /** Exchanges compared with a secondary answer too (learned noise). */
  withSecondary = 0;
  secondaryErrors = 0;
  fields = new Map<string, FieldStats>();
  /** Sorted generic paths that differed → number of exchanges with exactly that set ('' = identical). */
  signatures = new Map<string, number>();
  constructor(readonly biz: number) {}

  field(generic: string): FieldStats {
    let f = this.fields.get(generic);
    if (!f) this.fields.set(generic, (f = { count: 0, samples: [], pc: 0, ps: 0 }));
    return f;
  }

  /** Generic paths the secondary shows to be noise (Diffy): they differ about as often between primary and secondary. */
  learnedNoise(): string[] {
    const out: string[] = [];
    for (const [g, f] of this.fields) {
      if (f.ps === 0 || f.pc === 0) continue;
      if (f.pc - f.ps <= Math.max(NOISE_RELATIVE * f.pc, NOISE_ABSOLUTE * this.withSecondary)) out.push(g);
    }
    return out.sort();
  }

  counts(): { identical: number; differing: number } {
    const noise = new Set(this.learnedNoise());
    let differing = 0;
    for (const [sig, n] of this.signatures) {
      if (sig !== '' && sig.split('\n').some((g) => !noise.has(g))) differing += n;
    }
    return { identical: this.compared - differing, differing };
  }
}

export interface SummaryLine {
  type: 'summary';
  shadow: string;
  biz: number;
  id: string;
  name: string;
  mirrored: number;
  identical: number;
  differing: number;
  candidateErrors: number;
  timeouts: number;
  dropped: number;
  compared: number;
  secondaryErrors: number;
  learnedNoise: string[];
  fields: { field: string; count: number; noise: boolean; samples: FieldStats['samples'] }[];
  reportLinesDropped: number;
  at: string;
}

/** The business type's label in verdicts: its inventory ID(s) (CS-14), else its name. */
export function bizLabel(biz: number): string {
  const row = businessByCode(biz);
  return row ? (row.ids.length > 0 ? row.ids.join('/') : row.name) : String(biz);
}

/** True when the last field of a generic path (`items[].pwd`) is secret in the layout. */
export function isSecretPath(layout: Layout | undefined, generic: string): boolean {
  if (!layout) return false;
  let fields: Layout = layout;
  const parts = generic.split('.');
  for (let i = 0; i < parts.length; i++) {
    const name = parts[i].replace(/\[\]$/, '');
    const f: Field | undefined = fields.find((x) => x.name === name);
    if (!f) return false;
    if (i === parts.length - 1) return 'secret' in f && f.secret === true;
    if (f.type !== 'list') return false;
    fields = f.of;
  }
  return false;
}

/** A difference's values as the logs would show them: secret fields masked (layout and well-known names). */
export function maskDifference(d: Difference, layout: Layout | undefined): { primary: unknown; candidate: unknown } {
  if (isSecretPath(layout, d.generic)) return { primary: SECRET_MASK, candidate: SECRET_MASK };
  const leaf = d.generic.split('.').pop()!.replace(/\[\]$/, '');
  const masked = redactSecrets({ [leaf]: d.primary, c: { [leaf]: d.candidate } }) as Record<string, unknown>;
  return { primary: masked[leaf], candidate: (masked.c as Record<string, unknown>)[leaf] };
}

/** Appends lines to a file without ever blocking or throwing: bounded queue, one write at a time. */
export class LineWriter {
  private queue: string[] = [];
  private queued = 0;
  private writing: Promise<void> | undefined;
  dropped = 0;
  errors = 0;
  lastError: string | undefined;
  constructor(readonly path: string, readonly maxQueuedBytes = 8 * 1024 * 1024) {}

  write(obj: unknown): void {
    const line = JSON.stringify(obj) + '\n';
    if (this.queued + line.length > this.maxQueuedBytes) {
      this.dropped++;
      return;
    }
    this.queue.push(line);
    this.queued += line.length;
    this.writing ??= this.drain();
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const text = this.queue.join('');
      const n = this.queue.length;
      this.queue = [];
      this.queued = 0;
      try {
        await appendFile(this.path, text);
      } catch (err) {
        this.errors++;
        this.dropped += n;
        this.lastError = (err as Error).message;
      }
    }
    this.writing = undefined;
  }

  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }
}

export class ShadowReport {
  readonly stats = new Map<number, BizStats>();
  readonly differences: LineWriter;
  readonly summaryPath: string;
  summaryErrors = 0;
  private summaryWriting: Promise<void> | undefined;

  constructor(readonly shadow: string, readonly dir: string, readonly samples: number) {
    mkdirSync(dir, { recursive: true });
    this.differences = new LineWriter(join(dir, `${shadow}.differences.jsonl`));
    this.summaryPath = join(dir, `${shadow}.summary.jsonl`);
  }

  biz(code: number): BizStats {
    let s = this.stats.get(code);
    if (!s) this.stats.set(code, (s = new BizStats(code)));
    return s;
  }

  /**
   * One compared exchange whose answers are the same bytes (the fast path: nothing decoded, no
   * difference). `withSecondary`: the secondary answered too, with the same bytes as well (a
   * secondary that differs is decoded and compared: learned noise counts its fields).
   * The same counts as record() with no difference.
   */
  recordIdentical(code: number, withSecondary: boolean): void {
    const s = this.biz(code);
    s.compared++;
    if (withSecondary) s.withSecondary++;
    s.signatures.set('', (s.signatures.get('') ?? 0) + 1);
  }

  /**
   * One compared exchange: the differences primary↔candidate after normalisers, and (with a
   * secondary that answered) the generic paths that differ primary↔secondary.
   */
  record(code: number, exchange: string, diffs: Difference[], layout: Layout | undefined, secondary?: { generics: Set<string>; reply: DecodedReply }): void {
    const s = this.biz(code);
    s.compared++;
    const generics = [...new Set(diffs.map((d) => d.generic))].sort();
    s.signatures.set(generics.join('\n'), (s.signatures.get(generics.join('\n')) ?? 0) + 1);
    if (secondary) {
      s.withSecondary++;
      for (const g of generics) s.field(g).pc++;
      for (const g of secondary.generics) s.field(g).ps++;
    }
    const row = businessByCode(code);
    for (const d of diffs) {
      const f = s.field(d.generic);
      f.count++;
      const shown = maskDifference(d, layout);
      if (f.samples.length < this.samples) f.samples.push({ field: d.field, ...shown });
      this.differences.write({
        type: 'difference',
        at: new Date().toISOString(),
        shadow: this.shadow,
        biz: code,
        id: bizLabel(code),
        name: row?.name ?? null,
        exchange,
        field: d.field,
        kind: d.kind,
        ...shown,
        ...(secondary ? { secondary: isSecretPath(layout, d.generic) ? SECRET_MASK : plain(valueAt(secondary.reply, d.field)) ?? null } : {}),
      });
    }
  }

  summaryLines(): SummaryLine[] {
    const at = new Date().toISOString();
    return [...this.stats.values()]
      .sort((a, b) => a.biz - b.biz)
      .map((s) => {
        const noise = new Set(s.learnedNoise());
        const { identical, differing } = s.counts();
        return {
          type: 'summary' as const,
          shadow: this.shadow,
          biz: s.biz,
          id: bizLabel(s.biz),
          name: businessByCode(s.biz)?.name ?? String(s.biz),
          mirrored: s.mirrored,
          identical,
          differing,
          candidateErrors: s.candidateErrors,
          timeouts: s.timeouts,
          dropped: s.dropped,
          compared: s.compared,
          secondaryErrors: s.secondaryErrors,
          learnedNoise: [...noise],
          fields: [...s.fields.entries()]
            .filter(([, f]) => f.count > 0)
            .sort((a, b) => b[1].count - a[1].count)
            .map(([g, f]) => ({ field: g, count: f.count, noise: noise.has(g), samples: f.samples })),
          reportLinesDropped: this.differences.dropped,
          at,
        };
      });
  }

  /** Rewrite the summary file (atomically: a temporary file renamed over it). Never throws. */
  writeSummary(): Promise<void> {
    if (this.summaryWriting) return this.summaryWriting;
    const text = this.summaryLines().map((l) => JSON.stringify(l) + '\n').join('');
    const tmp = `${this.summaryPath}.tmp`;
    this.summaryWriting = writeFile(tmp, text)
      .then(() => rename(tmp, this.summaryPath))
      .catch(() => {
        this.summaryErrors++;
      })
      .finally(() => {
        this.summaryWriting = undefined;
      });
    return this.summaryWriting;
  }

  async flush(): Promise<void> {
    await this.differences.flush();
    await this.writeSummary();
  }
}

function n(x: number): string {
  return x.toLocaleString('en-US');
}

function plural(x: number, one: string, many = `${one}s`): string {
  return `${n(x)} ${x === 1 ? one : many}`;
}

/** The one-line verdict of a business type: "CS-14: 12,403 mirrored, 0 differ" (+ errors, timeouts, dropped when any). */
export function verdict(s: Pick<SummaryLine, 'id' | 'mirrored' | 'differing' | 'candidateErrors' | 'timeouts' | 'dropped'>): string {
  const extra = [
    s.candidateErrors > 0 ? plural(s.candidateErrors, 'candidate error') : '',
    s.timeouts > 0 ? plural(s.timeouts, 'timeout') : '',
    s.dropped > 0 ? `${n(s.dropped)} dropped` : '',
  ].filter(Boolean);
  return `${s.id}: ${n(s.mirrored)} mirrored, ${n(s.differing)} differ${extra.length ? ', ' + extra.join(', ') : ''}`;
}

/** Read every *.summary.jsonl of a report directory. */
export async function readSummaries(dir: string): Promise<SummaryLine[]> {
  const names = (await readdir(dir)).filter((f) => f.endsWith('.summary.jsonl')).sort();
  const out: SummaryLine[] = [];
  for (const f of names) {
    for (const line of (await readFile(join(dir, f), 'utf8')).split('\n')) {
      if (line.trim() === '') continue;
      const o = JSON.parse(line) as SummaryLine;
      if (o.type === 'summary') out.push(o);
    }
  }
  return out;
}

/** `bssgate shadow report <dir>`: the report for people. */
export function reportText(lines: SummaryLine[]): string {
  if (lines.length === 0) return 'no summary in this directory (the shadow writes <name>.summary.jsonl there)\n';
  const out: string[] = [];
  const byShadow = new Map<string, SummaryLine[]>();
  for (const l of lines) byShadow.set(l.shadow, [...(byShadow.get(l.shadow) ?? []), l]);
  for (const [shadow, ls] of byShadow) {
    out.push(`[shadow.${shadow}] as of ${ls[0].at}`);
    for (const l of ls) {
      out.push(verdict(l));
      for (const f of l.fields) {
        if (f.noise) continue;
        const sample = f.samples[0];
        out.push(`    ${f.field}: ${plural(f.count, 'time')}${sample ? `, e.g. ${sample.field} primary ${JSON.stringify(sample.primary)} candidate ${JSON.stringify(sample.candidate)}` : ''}`);
      }
      if (l.learnedNoise.length > 0) out.push(`    noise (differs as often on the secondary): ${l.learnedNoise.join(', ')}`);
    }
    const dropped = ls[0].reportLinesDropped;
    if (dropped > 0) out.push(`(${n(dropped)} difference lines could not be written: see the disk of the report directory)`);
  }
  return out.join('\n') + '\n';
}
