// PC-07: the report of one reconciliation run (docs/reconciliation.md, "The report"): one line per
// difference and its action, then a summary; written to [card] report_dir under a name of its own.
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDirSync } from '../dirs.js';
import { formatDateTime } from '../time.js';
import type { Clock } from '../types.js';
import type { ReconFile } from './parse.js';
import type { Action, Difference } from './rules.js';

const fen = (v: bigint | null): string => (v === null ? '-' : String(v));

export function formatReport(fileName: string, file: ReconFile, diffs: readonly Difference[]): string {
  const out = ['# bssgate reconciliation report', `file: ${fileName}`, `client: ${file.client}`, `day: ${file.day}`, `lines: ${file.count}  net: ${file.net}`];
  for (const d of diffs) {
    out.push([d.kind, d.serial, d.svcnum, fen(d.fileAmount), fen(d.ourAmount), d.action, d.paysn === undefined ? '-' : String(d.paysn)].join('|') + (d.note ? `|${d.note}` : ''));
  }
  if (diffs.length === 0) out.push('summary: no differences');
  else {
    const n = (a: Action) => diffs.filter((d) => d.action === a).length;
    out.push(`summary: differences ${diffs.length}, applied ${n('applied')}, reversed ${n('reversed')}, corrected ${n('corrected')}, remembered ${n('remembered')}, reported ${n('reported')}`);
  }
  return `${out.join('\n')}\n`;
}

export function writeReport(dir: string, fileName: string, file: ReconFile, diffs: readonly Difference[], clock: Clock): string {
  ensureDirSync(dir);
  const base = `${file.client}-${file.day}-${formatDateTime(clock.date())}`;
  let path = join(dir, `${base}.report`);
  for (let i = 2; exists(path); i++) path = join(dir, `${base}-${i}.report`);
  writeFileSync(path, formatReport(fileName, file, diffs));
  return path;
}

/** True when something is at the path (a report or a moved file is never overwritten). */
export function exists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}
