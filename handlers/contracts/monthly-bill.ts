// Contract of CS-10 monthly-bill (110), VO-03 voip-monthly-bill (203), C1-01 c1x-monthly-bill (231).
// The monthly bill (月结话费帐单): CS-10 by number, VO-03 for IP Phone by card or phone number,
// C1-01 for CDMA1X. One bill layout, three business types: number → TAB_SUBSCRB.SUBSCRBID →
// TAB_BILLDETAIL rows of the cycle. Also the shared pieces of the IP Phone "by card or phone
// number" functions (VO-03, VO-04) and the current billing cycle (CS-12 and its copies).
// The wire contract (handlers/contracts/define.ts); the handler is handlers/monthly-bill.ts.
import { list, money, text, u16, withDoc, type BodyOf } from '../../protocol/fields.js';
import type { CodeMeaning } from '../../protocol/layout-types.js';
import { FEE_ITEMS } from '../../src/domain/codes.js';
import { billCycle, svcnum, voipBy, voipNumber } from '../kit/fields.js';
import { defineContract } from './define.js';

/** Fee items of TAB_BILLDETAIL / RATING2_REAL_FEE / BILL_RENT_ACCT_DETAIL (schema.ts FEE_ITEMS). */
export const FEE_ITEM_CODES: readonly CodeMeaning[] = Object.freeze(
  Object.values(FEE_ITEMS).map((c) => Object.freeze({ code: c.code, zh: c.zh, en: c.en })),
);
// Written out (not code()) so that the value types are exact: u16 number, char(1) string.
export const feeItem = u16('item', { codes: FEE_ITEM_CODES, doc: 'fee item' });

// ---------------------------------------------------------------------------------------------
// The bill.

/** At most this many items on one bill (TAB_BILLDETAIL has one row per fee item and cycle). */
export const MAX_BILL_ITEMS = 64;

export const billResponse = [
  withDoc(svcnum, 'the number billed (for VO-03 by card: the IP Phone number of the card)'),
  withDoc(billCycle, 'the billing cycle of the bill (帐期), as asked'),
  list(
    'items',
    [
      feeItem,
      text('itemName', 32, { doc: 'the item as printed on the bill (TAB_BILLDETAIL.ITEMNAME)' }),
      money('amount', { doc: 'fen, the discount already included; negative for a discount item' }),
      money('discount', { doc: 'fen of discount included in amount (0 when none)' }),
    ],
    { maxItems: MAX_BILL_ITEMS, doc: `the bill's items by item code, at most ${MAX_BILL_ITEMS}` },
  ),
  money('total', { doc: 'fen: the sum of the items\' amounts (what the cycle costs)' }),
  money('discountTotal', { doc: 'fen: the sum of the items\' discounts (already inside total)' }),
] as const;

const BILL_RULES = `Items are ordered by item code (one row per item: TAB_BILLDETAIL's key is subscriber, cycle, item). \
\`total\` and \`discountTotal\` are the sums of the items, exact in fen. \
The bill is the number's own (TAB_SUBSCRB.SUBSCRBID), not its whole account's. \
A cycle that is not a real YYYYMM (\`202413\`) is 1006. A cycle without a bill answers 2012 \`NO_RECORD\`, \
not an empty bill: the current cycle and later ones are not billed yet (their fees so far are the real-time query's), \
and an earlier cycle may predate the number. \
A cancelled number's bills are still answered (a bill is history; a customer may dispute the last one after cancelling); \
when the number has been given to someone else since, the bills of its current holder are answered.`;

export type BillReply = BodyOf<typeof billResponse>;

const exampleBill = (number: string, items: BillReply['items']): BillReply => ({
  svcnum: number,
  cycle: '202405',
  items,
  total: items.reduce((s, i) => s + i.amount, 0n),
  discountTotal: items.reduce((s, i) => s + i.discount, 0n),
});

export const cs10 = defineContract({
  key: 'MONTHLY_BILL',
  module: import.meta.url,
  request: [svcnum, billCycle],
  response: billResponse,
  refusals: ['NO_SUBSCRIBER', 'NO_RECORD'],
  doc: `The itemised bill (月结帐单) of a number for a closed billing cycle, from TAB_BILLDETAIL. \
Any network's number is answered (VO-03 and C1-01 are the same bill restricted to IP Phone and CDMA1X). ${BILL_RULES}`,
  example: {
    request: { svcnum: '13997000001', cycle: '202405' },
    response: exampleBill('13997000001', [
      { item: 101, itemName: '本地通话费', amount: 3650n, discount: 0n },
      { item: 102, itemName: '长途通话费', amount: 1220n, discount: 0n },
      { item: 201, itemName: '月租费', amount: 5000n, discount: 0n },
    ]),
  },
});

export const vo03 = defineContract({
  key: 'VOIP_MONTHLY_BILL',
  module: import.meta.url,
  request: [voipBy, voipNumber, billCycle],
  response: billResponse,
  refusals: ['NO_SUBSCRIBER', 'NO_RECORD'],
  doc: `The monthly bill of an IP Phone subscriber, as CS-10, found by card number (\`by\` = \`C\`: the IP Phone \
subscriber whose TAB_SUBSCRB.CARDNUM it is) or by its IP Phone number (\`by\` = \`P\`). The reading chosen for VO-03 \
is a bill (section 9: the legacy flow text repeats the detail query; the call detail is VO-08). A number or card \
that is not an IP Phone (V) subscriber's is 2001. ${BILL_RULES}`,
  example: {
    request: { by: 'C', number: '1790000000000001', cycle: '202405' },
    response: exampleBill('097180012345', [
      { item: 106, itemName: 'IP长途费', amount: 2460n, discount: 0n },
      { item: 201, itemName: '月租费', amount: 1000n, discount: 0n },
    ]),
  },
});

export const c101 = defineContract({
  key: 'C1X_MONTHLY_BILL',
  module: import.meta.url,
  request: [svcnum, billCycle],
  response: billResponse,
  refusals: ['NO_SUBSCRIBER', 'NO_RECORD'],
  doc: `The monthly bill of a CDMA1X data-card number, as CS-10; a number of another network is 2001. ${BILL_RULES}`,
  example: {
    request: { svcnum: '13397500001', cycle: '202405' },
    response: exampleBill('13397500001', [
      { item: 105, itemName: '上网费', amount: 8630n, discount: 0n },
      { item: 201, itemName: '月租费', amount: 10000n, discount: 0n },
      { item: 301, itemName: '优惠', amount: -500n, discount: -500n },
    ]),
  },
});

export default [...cs10.rows, ...vo03.rows, ...c101.rows];
