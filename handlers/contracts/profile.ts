// Contract of CS-03 profile (103), VO-02 voip-profile (202).
// CS-03 profile query (用户档案查询) and VO-02 IP Phone profile (IP Phone用户档案查询): number →
// TAB_SUBSCRB (+ TAB_PRCPLN name). The legacy flow of VO-02 is CS-03's word for word ("用业务号码
// 查询TAB_SUBSCRB表"), so one module serves both: VO-02 looked up by the service number, like
// CS-03, and only for IP Phone (V) subscribers. SVCPWD is never read.
// The wire contract (handlers/contracts/define.ts); the handler is handlers/profile.ts.
import { char, code, datetime, text } from '../../protocol/fields.js';
import { ID_TYPES } from '../../src/domain/codes.js';
import { idField, netType, subscriberStatus, svcnum } from '../kit/fields.js';
import { defineContract } from './define.js';

const ID_TYPE_CODES = Object.values(ID_TYPES);

export const contract = defineContract({
  key: ['PROFILE', 'VOIP_PROFILE'],
  module: import.meta.url,
  request: [svcnum],
  response: [
    idField('subscrbid', 'subscriber id (TAB_SUBSCRB.SUBSCRBID)'),
    idField('custid', 'customer id'),
    idField('acctid', 'paying account'),
    netType,
    subscriberStatus,
    datetime('statusDate', { doc: 'last status change' }),
    datetime('openDate', { doc: 'when the number was opened' }),
    char('region', 4, { doc: 'area code of the subscriber (0971 Xining …)' }),
    char('prcpln', 8, { doc: 'price plan code (TAB_PRCPLN)' }),
    text('prcplnName', 64, { doc: 'price plan name; empty when the plan is not in TAB_PRCPLN' }),
    text('custName', 64, { doc: 'subscriber name' }),
    code('idType', ID_TYPE_CODES, { doc: 'ID document type' }),
    // Not the shared request field: a value read from the database is sent as held, without the request pattern.
    char('idNum', 32, { doc: 'ID-document number (证件号码)' }),
    text('address', 200, { doc: 'address; empty when none' }),
    char('contactNum', 20, { doc: 'contact phone; spaces when none' }),
    char('postCode', 6, { doc: 'post code; spaces when none' }),
    text('email', 64, { doc: 'e-mail; empty when none' }),
    char('imsi', 15, { doc: 'IMSI; spaces when none (IP Phone)' }),
    char('simcardid', 20, { doc: 'SIM/UIM card number (ICCID); spaces when none (IP Phone)' }),
    char('cardnum', 20, { doc: 'IP Phone: the card this number belongs to; spaces for other networks' }),
  ],
  refusals: ['NO_SUBSCRIBER', 'STATUS_FORBIDS'],
  doc: [
    "The subscriber's profile as TAB_SUBSCRB holds it, with the price plan's name from TAB_PRCPLN. The service password is never part of it.",
    '',
    '- **CS-03** (103) answers a number of any network (G, C, V, X).',
    "- **VO-02** (202) answers IP Phone (V) numbers only, looked up by the service number as the legacy flow says (用业务号码查询TAB_SUBSCRB); another network's number is 2001 with the reason (`… 不是IP电话用户`). The card → number lookup is VO-05 / VO-06.",
    '- A cancelled number (status 5) is refused 2004: a profile is current data. When a number was reused, the live row is answered.',
    '- Columns the database holds as NULL (address, contact number, post code, e-mail, IMSI, SIM, card) follow the NULL rule: empty text, spaces in `char` fields.',
  ].join('\n'),
  example: {
    request: { svcnum: '13997000001' },
    response: {
      subscrbid: '100000001',
      custid: '500000001',
      acctid: '300000001',
      nettype: 'G',
      status: 1,
      statusDate: '20190311101500',
      openDate: '20190311101500',
      region: '0971',
      prcpln: 'G001',
      prcplnName: '全球通标准套餐',
      custName: '吴建鹏',
      idType: '1',
      idNum: '630203198201221111',
      address: '青海省西宁市城中区南大街12号',
      contactNum: '13812345678',
      postCode: '810000',
      email: '',
      imsi: '460007000000001',
      simcardid: '89860000000000000019',
      cardnum: '',
    },
  },
});

export default contract.rows;
