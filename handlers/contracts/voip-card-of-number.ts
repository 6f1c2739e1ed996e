// Contract of VO-06 voip-card-of-number (206).
// VO-06 card number and user name of a phone number (IP Phone通过电话号码查卡号、用户名):
// TAB_VOIPSUBSCRB by BINDNUM. A number may be bound to several cards, so the answer is a list.
// The wire contract (handlers/contracts/define.ts); the handler is handlers/voip-card-of-number.ts.
import { datetime, list, rename, text, withDoc } from '../../protocol/fields.js';
import { cardnum, subscriberStatus, svcnum } from '../kit/fields.js';
import { defineContract } from './define.js';

/** 120 bytes a card. */
export const MAX_CARDS = 50;

export const contract = defineContract({
  key: 'VOIP_CARD_OF_NUMBER',
  module: import.meta.url,
  request: [withDoc(svcnum, 'the phone number (fixed or mobile) bound to a card, digits')],
  response: [
    list(
      'cards',
      [
        cardnum,
        text('username', 64, { doc: 'the user name of the card (TAB_VOIPSUBSCRB.USERNAME), GBK' }),
        withDoc(rename(svcnum, 'voipnum'), "the card's IP Phone (V) number"),
        withDoc(subscriberStatus, "network status of the card's IP Phone subscriber"),
        datetime('binddate', { doc: 'when the number was bound to the card' }),
      ] as const,
      { maxItems: MAX_CARDS, doc: `the cards, in order of binding (binddate, then cardnum); at most ${MAX_CARDS}` },
    ),
  ],
  refusals: ['NO_RECORD'],
  doc:
    'The IP Phone cards a phone number is bound to (TAB_VOIPSUBSCRB.BINDNUM) and their user names, in order of binding: `binddate`, then `cardnum`. ' +
    'The number need not be a subscriber of this system (a bound fixed line). Cards whose IP Phone subscriber is cancelled are left out; ' +
    'a number bound to no live card is 2012 `NO_RECORD`.',
  example: {
    request: { svcnum: '13397012345' },
    response: { cards: [{ cardnum: '1790000000000001', username: '张建国', voipnum: '097180012345', status: 1, binddate: '20220104110000' }] },
  },
});

export default contract.rows;
