// Serves CS-26 cancellation-unreserve (126).
// CS-26 cancel the reservation (取消销户预约): number → TAB_SUBSCRB; a command that re-enables the
// IMSI-MDN pair at the switch queued for the online-command scanner (USR_BUSI_RECORD status 5) and
// the subscriber's status → 1 (active), in one unit of work. The legacy flow: "将此次取消预约销户记录进
// USR_BUSI_RECORD,等待联机指令程序扫描该记录,…使本地交换机IMSI-MDN为可用状态,并且修改TAB_SUBSCRB的
// 用户状态为开机状态".
import { defineWriteHandler } from './kit/define.js';
import { findSubscriber } from './kit/subscriber.js';
import { acceptedReply, recordBusiness } from './kit/business-record.js';
import { contract } from './contracts/cancellation-unreserve.js';

export default defineWriteHandler(contract, {
  async handle({ svcnum }, ctx) {
    const sub = await findSubscriber(ctx, svcnum);
    return acceptedReply(await recordBusiness(ctx, sub, 'UNRESERVE_CANCEL'));
  },
});
