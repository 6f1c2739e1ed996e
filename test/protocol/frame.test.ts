import t from 'tap';
import { FrameDecoder, FrameError } from '../../protocol/frame.js';
import { HEADER_SIZE, MIN_FRAME_LENGTH } from '../../protocol/header.js';
import { GatewayError } from '../../protocol/return-codes.js';
import { FIXTURES, cs01Request } from '../fixtures/protocol/frames.js';

const MAX = 65536;
const all = FIXTURES.map((f) => Buffer.from(f.bytes));

function frameOfLength(length: number): Buffer {
  const b = Buffer.alloc(4 + length, 0x20);
  Buffer.from(cs01Request.bytes).copy(b, 0, 0, Math.min(HEADER_SIZE, b.length));
  b.writeUInt32BE(length, 0);
  return b;
}

t.test('every fixture split at every byte offset gives back the same frame', async (t) => {
  for (const [i, bytes] of all.entries()) {
    for (let cut = 0; cut <= bytes.length; cut++) {
      const d = new FrameDecoder({ maxFrame: MAX });
      const got = [...d.push(bytes.subarray(0, cut)), ...d.push(bytes.subarray(cut))];
      if (got.length !== 1 || !got[0].equals(bytes)) {
        t.fail(`fixture ${FIXTURES[i].name} split at ${cut}`);
        return;
      }
      t.equal(d.pending, 0);
    }
  }
  t.pass('all splits');
});

t.test('all fixtures coalesced into one chunk come out as the same frames in order', async (t) => {
  const d = new FrameDecoder({ maxFrame: MAX });
  const got = d.push(Buffer.concat(all));
  t.equal(got.length, all.length);
  got.forEach((f, i) => t.ok(f.equals(all[i]), FIXTURES[i].name));
  t.equal(d.pending, 0);
});

t.test('the coalesced stream fed byte by byte gives the same frames, and pending counts held bytes', async (t) => {
  const stream = Buffer.concat(all);
  const d = new FrameDecoder({ maxFrame: MAX });
  const got: Buffer[] = [];
  let maxPending = 0;
  for (let i = 0; i < stream.length; i++) {
    got.push(...d.push(stream.subarray(i, i + 1)));
    maxPending = Math.max(maxPending, d.pending);
  }
  t.equal(got.length, all.length);
  got.forEach((f, i) => t.ok(f.equals(all[i])));
  t.equal(d.pending, 0);
  t.equal(maxPending, Math.max(...all.map((b) => b.length)) - 1);
});

t.test('the coalesced stream cut at every offset into three chunks gives the same frames', async (t) => {
  const stream = Buffer.concat(all.slice(0, 3));
  let bad = 0;
  for (let a = 0; a <= stream.length; a += 3) {
    for (let b = a; b <= stream.length; b += 5) {
      const d = new FrameDecoder({ maxFrame: MAX });
      const got = [...d.push(stream.subarray(0, a)), ...d.push(stream.subarray(a, b)), ...d.push(stream.subarray(b))];
      if (!Buffer.concat(got).equals(stream) || got.length !== 3) bad++;
    }
  }
  t.equal(bad, 0);
});

t.test('a length of exactly 56 (header only) is a frame', async (t) => {
  const d = new FrameDecoder({ maxFrame: MAX });
  const f = frameOfLength(MIN_FRAME_LENGTH);
  t.same(d.push(f), [f]);
});

t.test('a length below 56 is FRAME_TOO_SHORT as soon as the length field is there, without a header', async (t) => {
  const d = new FrameDecoder({ maxFrame: MAX });
  t.same(d.push(Buffer.from([0, 0, 0])), []);
  t.equal(d.pending, 3);
  const err = t.throws(() => d.push(Buffer.from([55]))) as FrameError;
  t.ok(err instanceof FrameError && err instanceof GatewayError);
  t.equal(err.rc, 'FRAME_TOO_SHORT');
  t.equal(err.code, 1007);
  t.equal(err.header, undefined);
  t.equal(err.length, 55);
});

