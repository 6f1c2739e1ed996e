// Contract of CS-25 cancellation-reserve (125).
// CS-25 cancellation reservation (销户预约): number → TAB_SUBSCRB; a command that disables the
// IMSI-MDN pair at the switch queued for the online-command scanner (USR_BUSI_RECORD status 5) and
// the subscriber's status → 4 (reserved for cancellation), in one unit of work. The legacy flow:
// "将此次预约销户记录进USR_BUSI_RECORD,等待联机指令程序扫描该记录,…使本地交换机IMSI-MDN为禁用功能,
// 并且修改TAB_SUBSCRB的用户状态为预约销户状态". (Its reply text is copied from CS-23, "有条件开机的成功
// 标志": the reply here is the reservation's.)
// The wire contract (handlers/contracts/define.ts); the handler is handlers/cancellation-reserve.ts.
import { svcnum, ACCEPTED_RESPONSE } from '../kit/fields.js';
import { acceptanceRule } from '../../src/domain/transitions.js';
import { defineWriteContract } from './define.js';

export const contract = defineWriteContract({
  key: 'CANCELLATION_RESERVE',
  module: import.meta.url,
  request: [svcnum],
  response: ACCEPTED_RESPONSE,
  refusals: ['NO_SUBSCRIBER', 'STATUS_FORBIDS'],
  doc: [
    'Reserves the number for cancellation (销户预约): the line is disabled at the switch (IMSI-MDN 禁用: no calls, no',
    'registration) while the number and its records are kept, so that the reservation can still be withdrawn (CS-26). In one',
    "transaction the subscriber's status becomes 4 (预约销户) and a business record of type 21 is written in status 5, queued",
    'for the online-command scanner (SWITCH_INS_MODEL business type 21); CS-05 shows its progress. The final cancellation',
    '(status 5, 销户) is not an interface function: the front office does it after the reservation period.',
    '',
    `- ${acceptanceRule('RESERVE_CANCEL')}`,
    '- Numbers of every network (G, C, V, X).',
    '- The record: USR_BUSI_RECORD BUSITYPE 21, STATUS 5, OPERATOR from the header, the IMSI, region and network of the',
    '  subscriber; PARAM empty (the templates take only {SVCNUM} and {IMSI}).',
    '- A request re-sent with the same header serial is answered with the first reply and changes nothing.',
  ].join('\n'),
  example: { request: { svcnum: '13997000001' }, response: { busisn: '100000124', busiStatus: 5, status: 4 } },
});

export default contract.rows;
