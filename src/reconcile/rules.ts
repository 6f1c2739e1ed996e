// PC-07: the matching rules (docs/reconciliation.md, "Differences and actions"). One parsed file is
// compared with our card postings of its client and our side is made to agree — the card system
// is authoritative — each correction a posting of its own through the posting domain
// (src/domain/posting.ts), all in the caller's transaction. Run by src/reconcile/run.ts, which
// owns that transaction, the BSG_META mark, the suc_query lines and the report.
import { GatewayError } from '../../protocol/return-codes.js';
import { findSubscriber, type Subscriber } from '../../handlers/kit/subscriber.js';
import type { CardConfig } from '../config/types.js';
import { effectiveAmount, findPosting, isTombstone, lockAccount, post, RECON_SOURCE, type PayRow, type Posted, type PostingUnit } from '../domain/posting.js';
import { PAY_MODES, PAY_STATUS } from '../domain/codes.js';
import type { Posting } from '../log/posting-journal.js';
import { CARD_POSTINGS_BETWEEN, PAY_BY_PAYSN } from '../store/queries/payments.js';
import { formatDateTime } from '../time.js';
import { localTime, type ReconFile } from './parse.js';

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

/** What comparing one file did, in its transaction. */
export interface Compared {
  differences: Difference[];
  /** Postings made (0 on a re-run). */
  postings: number;
  /**
   * One suc_query.MMDD line per posting made, keyed by the posting (paysn, source, serial):
   * journaled before the transaction's COMMIT, written once it has committed (run.ts).
   */
  lines: Posting[];
}

/**
 * Compare a file with our postings and correct our side, in the unit (`u.tx`: the caller's
 * transaction; `u.operator`: RECON). Payments first (a reversal in the same file may name one of
 * them), then reversals, then ours that the file lacks.
 */
export async function compareAndCorrect(u: PostingUnit, file: ReconFile, progress?: (done: number, of: number) => void): Promise<Compared> {
  const r = new Reconciliation(u, file);
  r.progress = progress;
  await r.payments();
  await r.reversals();
  await r.oursTheFileLacks();
  return { differences: r.out, postings: r.made, lines: r.lines };
}

class Reconciliation {
  readonly out: Difference[] = [];
  made = 0;
  /** Lines of the file compared so far (P then R), told to `progress` every 200 and at the end. */
  progress: ((done: number, of: number) => void) | undefined;
  private compared = 0;
  readonly lines: Posting[] = [];
  private readonly client: string;
  private readonly card: CardConfig;
  private readonly inFile: Set<string>;

  constructor(
    private readonly u: PostingUnit,
    private readonly file: ReconFile,
  ) {
    this.client = file.client;
    this.card = u.card;
    this.inFile = new Set(file.lines.map((l) => l.serial));
  }

  private record(d: Difference, p?: Posted): void {
    if (p) {
      d.paysn = p.paysn;
      this.made++;
      this.lines.push({ line: { client: this.client, serial: d.serial, svcnum: d.svcnum, amount: d.fileAmount !== null && d.ourAmount !== null ? d.fileAmount - d.ourAmount : (d.fileAmount ?? -(d.ourAmount ?? 0n)), balance: p.balance, paysn: p.paysn, kind: `reconcile:${d.kind}` }, key: p });
    }
    this.out.push(d);
  }

  private async subscriberOf(svcnum: string): Promise<Subscriber | string> {
    try {
      return await findSubscriber({ store: this.u.tx }, svcnum);
    } catch (err) {
      if (err instanceof GatewayError) return `${err.code} ${err.message}`;
      throw err;
    }
  }

