// PC-07 daily reconciliation (对帐文件, docs/reconciliation.md): parse the card system's file
// (refused whole, with a line number, when malformed), compare it with our card postings, and make
// our side agree — the card system is authoritative. Each correction is a posting of its own
// through handlers/kit/posting.ts (never an edit in place), all of one file in one transaction
// with the BSG_META `card_reconciled_through.<client>` mark, and a report lists every difference
// and its action. Re-running a file finds everything in place and changes nothing.
// Also: the drop directory watcher `bssgate serve` runs, and PC-08's `report card-payments`.
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import pino, { type Logger } from 'pino';
import { businessByName } from '../protocol/business-types.js';
import { GatewayError } from '../protocol/return-codes.js';
import { SERIAL_RULE, serialProblem } from '../protocol/serial.js';
import { effectiveAmount, findPosting, isTombstone, lockAccount, post, RECON_OPERATOR, RECON_SOURCE, type PayRow, type Posted } from '../handlers/kit/posting.js';
import { findSubscriber, type Subscriber } from '../handlers/kit/subscriber.js';
import { DEFAULT_CARD } from './config/keys.js';
import type { CardConfig, Config, DatabaseConfig } from './config/types.js';
import { createLogs } from './log/index.js';
import type { Journaled, Posting, PostingLog } from './log/posting-journal.js';
import { RECONCILED_META_PREFIX } from './idempotency.js';
import { PAY_MODES, PAY_STATUS } from './store/schema.js';
import { CARD_PAYMENTS_SINCE_COUNT, CARD_PAYMENTS_SINCE_PAGE, CARD_POSTINGS_BETWEEN, META_GET, META_SET, PAY_BY_PAYSN } from './store/queries/payments.js';
import type { Queryable, Store } from './store/types.js';
import { formatDateTime } from './time.js';
import type { Clock, WriteContext } from './types.js';
import { systemClock } from './clock.js';
import { OPERATOR_NONE } from './context.js';

// ---------------------------------------------------------------------------------------------
// The file

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

// ---------------------------------------------------------------------------------------------
// Comparing and correcting

export type DifferenceKind = 'missing-payment' | 'missing-reversal' | 'unknown-original' | 'amount' | 'conflict' | 'extra-payment' | 'extra-reversal' | 'boundary';
export type Action = 'applied' | 'reversed' | 'corrected' | 'remembered' | 'reported';

export interface Difference {
  kind: DifferenceKind;
  serial: string;
  svcnum: string;
  /** Signed fen as the file has it (P positive, R negative); null when the file lacks it. */
  fileAmount: bigint | null;
  /** Signed fen as we have it (corrections included); null when we lack it. */
  ourAmount: bigint | null;
  action: Action;
  /** PAYSN of the posting made, if any. */
  paysn?: bigint;
  note?: string;
}

export interface ReconResult {
  file: string;
  client: string;
  day: string;
  differences: Difference[];
  /** Postings made (0 on a re-run). */
  postings: number;
  reportPath: string;
}

export interface ReconcileOptions {
  store: Store;
  clock?: Clock;
  log: Logger;
  card?: CardConfig;
  /**
   * suc_query.MMDD of the postings made (optional): journaled before the commit, written after it
   * (src/log/posting-journal.ts).
   */
  postings?: PostingLog;
}

/** BSG_META key of a client's last reconciled day (read by PC-06's purge, src/idempotency.ts). */
export const reconciledKey = (client: string): string => `${RECONCILED_META_PREFIX}${client}`;

function unitView(store: Store, tx: Queryable): Store {
  const refuse = () => Promise.reject(new Error('inside the reconciliation transaction: use its tx'));
  return { dialect: store.dialect, all: (q, b) => tx.all(q, b), one: (q, b) => tx.one(q, b), run: (q, b) => tx.run(q, b), ping: () => store.ping(), tableExists: (t) => store.tableExists(t), transaction: refuse, unitOfWork: refuse, close: refuse } as Store;
}

