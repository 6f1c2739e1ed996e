// The acceptance operations' own reads and writes (CS-20 profile change, CS-22 password change,
// CS-24 special-service change), each run in the write function's unit of work (ctx.tx). The
// business record, the status change and the switch command are src/store/queries/business-record.ts.
import { defineQuery } from './define.js';

/** CS-20: the changeable profile fields of one subscriber, read before the change to record what differs. */
export const PROFILE_CONTACT = defineQuery({
  name: 'acceptance.profile-contact',
  sql: 'SELECT ADDRESS, CONTACTNUM, POSTCODE, EMAIL FROM TAB_SUBSCRB WHERE SUBSCRBID = :subscrbid {{forUpdate}}',
  binds: { subscrbid: 'id' },
  columns: { address: 'text?', contactnum: 'text?', postcode: 'text?', email: 'text?' },
});

/**
 * CS-20: the four changeable fields as a whole (the handler computed each one's new value: the
 * old one when unchanged). '' is stored as NULL (NULLIF), so a cleared field reads as none on
 * every back end (Oracle's '' is NULL anyway).
 */
export const PROFILE_UPDATE = defineQuery({
  name: 'acceptance.profile-update',
  sql: `UPDATE TAB_SUBSCRB SET ADDRESS = NULLIF(:address, ''), CONTACTNUM = NULLIF(:contactnum, ''),
  POSTCODE = NULLIF(:postcode, ''), EMAIL = NULLIF(:email, ''), OPERATOR = :operator
WHERE SUBSCRBID = :subscrbid`,
  binds: { address: 'text', contactnum: 'text', postcode: 'text', email: 'text', operator: 'text', subscrbid: 'id' },
  columns: {},
});

/** CS-22: the new service password in its stored form (plain text or scrypt$…, src/store/password.ts). */
export const PASSWORD_UPDATE = defineQuery({
  name: 'acceptance.password-update',
  sql: 'UPDATE TAB_SUBSCRB SET SVCPWD = :svcpwd, OPERATOR = :operator WHERE SUBSCRBID = :subscrbid',
  binds: { svcpwd: 'text', operator: 'text', subscrbid: 'id' },
  columns: {},
});

/** CS-24: one special service of a subscriber (on or off), its row locked for the change. */
export const SRVG_ONE = defineQuery({
  name: 'acceptance.srvg-one',
  sql: 'SELECT SRVGID, PARAM, STATUS FROM TAB_SRVG WHERE SUBSCRBID = :subscrbid AND SRVGID = :srvgid {{forUpdate}}',
  binds: { subscrbid: 'id', srvgid: 'text' },
  columns: { srvgid: 'text', param: 'text?', status: 'int' },
});

/** CS-24 add, first time: the service's row. Two adds at once: the second meets the primary key. */
export const SRVG_INSERT = defineQuery({
  name: 'acceptance.srvg-insert',
  sql: `INSERT INTO TAB_SRVG (SUBSCRBID, SRVGID, PARAM, STATUS, STARTDATE, ENDDATE)
VALUES (:subscrbid, :srvgid, NULLIF(:param, ''), 1, :now, NULL)`,
  binds: { subscrbid: 'id', srvgid: 'text', param: 'text', now: 'time' },
  columns: {},
});

/** CS-24 add of a service that was switched off before: on again, a new start, no end. */
export const SRVG_SWITCH_ON = defineQuery({
  name: 'acceptance.srvg-on',
  sql: `UPDATE TAB_SRVG SET STATUS = 1, PARAM = NULLIF(:param, ''), STARTDATE = :now, ENDDATE = NULL
WHERE SUBSCRBID = :subscrbid AND SRVGID = :srvgid AND STATUS = 0`,
  binds: { subscrbid: 'id', srvgid: 'text', param: 'text', now: 'time' },
  columns: {},
});

/** CS-24 remove: the row stays (CS-04 lists services on and off), off from now. */
export const SRVG_SWITCH_OFF = defineQuery({
  name: 'acceptance.srvg-off',
  sql: `UPDATE TAB_SRVG SET STATUS = 0, ENDDATE = :now
WHERE SUBSCRBID = :subscrbid AND SRVGID = :srvgid AND STATUS = 1`,
  binds: { subscrbid: 'id', srvgid: 'text', now: 'time' },
  columns: {},
});

/** CS-24 modify: the parameter of a service that is on (e.g. a new forwarding number). */
export const SRVG_SET_PARAM = defineQuery({
  name: 'acceptance.srvg-param',
  sql: `UPDATE TAB_SRVG SET PARAM = NULLIF(:param, '')
WHERE SUBSCRBID = :subscrbid AND SRVGID = :srvgid AND STATUS = 1`,
  binds: { subscrbid: 'id', srvgid: 'text', param: 'text' },
  columns: {},
});

/** CS-24: the change itself (CS-04 lists it), under the business record's BUSISN. */
export const INSERT_BUSI_SRVG = defineQuery({
  name: 'acceptance.busi-srvg-insert',
  sql: `INSERT INTO USR_BUSI_SRVG (BUSISN, SUBSCRBID, SVCNUM, SRVGID, ACTION, PARAM, OPERATOR, CREATED)
VALUES (:busisn, :subscrbid, :svcnum, :srvgid, :action, NULLIF(:param, ''), :operator, :created)`,
  binds: { busisn: 'id', subscrbid: 'id', svcnum: 'text', srvgid: 'text', action: 'text', param: 'text', operator: 'text', created: 'time' },
  columns: {},
});
