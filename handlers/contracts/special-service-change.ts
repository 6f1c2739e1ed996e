// Contract of CS-24 special-service-change (124).
// CS-24 special-service change (特服档案修改): number + special service + action (add, remove,
// modify) → TAB_SRVG updated, the change inserted into USR_BUSI_SRVG and the switch command queued
// for the online-command scanner (USR_BUSI_RECORD status 5), in one unit of work. The legacy flow:
// "从请求包中取得用户业务号码和异动特服类型和操作类型。将此次特服变更操作记录进USR_BUSI_RECORD,等待联机
// 指令程序扫描该记录,…并且修改TAB_SRVG的用户特服状态操作类型状态,插入USR_BUSI_SRVG表记录此次特服变更的操作".
// The wire contract (handlers/contracts/define.ts); the handler is handlers/special-service-change.ts.
import { char } from '../../protocol/fields.js';
import { BUSI_TYPES, SRVG_ACTION_CODES, SRVG_CODES } from '../../src/domain/codes.js';
import { busiType, meanings, svcnum, ACCEPTED_RESPONSE } from '../kit/fields.js';
import { acceptanceRule, type BusiType } from '../../src/domain/transitions.js';
import { defineWriteContract } from './define.js';

export const SRVG = meanings(SRVG_CODES);

const { ADD, REMOVE, MODIFY } = SRVG_ACTION_CODES;
/** The business type of each action (USR_BUSI_RECORD.BUSITYPE 31–33). */
export const BUSI_OF_ACTION: Record<string, BusiType> = { [ADD.code]: 'SRVG_ADD', [REMOVE.code]: 'SRVG_REMOVE', [MODIFY.code]: 'SRVG_MODIFY' };

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

export const contract = defineWriteContract({
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
});

export default contract.rows;
