import t from 'tap';
import { dateProblem, decodeBody, encodeBody, fixedSize, PAGE_REQUEST, pagedResponse } from '../../protocol/layout.js';
import { coerceBody, coerceField } from '../../protocol/coerce.js';
import { describeLayout, layoutTable } from '../../protocol/describe.js';
import { hasSecret, redact } from '../../protocol/redact.js';
import type { Layout } from '../../protocol/layout-types.js';
import { GatewayError } from '../../protocol/return-codes.js';
import { ALL_TYPES, allTypesRequest, AUTH_REQUEST, DETAIL_ITEM, pagedResponseFixture } from '../fixtures/protocol/frames.js';

const body = () => Buffer.from(allTypesRequest.bytes).subarray(60);

t.test('the paged response helper is the layout of the CS-11 paged fixture', async (t) => {
  const strip = (l: Layout) => l.map((f) => ({ name: f.name, type: f.type, of: f.type === 'list' ? f.of : undefined }));
  t.same(strip(pagedResponse(DETAIL_ITEM)), strip(pagedResponseFixture.layout));
  t.equal(pagedResponse(DETAIL_ITEM), pagedResponse(DETAIL_ITEM), 'built once per item layout');
  t.same(
    PAGE_REQUEST.map((f) => [f.name, f.type]),
    [
      ['offset', 'u32'],
      ['limit', 'u16'],
    ],
  );
  const page = encodeBody(PAGE_REQUEST, { offset: 200, limit: 200 }, 'strict');
  t.equal(page.toString('hex'), '000000c800c8');
  t.throws(() => encodeBody(PAGE_REQUEST, { offset: 0, limit: 0 }, 'strict'), { name: 'GatewayError', rc: 'INVALID_FIELD' });
});

t.test('a body shorter than its layout is BODY_MISMATCH, at every cut', async (t) => {
  const b = body();
  for (let n = 0; n < b.length; n++) {
    const e = t.throws(() => decodeBody(ALL_TYPES, b.subarray(0, n)), { name: 'GatewayError', rc: 'BODY_MISMATCH' });
    if (!(e instanceof GatewayError)) return;
  }
});

t.test('bytes after the body are BODY_MISMATCH', async (t) => {
  t.throws(() => decodeBody(ALL_TYPES, Buffer.concat([body(), Buffer.from([0])])), {
    name: 'GatewayError',
    rc: 'BODY_MISMATCH',
    detail: '1 bytes after the body',
  });
  t.throws(() => decodeBody([], Buffer.from([1])), { name: 'GatewayError', rc: 'BODY_MISMATCH' });
});

t.test('invalid GBK in a text field is INVALID_FIELD naming the field', async (t) => {
  const b = body();
  b[0] = 0xff; // name: first byte
  t.throws(() => decodeBody(ALL_TYPES, b), { name: 'GatewayError', rc: 'INVALID_FIELD', detail: /^name: invalid GBK/ });
  const c = body();
  // fees[0].item starts after name 10, address 2+12, level 1, count 2, subscriberId 4,
  // balance 8, bigAmount 8, openDate 8, lastSeen 14, cycle 6, password 8, fees count 2
  c[10 + 14 + 1 + 2 + 4 + 8 + 8 + 8 + 14 + 6 + 8 + 2] = 0xff;
  t.throws(() => decodeBody(ALL_TYPES, c), { name: 'GatewayError', rc: 'INVALID_FIELD', detail: /^fees\[0\]\.item: invalid GBK/ });
});

t.test('a fixed text ending in half a double-byte character is INVALID_FIELD', async (t) => {
  const L: Layout = [{ name: 'name', type: 'char', width: 3 }];
  t.throws(() => decodeBody(L, Buffer.from([0xd5, 0xc5, 0xc8])), { name: 'GatewayError', rc: 'INVALID_FIELD' });
});

