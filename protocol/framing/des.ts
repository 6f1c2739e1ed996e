// DES (FIPS 46-3) in JavaScript for the 3DES retail MAC of the check codes (issue 19,
// protocol/framing/check-code.ts): a key schedule computed once per key (16 round keys as 6-bit
// groups) and SP tables (each S-box merged with the P permutation), the initial and final
// permutations by byte tables. A MAC of a few blocks is a few microseconds less this way than
// through OpenSSL: each call into a cipher context costs more than the DES rounds of a short
// packet (bench/text-framing-cost.ts, docs/benchmarks.md). All tables are generated below from
// the standard's definitions; known-answer tests against the published vectors and against
// node:crypto (des-ede3-cbc): test/protocol/check-code.test.ts.
//
// The MAC runs in the "IP domain": FP and IP cancel between chained DES operations, and IP is
// linear over XOR, so CBC is X_i = rounds(IP(P_i) XOR X_(i-1)) and only the code leaves through FP.

const S: readonly (readonly number[])[] = [
  [14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7, 0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11, 9, 5, 3, 8, 4, 1, 14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0, 15, 12, 8, 2, 4, 9, 1, 7, 5, 11, 3, 14, 10, 0, 6, 13],
  [15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10, 3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10, 6, 9, 11, 5, 0, 14, 7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15, 13, 8, 10, 1, 3, 15, 4, 2, 11, 6, 7, 12, 0, 5, 14, 9],
  [10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8, 13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12, 11, 15, 1, 13, 6, 4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7, 1, 10, 13, 0, 6, 9, 8, 7, 4, 15, 14, 3, 11, 5, 2, 12],
  [7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15, 13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1, 10, 14, 9, 10, 6, 9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4, 3, 15, 0, 6, 10, 1, 13, 8, 9, 4, 5, 11, 12, 7, 2, 14],
  [2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9, 14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10, 3, 9, 8, 6, 4, 2, 1, 11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14, 11, 8, 12, 7, 1, 14, 2, 13, 6, 15, 0, 9, 10, 4, 5, 3],
  [12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11, 10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14, 0, 11, 3, 8, 9, 14, 15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6, 4, 3, 2, 12, 9, 5, 15, 10, 11, 14, 1, 7, 6, 0, 8, 13],
  [4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1, 13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12, 2, 15, 8, 6, 1, 4, 11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2, 6, 11, 13, 8, 1, 4, 10, 7, 9, 5, 0, 15, 14, 2, 3, 12],
  [13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7, 1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11, 0, 14, 9, 2, 7, 11, 4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8, 2, 1, 14, 7, 4, 10, 8, 13, 15, 12, 9, 0, 3, 5, 6, 11],
];
const P = [16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10, 2, 8, 24, 14, 32, 27, 3, 9, 19, 13, 30, 6, 22, 11, 4, 25];
const IP = [
  58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4, 62, 54, 46, 38, 30, 22, 14, 6, 64, 56, 48, 40, 32, 24, 16, 8, 57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3, 61, 53, 45, 37, 29, 21, 13, 5,
  63, 55, 47, 39, 31, 23, 15, 7,
];
const PC1 = [57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18, 10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60, 52, 44, 36, 63, 55, 47, 39, 31, 23, 15, 7, 62, 54, 46, 38, 30, 22, 14, 6, 61, 53, 45, 37, 29, 21, 13, 5, 28, 20, 12, 4];
const PC2 = [14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10, 23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2, 41, 52, 31, 37, 47, 55, 30, 40, 51, 45, 33, 48, 44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32];
const SHIFTS = [1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1];

/** SP[64 i + v]: S-box i of the 6-bit group v, at its place in the 32-bit word, through P. */
const SP = new Int32Array(8 * 64);
for (let i = 0; i < 8; i++) {
  for (let v = 0; v < 64; v++) {
    const s = S[i][(((v >> 4) & 2) | (v & 1)) * 16 + ((v >> 1) & 15)];
    const x = s << (28 - 4 * i); // S-box output bits at 1-indexed positions 4i+1..4i+4 (from the most significant)
    let y = 0;
    for (let j = 0; j < 32; j++) if ((x >>> (31 - (P[j] - 1))) & 1) y |= 1 << (31 - j);
    SP[i * 64 + v] = y;
  }
}

