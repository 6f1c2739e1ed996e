// Serves CS-03 profile (103), VO-02 voip-profile (202).
// CS-03 profile query (用户档案查询) and VO-02 IP Phone profile (IP Phone用户档案查询): number →
// TAB_SUBSCRB (+ TAB_PRCPLN name). The legacy flow of VO-02 is CS-03's word for word ("用业务号码
// 查询TAB_SUBSCRB表"), so one module serves both: VO-02 looked up by the service number, like
// CS-03, and only for IP Phone (V) subscribers. SVCPWD is never read.
import { GatewayError } from '../protocol/return-codes.js';
import { NET_TYPES } from '../src/domain/codes.js';
import { PROFILE_BY_ID } from '../src/store/queries/profile.js';
import { defineHandler } from './kit/define.js';
import { findSubscriber } from './kit/subscriber.js';
import { contract } from './contracts/profile.js';

export default defineHandler(contract, {
  async handle({ svcnum }, ctx) {
    const voip = ctx.business.key === 'VOIP_PROFILE';
    const sub = await findSubscriber(ctx, svcnum, voip ? { nets: [NET_TYPES.VOIP.code] } : {});
    const p = await PROFILE_BY_ID.one(ctx.store, { subscrbid: sub.subscrbid });
    // The row found a moment ago is gone (deleted in between): the number is unknown now.
    if (!p) throw new GatewayError('NO_SUBSCRIBER', svcnum);
    return {
      subscrbid: String(p.subscrbid),
      custid: String(p.custid),
      acctid: String(p.acctid),
      nettype: p.nettype,
      status: p.status,
      statusDate: p.statusdate,
      openDate: p.opendate,
      region: p.region,
      prcpln: p.prcpln,
      prcplnName: p.prcplnname,
      custName: p.custname,
      idType: p.idtype,
      idNum: p.idnum,
      address: p.address,
      contactNum: p.contactnum,
      postCode: p.postcode,
      email: p.email,
      imsi: p.imsi,
      simcardid: p.simcardid,
      cardnum: p.cardnum,
    };
  },
});
