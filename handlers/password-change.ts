// Serves CS-22 password-change (122).
// CS-22 service password change (服务密码的修改): number + the current password + the new one → the
// current one checked (with the lockout of the password checks), TAB_SUBSCRB.SVCPWD replaced by the
// new one in the configured stored form, and the change recorded in USR_BUSI_RECORD (status 1), in
// one unit of work. The legacy flow: "取得用户业务号码和需要修改的密码…修改用户服务密码字段。并且将这次
// 修改操作记录进USR_BUSI_RECORD". It names no check of the current password; a telecom operator
// expects one (whoever knows a number could otherwise take over its password), so it is asked for.
import { GatewayError } from '../protocol/return-codes.js';
import { hashPasswordAsync, type PasswordStorage } from '../src/store/password.js';
import { PASSWORD_UPDATE } from '../src/store/queries/acceptance.js';
import type { Store } from '../src/store/types.js';
import type { HandlerContext, WriteContext } from '../src/types.js';
import { deriveContext } from '../src/context.js';
import { KeptRefusal } from '../src/kept-refusal.js';
import { defineWriteHandler } from './kit/define.js';
import { checkPassword } from './kit/password.js';
import { findSubscriber } from './kit/subscriber.js';
import { acceptedReply, checkTransition, recordBusiness } from './kit/business-record.js';
import { contract, PASSWORD_CHANGE_PARAM } from './contracts/password-change.js';

export { NEW_PASSWORD, PASSWORD_CHANGE_PARAM } from './contracts/password-change.js';

/** [database] password_storage (plain | scrypt), as the dispatcher hands it to handlers (ctx.settings). */
export function passwordStorageOf(ctx: HandlerContext): PasswordStorage {
  return ctx.settings.database.passwordStorage;
}

/**
 * The context checkPassword sees: its lockout counters (reserveAttempt opens a transaction of its
 * own on a read function's store) go into this write's unit of work instead, so that a refusal
 * keeps them (KeptRefusal) and a success commits with the new password.
 */
function inUnit(ctx: WriteContext): HandlerContext {
  const store: Store = { ...ctx.store, transaction: (fn) => fn(ctx.tx) };
  return deriveContext(ctx, { store });
}

export default defineWriteHandler(contract, {
  async handle({ svcnum, oldPassword, newPassword }, ctx) {
    const sub = await findSubscriber(ctx, svcnum);
    checkTransition(sub, 'PASSWORD_CHANGE');
    if (newPassword === oldPassword) throw new GatewayError('INVALID_FIELD', 'newPassword: 新密码不能与原密码相同');
    try {
      await checkPassword(inUnit(ctx), sub, oldPassword, { inUnit: true });
    } catch (err) {
      // The lockout counters written by the check must survive the refusal.
      if (err instanceof GatewayError && (err.rc === 'WRONG_PASSWORD' || err.rc === 'PASSWORD_LOCKED')) {
        throw new KeptRefusal(err.rc, err.detail);
      }
      throw err;
    }
    // Hashed only once the current password matched: a refused or locked attempt costs no hash.
    const svcpwd = await hashPasswordAsync(newPassword, passwordStorageOf(ctx));
    await PASSWORD_UPDATE.run(ctx.tx, { svcpwd, operator: ctx.operator, subscrbid: sub.subscrbid });
    return acceptedReply(await recordBusiness(ctx, sub, 'PASSWORD_CHANGE', { param: PASSWORD_CHANGE_PARAM, checked: true }));
  },
});
