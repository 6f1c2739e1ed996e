// Call detail from the monthly ticket tables (TICKET_<KIND>_yyyymm): voice and SMS merged
// (CS-11, CS-13, PR-02), CDMA1X data sessions (C1-03, PR-03) and IP Phone calls (VO-08). Each
// list has a page query and a count query over the same parts; the month is a parameter of the
// call and a month without tables has no records (define.ts).
//
// Order: by start time, then a tie-breaker over every other column of the item, so that rows the
// order cannot tell apart are identical on the wire (ticket tables have no key: two such rows are
// duplicates, and either order gives the same pages).
//
// The page queries put ORDER BY and the page on the compound SELECT itself (`{{parts}} ORDER BY …`),
// not on a derived table over it. SQLite then reads each part from its (SVCNUM, STARTTIME) index
// in time order and merges them (MERGE (UNION ALL)), sorting only records that start in the same
// second and stopping after offset + limit records: 200-record pages of a 3,000-record month took
// about a third less time than with a derived table sorted whole (PostgreSQL: about a tenth
// less; it sorts the union, top-N). A compound ORDER BY may name only result columns (SQLite,
// PostgreSQL and Oracle agree), so there is no NULL left to sort: a missing code or area is
// selected as ' ' (a space, which Oracle does not turn into NULL; the wire pads it to spaces
// anyway, and it sorts before any digit). That also keeps away from NULLS FIRST/LAST, whose
// default differs between the three.
// Table aliases without AS: Oracle refuses AS before a table alias.
import { defineTicketQuery } from './define.js';

// --- CS-11, CS-13, PR-02: voice (TICKET_GSMCDMA) and SMS (TICKET_SMS) of a number ----------------

const CALL_PARTS = {
  GSMCDMA: `SELECT 'V' AS kind, CALLTYPE AS ctype, OTHERNUM AS othernum, STARTTIME AS starttime, DURATION AS duration,
  ROAMTYPE AS roamtype, LONGTYPE AS longtype, COALESCE(VISITAREA, ' ') AS visitarea, ' ' AS spcode,
  BASEFEE AS basefee, LONGFEE AS longfee, TOTALFEE AS totalfee
FROM {{table}} WHERE SVCNUM = :svcnum`,
  // SMS: no duration, no roaming or long-distance code; its one FEE is the base and the total.
  SMS: `SELECT 'S' AS kind, SMSTYPE AS ctype, OTHERNUM AS othernum, STARTTIME AS starttime, 0 AS duration,
  ' ' AS roamtype, ' ' AS longtype, ' ' AS visitarea, COALESCE(SPCODE, ' ') AS spcode,
  FEE AS basefee, 0 AS longfee, FEE AS totalfee
FROM {{table}} WHERE SVCNUM = :svcnum`,
} as const;

/** CS-11 / CS-13 / PR-02: one page of a number's voice and SMS records of a month, merged in time order. */
export const CALL_DETAIL_PAGE = defineTicketQuery({
  name: 'tickets.call-detail-page',
  parts: CALL_PARTS,
  // Same second: SMS ('S') before voice ('V'), then the other fields.
  sql: `{{parts}}
ORDER BY starttime, kind, ctype, othernum, duration, totalfee, basefee, longfee, roamtype, longtype, visitarea, spcode
{{page :offset :limit}}`,
  binds: { svcnum: 'text', offset: 'int', limit: 'int' },
  columns: {
    kind: 'text',
    ctype: 'text',
    othernum: 'text',
    starttime: 'datetime',
    duration: 'int',
    roamtype: 'text',
    longtype: 'text',
    visitarea: 'text',
    spcode: 'text',
    basefee: 'money',
    longfee: 'money',
    totalfee: 'money',
  },
});

