// THE posting domain (docs/payments.md): every change of money made by bssgate — a PC-03
// payment, a PC-04 reversal, a PC-07 reconciliation correction — is one TAB_PAY row plus its
// TAB_ACCOUNTPREDEPOSIT row, ACCT_BALANCE and TAB_ACCOUNTPREDEPOSITDTAL changed by the same signed
// amount (arithmetic in SQL), then the status rule: an arrears-suspended subscriber (3) whose
// real-time balance is now above zero gets the resume command (recordBusiness PAYMENT_RESUME).
// All in the caller's unit of work. Nothing is ever edited in place except the reversed
// payment's STATUS/REVERSED_BY link.
//
// Its callers: PC-03 (`pay`, handlers/payment.ts), PC-04 (`reverse`, handlers/reversal.ts) and
// PC-07 (`post` and the lookups, src/reconcile/rules.ts). What it needs is a PostingUnit — the
// unit's tx, the clock, the [card] settings and the operator — never a HandlerContext: the
// handlers decode, call it and shape the reply; the reconciliation calls it with its own
// transaction. It reads and writes only through the unit's tx. Two rules it shares with other
// functions come from the handler kit, called with the unit: the subscriber lookup and the status
// transition + business record (handlers/kit/subscriber.ts, business-record.ts) and CS-12's
// real-time balance (handlers/kit/realtime-balance.ts).
import { GatewayError } from '../../protocol/return-codes.js';
import { UNCONFIGURED_CARD_CLIENT } from '../config/keys.js';
import { UNCONFIGURED_CLIENT } from '../idempotency.js';
import type { CardConfig, DatabaseType } from '../config/types.js';
import { PAY_MODES, PAY_STATUS, SUBSCRIBER_STATUS } from './codes.js';
import { KeptRefusal } from '../kept-refusal.js';
import {
  ACCOUNT_FOR_UPDATE,
  ADD_BALANCE,
  ADD_PREDEPOSIT_DTAL,
  CORRECTIONS_OF,
  INSERT_PAY,
  INSERT_PAY_LINKED,
  INSERT_PREDEPOSIT,
  INSERT_PREDEPOSIT_DTAL,
  MARK_REVERSED,
  NEXT_DEPOSITSN,
  NEXT_PAYSN,
  PAY_BY_PAYSN,
  PAY_BY_SOURCE_SERIAL,
  PREDEPOSIT_DTAL,
} from '../store/queries/payments.js';
import { SUBSCRIBER_BY_NUMBER } from '../store/queries/subscriber.js';
import type { RowOf } from '../store/queries/define.js';
import type { Queryable } from '../store/types.js';
import type { Clock } from '../types.js';
import { recordBusiness } from '../../handlers/kit/business-record.js';
import { realtimeBalance } from '../../handlers/kit/realtime-balance.js';
import { findSubscriber, type Subscriber } from '../../handlers/kit/subscriber.js';

export type PayRow = RowOf<typeof PAY_BY_SOURCE_SERIAL.columns>;

/** TAB_ACCOUNTPREDEPOSIT(DTAL).DEPOSITTYPE of every card posting: ordinary prepayment. */
export const DEPOSIT_ORDINARY = 1;
/** TAB_PAY.SOURCE of reconciliation corrections (PC-07); their SERIAL is a kind letter + their own PAYSN. */
export const RECON_SOURCE = 'RECON';
/** TAB_PAY.OPERATOR of postings made by the reconciliation. */
export const RECON_OPERATOR = 'RECON';

/** What the posting domain works in: one unit of work and what it needs to know about it. */
export interface PostingUnit {
  /** The caller's unit of work (a write function's group-commit unit, the reconciliation's transaction): every read and write. */
  tx: Queryable;
  /** The time of a posting (unless it brings its own) and of the resume record; the cycle of the real-time balance. */
  clock: Clock;
  /** [card]: PC-03's amount bounds. */
  card: CardConfig;
  /** TAB_PAY.OPERATOR of the postings (unless one brings its own) and the resume record's operator. */
  operator: string;
  /** The unit's back end: on PostgreSQL a resume command notifies the scanners (recordBusiness). */
  dialect?: DatabaseType;
}

/**
 * The card system's identity: TAB_PAY.SOURCE of its postings, the reconciliation file's client
 * and the BSG_META key `card_reconciled_through.<client>`. The ONE place that decides it: the
 * client name PC-06 keys its ledger by ([client.<id>] name, the request's client); for a peer no
 * [client.<id>] section names (the ledger's client `*`), the fixed, reserved name `card` — never
 * the interface's section name, so that two gateways whose card interfaces are named differently
 * post and look up under one identity, as their ledger rows do.
 */
