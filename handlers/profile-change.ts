// Serves CS-20 profile-change (120).
// CS-20 profile change except name and number (资料更改(除户名、号码外)): number + the fields to change
// → TAB_SUBSCRB updated and the change recorded in USR_BUSI_RECORD (status 1: no switch command), in
// one unit of work. The legacy flow: "取得用户业务号码,和需要修改的所有修改信息…修改传过来要修改的所有
// 字段。并且将这次修改操作记录进USR_BUSI_RECORD,以方便日后查询".
import { GatewayError } from '../protocol/return-codes.js';
import { PROFILE_CONTACT, PROFILE_UPDATE } from '../src/store/queries/acceptance.js';
import { defineWriteHandler } from './kit/define.js';
import { findSubscriber } from './kit/subscriber.js';
import { acceptedReply, recordBusiness } from './kit/business-record.js';
import { contract } from './contracts/profile-change.js';

/**
 * The changeable fields, in wire order: request name, TAB_SUBSCRB column (row key), the `clear`
 * bit that empties it, and its name in the record's PARAM. Name, number, ID document, price plan,
 * SIM and status are not among them: each of those is a business of its own (过户, 改号, 换卡, …).
 */
export const PROFILE_FIELDS = [
  { name: 'address', column: 'address', bit: 1, zh: '地址' },
  { name: 'contactNum', column: 'contactnum', bit: 2, zh: '联系电话' },
  { name: 'postCode', column: 'postcode', bit: 4, zh: '邮编' },
  { name: 'email', column: 'email', bit: 8, zh: '电子邮件' },
] as const;
type Column = (typeof PROFILE_FIELDS)[number]['column'];

const EMAIL = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;

export default defineWriteHandler(contract, {
  async handle(req, ctx) {
    const sub = await findSubscriber(ctx, req.svcnum);
    const given = new Map<Column, string>();
    const cleared = new Set<Column>();
    for (const f of PROFILE_FIELDS) {
      const v = req[f.name].trim();
      const clear = (req.clear & f.bit) !== 0;
      if (v && clear) throw new GatewayError('INVALID_FIELD', `${f.name}: 同时给出新值和清除`);
      if (v) given.set(f.column, v);
      if (clear) cleared.add(f.column);
    }
    if (given.size === 0 && cleared.size === 0) throw new GatewayError('INVALID_FIELD', '没有要修改的资料');
    const email = given.get('email');
    if (email !== undefined && !EMAIL.test(email)) throw new GatewayError('INVALID_FIELD', 'email: 不是有效的电子邮件地址');

    const old = await PROFILE_CONTACT.one(ctx.tx, { subscrbid: sub.subscrbid });
    if (!old) throw new GatewayError('NO_SUBSCRIBER', req.svcnum);
    const next = { ...old };
    const changed: string[] = [];
    const emptied: string[] = [];
    for (const f of PROFILE_FIELDS) {
      const v = cleared.has(f.column) ? '' : given.get(f.column);
      if (v === undefined || v === old[f.column]) continue;
      next[f.column] = v;
      (v === '' ? emptied : changed).push(f.zh);
    }
    const parts = [changed.length ? changed.join(', ') : '', emptied.length ? `清除: ${emptied.join(', ')}` : ''].filter(Boolean);
    const param = `资料更改: ${parts.length ? parts.join('; ') : '无变化'}`;
    if (parts.length) await PROFILE_UPDATE.run(ctx.tx, { ...next, operator: ctx.operator, subscrbid: sub.subscrbid });
    return acceptedReply(await recordBusiness(ctx, sub, 'PROFILE_CHANGE', { param }));
  },
});
