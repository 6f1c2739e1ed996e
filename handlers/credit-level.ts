// Serves CS-09 credit-level (109).
// CS-09 credit level (信用级别查询): number → TAB_SUBSCRB.ACCTID → TAB_ACCT.PAY_MODE → TAB_PAYTYPE.
import { GatewayError } from '../protocol/return-codes.js';
import { ACCOUNT_CREDIT } from '../src/store/queries/account.js';
import { defineHandler } from './kit/define.js';
import { findSubscriber } from './kit/subscriber.js';
import { contract } from './contracts/credit-level.js';

export default defineHandler(contract, {
  async handle({ svcnum }, ctx) {
    const sub = await findSubscriber(ctx, svcnum);
    const row = await ACCOUNT_CREDIT.one(ctx.store, { acctid: sub.acctid });
    if (!row) throw new GatewayError('NO_ACCOUNT', String(sub.acctid));
    if (row.credit_level === null || row.credit_limit === null) throw new GatewayError('NO_RECORD', `付费方式 ${row.pay_mode}`);
    return {
      acctid: String(row.acctid),
      payType: row.pay_mode,
      payTypeName: row.paytypename,
      creditLevel: row.credit_level,
      creditLimit: row.credit_limit,
    };
  },
});
