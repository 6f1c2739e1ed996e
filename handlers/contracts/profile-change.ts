// Contract of CS-20 profile-change (120).
// CS-20 profile change except name and number (资料更改(除户名、号码外)): number + the fields to change
// → TAB_SUBSCRB updated and the change recorded in USR_BUSI_RECORD (status 1: no switch command), in
// one unit of work. The legacy flow: "取得用户业务号码,和需要修改的所有修改信息…修改传过来要修改的所有
// 字段。并且将这次修改操作记录进USR_BUSI_RECORD,以方便日后查询".
// The wire contract (handlers/contracts/define.ts); the handler is handlers/profile-change.ts.
import { char, text, u8 } from '../../protocol/fields.js';
import { svcnum, ACCEPTED_RESPONSE } from '../kit/fields.js';
import { acceptanceRule } from '../../src/domain/transitions.js';
import { defineWriteContract } from './define.js';

const REQUEST = [
  svcnum,
  text('address', 200, { doc: 'new address (GBK, at most 200 bytes); empty (or only spaces) = unchanged' }),
  char('contactNum', 20, { pattern: /^([0-9][0-9-]{2,19})?$/, doc: 'new contact phone: digits, hyphens allowed (0971-8123456); spaces = unchanged' }),
  char('postCode', 6, { pattern: /^([0-9]{6})?$/, doc: 'new post code, six digits; spaces = unchanged' }),
  text('email', 64, { doc: 'new e-mail address (ASCII, name@domain.tld); empty = unchanged' }),
  u8('clear', {
    min: 0,
    max: 15,
    doc: 'fields to empty (stored as NULL), the sum of: 1 address, 2 contactNum, 4 postCode, 8 email; 0 = none. A field given and cleared at once is 1006',
  }),
] as const;

export const contract = defineWriteContract({
  key: 'PROFILE_CHANGE',
  module: import.meta.url,
  request: REQUEST,
  response: ACCEPTED_RESPONSE,
  refusals: ['NO_SUBSCRIBER', 'STATUS_FORBIDS'],
  doc: [
    'Changes the subscriber\'s contact details: **address, contact phone, post code and e-mail** (TAB_SUBSCRB ADDRESS,',
    'CONTACTNUM, POSTCODE, EMAIL). The name and the number are never changed here (the legacy title: 除户名、号码外), nor',
    'the ID document, price plan, SIM card or status: each of those is a business of its own with its own checks, and none',
    'of them is a field of this request.',
    '',
    '**Unchanged, changed, cleared.** Every field is always on the wire (fixed layout), so "leave it as it is" is said by',
    'sending it empty: spaces in the fixed-width fields (`contactNum`, `postCode`), length 0 (or only spaces) in the text',
    'fields (`address`, `email`). A value replaces the stored one. To empty a field (store NULL), set its bit in `clear`',
    '(1 address, 2 contactNum, 4 postCode, 8 email) and send the field empty. Answered 1006 (nothing is changed): a request',
    'that neither gives nor clears any field; a field given and cleared at once; a contact phone that is not digits and',
    'hyphens, a post code that is not six digits, an e-mail that is not `name@domain.tld` (letters, digits and `._%+-` in',
    "the name; letters, digits and hyphens in the domain's labels).",
    '',
    'In one transaction the fields are updated (TAB_SUBSCRB.OPERATOR becomes the header operator) and a business record',
    'of type 41 (资料更改) is written in status 1 (recorded: no switch command), listing in PARAM the names of the fields',
    'whose value actually changed — never the values (personal data; CS-05 shows PARAM to any agent), e.g.',
    '`资料更改: 地址, 联系电话; 清除: 邮编`, or `资料更改: 无变化` when every value given equals the stored one.',
    acceptanceRule('PROFILE_CHANGE'),
    '',
    'A request re-sent with the same header serial is answered with the first reply and changes nothing.',
  ].join('\n'),
  example: {
    request: { svcnum: '13997000001', address: '青海省西宁市城西区五四大街8号', contactNum: '', postCode: '810001', email: '', clear: 8 },
    response: { busisn: '100000127', busiStatus: 1, status: 1 },
  },
});

export default contract.rows;
