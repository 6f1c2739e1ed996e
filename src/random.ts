// mulberry32: a small, fast, seedable generator of floats in [0, 1). The simulators and the fuzz
// fixtures draw from it so that a seeded run makes the same choices again (the demo loader's Rng
// in src/store/demo.ts is the same generator as a class, with seeded streams per purpose).
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
