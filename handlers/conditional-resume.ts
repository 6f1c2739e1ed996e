// Serves CS-23 conditional-resume (123).
// CS-23 conditional resume (有条件开机): number → TAB_SUBSCRB; the resume command queued for the
// online-command scanner (USR_BUSI_RECORD status 5) and the subscriber's status → 1 (active), in one
// unit of work. The legacy flow: "将此次开机操作记录进USR_BUSI_RECORD,等待联机指令程序扫描该记录,进行
// 开机操作,并且修改TAB_SUBSCRB的用户状态为开机状态". The condition (有条件): a number suspended for
// arrears comes back only when its account's real-time balance is above zero, the rule
// PC-03/PC-04 apply after a payment (handlers/kit/realtime-balance.ts, one definition for both).
import { GatewayError } from '../protocol/return-codes.js';
import { SUBSCRIBER_STATUS } from '../src/domain/codes.js';
import { defineWriteHandler } from './kit/define.js';
import { findSubscriber } from './kit/subscriber.js';
import { realtimeBalance } from './kit/realtime-balance.js';
import { acceptedReply, checkTransition, recordBusiness } from './kit/business-record.js';
import { contract } from './contracts/conditional-resume.js';

/** Fen as yuan with two decimals (−1234n → "-12.34"), for messages and the record. */
export function yuan(fen: bigint): string {
  const neg = fen < 0n;
  const a = neg ? -fen : fen;
  return `${neg ? '-' : ''}${a / 100n}.${String(a % 100n).padStart(2, '0')}`;
}

export default defineWriteHandler(contract, {
  async handle({ svcnum }, ctx) {
    const sub = await findSubscriber(ctx, svcnum);
    checkTransition(sub, 'CONDITIONAL_RESUME');
    let param = '';
    if (sub.status === SUBSCRIBER_STATUS.ARREARS_SUSPENDED.code) {
      const b = await realtimeBalance(ctx, sub);
      if (b.realtime <= 0n) {
        throw new GatewayError(
          'STATUS_FORBIDS',
          `${svcnum} 欠费停机, 实时余额 ${yuan(b.realtime)} 元 (余额 ${yuan(b.balance)} 元, 本月未出账费用 ${yuan(b.unbilled)} 元), 须大于零才能开机`,
        );
      }
      param = `实时余额 ${yuan(b.realtime)}元`;
    }
    return acceptedReply(await recordBusiness(ctx, sub, 'CONDITIONAL_RESUME', { param, checked: true }));
  },
});
