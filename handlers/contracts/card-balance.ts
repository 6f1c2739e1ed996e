// Contract of PC-05 card-balance (305).
// PC-05 balance inquiry for the line (话费余额查询), asked by the card system for its customer-service
// line: "this month's balance, usage fees, on/off status and the amount needed to be switched back
// on" (当月联通账户余额、通话费及开机状态和开机金额). The figures are the real-time balance kit's, the
// same as CS-12 and the resume rule of PC-03, so the amount quoted is exactly what a payment needs.
// The wire contract (handlers/contracts/define.ts); the handler is handlers/card-balance.ts.
import { code, money, withDoc } from '../../protocol/fields.js';
import type { CodeMeaning } from '../../protocol/layout-types.js';
import { SUBSCRIBER_STATUS } from '../../src/domain/codes.js';
import { billCycle, idField, subscriberStatus, svcnum } from '../kit/fields.js';
import { defineContract } from './define.js';

export const POWER_CODES: readonly (CodeMeaning & { code: string })[] = Object.freeze([
  Object.freeze({ code: '1', zh: '开机', en: 'on: the line works (status 1)' }),
  Object.freeze({ code: '0', zh: '停机', en: 'off: suspended, arrears-suspended or reserved for cancellation (status 2, 3, 4)' }),
]);

/**
 * The smallest payment that switches the line back on, fen: an arrears-suspended line (3) is
 * resumed by the payment that lifts the real-time balance above zero (PC-03), and never by less
 * than [card] min_amount. 0 when the line is on, or when no payment switches it on (2, 4).
 */
export function resumeAmount(status: number, realtime: bigint, minAmount: bigint): bigint {
  if (status !== SUBSCRIBER_STATUS.ARREARS_SUSPENDED.code) return 0n;
  const needed = 1n - realtime;
  return needed > minAmount ? needed : minAmount;
}

export const contract = defineContract({
  key: 'CARD_BALANCE',
  module: import.meta.url,
  request: [svcnum],
  response: [
    idField('acctid', 'the paying account (TAB_SUBSCRB.ACCTID)'),
    withDoc(billCycle, 'the current billing cycle the fees belong to'),
    money('balance', { doc: 'fen: settled balance (ACCT_BALANCE.BALANCE); negative = owed' }),
    money('usage', { doc: "fen: this cycle's unbilled usage fees of the account so far (RATING2_REAL_FEE, 通话费)" }),
    money('rents', { doc: "fen: this cycle's rents and special-service fees of the account (BILL_RENT_ACCT_DETAIL)" }),
    money('realtimeBalance', { doc: 'fen: balance − usage − rents (实时余额, as CS-12)' }),
    subscriberStatus,
    code('power', POWER_CODES, { doc: 'on/off status (开机状态)' }),
    money('resumeAmount', { doc: 'fen: the smallest payment that switches the line back on (开机金额); 0 when it is on or a payment cannot switch it on' }),
  ],
  refusals: ['NO_SUBSCRIBER', 'STATUS_FORBIDS', 'NO_ACCOUNT'],
  doc: `The line's money and on/off state for the card system's customer-service line (话费余额查询). \`usage\` and \`rents\` \
are the unbilled fees of this cycle of the **account** (every number it pays for), as CS-12's \`accountCharges\`, and \
\`realtimeBalance\` = \`balance\` − \`usage\` − \`rents\`. \`power\` is 1 only for an active line (status 1). \
\`resumeAmount\` is what a PC-03 payment must be to switch an arrears-suspended line (3) back on: the payment that lifts \
the real-time balance above zero, i.e. 1 − \`realtimeBalance\` fen, and at least [card] min_amount; 0 when the line is \
on, and 0 for a line suspended on request (2) or reserved for cancellation (4), which a payment does not switch on (the \
service hall does: CS-23, CS-26). A cancelled number is 2004; no ACCT_BALANCE row is 2011.`,
  example: {
    request: { svcnum: '13997000002' },
    response: { acctid: '300000002', cycle: '202406', balance: -2350n, usage: 1260n, rents: 1000n, realtimeBalance: -4610n, status: 3, power: '0', resumeAmount: 4611n },
  },
});

export default contract.rows;
