// The one serial rule (流水号): what a serial that names a write must look like, wherever it is
// written or named — the header serial of a write function (its idempotency key, PC-06, and
// TAB_PAY.SERIAL of a card posting), PC-04's origSerial, and the serials of a reconciliation
// file (PC-07, src/reconcile/parse.ts). One rule, so that every payment accepted can later be named by
// a reversal and listed in a reconciliation file: 1–20 characters of printable ASCII without the
// space (padding of the fixed-width fields, which clients and files trim) and without `|` (the
// reconciliation file's separator). protocol/SPEC.md section 2.
//
// Read-only functions do not apply it: their header serial is only echoed back (SPEC section 2).

/** The widest serial: the header's serial field and TAB_PAY.SERIAL hold 20. */
export const SERIAL_MAX = 20;

/** A serial that names a write: 1–20 of 0x21–0x7E except `|` (0x7C). */
export const SERIAL_PATTERN = /^[!-{}~]{1,20}$/;

/** The rule in words, for messages and docs. */
export const SERIAL_RULE = '1–20 characters of printable ASCII (0x21–0x7E) without spaces or |';

/**
 * Why `s` is not a serial by the rule (a short phrase: "is blank", "has a space" …), or undefined
 * when it is one. The caller names where the serial came from.
 */
export function serialProblem(s: string): string | undefined {
  if (SERIAL_PATTERN.test(s)) return undefined;
  if (s === '') return 'is blank';
  if (s.length > SERIAL_MAX) return `is longer than ${SERIAL_MAX} characters`;
  if (s.includes(' ')) return 'has a space';
  if (s.includes('|')) return 'has |';
  return 'has a character outside printable ASCII';
}

/** True when `s` is a serial by the rule. */
export function isSerial(s: string): boolean {
  return SERIAL_PATTERN.test(s);
}
