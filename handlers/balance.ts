// Serves CS-14 balance (114).
// CS-14 account balance (帐户余额查询): number → TAB_SUBSCRB.ACCTID → ACCT_BALANCE.
import { GatewayError } from '../protocol/return-codes.js';
import { ACCOUNT_BALANCE } from '../src/store/queries/account.js';
import { defineHandler } from './kit/define.js';
import { findSubscriber } from './kit/subscriber.js';
import { contract } from './contracts/balance.js';

export default defineHandler(contract, {
  async handle({ svcnum }, ctx) {
    const sub = await findSubscriber(ctx, svcnum);
    const row = await ACCOUNT_BALANCE.one(ctx.store, { acctid: sub.acctid });
    if (!row) throw new GatewayError('NO_ACCOUNT', String(sub.acctid));
    return { acctid: String(row.acctid), balance: row.balance, updated: row.updated };
  },
});
