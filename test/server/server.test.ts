import t from 'tap';
import net from 'node:net';
import { startTestGateway } from '../helpers/gateway.js';
import { connectRaw } from '../helpers/raw.js';
import { BssClient } from '../../src/client.js';
import { encodeRequest } from '../../protocol/message.js';
import { GatewayError } from '../../protocol/return-codes.js';
import connectionCheck from '../../handlers/connection-check.js';
import { HANDLERS as ALL_HANDLERS } from '../../handlers/index.js';
import type { HandlerModule } from '../../src/types.js';
import { OPERATOR_NONE } from '../../src/context.js';
import type { Layout } from '../../protocol/layout-types.js';
import { SLEEP_REQ, SLEEP_RES, sleeper, req } from '../helpers/handlers.js';

// Test-only business types: one that throws a plain Error (a handler bug), one that refuses.
const thrower: HandlerModule = {
  biz: 60002,
  ids: [],
  name: 'test-throw',
  interfaces: ['cs'],
  request: [],
  response: [],
  async handle() {
    throw new TypeError('handler bug');
  },
};
const refuser: HandlerModule = {
  biz: 60003,
  ids: [],
  name: 'test-refuse',
  interfaces: ['cs'],
  request: [],
  response: [],
  async handle() {
    throw new GatewayError('NO_SUBSCRIBER', '13900000000');
  },
};
const HANDLERS = [...connectionCheck, sleeper, thrower, refuser];
const layouts = { request: SLEEP_REQ, response: SLEEP_RES };


t.test('CS-01 connection check answers over a real socket with database=1 and the dialect', async (t) => {
  const g = await startTestGateway();
  t.teardown(() => g.stop());
  const c = await BssClient.connect({ port: g.port });
  const r = await c.call('connection-check');
  t.equal(r.result, 0);
  t.equal(r.message, '成功');
  t.equal(r.body?.database, 1);
  t.equal(r.body?.dialect, 'sqlite');
  t.match(String(r.body?.serverTime), /^\d{14}$/);
  await c.close();
});

t.test('pipelined requests are answered in request order, each with its own seq', async (t) => {
  const g = await startTestGateway({ handlers: HANDLERS });
  t.teardown(() => g.stop());
  const peer = await connectRaw(g.port);
  // 40 requests in one write; early ones sleep longest, so they finish last.
  const n = 40;
  const seqs = Array.from({ length: n }, (_, i) => 1000 + i * 7);
  await peer.write(Buffer.concat(seqs.map((seq, i) => req(60001, seq, { ms: (n - i) * 3, tag: i }))));
  const rs = await peer.waitResponses(n, 5000, SLEEP_RES);
  t.same(rs.map((r) => r.header.seq), seqs, 'seq echoed, in order');
  t.same(rs.map((r) => r.body?.tag), seqs.map((_, i) => i), 'each answer belongs to its request');
  t.ok(rs.every((r) => r.header.kind === 2 && r.header.result === 0 && r.header.serial.startsWith('S')));
  peer.destroy();
});

t.test('issue 17 CS-01: the answers of pipelined requests read together leave together (a few socket writes, not one per answer), in order', async (t) => {
  const g = await startTestGateway();
  t.teardown(() => g.stop());
  const peer = await connectRaw(g.port);
  // Count the stream-level writes (each a system call) of the gateway's side of this connection.
  const clientPort = peer.socket.localPort;
  const proto = net.Socket.prototype as unknown as { _write: (...a: unknown[]) => unknown; _writev: (...a: unknown[]) => unknown };
  const { _write, _writev } = proto;
  let writes = 0;
  proto._write = function (this: net.Socket, ...a: unknown[]) {
    if (this.remotePort === clientPort) writes++;
    return _write.apply(this, a);
  };
  proto._writev = function (this: net.Socket, ...a: unknown[]) {
    if (this.remotePort === clientPort) writes++;
    return _writev.apply(this, a);
  };
  t.teardown(() => Object.assign(proto, { _write, _writev }));
  const n = 32;
  const seqs = Array.from({ length: n }, (_, i) => 500 + i);
  await peer.write(Buffer.concat(seqs.map((seq) => req(101, seq))));
  const rs = await peer.waitResponses(n, 5000);
  t.same(rs.map((r) => r.header.seq), seqs, 'every answer, in request order');
  t.ok(rs.every((r) => r.header.result === 0), 'each answered 0');
  // One read of the 32 frames, answered in one turn of the event loop: one write (a few if the
  // frames arrived in several reads). Written as each answer became ready, it was 32.
  t.ok(writes >= 1 && writes <= 4, `${writes} socket writes for ${n} pipelined answers`);
  // One request at a time: each answer written as soon as it is ready.
  writes = 0;
  await peer.write(req(101, 9001));
  await peer.waitResponses(n + 1, 5000);
  t.equal(writes, 1, 'a lone request: its answer in one write');
  peer.destroy();
});