t.test('bad dates, datetimes and cycles are INVALID_FIELD', async (t) => {
  const D: Layout = [
    { name: 'd', type: 'date' },
    { name: 't', type: 'datetime' },
    { name: 'c', type: 'cycle' },
  ];
  const good = { d: '20240229', t: '20240229235959', c: '202402' };
  t.strictSame(decodeBody(D, encodeBody(D, good, 'strict')), good);
  const bad: [string, string][] = [
    ['d', '20230229'], // not a leap year
    ['d', '20240431'],
    ['d', '20241301'],
    ['d', '00000101'],
    ['d', '2024-1-1'],
    ['t', '20240101240000'],
    ['t', '20240101236000'],
    ['t', '20240101235960'],
    ['t', '20240100000000'],
    ['c', '202400'],
    ['c', '202413'],
    ['c', '20241 '],
  ];
  for (const [k, v] of bad) {
    const wire = Buffer.from(`${k === 'd' ? v : good.d}${k === 't' ? v : good.t}${k === 'c' ? v : good.c}`, 'latin1');
    t.throws(() => decodeBody(D, wire), { name: 'GatewayError', rc: 'INVALID_FIELD', detail: new RegExp(`^${k}: `) }, `${k}=${v} on decode`);
    t.throws(() => encodeBody(D, { ...good, [k]: v }, 'strict'), { name: 'GatewayError', rc: 'INVALID_FIELD' }, `${k}=${v} on encode`);
  }
  t.equal(dateProblem('date', '19000228'), undefined);
  t.equal(dateProblem('date', '20000229'), undefined, '2000 is a leap year');
  t.not(dateProblem('date', '19000229'), undefined, '1900 is not');
});

t.test('an optional date may be blank', async (t) => {
  const D: Layout = [{ name: 'd', type: 'date', optional: true }];
  t.strictSame(decodeBody(D, Buffer.from('        ')), { d: '' });
  t.equal(encodeBody(D, { d: '' }, 'strict').toString('latin1'), '        ');
  t.throws(() => decodeBody([{ name: 'd', type: 'date' }], Buffer.from('        ')), { name: 'GatewayError', rc: 'INVALID_FIELD' });
});

t.test('pattern, min and max are checked on decode and on strict encode', async (t) => {
  const wire = Buffer.from('1390000000a12345678', 'latin1');
  t.throws(() => decodeBody(AUTH_REQUEST, wire), { name: 'GatewayError', rc: 'INVALID_FIELD', detail: /^number: does not match/ });
  t.throws(() => encodeBody(AUTH_REQUEST, { number: '2390000000', password: 'x' }, 'strict'), { name: 'GatewayError', rc: 'INVALID_FIELD' });
  const b = body();
  b[14 + 10] = 10; // level: max 9
  t.throws(() => decodeBody(ALL_TYPES, b), { name: 'GatewayError', rc: 'INVALID_FIELD', detail: /^level: 10 outside 0\.\.9/ });
  const M: Layout = [{ name: 'amount', type: 'money', min: 1n, max: 100000n }];
  // Money outside its bounds is a business refusal: 2010 AMOUNT_OUT_OF_BOUNDS.
  t.throws(() => decodeBody(M, Buffer.alloc(8)), { name: 'GatewayError', rc: 'AMOUNT_OUT_OF_BOUNDS', code: 2010, detail: /^amount: 0 fen outside/ });
  t.throws(() => encodeBody(M, { amount: 100001n }, 'strict'), { name: 'GatewayError', rc: 'AMOUNT_OUT_OF_BOUNDS' });
  t.throws(() => encodeBody(M, { amount: 100001n }, 'truncate'), { name: 'GatewayError', rc: 'INTERNAL_ERROR' });
});

