// Contract of PC-02 card-subscriber-info (302).
// PC-02 subscriber information (用户信息查询) for the card system: the profile fields a payment
// terminal shows to confirm whose number it is paying into, before the payment (PC-03). From
// TAB_SUBSCRB (+ TAB_PRCPLN's name), as CS-03 reads it; what a payment terminal has no use for (ID
// document, address, contact number, SIM/IMSI) is not sent to it.
// The wire contract (handlers/contracts/define.ts); the handler is handlers/card-subscriber-info.ts.
import { char, datetime, text } from '../../protocol/fields.js';
import { idField, netType, subscriberStatus, svcnum } from '../kit/fields.js';
import { defineContract } from './define.js';

export const contract = defineContract({
  key: 'CARD_SUBSCRIBER_INFO',
  module: import.meta.url,
  request: [svcnum],
  response: [
    text('custName', 64, { doc: 'subscriber name (用户名称)' }),
    idField('acctid', 'the paying account: payments to this number go to it'),
    netType,
    subscriberStatus,
    char('region', 4, { doc: 'area code of the subscriber (0971 Xining …)' }),
    char('prcpln', 8, { doc: 'price plan code (TAB_PRCPLN)' }),
    text('prcplnName', 64, { doc: 'price plan name; empty when the plan is not in TAB_PRCPLN' }),
    datetime('openDate', { doc: 'when the number was opened' }),
  ],
  refusals: ['NO_SUBSCRIBER', 'STATUS_FORBIDS'],
  doc: `The subscriber behind a number, as a payment terminal shows it before taking money for it (用户信息查询): name, \
paying account, network, status, region and price plan, from TAB_SUBSCRB and TAB_PRCPLN (the same row CS-03 reads; \
the service password, the ID document, the address and contact number, the SIM and IMSI are not part of this answer). \
Any status but cancelled is answered (an arrears-suspended number is exactly the one to pay for); a cancelled number is \
2004, as PC-03 refuses payments to it. When a number was reused, the live subscriber is answered.`,
  example: {
    request: { svcnum: '13997000001' },
    response: { custName: '吴建鹏', acctid: '300000001', nettype: 'G', status: 1, region: '0971', prcpln: 'G001', prcplnName: '全球通标准套餐', openDate: '20190311101500' },
  },
});

export default contract.rows;