export function cardClient(client: string | undefined): string {
  return client && client !== UNCONFIGURED_CLIENT ? client : UNCONFIGURED_CARD_CLIENT;
}

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/** Reads of the kit's lookups, through the unit. */
const reads = (u: Pick<PostingUnit, 'tx' | 'clock'>) => ({ store: u.tx, clock: u.clock });

/**
 * Lock the account's balance row in the caller's unit and return its BALANCE; 2011 when it has
 * none. Every unit that posts takes this lock BEFORE it reads the postings it decides on (the
 * prior posting of a serial, the payment a reversal takes back and its corrections, the status
 * the resume rule reads): PC-03, PC-04 and PC-07 all lock first, so what a unit reads after the
 * lock stands until it commits. Taking it again in the same unit changes nothing but costs a
 * round trip: post() takes the balance already read (Posting.lockedBalance).
 */
export async function lockAccount(u: Pick<PostingUnit, 'tx'>, acctid: bigint): Promise<bigint> {
  const row = await ACCOUNT_FOR_UPDATE.one(u.tx, { acctid });
  if (!row) throw new GatewayError('NO_ACCOUNT', `帐户 ${acctid} 无余额记录 (ACCT_BALANCE)`);
  return row.balance;
}

/** 2013 unless every total the posting changes stays a signed 64-bit integer (checked before anything is written). */
function checkRange(what: string, before: bigint, delta: bigint, acctid: bigint): void {
  const after = before + delta;
  if (after > INT64_MAX || after < INT64_MIN) {
    throw new GatewayError('BALANCE_OUT_OF_RANGE', `帐户 ${acctid} ${what} ${before} 分 ${delta < 0n ? '-' : '+'} ${delta < 0n ? -delta : delta} 分超出 64 位整数范围`);
  }
}

/** 2010 unless min ≤ amount ≤ max of [card]. */
export function checkAmount(card: Pick<CardConfig, 'minAmount' | 'maxAmount'>, amount: bigint): void {
  const { minAmount, maxAmount } = card;
  if (amount < minAmount || amount > maxAmount) {
    throw new GatewayError('AMOUNT_OUT_OF_BOUNDS', `${amount} 分不在 ${minAmount}..${maxAmount} 分之间`);
  }
}

/** A tombstone: the row a reversal of an unknown serial leaves in that serial's place (PC-04). */
export function isTombstone(r: Pick<PayRow, 'status' | 'orig_paysn' | 'amount'>): boolean {
  return r.status === PAY_STATUS.REVERSAL.code && r.orig_paysn === null && r.amount === 0n;
}

export type PostingKind = 'payment' | 'reversal' | 'correction' | 'tombstone';

export interface Posting {
  kind: PostingKind;
  sub: Subscriber;
  /** Signed fen: a payment > 0, a reversal < 0, a correction either, a tombstone 0. */
  amount: bigint;
  source: string;
  /** Its SERIAL; a function of the new PAYSN for the reconciliation's own postings (`C<paysn>`, `R<paysn>`). */
  serial: string | ((paysn: bigint) => string);
  /** reversal: the payment reversed (must be STATUS 1, else 2009); correction: the posting corrected. */
  original?: Pick<PayRow, 'paysn'>;
  /** Defaults to the unit's operator. */
  operator?: string;
  /** Defaults to the clock. */
  at?: Date;
  /**
   * The BALANCE lockAccount returned earlier in this same unit (PC-03, PC-04 lock before they read
   * the serial's postings): the lock is held, so post() uses it instead of a second round trip.
   */
  lockedBalance?: bigint;
  /**
   * `sub` was read through this same unit's tx (PC-03, PC-04: findSubscriber before the lock). On
   * SQLite post() then takes it as the row under the lock instead of reading it again.
   */
  subReadInUnit?: boolean;
}

export interface Posted {
  paysn: bigint;
  /** The TAB_PAY row's SOURCE and SERIAL (with paysn: the key of its suc_query line, ctx.logPosting). */
  source: string;
  serial: string;
  /** Settled balance afterwards (ACCT_BALANCE.BALANCE), fen. */
  balance: bigint;
  unbilled: bigint;
  /** balance − unbilled, fen. */
  realtime: bigint;
  /** The subscriber's status afterwards. */
  subscriberStatus: number;
  /** The resume command's BUSISN when this posting queued it. */
  resumed?: bigint;
}