t.test('max_pipeline bounds the requests in flight on one connection, even within one read', async (t) => {
  let running = 0;
  let peak = 0;
  const counting: HandlerModule<{ ms: number; tag: number }, { tag: number }> = {
    ...sleeper,
    async handle(req) {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, req.ms));
      running--;
      return { tag: req.tag };
    },
  };
  const g = await startTestGateway({ handlers: [...connectionCheck, counting], interfaces: [{ maxPipeline: 4 }] });
  t.teardown(() => g.stop());
  const peer = await connectRaw(g.port);
  // 50 requests in one write: one read carries them all.
  await peer.write(Buffer.concat(Array.from({ length: 50 }, (_, i) => req(60001, i + 1, { ms: 5, tag: i }))));
  const rs = await peer.waitResponses(50, 10_000, SLEEP_RES);
  t.same(rs.map((r) => r.header.seq), Array.from({ length: 50 }, (_, i) => i + 1), 'all answered, in order');
  t.equal(peak, 4, 'never more than max_pipeline handlers at once');
  peer.destroy();
});

t.test('frames held back by max_pipeline are answered before a framing error that followed them', async (t) => {
  const g = await startTestGateway({ handlers: HANDLERS, interfaces: [{ maxPipeline: 2, maxFrame: 1024 }] });
  t.teardown(() => g.stop());
  const peer = await connectRaw(g.port);
  const big = Buffer.alloc(4);
  big.writeUInt32BE(1 << 20);
  await peer.write(Buffer.concat([...Array.from({ length: 6 }, (_, i) => req(60001, i + 1, { ms: 10, tag: i })), big]));
  await peer.closed;
  t.same(peer.responses(SLEEP_RES).map((r) => r.header.seq), [1, 2, 3, 4, 5, 6]);
});

t.test('the client pipelines many calls on one connection', async (t) => {
  const g = await startTestGateway({ handlers: HANDLERS });
  t.teardown(() => g.stop());
  const c = await BssClient.connect({ port: g.port });
  const rs = await Promise.all(Array.from({ length: 200 }, (_, i) => c.call(60001, { ms: i % 5, tag: i }, { layouts })));
  t.same(rs.map((r) => r.body?.tag), Array.from({ length: 200 }, (_, i) => i));
  await c.close();
});

t.test('unknown business type gets 1003 and the connection stays usable', async (t) => {
  const g = await startTestGateway();
  t.teardown(() => g.stop());
  const peer = await connectRaw(g.port);
  await peer.write(Buffer.concat([req(4242, 1), req(101, 2)]));
  const rs = await peer.waitResponses(2, 5000);
  t.equal(rs[0].header.result, 1003);
  t.equal(rs[0].header.seq, 1);
  t.match(rs[0].message, /未知业务类型/);
  t.equal(rs[1].header.result, 0, 'CS-01 after it still answered');
  peer.destroy();
});

t.test('business type not served on this interface gets 1004', async (t) => {
  const g = await startTestGateway({ handlers: HANDLERS, interfaces: [{ name: 'card', kind: 'card', serves: [101] }] });
  t.teardown(() => g.stop());
  const c = await BssClient.connect({ port: g.port });
  const r = await c.call(60001, { ms: 1, tag: 1 }, { layouts });
  t.equal(r.result, 1004);
  const ok = await c.call('connection-check');
  t.equal(ok.result, 0, 'CS-01 is served on the card interface');
  await c.close();
});

