// Contract of CS-09 credit-level (109).
// CS-09 credit level (信用级别查询): number → TAB_SUBSCRB.ACCTID → TAB_ACCT.PAY_MODE → TAB_PAYTYPE.
// The wire contract (handlers/contracts/define.ts); the handler is handlers/credit-level.ts.
import { code, money, text, u8 } from '../../protocol/fields.js';
import { ACCOUNT_PAY_TYPES } from '../../src/domain/codes.js';
import { idField, svcnum } from '../kit/fields.js';
import { defineContract } from './define.js';

// The account pay types (TAB_PAYTYPE), not TAB_PAY.PAYMODE (how one payment came in).
const PAY_TYPE_CODES = ACCOUNT_PAY_TYPES.map((p) => ({ code: p.code, zh: p.zh, en: p.en }));

export const contract = defineContract({
  key: 'CREDIT_LEVEL',
  module: import.meta.url,
  request: [svcnum],
  response: [
    idField('acctid', 'the paying account (TAB_SUBSCRB.ACCTID)'),
    code('payType', PAY_TYPE_CODES, { doc: "the account's pay mode (TAB_ACCT.PAY_MODE)" }),
    text('payTypeName', 32, { doc: 'name of the pay mode (TAB_PAYTYPE.PAYTYPENAME)' }),
    u8('creditLevel', { doc: 'credit level, 1 lowest … 5 highest (TAB_PAYTYPE.CREDIT_LEVEL)' }),
    money('creditLimit', { doc: 'overdraft allowed before arrears suspension, fen (TAB_PAYTYPE.CREDIT_LIMIT)' }),
  ],
  refusals: ['NO_SUBSCRIBER', 'STATUS_FORBIDS', 'NO_ACCOUNT', 'NO_RECORD'],
  doc: [
    "The credit level of the number's paying account: its pay mode (TAB_ACCT.PAY_MODE) and that pay mode's row of TAB_PAYTYPE.",
    '',
    '- A cancelled number (status 5) is refused 2004.',
    '- No TAB_ACCT row for the account is 2011 `NO_ACCOUNT`; a pay mode without a TAB_PAYTYPE row is 2012 `NO_RECORD`.',
  ].join('\n'),
  example: {
    request: { svcnum: '13997000001' },
    response: { acctid: '300000001', payType: 2, payTypeName: '后付费现金', creditLevel: 2, creditLimit: 10000n },
  },
});

export default contract.rows;
