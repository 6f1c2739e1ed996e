import t from 'tap';
import {
  decodeHeader,
  encodeHeader,
  writeHeader,
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

t.test('issue 17, CS-01: decodeHeader gives each frame its own time and operator (the last values are reused only for the same bytes)', async (t) => {
  const make = (time: string, operator: string): Buffer => {
    const f = frame();
    f.write(time, TIME_OFFSET, TIME_SIZE, 'latin1');
    f.fill(0x20, OPERATOR_OFFSET, OPERATOR_OFFSET + OPERATOR_SIZE);
    f.write(operator, OPERATOR_OFFSET, OPERATOR_SIZE, 'latin1');
    return f;
  };
  const cases: [string, string][] = [
    ['20240601093001', 'OP001'], ['20240601093001', 'OP001'], ['20240601093002', 'OP001'], ['20240601093002', 'OP002'],
    ['20240601093002', 'OP00'], ['20240601093002', ''], ['20240601093002', 'OP002 X'], ['20240601093001', 'OP001'], ['20240601093001', 'ABCDEFGHIJ'],
  ];
  for (const [time, operator] of cases) {
    const f = make(time, operator);
    const h = decodeHeader(f);
    t.equal(h.time, time);
    t.equal(h.operator, operator);
    // Overwriting the frame afterwards does not change the strings already returned.
    f.fill(0x39, TIME_OFFSET, OPERATOR_OFFSET);
    t.equal(h.time, time);
  }
});

t.test('issue 17, CS-01: writeHeaderFields writes what Buffer#write/#fill and the writeUInt methods wrote', async (t) => {
  const reference = (h: Parameters<typeof encodeHeader>[0], bodyLength: number): Buffer => {
    const b = Buffer.alloc(HEADER_SIZE, 0xaa);
    b.writeUInt32BE(MIN_FRAME_LENGTH + bodyLength, 0);
    b[4] = h.version;
    b[5] = h.kind;
    b.writeUInt16BE(h.biz, 6);
    b.writeUInt32BE(h.seq, 8);
    const pad = (at: number, s: string, w: number) => b.fill(0x20, at + b.write(s, at, w, 'latin1'), at + w);
    pad(SERIAL_OFFSET, h.serial, SERIAL_SIZE);
    b.write(h.time, TIME_OFFSET, TIME_SIZE, 'latin1');
    pad(OPERATOR_OFFSET, h.operator, OPERATOR_SIZE);
    b.writeUInt16BE(h.result, RESULT_OFFSET);
    b.writeUInt16BE(h.reserved, RESULT_OFFSET + 2);
    return b;
  };
  const headers = [
    { version: 1, kind: 2, biz: 0, seq: 0, serial: '', time: '20240601093001', operator: '', result: 0, reserved: 0 },
    { version: 1, kind: 2, biz: 65535, seq: 4294967295, serial: 'X'.repeat(SERIAL_SIZE), time: '99991231235959', operator: 'Y'.repeat(OPERATOR_SIZE), result: 65535, reserved: 65535 },
    { version: 1, kind: 1, biz: 101, seq: 16909060, serial: 'CS2024060100000001', time: '20240601093001', operator: 'OP001', result: 9004, reserved: 0 },
    { version: 1, kind: 2, biz: 258, seq: 7, serial: 'a b~', time: '00000000000000', operator: ' x ', result: 2001, reserved: 1 },
  ];
  for (const h of headers) {
    for (const bodyLength of [0, 1, 255, 256, 70000, 2 ** 31]) {
      const b = Buffer.alloc(HEADER_SIZE, 0xaa);
      writeHeader(b, 0, h, bodyLength);
      t.same([...b], [...reference(h, bodyLength)], `${h.serial} ${bodyLength}`);
    }
  }
});
