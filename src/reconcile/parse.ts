// PC-07: the card system's daily reconciliation file (对帐文件, docs/reconciliation.md) — its
// format and the parser that checks a whole file before anything is applied (refused whole, with
// a line number, when malformed).
import { SERIAL_RULE, serialProblem } from '../../protocol/serial.js';

export interface PaymentLine {
  kind: 'P';
  line: number;
  serial: string;
  svcnum: string;
  amount: bigint;
  time: string;
}
export interface ReversalLine {
  kind: 'R';
  line: number;
  serial: string;
  orig: string;
  svcnum: string;
  amount: bigint;
  time: string;
}
export type DetailLine = PaymentLine | ReversalLine;

export interface ReconFile {
  client: string;
  /** YYYYMMDD */
  day: string;
  count: number;
  net: bigint;
  lines: DetailLine[];
}

/** A malformed file: refused whole; `line` is 1-based. */
export class ReconFormatError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
    this.name = 'ReconFormatError';
  }
}

/** The client name as TAB_PAY.SOURCE can hold it (16 characters). */
const CLIENT = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,15}$/;
const SVCNUM = /^[0-9]{3,20}$/;
const AMOUNT = /^[1-9][0-9]{0,17}$/;
const NET = /^(0|-?[1-9][0-9]{0,18})$/;
const INT64_MAX = 2n ** 63n - 1n;

function validDate(s: string): boolean {
  if (!/^\d{8}$/.test(s)) return false;
  const y = Number(s.slice(0, 4)), m = Number(s.slice(4, 6)), d = Number(s.slice(6, 8));
  const dt = new Date(y, m - 1, d);
  return y >= 1970 && dt.getFullYear() === y && dt.getMonth() === m - 1 && dt.getDate() === d;
}

function validTime(s: string): boolean {
  if (!/^\d{14}$/.test(s) || !validDate(s.slice(0, 8))) return false;
  const h = Number(s.slice(8, 10)), mi = Number(s.slice(10, 12)), se = Number(s.slice(12, 14));
  return h < 24 && mi < 60 && se < 60;
}

/** Local wall-clock time of a YYYYMMDD[HHMMSS] string. */
export function localTime(s: string): Date {
  return new Date(Number(s.slice(0, 4)), Number(s.slice(4, 6)) - 1, Number(s.slice(6, 8)), Number(s.slice(8, 10) || 0), Number(s.slice(10, 12) || 0), Number(s.slice(12, 14) || 0));
}

