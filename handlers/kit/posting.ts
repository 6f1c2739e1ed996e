// THE posting function (docs/payments.md): every change of money made by bssgate — a PC-03
// payment, a PC-04 reversal, a PC-07 reconciliation correction — is one TAB_PAY row plus its
// TAB_ACCOUNTPREDEPOSIT row, ACCT_BALANCE and TAB_ACCOUNTPREDEPOSITDTAL changed by the same signed
// amount (arithmetic in SQL), then the status rule: an arrears-suspended subscriber (3) whose
// real-time balance is now above zero gets the resume command (recordBusiness PAYMENT_RESUME).
// All in the caller's unit of work. Nothing is ever edited in place except the reversed
// payment's STATUS/REVERSED_BY link.
import { GatewayError } from '../../protocol/return-codes.js';
import { DEFAULT_CARD, UNCONFIGURED_CARD_CLIENT } from '../../src/config/keys.js';
import { UNCONFIGURED_CLIENT } from '../../src/idempotency.js';
import type { CardConfig } from '../../src/config/types.js';
import { PAY_MODES, PAY_STATUS, SUBSCRIBER_STATUS } from '../../src/store/schema.js';
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
  PAY_BY_SOURCE_SERIAL,
  PREDEPOSIT_DTAL,
} from '../../src/store/queries/payments.js';
import { SUBSCRIBER_BY_NUMBER } from '../../src/store/queries/subscriber.js';
import type { RowOf } from '../../src/store/queries/define.js';
import type { HandlerContext, WriteContext } from '../../src/types.js';
import { deriveContext } from '../../src/context.js';
import { recordBusiness } from './business-record.js';
import { realtimeBalance } from './realtime-balance.js';
import type { Subscriber } from './subscriber.js';

export type PayRow = RowOf<typeof PAY_BY_SOURCE_SERIAL.columns>;

/** TAB_ACCOUNTPREDEPOSIT(DTAL).DEPOSITTYPE of every card posting: ordinary prepayment. */
export const DEPOSIT_ORDINARY = 1;
/** TAB_PAY.SOURCE of reconciliation corrections (PC-07); their SERIAL is a kind letter + their own PAYSN. */
export const RECON_SOURCE = 'RECON';
/** TAB_PAY.OPERATOR of postings made by the reconciliation. */
export const RECON_OPERATOR = 'RECON';

/**
 * The card system's identity: TAB_PAY.SOURCE of its postings, the reconciliation file's client
 * and the BSG_META key `card_reconciled_through.<client>`. The ONE place that decides it: the
 * client name PC-06 keys its ledger by ([client.<id>] name, ctx.client); for a peer no
 * [client.<id>] section names (the ledger's client `*`), the fixed, reserved name `card` — never
 * the interface's section name, so that two gateways whose card interfaces are named differently
 * post and look up under one identity, as their ledger rows do.
 */
export function cardClient(ctx: HandlerContext): string {
  const client = ctx.client;
  return client && client !== UNCONFIGURED_CLIENT ? client : UNCONFIGURED_CARD_CLIENT;
}

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/**
 * Lock the account's balance row in the caller's unit and return its BALANCE; 2011 when it has
 * none. Every unit that posts takes this lock BEFORE it reads the postings it decides on (the
 * prior posting of a serial, the payment a reversal takes back and its corrections, the status
 * the resume rule reads): PC-03, PC-04 and PC-07 all lock first, so what a unit reads after the
 * lock stands until it commits. Taking it again in the same unit costs nothing.
 */
export async function lockAccount(ctx: WriteContext, acctid: bigint): Promise<bigint> {
  const row = await ACCOUNT_FOR_UPDATE.one(ctx.tx, { acctid });
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

/** The [card] settings in force (defaults when the configuration was built without the section). */
export function cardSettings(ctx: HandlerContext): CardConfig {
  return ctx.card ?? DEFAULT_CARD;
}

/** 2010 unless min ≤ amount ≤ max of [card]. */
export function checkAmount(ctx: HandlerContext, amount: bigint): void {
  const { minAmount, maxAmount } = cardSettings(ctx);
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
  /** Defaults to ctx.operator. */
  operator?: string;
  /** Defaults to the clock. */
  at?: Date;
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
export function findPosting(ctx: WriteContext | HandlerContext, source: string, serial: string): Promise<PayRow | undefined> {
  return PAY_BY_SOURCE_SERIAL.one(ctx.store, { source, serial });
}

/** A payment's amount as it stands: its own plus the reconciliation's corrections of it (PC-07). */
export async function effectiveAmount(ctx: HandlerContext, row: Pick<PayRow, 'paysn' | 'amount' | 'acctid'>): Promise<bigint> {
  const c = await CORRECTIONS_OF.one(ctx.store, { acctid: row.acctid, paysn: row.paysn, source: RECON_SOURCE, posted: PAY_STATUS.NORMAL.code });
  return row.amount + (c?.total ?? 0n);
}

export async function post(ctx: WriteContext, p: Posting): Promise<Posted> {
  const tx = ctx.tx;
  const at = p.at ?? ctx.clock.date();
  const operator = p.operator ?? ctx.operator;
  let sub = p.sub;
  // The account's balance row first: its lock serialises every posting to the account (and so
  // the first TAB_ACCOUNTPREDEPOSITDTAL insert below). Every refusal comes before the first write.
  const balance = await lockAccount(ctx, sub.acctid);
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
  // that resumed the line has committed by now.
  const now = await SUBSCRIBER_BY_NUMBER.one(ctx.store, { svcnum: sub.svcnum });
  if (now && now.subscrbid === sub.subscrbid) sub = now;
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
  const rt = await realtimeBalance(ctx, sub);
  const posted: Posted = { paysn, source: row.source, serial: row.serial, balance: rt.balance, unbilled: rt.unbilled, realtime: rt.realtime, subscriberStatus: sub.status };
  if (p.kind !== 'tombstone' && sub.status === SUBSCRIBER_STATUS.ARREARS_SUSPENDED.code && rt.realtime > 0n) {
    try {
      const rec = await recordBusiness(deriveContext(ctx, { operator }), sub, 'PAYMENT_RESUME', { param: `PAYSN=${paysn}` });
      posted.resumed = rec.busisn;
      posted.subscriberStatus = rec.subscriberStatus;
    } catch (err) {
      // A function that does not post (and so does not take the account's lock) changed the
      // status after we read it: this payment still posts; it just does not queue a command.
      if (!(err instanceof GatewayError && err.code === 2004)) throw err;
      posted.subscriberStatus = (await SUBSCRIBER_BY_NUMBER.one(ctx.store, { svcnum: sub.svcnum }))?.status ?? sub.status;
    }
  }
  return posted;
}
