// Reading a test gateway's log files: today's lines of one family, or every file's text.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

function mmdd(d: Date): string {
  return String(d.getMonth() + 1).padStart(2, '0') + String(d.getDate()).padStart(2, '0');
}

function walk(p: string): string[] {
  return existsSync(p) ? readdirSync(p, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(p, e.name)) : [join(p, e.name)])) : [];
}

/** The lines of `<dir>/<iface>/<family>.MMDD` for the given day (none when the file is absent). */
export function familyLines(dir: string, iface: string, family: string, day: Date): string[] {
  const f = join(dir, iface, `${family}.${mmdd(day)}`);
  if (!existsSync(f)) return [];
  return readFileSync(f, 'utf8').split('\n').filter(Boolean);
}

/** Every byte of every file below `dir`, as text. */
export function allText(dir: string): string {
  return walk(dir).map((f) => readFileSync(f).toString('utf8')).join('\n');
}
