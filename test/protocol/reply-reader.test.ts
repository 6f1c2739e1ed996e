// protocol/reply-reader.ts: how the typed client (src/client.ts) and the card-system simulator
// (src/sim/card.ts) read replies: whole frames out of the bytes as they come, each header decoded,
// a bad length field or header reported (for the caller to close), seq numbers that skip 0.
import t, { type Test } from 'tap';
import { ReplyReader } from '../../protocol/reply-reader.js';
import type { Header } from '../../protocol/header.js';
import { cs01Response } from '../fixtures/protocol/frames.js';

const reply = Buffer.from(cs01Response.bytes);

function read(t: Test, r: ReplyReader, chunk: Buffer): { got: Header[]; bad: ReturnType<ReplyReader['push']> } {
  const got: Header[] = [];
  const bad = r.push(chunk, (h, frame) => {
    t.same(frame, reply, 'the whole frame, its length field included');
    got.push(h);
  });
  return { got, bad };
}

t.test('CS-01: replies split at every byte offset and several in one chunk are read whole, in order', async (t) => {
  for (let cut = 0; cut <= reply.length; cut++) {
    const r = new ReplyReader(65536);
    const a = read(t, r, reply.subarray(0, cut));
    const b = read(t, r, Buffer.concat([reply.subarray(cut), reply]));
    t.equal(a.bad ?? b.bad, undefined);
    t.same([...a.got, ...b.got].map((h) => h.seq), [cs01Response.header.seq, cs01Response.header.seq], `cut at ${cut}`);
  }
});

t.test('a bad header is reported after the replies before it; a bad length field at once', async (t) => {
  const badVersion = Buffer.from(reply);
  badVersion[4] = 9;
  const r = new ReplyReader(65536);
  const x = read(t, r, Buffer.concat([reply, badVersion]));
  t.equal(x.got.length, 1, 'the good reply first');
  t.equal(x.bad?.what, 'header');
  t.match(x.bad?.message, /version/i);

  const tooLarge = Buffer.alloc(8);
  tooLarge.writeUInt32BE(100_000);
  const y = read(t, new ReplyReader(65536), tooLarge);
  t.same(y.got, []);
  t.equal(y.bad?.what, 'frame');
});

t.test('reset forgets a half-read reply of the old connection', async (t) => {
  const r = new ReplyReader(65536);
  read(t, r, reply.subarray(0, 20));
  r.reset();
  const x = read(t, r, reply);
  t.equal(x.bad, undefined);
  t.equal(x.got.length, 1);
});

t.test('seq: 1, 2, … 0xffffffff, then 1 again, never 0 (the server speaking unasked)', async (t) => {
  const r = new ReplyReader(65536);
  t.same([r.nextSeq(), r.nextSeq()], [1, 2]);
  (r as unknown as { seq: number }).seq = 0xfffffffe;
  t.same([r.nextSeq(), r.nextSeq(), r.nextSeq()], [0xfffffffe, 0xffffffff, 1]);
});