t.test('serving a known but unimplemented business type is refused at start, naming file, section and key', async (t) => {
  // Every business type of the table has a handler now: a build without CS-25 (125) stands in
  // for a version that does not implement a type its configuration asks for.
  const started = startTestGateway({ handlers: ALL_HANDLERS.filter((h) => h.biz !== 125), interfaces: [{ name: 'cs', kind: 'cs', serves: [101, 125], file: 'h.ini' }] });
  t.teardown(async () => (await started.catch(() => undefined))?.stop());
  await t.rejects(
    started,
    /h\.ini: \[interface\.cs\] serves: business type 125 \(cancellation-reserve, CS-25\) is not implemented in this version; implemented: 101 \(connection-check\), 102 \(authenticate\)/,
  );
});

t.test("a handler's exception becomes 9999 and a typed refusal keeps its code; the decoder is untouched", async (t) => {
  const g = await startTestGateway({ handlers: HANDLERS });
  t.teardown(() => g.stop());
  const c = await BssClient.connect({ port: g.port });
  const r1 = await c.call(60002, {}, { layouts: { request: [], response: [] } });
  t.equal(r1.result, 9999);
  const r2 = await c.call(60003, {}, { layouts: { request: [], response: [] } });
  t.equal(r2.result, 2001);
  t.match(r2.message, /无此用户/);
  const r3 = await c.call('connection-check');
  t.equal(r3.result, 0, 'the same connection goes on');
  const err = await g.logLines('cs', 'err');
  t.ok(err.some((l) => l.includes('handler bug')), 'the bug is in err log');
  await c.close();
});

t.test('a handler slower than request_timeout is answered 9002 and later requests still get their answers in order', async (t) => {
  const g = await startTestGateway({ handlers: HANDLERS, interfaces: [{ requestTimeoutMs: 150 }] });
  t.teardown(() => g.stop());
  const c = await BssClient.connect({ port: g.port });
  const [slow, fast] = await Promise.all([c.call(60001, { ms: 2000, tag: 1 }, { layouts }), c.call('connection-check')]);
  t.equal(slow.result, 9002);
  t.match(slow.message, /处理超时/);
  t.equal(fast.result, 0);
  await c.close();
});

t.test('issue 17: read handlers timing out among fast ones (several in flight, pipelined) are each answered 9002, the rest 0, in request order; the next batch is timed as well', async (t) => {
  // The dispatcher tracks reads under request_timeout in a list: nodes leave it from the middle
  // (fast answers), at its head and tail (timeouts); a later batch must still be timed.
  const g = await startTestGateway({ handlers: HANDLERS, interfaces: [{ requestTimeoutMs: 300 }] });
  t.teardown(() => g.stop());
  const peer = await connectRaw(g.port);
  const slow = (seq: number) => req(60001, seq, { ms: 1500, tag: seq });
  const fast = (seq: number) => req(60001, seq, { ms: 0, tag: seq });
  await peer.write(Buffer.concat([slow(1), fast(2), slow(3), fast(4), fast(5), slow(6)]));
  const first = await peer.waitResponses(6, 10_000, SLEEP_RES);
  t.same(first.map((r) => [r.header.seq, r.header.result]), [[1, 9002], [2, 0], [3, 9002], [4, 0], [5, 0], [6, 9002]]);
  t.same(first.filter((r) => r.header.result === 0).map((r) => r.body?.tag), [2, 4, 5], 'each fast answer carries its own body');
  await peer.write(Buffer.concat([fast(7), slow(8), fast(9)]));
  const second = (await peer.waitResponses(9, 10_000, SLEEP_RES)).slice(6);
  t.same(second.map((r) => [r.header.seq, r.header.result]), [[7, 0], [8, 9002], [9, 0]]);
  peer.destroy();
});

