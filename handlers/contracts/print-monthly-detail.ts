// Contract of PR-02 print-monthly-detail (402).
// PR-02 print kiosk monthly call detail (月结话费详单查询, print interface): CS-11 for a self-service
// kiosk, which carries the number's service password: a kiosk prints nobody's detail without it.
// The wire contract (handlers/contracts/define.ts); the handler is handlers/print-monthly-detail.ts.
import { pageRequest, pagedResponse } from '../../protocol/fields.js';
import { CALL_ITEM, CALL_MAX_PAGE, CALL_ORDER_DOC, NO_TABLES_NOTE } from '../kit/detail-fields.js';
import { billCycle, password, svcnum } from '../kit/fields.js';
import { defineContract } from './define.js';

export const contract = defineContract({
  key: 'PRINT_MONTHLY_DETAIL',
  module: import.meta.url,
  request: [...pageRequest, svcnum, password, billCycle],
  response: pagedResponse(CALL_ITEM, CALL_MAX_PAGE),
  maxPage: CALL_MAX_PAGE,
  refusals: ['NO_SUBSCRIBER', 'STATUS_FORBIDS', 'WRONG_PASSWORD', 'PASSWORD_LOCKED', 'DETAIL_RESTRICTED'],
  doc: [
    'The monthly call detail of CS-11 (voice and SMS of one billing cycle, merged in time order, the same record layout and page size) for the self-service print kiosk. The request carries the number\'s service password: **a kiosk prints nobody\'s detail without that number\'s password**.',
    'Checks, in this order: the number (2001 unknown or not GSM/CDMA, 2004 cancelled); the password, with the lockout of the password checks (CS-02, PR-01: the same counters per number, 2002 wrong, 2003 locked — refused before the password is compared); then the no-print rule (PR-04, 2006). The password comes before the no-print rule so that a kiosk user without the password learns nothing about the number\'s price plan. Every page is a password check: a wrong password on any page counts toward the lockout, a right one resets the count.',
    CALL_ORDER_DOC,
    `An \`offset\` at or beyond \`total\` is answered with an empty list and the true \`total\`.`,
    NO_TABLES_NOTE,
  ].join('\n\n'),
  example: {
    request: { offset: 0, limit: 200, svcnum: '13997000001', password: '135790', cycle: '202405' },
    response: {
      total: 1,
      items: [{ kind: 'V', type: '01', othernum: '13897001234', start: '20240502093015', duration: 125, roamtype: '0', longtype: '0', visitarea: '0971', spcode: '', basefee: 60n, longfee: 0n, fee: 60n }],
    },
  },
});

export default contract.rows;
