// USR_BUSI_RECORD rows written by the acceptance operations (CS-20…26) and by a payment that
// resumes a line (PC-03/04): the business record, and — for business types that need the switch —
// the command in status 5 that the scanner (src/scanner/) claims. Together with the subscriber's
// status change, in the caller's unit of work.
import { defineQuery } from './define.js';

/** The next business serial (SEQ_BUSISN), taken before the insert so the caller knows it. */
export const NEXT_BUSISN = defineQuery({
  name: 'busirec.next-busisn',
  sql: 'SELECT {{nextval SEQ_BUSISN}} AS BUSISN{{dual}}',
  binds: {},
  columns: { busisn: 'id' },
});

export const INSERT_BUSI_RECORD = defineQuery({
  name: 'busirec.insert',
  sql: `INSERT INTO USR_BUSI_RECORD (BUSISN, SUBSCRBID, SVCNUM, BUSITYPE, STATUS, REGION, NETTYPE, IMSI, PARAM, OPERATOR, CREATED)
VALUES (:busisn, :subscrbid, :svcnum, :busitype, :status, :region, :nettype, :imsi, :param, :operator, :created)`,
  binds: {
    busisn: 'id',
    subscrbid: 'id',
    svcnum: 'text',
    busitype: 'int',
    status: 'int',
    region: 'text',
    nettype: 'text',
    imsi: 'text',
    param: 'text',
    operator: 'text',
    created: 'time',
  },
  columns: {},
});

/**
 * The subscriber's status, only from the status the caller read: 0 rows means another unit
 * changed it in between (the caller refuses rather than overwrite a status it did not check).
 */
export const SET_SUBSCRIBER_STATUS = defineQuery({
  name: 'busirec.set-subscriber-status',
  sql: `UPDATE TAB_SUBSCRB SET STATUS = :to, STATUSDATE = :now, OPERATOR = :operator
WHERE SUBSCRBID = :subscrbid AND STATUS = :from`,
  binds: { to: 'int', now: 'time', operator: 'text', subscrbid: 'id', from: 'int' },
  columns: {},
});