t.test('a body that does not match its layout gets 1005; the connection goes on', async (t) => {
  const g = await startTestGateway({ handlers: HANDLERS });
  t.teardown(() => g.stop());
  const peer = await connectRaw(g.port);
  const bad = req(60001, 5, { ms: 1, tag: 1 });
  // Cut the body short by 2 bytes and fix the length field.
  const short = Buffer.from(bad.subarray(0, bad.length - 2));
  short.writeUInt32BE(short.length - 4, 0);
  await peer.write(Buffer.concat([short, req(101, 6)]));
  const rs = await peer.waitResponses(2);
  t.equal(rs[0].header.result, 1005);
  t.equal(rs[0].header.seq, 5);
  t.equal(rs[1].header.result, 0);
  peer.destroy();
});

t.test('an unsupported version gets 1002 after earlier answers, then the close', async (t) => {
  const g = await startTestGateway();
  t.teardown(() => g.stop());
  const peer = await connectRaw(g.port);
  const bad = req(101, 8);
  bad.writeUInt8(9, 4);
  await peer.write(Buffer.concat([req(101, 7), bad, req(101, 9)]));
  await peer.closed;
  const rs = peer.responses();
  t.same(rs.map((r) => [r.header.seq, r.header.result]), [[7, 0], [8, 1002]], 'seq 9 after the bad frame is not read');
});

t.test('a frame length above max_frame closes the connection before the body is sent', async (t) => {
  const g = await startTestGateway({ interfaces: [{ maxFrame: 1024 }] });
  t.teardown(() => g.stop());
  const peer = await connectRaw(g.port);
  // Only the length field of a 1 GiB frame: the server must not wait for (or buffer) the rest.
  const len = Buffer.alloc(4);
  len.writeUInt32BE(1 << 30);
  await peer.write(len);
  const c = await peer.closed;
  t.ok(c.ms < 3000, `closed after ${c.ms} ms`);
  t.equal(peer.received().length, 0, 'nothing to answer: no header was readable');
  const err = await g.logLines('cs', 'err');
  t.ok(err.some((l) => l.includes('"code":1008')), 'logged with 1008');
});

t.test('an oversize frame whose header is readable is answered 1008 with its seq, then closed', async (t) => {
  const g = await startTestGateway({ interfaces: [{ maxFrame: 1024 }] });
  t.teardown(() => g.stop());
  const peer = await connectRaw(g.port);
  const f = req(101, 77);
  const big = Buffer.concat([f, Buffer.alloc(64)]);
  big.writeUInt32BE(5000, 0);
  await peer.write(big);
  await peer.closed;
  const rs = peer.responses();
  t.equal(rs.length, 1);
  t.equal(rs[0].header.seq, 77);
  t.equal(rs[0].header.result, 1008);
});

t.test('frames before an oversize length in the same chunk are answered first, then the close', async (t) => {
  const g = await startTestGateway({ interfaces: [{ maxFrame: 1024 }] });
  t.teardown(() => g.stop());
  const peer = await connectRaw(g.port);
  const big = Buffer.alloc(4);
  big.writeUInt32BE(1 << 20);
  await peer.write(Buffer.concat([req(101, 1), req(101, 2), big]));
  await peer.closed;
  t.same(peer.responses().map((r) => [r.header.seq, r.header.result]), [[1, 0], [2, 0]]);
});

t.test('slowloris: a frame started but not finished is cut at frame_timeout', async (t) => {
  const g = await startTestGateway({ interfaces: [{ frameTimeoutMs: 300, idleTimeoutMs: 10_000 }] });
  t.teardown(() => g.stop());
  const peer = await connectRaw(g.port);
  const f = req(101, 1);
  await peer.write(f.subarray(0, 30));
  // Trickle a byte every 100 ms: activity must not extend the frame deadline (300 ms), so the
  // close comes long before the 2 s of trickling end.
  let at = 30;
  const trickle = setInterval(() => {
    if (at < f.length - 1) peer.socket.write(f.subarray(at, ++at));
  }, 100);
  const c = await peer.closed;
  clearInterval(trickle);
  t.ok(c.ms >= 250 && c.ms < 1500, `closed after ${c.ms} ms`);
  t.equal(peer.received().length, 0);
});

