// Belt and braces for secrets. The caller already redacts the fields its layout marks secret
// (protocol/layout.ts); this catches the well-known secret key names anyway, at any depth, so a
// handler that logs a raw object cannot leak a service password or PUK code.
//
// Why not pino's `redact` option: measured here (bench/log.ts probe, one request line), pino
// redact with wildcard paths (`*.password`, `*.*.password`, `*[*].password` for 14 names) cut
// throughput from ~350k to ~6k lines/s, and even exact top-level paths cost ~15%; this walk costs
// ~10–15%, reaches any depth and lists, and copies only the objects on a secret's path (the
// caller's objects are never mutated).
// The mask is the layout's SECRET_MASK, so a log line shows one placeholder whichever guard caught it.
import { SECRET_MASK } from '../../protocol/redact.js';

/** Key names treated as secret wherever they occur (exact, case-sensitive). */
export const SECRET_KEYS = [
  'password', 'passwd', 'pwd', 'svcpwd', 'svcPwd', 'pin', 'puk', 'puk1', 'puk2',
  'newPassword', 'oldPassword', 'new_password', 'old_password', 'newPwd', 'oldPwd',
] as const;

/** Objects nested deeper than this are logged as they are (log objects are a few levels deep). */
const MAX_DEPTH = 8;

const SECRET = new Set<string>(SECRET_KEYS);

/** One of SECRET_KEYS. */
export function isSecretKey(k: string): boolean {
  return SECRET.has(k);
}

/**
 * `value` with every secret key's value replaced by SECRET_MASK. Returns `value` itself when it
 * holds no secret; otherwise copies of the objects and arrays on the way to each secret.
 * Only plain objects and arrays are entered: Errors, Dates and Buffers pass unchanged.
 */
export function redactSecrets<T>(value: T, depth = 0): T {
  if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const s = redactSecrets(v, depth + 1);
      if (s !== v) (out ??= value.slice())[i] = s;
    }
    return (out ?? value) as T;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const obj = value as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  for (const k in obj) {
    const v = obj[k];
    const s = SECRET.has(k) ? (v === undefined ? v : SECRET_MASK) : redactSecrets(v, depth + 1);
    if (s !== v) (out ??= { ...obj })[k] = s;
  }
  return (out ?? obj) as T;
}
