// Contract of CS-21 emergency-suspend (121).
// CS-21 emergency suspend (紧急停机): number → TAB_SUBSCRB; the suspend command queued for the
// online-command scanner (USR_BUSI_RECORD status 5) and the subscriber's status → 2 (suspended),
// in one unit of work. The legacy flow: "将停机操作记录进USR_BUSI_RECORD,等待联机指令程序扫描该记录,
// 进行停机操作,并且修改TAB_SUBSCRB的用户状态为停机状态".
// The wire contract (handlers/contracts/define.ts); the handler is handlers/emergency-suspend.ts.
import { svcnum, ACCEPTED_RESPONSE } from '../kit/fields.js';
import { acceptanceRule } from '../../src/domain/transitions.js';
import { defineWriteContract } from './define.js';

export const contract = defineWriteContract({
  key: 'EMERGENCY_SUSPEND',
  module: import.meta.url,
  request: [svcnum],
  response: ACCEPTED_RESPONSE,
  refusals: ['NO_SUBSCRIBER', 'STATUS_FORBIDS'],
  doc: [
    'Suspends the number at once (a lost or stolen phone): in one transaction the subscriber\'s status becomes 2 (报停) and a',
    'business record of type 11 (紧急停机) is written in status 5, queued for the online-command scanner, which sends the',
    'suspend command (SWITCH_INS_MODEL, business type 11, the switch of the number\'s region and network) and records the',
    "switch's answer (7 executed, 8 failed; CS-05 shows it). The reply is sent once that transaction is durable.",
    '',
    `- ${acceptanceRule('EMERGENCY_SUSPEND')}`,
    '- Numbers of every network (G, C, V, X): each has its switch templates.',
    '- The record: USR_BUSI_RECORD BUSITYPE 11, STATUS 5, OPERATOR from the header, the IMSI, region and network of the',
    '  subscriber; PARAM empty (the suspend templates take only {SVCNUM} and {IMSI}).',
    '- A request re-sent with the same header serial is answered with the first reply and changes nothing (idempotency of',
    '  the write functions): one record, one command.',
  ].join('\n'),
  example: { request: { svcnum: '13997000001' }, response: { busisn: '100000123', busiStatus: 5, status: 2 } },
});

export default contract.rows;
