// IP Phone cards and their numbers (VO-05, VO-06, VO-07): TAB_VOIPSUBSCRB bindings, and the
// TAB_SUBSCRB numbers of a card (CARDNUM) or of a customer (CUSTID). Cancelled subscribers
// (STATUS 5) no longer hold a card.
import { defineQuery } from './define.js';

/**
 * VO-05: the live numbers of a card (TAB_SUBSCRB.CARDNUM): the card's own IP Phone (V) number
 * first, then the others by number.
 */
export const CARD_NUMBERS = defineQuery({
  name: 'voip.card-numbers',
  sql: `SELECT SVCNUM, NETTYPE, STATUS FROM TAB_SUBSCRB WHERE CARDNUM = :cardnum AND STATUS <> 5
ORDER BY CASE WHEN NETTYPE = 'V' THEN 0 ELSE 1 END, SVCNUM, SUBSCRBID {{limit :n}}`,
  binds: { cardnum: 'text', n: 'int' },
  columns: { svcnum: 'text', nettype: 'text', status: 'int' },
});

/**
 * VO-06, VO-07: the cards a phone number is bound to (TAB_VOIPSUBSCRB.BINDNUM), whose IP Phone
 * subscriber is not cancelled, in order of binding (BINDDATE, then CARDNUM).
 */
export const CARDS_OF_NUMBER = defineQuery({
  name: 'voip.cards-of-number',
  sql: `SELECT v.CARDNUM, v.USERNAME, v.BINDDATE, v.CUSTID, s.SVCNUM, s.STATUS
FROM TAB_VOIPSUBSCRB v JOIN TAB_SUBSCRB s ON s.SUBSCRBID = v.SUBSCRBID
WHERE v.BINDNUM = :bindnum AND s.STATUS <> 5
ORDER BY v.BINDDATE, v.CARDNUM {{limit :n}}`,
  binds: { bindnum: 'text', n: 'int' },
  columns: { cardnum: 'text', username: 'text', binddate: 'datetime', custid: 'id', svcnum: 'text', status: 'int' },
});

/** VO-07: how many TAB_SUBSCRB numbers a customer has (cancelled ones included). */
export const CUSTOMER_NUMBER_COUNT = defineQuery({
  name: 'voip.customer-number-count',
  sql: 'SELECT COUNT(*) AS TOTAL FROM TAB_SUBSCRB WHERE CUSTID = :custid',
  binds: { custid: 'id' },
  columns: { total: 'int' },
});

/** VO-07: a customer's numbers: live ones first, then cancelled ones; each in order of opening. */
export const CUSTOMER_NUMBERS = defineQuery({
  name: 'voip.customer-numbers',
  sql: `SELECT SVCNUM, NETTYPE, STATUS, CARDNUM FROM TAB_SUBSCRB WHERE CUSTID = :custid
ORDER BY CASE WHEN STATUS = 5 THEN 1 ELSE 0 END, OPENDATE, SUBSCRBID {{limit :n}}`,
  binds: { custid: 'id', n: 'int' },
  columns: { svcnum: 'text', nettype: 'text', status: 'int', cardnum: 'text?' },
});