/** A 64-bit permutation `perm` (1-indexed source bits) as byte tables: out = OR over input bytes b of T[256 b + byte], high and low words. */
function byteTables(perm: readonly number[]): { hi: Int32Array; lo: Int32Array } {
  const hi = new Int32Array(8 * 256);
  const lo = new Int32Array(8 * 256);
  for (let j = 0; j < 64; j++) {
    const k = perm[j] - 1;
    const byte = k >> 3;
    const bit = 7 - (k & 7);
    for (let v = 0; v < 256; v++) {
      if (!((v >> bit) & 1)) continue;
      if (j < 32) hi[byte * 256 + v] |= 1 << (31 - j);
      else lo[byte * 256 + v] |= 1 << (63 - j);
    }
  }
  return { hi, lo };
}
const FP_PERM = (() => {
  const fp = new Array<number>(64);
  for (let j = 0; j < 64; j++) fp[IP[j] - 1] = j + 1;
  return fp;
})();
const IPT = byteTables(IP);
const FPT = byteTables(FP_PERM);

/** The 16 round keys of a DES key (8 bytes, parity bits ignored), each as 8 groups of 6 bits: 128 values in encryption order. */
export function desKeySchedule(key: Uint8Array, at = 0): Int32Array {
  const bit = (k: number) => (key[at + ((k - 1) >> 3)] >> (7 - ((k - 1) & 7))) & 1;
  let c = PC1.slice(0, 28).map(bit);
  let d = PC1.slice(28).map(bit);
  const out = new Int32Array(128);
  for (let r = 0; r < 16; r++) {
    const s = SHIFTS[r];
    c = [...c.slice(s), ...c.slice(0, s)];
    d = [...d.slice(s), ...d.slice(0, s)];
    const cd = [...c, ...d];
    for (let g = 0; g < 8; g++) {
      let v = 0;
      for (let b = 0; b < 6; b++) v = (v << 1) | cd[PC2[g * 6 + b] - 1];
      out[r * 8 + g] = v;
    }
  }
  return out;
}

/** The same round keys in decryption order. */
export function reverseSchedule(ks: Int32Array): Int32Array {
  const out = new Int32Array(128);
  for (let r = 0; r < 16; r++) out.set(ks.subarray((15 - r) * 8, (15 - r) * 8 + 8), r * 8);
  return out;
}

/** A 64-bit value as two 32-bit words (hi = the first 4 bytes); what the block functions pass. */
export interface Block {
  hi: number;
  lo: number;
}

/** IP of the 8 bytes at data[at…] into `out`. */
export function ipOf(data: Uint8Array, at: number, out: Block): void {
  const h = IPT.hi;
  const l = IPT.lo;
  let hi = 0;
  let lo = 0;
  for (let b = 0; b < 8; b++) {
    const v = b * 256 + data[at + b];
    hi |= h[v];
    lo |= l[v];
  }
  out.hi = hi;
  out.lo = lo;
}

/** FP of `x`, written as 8 bytes at out[at…]. */
export function fpInto(x: Block, out: Uint8Array, at: number): void {
  const h = FPT.hi;
  const l = FPT.lo;
  const a = x.hi;
  const c = x.lo;
  const hi =
    h[a >>> 24] | h[256 + ((a >>> 16) & 0xff)] | h[512 + ((a >>> 8) & 0xff)] | h[768 + (a & 0xff)] | h[1024 + (c >>> 24)] | h[1280 + ((c >>> 16) & 0xff)] | h[1536 + ((c >>> 8) & 0xff)] | h[1792 + (c & 0xff)];
  const lo =
    l[a >>> 24] | l[256 + ((a >>> 16) & 0xff)] | l[512 + ((a >>> 8) & 0xff)] | l[768 + (a & 0xff)] | l[1024 + (c >>> 24)] | l[1280 + ((c >>> 16) & 0xff)] | l[1536 + ((c >>> 8) & 0xff)] | l[1792 + (c & 0xff)];
  out[at] = hi >>> 24;
  out[at + 1] = hi >>> 16;
  out[at + 2] = hi >>> 8;
  out[at + 3] = hi;
  out[at + 4] = lo >>> 24;
  out[at + 5] = lo >>> 16;
  out[at + 6] = lo >>> 8;
  out[at + 7] = lo;
}

