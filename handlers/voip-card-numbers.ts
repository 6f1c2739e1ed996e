// Serves VO-05 voip-card-numbers (205).
// VO-05 all phone numbers of a card (IP Phone通过卡号查询所有电话号码). The legacy flow text is a copy
// of VO-04's (real-time fees); the reading chosen (protocol/SPEC.md section 9) is the title's: the
// numbers that belong to the card, from the table the document names, TAB_SUBSCRB (CARDNUM).
import { CARD_NUMBERS } from '../src/store/queries/voip.js';
import { defineHandler } from './kit/define.js';
import { findVoipByCard } from './kit/subscriber.js';
import { contract, MAX_NUMBERS } from './contracts/voip-card-numbers.js';

export { MAX_NUMBERS } from './contracts/voip-card-numbers.js';

export default defineHandler(contract, {
  async handle({ cardnum }, ctx) {
    await findVoipByCard(ctx, cardnum);
    const rows = await CARD_NUMBERS.all(ctx.store, { cardnum, n: MAX_NUMBERS });
    return { numbers: rows.map((r) => ({ svcnum: r.svcnum, nettype: r.nettype, status: r.status })) };
  },
});
