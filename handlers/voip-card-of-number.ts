// Serves VO-06 voip-card-of-number (206).
// VO-06 card number and user name of a phone number (IP Phone通过电话号码查卡号、用户名):
// TAB_VOIPSUBSCRB by BINDNUM. A number may be bound to several cards, so the answer is a list.
import { GatewayError } from '../protocol/return-codes.js';
import { CARDS_OF_NUMBER } from '../src/store/queries/voip.js';
import { defineHandler } from './kit/define.js';
import { contract, MAX_CARDS } from './contracts/voip-card-of-number.js';

export { MAX_CARDS } from './contracts/voip-card-of-number.js';

export default defineHandler(contract, {
  async handle({ svcnum }, ctx) {
    const rows = await CARDS_OF_NUMBER.all(ctx.store, { bindnum: svcnum, n: MAX_CARDS });
    if (rows.length === 0) throw new GatewayError('NO_RECORD', `${svcnum} 未绑定IP电话卡`);
    return {
      cards: rows.map((r) => ({ cardnum: r.cardnum, username: r.username, voipnum: r.svcnum, status: r.status, binddate: r.binddate })),
    };
  },
});
