// Local-time formatting for the wire: YYYYMMDDHHMMSS in headers and answers.

const p2 = (n: number) => (n < 10 ? '0' + n : String(n));

let cachedSecond = NaN;
let cachedText = '';

/** YYYYMMDDHHMMSS in local time. Every answer carries one: the text is cached per second. */
export function formatDateTime(d: Date): string {
  const second = Math.floor(d.getTime() / 1000);
  if (second === cachedSecond) return cachedText;
  const y = d.getFullYear();
  // Years 1000–9999 as one 14-digit number: one flat string (issue 17: the concatenation made a
  // string tree that every answer's header and serverTime writes walked again).
  const text =
    y >= 1000 && y <= 9999
      ? String(y * 1e10 + (d.getMonth() + 1) * 1e8 + d.getDate() * 1e6 + d.getHours() * 1e4 + d.getMinutes() * 100 + d.getSeconds())
      : y + p2(d.getMonth() + 1) + p2(d.getDate()) + p2(d.getHours()) + p2(d.getMinutes()) + p2(d.getSeconds());
  cachedSecond = second;
  cachedText = text;
  return text;
}

/** YYYYMMDDHHMMSS in local time of an epoch-ms instant; allocates only when the second changes. */
export function formatDateTimeMs(ms: number): string {
  return Math.floor(ms / 1000) === cachedSecond ? cachedText : formatDateTime(new Date(ms));
}


