// Bad input over real sockets: 300 connections, each sending a seeded mix of valid requests and
// random or mutated frames, in random chunk sizes. The gateway must answer or close every one of
// them (no hang), keep every answer's seq in order, never crash, and still serve afterwards.
import t from 'tap';
import { startTestGateway } from '../helpers/gateway.js';
import { connectRaw } from '../helpers/raw.js';
import { BssClient } from '../../src/client.js';
import { encodeRequest } from '../../protocol/message.js';
import { FrameDecoder } from '../../protocol/frame.js';
import { decodeHeader } from '../../protocol/header.js';
import { makeInput, prng } from '../fixtures/protocol/fuzz.js';

const CONNECTIONS = 300;

t.test('CS-01: 300 connections of random and mutated frames: each answered or closed, server still serves', async (t) => {
  const g = await startTestGateway({ interfaces: [{ maxFrame: 4096, frameTimeoutMs: 500, idleTimeoutMs: 2_000 }] });
  t.teardown(() => g.stop());
  const rand = prng(20261122);
  let answered = 0;
  for (let c = 0; c < CONNECTIONS; c++) {
    const peer = await connectRaw(g.port);
    const parts: Buffer[] = [];
    const n = 1 + Math.floor(rand() * 6);
    for (let i = 0; i < n; i++) {
      parts.push(rand() < 0.4 ? encodeRequest({ biz: 101, seq: c * 10 + i, serial: `F${c}`, time: '20261122120000', operator: 'fz' }, [], {}) : makeInput(rand));
    }
    const bytes = Buffer.concat(parts);
    // Random chunking exercises the decoder across read boundaries.
    for (let off = 0; off < bytes.length; ) {
      const len = 1 + Math.floor(rand() * 64);
      peer.socket.write(bytes.subarray(off, off + len));
      off += len;
    }
    // Done sending: the server answers what it can and closes (half-close), or closes first.
    peer.socket.end();
    const outcome = await Promise.race([peer.closed.then(() => 'closed'), new Promise((r) => setTimeout(() => r('hang'), 5_000))]);
    if (outcome === 'hang') {
      t.fail(`connection ${c} neither answered nor closed within 5 s`);
      peer.destroy();
      continue;
    }
    // Whatever came back is whole frames with readable headers, answers in the order sent.
    const frames = new FrameDecoder({ maxFrame: 1 << 20 }).push(peer.received());
    const seqs = frames.map((f) => decodeHeader(f).seq);
    answered += frames.length;
    const ours = seqs.filter((s) => s >= c * 10 && s < c * 10 + 10);
    t.same(ours, [...ours].sort((a, b) => a - b), `connection ${c}: our requests answered in order`);
  }
  t.ok(answered > 0, `${answered} answers in all`);
  const client = await BssClient.connect({ port: g.port });
  t.equal((await client.call('connection-check')).result, 0, 'the gateway still serves');
  await client.close();
});
