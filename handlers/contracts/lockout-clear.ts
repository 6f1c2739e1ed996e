// Contract of lockout-clear (190).
// lockout-clear (190, 解除密码锁定): the operator's clearing of a number's password lock. Not in the
// legacy inventory (no ID; docs/legacy-inventory.md): it comes with the lockout of the password checks (CS-02,
// VO-01, PC-01, PR-01, SM-01), whose hard lock after 100 consecutive failures only an operator lifts.
// The same clearing is `bssgate lockout clear <number>` (src/cli.ts).
// The wire contract (handlers/contracts/define.ts); the handler is handlers/lockout-clear.ts.
import { datetime, u32, u8 } from '../../protocol/fields.js';
import { svcnum } from '../kit/fields.js';
import { defineContract } from './define.js';

export const contract = defineContract({
  key: 'LOCKOUT_CLEAR',
  module: import.meta.url,
  request: [svcnum],
  response: [
    u8('hardLocked', { min: 0, max: 1, doc: '1: it was locked until an operator clears it (100 consecutive wrong passwords); 0: not' }),
    datetime('lockedUntil', { optional: true, doc: 'end of the 30-minute lock that was running; spaces when none was' }),
    u32('consecutive', { doc: 'wrong passwords since the last success, now reset' }),
  ],
  refusals: ['NO_RECORD'],
  doc: [
    'Clears the password lock of a service number (the lockout of 102, 201, 301, 401, 501 and of PR-02/PR-03):',
    'the hard lock after 100 consecutive wrong passwords, or a 30-minute lock still running. Every count of the',
    'number is reset (BSG_AUTH_FAIL). The reply says what was cleared. A number that is not locked is refused',
    '2012 and nothing changes (counted failures below the limit stay). The number need not be a current',
    'subscriber. The clearing is recorded in `warn.log` with the header\'s operator (工号); the request log has it',
    'too. `bssgate lockout clear <number>` does the same from the command line.',
  ].join('\n'),
  example: {
    request: { svcnum: '13997000001' },
    response: { hardLocked: 1, lockedUntil: '', consecutive: 100 },
  },
});

export default contract.rows;
