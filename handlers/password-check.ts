// Serves CS-02 authenticate (102), VO-01 voip-authenticate (201), PC-01 card-verify (301), PR-01 print-authenticate (401), SM-01 sms-verify (501).
// The five service-password checks, one implementation: CS-02 用户身份验证 (102),
// VO-01 IP Phone 身份验证 (201), PC-01 手机校验 (301), PR-01 身份验证 (401), SM-01 手机校验 (501).
// The legacy document names the same check differently on each interface; each keeps its own
// code, so serving rules and logs stay per interface. Which one is served is ctx.business.
import { NET_TYPES, type NetType } from '../src/domain/codes.js';
import { SUBSCRIBER_NAME } from '../src/store/queries/auth.js';
import { defineHandler } from './kit/define.js';
import { checkPassword } from './kit/password.js';
import { findSubscriber } from './kit/subscriber.js';
import { contract, KEYS } from './contracts/password-check.js';

type Key = (typeof KEYS)[number];

const { GSM: G, CDMA: C, VOIP: V, CDMA1X: X } = NET_TYPES;

// The networks each check accepts; another network's number is 2001 (with the reason). The
// inventory: customer-service functions serve GSM and CDMA, IP Phone (VO-*) and CDMA1X (C1-*) have
// their own rows; CDMA1X has no check of its own, so CS-02 takes it. 手机校验 on the SMS platform
// is a mobile phone's; the card system tops up any line; the kiosk prints GSM/CDMA detail (PR-02)
// and CDMA1X detail (PR-03).
const NETS: Record<Key, readonly NetType[] | undefined> = {
  AUTHENTICATE: [G.code, C.code, X.code],
  VOIP_AUTHENTICATE: [V.code],
  CARD_VERIFY: undefined,
  PRINT_AUTHENTICATE: [G.code, C.code, X.code],
  SMS_VERIFY: [G.code, C.code],
};

export default defineHandler(contract, {
  async handle(req, ctx) {
    const sub = await findSubscriber(ctx, req.svcnum, { nets: NETS[ctx.business.key as Key] });
    await checkPassword(ctx, sub, req.password);
    const name = await SUBSCRIBER_NAME.one(ctx.store, { subscrbid: sub.subscrbid });
    return { status: sub.status, nettype: sub.nettype, custname: name?.custname ?? '' };
  },
});
