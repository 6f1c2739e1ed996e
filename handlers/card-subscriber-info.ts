// Serves PC-02 card-subscriber-info (302).
// PC-02 subscriber information (用户信息查询) for the card system: the profile fields a payment
// terminal shows to confirm whose number it is paying into, before the payment (PC-03). From
// TAB_SUBSCRB (+ TAB_PRCPLN's name), as CS-03 reads it; what a payment terminal has no use for (ID
// document, address, contact number, SIM/IMSI) is not sent to it.
import { GatewayError } from '../protocol/return-codes.js';
import { PROFILE_BY_ID } from '../src/store/queries/profile.js';
import { defineHandler } from './kit/define.js';
import { findSubscriber } from './kit/subscriber.js';
import { contract } from './contracts/card-subscriber-info.js';

export default defineHandler(contract, {
  async handle({ svcnum }, ctx) {
    const sub = await findSubscriber(ctx, svcnum);
    const p = await PROFILE_BY_ID.one(ctx.store, { subscrbid: sub.subscrbid });
    // The row found a moment ago is gone (deleted in between): the number is unknown now.
    if (!p) throw new GatewayError('NO_SUBSCRIBER', svcnum);
    return { custName: p.custname, acctid: String(p.acctid), nettype: p.nettype, status: p.status, region: p.region, prcpln: p.prcpln, prcplnName: p.prcplnname, openDate: p.opendate };
  },
});
