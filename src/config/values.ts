// Value parsers for INI keys. Each takes the raw text of one value and returns the typed value,
// or throws ValueProblem with a short reason ("is not a port"); the loader adds the file,
// section, key, the raw value and the key's "accepted" text. No parser clamps or rounds: a
// value out of range is an error, never a silently changed value.
import { isIP } from 'node:net';
import { businessByCode } from '../../protocol/business-types.js';

export class ValueProblem extends Error {
  constructor(problem: string) {
    super(problem);
    this.name = 'ValueProblem';
  }
}

/** Largest delay a Node timer accepts (2^31 − 1 ms, about 24.8 days); longer would fire at once. */
export const MAX_DURATION_MS = 2_147_483_647;

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `300s`, `5m`, `1500ms`, `2h`, or a bare integer = seconds. Integers only: `1.5s` is written `1500ms`. */
export function parseDuration(raw: string, minMs: number): number {
  const m = /^(\d+)\s*(ms|s|m|h)?$/.exec(raw);
  if (!m) {
    if (/^-\s*\d/.test(raw)) throw new ValueProblem('is negative');
    throw new ValueProblem('is not a duration');
  }
  const ms = Number(m[1]) * DURATION_UNITS[m[2] ?? 's'];
  if (!Number.isSafeInteger(ms) || ms > MAX_DURATION_MS) throw new ValueProblem('is too long');
  if (ms < minMs) throw new ValueProblem(minMs === 1 ? 'is zero' : `is below ${minMs} ms`);
  return ms;
}

/** A decimal integer within [min, max]; signs and range errors get their own reason. */
export function parseInteger(raw: string, min: number, max: number): number {
  if (!/^[-+]?\d+$/.test(raw)) throw new ValueProblem('is not an integer');
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) throw new ValueProblem('is too large');
  if (n < 0 && min >= 0) throw new ValueProblem('is negative');
  if (n < min) throw new ValueProblem(`is below ${min}`);
  if (n > max) throw new ValueProblem(`is above ${max}`);
  return n;
}

export function parsePort(raw: string): number {
  if (!/^\d+$/.test(raw)) throw new ValueProblem('is not a port');
  const n = Number(raw);
  if (n < 1 || n > 65535) throw new ValueProblem('is not a port');
  return n;
}

const SIZE_UNITS: Record<string, number> = { '': 1, kib: 1024, mib: 1024 * 1024 };

/** Bytes: a bare integer, or with a `KiB` / `MiB` suffix (binary units only, to avoid 1000-vs-1024 doubt). */
export function parseSize(raw: string, min: number, max: number): number {
  const m = /^(-?\d+)\s*(kib|mib)?$/i.exec(raw);
  if (!m) throw new ValueProblem('is not a size');
  const n = Number(m[1]) * SIZE_UNITS[(m[2] ?? '').toLowerCase()];
  if (n < 0) throw new ValueProblem('is negative');
  if (n < min) throw new ValueProblem(`is below ${min} bytes`);
  if (n > max) throw new ValueProblem(`is above ${max} bytes`);
  return n;
}

const TRUE_WORDS = new Set(['true', 'yes', 'on', '1']);
const FALSE_WORDS = new Set(['false', 'no', 'off', '0']);

export function parseBoolean(raw: string): boolean {
  const v = raw.toLowerCase();
  if (TRUE_WORDS.has(v)) return true;
  if (FALSE_WORDS.has(v)) return false;
  throw new ValueProblem('is not a boolean');
}

export function parseEnum<T extends string>(raw: string, values: readonly T[]): T {
  if ((values as readonly string[]).includes(raw)) return raw as T;
  const near = didYouMean(raw, values);
  throw new ValueProblem(`is not one of them${near ? ` (did you mean "${near}"?)` : ''}`);
}

/** An IPv4/IPv6 address or CIDR block (`10.0.0.0/8`, `::1`, `fd00::/8`). */
export function parseAddressOrCidr(item: string): string {
  const slash = item.indexOf('/');
  const addr = slash < 0 ? item : item.slice(0, slash);
  const family = isIP(addr);
  if (family === 0) throw new ValueProblem(`has "${item}", which is not an IPv4/IPv6 address or CIDR block`);
  if (slash >= 0) {
    const prefix = item.slice(slash + 1);
    const bits = family === 4 ? 32 : 128;
    if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > bits) {
      throw new ValueProblem(`has "${item}", whose prefix length is not 0–${bits}`);
    }
  }
  return item;
}

/** Comma-separated list; empty items (`a,,b`, trailing comma) are errors, not skipped. */
export function splitList(raw: string): string[] {
  const items = raw.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new ValueProblem('has an empty item');
  return items;
}

export function parseAllowList(raw: string): string[] {
  return splitList(raw).map(parseAddressOrCidr);
}

/** Business codes are uint16 on the wire (header offset 6). */
export function parseBizList(raw: string): number[] {
  const out = splitList(raw).map((s) => {
    if (!/^\d+$/.test(s) || Number(s) > 65535) throw new ValueProblem(`has "${s}", which is not a business code`);
    if (!businessByCode(Number(s))) throw new ValueProblem(`has ${s}, which is no business type of protocol/SPEC.md section 6`);
    return Number(s);
  });
  const dup = out.find((n, i) => out.indexOf(n) !== i);
  if (dup !== undefined) throw new ValueProblem(`lists ${dup} twice`);
  return out;
}

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

export function parseHost(raw: string): string {
  if (isIP(raw) !== 0 || HOSTNAME.test(raw)) return raw;
  throw new ValueProblem('is not an IP address or host name');
}

export function parseNonEmpty(raw: string): string {
  if (raw === '') throw new ValueProblem('is empty');
  return raw;
}

/** Levenshtein distance, for "did you mean". */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}

/** The closest candidate within an edit distance of a third of the word (1–3), else one it starts (or is the start of), else undefined. */
export function didYouMean(word: string, candidateList: Iterable<string>): string | undefined {
  const candidates = [...candidateList];
  const limit = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  if (bestD <= limit) return best;
  // "warning" for "warn", "db" is too short to guess from.
  const w = word.toLowerCase();
  for (const c of candidates) {
    const l = c.toLowerCase();
    if (Math.min(l.length, w.length) >= 3 && (l.startsWith(w) || w.startsWith(l))) return c;
  }
  return undefined;
}
