// Serves CS-08 status (108).
// CS-08 status query (状态查询): number → TAB_SUBSCRB.STATUS, when it last changed, and its meaning.
import { datetime, text } from '../protocol/fields.js';
import { GatewayError } from '../protocol/return-codes.js';
import { SUBSCRIBER_STATUS } from '../src/domain/codes.js';
import { STATUS_BY_ID } from '../src/store/queries/profile.js';
import { defineHandler } from './kit/define.js';
import { netType, subscriberStatus, svcnum } from './kit/fields.js';
import { findSubscriber } from './kit/subscriber.js';

const MEANING = new Map<number, string>(Object.values(SUBSCRIBER_STATUS).map((s) => [s.code, s.zh]));

export default defineHandler({
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
  async handle({ svcnum }, ctx) {
    // CS-08: a status query reads history too; a cancelled number is an answer, not a refusal.
    const sub = await findSubscriber(ctx, svcnum, { cancelled: true });
    const row = await STATUS_BY_ID.one(ctx.store, { subscrbid: sub.subscrbid });
    if (!row) throw new GatewayError('NO_SUBSCRIBER', svcnum);
    return { nettype: sub.nettype, status: row.status, statusDate: row.statusdate, statusText: MEANING.get(row.status) ?? `状态${row.status}` };
  },
});
