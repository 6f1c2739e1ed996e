// Contract of VO-07 voip-same-customer (207).
// VO-07 subscribers with the same customer (IP Phone通过卡号或手机号码查询相同CUSID用户): a card or
// mobile number → its customer (CUSTID) → every TAB_SUBSCRB number of that customer.
// The wire contract (handlers/contracts/define.ts); the handler is handlers/voip-same-customer.ts.
import { char, list, u32, withDoc } from '../../protocol/fields.js';
import { idField, netType, subscriberStatus, svcnum, voipBy, voipNumber } from '../kit/fields.js';
import { defineContract } from './define.js';

/** 42 bytes a number: 1000 make a 42 KB reply. */
export const MAX_NUMBERS = 1000;

export const contract = defineContract({
  key: 'VOIP_SAME_CUSTOMER',
  module: import.meta.url,
  request: [
    voipBy,
    withDoc(voipNumber, 'the card number (`by` C) or the mobile / phone number (`by` N: a bound number, or a service number), digits'),
  ],
  response: [
    idField('custid', 'the customer (TAB_SUBSCRB.CUSTID)'),
    u32('total', { doc: 'numbers the customer has, all of them' }),
    list(
      'numbers',
      [
        svcnum,
        netType,
        subscriberStatus,
        char('cardnum', 20, { doc: 'the IP Phone card of the number (TAB_SUBSCRB.CARDNUM); spaces when none' }),
      ] as const,
      { maxItems: MAX_NUMBERS, doc: `live numbers first, then cancelled ones, each in order of opening; at most ${MAX_NUMBERS}` },
    ),
  ],
  refusals: ['NO_SUBSCRIBER', 'STATUS_FORBIDS'],
  doc:
    '`by` C: the customer of the card\'s IP Phone (V) subscriber; an unknown card is 2001, the card of a cancelled subscriber 2004. ' +
    '`by` N: as the legacy flow says, the customer of the number\'s binding to an IP Phone card (TAB_VOIPSUBSCRB.CUSTID; the earliest binding to a live card, by BINDDATE then CARDNUM); ' +
    'a number bound to no card is taken as a service number of its own (TAB_SUBSCRB.CUSTID): unknown 2001, cancelled 2004. ' +
    `Then every number of that customer in TAB_SUBSCRB (cancelled ones too, with their status), live numbers first, then cancelled ones, each group in order of opening (OPENDATE, then SUBSCRBID); ` +
    `at most ${MAX_NUMBERS} are sent, \`total\` counts them all.`,
  example: {
    request: { by: 'C', number: '1790000000000001' },
    response: {
      custid: '500000018',
      total: 3,
      numbers: [
        { svcnum: '13397012345', nettype: 'C', status: 1, cardnum: '1790000000000001' },
        { svcnum: '097180012345', nettype: 'V', status: 1, cardnum: '1790000000000001' },
        { svcnum: '13397512345', nettype: 'X', status: 1, cardnum: '' },
      ],
    },
  },
});

export default contract.rows;
