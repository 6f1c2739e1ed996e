// Contract of PC-08 recent-card-payments (308).
// PC-08 last hour's card payments (最近一小时缴费卡缴费): the ops look-up the legacy runbook did by
// hand in SQL (`select * from tab_pay where paydate>sysdate-1/24 and paymode='15'`), as business
// type 308 and as `bssgate report card-payments --since 1h` (src/reconcile/card-payments.ts shares the queries).
// The wire contract (handlers/contracts/define.ts); the handler is handlers/recent-card-payments.ts.
import { char, datetime, money, pageRequest, pagedResponse, u16 } from '../../protocol/fields.js';
import { idField, payStatus } from '../kit/fields.js';
import { defineContract } from './define.js';

/** A row is about 100 bytes: 200 make a 20 KB page. */
export const MAX_PAGE = 200;
/** The window is at most a day: this is a recent-activity look-up, not a report. */
export const MAX_MINUTES = 1440;

const ITEM = [
  idField('paysn', 'TAB_PAY.PAYSN'),
  char('svcnum', 20, { doc: 'the number paid for' }),
  money('amount', { doc: 'fen; a reversal is negative, a tombstone (PC-04) 0' }),
  datetime('paytime', { doc: 'when it was posted' }),
  char('source', 16, { doc: "the card system's client name, or RECON for reconciliation corrections" }),
  char('serial', 20, { doc: 'its serial (流水号)' }),
  payStatus,
  char('operator', 10, { doc: 'operator or terminal of the request (RECON: the reconciliation)' }),
] as const;

export const contract = defineContract({
  key: 'RECENT_CARD_PAYMENTS',
  module: import.meta.url,
  request: [u16('minutes', { min: 1, max: MAX_MINUTES, doc: `the window: rows posted in the last this many minutes (60 = the legacy "last hour"), 1–${MAX_MINUTES}` }), ...pageRequest],
  response: [money('net', { doc: 'fen: the sum of every row in the window, all pages (payments − reversals ± corrections)' }), ...pagedResponse(ITEM, MAX_PAGE)],
  maxPage: MAX_PAGE,
  refusals: [],
  doc: `The card postings (TAB_PAY PAYMODE 15) of the last \`minutes\` minutes by the gateway clock, newest first (\`paytime\` \
descending, then \`paysn\` descending), every source: payments (status 1, or 2 once reversed), reversals (3, negative), \
reconciliation corrections (SOURCE RECON) and PC-04's tombstones (status 3, amount 0), exactly the rows of the legacy \
DBA query \`select * from tab_pay where paydate > sysdate-1/24 and paymode='15'\` for \`minutes\` = 60. \`total\` and \
\`net\` cover the whole window. No rows is an empty page, not an error.`,
  example: {
    request: { minutes: 60, offset: 0, limit: 50 },
    response: {
      net: 2000n,
      total: 2,
      items: [
        { paysn: '100000002', svcnum: '13997000002', amount: -3000n, paytime: '20240615101000', source: 'card', serial: 'C0000000000000000002', payStatus: 3, operator: 'CARD01' },
        { paysn: '100000001', svcnum: '13997000001', amount: 5000n, paytime: '20240615100000', source: 'card', serial: 'C0000000000000000001', payStatus: 1, operator: 'CARD01' },
      ],
    },
  },
});

export default contract.rows;