t.test('connect-and-say-nothing is cut at idle_timeout', async (t) => {
  const g = await startTestGateway({ interfaces: [{ idleTimeoutMs: 300 }] });
  t.teardown(() => g.stop());
  const peer = await connectRaw(g.port);
  const c = await peer.closed;
  t.ok(c.ms >= 250 && c.ms < 3000, `closed after ${c.ms} ms`);
});

t.test('OP-05 connection limit: the refused client gets 9003 then the close; the refusal is counted and logged', async (t) => {
  const g = await startTestGateway({ interfaces: [{ maxConnections: 2 }] });
  t.teardown(() => g.stop());
  const a = await BssClient.connect({ port: g.port });
  const b = await BssClient.connect({ port: g.port });
  t.equal((await a.call('connection-check')).result, 0);
  t.equal((await b.call('connection-check')).result, 0);
  const third = await connectRaw(g.port);
  await third.closed;
  const rs = third.responses();
  t.equal(rs.length, 1);
  t.equal(rs[0].header.result, 9003);
  t.equal(rs[0].header.seq, 0);
  t.equal(g.gateway.stats()[0].refusedLimit, 1);
  const err = await g.logLines('cs', 'err');
  t.ok(err.some((l) => l.includes('too many connections')));
  // Room again once one leaves.
  await a.close();
  await new Promise((r) => setTimeout(r, 50));
  const d = await BssClient.connect({ port: g.port });
  t.equal((await d.call('connection-check')).result, 0);
  await Promise.all([b.close(), d.close()]);
});

t.test('an address outside the allowlist is closed before any byte is parsed', async (t) => {
  const g = await startTestGateway({ interfaces: [{ allow: ['10.0.0.0/8', '192.168.1.7'] }] });
  t.teardown(() => g.stop());
  const peer = await connectRaw(g.port);
  await peer.write(req(101, 1)).catch(() => undefined);
  await peer.closed;
  t.equal(peer.received().length, 0, 'no answer at all');
  t.equal(g.gateway.stats()[0].refusedAllow, 1);
  const q = await g.logLines('cs', 'query');
  t.equal(q.length, 0, 'the request was never parsed');
});

t.test('an address inside the allowlist (CIDR) is served', async (t) => {
  const g = await startTestGateway({ interfaces: [{ allow: ['127.0.0.0/8'] }] });
  t.teardown(() => g.stop());
  const c = await BssClient.connect({ port: g.port });
  t.equal((await c.call('connection-check')).result, 0);
  await c.close();
});

t.test('a client that half-closes after pipelining still gets every answer', async (t) => {
  const g = await startTestGateway({ handlers: HANDLERS });
  t.teardown(() => g.stop());
  const peer = await connectRaw(g.port);
  await peer.write(Buffer.concat([1, 2, 3].map((s) => req(60001, s, { ms: 50, tag: s }))));
  peer.socket.end();
  await peer.closed;
  t.same(peer.responses(SLEEP_RES).map((r) => r.body?.tag), [1, 2, 3]);
});

