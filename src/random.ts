// mulberry32: a small, fast, seedable generator of floats in [0, 1), the one PRNG of bssgate.
// The simulators and the fuzz fixtures draw from it (mulberry32) so that a seeded run makes the
// same choices again; the demo data (src/store/demo.ts) draws from seeded Rng streams, one per
// subscriber and purpose. The sequence for a seed must never change: the demo data of a seed, and
// the fixtures the tests compare with it, are generated from it.

/** A mulberry32 stream with the draws the demo data needs. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** Integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)];
  }
  digits(n: number): string {
    let s = '';
    for (let k = 0; k < n; k++) s += String(this.int(10));
    return s;
  }
}

/** The same generator as a function: each call is the next float in [0, 1). */
export function mulberry32(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.next();
}
