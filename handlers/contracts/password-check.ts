// Contract of CS-02 authenticate (102), VO-01 voip-authenticate (201), PC-01 card-verify (301), PR-01 print-authenticate (401), SM-01 sms-verify (501).
// The five service-password checks, one implementation: CS-02 用户身份验证 (102),
// VO-01 IP Phone 身份验证 (201), PC-01 手机校验 (301), PR-01 身份验证 (401), SM-01 手机校验 (501).
// The legacy document names the same check differently on each interface; each keeps its own
// code, so serving rules and logs stay per interface. Which one is served is ctx.business.
// The wire contract (handlers/contracts/define.ts); the handler is handlers/password-check.ts.
import { text } from '../../protocol/fields.js';
import type { BusinessKey } from '../../protocol/business-types.js';
import { netType, password, subscriberStatus, svcnum } from '../kit/fields.js';
import { LOCKOUT } from '../kit/lockout.js';
import { defineContract } from './define.js';

export const KEYS = ['AUTHENTICATE', 'VOIP_AUTHENTICATE', 'CARD_VERIFY', 'PRINT_AUTHENTICATE', 'SMS_VERIFY'] as const satisfies readonly BusinessKey[];

export const contract = defineContract({
  key: KEYS,
  module: import.meta.url,
  request: [svcnum, password],
  response: [subscriberStatus, netType, text('custname', 64, { doc: 'subscriber name (TAB_SUBSCRB.CUSTNAME), GBK' })],
  refusals: ['NO_SUBSCRIBER', 'STATUS_FORBIDS', 'WRONG_PASSWORD', 'PASSWORD_LOCKED'],
  doc: [
    'One check of the service password (服务密码), shared by five business types: CS-02 (102) and VO-01 (201) on the',
    'customer-service interface, PC-01 (301) on the payment-card interface, PR-01 (401) on the print kiosks and SM-01',
    '(501) on the SMS platform. The password is compared with TAB_SUBSCRB.SVCPWD, stored as legacy plain text or as',
    'a salted scrypt hash (`scrypt$N$r$p$salt$hash`); both are compared in constant time. An empty stored password never',
    'matches. On success the reply carries the subscriber\'s status, network and name (never the password).',
    '',
    'Networks: 102 and 401 accept GSM, CDMA and CDMA1X numbers; 201 only IP Phone (VOIP) numbers; 301 any number;',
    '501 GSM and CDMA numbers. A number of another network is 2001 with the reason. A cancelled number is 2004; a',
    'suspended or reserved one may authenticate.',
    '',
    `**Lockout**, per service number and shared by all five codes and by PR-02/PR-03 (which carry the password too),`,
    'counted in the database (BSG_AUTH_FAIL), so that it survives a restart and holds across gateways on one',
    'database; never per client address (kiosks and the SMS platform share theirs):',
    '',
    `- at most ${LOCKOUT.maxFails} wrong passwords within ${LOCKOUT.windowMs / 60_000} minutes (a window that starts at the first failure);`,
    `  the ${LOCKOUT.maxFails}th is still answered 2002 and locks the number for ${LOCKOUT.lockMs / 60_000} minutes;`,
    '- while locked, every attempt is refused 2003 **before the password is compared**, even a right one;',
    `- after ${LOCKOUT.maxConsecutive} wrong passwords with no success between them the number is locked until an operator`,
    '  clears it (business type 190 lockout-clear, or `bssgate lockout clear <number>`);',
    '- a success resets the counts. Each attempt is counted before its comparison, so concurrent attempts',
    `  (several connections or gateways) cannot get more than ${LOCKOUT.maxFails} comparisons into a window.`,
    '  Within one gateway the attempts on one number are taken in turn, each after the one before it',
    `  settled, so right passwords sent at once are all answered 0, however many (more than ${LOCKOUT.maxFails} included).`,
    '',
    'A 2002 message says how many attempts are left (or, on the locking one, until when the number is locked).',
    'Wrong passwords on many different numbers in a short time (password spraying) are reported in `warn.log`.',
    'Unknown numbers (2001) are not counted.',
  ].join('\n'),
  example: {
    request: { svcnum: '13997000001', password: '123456' },
    response: { status: 1, nettype: 'G', custname: '张伟' },
  },
});

export default contract.rows;
