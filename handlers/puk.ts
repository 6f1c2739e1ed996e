// Serves CS-06 puk-by-number (106), CS-07 puk-by-sim (107).
// CS-06 PUK by phone number (number → TAB_SUBSCRB.SIMCARDID → RES_MOB_CARD.PUK) and CS-07 PUK by
// SIM card number (RES_MOB_CARD directly, cards in stock too). One reply layout for both. The PUK
// is a secret field: it travels in the reply and is never written to a log (SPEC.md "Secret fields").
import { GatewayError } from '../protocol/return-codes.js';
import { SIM_CARD } from '../src/store/queries/card.js';
import type { HandlerContext } from '../src/types.js';
import { defineHandler } from './kit/define.js';
import { findSubscriber } from './kit/subscriber.js';
import * as contracts from './contracts/puk.js';

async function card(ctx: HandlerContext, simcardid: string, what: string) {
  const c = await SIM_CARD.one(ctx.store, { simcardid });
  if (!c) throw new GatewayError('NO_SIM_CARD', what);
  return { simcardid: c.simcardid, imsi: c.imsi, puk: c.puk, nettype: c.nettype, cardStatus: c.status };
}

const byNumber = defineHandler(contracts.byNumber, {
  async handle({ svcnum }, ctx) {
    const sub = await findSubscriber(ctx, svcnum);
    if (!sub.simcardid) throw new GatewayError('NO_SIM_CARD', `${svcnum} 无SIM卡`);
    return card(ctx, sub.simcardid, `${svcnum}: ${sub.simcardid}`);
  },
});

const bySim = defineHandler(contracts.bySim, {
  async handle({ simcardid }, ctx) {
    return card(ctx, simcardid, simcardid);
  },
});

export default [...byNumber, ...bySim];
