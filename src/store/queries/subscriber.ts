// The subscriber of a service number: the shared lookup of every function that starts from a
// number (one definition, shared: docs/handlers.md "Shared lookups"). A number can come back after cancellation, so
// TAB_SUBSCRB may hold several rows for it: the live one (STATUS <> 5) wins, then the newest.
import { defineQuery } from './define.js';

const SUBSCRIBER_COLUMNS = {
  subscrbid: 'id',
  svcnum: 'text',
  nettype: 'text',
  status: 'int',
  custid: 'id',
  acctid: 'id',
  imsi: 'text?',
  simcardid: 'text?',
  cardnum: 'text?',
  region: 'text',
  prcpln: 'text',
} as const;

const SELECT = `SELECT SUBSCRBID, SVCNUM, NETTYPE, STATUS, CUSTID, ACCTID, IMSI, SIMCARDID, CARDNUM, REGION, PRCPLN
FROM TAB_SUBSCRB`;

export const SUBSCRIBER_BY_NUMBER = defineQuery({
  name: 'subscriber.by-number',
  sql: `${SELECT} WHERE SVCNUM = :svcnum
ORDER BY CASE WHEN STATUS = 5 THEN 1 ELSE 0 END, OPENDATE DESC {{limit 1}}`,
  binds: { svcnum: 'text' },
  columns: SUBSCRIBER_COLUMNS,
});

/** VO-*: the IP Phone (V) subscriber of a card number (TAB_SUBSCRB.CARDNUM). */
export const VOIP_SUBSCRIBER_BY_CARD = defineQuery({
  name: 'subscriber.voip-by-card',
  sql: `${SELECT} WHERE CARDNUM = :cardnum AND NETTYPE = 'V'
ORDER BY CASE WHEN STATUS = 5 THEN 1 ELSE 0 END, OPENDATE DESC {{limit 1}}`,
  binds: { cardnum: 'text' },
  columns: SUBSCRIBER_COLUMNS,
});

/** PR-04: the no-print rows that apply to a plan in a region (the region itself or Z, province-wide). */
export const NOPRINT_RULE = defineQuery({
  name: 'subscriber.noprint-rule',
  sql: `SELECT PRCPLN, REGION FROM TAB_PRCPLN_NOPRINT WHERE PRCPLN = :prcpln AND (REGION = :region OR REGION = 'Z') {{limit 1}}`,
  binds: { prcpln: 'text', region: 'text' },
  columns: { prcpln: 'text', region: 'text' },
});

/** The banner of `serve` (src/banner.ts): the demo's first subscriber's stored password, when its row is there. */
export const DEMO_SUBSCRIBER = defineQuery({
  name: 'banner.demo-subscriber',
  sql: 'SELECT SVCPWD FROM TAB_SUBSCRB WHERE SVCNUM = :svcnum AND STATUS <> 5',
  binds: { svcnum: 'text' },
  columns: { svcpwd: 'text?' },
});