t.test('a code field accepts only the meanings of its code table', async (t) => {
  const codes = [{ code: 1, zh: '正常', en: 'active' }, { code: 2, zh: '报停', en: 'suspended' }];
  const C: Layout = [{ name: 'status', type: 'u8', codes }, { name: 'net', type: 'char', width: 1, codes: [{ code: 'G', zh: 'GSM', en: 'GSM' }] }];
  t.strictSame(decodeBody(C, Buffer.from([2, 0x47])), { status: 2, net: 'G' });
  t.throws(() => decodeBody(C, Buffer.from([3, 0x47])), { name: 'GatewayError', rc: 'INVALID_FIELD', detail: /^status: 3 is not one of 1, 2/ });
  t.throws(() => decodeBody(C, Buffer.from([1, 0x43])), { name: 'GatewayError', rc: 'INVALID_FIELD', detail: /^net: "C" is not one of G/ });
  // A reply carries what the database holds: the client accepts codes and text its lists do not know.
  t.strictSame(decodeBody(C, Buffer.from([3, 0x43]), { lenient: true }), { status: 3, net: 'C' });
  const P: Layout = [{ name: 'n', type: 'char', width: 3, pattern: /^[0-9]+$/ }];
  t.throws(() => decodeBody(P, Buffer.from('A1 ', 'latin1')), { name: 'GatewayError', rc: 'INVALID_FIELD' });
  t.strictSame(decodeBody(P, Buffer.from('A1 ', 'latin1'), { lenient: true }), { n: 'A1' });
  t.throws(() => decodeBody(P, Buffer.from([0x41, 0x01, 0x20]), { lenient: true }), { name: 'GatewayError', rc: 'INVALID_FIELD' }, 'control characters are refused even so');
});

t.test('control characters in a fixed text are INVALID_FIELD; free text may hold line breaks', async (t) => {
  t.throws(() => decodeBody([{ name: 'c', type: 'char', width: 2 }], Buffer.from([0x41, 0x00])), { name: 'GatewayError', rc: 'INVALID_FIELD' });
  const T: Layout = [{ name: 'a', type: 'text' }];
  t.strictSame(decodeBody(T, Buffer.from([0, 3, 0x61, 0x0a, 0x62])), { a: 'a\nb' });
  t.throws(() => decodeBody(T, Buffer.from([0, 2, 0x61, 0x00])), { name: 'GatewayError', rc: 'INVALID_FIELD' });
});

t.test('text above maxBytes and lists above maxItems are INVALID_FIELD', async (t) => {
  const T: Layout = [{ name: 'a', type: 'text', maxBytes: 2 }];
  t.throws(() => decodeBody(T, Buffer.from([0, 3, 0x61, 0x61, 0x61])), { name: 'GatewayError', rc: 'INVALID_FIELD' });
  t.throws(() => encodeBody(T, { a: 'aaa' }, 'strict'), { name: 'GatewayError', rc: 'INVALID_FIELD' });
  t.equal(encodeBody(T, { a: '张三' }, 'truncate').toString('hex'), '0002d5c5');
  const L: Layout = [{ name: 'l', type: 'list', maxItems: 1, of: [{ name: 'x', type: 'u8' }] }];
  t.throws(() => decodeBody(L, Buffer.from([0, 2, 1, 2])), { name: 'GatewayError', rc: 'INVALID_FIELD', detail: /^l: 2 records/ });
});

t.test('strict encoding refuses a fixed text that does not fit; truncate cuts it on a character boundary', async (t) => {
  const L: Layout = [{ name: 'name', type: 'char', width: 5 }];
  t.throws(() => encodeBody(L, { name: '张三李' }, 'strict'), { name: 'GatewayError', rc: 'INVALID_FIELD', detail: 'name: 6 bytes, at most 5' });
  // 张三李 is 6 bytes; 5 would cut 李 in half: keep 张三 and pad one space
  t.equal(encodeBody(L, { name: '张三李' }, 'truncate').toString('hex'), 'd5c5c8fd20');
  t.equal(encodeBody(L, { name: 'abcdefg' }, 'truncate').toString('latin1'), 'abcde');
  t.strictSame(decodeBody(L, encodeBody(L, { name: '张三李' }, 'truncate')), { name: '张三' });
});

