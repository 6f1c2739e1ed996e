// The wire contract of every business function bssgate serves, one module each
// (handlers/contracts/define.ts): what the client, the CLI's `call` and the spec renderer need,
// without the code serving them (handlers/index.ts) and without the store. The same order and
// names as handlers/index.ts; test/handlers/contracts.test.ts checks that both list the same codes.
import type { Layout } from '../../protocol/layout-types.js';
import type { FunctionContract } from '../../src/types.js';
import blacklistCheck from './blacklist-check.js';
import blacklistQuery from './blacklist-query.js';
import creditLevel from './credit-level.js';
import profile from './profile.js';
import puk from './puk.js';
import status from './status.js';
import monthlyDetail from './monthly-detail.js';
import realtimeDetail from './realtime-detail.js';
import voipDetail from './voip-detail.js';
import c1xDataDetail from './c1x-data-detail.js';
import printMonthlyDetail from './print-monthly-detail.js';
import printC1xDetail from './print-c1x-detail.js';
import balance from './balance.js';
import monthlyBill from './monthly-bill.js';
import realtimeFees from './realtime-fees.js';
import connectionCheck from './connection-check.js';
import specialServices from './special-services.js';
import changeRecords from './change-records.js';
import prepaymentHistory from './prepayment-history.js';
import voipCardNumbers from './voip-card-numbers.js';
import voipCardOfNumber from './voip-card-of-number.js';
import voipSameCustomer from './voip-same-customer.js';
import passwordCheck from './password-check.js';
import lockoutClear from './lockout-clear.js';
import payment from './payment.js';
import reversal from './reversal.js';
import cardSubscriberInfo from './card-subscriber-info.js';
import cardBalance from './card-balance.js';
import recentCardPayments from './recent-card-payments.js';
import emergencySuspend from './emergency-suspend.js';
import cancellationReserve from './cancellation-reserve.js';
import cancellationUnreserve from './cancellation-unreserve.js';
import specialServiceChange from './special-service-change.js';
import profileChange from './profile-change.js';
import passwordChange from './password-change.js';
import conditionalResume from './conditional-resume.js';

export const CONTRACTS: readonly FunctionContract[] = Object.freeze([...connectionCheck, ...balance, ...monthlyBill, ...realtimeFees, ...monthlyDetail, ...realtimeDetail, ...voipDetail, ...c1xDataDetail, ...printMonthlyDetail, ...printC1xDetail, ...profile, ...puk, ...status, ...creditLevel, ...blacklistQuery, ...blacklistCheck, ...specialServices, ...changeRecords, ...prepaymentHistory, ...voipCardNumbers, ...voipCardOfNumber, ...voipSameCustomer, ...passwordCheck, ...lockoutClear, ...payment, ...reversal, ...cardSubscriberInfo, ...cardBalance, ...recentCardPayments, ...emergencySuspend, ...cancellationReserve, ...cancellationUnreserve, ...specialServiceChange, ...profileChange, ...passwordChange, ...conditionalResume].sort((a, b) => a.biz - b.biz));

export interface BusinessLayouts {
  readonly request: Layout;
  /** Response fields after the message; sent only when the result is 0. */
  readonly response: Layout;
}

/** Request and response layouts by wire business code, derived from CONTRACTS. */
export const LAYOUTS_BY_CODE: ReadonlyMap<number, BusinessLayouts> = new Map(
  CONTRACTS.map((c) => [c.biz, Object.freeze({ request: c.request, response: c.response })]),
);

/** The contract of a business code, or undefined. */
export function contractFor(code: number): FunctionContract | undefined {
  return CONTRACTS.find((c) => c.biz === code);
}
