// Contract of CS-08 status (108).
// CS-08 status query (状态查询): number → TAB_SUBSCRB.STATUS, when it last changed, and its meaning.
// The wire contract (handlers/contracts/define.ts); the handler is handlers/status.ts.
import { datetime, text } from '../../protocol/fields.js';
import { netType, subscriberStatus, svcnum } from '../kit/fields.js';
import { defineContract } from './define.js';

export const contract = defineContract({
  key: 'STATUS',
  module: import.meta.url,
  request: [svcnum],
  response: [
    netType,
    subscriberStatus,
    datetime('statusDate', { doc: 'when the status last changed (TAB_SUBSCRB.STATUSDATE)' }),
    text('statusText', 32, { doc: 'the meaning of `status` in Chinese, as a terminal shows it (正常, 欠费停机 …)' }),
  ],
  refusals: ['NO_SUBSCRIBER'],
  doc: [
    "The number's current network status (在网状态) from TAB_SUBSCRB, the time it last changed, and its meaning.",
    '',
    '- A cancelled number is answered too (status 5 已销户, with the date of cancellation): whether a number is still in service is what this query is asked for. Only a number TAB_SUBSCRB has never held is 2001.',
    '- When a number was reused after cancellation, the live row is answered; the cancelled one only when no live row exists.',
  ].join('\n'),
  example: {
    request: { svcnum: '13897000002' },
    response: { nettype: 'G', status: 3, statusDate: '20240528013000', statusText: '欠费停机' },
  },
});

export default contract.rows;
