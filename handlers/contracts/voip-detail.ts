// Contract of VO-08 voip-detail (208).
// VO-08 IP Phone call detail (IP Phone通过卡号或绑定号码查询详单): by card number or by bound
// number + cycle → the month's IP calls (TICKET_163_cycle), in time order, paged.
// The wire contract (handlers/contracts/define.ts); the handler is handlers/voip-detail.ts.
import { pageRequest, pagedResponse, withDoc } from '../../protocol/fields.js';
import { NO_TABLES_NOTE, VOIP_ITEM, VOIP_MAX_PAGE, VOIP_ORDER_DOC } from '../kit/detail-fields.js';
import { billCycle, voipBy, voipNumber } from '../kit/fields.js';
import { defineContract } from './define.js';

export const contract = defineContract({
  key: 'VOIP_DETAIL',
  module: import.meta.url,
  request: [
    ...pageRequest,
    voipBy,
    withDoc(voipNumber, 'the IP Phone card number (`by` C) or the bound phone number (`by` N), digits'),
    billCycle,
  ],
  response: pagedResponse(VOIP_ITEM, VOIP_MAX_PAGE),
  maxPage: VOIP_MAX_PAGE,
  refusals: ['NO_SUBSCRIBER', 'STATUS_FORBIDS', 'DETAIL_RESTRICTED'],
  doc: [
    'The IP Phone calls of one billing cycle, looked up by card or by bound number (`by`):',
    [
      '- `C` card number: the card\'s IP Phone (VOIP) subscriber (TAB_SUBSCRB.CARDNUM, network V) must exist (2001), and the list is every call charged to the card, whichever bound number it was made from (TICKET_163.CARDNUM).',
      '- `N` bound number: the number must be a subscriber of its own (TAB_SUBSCRB, any network: the IP Phone number itself or a mobile number bound to a card; 2001 otherwise), and the list is the IP Phone calls made from that number (TICKET_163.SVCNUM), with any card. A bound line that is no subscriber here (a fixed line) is queried by its card. Calls from the card\'s other bound numbers are not shown: the detail of a number goes to whoever asks for that number.',
    ].join('\n'),
    'The no-print rule (PR-04) applies to the subscriber found: the card\'s by card, the number\'s own by number (a mobile line on a no-print plan is refused 2006 here too). A cancelled subscriber is refused 2004.',
    'The legacy document (`docs/legacy-inventory.md`, VO-08) names the table TICKET_163_yyyymm in its table list and TICKET_193_yyyymm in its flow. 163 and 193 calls are one IP-call ticket family, and this schema keeps all of them in TICKET_163_yyyymm (there is no TICKET_193 table); a provincial schema that splits them replaces the query\'s SQL (src/store/queries/tickets.ts), not the layout.',
    VOIP_ORDER_DOC,
    `An \`offset\` at or beyond \`total\` is answered with an empty list and the true \`total\`.`,
    NO_TABLES_NOTE,
  ].join('\n\n'),
  example: {
    request: { offset: 0, limit: 100, by: 'C', number: '1790000000000001', cycle: '202405' },
    response: {
      total: 1,
      items: [{ cardnum: '1790000000000001', svcnum: '097180012345', othernum: '01065512345', start: '20240510201233', duration: 312, longtype: '2', fee: 180n }],
    },
  },
});

export default contract.rows;
