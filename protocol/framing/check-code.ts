// Check codes (验证码) of the text framing profiles (issue 19): the algorithms a profile may name
// for the code over a packet. The primitives only — which bytes a profile covers, the per-client
// keys and the verification of every request are not wired yet, so a profile that declares a
// check code is still refused at load (protocol/framing/profile.ts). Known-answer tests:
// test/protocol/check-code.test.ts (RFC 4231; ISO/IEC 9797-1 Annex B; the DES textbook vector).
import { createCipheriv, createHmac, timingSafeEqual } from 'node:crypto';

export type CheckAlgorithm = 'hmac-sha256' | '3des-mac';

/** HMAC-SHA-256 (RFC 2104, FIPS 198-1) of `data` under `key`: 32 bytes. */
export function hmacSha256(key: Buffer, data: Buffer): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

function ede3Cbc(key24: Buffer, data: Buffer): Buffer {
  const c = createCipheriv('des-ede3-cbc', key24, Buffer.alloc(8));
  c.setAutoPadding(false);
  return Buffer.concat([c.update(data), c.final()]);
}

/** Single DES of one or more 8-byte blocks in CBC mode from a zero IV (3DES with K1 = K2 = K3, which is DES). */
export function desCbc(key8: Buffer, data: Buffer): Buffer {
  if (key8.length !== 8) throw new RangeError(`a DES key is 8 bytes, not ${key8.length}`);
  return ede3Cbc(Buffer.concat([key8, key8, key8]), data);
}

/** ISO/IEC 9797-1 padding: method 1 (zeros; empty data is one zero block) or method 2 (0x80 then zeros). */
export function pad9797(data: Buffer, method: 1 | 2): Buffer {
  const n = method === 2 ? data.length + 1 : Math.max(data.length, 1);
  const out = Buffer.alloc(Math.ceil(n / 8) * 8);
  data.copy(out);
  if (method === 2) out[data.length] = 0x80;
  return out;
}

/**
 * ISO/IEC 9797-1 MAC algorithm 3 (the "retail MAC", ANSI X9.19) with DES and a double-length key
 * K = K1‖K2 (16 bytes): CBC with DES under K1, the last block then decrypted under K2 and
 * encrypted under K1 — the same as 3DES-EDE with (K1, K2, K1) on the last block. 8 bytes.
 */
export function mac9797Alg3(key16: Buffer, data: Buffer, padding: 1 | 2 = 1): Buffer {
  if (key16.length !== 16) throw new RangeError(`a 3DES MAC key (K1‖K2) is 16 bytes, not ${key16.length}`);
  const k1 = key16.subarray(0, 8);
  const k2 = key16.subarray(8, 16);
  const padded = pad9797(data, padding);
  const n = padded.length / 8;
  const h = n > 1 ? desCbc(k1, padded.subarray(0, (n - 1) * 8)).subarray(-8) : Buffer.alloc(8);
  const last = Buffer.allocUnsafe(8);
  for (let i = 0; i < 8; i++) last[i] = padded[(n - 1) * 8 + i] ^ h[i];
  return ede3Cbc(Buffer.concat([k1, k2, k1]), last);
}

/** The check code of `data` under `key` by `algorithm`, as raw bytes. */
export function checkCode(algorithm: CheckAlgorithm, key: Buffer, data: Buffer): Buffer {
  return algorithm === 'hmac-sha256' ? hmacSha256(key, data) : mac9797Alg3(key, data);
}

/** Whether two codes are equal, in a time that does not depend on where they differ. */
export function sameCode(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