/** Reconcile one parsed file; everything in one transaction. */
export async function reconcile(file: ReconFile, fileName: string, o: ReconcileOptions): Promise<ReconResult> {
  const clock = o.clock ?? systemClock;
  const card = o.card ?? DEFAULT_CARD;
  const client = file.client;
  const logLines: Posting[] = [];
  let journaled: Journaled | undefined;
  const outcome = await o.store.transaction(async (tx) => {
    const ctx: WriteContext = {
      store: unitView(o.store, tx),
      tx,
      clock,
      log: o.log,
      business: businessByName('payment')!,
      iface: client,
      ifaceKind: 'card',
      client,
      operator: RECON_OPERATOR,
      serial: '',
      seq: 0,
      time: formatDateTime(clock.date()),
      card,
    };
    const out: Difference[] = [];
    let made = 0;
    const record = (d: Difference, p?: Posted) => {
      if (p) {
        d.paysn = p.paysn;
        made++;
        logLines.push({ line: { client, serial: d.serial, svcnum: d.svcnum, amount: d.fileAmount !== null && d.ourAmount !== null ? d.fileAmount - d.ourAmount : (d.fileAmount ?? -(d.ourAmount ?? 0n)), balance: p.balance, paysn: p.paysn, kind: `reconcile:${d.kind}` }, key: p });
      }
      out.push(d);
    };
    const subscriberOf = async (svcnum: string): Promise<Subscriber | string> => {
      try {
        return await findSubscriber(ctx, svcnum);
      } catch (err) {
        if (err instanceof GatewayError) return `${err.code} ${err.message}`;
        throw err;
      }
    };
    // Lock order (docs/payments.md): the accounts a line touches are locked BEFORE its postings
    // are read, as PC-03 and PC-04 lock theirs; a payment or reversal arriving over the wire while
    // this file runs has then either committed (and is read here) or waits for this transaction.
    // The subscriber comes back as the reason a line cannot be posted when its account has no
    // ACCT_BALANCE row: that line is reported, the rest of the file reconciled.
    const lockFor = async (svcnum: string, ...rows: (Pick<PayRow, 'acctid'> | undefined)[]): Promise<Subscriber | string> => {
      const sub = await subscriberOf(svcnum);
      const accts = new Set<bigint>(rows.flatMap((r) => (r ? [r.acctid] : [])));
      if (typeof sub !== 'string') accts.add(sub.acctid);
      for (const a of [...accts].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))) {
        try {
          await lockAccount(ctx, a);
        } catch (err) {
          if (!(err instanceof GatewayError)) throw err;
          if (typeof sub !== 'string' && a === sub.acctid) return `${err.code} ${err.message}`;
        }
      }
      return sub;
    };
    // A posting the line needs; refused (2013: a total would leave int64) before anything of it is
    // written, it is reported instead and the file goes on.
    const attempt = async (d: Difference, run: () => Promise<Posted>): Promise<Posted | undefined> => {
      try {
        const p = await run();
        record(d, p);
        return p;
      } catch (err) {
        if (!(err instanceof GatewayError)) throw err;
        record({ ...d, action: 'reported', note: `${d.note ? `${d.note}; ` : ''}cannot be ${d.action}: ${err.code} ${err.message}` });
        return undefined;
      }
    };
    const inFile = new Set(file.lines.map((l) => l.serial));
    const correction = (sub: Subscriber, amount: bigint, target: Pick<PayRow, 'paysn'>, at?: Date) =>
      post(ctx, { kind: 'correction', sub, amount, source: RECON_SOURCE, serial: (paysn) => `C${paysn}`, original: target, at });

    // Payments first: a reversal in the same file may name one of them.
    for (const l of file.lines) {
      if (l.kind !== 'P') continue;
      const sub = await lockFor(l.svcnum, await findPosting(ctx, client, l.serial));
      // Read again under the lock: as it stands.
      const ours = await findPosting(ctx, client, l.serial);
      if (!ours) {
        if (typeof sub === 'string') {
          record({ kind: 'missing-payment', serial: l.serial, svcnum: l.svcnum, fileAmount: l.amount, ourAmount: null, action: 'reported', note: `cannot be applied: ${sub}` });
          continue;
        }
        await attempt({ kind: 'missing-payment', serial: l.serial, svcnum: l.svcnum, fileAmount: l.amount, ourAmount: null, action: 'applied' }, () =>
          post(ctx, { kind: 'payment', sub, amount: l.amount, source: client, serial: l.serial, at: localTime(l.time) }),
        );
        continue;
      }
      if (isTombstone(ours) || ours.status === PAY_STATUS.REVERSAL.code || ours.orig_paysn !== null || ours.svcnum !== l.svcnum) {
        const what = isTombstone(ours) ? 'we refused it: its reversal came first (PC-04 tombstone)' : ours.svcnum !== l.svcnum ? `our serial is ${ours.svcnum}'s` : 'our serial is not a payment';
        record({ kind: 'conflict', serial: l.serial, svcnum: l.svcnum, fileAmount: l.amount, ourAmount: isTombstone(ours) ? null : ours.amount, action: 'reported', note: what });
        continue;
      }
      if (ours.status === PAY_STATUS.REVERSED.code && ours.reversed_by !== null) {
        // Reversed by an earlier reconciliation (a file that lacked it) and listed now: the card
        // system is authoritative, so that reversal is undone by a correction of it (its own
        // posting); a reversal the card system itself sent is the R loop's.
        const rev = await PAY_BY_PAYSN.one(ctx.store, { paysn: ours.reversed_by });
        const revEff = rev && rev.source === RECON_SOURCE ? await effectiveAmount(ctx, rev) : 0n;
        if (rev && revEff !== 0n) {
          if (typeof sub === 'string') {
            record({ kind: 'missing-payment', serial: l.serial, svcnum: l.svcnum, fileAmount: l.amount, ourAmount: 0n, action: 'reported', note: `reversed by reconciliation (PAYSN ${rev.paysn}); cannot be restored: ${sub}` });
            continue;
          }
          const p = await attempt({ kind: 'missing-payment', serial: l.serial, svcnum: l.svcnum, fileAmount: l.amount, ourAmount: 0n, action: 'applied', note: `reversed by reconciliation (PAYSN ${rev.paysn}); restored` }, () => correction(sub, -revEff, rev));
          if (!p) continue;
        }
      }
      const eff = await effectiveAmount(ctx, ours);
      if (eff !== l.amount) {
        if (typeof sub === 'string') {
          record({ kind: 'amount', serial: l.serial, svcnum: l.svcnum, fileAmount: l.amount, ourAmount: eff, action: 'reported', note: `cannot be corrected: ${sub}` });
          continue;
        }
        await attempt({ kind: 'amount', serial: l.serial, svcnum: l.svcnum, fileAmount: l.amount, ourAmount: eff, action: 'corrected' }, () => correction(sub, l.amount - eff, ours));
      }
    }

    for (const l of file.lines) {
      if (l.kind !== 'R') continue;
      const sub = await lockFor(l.svcnum, await findPosting(ctx, client, l.serial), await findPosting(ctx, client, l.orig));
      const ours = await findPosting(ctx, client, l.serial);
      if (ours) {
        const orig = ours.orig_paysn === null ? undefined : await PAY_BY_PAYSN.one(ctx.store, { paysn: ours.orig_paysn });
        if (ours.status !== PAY_STATUS.REVERSAL.code || !orig || orig.serial !== l.orig || ours.svcnum !== l.svcnum) {
          record({ kind: 'conflict', serial: l.serial, svcnum: l.svcnum, fileAmount: -l.amount, ourAmount: ours.amount, action: 'reported', note: 'our serial is not this reversal' });
          continue;
        }
        const eff = await effectiveAmount(ctx, ours);
        if (eff !== -l.amount) {
          if (typeof sub === 'string') {
            record({ kind: 'amount', serial: l.serial, svcnum: l.svcnum, fileAmount: -l.amount, ourAmount: eff, action: 'reported', note: `cannot be corrected: ${sub}` });
            continue;
          }
          await attempt({ kind: 'amount', serial: l.serial, svcnum: l.svcnum, fileAmount: -l.amount, ourAmount: eff, action: 'corrected' }, () => correction(sub, -l.amount - eff, ours));
        }
        continue;
      }
      if (typeof sub === 'string') {
        record({ kind: 'missing-reversal', serial: l.serial, svcnum: l.svcnum, fileAmount: -l.amount, ourAmount: null, action: 'reported', note: `cannot be applied: ${sub}` });
        continue;
      }
      const orig = await findPosting(ctx, client, l.orig);
      if (!orig || isTombstone(orig)) {
        // Neither side has the payment: remember it (as PC-04 does) so that it is refused if it arrives.
        // Already remembered (by an earlier run or by PC-04's 2008): in place, nothing to do, so a
        // re-run of the file reports no differences.
        if (!orig) {
          const p = await post(ctx, { kind: 'tombstone', sub, amount: 0n, source: client, serial: l.orig, at: localTime(l.time) });
          out.push({ kind: 'unknown-original', serial: l.serial, svcnum: l.svcnum, fileAmount: -l.amount, ourAmount: null, action: 'remembered', paysn: p.paysn, note: `original ${l.orig}: tombstone` });
          made++;
        }
        continue;
      }
      if (orig.status !== PAY_STATUS.NORMAL.code || orig.orig_paysn !== null || orig.subscrbid !== sub.subscrbid) {
        const note = orig.status === PAY_STATUS.REVERSED.code ? `original ${l.orig} is reversed already (PAYSN ${orig.reversed_by})` : `original ${l.orig} is not a payment of ${l.svcnum}`;
        record({ kind: 'missing-reversal', serial: l.serial, svcnum: l.svcnum, fileAmount: -l.amount, ourAmount: null, action: 'reported', note });
        continue;
      }
      const eff = await effectiveAmount(ctx, orig);
      const p = await attempt({ kind: 'missing-reversal', serial: l.serial, svcnum: l.svcnum, fileAmount: -l.amount, ourAmount: null, action: 'applied' }, () =>
        post(ctx, { kind: 'reversal', sub, amount: -eff, source: client, serial: l.serial, original: orig, at: localTime(l.time) }),
      );
      if (p && eff !== l.amount) {
        // The file's reversal takes back another amount than the payment stands at: it wins.
        await attempt({ kind: 'amount', serial: l.serial, svcnum: l.svcnum, fileAmount: -l.amount, ourAmount: -eff, action: 'corrected' }, () => correction(sub, eff - l.amount, { paysn: p.paysn }));
      }
    }

    // Ours that the file lacks: postings of the day by PAYTIME.
    const from = localTime(file.day);
    const to = new Date(from.getFullYear(), from.getMonth(), from.getDate() + 1);
    const rows = await CARD_POSTINGS_BETWEEN.all(ctx.store, { source: client, paymode: PAY_MODES.CARD.code, from, to });
    const edge = card.boundaryMs;
    for (const listed of rows) {
      if (inFile.has(listed.serial) || isTombstone(listed)) continue;
      const sub = await lockFor(listed.svcnum, listed);
      // Read again under the lock: a reversal or correction committed since the list was read counts.
      const r = (await PAY_BY_PAYSN.one(ctx.store, { paysn: listed.paysn })) ?? listed;
      const t = localTime(r.paytime).getTime();
      const nearEdge = t - from.getTime() < edge || to.getTime() - t <= edge;
      if (r.orig_paysn === null) {
        // A payment of ours the card system does not have.
        if (r.status === PAY_STATUS.REVERSED.code) {
          const rev = r.reversed_by === null ? undefined : await PAY_BY_PAYSN.one(ctx.store, { paysn: r.reversed_by });
          // Reversed by an earlier reconciliation: done. Reversed by the card system's own reversal,
          // which the file lacks too (checked below with it): the pair nets to zero.
          if (!rev || rev.source === RECON_SOURCE || !inFile.has(rev.serial)) continue;
          record({ kind: 'extra-payment', serial: r.serial, svcnum: r.svcnum, fileAmount: null, ourAmount: r.amount, action: 'reported', note: `reversed by ${rev.serial}, which the file has` });
          continue;
        }
        const eff = await effectiveAmount(ctx, r);
        if (nearEdge) {
          record({ kind: 'boundary', serial: r.serial, svcnum: r.svcnum, fileAmount: null, ourAmount: eff, action: 'reported', note: `payment posted ${r.paytime}, within [card] day_boundary of midnight: check the neighbouring day's file` });
          continue;
        }
        if (typeof sub === 'string' || sub.subscrbid !== r.subscrbid) {
          record({ kind: 'extra-payment', serial: r.serial, svcnum: r.svcnum, fileAmount: null, ourAmount: eff, action: 'reported', note: `cannot be reversed: ${typeof sub === 'string' ? sub : 'the number has another subscriber now'}` });
          continue;
        }
        await attempt({ kind: 'extra-payment', serial: r.serial, svcnum: r.svcnum, fileAmount: null, ourAmount: eff, action: 'reversed' }, () =>
          post(ctx, { kind: 'reversal', sub, amount: -eff, source: RECON_SOURCE, serial: (paysn) => `R${paysn}`, original: r }),
        );
        continue;
      }
      if (r.status !== PAY_STATUS.REVERSAL.code) continue;
      // A reversal of ours the card system does not have: undo it, unless its payment is lacking too (the pair nets zero).
      const orig = await PAY_BY_PAYSN.one(ctx.store, { paysn: r.orig_paysn });
      if (orig && orig.source === client && !inFile.has(orig.serial) && orig.paytime >= formatDateTime(from) && orig.paytime < formatDateTime(to)) continue;
      const eff = await effectiveAmount(ctx, r);
      if (eff === 0n) continue; // undone by an earlier reconciliation
      if (nearEdge) {
        record({ kind: 'boundary', serial: r.serial, svcnum: r.svcnum, fileAmount: null, ourAmount: eff, action: 'reported', note: `reversal posted ${r.paytime}, within [card] day_boundary of midnight: check the neighbouring day's file` });
        continue;
      }
      if (typeof sub === 'string' || sub.subscrbid !== r.subscrbid) {
        record({ kind: 'extra-reversal', serial: r.serial, svcnum: r.svcnum, fileAmount: null, ourAmount: eff, action: 'reported', note: `cannot be undone: ${typeof sub === 'string' ? sub : 'the number has another subscriber now'}` });
        continue;
      }
      await attempt({ kind: 'extra-reversal', serial: r.serial, svcnum: r.svcnum, fileAmount: null, ourAmount: eff, action: 'corrected' }, () => correction(sub, -eff, r));
    }

    // The mark PC-06's purge reads; never moved back by an older file.
    const key = reconciledKey(client);
    const prev = await META_GET.one(ctx.store, { key });
    if (!prev || prev.value < file.day) await META_SET.run(tx, { key, value: file.day });
    // Last before the COMMIT: the lines on disk in the journal. If the commit then fails (or its
    // outcome is unknown), the entries stay unsettled and the next start's recovery asks TAB_PAY.
    if (o.postings && logLines.length > 0) journaled = await o.postings.prepare(logLines);
    return { differences: out, postings: made };
  }).catch((err: unknown) => {
    throw new Error(`${fileName}: nothing applied: ${(err as Error).message}`, { cause: err });
  });
  const { differences, postings } = outcome;
  if (journaled) o.postings?.commit(journaled);
  let reportPath: string;
  try {
    reportPath = writeReport(card.reportDir, fileName, file, differences, clock);
  } catch (err) {
    // Committed already: say so (a re-run changes nothing and writes the report).
    throw new Error(`${fileName}: reconciled (${postings} postings committed) but the report could not be written to ${card.reportDir}: ${(err as Error).message}; run the file again for its report`, { cause: err });
  }
  o.log.info({ file: fileName, client, day: file.day, differences: differences.length, postings, report: reportPath }, 'reconciliation done');
  return { file: fileName, client, day: file.day, differences, postings, reportPath };
}

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