/** The posting already recorded under a source's serial, if any. */
export function findPosting(u: Pick<PostingUnit, 'tx'>, source: string, serial: string): Promise<PayRow | undefined> {
  return PAY_BY_SOURCE_SERIAL.one(u.tx, { source, serial });
}

/** A payment's amount as it stands: its own plus the reconciliation's corrections of it (PC-07). */
export async function effectiveAmount(u: Pick<PostingUnit, 'tx'>, row: Pick<PayRow, 'paysn' | 'amount' | 'acctid'>): Promise<bigint> {
  const c = await CORRECTIONS_OF.one(u.tx, { acctid: row.acctid, paysn: row.paysn, source: RECON_SOURCE, posted: PAY_STATUS.NORMAL.code });
  return row.amount + (c?.total ?? 0n);
}

/** THE posting function: one posting and the status rule, in the unit (docs/payments.md). */
export async function post(u: PostingUnit, p: Posting): Promise<Posted> {
  const tx = u.tx;
  const at = p.at ?? u.clock.date();
  const operator = p.operator ?? u.operator;
  let sub = p.sub;
  // The account's balance row first: its lock serialises every posting to the account (and so
  // the first TAB_ACCOUNTPREDEPOSITDTAL insert below). Every refusal comes before the first write.
  const balance = p.lockedBalance ?? (await lockAccount(u, sub.acctid));
  const tin = p.amount > 0n ? p.amount : 0n;
  const tout = p.amount < 0n ? -p.amount : 0n;
  const dtal = { amount: p.amount, tin, tout, now: at, acctid: sub.acctid, deposittype: DEPOSIT_ORDINARY };
  let dtalExists = false;
  if (p.kind !== 'tombstone') {
    checkRange('BALANCE', balance, p.amount, sub.acctid);
    const d = await PREDEPOSIT_DTAL.one(tx, { acctid: sub.acctid, deposittype: DEPOSIT_ORDINARY });
    dtalExists = d !== undefined;
    checkRange('预存 BALANCE', d?.balance ?? 0n, p.amount, sub.acctid);
    checkRange('TOTAL_IN', d?.total_in ?? 0n, tin, sub.acctid);
    checkRange('TOTAL_OUT', d?.total_out ?? 0n, tout, sub.acctid);
  }
  // The status as it stands under the lock (the resume rule): a concurrent posting to the account
  // that resumed the line has committed by now. Not read again on SQLite when p.sub was read in
  // this unit: all of a SQLite unit's reads are one transaction, which holds the writer lock from
  // its BEGIN IMMEDIATE, so nothing else has written since and the row read is the row as it
  // stands (issue 17: one statement fewer per payment and reversal).
  if (!(p.subReadInUnit && u.dialect === 'sqlite')) {
    const now = await SUBSCRIBER_BY_NUMBER.one(tx, { svcnum: sub.svcnum });
    if (now && now.subscrbid === sub.subscrbid) sub = now;
  }
  const next = await NEXT_PAYSN.one(tx, {});
  if (!next) throw new Error('SEQ_PAYSN returned no row');
  const paysn = next.paysn;
  if (p.kind === 'reversal') {
    if (!p.original) throw new Error('a reversal needs its original');
    const n = await MARK_REVERSED.run(tx, { reversed: PAY_STATUS.REVERSED.code, by: paysn, paysn: p.original.paysn, normal: PAY_STATUS.NORMAL.code });
    if (n !== 1) throw new GatewayError('ALREADY_REVERSED', `PAYSN ${p.original.paysn}`);
  }
  if (p.kind !== 'tombstone') {
    const n = await ADD_BALANCE.run(tx, { amount: p.amount, now: at, acctid: sub.acctid });
    if (n !== 1) throw new GatewayError('NO_ACCOUNT', String(sub.acctid));
  }
  const row = {
    paysn,
    acctid: sub.acctid,
    subscrbid: sub.subscrbid,
    svcnum: sub.svcnum,
    paymode: PAY_MODES.CARD.code,
    amount: p.amount,
    paytime: at,
    source: p.source,
    serial: typeof p.serial === 'function' ? p.serial(paysn) : p.serial,
    operator,
    status: p.kind === 'reversal' || p.kind === 'tombstone' ? PAY_STATUS.REVERSAL.code : PAY_STATUS.NORMAL.code,
  };
  if (p.original && p.kind !== 'payment' && p.kind !== 'tombstone') await INSERT_PAY_LINKED.run(tx, { ...row, orig: p.original.paysn });
  else await INSERT_PAY.run(tx, row);
  if (p.kind !== 'tombstone') {
    if (dtalExists) await ADD_PREDEPOSIT_DTAL.run(tx, dtal);
    else await INSERT_PREDEPOSIT_DTAL.run(tx, dtal);
    const dep = await NEXT_DEPOSITSN.one(tx, {});
    if (!dep) throw new Error('SEQ_DEPOSITSN returned no row');
    await INSERT_PREDEPOSIT.run(tx, { depositsn: dep.depositsn, acctid: sub.acctid, paysn, deposittype: DEPOSIT_ORDINARY, amount: p.amount, created: at });
  }
  const rt = await realtimeBalance(reads(u), sub);
  const posted: Posted = { paysn, source: row.source, serial: row.serial, balance: rt.balance, unbilled: rt.unbilled, realtime: rt.realtime, subscriberStatus: sub.status };
  if (p.kind !== 'tombstone' && sub.status === SUBSCRIBER_STATUS.ARREARS_SUSPENDED.code && rt.realtime > 0n) {
    try {
      const rec = await recordBusiness({ tx, clock: u.clock, operator, store: u.dialect && { dialect: u.dialect } }, sub, 'PAYMENT_RESUME', { param: `PAYSN=${paysn}` });
      posted.resumed = rec.busisn;
      posted.subscriberStatus = rec.subscriberStatus;
    } catch (err) {
      // A function that does not post (and so does not take the account's lock) changed the
      // status after we read it: this payment still posts; it just does not queue a command.
      if (!(err instanceof GatewayError && err.code === 2004)) throw err;
      posted.subscriberStatus = (await SUBSCRIBER_BY_NUMBER.one(tx, { svcnum: sub.svcnum }))?.status ?? sub.status;
    }
  }
  return posted;
}

