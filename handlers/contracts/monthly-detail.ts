// Contract of CS-11 monthly-detail (111).
// CS-11 monthly call detail (月结话费详单查询): number + cycle → the month's voice
// (TICKET_GSMCDMA_cycle) and SMS (TICKET_SMS_cycle) records, merged in time order, paged.
// The wire contract (handlers/contracts/define.ts); the handler is handlers/monthly-detail.ts.
import { pageRequest, pagedResponse } from '../../protocol/fields.js';
import { CALL_ITEM, CALL_MAX_PAGE, CALL_ORDER_DOC, NO_TABLES_NOTE } from '../kit/detail-fields.js';
import { billCycle, svcnum } from '../kit/fields.js';
import { defineContract } from './define.js';

export const contract = defineContract({
  key: 'MONTHLY_DETAIL',
  module: import.meta.url,
  request: [...pageRequest, svcnum, billCycle],
  response: pagedResponse(CALL_ITEM, CALL_MAX_PAGE),
  maxPage: CALL_MAX_PAGE,
  refusals: ['NO_SUBSCRIBER', 'STATUS_FORBIDS', 'DETAIL_RESTRICTED'],
  doc: [
    'The voice calls and short messages of a number in one billing cycle, as **one list merged in time order**: each record says its `kind` (`V` voice, `S` SMS) and carries the fields of both kinds (those a kind does not have are 0 or spaces, as each field says).',
    CALL_ORDER_DOC,
    `An \`offset\` at or beyond \`total\` is answered with an empty list and the true \`total\`.`,
    NO_TABLES_NOTE,
    'Served for GSM and CDMA numbers (a VOIP or CDMA1X number is 2001 with the reason; their detail is VO-08 and C1-03). A cancelled number is refused 2004: tickets are kept by number, and a number given out again would show its next owner\'s calls. A number on a no-print price plan (PR-04, TAB_PRCPLN_NOPRINT for its region or province-wide `Z`) is refused 2006.',
  ].join('\n\n'),
  example: {
    request: { offset: 0, limit: 200, svcnum: '13997000001', cycle: '202405' },
    response: {
      total: 2,
      items: [
        { kind: 'V', type: '01', othernum: '13897001234', start: '20240502093015', duration: 125, roamtype: '0', longtype: '0', visitarea: '0971', spcode: '', basefee: 60n, longfee: 0n, fee: 60n },
        { kind: 'S', type: '01', othernum: '13897001234', start: '20240502093512', duration: 0, roamtype: '', longtype: '', visitarea: '', spcode: '', basefee: 10n, longfee: 0n, fee: 10n },
      ],
    },
  },
});

export default contract.rows;