  // Lock order (docs/payments.md): the accounts a line touches are locked BEFORE its postings
  // are read, as PC-03 and PC-04 lock theirs; a payment or reversal arriving over the wire while
  // this file runs has then either committed (and is read here) or waits for this transaction.
  // The subscriber comes back as the reason a line cannot be posted when its account has no
  // ACCT_BALANCE row: that line is reported, the rest of the file reconciled.
  private async lockFor(svcnum: string, ...rows: (Pick<PayRow, 'acctid'> | undefined)[]): Promise<Subscriber | string> {
    const sub = await this.subscriberOf(svcnum);
    const accts = new Set<bigint>(rows.flatMap((r) => (r ? [r.acctid] : [])));
    if (typeof sub !== 'string') accts.add(sub.acctid);
    for (const a of [...accts].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))) {
      try {
        await lockAccount(this.u, a);
      } catch (err) {
        if (!(err instanceof GatewayError)) throw err;
        if (typeof sub !== 'string' && a === sub.acctid) return `${err.code} ${err.message}`;
      }
    }
    return sub;
  }

  // A posting the line needs; refused (2013: a total would leave int64) before anything of it is
  // written, it is reported instead and the file goes on.
  private async attempt(d: Difference, run: () => Promise<Posted>): Promise<Posted | undefined> {
    try {
      const p = await run();
      this.record(d, p);
      return p;
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      this.record({ ...d, action: 'reported', note: `${d.note ? `${d.note}; ` : ''}cannot be ${d.action}: ${err.code} ${err.message}` });
      return undefined;
    }
  }

  private correction(sub: Subscriber, amount: bigint, target: Pick<PayRow, 'paysn'>, at?: Date): Promise<Posted> {
    return post(this.u, { kind: 'correction', sub, amount, source: RECON_SOURCE, serial: (paysn) => `C${paysn}`, original: target, at });
  }

  private step(): void {
    this.compared++;
    if (this.progress && (this.compared % 200 === 0 || this.compared === this.file.lines.length)) this.progress(this.compared, this.file.lines.length);
  }

  /** The file's P lines. */
  async payments(): Promise<void> {
    for (const l of this.file.lines) {
      if (l.kind !== 'P') continue;
      this.step();
      const sub = await this.lockFor(l.svcnum, await findPosting(this.u, this.client, l.serial));
      // Read again under the lock: as it stands.
      const ours = await findPosting(this.u, this.client, l.serial);
      if (!ours) {
        if (typeof sub === 'string') {
          this.record({ kind: 'missing-payment', serial: l.serial, svcnum: l.svcnum, fileAmount: l.amount, ourAmount: null, action: 'reported', note: `cannot be applied: ${sub}` });
          continue;
        }
        await this.attempt({ kind: 'missing-payment', serial: l.serial, svcnum: l.svcnum, fileAmount: l.amount, ourAmount: null, action: 'applied' }, () =>
          post(this.u, { kind: 'payment', sub, amount: l.amount, source: this.client, serial: l.serial, at: localTime(l.time) }),
        );
        continue;
      }
      if (isTombstone(ours) || ours.status === PAY_STATUS.REVERSAL.code || ours.orig_paysn !== null || ours.svcnum !== l.svcnum) {
        const what = isTombstone(ours) ? 'we refused it: its reversal came first (PC-04 tombstone)' : ours.svcnum !== l.svcnum ? `our serial is ${ours.svcnum}'s` : 'our serial is not a payment';
        this.record({ kind: 'conflict', serial: l.serial, svcnum: l.svcnum, fileAmount: l.amount, ourAmount: isTombstone(ours) ? null : ours.amount, action: 'reported', note: what });
        continue;
      }
      if (ours.status === PAY_STATUS.REVERSED.code && ours.reversed_by !== null) {
        // Reversed by an earlier reconciliation (a file that lacked it) and listed now: the card
        // system is authoritative, so that reversal is undone by a correction of it (its own
        // posting); a reversal the card system itself sent is the R loop's.
        const rev = await PAY_BY_PAYSN.one(this.u.tx, { paysn: ours.reversed_by });
        const revEff = rev && rev.source === RECON_SOURCE ? await effectiveAmount(this.u, rev) : 0n;
        if (rev && revEff !== 0n) {
          if (typeof sub === 'string') {
            this.record({ kind: 'missing-payment', serial: l.serial, svcnum: l.svcnum, fileAmount: l.amount, ourAmount: 0n, action: 'reported', note: `reversed by reconciliation (PAYSN ${rev.paysn}); cannot be restored: ${sub}` });
            continue;
          }
          const p = await this.attempt({ kind: 'missing-payment', serial: l.serial, svcnum: l.svcnum, fileAmount: l.amount, ourAmount: 0n, action: 'applied', note: `reversed by reconciliation (PAYSN ${rev.paysn}); restored` }, () => this.correction(sub, -revEff, rev));
          if (!p) continue;
        }
      }
      const eff = await effectiveAmount(this.u, ours);
      if (eff !== l.amount) {
        if (typeof sub === 'string') {
          this.record({ kind: 'amount', serial: l.serial, svcnum: l.svcnum, fileAmount: l.amount, ourAmount: eff, action: 'reported', note: `cannot be corrected: ${sub}` });
          continue;
        }
        await this.attempt({ kind: 'amount', serial: l.serial, svcnum: l.svcnum, fileAmount: l.amount, ourAmount: eff, action: 'corrected' }, () => this.correction(sub, l.amount - eff, ours));
      }
    }
  }

  /** The file's R lines. */
  async reversals(): Promise<void> {
    for (const l of this.file.lines) {
      if (l.kind !== 'R') continue;
      this.step();
      const sub = await this.lockFor(l.svcnum, await findPosting(this.u, this.client, l.serial), await findPosting(this.u, this.client, l.orig));
      const ours = await findPosting(this.u, this.client, l.serial);
      if (ours) {
        const orig = ours.orig_paysn === null ? undefined : await PAY_BY_PAYSN.one(this.u.tx, { paysn: ours.orig_paysn });
        if (ours.status !== PAY_STATUS.REVERSAL.code || !orig || orig.serial !== l.orig || ours.svcnum !== l.svcnum) {
          this.record({ kind: 'conflict', serial: l.serial, svcnum: l.svcnum, fileAmount: -l.amount, ourAmount: ours.amount, action: 'reported', note: 'our serial is not this reversal' });
          continue;
        }
        const eff = await effectiveAmount(this.u, ours);
        if (eff !== -l.amount) {
          if (typeof sub === 'string') {
            this.record({ kind: 'amount', serial: l.serial, svcnum: l.svcnum, fileAmount: -l.amount, ourAmount: eff, action: 'reported', note: `cannot be corrected: ${sub}` });
            continue;
          }
          await this.attempt({ kind: 'amount', serial: l.serial, svcnum: l.svcnum, fileAmount: -l.amount, ourAmount: eff, action: 'corrected' }, () => this.correction(sub, -l.amount - eff, ours));
        }
        continue;
      }
      if (typeof sub === 'string') {
        this.record({ kind: 'missing-reversal', serial: l.serial, svcnum: l.svcnum, fileAmount: -l.amount, ourAmount: null, action: 'reported', note: `cannot be applied: ${sub}` });
        continue;
      }
      const orig = await findPosting(this.u, this.client, l.orig);
      if (!orig || isTombstone(orig)) {
        // Neither side has the payment: remember it (as PC-04 does) so that it is refused if it arrives.
        // Already remembered (by an earlier run or by PC-04's 2008): in place, nothing to do, so a
        // re-run of the file reports no differences.
        if (!orig) {
          const p = await post(this.u, { kind: 'tombstone', sub, amount: 0n, source: this.client, serial: l.orig, at: localTime(l.time) });
          this.out.push({ kind: 'unknown-original', serial: l.serial, svcnum: l.svcnum, fileAmount: -l.amount, ourAmount: null, action: 'remembered', paysn: p.paysn, note: `original ${l.orig}: tombstone` });
          this.made++;
        }
        continue;
      }
      if (orig.status !== PAY_STATUS.NORMAL.code || orig.orig_paysn !== null || orig.subscrbid !== sub.subscrbid) {
        const note = orig.status === PAY_STATUS.REVERSED.code ? `original ${l.orig} is reversed already (PAYSN ${orig.reversed_by})` : `original ${l.orig} is not a payment of ${l.svcnum}`;
        this.record({ kind: 'missing-reversal', serial: l.serial, svcnum: l.svcnum, fileAmount: -l.amount, ourAmount: null, action: 'reported', note });
        continue;
      }
      const eff = await effectiveAmount(this.u, orig);
      const p = await this.attempt({ kind: 'missing-reversal', serial: l.serial, svcnum: l.svcnum, fileAmount: -l.amount, ourAmount: null, action: 'applied' }, () =>
        post(this.u, { kind: 'reversal', sub, amount: -eff, source: this.client, serial: l.serial, original: orig, at: localTime(l.time) }),
      );
      if (p && eff !== l.amount) {
        // The file's reversal takes back another amount than the payment stands at: it wins.
        await this.attempt({ kind: 'amount', serial: l.serial, svcnum: l.svcnum, fileAmount: -l.amount, ourAmount: -eff, action: 'corrected' }, () => this.correction(sub, eff - l.amount, { paysn: p.paysn }));
      }
    }
  }

  /** Our postings of the file's day that it lacks. */
  async oursTheFileLacks(): Promise<void> {
    // Ours that the file lacks: postings of the day by PAYTIME.
    const from = localTime(this.file.day);
    const to = new Date(from.getFullYear(), from.getMonth(), from.getDate() + 1);
    const rows = await CARD_POSTINGS_BETWEEN.all(this.u.tx, { source: this.client, paymode: PAY_MODES.CARD.code, from, to });
    const edge = this.card.boundaryMs;
    for (const listed of rows) {
      if (this.inFile.has(listed.serial) || isTombstone(listed)) continue;
      const sub = await this.lockFor(listed.svcnum, listed);
      // Read again under the lock: a reversal or correction committed since the list was read counts.
      const r = (await PAY_BY_PAYSN.one(this.u.tx, { paysn: listed.paysn })) ?? listed;
      const t = localTime(r.paytime).getTime();
      const nearEdge = t - from.getTime() < edge || to.getTime() - t <= edge;
      if (r.orig_paysn === null) {
        // A payment of ours the card system does not have.
        if (r.status === PAY_STATUS.REVERSED.code) {
          const rev = r.reversed_by === null ? undefined : await PAY_BY_PAYSN.one(this.u.tx, { paysn: r.reversed_by });
          // Reversed by an earlier reconciliation: done. Reversed by the card system's own reversal,
          // which the file lacks too (checked below with it): the pair nets to zero.
          if (!rev || rev.source === RECON_SOURCE || !this.inFile.has(rev.serial)) continue;
          this.record({ kind: 'extra-payment', serial: r.serial, svcnum: r.svcnum, fileAmount: null, ourAmount: r.amount, action: 'reported', note: `reversed by ${rev.serial}, which the file has` });
          continue;
        }
        const eff = await effectiveAmount(this.u, r);
        if (nearEdge) {
          this.record({ kind: 'boundary', serial: r.serial, svcnum: r.svcnum, fileAmount: null, ourAmount: eff, action: 'reported', note: `payment posted ${r.paytime}, within [card] day_boundary of midnight: check the neighbouring day's file` });
          continue;
        }
        if (typeof sub === 'string' || sub.subscrbid !== r.subscrbid) {
          this.record({ kind: 'extra-payment', serial: r.serial, svcnum: r.svcnum, fileAmount: null, ourAmount: eff, action: 'reported', note: `cannot be reversed: ${typeof sub === 'string' ? sub : 'the number has another subscriber now'}` });
          continue;
        }
        await this.attempt({ kind: 'extra-payment', serial: r.serial, svcnum: r.svcnum, fileAmount: null, ourAmount: eff, action: 'reversed' }, () =>
          post(this.u, { kind: 'reversal', sub, amount: -eff, source: RECON_SOURCE, serial: (paysn) => `R${paysn}`, original: r }),
        );
        continue;
      }
      if (r.status !== PAY_STATUS.REVERSAL.code) continue;
      // A reversal of ours the card system does not have: undo it, unless its payment is lacking too (the pair nets zero).
      const orig = await PAY_BY_PAYSN.one(this.u.tx, { paysn: r.orig_paysn });
      if (orig && orig.source === this.client && !this.inFile.has(orig.serial) && orig.paytime >= formatDateTime(from) && orig.paytime < formatDateTime(to)) continue;
      const eff = await effectiveAmount(this.u, r);
      if (eff === 0n) continue; // undone by an earlier reconciliation
      if (nearEdge) {
        this.record({ kind: 'boundary', serial: r.serial, svcnum: r.svcnum, fileAmount: null, ourAmount: eff, action: 'reported', note: `reversal posted ${r.paytime}, within [card] day_boundary of midnight: check the neighbouring day's file` });
        continue;
      }
      if (typeof sub === 'string' || sub.subscrbid !== r.subscrbid) {
        this.record({ kind: 'extra-reversal', serial: r.serial, svcnum: r.svcnum, fileAmount: null, ourAmount: eff, action: 'reported', note: `cannot be undone: ${typeof sub === 'string' ? sub : 'the number has another subscriber now'}` });
        continue;
      }
      await this.attempt({ kind: 'extra-reversal', serial: r.serial, svcnum: r.svcnum, fileAmount: null, ourAmount: eff, action: 'corrected' }, () => this.correction(sub, -eff, r));
    }
  }
}
