// The real-time balance of a subscriber's paying account (实时余额): the settled balance minus this
// cycle's unbilled fees, exactly as CS-12 computes them (ACCOUNT_REALTIME: usage and rents of every
// number on the account). Shared by PC-03/PC-04's resume rule, PC-05 and CS-23, so that "above
// zero" means the same thing on every interface.
import { GatewayError } from '../../protocol/return-codes.js';
import { ACCOUNT_REALTIME } from '../../src/store/queries/bills.js';
import type { Queryable } from '../../src/store/types.js';
import type { Clock } from '../../src/types.js';
import { cycleOfDate } from '../monthly-bill.js';
import type { Subscriber } from './subscriber.js';

export interface RealtimeBalance {
  /** Settled balance, fen (ACCT_BALANCE.BALANCE); negative = owed. */
  balance: bigint;
  /** This cycle's unbilled usage and rents of the whole account, fen (usage + rents). */
  unbilled: bigint;
  /** Of which usage fees (RATING2_REAL_FEE) and rents (BILL_RENT_ACCT_DETAIL), fen. */
  usage: bigint;
  rents: bigint;
  /** balance − unbilled, fen. */
  realtime: bigint;
  /** The cycle the unbilled fees belong to (YYYYMM, the gateway clock's month). */
  cycle: string;
}

/**
 * Read through ctx.store: in a write function (and in the posting domain, src/domain/posting.ts,
 * which hands its unit's tx) that is the unit of work, so a payment's own ACCT_BALANCE update is
 * already seen. 2011 when the account has no ACCT_BALANCE row.
 */
export async function realtimeBalance(ctx: { store: Queryable; clock: Clock }, sub: Pick<Subscriber, 'acctid'>): Promise<RealtimeBalance> {
  const cycle = cycleOfDate(ctx.clock.date());
  const acct = await ACCOUNT_REALTIME.one(ctx.store, { acctid: sub.acctid, cycle });
  if (!acct) throw new GatewayError('NO_ACCOUNT', String(sub.acctid));
  const unbilled = acct.acct_usage + acct.acct_rents;
  return { balance: acct.balance, unbilled, usage: acct.acct_usage, rents: acct.acct_rents, realtime: acct.balance - unbilled, cycle };
}
