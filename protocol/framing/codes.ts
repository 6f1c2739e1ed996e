// The two code tables of a framing profile read in the direction a reader needs them: the
// service code of a request's header → its business type, and the error code of a reply's
// header → the return code it stands for. The gateway's text session, the text client and the
// shadow proxy's tap all read them so.
import { padField, unpad, type FramingProfile } from './profile.js';

/**
 * The business type a request's header names: the service table (keyed by the code as written,
 * "000101", padding spaces trimmed), else, when the profile says otherwise = code, its digits;
 * 0 when it names none (answered 1003).
 */
export function bizOfHeader(p: FramingProfile, raw: Readonly<Record<string, string>>): number {
  const f = p.role.service!;
  const s = unpad(f, raw[f.name]).trim();
  const hit = p.services.table.get(raw[f.name].trim()) ?? p.services.table.get(s);
  if (hit !== undefined) return hit;
  if (p.services.otherwise === 'code' && /^[0-9]{1,5}$/.test(s) && Number(s) <= 0xffff) return Number(s);
  return 0;
}

/**
 * The return code an error field stands for: the profile's error table read backwards (a wire
 * value several codes map to reads as the lowest of them: number-like JSON keys come in ascending order), else its digits.
 */
export function resultOf(p: FramingProfile, error: string, flag: string): number {
  const ef = p.role.error;
  const ff = p.role.flag;
  if (!ef) return ff && flag === padField(ff, ff.no!) ? 9999 : 0;
  const e = unpad(ef, error);
  for (const [code, wire] of p.errors.table) if (wire === e || padField(ef, wire) === error) return code;
  const zero = /^0*$/.test(e);
  if (zero) return ff && flag === padField(ff, ff.no!) ? 9999 : 0;
  return /^[0-9]+$/.test(e) ? Number(e) : 9999;
}
