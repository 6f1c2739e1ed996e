import t from 'tap';
import {
  decodeHeader,
  encodeHeader,
  HEADER_SIZE,
  KIND_REQUEST,
  KIND_RESPONSE,
  MIN_FRAME_LENGTH,
  OPERATOR_OFFSET,
  SERIAL_OFFSET,
  SERIAL_SIZE,
  TIME_OFFSET,
  TIME_SIZE,
  OPERATOR_SIZE,
  RESULT_OFFSET,
} from '../../protocol/header.js';
import { cs01Request } from '../fixtures/protocol/frames.js';

const frame = () => Buffer.from(cs01Request.bytes);

t.test('the header widths add up to 60 bytes and the length minimum to 56', async (t) => {
  t.equal(HEADER_SIZE, 60);
  t.equal(MIN_FRAME_LENGTH, 56);
  t.equal(SERIAL_OFFSET + SERIAL_SIZE, TIME_OFFSET);
  t.equal(TIME_OFFSET + TIME_SIZE, OPERATOR_OFFSET);
  t.equal(OPERATOR_OFFSET + OPERATOR_SIZE, RESULT_OFFSET);
  t.equal(KIND_REQUEST, 1);
  t.equal(KIND_RESPONSE, 2);
});

t.test('decodeHeader strips the trailing spaces of serial and operator', async (t) => {
  const h = decodeHeader(frame());
  t.equal(h.serial, 'CS2024060100000001');
  t.equal(h.operator, 'OP001');
});

t.test('a version other than 1 is UNSUPPORTED_VERSION', async (t) => {
  for (const v of [0, 2, 255]) {
    const b = frame();
    b[4] = v;
    t.throws(() => decodeHeader(b), { name: 'GatewayError', rc: 'UNSUPPORTED_VERSION', code: 1002 });
  }
});

t.test('non-printable or non-ASCII serial and operator bytes are MALFORMED_HEADER', async (t) => {
  for (const [at, byte] of [
    [SERIAL_OFFSET, 0x00],
    [SERIAL_OFFSET + 19, 0x80],
    [OPERATOR_OFFSET, 0x1f],
    [OPERATOR_OFFSET + 9, 0x7f],
  ]) {
    const b = frame();
    b[at] = byte;
    t.throws(() => decodeHeader(b), { name: 'GatewayError', rc: 'MALFORMED_HEADER' }, `byte 0x${byte.toString(16)} at ${at}`);
  }
});

t.test('a time that is not 14 digits is MALFORMED_HEADER', async (t) => {
  for (const at of [TIME_OFFSET, TIME_OFFSET + 13]) {
    const b = frame();
    b[at] = 0x20;
    t.throws(() => decodeHeader(b), { name: 'GatewayError', rc: 'MALFORMED_HEADER' });
  }
});

t.test('a frame shorter than the 60-byte header is FRAME_TOO_SHORT', async (t) => {
  t.throws(() => decodeHeader(frame().subarray(0, 59)), { name: 'GatewayError', rc: 'FRAME_TOO_SHORT' });
});

t.test('encodeHeader writes the fixture header and announces the body length', async (t) => {
  const h = decodeHeader(frame());
  t.equal(encodeHeader(h).toString('hex'), frame().toString('hex'));
  t.equal(encodeHeader(h, 10).readUInt32BE(0), 66);
  t.throws(() => encodeHeader({ ...h, biz: 70000 }), { name: 'GatewayError', rc: 'MALFORMED_HEADER' });
});
