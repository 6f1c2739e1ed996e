// Shared field definitions and code fields of the handlers: one definition each for the service
// number, the billing cycle, the ID-document number, the SIM number and the service password,
// and the code fields tied to the business code tables (src/domain/codes.ts), whose meanings the
// spec lists. Handlers take their layouts' common fields from here, never restate them.
import { char, code, cycle, withDoc } from '../../protocol/fields.js';
import type { CodeMeaning } from '../../protocol/layout-types.js';
import { BUSI_STATUS, BUSI_TYPES, NET_TYPES, PAY_MODES, PAY_STATUS, SUBSCRIBER_STATUS } from '../../src/domain/codes.js';

/** The meanings of a schema code table, for a code field (the spec lists them). */
export const meanings = <C extends string | number>(t: Record<string, { code: C; zh: string; en: string }>): readonly (CodeMeaning & { code: C })[] =>
  Object.freeze(Object.values(t).map((c) => Object.freeze({ code: c.code, zh: c.zh, en: c.en })));

/** Service number (业务号码): MSISDN, VOIP number or data-card number; TAB_SUBSCRB.SVCNUM is 20 bytes. */
export const svcnum = char('svcnum', 20, { pattern: /^[0-9]{3,20}$/, doc: 'service number (业务号码), digits' });
/** IP Phone card number (TAB_SUBSCRB.CARDNUM / TAB_VOIPSUBSCRB.CARDNUM). */
export const cardnum = char('cardnum', 20, { pattern: /^[0-9]{4,20}$/, doc: 'IP Phone card number, digits' });
/** Billing cycle (帐期) YYYYMM. */
export const billCycle = cycle('cycle', { doc: 'billing cycle (帐期) YYYYMM' });
/** ID-document number (证件号码), as on the document: 18-character resident ID, passport number…. */
export const idNum = char('idNum', 32, { pattern: /^[0-9A-Za-z]{1,32}$/, doc: 'ID-document number (证件号码): letters and digits' });
/** SIM/UIM card number (ICCID). */
export const simNum = char('simcardid', 20, { pattern: /^[0-9A-Fa-f]{10,20}$/, doc: 'SIM/UIM card number (ICCID)' });
/** The subscriber's service password (服务密码): secret, never logged. */
export const password = char('password', 16, { secret: true, doc: 'service password (服务密码)' });

/** TAB_SUBSCRB.STATUS. */
export const STATUS_CODES = meanings(SUBSCRIBER_STATUS);
export const subscriberStatus = code('status', STATUS_CODES, { doc: 'network status (在网状态)' });
/** TAB_SUBSCRB.NETTYPE. */
export const NET_CODES = meanings(NET_TYPES);
export const netType = code('nettype', NET_CODES, { doc: 'network' });
/** USR_BUSI_RECORD.BUSITYPE. */
export const BUSI_TYPE_CODES = meanings(BUSI_TYPES);
export const busiType = code('busitype', BUSI_TYPE_CODES, { doc: 'business type of the record' });
/** USR_BUSI_RECORD.STATUS. */
export const BUSI_STATUS_CODES = meanings(BUSI_STATUS);
export const busiStatus = code('busiStatus', BUSI_STATUS_CODES, { doc: 'state of the record and its switch command (OC-03)' });
/** TAB_PAY.PAYMODE. */
export const PAY_MODE_CODES = meanings(PAY_MODES);
export const payMode = code('paymode', PAY_MODE_CODES, { doc: 'how the money came in' });
/** TAB_PAY.STATUS. */
export const PAY_STATUS_CODES = meanings(PAY_STATUS);
export const payStatus = code('payStatus', PAY_STATUS_CODES, { doc: 'posting state' });

/** Ids (SUBSCRBID, ACCTID, CUSTID, BUSISN, PAYSN) travel as decimal text: 64-bit, beyond a u32. */
export const idField = <N extends string>(name: N, doc: string) => char(name, 20, { pattern: /^[0-9]{1,20}$/, doc });

/**
 * VO-*: "by card or phone number" (通过卡号或电话号码). One code field for every IP Phone function
 * that takes either: `by` C = `number` is an IP Phone card number, N = a phone number (each
 * function's section says which phone number: the IP Phone number itself, or a bound number).
 */
export const VOIP_BY_CARD = 'C';
export const VOIP_BY_NUMBER = 'N';
export const VOIP_LOOKUP_CODES: readonly (CodeMeaning & { code: string })[] = Object.freeze([
  Object.freeze({ code: VOIP_BY_CARD, zh: '按卡号', en: 'number is an IP Phone card number' }),
  Object.freeze({ code: VOIP_BY_NUMBER, zh: '按电话号码', en: 'number is a phone number' }),
]);
export const voipBy = code('by', VOIP_LOOKUP_CODES, { doc: 'what `number` is' });
export const voipNumber = char('number', 20, { pattern: /^[0-9]{3,20}$/, doc: 'IP Phone card number or phone number (as `by` says), digits' });

/**
 * The reply of every acceptance operation (CS-20…26): the business record written, the state of
 * its switch command (5 queued, or 1 recorded when no command is needed) and the subscriber's
 * status afterwards. The BUSISN is what CS-05 lists and what travels with the switch command.
 */
export const ACCEPTED_RESPONSE = [
  // The header serial is not a column of the legacy USR_BUSI_RECORD (an adopted schema has none, and PARAM is the
  // switch's input): serial → BUSISN is this reply, kept under the serial in the idempotency ledger (BSG_IDEMPOTENCY).
  idField('busisn', "the business record written (USR_BUSI_RECORD.BUSISN); CS-05 shows it and, later, the switch's answer. The idempotency ledger keeps this reply under the request's serial"),
  withDoc(busiStatus, 'USR_BUSI_RECORD.STATUS written: 5 queued for the switch (the scanner delivers it), 1 recorded (no switch command)'),
  withDoc(subscriberStatus, "the subscriber's status (TAB_SUBSCRB.STATUS) after the operation"),
] as const;
