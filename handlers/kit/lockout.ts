// The lockout rule of the service-password checks (handlers/kit/password.ts applies it; the
// contracts of CS-02… and CS-22 state it in the spec).
import type { LockoutPolicy } from '../../src/store/queries/auth.js';

/** The lockout rule: 10 wrong passwords in 30 minutes lock for 30 minutes; 100 in a row lock until cleared. */
export const LOCKOUT: Readonly<LockoutPolicy> = Object.freeze({
  maxFails: 10,
  windowMs: 30 * 60_000,
  lockMs: 30 * 60_000,
  maxConsecutive: 100,
});
