// Serves CS-05 change-records (105), VO-11 voip-command-records (211).
// CS-05 change-record query (异动查询) and VO-11 command execution records by card (IP Phone通过卡号
// 查询指令执行记录): every USR_BUSI_RECORD row of the subscriber, paged, newest first. The record
// status is how OC-03 results become visible: 5 queued, 6 being sent, 7 executed, 8 failed.
import type { HandlerContext } from '../src/types.js';
import { defineHandler } from './kit/define.js';
import { busiHistory } from './kit/history.js';
import { findSubscriber, findVoipByCard, type Subscriber } from './kit/subscriber.js';
import * as contracts from './contracts/change-records.js';
import { MAX_PAGE } from './contracts/change-records.js';

export { MAX_PAGE } from './contracts/change-records.js';

function recordsOf(ctx: HandlerContext, sub: Subscriber, offset: number, limit: number) {
  return busiHistory(ctx, sub, offset, Math.min(limit, MAX_PAGE));
}

const changeRecords = defineHandler(contracts.changeRecords, {
  async handle({ offset, limit, svcnum }, ctx) {
    return recordsOf(ctx, await findSubscriber(ctx, svcnum, { cancelled: true }), offset, limit);
  },
});

const voipCommandRecords = defineHandler(contracts.voipCommandRecords, {
  async handle({ offset, limit, cardnum }, ctx) {
    return recordsOf(ctx, await findVoipByCard(ctx, cardnum, { cancelled: true }), offset, limit);
  },
});

export default [...changeRecords, ...voipCommandRecords];
