// The compiled encoders (protocol/layout.ts encoderOf): on random layouts and random valid
// bodies, what is encoded decodes back to the same body, and the size pass agrees with the
// bytes written. Byte identity with the encoder they replaced is held by the fixtures
// (test/fixtures/protocol) and by SPEC.md's hex examples, which the previous encoder produced
// (test/protocol/spec.test.ts re-encodes every one). Bad values: the compiled fast check sends
// them to the slow path, which names the field and the problem.
import t from 'tap';
import fc from 'fast-check';
import { char, cycle, date, datetime, list, money, text, u16, u32, u8 } from '../../protocol/fields.js';
import { decodeBody, encodeBody, prepareBody, type Field, type Layout, type BodyRecord } from '../../protocol/layout.js';
import { GatewayError } from '../../protocol/return-codes.js';

const word = fc.stringMatching(/^[A-Za-z0-9]{0,12}$/);
const chinese = fc.constantFrom('', '成功', '西宁市城西区', '话费', 'abc中文def');
const dateValue = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2037-12-31T00:00:00Z'), noInvalidDate: true });
const ymd = (d: Date) => d.toISOString().slice(0, 10).replace(/-/g, '');

/** A random field and a generator of its valid values. */
function fieldArb(depth: number, i: number): fc.Arbitrary<{ f: Field; v: fc.Arbitrary<unknown> }> {
  const name = `f${i}`;
  const leaves: fc.Arbitrary<{ f: Field; v: fc.Arbitrary<unknown> }>[] = [
    fc.integer({ min: 1, max: 20 }).map((w) => ({ f: char(name, w), v: fc.stringMatching(new RegExp(`^[A-Za-z0-9]{0,${w}}$`)).map((s) => s.trimEnd()) })),
    fc.constant({ f: text(name, 40), v: fc.oneof(word, chinese) }),
    fc.constant({ f: u8(name), v: fc.integer({ min: 0, max: 255 }) }),
    fc.constant({ f: u16(name, { min: 3, max: 900 }), v: fc.integer({ min: 3, max: 900 }) }),
    fc.constant({ f: u32(name), v: fc.integer({ min: 0, max: 0xffffffff }) }),
    fc.constant({ f: money(name), v: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }) }),
    fc.constant({ f: money(name, { min: 0n, max: 100000n }), v: fc.bigInt({ min: 0n, max: 100000n }) }),
    fc.constant({ f: date(name), v: dateValue.map(ymd) }),
    fc.constant({ f: date(name, { optional: true }), v: fc.oneof(fc.constant(''), dateValue.map(ymd)) }),
    fc.constant({ f: datetime(name), v: dateValue.map((d) => `${ymd(d)}${d.toISOString().slice(11, 19).replace(/:/g, '')}`) }),
    fc.constant({ f: cycle(name), v: dateValue.map((d) => ymd(d).slice(0, 6)) }),
  ];
  if (depth > 0) {
    leaves.push(
      layoutArb(depth - 1).map(({ layout, body }) => ({
        f: list(name, layout, { maxItems: 50 }),
        v: fc.array(body, { maxLength: 4 }),
      })),
    );
  }
  return fc.oneof(...leaves);
}

function layoutArb(depth: number): fc.Arbitrary<{ layout: Layout; body: fc.Arbitrary<BodyRecord> }> {
  return fc.integer({ min: 1, max: 6 }).chain((n) =>
    fc.tuple(...Array.from({ length: n }, (_, i) => fieldArb(depth, i))).map((fields) => ({
      layout: Object.freeze(fields.map((x) => x.f)) as Layout,
      body: fc.record(Object.fromEntries(fields.map((x) => [x.f.name, x.v]))) as fc.Arbitrary<BodyRecord>,
    })),
  );
}

t.test('compiled encoder: random layouts round-trip through the decoder (protocol, all business types)', async (t) => {
  fc.assert(
    fc.property(
      layoutArb(2).chain(({ layout, body }) => body.map((b) => ({ layout, b }))),
      ({ layout, b }) => {
        const bytes = encodeBody(layout, b, 'strict');
        if (bytes.length !== prepareBody(layout, b, 'strict').size) return false;
        t.same(decodeBody(layout, bytes), b);
        return true;
      },
    ),
    { numRuns: 300, seed: 42 },
  );
});

t.test('compiled encoder: each bad value names its field, as before', async (t) => {
  const layout = [char('svcnum', 11), u16('n', { min: 3, max: 9 }), money('amount', { min: 1n, max: 100n }), date('d'), list('items', [u8('x')], { maxItems: 2 })] as const;
  const good = { svcnum: '13997025731', n: 5, amount: 50n, d: '20261201', items: [{ x: 1 }] };
  const bad = (patch: Record<string, unknown>, mode: 'strict' | 'truncate' = 'strict') => {
    try {
      encodeBody(layout, { ...good, ...patch } as BodyRecord, mode);
      return undefined;
    } catch (e) {
      return e instanceof GatewayError ? `${e.code} ${e.detail}` : String(e);
    }
  };
  t.equal(bad({}), undefined, 'the good body encodes');
  t.equal(bad({ n: 2 }), '1006 n: 2 outside 3..9');
  t.equal(bad({ n: 1.5 }), '1006 n: not an integer 0..65535 1.5');
  t.equal(bad({ n: undefined }), '1006 n: missing');
  t.equal(bad({ amount: 101n }), '2010 amount: 101 fen outside 1..100');
  t.equal(bad({ amount: 101n }, 'truncate'), '9999 amount: 101 fen outside 1..100');
  t.equal(bad({ amount: 5 }), '1006 amount: not an int64 bigint count of fen 5');
  t.equal(bad({ d: '20260230' }, 'strict')?.startsWith('1006 d: '), true);
  t.equal(bad({ items: [{ x: 1 }, { x: 2 }, { x: 3 }] }), '1006 items: 3 records, at most 2');
  t.equal(bad({ items: [{ x: 256 }] }), '1006 items[0].x: not an integer 0..255 256');
  t.equal(bad({ svcnum: '139970257310' }), '1006 svcnum: 12 bytes, at most 11');
  t.equal(bad({ items: 'no' }), '1006 items: not a list');
});
