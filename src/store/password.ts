// Service passwords (TAB_SUBSCRB.SVCPWD) as stored: legacy plain text, or a salted scrypt hash
// `scrypt$<N>$<r>$<p>$<saltB64>$<hashB64>`. The parameters travel in the string, so a stored
// hash stays verifiable when the defaults change. Neither the plain text nor the stored value is
// ever logged: these functions take no logger and put neither into an error message.
import { randomBytes, scrypt, scryptSync, timingSafeEqual, createHash } from 'node:crypto';

export type PasswordStorage = 'plain' | 'scrypt';

export interface ScryptParams {
  /** CPU/memory cost, a power of two. */
  N: number;
  r: number;
  p: number;
}

/** Defaults for new hashes: node's scrypt defaults (16 MiB, ~30–50 ms on one core). */
export const SCRYPT_DEFAULTS: Readonly<ScryptParams> = { N: 16384, r: 8, p: 1 };
const SALT_BYTES = 16;
const KEY_BYTES = 32;
// A stored value is data, not code we trust blindly: refuse costs that would let one row
// stall the process (N above 2^20 is 1 GiB with r = 8).
const MAX_N = 1 << 20;
const MAX_R = 32;
const MAX_P = 16;

const PREFIX = 'scrypt$';

function maxmem(p: ScryptParams): number {
  // node needs 128·N·r·p bytes plus slack; the default 32 MiB limit is too small above N = 2^15.
  return 128 * p.N * p.r * p.p * 2 + 1024 * 1024;
}

function checkParams(p: ScryptParams): boolean {
  return (
    Number.isInteger(p.N) && p.N >= 2 && p.N <= MAX_N && (p.N & (p.N - 1)) === 0 &&
    Number.isInteger(p.r) && p.r >= 1 && p.r <= MAX_R &&
    Number.isInteger(p.p) && p.p >= 1 && p.p <= MAX_P
  );
}

function format(params: ScryptParams, salt: Buffer, hash: Buffer): string {
  return `${PREFIX}${params.N}$${params.r}$${params.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/**
 * The stored form of a password. 'plain' returns it unchanged (legacy storage); 'scrypt' a
 * salted hash with a random 16-byte salt. Synchronous: blocks for the hash's cost (tens of ms);
 * a server path should use hashPasswordAsync.
 */
export function hashPassword(plain: string, mode: PasswordStorage, params: ScryptParams = SCRYPT_DEFAULTS): string {
  if (mode === 'plain') return plain;
  return scryptHash(plain, randomBytes(SALT_BYTES), params);
}

/** As hashPassword, on the libuv thread pool so the event loop keeps serving. */
export async function hashPasswordAsync(plain: string, mode: PasswordStorage, params: ScryptParams = SCRYPT_DEFAULTS): Promise<string> {
  if (mode === 'plain') return plain;
  return scryptHashAsync(plain, randomBytes(SALT_BYTES), params);
}

/**
 * A scrypt hash with a caller-chosen salt. Only the demo generator uses this (its salts are
 * derived from the seed so the demo database is reproducible); real passwords get random salts.
 */
export function scryptHash(plain: string, salt: Buffer, params: ScryptParams = SCRYPT_DEFAULTS): string {
  if (!checkParams(params)) throw new RangeError('scrypt parameters out of range');
  return format(params, salt, scryptSync(plain.normalize('NFC'), salt, KEY_BYTES, { ...params, maxmem: maxmem(params) }));
}

/** As scryptHash, on the libuv thread pool (the demo hashes its password pool in parallel). */
export async function scryptHashAsync(plain: string, salt: Buffer, params: ScryptParams = SCRYPT_DEFAULTS): Promise<string> {
  if (!checkParams(params)) throw new RangeError('scrypt parameters out of range');
  return format(params, salt, await scryptAsync(plain, salt, params));
}

function scryptAsync(plain: string, salt: Buffer, params: ScryptParams, keylen = KEY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(plain.normalize('NFC'), salt, keylen, { ...params, maxmem: maxmem(params) }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

interface Parsed {
  params: ScryptParams;
  salt: Buffer;
  hash: Buffer;
}

function parse(stored: string): Parsed | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6) return undefined;
  const [, n, r, p, saltB64, hashB64] = parts;
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  if (!/^\d+$/.test(n) || !/^\d+$/.test(r) || !/^\d+$/.test(p) || !checkParams(params)) return undefined;
  const salt = Buffer.from(saltB64, 'base64');
  const hash = Buffer.from(hashB64, 'base64');
  if (salt.length < 8 || hash.length < 16 || hash.length > 64) return undefined;
  return { params, salt, hash };
}

// Legacy plain text is compared through fixed-length digests, so neither the contents nor the
// length of the stored password shows in the comparison time.
function plainEqual(plain: string, stored: string): boolean {
  const a = createHash('sha256').update(plain, 'utf8').digest();
  const b = createHash('sha256').update(stored, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/**
 * True when `plain` matches the stored value. A stored value not starting with `scrypt$` is
 * legacy plain text. A malformed scrypt string never matches. Synchronous (see hashPassword).
 */
export function verifyPassword(plain: string, stored: string): boolean {
  if (!stored.startsWith(PREFIX)) return plainEqual(plain, stored);
  const parsed = parse(stored);
  if (!parsed) return false;
  const key = scryptSync(plain.normalize('NFC'), parsed.salt, parsed.hash.length, { ...parsed.params, maxmem: maxmem(parsed.params) });
  return timingSafeEqual(key, parsed.hash);
}

/** As verifyPassword, hashing on the libuv thread pool: what CS-02/PC-01/PR-01/SM-01 handlers should call. */
export async function verifyPasswordAsync(plain: string, stored: string): Promise<boolean> {
  if (!stored.startsWith(PREFIX)) return plainEqual(plain, stored);
  const parsed = parse(stored);
  if (!parsed) return false;
  const key = await scryptAsync(plain, parsed.salt, parsed.params, parsed.hash.length);
  return timingSafeEqual(key, parsed.hash);
}

/** True when the stored value is a scrypt hash (not legacy plain text). */
export function isHashed(stored: string): boolean {
  return stored.startsWith(PREFIX);
}
