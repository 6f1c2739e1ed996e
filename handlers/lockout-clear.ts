// Serves lockout-clear (190).
// lockout-clear (190, 解除密码锁定): the operator's clearing of a number's password lock. Not in the
// legacy inventory (no ID; docs/legacy-inventory.md): it comes with the lockout of the password checks (CS-02,
// VO-01, PC-01, PR-01, SM-01), whose hard lock after 100 consecutive failures only an operator lifts.
// The same clearing is `bssgate lockout clear <number>` (src/cli.ts).
import { GatewayError } from '../protocol/return-codes.js';
import { clearLockout } from '../src/store/queries/auth.js';
import { defineHandler } from './kit/define.js';
import { contract } from './contracts/lockout-clear.js';

export default defineHandler(contract, {
  async handle({ svcnum }, ctx) {
    const row = await clearLockout(ctx.store, svcnum, ctx.clock.date());
    if (!row) throw new GatewayError('NO_RECORD', `${svcnum} 未锁定`);
    const lockedUntil = row.lock_active !== 0 ? row.locked_until : '';
    ctx.log.warn(
      { event: 'password-lock-cleared', svcnum, operator: ctx.operator, hardLocked: row.hard_locked, lockedUntil, consecutive: row.consecutive },
      `service password lock of ${svcnum} cleared by operator ${ctx.operator}`,
    );
    return { hardLocked: row.hard_locked !== 0 ? 1 : 0, lockedUntil, consecutive: row.consecutive };
  },
});