t.test('graceful stop answers every request in flight, then closes', async (t) => {
  const g = await startTestGateway({ handlers: HANDLERS });
  t.teardown(() => g.stop());
  const peer = await connectRaw(g.port);
  await peer.write(Buffer.concat(Array.from({ length: 10 }, (_, i) => req(60001, i + 1, { ms: 200, tag: i }))));
  await new Promise((r) => setTimeout(r, 50));
  const stopped = g.gateway.stop(5_000);
  await peer.closed;
  await stopped;
  t.same(peer.responses(SLEEP_RES).map((r) => r.header.seq), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  await t.rejects(connectRaw(g.port), 'no longer accepting');
});

t.test('a client that never reads its answers is closed at drain_timeout', async (t) => {
  const g = await startTestGateway({ interfaces: [{ drainTimeoutMs: 500, maxPipeline: 1_000_000, idleTimeoutMs: 60_000 }] });
  t.teardown(() => g.stop());
  const peer = await connectRaw(g.port);
  peer.socket.pause();
  // Keep sending until the answers overflow both kernel buffers (their size depends on the
  // machine's TCP autotuning), bounded at 60 s: on a loaded machine the server reads slowly, and
  // the bound only stops a hang (a working server closes the connection within a second or two).
  const one = req(101, 1);
  const burst = Buffer.concat(Array.from({ length: 5_000 }, () => one));
  let closedYet = false;
  void peer.closed.then(() => (closedYet = true));
  const until = Date.now() + 60_000;
  void (async () => {
    while (!closedYet && Date.now() < until) {
      if (peer.socket.writableLength < 1 << 20) peer.socket.write(burst);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  let hangTimer: NodeJS.Timeout | undefined;
  const c = await Promise.race([peer.closed, new Promise<'hang'>((r) => (hangTimer = setTimeout(() => r('hang'), 75_000)))]);
  clearTimeout(hangTimer);
  t.not(c, 'hang', 'the server closed the connection');
  const err = await g.logLines('cs', 'err');
  t.ok(err.some((l) => l.includes('did not read its answers')));
});

t.test('a canary password in a request never reaches a log file', async (t) => {
  const SECRET_REQ: Layout = [{ name: 'svcnum', type: 'char', width: 11 }, { name: 'password', type: 'char', width: 8, secret: true }];
  const authLike: HandlerModule = {
    biz: 60004,
    ids: [],
    name: 'test-auth',
    interfaces: ['cs'],
    request: SECRET_REQ,
    response: [],
    async handle() {
      throw new GatewayError('WRONG_PASSWORD');
    },
  };
  const g = await startTestGateway({ handlers: [...connectionCheck, authLike] });
  t.teardown(() => g.stop());
  const c = await BssClient.connect({ port: g.port });
  const r = await c.call(60004, { svcnum: '13912345678', password: 'Zq7#kP2x' }, { layouts: { request: SECRET_REQ, response: [] } });
  t.equal(r.result, 2002);
  // And a malformed one carrying the canary in a broken body.
  const f = encodeRequest({ biz: 60004, seq: 9, serial: 'x', time: '20261122120000', operator: 'op' }, SECRET_REQ, { svcnum: '13912345678', password: 'Zq7#kP2x' });
  const broken = Buffer.concat([f, Buffer.from('Zq7#kP2x')]);
  broken.writeUInt32BE(broken.length - 4, 0);
  c.writeRaw(broken);
  // Answers come in order: once this one is back, the broken frame has been read and logged.
  t.equal((await c.call('connection-check')).result, 0);
  const all = await g.allLogText();
  t.ok(all.includes('13912345678'), 'the request was logged');
  t.notOk(all.includes('Zq7#'), 'the password was not, not even partly');
  await c.close();
});


t.test('a blank header operator reaches handlers as OPERATOR_NONE, never empty (Oracle stores an empty OPERATOR as NULL)', async (t) => {
  const RES: Layout = [{ name: 'operator', type: 'char', width: 10 }, { name: 'business', type: 'char', width: 20 }];
  const echoOperator: HandlerModule = {
    biz: 60005,
    ids: [],
    name: 'test-operator',
    interfaces: ['cs'],
    request: [],
    response: RES,
    async handle(_req, ctx) {
      return { operator: ctx.operator, business: ctx.business.name };
    },
  };
  const g = await startTestGateway({ handlers: [...connectionCheck, echoOperator] });
  t.teardown(() => g.stop());
  const c = await BssClient.connect({ port: g.port });
  t.teardown(() => c.close());
  const layouts = { request: [], response: RES };
  const blank = await c.call(60005, {}, { layouts, operator: '' });
  t.equal(blank.body?.operator, OPERATOR_NONE);
  t.equal(OPERATOR_NONE, '-');
  t.equal(blank.body?.business, 'test-operator', 'the context names the business type served');
  const named = await c.call(60005, {}, { layouts, operator: 'KF1001' });
  t.equal(named.body?.operator, 'KF1001');
});