/** Parse and check a whole file; throws ReconFormatError at the first offending line. */
export function parseReconFile(text: string): ReconFile {
  const raw = text.split('\n');
  // One final newline (or several blank lines at the very end) is allowed; nothing else blank.
  while (raw.length > 0 && raw[raw.length - 1].replace(/\r$/, '') === '') raw.pop();
  if (raw.length === 0) throw new ReconFormatError(1, 'the file is empty (a header line H|… is required)');
  const rows = raw.map((l) => l.replace(/\r$/, ''));
  rows.forEach((l, i) => {
    if (l === '') throw new ReconFormatError(i + 1, 'blank line');
    // eslint-disable-next-line no-control-regex
    if (!/^[\x20-\x7e]*$/.test(l)) throw new ReconFormatError(i + 1, 'not printable ASCII');
  });
  const h = rows[0].split('|');
  if (h[0] !== 'H') throw new ReconFormatError(1, `the first line must be the header H|client|YYYYMMDD|count|net, not ${JSON.stringify(rows[0].slice(0, 40))}`);
  if (h.length !== 5) throw new ReconFormatError(1, `the header has ${h.length} fields; expected 5: H|client|YYYYMMDD|count|net`);
  const [, client, day, countText, netText] = h;
  if (!CLIENT.test(client)) throw new ReconFormatError(1, `client ${JSON.stringify(client)} is not a client name (1–16 of A-Z a-z 0-9 _ . -)`);
  if (!validDate(day)) throw new ReconFormatError(1, `day ${JSON.stringify(day)} is not a date YYYYMMDD`);
  if (!/^(0|[1-9][0-9]{0,8})$/.test(countText)) throw new ReconFormatError(1, `count ${JSON.stringify(countText)} is not a count of lines`);
  if (!NET.test(netText)) throw new ReconFormatError(1, `net total ${JSON.stringify(netText)} is not an integer of fen`);
  const lines: DetailLine[] = [];
  const seen = new Map<string, number>();
  const reversedBy = new Map<string, number>();
  let net = 0n;
  for (let i = 1; i < rows.length; i++) {
    const n = i + 1;
    const f = rows[i].split('|');
    const fail = (why: string): never => {
      throw new ReconFormatError(n, why);
    };
    let d: DetailLine;
    if (f[0] === 'P') {
      if (f.length !== 5) fail(`a payment line has ${f.length} fields; expected 5: P|serial|svcnum|amount|YYYYMMDDHHMMSS`);
      d = { kind: 'P', line: n, serial: f[1], svcnum: f[2], amount: 0n, time: f[4] };
      if (!AMOUNT.test(f[3])) fail(`amount ${JSON.stringify(f[3])} is not a positive integer of fen`);
      d.amount = BigInt(f[3]);
      net += d.amount;
    } else if (f[0] === 'R') {
      if (f.length !== 6) fail(`a reversal line has ${f.length} fields; expected 6: R|serial|original serial|svcnum|amount|YYYYMMDDHHMMSS`);
      const badOrig = serialProblem(f[2]);
      if (badOrig) fail(`original serial ${JSON.stringify(f[2])} ${badOrig}; a serial is ${SERIAL_RULE}`);
      d = { kind: 'R', line: n, serial: f[1], orig: f[2], svcnum: f[3], amount: 0n, time: f[5] };
      if (!AMOUNT.test(f[4])) fail(`amount ${JSON.stringify(f[4])} is not a positive integer of fen`);
      d.amount = BigInt(f[4]);
      net -= d.amount;
      const twice = reversedBy.get(d.orig);
      if (twice !== undefined) fail(`reverses ${d.orig} again (already reversed on line ${twice})`);
      reversedBy.set(d.orig, n);
    } else {
      throw new ReconFormatError(n, `unknown record ${JSON.stringify(f[0])}; expected P or R`);
    }
    // The one serial rule (protocol/serial.ts), as PC-03/PC-04 apply it to the serials they accept.
    const bad = serialProblem(d.serial);
    if (bad) fail(`serial ${JSON.stringify(d.serial)} ${bad}; a serial is ${SERIAL_RULE}`);
    if (!SVCNUM.test(d.svcnum)) fail(`number ${JSON.stringify(d.svcnum)} is not 3–20 digits`);
    if (!validTime(d.time)) fail(`time ${JSON.stringify(d.time)} is not YYYYMMDDHHMMSS`);
    const dup = seen.get(d.serial);
    if (dup !== undefined) fail(`serial ${d.serial} is also on line ${dup}`);
    seen.set(d.serial, n);
    if (net > INT64_MAX || net < -INT64_MAX) fail('the running total leaves int64');
    lines.push(d);
  }
  for (const d of lines) {
    if (d.kind === 'R' && seen.has(d.orig) && lines.find((x) => x.serial === d.orig)?.kind === 'R') {
      throw new ReconFormatError(d.line, `original ${d.orig} is a reversal (line ${seen.get(d.orig)}), not a payment`);
    }
  }
  const count = Number(countText);
  if (count !== lines.length) throw new ReconFormatError(1, `count ${count} but the file has ${lines.length} detail lines`);
  if (BigInt(netText) !== net) throw new ReconFormatError(1, `net total ${netText} but the lines add up to ${net} (payments − reversals)`);
  return { client, day, count, net, lines };
}
