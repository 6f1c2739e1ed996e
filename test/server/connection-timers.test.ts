// Connection timers vs our own pauses, error ordering after a bad header, and 1003 vs 1004.
import t from 'tap';
import { startTestGateway } from '../helpers/gateway.js';
import { connectRaw } from '../helpers/raw.js';
import connectionCheck from '../../handlers/connection-check.js';
import { HANDLERS as ALL_HANDLERS } from '../../handlers/index.js';
import { SLEEP_RES, sleeper, req } from '../helpers/handlers.js';

const HANDLERS = [...connectionCheck, sleeper];


t.test('a pipeline paused by max_pipeline must not be cut by frame_timeout (the client cannot finish the frame while we do not read)', async (t) => {
  const g = await startTestGateway({
    handlers: HANDLERS,
    interfaces: [{ maxPipeline: 2, frameTimeoutMs: 300, requestTimeoutMs: 5_000, idleTimeoutMs: 30_000 }],
  });
  t.teardown(() => g.stop());
  const peer = await connectRaw(g.port);
  const third = req(60001, 3, { ms: 1, tag: 3 });
  // Two slow requests fill the pipeline; the first 30 bytes of a third frame arrive in the same read.
  await peer.write(Buffer.concat([req(60001, 1, { ms: 800, tag: 1 }), req(60001, 2, { ms: 800, tag: 2 }), third.subarray(0, 30)]));
  // The client finishes the frame promptly (50 ms); the gateway is not reading (pipeline full).
  await new Promise((r) => setTimeout(r, 50));
  await peer.write(third.subarray(30));
  const outcome = await Promise.race([
    peer.waitResponses(3, 4000, SLEEP_RES).then((rs) => rs.map((r) => r.header.seq)),
    peer.closed.then(() => 'closed' as const),
  ]);
  t.same(outcome, [1, 2, 3], 'every request answered; got: ' + JSON.stringify(outcome) + ' answers=' + peer.responses(SLEEP_RES).length);
  const err = await g.logLines('cs', 'err');
  t.notOk(err.some((l) => l.includes('frame not completed')), 'not cut as a slowloris');
  peer.destroy();
});

t.test('after a bad header, bytes of a following frame must not re-arm frame_timeout and drop earlier answers', async (t) => {
  const g = await startTestGateway({
    handlers: HANDLERS,
    interfaces: [{ frameTimeoutMs: 300, requestTimeoutMs: 5_000, idleTimeoutMs: 30_000 }],
  });
  t.teardown(() => g.stop());
  const peer = await connectRaw(g.port);
  const bad = req(101, 2);
  bad.writeUInt8(9, 4); // version 9 → 1002
  const next = req(101, 3);
  // seq 1 is slow (800 ms), seq 2 has a bad version, then part of seq 3 in the same read.
  await peer.write(Buffer.concat([req(60001, 1, { ms: 800, tag: 1 }), bad, next.subarray(0, 20)]));
  const c = await Promise.race([peer.closed, new Promise<'hang'>((r) => setTimeout(() => r('hang'), 5000))]);
  t.not(c, 'hang');
  const rs = peer.responses(); // no layout: seq 1's body is not decoded
  t.same(
    rs.map((r) => [r.header.seq, r.header.result]),
    [[1, 0], [2, 1002]],
    'SPEC: earlier requests answered first, then the 1002, then the close',
  );
});

t.test('a business type in the table but not served here is 1004, not 1003 (SPEC section 8)', async (t) => {
  // Every type of the table has a handler now: a build without CS-25 (125) stands in for a
  // version that does not implement it.
  const handlers = ALL_HANDLERS.filter((h) => h.biz !== 125);
  const g = await startTestGateway({ handlers });
  t.teardown(() => g.stop());
  const peer = await connectRaw(g.port);
  t.notOk(handlers.some((h) => h.biz === 125), '125 has no handler in this build');
  await peer.write(req(125, 1));
  const rs = await peer.waitResponses(1, 3000);
  t.equal(rs[0].header.result, 1004, `got ${rs[0].header.result} ${rs[0].message}`);
  peer.destroy();
});
