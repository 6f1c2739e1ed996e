// Contract of PR-03 print-c1x-detail (403).
// PR-03 print kiosk CDMA1X data detail (月结CDMA1X数据流量详单查询, print interface): C1-03 for a
// self-service kiosk, which carries the data card's service password.
// The wire contract (handlers/contracts/define.ts); the handler is handlers/print-c1x-detail.ts.
import { pageRequest, pagedResponse } from '../../protocol/fields.js';
import { DATA_ITEM, DATA_MAX_PAGE, DATA_ORDER_DOC, NO_TABLES_NOTE } from '../kit/detail-fields.js';
import { billCycle, password, svcnum } from '../kit/fields.js';
import { defineContract } from './define.js';

export const contract = defineContract({
  key: 'PRINT_C1X_DETAIL',
  module: import.meta.url,
  request: [...pageRequest, svcnum, password, billCycle],
  response: pagedResponse(DATA_ITEM, DATA_MAX_PAGE),
  maxPage: DATA_MAX_PAGE,
  refusals: ['NO_SUBSCRIBER', 'STATUS_FORBIDS', 'WRONG_PASSWORD', 'PASSWORD_LOCKED', 'DETAIL_RESTRICTED'],
  doc: [
    'The CDMA1X data sessions of C1-03 (one billing cycle, in time order, the same record layout and page size) for the self-service print kiosk. The request carries the data card\'s service password: **a kiosk prints nobody\'s detail without that number\'s password**.',
    'Checks, in this order: the number (2001 unknown or not a CDMA1X card, 2004 cancelled); the password, with the lockout of the password checks (CS-02, PR-01: the same counters per number, 2002 wrong, 2003 locked — refused before the password is compared); then the no-print rule (PR-04, 2006). The password comes before the no-print rule so that a kiosk user without the password learns nothing about the number\'s price plan. Every page is a password check.',
    DATA_ORDER_DOC,
    `An \`offset\` at or beyond \`total\` is answered with an empty list and the true \`total\`.`,
    NO_TABLES_NOTE,
  ].join('\n\n'),
  example: {
    request: { offset: 0, limit: 200, svcnum: '13397500001', password: '246801', cycle: '202405' },
    response: {
      total: 1,
      items: [{ start: '20240503101500', duration: 1830, upvolume: 325000, downvolume: 8800000, apn: 'ctnet', visitarea: '0971', fee: 90n }],
    },
  },
});

export default contract.rows;
