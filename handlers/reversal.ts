// Serves PC-04 reversal (304).
// PC-04 reversal (冲正请求): the card system takes back one of its payments, named by that
// payment's serial; the reversal's own serial is the header's. Exactly once per payment (2009 for
// a second reversal under another serial), the same status rule as PC-03, and an unknown original
// is answered 2008 and remembered (a tombstone in the original's TAB_PAY slot) so that the payment
// arriving late is refused. The rule is the posting domain's (src/domain/posting.ts reverse(),
// docs/payments.md); this file calls it and shapes the reply; its wire contract is
// handlers/contracts/reversal.ts.
import { cardClient, reverse } from '../src/domain/posting.js';
import { postingUnit } from './kit/card.js';
import { defineWriteHandler } from './kit/define.js';
import { postingBody } from './payment.js';
import { contract } from './contracts/reversal.js';

export { origSerial } from './contracts/reversal.js';

export default defineWriteHandler(contract, {
  async handle({ svcnum, origSerial }, ctx) {
    const source = cardClient(ctx.client);
    const r = await reverse(postingUnit(ctx), { svcnum, origSerial, source, serial: ctx.serial });
    // Posted now (not the answer of a reversal made before under this serial): its suc_query line.
    if (r.fresh) ctx.logPosting?.({ client: source, serial: ctx.serial, svcnum, amount: -r.amount, balance: r.balance, paysn: r.paysn, kind: 'reversal', orig: origSerial }, r);
    return { amount: r.amount, origPaysn: String(r.origPaysn), ...postingBody(r.sub, r) };
  },
});
