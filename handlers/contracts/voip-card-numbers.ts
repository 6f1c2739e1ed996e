// Contract of VO-05 voip-card-numbers (205).
// VO-05 all phone numbers of a card (IP Phone通过卡号查询所有电话号码). The legacy flow text is a copy
// of VO-04's (real-time fees); the reading chosen (protocol/SPEC.md section 9) is the title's: the
// numbers that belong to the card, from the table the document names, TAB_SUBSCRB (CARDNUM).
// The wire contract (handlers/contracts/define.ts); the handler is handlers/voip-card-numbers.ts.
import { list } from '../../protocol/fields.js';
import { cardnum, netType, subscriberStatus, svcnum } from '../kit/fields.js';
import { defineContract } from './define.js';

/** Numbers of one card are a handful; 22 bytes each. */
export const MAX_NUMBERS = 100;

export const contract = defineContract({
  key: 'VOIP_CARD_NUMBERS',
  module: import.meta.url,
  request: [cardnum],
  response: [
    list('numbers', [svcnum, netType, subscriberStatus] as const, {
      maxItems: MAX_NUMBERS,
      doc: `the card's numbers: its own IP Phone (V) number first, then the others by number; at most ${MAX_NUMBERS}`,
    }),
  ],
  refusals: ['NO_SUBSCRIBER', 'STATUS_FORBIDS'],
  doc:
    'Every live (not cancelled) number of TAB_SUBSCRB that belongs to the card (CARDNUM): the IP Phone (V) number of the card, and the mobile numbers bound to it. ' +
    'Order: the V number first, then the others by `svcnum`. The legacy flow text of this function is a copy of VO-04\'s; the reading chosen is its title\'s (section 9). ' +
    'An unknown card is 2001, the card of a cancelled IP Phone subscriber 2004. The bindings of a phone number to cards (TAB_VOIPSUBSCRB) are VO-06.',
  example: {
    request: { cardnum: '1790000000000001' },
    response: {
      numbers: [
        { svcnum: '097180012345', nettype: 'V', status: 1 },
        { svcnum: '13397012345', nettype: 'C', status: 1 },
      ],
    },
  },
});

export default contract.rows;
