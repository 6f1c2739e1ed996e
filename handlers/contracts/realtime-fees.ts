// Contract of CS-12 realtime-totals (112), VO-04 voip-realtime-fees (204), C1-02 c1x-realtime-fees (232), SM-02 sms-realtime-fees (502).
// Real-time fees (实时总帐 / 实时话费): CS-12 by number, VO-04 for IP Phone by card or phone
// number, C1-02 for CDMA1X, SM-02 for the SMS bill-query platform. One reply layout: this
// cycle's usage fees so far (RATING2_REAL_FEE) and rents (BILL_RENT_ACCT_DETAIL) of the number,
// and the account's real-time balance = settled balance − the account's unbilled charges.
// The wire contract (handlers/contracts/define.ts); the handler is handlers/realtime-fees.ts.
import { datetime, list, money, withDoc, type BodyOf } from '../../protocol/fields.js';
import { billCycle, idField, svcnum, voipBy, voipNumber } from '../kit/fields.js';
import { feeItem } from './monthly-bill.js';
import { defineContract } from './define.js';

/** At most this many items per list (each table has one row per subscriber, cycle and item). */
export const MAX_FEE_ITEMS = 64;

export const feeList = <N extends string>(name: N, what: string) =>
  list(name, [feeItem, money('amount', { doc: 'fen so far this cycle' })], { maxItems: MAX_FEE_ITEMS, doc: `${what}, by item code, at most ${MAX_FEE_ITEMS}` });

export const realtimeResponse = [
  withDoc(svcnum, 'the number (for VO-04 by card: the IP Phone number of the card)'),
  withDoc(billCycle, 'the current billing cycle (帐期) the fees belong to'),
  feeList('usage', "the number's usage fees so far (RATING2_REAL_FEE)"),
  money('usageTotal', { doc: 'fen: the sum of usage' }),
  feeList('rents', "the number's monthly rent and special-service fees of the cycle (BILL_RENT_ACCT_DETAIL)"),
  money('rentTotal', { doc: 'fen: the sum of rents' }),
  money('total', { doc: "fen: usageTotal + rentTotal, the number's charges so far this cycle" }),
  datetime('rated', { optional: true, doc: "when the number's fees were last rated (latest UPDATED of its rows); spaces when it has none" }),
  idField('acctid', 'the paying account (TAB_SUBSCRB.ACCTID)'),
  money('balance', { doc: 'fen: settled balance of the account, payments included (ACCT_BALANCE.BALANCE, as CS-14); negative = owed' }),
  money('accountCharges', { doc: "fen: the whole account's usage and rents this cycle (every number it pays for; = total when it pays for this number only)" }),
  money('realtimeBalance', { doc: 'fen: balance − accountCharges, the real-time balance (实时余额); negative = owed' }),
] as const;

export type RealtimeReply = BodyOf<typeof realtimeResponse>;

const RULES = `The current cycle is the gateway clock's month. Rows are those of the number's subscriber (TAB_SUBSCRB.SUBSCRBID): \
the legacy reads RATING2_REAL_FEE and BILL_RENT_ACCT_DETAIL "by service number and cycle"; a number given to a new \
holder does not show the previous holder's fees. Both lists are ordered by item code. A number with no fee rows this \
cycle answers empty lists and zeros (not an error). The real-time balance is the **account's**: the settled balance \
(ACCT_BALANCE) minus the usage and rents of the cycle of every number on the account (\`accountCharges\`), so that a \
number sharing its account with others does not look richer than the account is; for a number alone on its account \
\`realtimeBalance\` = \`balance\` − \`total\`. Money is exact int64 fen. A cancelled number is 2004 (nothing is rated \
for it any more); a suspended one is answered. No ACCT_BALANCE row for the account is 2011.`;

const example = (number: string, usage: { item: number; amount: bigint }[], rents: { item: number; amount: bigint }[], balance: bigint): RealtimeReply => {
  const usageTotal = usage.reduce((s, r) => s + r.amount, 0n);
  const rentTotal = rents.reduce((s, r) => s + r.amount, 0n);
  return {
    svcnum: number,
    cycle: '202406',
    usage,
    usageTotal,
    rents,
    rentTotal,
    total: usageTotal + rentTotal,
    rated: '20240615093000',
    acctid: '300000001',
    balance,
    accountCharges: usageTotal + rentTotal,
    realtimeBalance: balance - usageTotal - rentTotal,
  };
};

export const cs12 = defineContract({
  key: 'REALTIME_TOTALS',
  module: import.meta.url,
  request: [svcnum],
  response: realtimeResponse,
  refusals: ['NO_SUBSCRIBER', 'STATUS_FORBIDS', 'NO_ACCOUNT'],
  doc: `This cycle's fees of a number so far (实时总帐): usage fees and rents, their totals, and the account's settled and \
real-time balance. Any network's number is answered (VO-04, C1-02 and SM-02 are the same answer for IP Phone, CDMA1X \
and the SMS platform). ${RULES}`,
  example: {
    request: { svcnum: '13997000001' },
    response: example('13997000001', [{ item: 101, amount: 2140n }, { item: 104, amount: 380n }], [{ item: 201, amount: 5000n }], 12345n),
  },
});

export const vo04 = defineContract({
  key: 'VOIP_REALTIME_FEES',
  module: import.meta.url,
  request: [voipBy, voipNumber],
  response: realtimeResponse,
  refusals: ['NO_SUBSCRIBER', 'STATUS_FORBIDS', 'NO_ACCOUNT'],
  doc: `The real-time fees of an IP Phone subscriber, as CS-12, found by card number (\`by\` = \`C\`: the IP Phone \
subscriber whose TAB_SUBSCRB.CARDNUM it is) or by its IP Phone number (\`by\` = \`P\`); a number or card that is not an \
IP Phone (V) subscriber's is 2001. ${RULES}`,
  example: {
    request: { by: 'N', number: '097180012345' },
    response: example('097180012345', [{ item: 106, amount: 1260n }], [{ item: 201, amount: 1000n }], 4000n),
  },
});

export const c102 = defineContract({
  key: 'C1X_REALTIME_FEES',
  module: import.meta.url,
  request: [svcnum],
  response: realtimeResponse,
  refusals: ['NO_SUBSCRIBER', 'STATUS_FORBIDS', 'NO_ACCOUNT'],
  doc: `The real-time fees of a CDMA1X data-card number, as CS-12; a number of another network is 2001. ${RULES}`,
  example: {
    request: { svcnum: '13397500001' },
    response: example('13397500001', [{ item: 105, amount: 6420n }], [{ item: 201, amount: 10000n }], 10000n),
  },
});

export const sm02 = defineContract({
  key: 'SMS_REALTIME_FEES',
  module: import.meta.url,
  request: [svcnum],
  response: realtimeResponse,
  refusals: ['NO_SUBSCRIBER', 'STATUS_FORBIDS', 'NO_ACCOUNT'],
  doc: `The SMS bill-query platform's real-time fee query (101566 texts the answer to the subscriber): the same \
answer as CS-12, for any network's number. The platform verifies the subscriber first (SM-01); this query carries no \
password. ${RULES}`,
  example: {
    request: { svcnum: '13997000001' },
    response: example('13997000001', [{ item: 101, amount: 2140n }, { item: 104, amount: 380n }], [{ item: 201, amount: 5000n }], 12345n),
  },
});

export default [...cs12.rows, ...vo04.rows, ...c102.rows, ...sm02.rows];
