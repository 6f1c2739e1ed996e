// Serves CS-21 emergency-suspend (121).
// CS-21 emergency suspend (紧急停机): number → TAB_SUBSCRB; the suspend command queued for the
// online-command scanner (USR_BUSI_RECORD status 5) and the subscriber's status → 2 (suspended),
// in one unit of work. The legacy flow: "将停机操作记录进USR_BUSI_RECORD,等待联机指令程序扫描该记录,
// 进行停机操作,并且修改TAB_SUBSCRB的用户状态为停机状态".
import { defineWriteHandler } from './kit/define.js';
import { findSubscriber } from './kit/subscriber.js';
import { acceptedReply, recordBusiness } from './kit/business-record.js';
import { contract } from './contracts/emergency-suspend.js';

export default defineWriteHandler(contract, {
  async handle({ svcnum }, ctx) {
    const sub = await findSubscriber(ctx, svcnum);
    return acceptedReply(await recordBusiness(ctx, sub, 'EMERGENCY_SUSPEND'));
  },
});
