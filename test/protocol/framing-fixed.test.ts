// Issue 19 fixed-width bodies (body.format = fixed, docs/framing.md "Fixed-width bodies"): the
// card-recharge interface's space-padded fields, read and written from the same layouts as v1 and
// the delimited profiles. Every business type's spec example (request and reply) round-trips;
// the bytes of a PC-03 request are what the widths say; a record of the wrong length, a number
// that is not one, or a profile asking for a money width too narrow are refused clearly.
import t, { type Test } from 'tap';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadFramingProfile } from '../../protocol/framing/packet.js';
import { parseProfile, ProfileError, type FramingProfile } from '../../protocol/framing/profile.js';
import { decodeTextBody, encodeTextBody, fixedWidth } from '../../protocol/framing/text-body.js';
import { GatewayError } from '../../protocol/return-codes.js';
import { CONTRACTS, LAYOUTS_BY_CODE } from '../../handlers/contracts/index.js';
import type { BodyRecord } from '../../protocol/layout-types.js';

const file = fileURLToPath(new URL('../../config/framing/card-recharge.json', import.meta.url));
const CARD = loadFramingProfile(file);
const doc = () => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown> & { body: Record<string, unknown> };
const plain = (v: unknown) => JSON.parse(JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : typeof x === 'string' ? x.replace(/[\x00-\x1f\x7f]/g, ' ') : x))) as unknown;

function gwError(t: Test, fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (err) {
    t.type(err, GatewayError);
    return err as GatewayError;
  }
  t.fail('expected a GatewayError');
  return new GatewayError('INTERNAL_ERROR');
}

t.test('issue 19 card-recharge PC-03: the request body is svcnum (its char width) then the amount in yuan, space-padded to 12', async (t) => {
  const req = LAYOUTS_BY_CODE.get(303)!.request;
  const body = encodeTextBody(CARD, req, { svcnum: '13997000002', amount: 5000n });
  const svcWidth = fixedWidth(CARD.fixed!, req[0]);
  t.equal(body.toString('latin1'), '13997000002'.padEnd(svcWidth) + '50.00'.padEnd(12), 'fixed fields, no separator');
  t.strictSame(decodeTextBody(CARD, req, body), { svcnum: '13997000002', amount: 5000n }, 'read back');
  t.strictSame(decodeTextBody(CARD, req, Buffer.from('13997000002'.padEnd(svcWidth) + '       12.3 ', 'latin1')), { svcnum: '13997000002', amount: 1230n }, 'a number anywhere in its width');
});

t.test('issue 19 fixed-width: every business type\'s spec example, request and reply, round-trips (CS-01 … SM-02)', async (t) => {
  let n = 0;
  for (const c of CONTRACTS) {
    if (!c.example) continue;
    for (const [dir, layout, rec] of [['request', c.request, c.example.request], ['reply', c.response, c.example.response]] as const) {
      const bytes = encodeTextBody(CARD, layout, rec);
      t.strictSame(plain(decodeTextBody(CARD, layout, bytes)), plain(rec), `${[...c.ids, c.name].join(' ')} ${dir}`);
      n++;
    }
  }
  t.ok(n >= 90, `${n} bodies`);
});

t.test('issue 19 fixed-width lists: records joined by CRLF, a counted list preceded by its count, each item at the same widths', async (t) => {
  const bill = CONTRACTS.find((c) => c.name === 'monthly-bill')!;
  const bytes = encodeTextBody(CARD, bill.response, bill.example!.response);
  const records = bytes.toString('latin1').split('\r\n');
  const items = (bill.example!.response as BodyRecord).items as BodyRecord[];
  t.equal(records.length, 2 + items.length, 'the scalars, the count, one record per item');
  t.equal(records[1], String(items.length));
  t.equal(new Set(records.slice(2).map((r) => Buffer.byteLength(r, 'latin1'))).size, 1, 'every item record has one width');
});

t.test('issue 19 fixed-width refusals: a record of the wrong length (1005, naming the widths), a bad number (1006), a reply number too wide; GBK text cut on a character boundary', async (t) => {
  const req = LAYOUTS_BY_CODE.get(303)!.request;
  const short = gwError(t, () => decodeTextBody(CARD, req, Buffer.from('13997000002 50.00', 'latin1')));
  t.equal(short.rc, 'BODY_MISMATCH');
  t.match(short.message, /record 1 is 17 bytes; the fixed widths of its fields make \d+ \(svcnum \d+, amount 12\)/);
  const svcWidth = fixedWidth(CARD.fixed!, req[0]);
  const bad = gwError(t, () => decodeTextBody(CARD, req, Buffer.from('13997000002'.padEnd(svcWidth) + '5O.00'.padEnd(12), 'latin1')));
  t.equal(bad.rc, 'INVALID_FIELD');
  t.match(bad.message, /amount: not an amount of yuan/);
  const wide = gwError(t, () => encodeTextBody(CARD, req, { svcnum: '13997000002', amount: 10n ** 13n }));
  t.match(wide.message, /amount: "100000000000.00" is wider than its 12 bytes/);
  const d = doc();
  d.body.widths = { text: 5 };
  const narrow = parseProfile(d, 'narrow (test)');
  const layout = [{ name: 'name', type: 'text' as const }];
  const out = encodeTextBody(narrow, layout, { name: '张伟伟' });
  t.equal(out.length, 5, 'five bytes');
  t.equal(decodeTextBody(narrow, layout, out).name, '张伟', 'two whole characters (4 bytes) and a space, never half of one');
});

t.test('issue 19 fixed-width declarations: numbers right-aligned when asked; widths checked at load', async (t) => {
  const d = doc();
  d.body.numberAlign = 'right';
  const right: FramingProfile = parseProfile(d, 'right (test)');
  const req = LAYOUTS_BY_CODE.get(303)!.request;
  t.match(encodeTextBody(right, req, { svcnum: '13997000002', amount: 5000n }).toString('latin1'), /       50\.00$/);
  const refused = (mut: (b: Record<string, unknown>) => void) => {
    const x = doc();
    mut(x.body);
    try {
      parseProfile(x, 'x.json');
    } catch (err) {
      t.type(err, ProfileError);
      return (err as ProfileError).path;
    }
    return 'loaded';
  };
  t.equal(refused((b) => (b.widths = { money: 8 })), '$.body.widths.money', 'money narrower than 12 is refused');
  t.equal(refused((b) => (b.widths = { u32: 9 })), '$.body.widths.u32', 'a u32 needs 10 digits');
  t.equal(refused((b) => (b.widths = { colour: 9 })), '$.body.widths.colour');
  t.equal(refused((b) => ((b.format = 'delimited'), (b.numberAlign = 'right'))), '$.body.widths', 'widths only with format fixed');
});