t.test('strict encoding refuses characters outside GBK, missing values and wrong types', async (t) => {
  const L: Layout = [{ name: 'name', type: 'char', width: 8 }];
  t.throws(() => encodeBody(L, { name: '😀' }, 'strict'), { name: 'GatewayError', rc: 'INVALID_FIELD', detail: /outside GBK/ });
  t.throws(() => encodeBody(L, {}, 'strict'), { name: 'GatewayError', rc: 'INVALID_FIELD', detail: 'name: missing' });
  t.throws(() => encodeBody([{ name: 'm', type: 'money' }], { m: 5 }, 'strict'), { name: 'GatewayError', rc: 'INVALID_FIELD' });
  t.throws(() => encodeBody([{ name: 'm', type: 'money' }], { m: 2n ** 63n }, 'strict'), { name: 'GatewayError', rc: 'INVALID_FIELD' });
  t.throws(() => encodeBody([{ name: 'n', type: 'u8' }], { n: 256 }, 'strict'), { name: 'GatewayError', rc: 'INVALID_FIELD' });
  t.throws(() => encodeBody([{ name: 'n', type: 'u16' }], { n: 1.5 }, 'strict'), { name: 'GatewayError', rc: 'INVALID_FIELD' });
  t.throws(() => encodeBody([{ name: 'n', type: 'u32' }], { n: -1 }, 'truncate'), { name: 'GatewayError', rc: 'INTERNAL_ERROR' });
  t.throws(() => encodeBody([{ name: 'l', type: 'list', of: [] }], { l: 'x' }, 'strict'), { name: 'GatewayError', rc: 'INVALID_FIELD' });
});

t.test('money keeps full int64 precision: -2^63, 2^63-1 and 2^53+1', async (t) => {
  const M: Layout = [{ name: 'm', type: 'money' }];
  for (const m of [-(2n ** 63n), 2n ** 63n - 1n, 2n ** 53n + 1n, -1n, 0n]) {
    const v = decodeBody(M, encodeBody(M, { m }, 'strict')).m;
    t.equal(typeof v, 'bigint');
    t.equal(v, m);
  }
});

t.test('secret values never appear in an error message', async (t) => {
  const S: Layout = [{ name: 'pin', type: 'char', width: 4, secret: true, pattern: /^[0-9]{4}$/ }];
  const e1 = t.throws(() => decodeBody(S, Buffer.from('12a4'))) as GatewayError;
  t.notMatch(e1.message + e1.wireMessage, '12a4');
  t.match(e1.detail, /^pin: does not match/);
  const e2 = t.throws(() => encodeBody(S, { pin: '98x7' }, 'strict')) as GatewayError;
  t.notMatch(e2.message, '98x7');
  const e3 = t.throws(() => encodeBody(S, { pin: '9876543' }, 'strict')) as GatewayError;
  t.notMatch(e3.message, '9876543');
});

t.test('redact replaces every secret with [secret], also inside lists, and leaves the input alone', async (t) => {
  const L: Layout = [
    { name: 'number', type: 'char', width: 11 },
    { name: 'password', type: 'char', width: 8, secret: true },
    { name: 'cards', type: 'list', of: [{ name: 'sim', type: 'char', width: 20 }, { name: 'puk', type: 'char', width: 8, secret: true }] },
  ];
  const v = { number: '13900000000', password: '654321', cards: [{ sim: '8986', puk: '12345678' }] };
  const r = redact(L, v);
  t.strictSame(r, { number: '13900000000', password: '[secret]', cards: [{ sim: '8986', puk: '[secret]' }] });
  t.equal(v.password, '654321');
  t.equal(v.cards[0].puk, '12345678');
  t.notMatch(JSON.stringify(r), /654321|12345678/);
  t.ok(hasSecret(L));
  t.notOk(hasSecret(DETAIL_ITEM));
});

