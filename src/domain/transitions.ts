// The status transition table of the acceptance operations: which subscriber statuses
// (TAB_SUBSCRB.STATUS) a business type is accepted from and the status it leaves. The write kit
// applies it (handlers/kit/business-record.ts checkTransition, refusing 2004 with the reason),
// docs/schema.md prints it, and the handlers' spec prose says it through acceptanceRule() below, so
// protocol/SPEC.md cannot state another rule than the one applied (test/protocol/spec-transitions.test.ts).
import { BUSI_TYPES, SUBSCRIBER_STATUS, type SubscriberStatus } from './codes.js';

export type BusiType = keyof typeof BUSI_TYPES;

export interface StatusTransition {
  busi: BusiType;
  /** Inventory IDs of the functions that record this business type. */
  ids: string;
  /** The statuses it is accepted from. */
  from: readonly SubscriberStatus[];
  /** The status it leaves; undefined = unchanged. */
  to?: SubscriberStatus;
  /** A condition beyond the status (applied by the handler itself). */
  note?: string;
}

/**
 * Which subscriber statuses a business type is accepted from, and the status it leaves (undefined
 * = unchanged). Anything else is refused with 2004 STATUS_FORBIDS. docs/schema.md prints this table.
 */
export const STATUS_TRANSITIONS: readonly StatusTransition[] = [
  { busi: 'EMERGENCY_SUSPEND', ids: 'CS-21', from: [1], to: 2 },
  { busi: 'CONDITIONAL_RESUME', ids: 'CS-23', from: [2, 3], to: 1, note: 'from 3 only when the real-time balance is above zero' },
  { busi: 'PAYMENT_RESUME', ids: 'PC-03, PC-04', from: [3], to: 1, note: 'queued by a payment that lifts the real-time balance above zero' },
  { busi: 'RESERVE_CANCEL', ids: 'CS-25', from: [1, 2, 3], to: 4 },
  { busi: 'UNRESERVE_CANCEL', ids: 'CS-26', from: [4], to: 1 },
  { busi: 'SRVG_ADD', ids: 'CS-24', from: [1] },
  { busi: 'SRVG_REMOVE', ids: 'CS-24', from: [1, 2, 3] },
  { busi: 'SRVG_MODIFY', ids: 'CS-24', from: [1] },
  { busi: 'PROFILE_CHANGE', ids: 'CS-20', from: [1, 2, 3, 4] },
  { busi: 'PASSWORD_CHANGE', ids: 'CS-22', from: [1, 2, 3, 4] },
];

const BY_BUSI = new Map(STATUS_TRANSITIONS.map((t) => [t.busi, t]));

/** The transition row of a business type; throws for a type the table does not list (our bug). */
export function transitionOf(busi: BusiType): StatusTransition {
  const t = BY_BUSI.get(busi);
  if (!t) throw new Error(`business type ${busi} has no row in STATUS_TRANSITIONS`);
  return t;
}

const STATUSES = Object.values(SUBSCRIBER_STATUS);

/** "3 (suspended for arrears)": the code and its English meaning without the parenthesised aside. */
function statusLabel(code: number): string {
  const s = STATUSES.find((x) => x.code === code);
  return s ? `${code} (${s.en.replace(/ \(.*\)$/, '')})` : String(code);
}

/** "a", "a and b", "a, b and c". */
function list(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * The spec's sentence for a business type's row of STATUS_TRANSITIONS: the statuses it is accepted
 * from (with the row's note), the status it leaves, and the refusal from every other status, e.g.
 * "Accepted only from status 1 (active); it leaves status 2 (suspended on request). From 2 (…), 3
 * (…), 4 (…) and 5 (cancelled) the answer is 2004 with the reason, …". Handler docs use it instead
 * of restating the table, so protocol/SPEC.md says what checkTransition applies. `subject` names
 * what is accepted when a function records several business types ("**A** (31 特服开通)").
 */
export function acceptanceRule(busi: BusiType, subject?: string): string {
  const t = transitionOf(busi);
  const from = `${t.from.length === 1 ? 'only from status' : 'from statuses'} ${list(t.from.map(statusLabel))}`;
  const accepted = `${subject ? `${subject} is accepted` : 'Accepted'} ${from}${t.note ? `, ${t.note}` : ''}`;
  const leaves = t.to === undefined ? 'it leaves the status unchanged' : `it leaves status ${statusLabel(t.to)}`;
  const refused = STATUSES.map((s) => s.code).filter((c) => !t.from.includes(c));
  return (
    `${accepted}; ${leaves}. From ${list(refused.map(statusLabel))} the answer is 2004 with the reason, the current ` +
    'status and the statuses it is accepted from (status transition table, docs/schema.md).'
  );
}
