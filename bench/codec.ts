// Codec throughput: the CS-01 round trip the server does per request (decode the request header
// and body, encode the response) and a 200-record paged detail response (encode + decode).
// Each is compared with a hand-written Buffer read/write of the same fields, measured in the
// same run, so the ratio is meaningful on any machine. Prints one JSON object. Bounded: about
// 1.5 s per measurement, under 15 s in all.
import { decodeHeader, HEADER_SIZE } from '../protocol/header.js';
import { pagedResponse, type Layout, type BodyRecord } from '../protocol/layout.js';
import { decodeRequestBody, decodeResponse, encodeResponse } from '../protocol/message.js';
import { CS01_REQUEST, CS01_RESPONSE, DETAIL_ITEM, cs01Request } from '../test/fixtures/protocol/frames.js';

const MEASURE_MS = 1500;

function opsPerSec(fn: () => unknown): number {
  for (let i = 0; i < 2000; i++) fn(); // warm up
  let n = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(MEASURE_MS) * 1_000_000n;
  let now = start;
  while (now < end) {
    for (let i = 0; i < 200; i++) fn();
    n += 200;
    now = process.hrtime.bigint();
  }
  return Math.round(n / (Number(now - start) / 1e9));
}

let sink = 0; // keeps results alive so the work is not optimised away

// --- CS-01 round trip -------------------------------------------------------------------------
const reqFrame = Buffer.from(cs01Request.bytes);
const cs01Body: BodyRecord = { database: 1, dialect: 'sqlite', serverTime: '20240601093001' };
const OK_GBK = Buffer.from([0xb3, 0xc9, 0xb9, 0xa6]); // 成功

function cs01Codec(): void {
  const h = decodeHeader(reqFrame);
  decodeRequestBody(reqFrame, CS01_REQUEST);
  const out = encodeResponse(h, 0, '成功', CS01_RESPONSE, cs01Body);
  sink += out.length;
}

// Baseline: read the same header fields and write the same response by hand, no validation.
function cs01Baseline(): void {
  const f = reqFrame;
  const biz = f.readUInt16BE(6);
  const seq = f.readUInt32BE(8);
  const serial = f.toString('latin1', 12, 32).trimEnd();
  const time = f.toString('latin1', 32, 46);
  const operator = f.toString('latin1', 46, 56).trimEnd();
  if (f.length !== HEADER_SIZE) throw new Error('body');
  const out = Buffer.allocUnsafe(HEADER_SIZE + 29);
  out.writeUInt32BE(56 + 29, 0);
  out[4] = 1;
  out[5] = 2;
  out.writeUInt16BE(biz, 6);
  out.writeUInt32BE(seq, 8);
  out.fill(0x20, 12, 32).write(serial, 12, 'latin1');
  out.write(time, 32, 'latin1');
  out.fill(0x20, 46, 56).write(operator, 46, 'latin1');
  out.writeUInt32BE(0, 56);
  out.writeUInt16BE(4, 60);
  OK_GBK.copy(out, 62);
  out[66] = 1;
  out.fill(0x20, 67, 75).write('sqlite', 67, 'latin1');
  out.write('20240601093001', 75, 'latin1');
  sink += out.length;
}

// --- 200-record page --------------------------------------------------------------------------
const PAGE: Layout = pagedResponse(DETAIL_ITEM);
const items: BodyRecord[] = Array.from({ length: 200 }, (_, i) => ({
  start: `202405${String(1 + (i % 28)).padStart(2, '0')}08${String(i % 60).padStart(2, '0')}00`,
  peer: `138${String(10000000 + i).padStart(8, '0')}`,
  direction: i % 3 === 0 ? '短信' : '主叫',
  seconds: i * 7,
  fee: BigInt(i * 15 - 300),
}));
const pageBody: BodyRecord = { total: 5000, items };
const reqHeader = decodeHeader(reqFrame);
const pageFrame = encodeResponse(reqHeader, 0, '成功', PAGE, pageBody);
const DIRECTION = { 短信: Buffer.from([0xb6, 0xcc, 0xd0, 0xc5]), 主叫: Buffer.from([0xd6, 0xf7, 0xbd, 0xd0]) };
const dec = new TextDecoder('gbk');

function pageCodec(): void {
  const out = encodeResponse(reqHeader, 0, '成功', PAGE, pageBody);
  const r = decodeResponse(out, PAGE);
  sink += out.length + (r.body?.items as BodyRecord[]).length;
}

// Baseline: the same page written and read by hand (fixed 41-byte records, no validation).
function pageBaseline(): void {
  const out = Buffer.allocUnsafe(HEADER_SIZE + 2 + 4 + 4 + 2 + 200 * 41);
  out.fill(0, 0, HEADER_SIZE);
  out.writeUInt16BE(4, 60);
  OK_GBK.copy(out, 62);
  out.writeUInt32BE(5000, 66);
  out.writeUInt16BE(items.length, 70);
  let o = 72;
  for (const it of items) {
    out.write(it.start as string, o, 'latin1');
    out.fill(0x20, o + 14, o + 25).write(it.peer as string, o + 14, 'latin1');
    DIRECTION[it.direction as '短信' | '主叫'].copy(out, o + 25);
    out.writeUInt32BE(it.seconds as number, o + 29);
    out.writeBigInt64BE(it.fee as bigint, o + 33);
    o += 41;
  }
  const n = out.readUInt16BE(70);
  const back: BodyRecord[] = new Array(n);
  o = 72;
  for (let i = 0; i < n; i++) {
    back[i] = {
      start: out.toString('latin1', o, o + 14),
      peer: out.toString('latin1', o + 14, o + 25).trimEnd(),
      direction: dec.decode(out.subarray(o + 25, o + 29)),
      seconds: out.readUInt32BE(o + 29),
      fee: out.readBigInt64BE(o + 33),
    };
    o += 41;
  }
  sink += out.length + back.length;
}

const cs01 = { codec: opsPerSec(cs01Codec), baseline: opsPerSec(cs01Baseline) };
const page = { codec: opsPerSec(pageCodec), baseline: opsPerSec(pageBaseline) };
console.log(
  JSON.stringify(
    {
      bench: 'codec',
      unit: 'ops/s',
      cs01RoundTrip: { ...cs01, ratio: +(cs01.codec / cs01.baseline).toFixed(3) },
      page200EncodeDecode: { ...page, ratio: +(page.codec / page.baseline).toFixed(3), frameBytes: pageFrame.length },
      sink: sink > 0,
    },
    null,
    2,
  ),
);
