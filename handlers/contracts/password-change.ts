// Contract of CS-22 password-change (122).
// CS-22 service password change (服务密码的修改): number + the current password + the new one → the
// current one checked (with the lockout of the password checks), TAB_SUBSCRB.SVCPWD replaced by the
// new one in the configured stored form, and the change recorded in USR_BUSI_RECORD (status 1), in
// one unit of work. The legacy flow: "取得用户业务号码和需要修改的密码…修改用户服务密码字段。并且将这次
// 修改操作记录进USR_BUSI_RECORD". It names no check of the current password; a telecom operator
// expects one (whoever knows a number could otherwise take over its password), so it is asked for.
// The wire contract (handlers/contracts/define.ts); the handler is handlers/password-change.ts.
import { char } from '../../protocol/fields.js';
import { svcnum, ACCEPTED_RESPONSE } from '../kit/fields.js';
import { LOCKOUT } from '../kit/lockout.js';
import { acceptanceRule } from '../../src/domain/transitions.js';
import { defineWriteContract } from './define.js';

/** What a new service password may be: the six digits of the legacy passwords, up to eight. */
export const NEW_PASSWORD = /^[0-9]{6,8}$/;

/** The record's PARAM: what was done, never a password. */
export const PASSWORD_CHANGE_PARAM = '服务密码修改';

const REQUEST = [
  svcnum,
  char('oldPassword', 16, { secret: true, doc: 'the current service password (服务密码)' }),
  char('newPassword', 16, { secret: true, pattern: NEW_PASSWORD, doc: 'the new service password: 6 to 8 digits' }),
] as const;

export const contract = defineWriteContract({
  key: 'PASSWORD_CHANGE',
  module: import.meta.url,
  request: REQUEST,
  response: ACCEPTED_RESPONSE,
  refusals: ['NO_SUBSCRIBER', 'STATUS_FORBIDS', 'WRONG_PASSWORD', 'PASSWORD_LOCKED'],
  doc: [
    'Replaces the service password (服务密码) of the number. Both passwords are secret fields: they never reach a log, and',
    'no message repeats them.',
    '',
    '- `oldPassword` is checked as CS-02 checks it (TAB_SUBSCRB.SVCPWD, plain text or scrypt, constant time), **with the',
    `  same lockout**, per number and shared with the five checks: a wrong one is 2002 and counted (${LOCKOUT.maxFails} in`,
    `  ${LOCKOUT.windowMs / 60_000} minutes lock the number for ${LOCKOUT.lockMs / 60_000} minutes; ${LOCKOUT.maxConsecutive} in a row until an operator clears it), a locked number is 2003`,
    '  before any comparison. The count of a refused attempt is kept (committed with the refusal); a success resets it.',
    '  The legacy flow names no check of the current password; without one, anyone knowing a number could take over its',
    '  password, so bssgate asks for it.',
    '- `newPassword`: 6 to 8 digits (1006 otherwise, the value not shown); equal to `oldPassword`: 1006. It is stored as',
    '  `[database] password_storage` says: `scrypt` (default) a salted hash `scrypt$N$r$p$salt$hash` with a random salt,',
    '  `plain` the legacy plain text (docs/schema.md, service passwords).',
    `- In one transaction the password is replaced (TAB_SUBSCRB.OPERATOR becomes the header operator) and a business record`,
    `  of type 42 (服务密码修改) is written in status 1 (recorded: no switch command), PARAM \`${PASSWORD_CHANGE_PARAM}\` (never a`,
    '  password).',
    `- ${acceptanceRule('PASSWORD_CHANGE')}`,
    '- The new password is hashed only after the current one matched (a refused or locked attempt costs no hash); the',
    "  comparison and the hash (tens of milliseconds each at the production scrypt cost) run inside the request's unit of",
    '  work: the other writes of its commit batch wait about that long.',
    '- A request re-sent with the same header serial is answered with the first reply and changes nothing (it is not',
    '  compared again with the password it set).',
  ].join('\n'),
  example: {
    request: { svcnum: '13997000001', oldPassword: '123456', newPassword: '246810' },
    response: { busisn: '100000128', busiStatus: 1, status: 1 },
  },
});

export default contract.rows;