// ---------------------------------------------------------------------------------------------
// PC-03 and PC-04: what the card system asks over the wire

/** The figures of an answer: a posting made now, or the one already made under the serial. */
export interface Answered extends Posted {
  /** The number's subscriber (its ACCTID is the paying account). */
  sub: Subscriber;
  /**
   * true: posted now (one suc_query.MMDD line). false: the serial was posted already (by the
   * reconciliation, or before PC-06's ledger row was purged) and is answered with that posting:
   * nothing posted now, `resumed` absent, the figures as they stand.
   */
  fresh: boolean;
}

/** The figures of a posting already made, as they stand (nothing queued by this request). */
async function asItStands(u: PostingUnit, sub: Subscriber, row: Pick<PayRow, 'paysn' | 'source' | 'serial'>): Promise<Answered> {
  const rt = await realtimeBalance(reads(u), sub);
  return { sub, fresh: false, paysn: row.paysn, source: row.source, serial: row.serial, balance: rt.balance, unbilled: rt.unbilled, realtime: rt.realtime, subscriberStatus: sub.status };
}

export interface PaymentRequest {
  svcnum: string;
  /** Fen, > 0. */
  amount: bigint;
  /** The card system's identity (cardClient): TAB_PAY.SOURCE. */
  source: string;
  /** The request's serial (流水号): TAB_PAY.SERIAL. */
  serial: string;
}

/**
 * PC-03: post a payment to the number's paying account, or answer the posting already made under
 * its serial. 2010 outside [card] min..max, 2001/2004 (the number), 2011, 2013; a serial whose
 * reversal came first (a tombstone) or that is posted and reversed 2009; a serial used for another
 * number, amount or kind 2007.
 */
