// Contract of CS-13 realtime-detail (113).
// CS-13 real-time detail (实时清单查询): the current cycle's voice and SMS records so far, as
// CS-11 (merged in time order, paged); the cycle is the gateway's, not the client's.
// The wire contract (handlers/contracts/define.ts); the handler is handlers/realtime-detail.ts.
import { pageRequest, pagedResponse } from '../../protocol/fields.js';
import { CALL_ITEM, CALL_MAX_PAGE, CALL_ORDER_DOC } from '../kit/detail-fields.js';
import { svcnum } from '../kit/fields.js';
import { defineContract } from './define.js';

export const contract = defineContract({
  key: 'REALTIME_DETAIL',
  module: import.meta.url,
  request: [...pageRequest, svcnum],
  response: pagedResponse(CALL_ITEM, CALL_MAX_PAGE),
  maxPage: CALL_MAX_PAGE,
  refusals: ['NO_SUBSCRIBER', 'STATUS_FORBIDS', 'DETAIL_RESTRICTED'],
  doc: [
    "This month's voice calls and short messages of a number so far: CS-11 for the current billing cycle, which is the gateway's local month at the time of the request (the request has no cycle). The same record layout, merged in time order; each record's `kind` says `V` voice or `S` SMS.",
    CALL_ORDER_DOC,
    `Records keep arriving during the month, and a ticket is rated after the call ends, so a new record may start before records already read: one arriving between two requests shifts the later pages by one. A client that needs a consistent list starts again from offset 0 when \`total\` changes.`,
    "Before the month's ticket tables exist (the first minutes of a month) the answer is `total` 0, an empty list, result 0.",
    'As CS-11: GSM and CDMA numbers only (2001 otherwise), a cancelled number 2004, a no-print price plan (PR-04) 2006.',
  ].join('\n\n'),
  example: {
    request: { offset: 0, limit: 200, svcnum: '13997000001' },
    response: {
      total: 1,
      items: [{ kind: 'V', type: '02', othernum: '09712345678', start: '20240603081502', duration: 42, roamtype: '0', longtype: '0', visitarea: '0971', spcode: '', basefee: 0n, longfee: 0n, fee: 0n }],
    },
  },
});

export default contract.rows;
