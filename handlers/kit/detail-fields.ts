// The layouts of the call-detail items (CS-11 / CS-13 / PR-02 voice and SMS merged, C1-03 / PR-03
// CDMA1X data sessions, VO-08 IP Phone calls), their page sizes and the ordering rules the spec
// states. Items are fixed width (no free text), so a page's size is known (a 200-record
// call-detail page is 17,000 bytes), and the page sizes keep the largest reply well inside the
// default max_frame of 65536 bytes (test/handlers/registry.test.ts). The reads are in detail.ts.
import { char, code, datetime, money, u32, type BodyOf } from '../../protocol/fields.js';
import type { NetType } from '../../src/domain/codes.js';

/** Voice and SMS records belong to mobile numbers: CS-11, CS-13 and PR-02 serve G and C subscribers. */
export const CALL_NETS: readonly NetType[] = ['G', 'C'];
/** C1-03 / PR-03 serve CDMA1X data cards only. */
export const DATA_NETS: readonly NetType[] = ['X'];

const DETAIL_ORDER_NOTE =
  'Records are ordered by start time; records that start in the same second are ordered by the remaining item fields (the tie-breaker named below), so the order is total and paging with `offset` neither skips nor repeats a record.';

/** The no-tables rule, said once for every detail query. */
export const NO_TABLES_NOTE =
  'A month whose ticket tables do not exist (long ago, or not started yet) has no records: `total` 0, an empty list, result 0 — never an error.';

// ---------------------------------------------------------------------------------------------
// CS-11, CS-13, PR-02: voice (TICKET_GSMCDMA) and SMS (TICKET_SMS) merged in one list.

export const RECORD_KINDS = [
  { code: 'V', zh: '语音', en: 'voice call (TICKET_GSMCDMA)' },
  { code: 'S', zh: '短信', en: 'short message (TICKET_SMS)' },
] as const;

export const CALL_ITEM = [
  code('kind', RECORD_KINDS, { doc: 'record kind' }),
  char('type', 2, { doc: 'voice (CALLTYPE): 01 originating, 02 terminating, 03 forwarded; SMS (SMSTYPE): 01 sent (MO), 02 received (MT)' }),
  char('othernum', 24, { doc: 'the other party; for value-added messages the service access code' }),
  datetime('start', { doc: 'start of the call, or when the message was sent or received' }),
  u32('duration', { doc: 'seconds; 0 for SMS' }),
  char('roamtype', 1, { doc: 'voice: 0 local, 1 in-province, 2 national, 3 international roaming; space for SMS' }),
  char('longtype', 1, { doc: 'voice: 0 local, 1 in-province, 2 national, 3 international, 4 IP long distance; space for SMS' }),
  char('visitarea', 4, { doc: 'voice: area code where the call was made; spaces when unknown, and for SMS' }),
  char('spcode', 10, { doc: 'SMS: service provider code of a value-added message; spaces otherwise' }),
  money('basefee', { doc: 'fen: voice base (airtime and roaming) fee; SMS the message fee' }),
  money('longfee', { doc: 'fen: voice long-distance fee; 0 for SMS' }),
  money('fee', { doc: 'fen: total of the record (basefee + longfee)' }),
] as const;
export type CallItem = BodyOf<typeof CALL_ITEM>;

/** 85 bytes a record: 500 records are 42,500 bytes. */
export const CALL_MAX_PAGE = 500;

export const CALL_ORDER_DOC = `${DETAIL_ORDER_NOTE} Tie-breaker: SMS before voice (\`kind\` S before V), then \`type\`, \`othernum\`, \`duration\`, \`fee\`, \`basefee\`, \`longfee\`, \`roamtype\`, \`longtype\`, \`visitarea\`, \`spcode\` (blank before any value). Ticket rows carry no key: two records equal in every one of these fields are identical on the wire, whichever comes first.`;

// ---------------------------------------------------------------------------------------------
// C1-03, PR-03: CDMA1X data sessions (TICKET_CDMA1X).

export const DATA_ITEM = [
  datetime('start', { doc: 'session start' }),
  u32('duration', { doc: 'seconds' }),
  // Bytes, not money. At CDMA1X's 153.6 kbit/s a session needs more than 60 hours to pass 4 GiB.
  u32('upvolume', { doc: 'bytes sent' }),
  u32('downvolume', { doc: 'bytes received' }),
  char('apn', 32, { doc: 'access point / NAI realm (ctnet, ctwap, …)' }),
  char('visitarea', 4, { doc: 'area code where the session was made; spaces when unknown' }),
  money('fee', { doc: 'fen' }),
] as const;
export type DataItem = BodyOf<typeof DATA_ITEM>;

/** 70 bytes a record: 500 records are 35,000 bytes. */
export const DATA_MAX_PAGE = 500;

export const DATA_ORDER_DOC = `${DETAIL_ORDER_NOTE} Tie-breaker: \`duration\`, \`upvolume\`, \`downvolume\`, \`apn\`, \`fee\`, \`visitarea\` (blank first).`;

// ---------------------------------------------------------------------------------------------
// VO-08: IP Phone calls (TICKET_163).

/** VO-08's `by` (the shared voipBy field): C card number, N bound phone number. */
export type VoipKey = 'C' | 'N';

export const VOIP_ITEM = [
  char('cardnum', 20, { doc: 'the IP Phone card charged' }),
  char('svcnum', 20, { doc: 'calling (bound) number' }),
  char('othernum', 24, { doc: 'called number' }),
  datetime('start', { doc: 'call start' }),
  u32('duration', { doc: 'seconds' }),
  char('longtype', 1, { doc: '1 in-province, 2 national, 3 international' }),
  money('fee', { doc: 'fen' }),
] as const;
export type VoipItem = BodyOf<typeof VOIP_ITEM>;

/** 91 bytes a record: 500 records are 45,500 bytes. */
export const VOIP_MAX_PAGE = 500;

export const VOIP_ORDER_DOC = `${DETAIL_ORDER_NOTE} Tie-breaker: \`svcnum\`, \`othernum\`, \`duration\`, \`fee\`, \`longtype\`, \`cardnum\`.`;
