// Serves CS-24 special-service-change (124).
// CS-24 special-service change (特服档案修改): number + special service + action (add, remove,
// modify) → TAB_SRVG updated, the change inserted into USR_BUSI_SRVG and the switch command queued
// for the online-command scanner (USR_BUSI_RECORD status 5), in one unit of work. The legacy flow:
// "从请求包中取得用户业务号码和异动特服类型和操作类型。将此次特服变更操作记录进USR_BUSI_RECORD,等待联机
// 指令程序扫描该记录,…并且修改TAB_SRVG的用户特服状态操作类型状态,插入USR_BUSI_SRVG表记录此次特服变更的操作".
import { char } from '../protocol/fields.js';
import { GatewayError } from '../protocol/return-codes.js';
import { BUSI_TYPES, SRVG_ACTION_CODES, SRVG_CODES } from '../src/domain/codes.js';
import { acceptanceRule, type BusiType } from '../src/domain/transitions.js';
import { isUniqueViolation } from '../src/store/errors.js';
import { INSERT_BUSI_SRVG, SRVG_INSERT, SRVG_ONE, SRVG_SET_PARAM, SRVG_SWITCH_OFF, SRVG_SWITCH_ON } from '../src/store/queries/acceptance.js';
import { defineWriteHandler } from './kit/define.js';
import { busiType, meanings, svcnum } from './kit/fields.js';
import { findSubscriber } from './kit/subscriber.js';
import { ACCEPTED_RESPONSE, acceptedReply, checkTransition, recordBusiness } from './kit/business-record.js';

const SRVG = meanings(SRVG_CODES);
const SRVG_NAME = new Map<string, string>(SRVG.map((c) => [c.code, c.zh]));
/** The services whose parameter is a forwarding number (SRVG_CODES: PARAM = target number). */
export const FORWARDING: ReadonlySet<string> = new Set([SRVG_CODES.CFU.code, SRVG_CODES.CFB.code, SRVG_CODES.CFNRY.code]);

const { ADD, REMOVE, MODIFY } = SRVG_ACTION_CODES;
const BUSI_OF_ACTION: Record<string, BusiType> = { [ADD.code]: 'SRVG_ADD', [REMOVE.code]: 'SRVG_REMOVE', [MODIFY.code]: 'SRVG_MODIFY' };

/** The status transition table's rule for an action, as the spec says it. */
function statusRule(action: string): string {
  const busi = BUSI_OF_ACTION[action];
  return acceptanceRule(busi, `**${action}** (${BUSI_TYPES[busi].code} ${BUSI_TYPES[busi].zh})`);
}

const REQUEST = [
  svcnum,
  char('srvgid', 8, { codes: SRVG, doc: 'the special service (TAB_SRVG.SRVGID)' }),
  char('action', 1, { codes: meanings(SRVG_ACTION_CODES), doc: 'what to do: A switch on, D switch off, M change its parameter' }),
  char('param', 20, {
    pattern: /^([0-9]{3,20})?$/,
    doc: 'the forwarding number of CFU/CFB/CFNRY (digits), required with A and M; spaces otherwise (and with D)',
  }),
] as const;

/** USR_BUSI_RECORD.PARAM of types 31–33: the service code, then its parameter when it has one. */
export function srvgParam(srvgid: string, param: string): string {
  return param ? `${srvgid} ${param}` : srvgid;
}

export default defineWriteHandler({
  key: 'SPECIAL_SERVICE_CHANGE',
  module: import.meta.url,
  request: REQUEST,
  response: [...ACCEPTED_RESPONSE, busiType],
  refusals: ['NO_SUBSCRIBER', 'STATUS_FORBIDS'],
  doc: [
    'Switches a special service (特服: call forwarding, call waiting, roaming, …) on or off, or changes its parameter (the',
    'forwarding number). In one transaction: TAB_SRVG is updated, the change is inserted into USR_BUSI_SRVG (CS-04 lists',
    'both) and a business record is written in status 5, queued for the online-command scanner, whose business type says',
    'what the switch must do: 31 特服开通 (action A), 32 特服取消 (D), 33 特服修改 (M). The reply carries that type.',
    '',
    '- **A** (add): the service must not be on. A service never had gets its TAB_SRVG row (STATUS 1, STARTDATE now); one',
    '  switched off before is switched on again (new STARTDATE, ENDDATE cleared). Already on: 2004 (`特服 … 已开通`).',
    '- **D** (remove): the service must be on; its row stays, STATUS 0 and ENDDATE now (CS-04 shows services on and off).',
    '  Not on: 2004 (`特服 … 未开通`).',
    '- **M** (modify): the service must be on and take a parameter; the new parameter replaces the old one. The same',
    '  parameter again is 1006 (nothing to change). Not on: 2004.',
    '- `param`: the forwarding number of CFU, CFB and CFNRY, required with A and M (missing: 1006); the other services take',
    '  none (a `param` given for them, or with D, is 1006).',
    `- ${statusRule(ADD.code)}`,
    `- ${statusRule(REMOVE.code)} A suspended subscriber can still drop a service.`,
    `- ${statusRule(MODIFY.code)}`,
    '- Numbers of every network (G, C, V, X): each has its switch templates.',
    '- **The switch command**: USR_BUSI_RECORD.PARAM holds `<SRVGID>` or `<SRVGID> <param>` (one space; the form the',
    '  front office writes, e.g. `CFU 13897012345`): the scanner fills the templates\' {SRVGID} with the first word and',
    '  {PARAM} with the rest (empty for services without a parameter). USR_BUSI_SRVG carries SRVGID and PARAM under the',
    '  same BUSISN.',
    '- A request re-sent with the same header serial is answered with the first reply and changes nothing.',
  ].join('\n'),
  example: {
    request: { svcnum: '13997000001', srvgid: 'CFU', action: 'A', param: '13897012345' },
    response: { busisn: '100000126', busiStatus: 5, status: 1, busitype: BUSI_TYPES.SRVG_ADD.code },
  },
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
