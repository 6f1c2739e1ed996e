// src/time.ts: the wire's YYYYMMDDHHMMSS local time, cached per second.
import t from 'tap';
import { formatDateTime, formatDateTimeMs } from '../src/time.js';

const p2 = (n: number) => (n < 10 ? '0' + n : String(n));
const reference = (d: Date): string =>
  String(d.getFullYear()) + p2(d.getMonth() + 1) + p2(d.getDate()) + p2(d.getHours()) + p2(d.getMinutes()) + p2(d.getSeconds());

t.test('issue 17, CS-01: formatDateTime(Ms) give the local YYYYMMDDHHMMSS of every second, years 1000–9999 and beyond', async (t) => {
  const instants = [
    new Date(2024, 0, 1, 0, 0, 0), new Date(2024, 11, 31, 23, 59, 59), new Date(2026, 11, 7, 6, 5, 9, 999), new Date(1000, 0, 1, 0, 0, 0),
    new Date(9999, 11, 31, 23, 59, 59), new Date(1970, 0, 1, 8, 0, 0), new Date(2000, 1, 29, 12, 30, 45), new Date(999, 5, 6, 7, 8, 9), new Date(10000, 0, 1),
  ];
  for (let ms = Date.UTC(2024, 2, 30, 23, 0, 0); ms < Date.UTC(2024, 2, 31, 3, 0, 0); ms += 997_003) instants.push(new Date(ms));
  for (const d of instants) {
    t.equal(formatDateTime(d), reference(d), d.toString());
    t.equal(formatDateTimeMs(d.getTime() + 1), reference(new Date(d.getTime() + 1)), `${d.toString()} +1 ms`);
  }
});
