// Serves CS-24 special-service-change (124).
// CS-24 special-service change (特服档案修改): number + special service + action (add, remove,
// modify) → TAB_SRVG updated, the change inserted into USR_BUSI_SRVG and the switch command queued
// for the online-command scanner (USR_BUSI_RECORD status 5), in one unit of work. The legacy flow:
// "从请求包中取得用户业务号码和异动特服类型和操作类型。将此次特服变更操作记录进USR_BUSI_RECORD,等待联机
// 指令程序扫描该记录,…并且修改TAB_SRVG的用户特服状态操作类型状态,插入USR_BUSI_SRVG表记录此次特服变更的操作".
import { GatewayError } from '../protocol/return-codes.js';
import { BUSI_TYPES, SRVG_ACTION_CODES, SRVG_CODES } from '../src/domain/codes.js';
import { isUniqueViolation } from '../src/store/errors.js';
import { INSERT_BUSI_SRVG, SRVG_INSERT, SRVG_ONE, SRVG_SET_PARAM, SRVG_SWITCH_OFF, SRVG_SWITCH_ON } from '../src/store/queries/acceptance.js';
import { defineWriteHandler } from './kit/define.js';
import { findSubscriber } from './kit/subscriber.js';
import { acceptedReply, checkTransition, recordBusiness } from './kit/business-record.js';
import { BUSI_OF_ACTION, contract, SRVG } from './contracts/special-service-change.js';

const SRVG_NAME = new Map<string, string>(SRVG.map((c) => [c.code, c.zh]));
/** The services whose parameter is a forwarding number (SRVG_CODES: PARAM = target number). */
export const FORWARDING: ReadonlySet<string> = new Set([SRVG_CODES.CFU.code, SRVG_CODES.CFB.code, SRVG_CODES.CFNRY.code]);

const { ADD, REMOVE, MODIFY } = SRVG_ACTION_CODES;

/** USR_BUSI_RECORD.PARAM of types 31–33: the service code, then its parameter when it has one. */
export function srvgParam(srvgid: string, param: string): string {
  return param ? `${srvgid} ${param}` : srvgid;
}

export default defineWriteHandler(contract, {
  async handle({ svcnum, srvgid, action, param }, ctx) {
    const sub = await findSubscriber(ctx, svcnum);
    const busi = BUSI_OF_ACTION[action];
    checkTransition(sub, busi);
    const name = `特服 ${srvgid}(${SRVG_NAME.get(srvgid) ?? srvgid})`;
    const forwarding = FORWARDING.has(srvgid);
    if (action === REMOVE.code && param) throw new GatewayError('INVALID_FIELD', 'param: 取消特服不带参数');
    if (action !== REMOVE.code && forwarding && !param) throw new GatewayError('INVALID_FIELD', `param: ${name} 需要呼转号码`);
    if (!forwarding && param) throw new GatewayError('INVALID_FIELD', `param: ${name} 不带参数`);
    if (action === MODIFY.code && !forwarding) throw new GatewayError('INVALID_FIELD', `action: ${name} 没有可修改的参数`);

    const now = ctx.clock.date();
    const key = { subscrbid: sub.subscrbid, srvgid };
    const row = await SRVG_ONE.one(ctx.tx, key);
    const on = row?.status === 1;
    if (action === ADD.code) {
      if (on) throw new GatewayError('STATUS_FORBIDS', `${svcnum} ${name} 已开通`);
      if (row) await SRVG_SWITCH_ON.run(ctx.tx, { ...key, param, now });
      else {
        try {
          await SRVG_INSERT.run(ctx.tx, { ...key, param, now });
        } catch (err) {
          // Another unit added it between our read and our insert (the unit is rolled back).
          if (isUniqueViolation(err)) throw new GatewayError('STATUS_FORBIDS', `${svcnum} ${name} 刚被其他业务开通`);
          throw err;
        }
      }
    } else {
      if (!on) throw new GatewayError('STATUS_FORBIDS', `${svcnum} ${name} 未开通`);
      if (action === REMOVE.code) await SRVG_SWITCH_OFF.run(ctx.tx, { ...key, now });
      else {
        if ((row?.param ?? '') === param) throw new GatewayError('INVALID_FIELD', `param: 与当前的呼转号码相同`);
        await SRVG_SET_PARAM.run(ctx.tx, { ...key, param });
      }
    }
    const rec = await recordBusiness(ctx, sub, busi, { param: srvgParam(srvgid, param), checked: true });
    await INSERT_BUSI_SRVG.run(ctx.tx, { busisn: rec.busisn, subscrbid: sub.subscrbid, svcnum: sub.svcnum, srvgid, action, param, operator: ctx.operator, created: now });
    return { ...acceptedReply(rec), busitype: BUSI_TYPES[busi].code };
  },
});
