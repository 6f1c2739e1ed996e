// Serves CS-25 cancellation-reserve (125).
// CS-25 cancellation reservation (销户预约): number → TAB_SUBSCRB; a command that disables the
// IMSI-MDN pair at the switch queued for the online-command scanner (USR_BUSI_RECORD status 5) and
// the subscriber's status → 4 (reserved for cancellation), in one unit of work. The legacy flow:
// "将此次预约销户记录进USR_BUSI_RECORD,等待联机指令程序扫描该记录,…使本地交换机IMSI-MDN为禁用功能,
// 并且修改TAB_SUBSCRB的用户状态为预约销户状态". (Its reply text is copied from CS-23, "有条件开机的成功
// 标志": the reply here is the reservation's.)
import { defineWriteHandler } from './kit/define.js';
import { findSubscriber } from './kit/subscriber.js';
import { acceptedReply, recordBusiness } from './kit/business-record.js';
import { contract } from './contracts/cancellation-reserve.js';

export default defineWriteHandler(contract, {
  async handle({ svcnum }, ctx) {
    const sub = await findSubscriber(ctx, svcnum);
    return acceptedReply(await recordBusiness(ctx, sub, 'RESERVE_CANCEL'));
  },
});