export async function pay(u: PostingUnit, r: PaymentRequest): Promise<Answered> {
  checkAmount(u.card, r.amount);
  const sub = await findSubscriber(reads(u), r.svcnum);
  // The account first, then what is posted under this serial (a reconciliation or a reversal
  // running now has committed or not started by then): docs/payments.md, lock order.
  const lockedBalance = await lockAccount(u, sub.acctid);
  const prior = await findPosting(u, r.source, r.serial);
  if (prior) {
    if (isTombstone(prior)) throw new GatewayError('ALREADY_REVERSED', `流水号 ${r.serial} 的冲正先到，该笔缴费不再入帐`);
    if (prior.svcnum !== r.svcnum || prior.amount !== r.amount || prior.status === PAY_STATUS.REVERSAL.code || prior.orig_paysn !== null) {
      throw new GatewayError('SERIAL_CONFLICT', `流水号 ${r.serial} 已用于 ${prior.svcnum} ${prior.amount} 分`);
    }
    if (prior.status === PAY_STATUS.REVERSED.code) throw new GatewayError('ALREADY_REVERSED', `流水号 ${r.serial} 已入帐并已冲正`);
    // Posted already (by the reconciliation, or before PC-06's ledger row was purged): answer it.
    return asItStands(u, sub, prior);
  }
  const p = await post(u, { kind: 'payment', sub, amount: r.amount, source: r.source, serial: r.serial, lockedBalance, subReadInUnit: true });
  return { ...p, sub, fresh: true };
}

export interface ReversalRequest {
  svcnum: string;
  /** The serial of the payment to take back (its PC-03 serial). */
  origSerial: string;
  /** The card system's identity (cardClient): TAB_PAY.SOURCE. */
  source: string;
  /** The reversal's own serial: TAB_PAY.SERIAL of the reversal row. */
  serial: string;
}

export interface Reversed extends Answered {
  /** Fen taken back, positive: the payment as it stood (its corrections included). */
  amount: bigint;
  /** PAYSN of the payment reversed. */
  origPaysn: bigint;
}

/** The payment a reversal names, or a refusal (2008 / 2009) when it cannot be reversed. */
function checkOriginal(orig: PayRow, sub: Subscriber, serial: string): void {
  if (isTombstone(orig)) throw new GatewayError('ORIGINAL_NOT_FOUND', `流水号 ${serial} 的缴费未到达（此前的冲正已记录）`);
  // The serial of a reversal or a correction, or another subscriber's payment: not a payment of this number.
  if (orig.status === PAY_STATUS.REVERSAL.code || orig.orig_paysn !== null || orig.subscrbid !== sub.subscrbid) {
    throw new GatewayError('ORIGINAL_NOT_FOUND', `流水号 ${serial} 不是 ${sub.svcnum} 的缴费`);
  }
  if (orig.status === PAY_STATUS.REVERSED.code) throw new GatewayError('ALREADY_REVERSED', `流水号 ${serial} 已冲正`);
}

/**
 * PC-04: take back one payment of the number as it stands, or answer the reversal already made
 * under this serial. An original never posted is remembered (a tombstone in its place) and
 * refused 2008 with its writes kept; 2009 reversed already; 2007 the serial used otherwise.
 */
export async function reverse(u: PostingUnit, r: ReversalRequest): Promise<Reversed> {
  const sub = await findSubscriber(reads(u), r.svcnum);
  // The account first, then the payment as it stands (its status, its reconciliation
  // corrections): a correction committed while this unit waited for the lock is counted.
  const lockedBalance = await lockAccount(u, sub.acctid);
  // This reversal's serial posted already (by the reconciliation, PC-07): answer that posting.
  const mine = await findPosting(u, r.source, r.serial);
  if (mine) {
    const orig = mine.orig_paysn === null ? undefined : await PAY_BY_PAYSN.one(u.tx, { paysn: mine.orig_paysn });
    if (mine.status !== PAY_STATUS.REVERSAL.code || !orig || orig.serial !== r.origSerial || orig.subscrbid !== sub.subscrbid) {
      throw new GatewayError('SERIAL_CONFLICT', `流水号 ${r.serial} 已用于其他交易`);
    }
    return { ...(await asItStands(u, sub, mine)), amount: -mine.amount, origPaysn: orig.paysn };
  }
  const orig = await findPosting(u, r.source, r.origSerial);
  if (!orig) {
    await post(u, { kind: 'tombstone', sub, amount: 0n, source: r.source, serial: r.origSerial, lockedBalance, subReadInUnit: true });
    throw new KeptRefusal('ORIGINAL_NOT_FOUND', `流水号 ${r.origSerial} 的缴费不存在；已记录，该笔缴费迟到时将被拒绝`);
  }
  checkOriginal(orig, sub, r.origSerial);
  const amount = await effectiveAmount(u, orig);
  const p = await post(u, { kind: 'reversal', sub, amount: -amount, source: r.source, serial: r.serial, original: orig, lockedBalance, subReadInUnit: true });
  return { ...p, sub, fresh: true, amount, origPaysn: orig.paysn };
}
