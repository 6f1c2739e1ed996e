// Contract of CS-23 conditional-resume (123).
// CS-23 conditional resume (有条件开机): number → TAB_SUBSCRB; the resume command queued for the
// online-command scanner (USR_BUSI_RECORD status 5) and the subscriber's status → 1 (active), in one
// unit of work. The legacy flow: "将此次开机操作记录进USR_BUSI_RECORD,等待联机指令程序扫描该记录,进行
// 开机操作,并且修改TAB_SUBSCRB的用户状态为开机状态". The condition (有条件): a number suspended for
// arrears comes back only when its account's real-time balance is above zero, the rule
// PC-03/PC-04 apply after a payment (handlers/kit/realtime-balance.ts, one definition for both).
// The wire contract (handlers/contracts/define.ts); the handler is handlers/conditional-resume.ts.
import { svcnum, ACCEPTED_RESPONSE } from '../kit/fields.js';
import { acceptanceRule } from '../../src/domain/transitions.js';
import { defineWriteContract } from './define.js';

export const contract = defineWriteContract({
  key: 'CONDITIONAL_RESUME',
  module: import.meta.url,
  request: [svcnum],
  response: ACCEPTED_RESPONSE,
  refusals: ['NO_SUBSCRIBER', 'STATUS_FORBIDS', 'NO_ACCOUNT'],
  doc: [
    'Switches a suspended number back on. In one transaction the subscriber\'s status becomes 1 (正常) and a business record',
    'of type 12 (有条件开机) is written in status 5, queued for the online-command scanner, which sends the resume command',
    '(SWITCH_INS_MODEL business type 12) and records the switch\'s answer (CS-05 shows it).',
    '',
    `- ${acceptanceRule('CONDITIONAL_RESUME')}`,
    '- From **2** (报停, suspended on request, e.g. by CS-21) without a further condition.',
    '- From **3** (欠费停机, suspended for arrears) the real-time balance of the paying account must be **above zero**:',
    '  ACCT_BALANCE.BALANCE minus this cycle\'s unbilled usage (RATING2_REAL_FEE) and rents (BILL_RENT_ACCT_DETAIL) of every',
    '  number on the account, as CS-12 computes them and as a payment (PC-03) decides its own resume. Zero or below is 2004',
    '  with the real-time balance in yuan (`实时余额 -12.34 元…`); an account without a balance row is 2011.',
    '- Numbers of every network (G, C, V, X).',
    '- The record: USR_BUSI_RECORD BUSITYPE 12, STATUS 5, OPERATOR from the header, the IMSI, region and network of the',
    '  subscriber; PARAM empty from status 2, and from status 3 the real-time balance that allowed it, `实时余额 12.34元`',
    '  (the resume templates take only {SVCNUM} and {IMSI}, so PARAM is there for CS-05\'s reader).',
    '- A request re-sent with the same header serial is answered with the first reply and changes nothing.',
  ].join('\n'),
  example: { request: { svcnum: '13997000002' }, response: { busisn: '100000129', busiStatus: 5, status: 1 } },
});

export default contract.rows;
