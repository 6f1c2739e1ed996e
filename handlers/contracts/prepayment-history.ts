// Contract of CS-17 prepayment-history (117), VO-09 voip-prepayment-history (209).
// CS-17 prepayment history (预交流水查询) and VO-09 prepayment history by card (IP Phone通过卡号查询
// 预交款缴费记录): every TAB_PAY row of the subscriber since the account was opened ("开户以来所有的
// 交费记录"), paged, newest first; a reversal is a row of its own with a negative amount.
// The wire contract (handlers/contracts/define.ts); the handler is handlers/prepayment-history.ts.
import { char, datetime, money, pageRequest, pagedResponse } from '../../protocol/fields.js';
import { cardnum, idField, payMode, payStatus, svcnum } from '../kit/fields.js';
import { defineContract } from './define.js';

/** A row is 90 bytes: 200 make an 18 KB page. */
export const MAX_PAGE = 200;

const PAYMENT = [
  idField('paysn', 'payment serial (TAB_PAY.PAYSN)'),
  payMode,
  money('amount', { doc: 'fen; a reversal row is negative (the amount it took back)' }),
  datetime('paytime', { doc: 'when it was posted' }),
  char('source', 16, { doc: 'who sent it: the card system id, BANK, or HALL for the service hall' }),
  char('serial', 20, { doc: "the source's transaction serial (流水号)" }),
  payStatus,
  char('operator', 10, { doc: 'operator or terminal' }),
] as const;

const RESPONSE = pagedResponse(PAYMENT, MAX_PAGE);

const DOC_ORDER =
  'Every payment and reversal (TAB_PAY) of the subscriber since the account was opened, newest first: `paytime` descending, then `paysn` descending. ' +
  'A reversed payment keeps its amount and has `payStatus` 2; the reversal is a row of its own, `payStatus` 3, with the negated amount, so the amounts of all rows add up to what was paid in. ' +
  'The rows are those of the subscriber the number belongs to now (a number that came back after cancellation does not show the previous owner\'s payments).';

export const cs17 = defineContract({
  key: 'PREPAYMENT_HISTORY',
  module: import.meta.url,
  request: [...pageRequest, svcnum],
  response: RESPONSE,
  maxPage: MAX_PAGE,
  refusals: ['NO_SUBSCRIBER'],
  doc:
    `${DOC_ORDER} A history: a cancelled number is answered too. ` +
    'The legacy document lists this function under CDMA (`docs/legacy-inventory.md`, CS-17); TAB_PAY is the same for every network, so it is answered for G, C, V and X numbers alike.',
  example: {
    request: { offset: 0, limit: 50, svcnum: '13997000001' },
    response: {
      total: 2,
      items: [
        { paysn: '152', paymode: 15, amount: -5000n, paytime: '20240510101000', source: 'CARDSYS', serial: 'QH000000000000000152', payStatus: 3, operator: 'CARD01' },
        { paysn: '102', paymode: 15, amount: 5000n, paytime: '20240510100000', source: 'CARDSYS', serial: 'QH000000000000000102', payStatus: 2, operator: 'CARD01' },
      ],
    },
  },
});

export const vo09 = defineContract({
  key: 'VOIP_PREPAYMENT_HISTORY',
  module: import.meta.url,
  request: [...pageRequest, cardnum],
  response: RESPONSE,
  maxPage: MAX_PAGE,
  refusals: ['NO_SUBSCRIBER'],
  doc:
    'As CS-17, for the IP Phone (V) subscriber of a card number (TAB_SUBSCRB.CARDNUM). ' +
    `${DOC_ORDER} A history: the card of a cancelled subscriber is answered too; an unknown card is 2001.`,
  example: {
    request: { offset: 0, limit: 50, cardnum: '1790000000000001' },
    response: {
      total: 1,
      items: [{ paysn: '1900', paymode: 1, amount: 10000n, paytime: '20240403153000', source: 'HALL', serial: 'H000000000001900', payStatus: 1, operator: 'XN0001' }],
    },
  },
});

export default [...cs17.rows, ...vo09.rows];
