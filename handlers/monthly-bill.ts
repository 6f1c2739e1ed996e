// Serves CS-10 monthly-bill (110), VO-03 voip-monthly-bill (203), C1-01 c1x-monthly-bill (231).
// The monthly bill (月结话费帐单): CS-10 by number, VO-03 for IP Phone by card or phone number,
// C1-01 for CDMA1X. One bill layout, three business types: number → TAB_SUBSCRB.SUBSCRBID →
// TAB_BILLDETAIL rows of the cycle. Also the shared pieces of the IP Phone "by card or phone
// number" functions (VO-03, VO-04) and the current billing cycle (CS-12 and its copies).
import { GatewayError } from '../protocol/return-codes.js';
import { BILL_ITEMS } from '../src/store/queries/bills.js';
import type { HandlerContext } from '../src/types.js';
import { defineHandler } from './kit/define.js';
import { voipBy, voipNumber, VOIP_BY_CARD } from './kit/fields.js';
import { findSubscriber, findVoipByCard, type LookupOptions, type Subscriber } from './kit/subscriber.js';
import * as contracts from './contracts/monthly-bill.js';
import type { BillReply } from './contracts/monthly-bill.js';

export { FEE_ITEM_CODES, feeItem, MAX_BILL_ITEMS } from './contracts/monthly-bill.js';

/** The billing cycle YYYYMM of a local time (the current cycle of ctx.clock.date()). */
export function cycleOfDate(d: Date): string {
  return `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}`;
}

// ---------------------------------------------------------------------------------------------
// VO-*: "by card or phone number" (通过卡号或电话号码). The phone number is the IP Phone
// subscriber's own service number (TAB_SUBSCRB.SVCNUM, NETTYPE V); a card is looked up through
// TAB_SUBSCRB.CARDNUM (the live V subscriber of the card, findVoipByCard).

// The `by` / `number` fields are the shared ones of handlers/kit/fields.ts (N: the V number itself).
export { voipBy, voipNumber };

/** The IP Phone (V) subscriber of a card number or of a V service number (2001 for another network). */
export async function findVoip(ctx: HandlerContext, by: string, number: string, o: Omit<LookupOptions, 'nets'> = {}): Promise<Subscriber> {
  return by === VOIP_BY_CARD ? findVoipByCard(ctx, number, o) : findSubscriber(ctx, number, { ...o, nets: ['V'] });
}

async function billOf(ctx: HandlerContext, sub: Subscriber, cycle: string): Promise<BillReply> {
  const rows = await BILL_ITEMS.all(ctx.store, { subscrbid: sub.subscrbid, cycle });
  if (rows.length === 0) {
    const unbilled = cycle >= cycleOfDate(ctx.clock.date());
    throw new GatewayError('NO_RECORD', unbilled ? `帐期 ${cycle} 尚未出帐` : `${sub.svcnum} 帐期 ${cycle} 无帐单`);
  }
  let total = 0n;
  let discountTotal = 0n;
  for (const r of rows) {
    total += r.amount;
    discountTotal += r.discount;
  }
  return {
    svcnum: sub.svcnum,
    cycle,
    items: rows.map((r) => ({ item: r.itemcode, itemName: r.itemname, amount: r.amount, discount: r.discount })),
    total,
    discountTotal,
  };
}

const cs10 = defineHandler(contracts.cs10, {
  async handle({ svcnum, cycle }, ctx) {
    return billOf(ctx, await findSubscriber(ctx, svcnum, { cancelled: true }), cycle);
  },
});

const vo03 = defineHandler(contracts.vo03, {
  async handle({ by, number, cycle }, ctx) {
    return billOf(ctx, await findVoip(ctx, by, number, { cancelled: true }), cycle);
  },
});

const c101 = defineHandler(contracts.c101, {
  async handle({ svcnum, cycle }, ctx) {
    return billOf(ctx, await findSubscriber(ctx, svcnum, { nets: ['X'], cancelled: true }), cycle);
  },
});

export default [...cs10, ...vo03, ...c101];