t.test('describeLayout lists fields with byte widths; layoutTable renders it', async (t) => {
  const d = describeLayout(ALL_TYPES);
  t.same(
    d.map((f) => [f.name, f.bytes]),
    [
      ['name', 10],
      ['address', undefined],
      ['level', 1],
      ['count', 2],
      ['subscriberId', 4],
      ['balance', 8],
      ['bigAmount', 8],
      ['openDate', 8],
      ['lastSeen', 14],
      ['cycle', 6],
      ['password', 8],
      ['fees', undefined],
    ],
  );
  t.equal(d[10].secret, true);
  t.same(d[11].of?.map((f) => f.name), ['item', 'amount']);
  t.equal(fixedSize(DETAIL_ITEM), 41);
  t.equal(fixedSize(ALL_TYPES), undefined);
  t.match(layoutTable(ALL_TYPES), /\| `fees\[\]\.amount` \| int64 fen \| 8 \|/);
  t.match(layoutTable(ALL_TYPES), /\| `password` .* \*\*secret\*\*/);
});

t.test('coerceField parses CLI strings into the field type', async (t) => {
  t.equal(coerceField(ALL_TYPES, 'balance', '-12345'), -12345n);
  t.equal(coerceField(ALL_TYPES, 'bigAmount', '9007199254740993'), 9007199254740993n);
  t.equal(coerceField(ALL_TYPES, 'count', '300'), 300);
  t.equal(coerceField(ALL_TYPES, 'name', '张三'), '张三');
  t.throws(() => coerceField(ALL_TYPES, 'count', '3e2'), { name: 'GatewayError', rc: 'INVALID_FIELD' });
  t.throws(() => coerceField(ALL_TYPES, 'balance', '1.5'), { name: 'GatewayError', rc: 'INVALID_FIELD' });
  t.throws(() => coerceField(ALL_TYPES, 'nope', '1'), { name: 'GatewayError', rc: 'INVALID_FIELD', detail: /no such field/ });
  t.throws(() => coerceField(ALL_TYPES, 'fees', '1'), { name: 'GatewayError', rc: 'INVALID_FIELD' });
  t.strictSame(coerceBody(PAGE_REQUEST, ['offset=0', 'limit=20']), { offset: 0, limit: 20 });
  t.throws(() => coerceBody(PAGE_REQUEST, ['offset']), { name: 'GatewayError', rc: 'INVALID_FIELD' });
});

t.test('a layout with an unusable field name is refused when first used', async (t) => {
  t.throws(() => decodeBody([{ name: 'a-b', type: 'u8' }], Buffer.from([1])), /not a plain identifier/);
  t.throws(() => decodeBody([{ name: 'a$n', type: 'u8' }], Buffer.from([1])), /not a plain identifier/);
  t.throws(() => encodeBody([{ name: 'a', type: 'u8' }, { name: 'a', type: 'u8' }], { a: 1 }, 'strict'), /twice/);
});

t.test('a list count larger than the body can hold is BODY_MISMATCH before the parser loops over it', async (t) => {
  const layout = [{ name: 'items', type: 'list', of: [{ name: 'code', type: 'char', width: 4 }] }] as const;
  // count 65535, then 2 bytes: at most 0 records of 4 bytes fit.
  const body = Buffer.from([0xff, 0xff, 0x41, 0x42]);
  // Without the check the parser would make 65,535 empty records first and fail later on length.
  t.throws(() => decodeBody(layout, body), { name: 'GatewayError', code: 1005, message: /list count larger than the body/ });
  // A count the body does hold still decodes.
  const ok = decodeBody(layout, Buffer.from([0x00, 0x01, 0x41, 0x42, 0x43, 0x44]));
  t.same(ok, { items: [{ code: 'ABCD' }] });
});
