// src/random.ts: the one mulberry32 generator. The demo data of a seed (src/store/demo.ts) and
// the seeded simulators and fuzz fixtures are its output, so its sequence is pinned here: the
// values below were printed by the two copies it replaced (the demo loader's Rng class and the
// simulators' mulberry32 function), which were the same generator.
import t from 'tap';
import { mulberry32, Rng } from '../src/random.js';

t.test('mulberry32: the sequence of a seed is the one it always was', async (t) => {
  const m = mulberry32(42);
  t.same([m(), m(), m()], [0.6011037519201636, 0.44829055899754167, 0.8524657934904099]);
  t.equal(mulberry32(0)(), 0.26642920868471265);
});

t.test('Rng: the demo draws of a seed are the ones they always were', async (t) => {
  const r = new Rng(0xdeadbeef);
  t.same([r.int(1000), r.range(5, 9), r.chance(0.5), r.pick(['a', 'b', 'c']), r.digits(12), r.next()], [941, 6, false, 'b', '481302747578', 0.9894252337981015]);
});

t.test('Rng and mulberry32 are one generator', async (t) => {
  const r = new Rng(1234);
  const m = mulberry32(1234);
  for (let i = 0; i < 100; i++) t.equal(r.next(), m(), `draw ${i}`);
});
