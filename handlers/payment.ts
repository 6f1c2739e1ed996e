// Serves PC-03 payment (303).
// PC-03 payment (缴费请求): the card system posts a payment to a number; the serial is the header's
// (流水号). One unit of work through the posting domain (src/domain/posting.ts pay(),
// docs/payments.md): TAB_PAY (PAYMODE 15), TAB_ACCOUNTPREDEPOSIT, TAB_ACCOUNTPREDEPOSITDTAL,
// ACCT_BALANCE, and the resume command when an arrears-suspended line's real-time balance is now
// above zero. This file calls the domain and shapes the reply; its wire contract is
// handlers/contracts/payment.ts. A re-sent serial never reaches this handler (PC-06 replays the
// stored reply in the dispatcher).
import { cardClient, pay, type Posted } from '../src/domain/posting.js';
import { postingUnit } from './kit/card.js';
import { defineWriteHandler } from './kit/define.js';
import { contract } from './contracts/payment.js';

export { RESUMED_CODES, postingReply } from './contracts/payment.js';

export function postingBody(sub: { acctid: bigint }, p: Posted) {
  return {
    paysn: String(p.paysn),
    acctid: String(sub.acctid),
    balance: p.balance,
    realtimeBalance: p.realtime,
    status: p.subscriberStatus,
    resumed: p.resumed === undefined ? 0 : 1,
  };
}

export default defineWriteHandler(contract, {
  async handle({ svcnum, amount }, ctx) {
    const source = cardClient(ctx.client);
    const p = await pay(postingUnit(ctx), { svcnum, amount, source, serial: ctx.serial });
    // Posted now (not the answer of a posting made before under this serial): its suc_query line.
    if (p.fresh) ctx.logPosting?.({ client: source, serial: ctx.serial, svcnum, amount, balance: p.balance, paysn: p.paysn, kind: 'payment' }, p);
    return { amount, ...postingBody(p.sub, p) };
  },
});
