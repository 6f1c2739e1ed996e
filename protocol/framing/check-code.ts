// Check codes (验证码) of the text framing profiles (issue 19): the algorithms a profile may name
// for the code over a packet (its `check` block, protocol/framing/profile.ts; which bytes it covers
// and how it is written: protocol/framing/check.ts). Known-answer tests:
// test/protocol/check-code.test.ts (RFC 4231; ISO/IEC 9797-1 Annex B; the DES textbook vector;
// GB/T 32907-2016 Appendix A for SM4). The 3DES MAC of the hot path is computed in JavaScript
// (protocol/framing/des.ts: several times faster than OpenSSL for packets this short); the
// node:crypto functions below (desCbc, mac9797Alg3) remain the reference it is tested against.
import { createCipheriv, createHmac, getCiphers, timingSafeEqual, type Cipher } from 'node:crypto';
import { RetailMac, retailMacKey, type RetailMacKey } from './des.js';

export type CheckAlgorithm = 'hmac-sha256' | '3des-mac' | 'sm4-mac';
export const CHECK_ALGORITHMS: readonly CheckAlgorithm[] = ['3des-mac', 'hmac-sha256', 'sm4-mac'];

/** Whether this Node/OpenSSL build has SM4 in CBC mode (crypto.getCiphers()); sm4-mac needs it. */
export function sm4Available(ciphers: readonly string[] = getCiphers()): boolean {
  return ciphers.includes('sm4-cbc');
}

/** Key length in bytes an algorithm takes: [min, max]. */
export function keyLengths(algorithm: CheckAlgorithm): [number, number] {
  return algorithm === 'hmac-sha256' ? [16, 64] : [16, 16];
}

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

/** SM4 (GB/T 32907) of one or more 16-byte blocks in CBC mode from a zero IV. */
export function sm4Cbc(key16: Buffer, data: Buffer): Buffer {
  if (key16.length !== 16) throw new RangeError(`an SM4 key is 16 bytes, not ${key16.length}`);
  const c = createCipheriv('sm4-cbc', key16, Buffer.alloc(16));
  c.setAutoPadding(false);
  return Buffer.concat([c.update(data), c.final()]);
}

/** ISO/IEC 9797-1 padding to a block size of 16 bytes (SM4): method 1 or 2, as pad9797. */
function pad16(data: Buffer, method: 1 | 2): Buffer {
  const n = method === 2 ? data.length + 1 : Math.max(data.length, 1);
  const out = Buffer.alloc(Math.ceil(n / 16) * 16);
  data.copy(out);
  if (method === 2) out[data.length] = 0x80;
  return out;
}

/**
 * The SM4 MAC: ISO/IEC 9797-1 MAC algorithm 1 (CBC-MAC, GB/T 15852.1) with SM4 as the block
 * cipher, a 16-byte key, the last cipher block (16 bytes) as the code.
 */
export function macSm4(key16: Buffer, data: Buffer, padding: 1 | 2 = 1): Buffer {
  return sm4Cbc(key16, pad16(data, padding)).subarray(-16);
}

// The hot path (every request verified, every reply signed) runs the SM4 MAC on cipher
// contexts kept per key, created once: creating an OpenSSL context per packet cost more than the
// MAC itself, and so does each call into it. A kept CBC context carries on from the last cipher
// block it produced (`state`), so a MAC's first block is fed XORed with that state — the context
// then computes E(block), and chains the blocks after it itself: the CBC part of a MAC is one
// call, whatever its length. Kept by the key's Buffer (the configured keys live as long as the gateway).
interface Chain {
  cipher: Cipher;
  /** The last cipher block this context produced (its IV for the next call). */
  state: Buffer;
}
const sm4Chains = new WeakMap<Buffer, Chain>();

function cbc(name: string, key: Buffer, size: number): Chain {
  const c = createCipheriv(name, key, Buffer.alloc(size));
  c.setAutoPadding(false);
  return { cipher: c, state: Buffer.alloc(size) };
}

function sm4ChainOf(key: Buffer): Chain {
  let c = sm4Chains.get(key);
  if (!c) {
    if (key.length !== 16) throw new RangeError(`an SM4 key is 16 bytes, not ${key.length}`);
    sm4Chains.set(key, (c = cbc('sm4-cbc', key, 16)));
  }
  return c;
}

/** The 3DES MAC's round keys of a key, computed once per key Buffer (the configured keys live as long as the gateway). */
const retailKeys = new WeakMap<Buffer, RetailMacKey>();
export function retailMacKeyOf(key: Buffer): RetailMacKey {
  let k = retailKeys.get(key);
  if (!k) retailKeys.set(key, (k = retailMacKey(key)));
  return k;
}
const retail = new RetailMac();

/**
 * CBC from IV `iv` over the whole blocks of `data` on a kept context: its last cipher block (`size`
 * bytes, not shared). `data` is this module's own padded copy: its first block is changed.
 */
function cbcLast(ch: Chain, data: Buffer, iv: Buffer | undefined, size: number): Buffer {
  // The context encrypts data[0..size) XOR state: XOR the state in first (and the IV), so that it
  // encrypts block XOR iv.
  const st = ch.state;
  if (iv === undefined) for (let j = 0; j < size; j++) data[j] ^= st[j];
  else for (let j = 0; j < size; j++) data[j] ^= st[j] ^ iv[j];
  const out = ch.cipher.update(data);
  out.copy(st, 0, out.length - size);
  return out.length === size ? out : out.subarray(out.length - size);
}

/** The check code of `data` under `key` by `algorithm`, as raw bytes (`padding`: ISO/IEC 9797-1 method of the block-cipher MACs). */
export function checkCode(algorithm: CheckAlgorithm, key: Buffer, data: Buffer, padding: 1 | 2 = 1): Buffer {
  if (algorithm === 'hmac-sha256') return hmacSha256(key, data);
  if (algorithm === 'sm4-mac') return cbcLast(sm4ChainOf(key), pad16(data, padding), undefined, 16);
  // ISO/IEC 9797-1 MAC algorithm 3: DES-CBC under K1 over all blocks but the last, then the last
  // block (XOR the chain) through 3DES-EDE (K1, K2, K1) — in JavaScript (des.ts).
  const out = Buffer.allocUnsafe(8);
  retail.begin(retailMacKeyOf(key)).update(data).final(padding, out);
  return out;
}

/** Whether two codes are equal, in a time that does not depend on where they differ. */
export function sameCode(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
