// Business records and special services of a subscriber: USR_BUSI_RECORD (CS-05 change records,
// VO-11 command execution records), TAB_SRVG and USR_BUSI_SRVG (CS-04 special services and their
// changes, VO-10 by card). All by SUBSCRBID: a number that came back after cancellation is a
// new subscriber, and the previous owner's records are not shown under it.
import { defineQuery } from './define.js';

/** CS-05, VO-11: how many business records the subscriber has (the `total` of the pages). */
export const BUSI_RECORD_COUNT = defineQuery({
  name: 'records.busi-count',
  sql: 'SELECT COUNT(*) AS TOTAL FROM USR_BUSI_RECORD WHERE SUBSCRBID = :subscrbid',
  binds: { subscrbid: 'id' },
  columns: { total: 'int' },
});

/** CS-05, VO-11: one page of the subscriber's business records, newest first (CREATED, then BUSISN). */
export const BUSI_RECORD_PAGE = defineQuery({
  name: 'records.busi-page',
  sql: `SELECT BUSISN, BUSITYPE, STATUS, PARAM, OPERATOR, CREATED, EXECUTED, RESULT
FROM USR_BUSI_RECORD WHERE SUBSCRBID = :subscrbid
ORDER BY CREATED DESC, BUSISN DESC {{page :off :lim}}`,
  binds: { subscrbid: 'id', off: 'int', lim: 'int' },
  columns: {
    busisn: 'id',
    busitype: 'int',
    status: 'int',
    param: 'text?',
    operator: 'text',
    created: 'datetime',
    executed: 'datetime?',
    result: 'text?',
  },
});

/** CS-04, VO-10: the subscriber's special services (on and off), in order of start, then code. */
export const SRVG_OF_SUBSCRIBER = defineQuery({
  name: 'records.srvg',
  sql: `SELECT SRVGID, PARAM, STATUS, STARTDATE, ENDDATE FROM TAB_SRVG WHERE SUBSCRBID = :subscrbid
ORDER BY STARTDATE, SRVGID {{limit :n}}`,
  binds: { subscrbid: 'id', n: 'int' },
  columns: { srvgid: 'text', param: 'text?', status: 'int', startdate: 'datetime', enddate: 'datetime?' },
});

/** CS-04, VO-10: how many special-service changes the subscriber has. */
export const SRVG_CHANGE_COUNT = defineQuery({
  name: 'records.srvg-change-count',
  sql: 'SELECT COUNT(*) AS TOTAL FROM USR_BUSI_SRVG WHERE SUBSCRBID = :subscrbid',
  binds: { subscrbid: 'id' },
  columns: { total: 'int' },
});

/** CS-04, VO-10: the newest special-service changes, newest first (CREATED, BUSISN, then SRVGID). */
export const SRVG_CHANGES = defineQuery({
  name: 'records.srvg-changes',
  sql: `SELECT BUSISN, SRVGID, ACTION, PARAM, OPERATOR, CREATED FROM USR_BUSI_SRVG WHERE SUBSCRBID = :subscrbid
ORDER BY CREATED DESC, BUSISN DESC, SRVGID {{limit :n}}`,
  binds: { subscrbid: 'id', n: 'int' },
  columns: { busisn: 'id', srvgid: 'text', action: 'text', param: 'text?', operator: 'text', created: 'datetime' },
});
