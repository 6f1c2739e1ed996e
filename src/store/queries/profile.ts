// The subscriber's profile (CS-03, VO-02) and status (CS-08), read by SUBSCRBID once the shared
// lookup (handlers/kit/subscriber.ts) has chosen the row of the number. SVCPWD is never read here.
import { defineQuery } from './define.js';

/**
 * CS-03 / VO-02: the profile columns of one subscriber row, with the price plan's name
 * (LEFT JOIN: a plan missing from TAB_PRCPLN gives an empty name, not a missing subscriber).
 */
export const PROFILE_BY_ID = defineQuery({
  name: 'profile.by-subscrbid',
  sql: `SELECT S.SUBSCRBID, S.CUSTID, S.ACCTID, S.SVCNUM, S.NETTYPE, S.STATUS, S.STATUSDATE, S.OPENDATE,
  S.REGION, S.PRCPLN, P.PRCPLNNAME, S.CUSTNAME, S.IDTYPE, S.IDNUM, S.ADDRESS, S.CONTACTNUM, S.POSTCODE,
  S.EMAIL, S.IMSI, S.SIMCARDID, S.CARDNUM
FROM TAB_SUBSCRB S LEFT JOIN TAB_PRCPLN P ON P.PRCPLN = S.PRCPLN
WHERE S.SUBSCRBID = :subscrbid`,
  binds: { subscrbid: 'id' },
  columns: {
    subscrbid: 'id',
    custid: 'id',
    acctid: 'id',
    svcnum: 'text',
    nettype: 'text',
    status: 'int',
    statusdate: 'datetime',
    opendate: 'datetime',
    region: 'text',
    prcpln: 'text',
    prcplnname: 'text?',
    custname: 'text',
    idtype: 'text',
    idnum: 'text',
    address: 'text?',
    contactnum: 'text?',
    postcode: 'text?',
    email: 'text?',
    imsi: 'text?',
    simcardid: 'text?',
    cardnum: 'text?',
  },
});

/** CS-08: the status of one subscriber row and when it last changed. */
export const STATUS_BY_ID = defineQuery({
  name: 'profile.status-by-subscrbid',
  sql: 'SELECT SUBSCRBID, STATUS, STATUSDATE FROM TAB_SUBSCRB WHERE SUBSCRBID = :subscrbid',
  binds: { subscrbid: 'id' },
  columns: { subscrbid: 'id', status: 'int', statusdate: 'datetime' },
});
