// Local-time helpers for log file names and timestamps. Log files are named by the LOCAL date
// (OP-02: operators look for today's `query.MMDD` in the time zone they work in), and rotate at
// local midnight, DST included: midnights are computed with the Date constructor, not +86400000.

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** `MMDD` of the local date of an epoch-ms instant: Nov 22 → "1122". */
export function mmdd(ms: number): string {
  const d = new Date(ms);
  return pad2(d.getMonth() + 1) + pad2(d.getDate());
}

/** Epoch ms of the local midnight that starts the day of `ms`. */
export function localMidnight(ms: number): number {
  const d = new Date(ms);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

/** Epoch ms of the first local midnight after `ms`. */
export function nextLocalMidnight(ms: number): number {
  const d = new Date(ms);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime();
}

/**
 * ISO-8601 local time with offset, `2024-11-22T09:15:03.123+08:00`. The part up to the second
 * is cached: formatting a Date costs far more than the log line's other fields, and most lines
 * of a busy second share it.
 */
export class LocalTimeFormatter {
  private second = -1;
  private prefix = '';
  private suffix = '';

  format(ms: number): string {
    const sec = Math.floor(ms / 1000);
    if (sec !== this.second) {
      const d = new Date(sec * 1000);
      const off = -d.getTimezoneOffset();
      const sign = off >= 0 ? '+' : '-';
      const a = Math.abs(off);
      this.second = sec;
      this.prefix = `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}T${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}.`;
      this.suffix = `${sign}${pad2(Math.floor(a / 60))}:${pad2(a % 60)}`;
    }
    const frac = ms - sec * 1000;
    return this.prefix + (frac < 10 ? `00${frac}` : frac < 100 ? `0${frac}` : String(frac)) + this.suffix;
  }
}
