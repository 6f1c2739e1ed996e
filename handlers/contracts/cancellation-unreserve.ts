// Contract of CS-26 cancellation-unreserve (126).
// CS-26 cancel the reservation (取消销户预约): number → TAB_SUBSCRB; a command that re-enables the
// IMSI-MDN pair at the switch queued for the online-command scanner (USR_BUSI_RECORD status 5) and
// the subscriber's status → 1 (active), in one unit of work. The legacy flow: "将此次取消预约销户记录进
// USR_BUSI_RECORD,等待联机指令程序扫描该记录,…使本地交换机IMSI-MDN为可用状态,并且修改TAB_SUBSCRB的
// 用户状态为开机状态".
// The wire contract (handlers/contracts/define.ts); the handler is handlers/cancellation-unreserve.ts.
import { svcnum, ACCEPTED_RESPONSE } from '../kit/fields.js';
import { acceptanceRule } from '../../src/domain/transitions.js';
import { defineWriteContract } from './define.js';

export const contract = defineWriteContract({
  key: 'CANCELLATION_UNRESERVE',
  module: import.meta.url,
  request: [svcnum],
  response: ACCEPTED_RESPONSE,
  refusals: ['NO_SUBSCRIBER', 'STATUS_FORBIDS'],
  doc: [
    'Withdraws a cancellation reservation (CS-25): the line is enabled again at the switch (IMSI-MDN 可用) and the subscriber',
    'is active. In one transaction the status becomes 1 (正常) and a business record of type 22 is written in status 5, queued',
    'for the online-command scanner (SWITCH_INS_MODEL business type 22); CS-05 shows its progress.',
    '',
    `- ${acceptanceRule('UNRESERVE_CANCEL')}`,
    '- The legacy flow says the status becomes 开机 (active), whatever it was before the reservation: a number reserved while',
    '  suspended comes back active (the switch commands of type 22 lift the barring too); an arrears-suspended one is',
    '  suspended again by the next arrears run if the account is still in debt.',
    '- Numbers of every network (G, C, V, X).',
    '- The record: USR_BUSI_RECORD BUSITYPE 22, STATUS 5, OPERATOR from the header, the IMSI, region and network of the',
    '  subscriber; PARAM empty (the templates take only {SVCNUM} and {IMSI}).',
    '- A request re-sent with the same header serial is answered with the first reply and changes nothing.',
  ].join('\n'),
  example: { request: { svcnum: '13997000004' }, response: { busisn: '100000125', busiStatus: 5, status: 1 } },
});

export default contract.rows;
