// Serves CS-14 balance (114).
// CS-14 account balance (帐户余额查询): number → TAB_SUBSCRB.ACCTID → ACCT_BALANCE.
import { datetime, money } from '../protocol/fields.js';
import { GatewayError } from '../protocol/return-codes.js';
import { ACCOUNT_BALANCE } from '../src/store/queries/account.js';
import { defineHandler } from './kit/define.js';
import { idField, svcnum } from './kit/fields.js';
import { findSubscriber } from './kit/subscriber.js';

export default defineHandler({
  key: 'BALANCE',
  module: import.meta.url,
  request: [svcnum],
  response: [
    idField('acctid', 'the paying account (TAB_SUBSCRB.ACCTID)'),
    money('balance', { doc: 'settled balance, fen; negative = owed (ACCT_BALANCE.BALANCE)' }),
    datetime('updated', { doc: 'when the balance was last settled' }),
  ],
  refusals: ['NO_SUBSCRIBER', 'STATUS_FORBIDS', 'NO_ACCOUNT'],
  doc: 'The settled balance of the number\'s paying account. It does not subtract this month\'s unbilled usage: that is CS-12 (real-time totals).',
  example: {
    request: { svcnum: '13997000001' },
    response: { acctid: '300000001', balance: 12345n, updated: '20240601020000' },
  },
  async handle({ svcnum }, ctx) {
    const sub = await findSubscriber(ctx, svcnum);
    const row = await ACCOUNT_BALANCE.one(ctx.store, { acctid: sub.acctid });
    if (!row) throw new GatewayError('NO_ACCOUNT', String(sub.acctid));
    return { acctid: String(row.acctid), balance: row.balance, updated: row.updated };
  },
});