/** The 16 rounds of DES on x (in the IP domain: L = hi, R = lo), the halves swapped at the end (the pre-output R16 L16), in place. */
export function rounds(x: Block, ks: Int32Array): void {
  let l = x.hi;
  let r = x.lo;
  const sp = SP;
  for (let k = 0; k < 128; k += 8) {
    const r1 = (r >>> 1) | (r << 31);
    const f =
      sp[((r1 >>> 26) & 63) ^ ks[k]] ^
      sp[64 + (((r1 >>> 22) & 63) ^ ks[k + 1])] ^
      sp[128 + (((r1 >>> 18) & 63) ^ ks[k + 2])] ^
      sp[192 + (((r1 >>> 14) & 63) ^ ks[k + 3])] ^
      sp[256 + (((r1 >>> 10) & 63) ^ ks[k + 4])] ^
      sp[320 + (((r1 >>> 6) & 63) ^ ks[k + 5])] ^
      sp[384 + (((r1 >>> 2) & 63) ^ ks[k + 6])] ^
      sp[448 + ((((r & 31) << 1) | (r >>> 31)) ^ ks[k + 7])];
    const t = r;
    r = l ^ f;
    l = t;
  }
  x.hi = r;
  x.lo = l;
}

/** Per-key state of the ISO/IEC 9797-1 MAC algorithm 3 with DES (K1‖K2, 16 bytes): K1's round keys, K2's in decryption order. */
export interface RetailMacKey {
  k1: Int32Array;
  k2d: Int32Array;
}

export function retailMacKey(key16: Uint8Array): RetailMacKey {
  if (key16.length !== 16) throw new RangeError(`a 3DES MAC key (K1‖K2) is 16 bytes, not ${key16.length}`);
  return { k1: desKeySchedule(key16, 0), k2d: reverseSchedule(desKeySchedule(key16, 8)) };
}

/**
 * The retail MAC over a message given in pieces (fed with `update`), padded by ISO/IEC 9797-1
 * method 1 or 2 at `final`. One instance is reused (the state is reset by `begin`).
 */
export class RetailMac {
  private readonly x: Block = { hi: 0, lo: 0 };
  private readonly p: Block = { hi: 0, lo: 0 };
  private readonly block = new Uint8Array(8);
  /** Bytes held in `block` (a full block is chained only once more data follows: the last one takes 3DES). */
  private n = 0;
  private key: RetailMacKey | undefined;

  begin(key: RetailMacKey): this {
    this.key = key;
    this.x.hi = 0;
    this.x.lo = 0;
    this.n = 0;
    return this;
  }

  /** Feed data[from, to). */
  update(data: Uint8Array, from = 0, to = data.length): this {
    const blk = this.block;
    let n = this.n;
    for (let i = from; i < to; i++) {
      // A full block is chained only when more data follows it (the last block is kept for final).
      if (n === 8) {
        this.chain();
        n = 0;
      }
      blk[n++] = data[i];
    }
    this.n = n;
    return this;
  }

  private chain(): void {
    const p = this.p;
    const x = this.x;
    ipOf(this.block, 0, p);
    x.hi ^= p.hi;
    x.lo ^= p.lo;
    rounds(x, this.key!.k1);
  }

  /** Pad, finish, and write the 8-byte code at out[at…]. */
  final(padding: 1 | 2, out: Uint8Array, at = 0): void {
    const blk = this.block;
    let n = this.n;
    if (padding === 2) {
      if (n === 8) {
        this.chain();
        n = 0;
      }
      blk[n++] = 0x80;
    }
    // Zeros up to the block (method 1: the empty message is one zero block).
    blk.fill(0, n);
    this.chain(); // E_K1 of the last block XOR the chain…
    const k = this.key!;
    rounds(this.x, k.k2d); // …then D_K2 and E_K1: 3DES-EDE (K1, K2, K1) on it
    rounds(this.x, k.k1);
    fpInto(this.x, out, at);
    this.n = 0;
  }
}

/** DES (encrypt) of whole 8-byte blocks in CBC mode from a zero IV under the round keys of each stage in turn (one: DES; three, E D E: 3DES). */
export function cbcEncrypt(stages: readonly Int32Array[], data: Uint8Array): Buffer {
  if (data.length % 8 !== 0) throw new RangeError(`CBC of ${data.length} bytes: not whole blocks`);
  const out = Buffer.allocUnsafe(data.length);
  const x: Block = { hi: 0, lo: 0 };
  const p: Block = { hi: 0, lo: 0 };
  for (let at = 0; at < data.length; at += 8) {
    ipOf(data, at, p);
    x.hi ^= p.hi;
    x.lo ^= p.lo;
    for (const ks of stages) rounds(x, ks);
    fpInto(x, out, at);
  }
  return out;
}