function writeReport(dir: string, fileName: string, file: ReconFile, diffs: readonly Difference[], clock: Clock): string {
  mkdirSync(dir, { recursive: true });
  const base = `${file.client}-${file.day}-${formatDateTime(clock.date())}`;
  let path = join(dir, `${base}.report`);
  for (let i = 2; exists(path); i++) path = join(dir, `${base}-${i}.report`);
  writeFileSync(path, formatReport(fileName, file, diffs));
  return path;
}

function exists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}

/** Read, parse and reconcile one file (ReconFormatError when malformed: nothing applied). */
export async function reconcileFile(path: string, o: ReconcileOptions): Promise<ReconResult> {
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch (err) {
    throw new Error(`${path}: cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const file = parseReconFile(text);
  return reconcile(file, path, o);
}

// ---------------------------------------------------------------------------------------------
// The drop directory (`bssgate serve`, [card] reconcile_dir)

export interface DropWatcher {
  /** Look once now (tests; the timer calls it too). Resolves when the files found are done. */
  scan(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Every poll_interval: each regular file in the directory (oldest first) is reconciled and moved to
 * done/, or, when malformed or failing, moved to rejected/ with a `<name>.error` beside it. A file
 * still being written is left for the next look (its size must be the same on two looks).
 */
export function watchDropDirectory(dir: string, o: ReconcileOptions & { card: CardConfig }): DropWatcher {
  const sizes = new Map<string, number>();
  let running: Promise<void> | undefined;
  let stopped = false;
  const moveTo = (sub: string, name: string): string => {
    const d = join(dir, sub);
    mkdirSync(d, { recursive: true });
    let target = join(d, name);
    for (let i = 2; exists(target); i++) target = join(d, `${name}.${i}`);
    renameSync(join(dir, name), target);
    return target;
  };
  const once = async (): Promise<void> => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (err) {
      o.log.warn({ dir, err: (err as Error).message }, '[card] reconcile_dir cannot be read');
      return;
    }
    const files = names
      .filter((n) => !n.startsWith('.') && !n.endsWith('.error'))
      .map((n) => ({ n, st: statSync(join(dir, n), { throwIfNoEntry: false }) }))
      .filter((f) => f.st?.isFile())
      .sort((a, b) => a.st!.mtimeMs - b.st!.mtimeMs);
    for (const { n, st } of files) {
      if (stopped) return;
      if (sizes.get(n) !== st!.size) {
        sizes.set(n, st!.size);
        continue; // seen for the first time, or still growing: next look
      }
      sizes.delete(n);
      let reconciled = false;
      try {
        await reconcileFile(join(dir, n), o);
        reconciled = true;
        moveTo('done', n);
      } catch (err) {
        const file = join(dir, n);
        if (reconciled) {
          // Committed, but it could not be moved: a re-run changes nothing, so the next look is harmless.
          o.log.error({ file, err: (err as Error).message }, 'reconciliation file applied but not moved to done/; it will be looked at again (a re-run changes nothing)');
          continue;
        }
        if (!(err instanceof ReconFormatError)) {
          // Database or file system trouble: nothing was applied; left in place to be run again.
          o.log.error({ file, err: (err as Error).message }, 'reconciliation file failed: nothing applied; it stays in the drop directory and is tried again');
          continue;
        }
        const msg = `malformed: ${err.message}; nothing applied`;
        o.log.error({ file, err: err.message }, `reconciliation file ${msg}`);
        try {
          const target = moveTo('rejected', n);
          writeFileSync(`${target}.error`, `${msg}\n`);
        } catch (e) {
          o.log.error({ file, err: (e as Error).message }, 'malformed reconciliation file could not be moved to rejected/');
        }
      }
    }
  };
  const scan = (): Promise<void> =>
    (running ??= once()
      .catch((err: unknown) => o.log.error({ dir, err: (err as Error).message }, 'reconciliation drop directory scan failed'))
      .finally(() => (running = undefined)));
  const timer = setInterval(() => void scan(), o.card.pollMs);
  timer.unref();
  // Files already there are picked up on the second look (size stable); look once at start.
  void scan();
  return {
    scan,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// PC-08: `bssgate report card-payments --since 1h`

/** 90s, 45m, 1h, 2d → ms; a bare integer is minutes. */
export function parseSince(text: string): number {
  const m = /^(\d+)\s*(s|m|h|d)?$/.exec(text.trim());
  if (!m) throw new Error(`--since ${JSON.stringify(text)}: expected a duration such as 1h, 30m, 90s or 2d`);
  const ms = Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? 'm') as 's' | 'm' | 'h' | 'd'];
  if (!(ms > 0) || ms > 366 * 86_400_000) throw new Error(`--since ${JSON.stringify(text)}: expected more than 0 and at most 366d`);
  return ms;
}

/** The card postings since `sinceMs` ago, as text (or JSON lines), newest first. */
export async function cardPaymentsReport(store: Store, sinceMs: number, o: { clock?: Clock; json?: boolean; limit?: number } = {}): Promise<string> {
  const clock = o.clock ?? systemClock;
  const since = new Date(clock.now() - sinceMs);
  const binds = { since, paymode: PAY_MODES.CARD.code };
  const count = await CARD_PAYMENTS_SINCE_COUNT.one(store, binds);
  const rows = await CARD_PAYMENTS_SINCE_PAGE.all(store, { ...binds, off: 0, lim: o.limit ?? 100_000 });
  if (o.json) {
    return rows.map((r) => JSON.stringify({ paysn: String(r.paysn), svcnum: r.svcnum, amount: String(r.amount), paytime: r.paytime, source: r.source, serial: r.serial, status: r.status, operator: r.operator, origPaysn: r.orig_paysn === null ? null : String(r.orig_paysn) })).join('\n') + (rows.length ? '\n' : '');
  }
  const out = [`card postings (TAB_PAY PAYMODE 15) since ${formatDateTime(since)}: ${count?.total ?? 0}, net ${count?.net ?? 0n} fen`];
  out.push(['PAYSN', 'PAYTIME', 'SVCNUM', 'AMOUNT', 'STATUS', 'SOURCE', 'SERIAL', 'OPERATOR'].join('\t'));
  for (const r of rows) out.push([String(r.paysn), r.paytime, r.svcnum, String(r.amount), String(r.status), r.source, r.serial, r.operator || OPERATOR_NONE].join('\t'));
  return `${out.join('\n')}\n`;
}


// ---------------------------------------------------------------------------------------------
// CLI: `bssgate reconcile <file>` and `bssgate report card-payments --since 1h`

export interface CardCommandDeps {
  loadConfig(files: string[]): Config;
  openStore(cfg: DatabaseConfig, log: Logger): Promise<Store>;
  out?: (text: string) => void;
  clock?: Clock;
}

const DEFAULT_CONFIG = 'h.ini.example';

/** `bssgate reconcile <file>`: 0 reconciled (the report lists the differences), 1 refused (malformed or failed: nothing applied). */
export async function reconcileCommand(path: string, opts: { config?: string[] }, deps: CardCommandDeps): Promise<number> {
  const out = deps.out ?? ((s: string) => void process.stdout.write(s));
  const cfg = deps.loadConfig(opts.config && opts.config.length > 0 ? opts.config : [DEFAULT_CONFIG]);
  const log = pino({ level: 'warn' }, pino.destination(2));
  const clock = deps.clock ?? systemClock;
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch (err) {
    out(`${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); nothing applied\n`);
    return 1;
  }
  let file: ReconFile;
  try {
    file = parseReconFile(text);
  } catch (err) {
    if (!(err instanceof ReconFormatError)) throw err;
    out(`${path}: malformed at line ${err.line}: ${err.reason}; nothing applied\n`);
    return 1;
  }
  const store = await deps.openStore(cfg.database, log);
  const cardIface = cfg.interfaces.find((i) => i.kind === 'card');
  const logs = cardIface ? createLogs(cfg.log, { clock, stderr: false, journal: 'reconcile' }) : undefined;
  try {
    const r = await reconcile(file, path, { store, clock, log, card: cfg.card, postings: cardIface ? logs?.forInterface(cardIface.name).postings : undefined });
    const summary = readFileSync(r.reportPath, 'utf8').trimEnd().split('\n').pop();
    out(`${path}: client ${r.client}, day ${r.day}: ${summary}; ${r.postings} postings; report ${r.reportPath}\n`);
    return 0;
  } finally {
    await logs?.close();
    await store.close();
  }
}

/** `bssgate report card-payments --since 1h`. */
export async function cardPaymentsCommand(opts: { config?: string[]; since: string; json?: boolean }, deps: CardCommandDeps): Promise<number> {
  const out = deps.out ?? ((s: string) => void process.stdout.write(s));
  const since = parseSince(opts.since);
  const cfg = deps.loadConfig(opts.config && opts.config.length > 0 ? opts.config : [DEFAULT_CONFIG]);
  const store = await deps.openStore(cfg.database, pino({ level: 'warn' }, pino.destination(2)));
  try {
    out(await cardPaymentsReport(store, since, { clock: deps.clock, json: opts.json }));
    return 0;
  } finally {
    await store.close();
  }
}

export function registerCardCommands(program: Command, deps: CardCommandDeps): void {
  program
    .command('reconcile')
    .description("PC-07: reconcile the card system's daily file (docs/reconciliation.md); exit 0 reconciled (see the report), 1 refused: nothing applied")
    .argument('<file>', 'the reconciliation file (H|client|YYYYMMDD|count|net, then P| and R| lines)')
    .option('-c, --config <file...>', 'INI files naming the database and [card] (default h.ini.example)')
    .action(async (path: string, opts: { config?: string[] }) => {
      process.exitCode = await reconcileCommand(path, opts, deps);
    });
  const report = program.commands.find((c) => c.name() === 'report') ?? program.command('report').description('reports for operators');
  report
    .command('card-payments')
    .description("PC-08: the card postings (TAB_PAY PAYMODE 15) of a recent window, newest first (the legacy select … paymode='15')")
    .option('--since <time>', 'the window: 1h, 30m, 90s, 2d (a bare number is minutes)', '1h')
    .option('--json', 'one JSON object a line')
    .option('-c, --config <file...>', 'INI files naming the database (default h.ini.example)')
    .action(async (opts: { config?: string[]; since: string; json?: boolean }) => {
      process.exitCode = await cardPaymentsCommand(opts, deps);
    });
}
