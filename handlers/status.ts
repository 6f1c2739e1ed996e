// Serves CS-08 status (108).
// CS-08 status query (状态查询): number → TAB_SUBSCRB.STATUS, when it last changed, and its meaning.
import { GatewayError } from '../protocol/return-codes.js';
import { SUBSCRIBER_STATUS } from '../src/domain/codes.js';
import { STATUS_BY_ID } from '../src/store/queries/profile.js';
import { defineHandler } from './kit/define.js';
import { findSubscriber } from './kit/subscriber.js';
import { contract } from './contracts/status.js';

const MEANING = new Map<number, string>(Object.values(SUBSCRIBER_STATUS).map((s) => [s.code, s.zh]));

export default defineHandler(contract, {
  async handle({ svcnum }, ctx) {
    // CS-08: a status query reads history too; a cancelled number is an answer, not a refusal.
    const sub = await findSubscriber(ctx, svcnum, { cancelled: true });
    const row = await STATUS_BY_ID.one(ctx.store, { subscrbid: sub.subscrbid });
    if (!row) throw new GatewayError('NO_SUBSCRIBER', svcnum);
    return { nettype: sub.nettype, status: row.status, statusDate: row.statusdate, statusText: MEANING.get(row.status) ?? `状态${row.status}` };
  },
});