t.test('a length of exactly maxFrame is a frame; maxFrame + 1 is FRAME_TOO_LARGE before the body arrives', async (t) => {
  const max = 1000;
  const ok = frameOfLength(max);
  t.same(new FrameDecoder({ maxFrame: max }).push(ok), [ok]);
  const d = new FrameDecoder({ maxFrame: max });
  const big = frameOfLength(max + 1);
  const err = t.throws(() => d.push(big.subarray(0, 4))) as FrameError;
  t.equal(err.rc, 'FRAME_TOO_LARGE');
  t.equal(err.header, undefined, 'no header yet: only 4 bytes arrived');
  t.equal(d.pending, 0, 'nothing is held after the error');
});

t.test('FRAME_TOO_LARGE carries the decoded header when 60 bytes of the frame are buffered', async (t) => {
  const d = new FrameDecoder({ maxFrame: 100 });
  const big = frameOfLength(5000);
  // the header arrives in two chunks: it is gathered across them
  t.same(d.push(big.subarray(0, 2)), []);
  const err = t.throws(() => d.push(big.subarray(2, 70))) as FrameError;
  t.equal(err.rc, 'FRAME_TOO_LARGE');
  t.equal(err.header?.seq, 1);
  t.equal(err.header?.biz, 101);
});

t.test('FRAME_TOO_LARGE has no header when the header bytes do not decode', async (t) => {
  const big = frameOfLength(5000);
  big[4] = 9; // version 9
  const err = t.throws(() => new FrameDecoder({ maxFrame: 100 }).push(big)) as FrameError;
  t.equal(err.rc, 'FRAME_TOO_LARGE');
  t.equal(err.header, undefined);
});

t.test('after an error the decoder is dead: every later push throws the same error', async (t) => {
  const d = new FrameDecoder({ maxFrame: 100 });
  const first = t.throws(() => d.push(Buffer.from([0, 0, 0, 1])));
  const again = t.throws(() => d.push(Buffer.from(cs01Request.bytes)));
  t.equal(again, first);
  t.equal(d.failed, first);
});

t.test('frames before a bad length in the same chunk are handed over on the error', async (t) => {
  const good = Buffer.from(cs01Request.bytes);
  const d = new FrameDecoder({ maxFrame: 100 });
  const err = t.throws(() => d.push(Buffer.concat([good, good, Buffer.from([0, 0, 0, 0])]))) as FrameError;
  t.equal(err.frames.length, 2);
  t.ok(err.frames[1].equals(good));
  const d2 = new FrameDecoder({ maxFrame: 100 });
  d2.push(good.subarray(0, 10));
  const err2 = t.throws(() => d2.push(Buffer.concat([good.subarray(10), Buffer.from([0xff, 0xff, 0xff, 0xff])]))) as FrameError;
  t.equal(err2.frames.length, 1);
  t.equal(err2.rc, 'FRAME_TOO_LARGE');
});

t.test('a frame arriving byte by byte is assembled without quadratic copying', async (t) => {
  // Count bytes copied by Buffer.prototype.copy: linear means about one copy of the frame.
  const size = 60000;
  const f = frameOfLength(size - 4);
  const d = new FrameDecoder({ maxFrame: MAX });
  const orig = Buffer.prototype.copy;
  let copied = 0;
  Buffer.prototype.copy = function (this: Buffer, ...args: Parameters<Buffer['copy']>) {
    const n = orig.apply(this, args);
    copied += n;
    return n;
  };
  let out: Buffer[] = [];
  try {
    for (let i = 0; i < size; i++) out = d.push(f.subarray(i, i + 1));
  } finally {
    Buffer.prototype.copy = orig;
  }
  t.equal(out.length, 1);
  t.ok(out[0].equals(f));
  t.ok(copied <= 2 * size, `copied ${copied} bytes for a ${size}-byte frame`);
});

t.test('an empty chunk changes nothing', async (t) => {
  const d = new FrameDecoder({ maxFrame: MAX });
  t.same(d.push(Buffer.alloc(0)), []);
  d.push(Buffer.from(cs01Request.bytes).subarray(0, 5));
  t.same(d.push(Buffer.alloc(0)), []);
  t.equal(d.pending, 5);
});

t.test('maxFrame below 56 is refused', async (t) => {
  t.throws(() => new FrameDecoder({ maxFrame: 55 }), RangeError);
});
