import t from 'tap';
import { FIXTURES, type FrameFixture } from '../fixtures/protocol/frames.js';
import { decodeHeader } from '../../protocol/header.js';
import {
  decodeRequestBody,
  decodeResponse,
  encodeErrorResponse,
  encodeRequest,
  encodeResponse,
} from '../../protocol/message.js';
import { GatewayError } from '../../protocol/return-codes.js';
import { CS01_RESPONSE, cs01Request, cs01Response, errorResponse } from '../fixtures/protocol/frames.js';

// testParseGenerate (mqtt-packet): one fixture drives decode, encode and the round trip.
function testParseGenerate(fx: FrameFixture): void {
  const bytes = Buffer.from(fx.bytes);
  t.test(`${fx.name}: the fixture's length field counts the bytes after it`, async (t) => {
    t.equal(bytes.readUInt32BE(0), bytes.length - 4);
  });
  t.test(`${fx.name}: decodes to the fixture's values`, async (t) => {
    t.same(decodeHeader(bytes), fx.header);
    if (fx.kind === 'request') {
      t.strictSame(decodeRequestBody(bytes, fx.layout), fx.body);
    } else {
      const r = decodeResponse(bytes, fx.layout);
      t.equal(r.message, fx.message);
      t.strictSame(r.body, fx.body);
    }
  });
  t.test(`${fx.name}: encodes to the fixture's bytes`, async (t) => {
    const h = fx.header;
    let out: Buffer;
    if (fx.kind === 'request') {
      out = encodeRequest(h, fx.layout, fx.body ?? {});
    } else {
      const req = { ...h, kind: 1, result: 0 };
      out = encodeResponse(req, h.result, fx.message ?? '', fx.layout, fx.body);
    }
    t.equal(out.toString('hex'), bytes.toString('hex'));
  });
  t.test(`${fx.name}: decode then encode gives the same bytes`, async (t) => {
    const h = decodeHeader(bytes);
    const out =
      fx.kind === 'request'
        ? encodeRequest(h, fx.layout, decodeRequestBody(bytes, fx.layout))
        : (() => {
            const r = decodeResponse(bytes, fx.layout);
            return encodeResponse({ ...h, kind: 1 }, h.result, r.message, fx.layout, r.body);
          })();
    t.ok(out.equals(bytes));
  });
}

for (const fx of FIXTURES) testParseGenerate(fx);

t.test('CS-01: the response echoes biz, seq, serial and operator of the request', async (t) => {
  const req = decodeHeader(Buffer.from(cs01Request.bytes));
  const res = decodeResponse(
    encodeResponse(req, 0, '成功', CS01_RESPONSE, { database: 1, dialect: 'sqlite', serverTime: '20240601093001' }),
    CS01_RESPONSE,
  );
  t.match(res.header, { kind: 2, biz: 101, seq: 1, serial: req.serial, operator: req.operator, time: req.time, result: 0 });
});

t.test('a response takes a given time instead of the request time', async (t) => {
  const req = decodeHeader(Buffer.from(cs01Request.bytes));
  const out = encodeResponse(req, 9001, '数据库不可用', undefined, undefined, '20250101000000');
  t.equal(decodeHeader(out).time, '20250101000000');
  t.throws(() => encodeResponse(req, 0, '成功', undefined, undefined, '2025'), { name: 'GatewayError', rc: 'INTERNAL_ERROR' });
});

t.test('an error response carries the code and no business fields, even when a body is given', async (t) => {
  const req = decodeHeader(Buffer.from(cs01Request.bytes));
  const out = encodeResponse(req, 2001, '无此用户', CS01_RESPONSE, { database: 1, dialect: 'x', serverTime: '20240601093001' });
  const r = decodeResponse(out, CS01_RESPONSE);
  t.equal(r.header.result, 2001);
  t.equal(r.message, '无此用户');
  t.equal(r.body, undefined);
  t.equal(out.length, 60 + 2 + 8);
});

t.test('encodeErrorResponse sends the GatewayError code and wire message', async (t) => {
  const req = { ...decodeHeader(Buffer.from(errorResponse.bytes)), kind: 1, result: 0 };
  const out = encodeErrorResponse(req, new GatewayError('NO_SUBSCRIBER', '13900000000'));
  t.equal(out.toString('hex'), Buffer.from(errorResponse.bytes).toString('hex'));
});

t.test('decodeResponse refuses a request frame, bytes after an error message, and a short message', async (t) => {
  t.throws(() => decodeResponse(Buffer.from(cs01Request.bytes)), { name: 'GatewayError', rc: 'MALFORMED_HEADER' });
  const extra = Buffer.concat([Buffer.from(errorResponse.bytes), Buffer.from([0])]);
  extra.writeUInt32BE(extra.length - 4, 0);
  t.throws(() => decodeResponse(extra), { name: 'GatewayError', rc: 'BODY_MISMATCH' });
  const cut = Buffer.from(cs01Response.bytes).subarray(0, 63);
  cut.writeUInt32BE(cut.length - 4, 0);
  t.throws(() => decodeResponse(cut, CS01_RESPONSE), { name: 'GatewayError', rc: 'BODY_MISMATCH' });
  const none = Buffer.from(cs01Response.bytes).subarray(0, 60);
  t.throws(() => decodeResponse(none), { name: 'GatewayError', rc: 'BODY_MISMATCH' });
});

t.test('a response message with invalid GBK is INVALID_FIELD', async (t) => {
  const b = Buffer.from(cs01Response.bytes);
  b[62] = 0xff; // first byte of 成功 → 0xff, never valid in GBK
  t.throws(() => decodeResponse(b, CS01_RESPONSE), { name: 'GatewayError', rc: 'INVALID_FIELD' });
});

t.test('a response message too long for uint16 is cut on a character boundary', async (t) => {
  const req = decodeHeader(Buffer.from(cs01Request.bytes));
  const out = encodeResponse(req, 9999, '错'.repeat(40000));
  const r = decodeResponse(out);
  t.equal(out.readUInt16BE(60), 65534);
  t.equal(r.message, '错'.repeat(32767));
});

t.test('encodeRequest checks the header values and the body strictly', async (t) => {
  const h = { biz: 101, seq: 1, serial: 'S', time: '20240601093000', operator: 'OP' };
  t.throws(() => encodeRequest({ ...h, serial: 'x'.repeat(21) }, [], {}), { name: 'GatewayError', rc: 'MALFORMED_HEADER' });
  t.throws(() => encodeRequest({ ...h, operator: '工号' }, [], {}), { name: 'GatewayError', rc: 'MALFORMED_HEADER' });
  t.throws(() => encodeRequest({ ...h, time: '2024-06-01' }, [], {}), { name: 'GatewayError', rc: 'MALFORMED_HEADER' });
  t.throws(() => encodeRequest({ ...h, seq: -1 }, [], {}), { name: 'GatewayError', rc: 'MALFORMED_HEADER' });
  t.throws(() => encodeRequest(h, [{ name: 'n', type: 'char', width: 2 }], { n: 'abc' }), { name: 'GatewayError', rc: 'INVALID_FIELD' });
});

t.test('a response field the handler got wrong is INTERNAL_ERROR, not a request error', async (t) => {
  const req = decodeHeader(Buffer.from(cs01Request.bytes));
  t.throws(() => encodeResponse(req, 0, '成功', CS01_RESPONSE, { database: 1, dialect: 'sqlite' }), {
    rc: 'INTERNAL_ERROR',
    message: /serverTime: missing/,
  });
});
