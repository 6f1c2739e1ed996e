// Payments and reversals (TAB_PAY) read back: CS-17 prepayment history by number, VO-09 by card.
// A subscriber's rows are found by SVCNUM (the IX_PAY_SVCNUM index) and SUBSCRBID together: a
// number that came back after cancellation belongs to a new subscriber, whose history does not
// include the previous owner's payments.
import { defineQuery } from './define.js';

/** CS-17, VO-09: how many TAB_PAY rows (payments and reversals) the subscriber has. */
export const PAY_HISTORY_COUNT = defineQuery({
  name: 'payments.history-count',
  sql: 'SELECT COUNT(*) AS TOTAL FROM TAB_PAY WHERE SVCNUM = :svcnum AND SUBSCRBID = :subscrbid',
  binds: { svcnum: 'text', subscrbid: 'id' },
  columns: { total: 'int' },
});

/** CS-17, VO-09: one page of the subscriber's TAB_PAY rows, newest first (PAYTIME, then PAYSN). */
export const PAY_HISTORY_PAGE = defineQuery({
  name: 'payments.history-page',
  sql: `SELECT PAYSN, PAYMODE, AMOUNT, PAYTIME, SOURCE, SERIAL, STATUS, OPERATOR
FROM TAB_PAY WHERE SVCNUM = :svcnum AND SUBSCRBID = :subscrbid
ORDER BY PAYTIME DESC, PAYSN DESC {{page :off :lim}}`,
  binds: { svcnum: 'text', subscrbid: 'id', off: 'int', lim: 'int' },
  columns: {
    paysn: 'id',
    paymode: 'int',
    amount: 'money',
    paytime: 'datetime',
    source: 'text',
    serial: 'text',
    status: 'int',
    operator: 'text',
  },
});
