// Contract of C1-03 c1x-data-detail (233).
// C1-03 CDMA1X data detail (CDMA1X用户详单查询): number + cycle → the month's data sessions
// (TICKET_CDMA1X_cycle), in time order, paged. CDMA1X data cards only.
// The wire contract (handlers/contracts/define.ts); the handler is handlers/c1x-data-detail.ts.
import { pageRequest, pagedResponse } from '../../protocol/fields.js';
import { DATA_ITEM, DATA_MAX_PAGE, DATA_ORDER_DOC, NO_TABLES_NOTE } from '../kit/detail-fields.js';
import { billCycle, svcnum } from '../kit/fields.js';
import { defineContract } from './define.js';

export const contract = defineContract({
  key: 'C1X_DATA_DETAIL',
  module: import.meta.url,
  request: [...pageRequest, svcnum, billCycle],
  response: pagedResponse(DATA_ITEM, DATA_MAX_PAGE),
  maxPage: DATA_MAX_PAGE,
  refusals: ['NO_SUBSCRIBER', 'STATUS_FORBIDS', 'DETAIL_RESTRICTED'],
  doc: [
    'The data sessions of a CDMA1X data card (network X) in one billing cycle: start, duration, bytes up and down, access point, visited area and fee. Another network\'s number is 2001 with the reason (CDMA handsets\' occasional data sessions are billed on their CDMA number and not listed here), a cancelled number 2004, a no-print price plan (PR-04) 2006.',
    DATA_ORDER_DOC,
    `An \`offset\` at or beyond \`total\` is answered with an empty list and the true \`total\`.`,
    NO_TABLES_NOTE,
  ].join('\n\n'),
  example: {
    request: { offset: 0, limit: 200, svcnum: '13397500001', cycle: '202405' },
    response: {
      total: 1,
      items: [{ start: '20240503101500', duration: 1830, upvolume: 325000, downvolume: 8800000, apn: 'ctnet', visitarea: '0971', fee: 90n }],
    },
  },
});

export default contract.rows;
