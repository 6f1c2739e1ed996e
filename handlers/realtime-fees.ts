// Serves CS-12 realtime-totals (112), VO-04 voip-realtime-fees (204), C1-02 c1x-realtime-fees (232), SM-02 sms-realtime-fees (502).
// Real-time fees (实时总帐 / 实时话费): CS-12 by number, VO-04 for IP Phone by card or phone
// number, C1-02 for CDMA1X, SM-02 for the SMS bill-query platform. One reply layout: this
// cycle's usage fees so far (RATING2_REAL_FEE) and rents (BILL_RENT_ACCT_DETAIL) of the number,
// and the account's real-time balance = settled balance − the account's unbilled charges.
import { GatewayError } from '../protocol/return-codes.js';
import { ACCOUNT_REALTIME, REALTIME_ITEMS } from '../src/store/queries/bills.js';
import type { HandlerContext } from '../src/types.js';
import { defineHandler } from './kit/define.js';
import { findSubscriber, type Subscriber } from './kit/subscriber.js';
import { cycleOfDate, findVoip } from './monthly-bill.js';
import * as contracts from './contracts/realtime-fees.js';
import type { RealtimeReply } from './contracts/realtime-fees.js';

export { MAX_FEE_ITEMS } from './contracts/realtime-fees.js';

async function realtimeOf(ctx: HandlerContext, sub: Subscriber): Promise<RealtimeReply> {
  const cycle = cycleOfDate(ctx.clock.date());
  const acct = await ACCOUNT_REALTIME.one(ctx.store, { acctid: sub.acctid, cycle });
  if (!acct) throw new GatewayError('NO_ACCOUNT', String(sub.acctid));
  const rows = await REALTIME_ITEMS.all(ctx.store, { subscrbid: sub.subscrbid, cycle });
  const usage: { item: number; amount: bigint }[] = [];
  const rents: { item: number; amount: bigint }[] = [];
  let usageTotal = 0n;
  let rentTotal = 0n;
  let rated = '';
  for (const r of rows) {
    if (r.kind === 'U') {
      usage.push({ item: r.itemcode, amount: r.amount });
      usageTotal += r.amount;
    } else {
      rents.push({ item: r.itemcode, amount: r.amount });
      rentTotal += r.amount;
    }
    // YYYYMMDDHHMMSS strings sort as the times do.
    if (r.updated > rated) rated = r.updated;
  }
  const accountCharges = acct.acct_usage + acct.acct_rents;
  return {
    svcnum: sub.svcnum,
    cycle,
    usage,
    usageTotal,
    rents,
    rentTotal,
    total: usageTotal + rentTotal,
    rated,
    acctid: String(sub.acctid),
    balance: acct.balance,
    accountCharges,
    realtimeBalance: acct.balance - accountCharges,
  };
}

const cs12 = defineHandler(contracts.cs12, {
  async handle({ svcnum }, ctx) {
    return realtimeOf(ctx, await findSubscriber(ctx, svcnum));
  },
});

const vo04 = defineHandler(contracts.vo04, {
  async handle({ by, number }, ctx) {
    return realtimeOf(ctx, await findVoip(ctx, by, number));
  },
});

const c102 = defineHandler(contracts.c102, {
  async handle({ svcnum }, ctx) {
    return realtimeOf(ctx, await findSubscriber(ctx, svcnum, { nets: ['X'] }));
  },
});

const sm02 = defineHandler(contracts.sm02, {
  async handle({ svcnum }, ctx) {
    return realtimeOf(ctx, await findSubscriber(ctx, svcnum));
  },
});

export default [...cs12, ...vo04, ...c102, ...sm02];
