// Serves VO-07 voip-same-customer (207).
// VO-07 subscribers with the same customer (IP Phone通过卡号或手机号码查询相同CUSID用户): a card or
// mobile number → its customer (CUSTID) → every TAB_SUBSCRB number of that customer.
import { CARDS_OF_NUMBER, CUSTOMER_NUMBERS, CUSTOMER_NUMBER_COUNT } from '../src/store/queries/voip.js';
import type { HandlerContext } from '../src/types.js';
import { defineHandler } from './kit/define.js';
import { VOIP_BY_CARD } from './kit/fields.js';
import { findSubscriber, findVoipByCard } from './kit/subscriber.js';
import { contract, MAX_NUMBERS } from './contracts/voip-same-customer.js';

export { MAX_NUMBERS } from './contracts/voip-same-customer.js';

/** The customer of a card number or of a mobile / phone number. */
async function customerOf(ctx: HandlerContext, by: string, number: string): Promise<bigint> {
  if (by === VOIP_BY_CARD) return (await findVoipByCard(ctx, number)).custid;
  // The legacy flow reads the customer from the number's binding (TAB_VOIPSUBSCRB): the earliest
  // binding to a live card; a number bound to no card is looked up as a subscriber of its own.
  const [binding] = await CARDS_OF_NUMBER.all(ctx.store, { bindnum: number, n: 1 });
  if (binding) return binding.custid;
  return (await findSubscriber(ctx, number)).custid;
}

export default defineHandler(contract, {
  async handle({ by, number }, ctx) {
    const custid = await customerOf(ctx, by, number);
    const count = await CUSTOMER_NUMBER_COUNT.one(ctx.store, { custid });
    const rows = await CUSTOMER_NUMBERS.all(ctx.store, { custid, n: MAX_NUMBERS });
    return {
      custid: String(custid),
      total: count?.total ?? 0,
      numbers: rows.map((r) => ({ svcnum: r.svcnum, nettype: r.nettype, status: r.status, cardnum: r.cardnum })),
    };
  },
});