/** CS-11 / CS-13 / PR-02: how many voice and SMS records a number has in a month. */
export const CALL_DETAIL_COUNT = defineTicketQuery({
  name: 'tickets.call-detail-count',
  parts: {
    GSMCDMA: 'SELECT COUNT(*) AS cnt FROM {{table}} WHERE SVCNUM = :svcnum',
    SMS: 'SELECT COUNT(*) AS cnt FROM {{table}} WHERE SVCNUM = :svcnum',
  },
  sql: 'SELECT SUM(cnt) AS cnt FROM ({{parts}}) t',
  binds: { svcnum: 'text' },
  columns: { cnt: 'int' },
});

// --- C1-03, PR-03: CDMA1X data sessions (TICKET_CDMA1X) of a number -----------------------------

/** C1-03 / PR-03: one page of a number's data sessions of a month, in time order. */
export const DATA_DETAIL_PAGE = defineTicketQuery({
  name: 'tickets.data-detail-page',
  parts: {
    CDMA1X: `SELECT STARTTIME AS starttime, DURATION AS duration, UPVOLUME AS upvolume, DOWNVOLUME AS downvolume,
  APN AS apn, COALESCE(VISITAREA, ' ') AS visitarea, FEE AS fee
FROM {{table}} WHERE SVCNUM = :svcnum`,
  },
  sql: `{{parts}}
ORDER BY starttime, duration, upvolume, downvolume, apn, fee, visitarea
{{page :offset :limit}}`,
  binds: { svcnum: 'text', offset: 'int', limit: 'int' },
  // Volumes are byte counts (bigint columns), not money: read as safe integers.
  columns: { starttime: 'datetime', duration: 'int', upvolume: 'int', downvolume: 'int', apn: 'text', visitarea: 'text', fee: 'money' },
});

/** C1-03 / PR-03: how many data sessions a number has in a month. */
export const DATA_DETAIL_COUNT = defineTicketQuery({
  name: 'tickets.data-detail-count',
  parts: { CDMA1X: 'SELECT COUNT(*) AS cnt FROM {{table}} WHERE SVCNUM = :svcnum' },
  sql: 'SELECT SUM(cnt) AS cnt FROM ({{parts}}) t',
  binds: { svcnum: 'text' },
  columns: { cnt: 'int' },
});

// --- VO-08: IP Phone calls (TICKET_163) of a card or of a calling number ------------------------
// The legacy text also names TICKET_193_yyyymm: 193 calls are the same IP-call family, and this
// schema keeps them all in TICKET_163 (src/store/schema.ts has no 193 kind). One query pair per
// key, each on its own index: (CARDNUM, STARTTIME) and (SVCNUM, STARTTIME).

function voipDetail<const K extends 'CARDNUM' | 'SVCNUM'>(key: K, name: string) {
  const page = defineTicketQuery({
    name: `tickets.voip-detail-page-${name}`,
    parts: {
      '163': `SELECT CARDNUM AS cardnum, SVCNUM AS svcnum, OTHERNUM AS othernum, STARTTIME AS starttime,
  DURATION AS duration, LONGTYPE AS longtype, FEE AS fee
FROM {{table}} WHERE ${key} = :num`,
    },
    sql: `{{parts}}
ORDER BY starttime, svcnum, othernum, duration, fee, longtype, cardnum
{{page :offset :limit}}`,
    binds: { num: 'text', offset: 'int', limit: 'int' },
    columns: { cardnum: 'text', svcnum: 'text', othernum: 'text', starttime: 'datetime', duration: 'int', longtype: 'text', fee: 'money' },
  });
  const count = defineTicketQuery({
    name: `tickets.voip-detail-count-${name}`,
    parts: { '163': `SELECT COUNT(*) AS cnt FROM {{table}} WHERE ${key} = :num` },
    sql: 'SELECT SUM(cnt) AS cnt FROM ({{parts}}) t',
    binds: { num: 'text' },
    columns: { cnt: 'int' },
  });
  return { page, count };
}

/** VO-08 by card (by=C): every IP Phone call charged to the card, in time order. */
export const VOIP_DETAIL_BY_CARD = voipDetail('CARDNUM', 'by-card');
/** VO-08 by bound number (by=N): the IP Phone calls made from that number, with any card, in time order. */
export const VOIP_DETAIL_BY_NUMBER = voipDetail('SVCNUM', 'by-number');
