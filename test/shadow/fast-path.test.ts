// Issue 16, the shadow's cheap paths (docs/shadow.md "Overhead"): answers that are the same bytes
// once the header time is left out are identical without decoding; any other byte that differs is
// decoded and reported field by field as before; every client connection's mirrors share one
// connection to the candidate under keys of the link's own (clients whose seqs collide are still
// told apart); a backed-up candidate drops mirrors (counted), never client bytes; a candidate
// that closes an idle connection has not failed.
// The primary and the candidate are small v1 servers here: CS-14 answers computed from the
// request (balance = the number's last four digits, plus a per-number change on the candidate).
import t, { type Test } from 'tap';
import net from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startShadow, type RunningShadow } from '../../src/shadow/index.js';
import { V1_FRAMING, type Framing } from '../../src/shadow/framing.js';
import { MAX_LINK_IN_FLIGHT, MAX_UNSENT_BYTES, MIRROR_BATCH_MS, READ_EVERY_MS } from '../../src/shadow/mirror.js';
import { compareReplies } from '../../src/shadow/compare.js';
import { FrameDecoder } from '../../protocol/frame.js';
import { decodeHeader, TIME_OFFSET, OPERATOR_OFFSET } from '../../protocol/header.js';
import { decodeRequestBody, encodeRequest, encodeResponse } from '../../protocol/message.js';
import { LAYOUTS_BY_CODE } from '../../handlers/index.js';
import { shadowSection, until } from './harness.js';
import type { ShadowInterface } from '../../src/shadow/config.js';

const CS14 = LAYOUTS_BY_CODE.get(114)!;
const quiet = pino({ level: 'silent' });

interface StubOptions {
  /** The header time of every answer (the server's clock). */
  time: string;
  /** Added to the balance of these numbers (a candidate with a known change). */
  change?: Record<string, bigint>;
  /** Answers held this long (a slow candidate). */
  holdMs?: number;
  /** Close the connection after each chunk's answers (a candidate that closes idle connections). */
  closeAfterAnswer?: boolean;
  /** Each answer in two writes (cut mid-frame), one write per turn of the event loop. */
  trickle?: boolean;
}

/** A v1 server answering CS-14 from the request alone. */
async function stub(t: Test, o: StubOptions): Promise<{ port: number; connections: () => number; closed: () => number }> {
  let connections = 0;
  let closed = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((c) => {
    connections++;
    sockets.add(c);
    c.on('close', () => {
      closed++;
      sockets.delete(c);
    });
    c.on('error', () => undefined);
    const dec = new FrameDecoder({ maxFrame: 65536 });
    c.on('data', (chunk: Buffer) => {
      const out = dec.push(chunk).map((f) => {
        const h = decodeHeader(f);
        const svcnum = String(decodeRequestBody(f, CS14.request).svcnum);
        const balance = BigInt(svcnum.slice(-4)) + (o.change?.[svcnum] ?? 0n);
        return encodeResponse(h, 0, '成功', CS14.response, { acctid: `A${svcnum}`, balance, updated: '20260101120000' }, o.time);
      });
      const send = () => {
        if (c.destroyed) return;
        c.write(Buffer.concat(out));
        if (o.closeAfterAnswer) c.end();
      };
      if (o.trickle) {
        const parts = out.flatMap((a) => [a.subarray(0, 30), a.subarray(30)]);
        const next = () => {
          const p = parts.shift();
          if (!p || c.destroyed) return;
          c.write(p);
          setImmediate(next);
        };
        next();
      } else if (o.holdMs) setTimeout(send, o.holdMs);
      else send();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((r) => server.close(() => r()));
  });
  return { port: (server.address() as net.AddressInfo).port, connections: () => connections, closed: () => closed };
}

const request = (seq: number, svcnum: string) =>
  encodeRequest({ biz: 114, seq, serial: `S${seq}`, time: '20260101120000', operator: 'FAST' }, CS14.request, { svcnum });

/** Send the frames in one write; resolve with every byte received once `count` answers are in (bounded). */
async function exchange(port: number, frames: Buffer[]): Promise<Buffer> {
  const sock = net.connect({ host: '127.0.0.1', port });
  const chunks: Buffer[] = [];
  const dec = new FrameDecoder({ maxFrame: 65536 });
  let n = 0;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${n} of ${frames.length} answers`)), 30_000);
    sock.on('error', reject);
    sock.on('data', (c: Buffer) => {
      chunks.push(c);
      n += dec.push(c).length;
      if (n >= frames.length) {
        clearTimeout(timer);
        resolve();
      }
    });
    sock.once('connect', () => sock.write(Buffer.concat(frames)));
  });
  sock.destroy();
  return Buffer.concat(chunks);
}

/** A v1 framing that counts its decodes (the fast path decodes nothing). */
function countingFraming(): { framing: Framing; decodes: () => number } {
  let decodes = 0;
  return {
    framing: {
      ...V1_FRAMING,
      decodeReply(packets, layout) {
        decodes++;
        return V1_FRAMING.decodeReply(packets, layout);
      },
    },
    decodes: () => decodes,
  };
}

async function shadow(t: Test, primary: number, candidate: number, over: Partial<ShadowInterface> = {}) {
  const reportDir = mkdtempSync(join(tmpdir(), 'bssgate-shadow-fast-'));
  const s: RunningShadow = await startShadow(
    {
      files: [],
      logLevel: 'silent',
      shadows: [shadowSection({ name: 'cs', primary: { host: '127.0.0.1', port: primary }, candidate: { host: '127.0.0.1', port: candidate }, reportDir, ...over })],
    },
    quiet,
  );
  t.teardown(async () => {
    await s.stop();
    rmSync(reportDir, { recursive: true, force: true });
  });
  return { s, relay: s.relays[0], port: s.ports.cs, reportDir };
}

const numbers = (from: number, n: number) => Array.from({ length: n }, (_, i) => `1390000${String(from + i).padStart(4, '0')}`);

t.test('issue 16: v1 sameAnswer masks only the header time', async (t) => {
  const h = decodeHeader(request(7, '13900001234'));
  const a = encodeResponse(h, 0, '成功', CS14.response, { acctid: 'A1', balance: 5n, updated: '20260101120000' }, '20260101120000');
  t.ok(V1_FRAMING.sameAnswer([a], [Buffer.from(a)]), 'the same bytes');
  const otherTime = encodeResponse(h, 0, '成功', CS14.response, { acctid: 'A1', balance: 5n, updated: '20260101120000' }, '20991231235959');
  t.ok(V1_FRAMING.sameAnswer([a], [otherTime]), 'a difference in the header time only is not a difference');
  let flagged = 0;
  let outside = 0;
  for (let i = 0; i < a.length; i++) {
    if (i >= TIME_OFFSET && i < OPERATOR_OFFSET) continue;
    outside++;
    const b = Buffer.from(a);
    b[i] ^= 0x01;
    if (!V1_FRAMING.sameAnswer([a], [b])) flagged++;
  }
  t.equal(flagged, outside, `a change of any of the ${outside} bytes outside the header time is a difference`);
  t.notOk(V1_FRAMING.sameAnswer([a], [a.subarray(0, a.length - 1)]), 'another length is a difference');
  t.notOk(V1_FRAMING.sameAnswer([a], [a, a]), 'another number of packets is a difference');
  const k = V1_FRAMING.withKey(a, 0xfffffffe);
  t.equal(k.readUInt32BE(8), 0xfffffffe, 'withKey sets the seq');
  t.equal(a.readUInt32BE(8), 7, 'on a copy: the original is untouched');
});

t.test('issue 16: the mirror batch: copyWithKey copies each frame once into the batch with the link key; the client frame is untouched', async (t) => {
  const a = request(7, '13900001234');
  const b = request(8, '13900005678');
  const before = [Buffer.from(a), Buffer.from(b)];
  const out = Buffer.alloc(a.length + b.length);
  let at = V1_FRAMING.copyWithKey(a, 0, out, 0);
  t.equal(at, a.length, 'returns the offset after the frame');
  at = V1_FRAMING.copyWithKey(b, 0xfffffffe, out, at);
  t.equal(at, out.length);
  t.equal(out.readUInt32BE(8), 0, 'the first frame goes out under the link key 0');
  t.equal(out.readUInt32BE(a.length + 8), 0xfffffffe, 'the second under its own key');
  const back = (f: Buffer, seq: number) => {
    const c = Buffer.from(f);
    c.writeUInt32BE(seq, 8);
    return c;
  };
  t.ok(back(out.subarray(0, a.length), 7).equals(a) && back(out.subarray(a.length), 8).equals(b), 'every other byte is the client frame');
  t.ok(a.equals(before[0]) && b.equals(before[1]), 'the client frames are untouched');
  t.ok(V1_FRAMING.withKey(a, 3).equals(back(a, 3)), 'withKey is copyWithKey into a buffer of its own');
});

t.test('issue 16: identical answers (header time aside) count as identical without decoding; connections with the same seqs share the candidate connection', async (t) => {
  const primary = await stub(t, { time: '20260101120000' });
  const candidate = await stub(t, { time: '20260101120007' });
  const counting = countingFraming();
  const { s: running, relay, port } = await shadow(t, primary.port, candidate.port, { framing: counting.framing });
  // Three client connections at once, each with seqs 1…20 (the same seqs) for different numbers.
  const runs = [numbers(0, 20), numbers(100, 20), numbers(200, 20)].map((ns) => ns.map((n, i) => request(i + 1, n)));
  const direct = await Promise.all(runs.map((r) => exchange(primary.port, r)));
  const via = await Promise.all(runs.map((r) => exchange(port, r)));
  // The primary's clock is fixed here, so the bytes through the shadow are the direct run's.
  via.forEach((b, i) => t.ok(b.equals(direct[i]), `connection ${i + 1}: the client received the primary's bytes`));
  const s = relay.report.biz(114);
  await until(() => s.compared + s.candidateErrors + s.timeouts === s.mirrored && s.mirrored === 60, 'every mirror compared');
  const [line] = relay.report.summaryLines();
  t.match(line, { mirrored: 60, identical: 60, differing: 0, candidateErrors: 0, timeouts: 0, dropped: 0, fields: [] }, 'all identical: seqs that collide across connections are told apart');
  t.equal(counting.decodes(), 0, 'nothing was decoded: the fast path');
  t.equal(candidate.connections(), 1, 'one candidate connection for the three client connections');
  const metrics = await running.metrics.registry.metrics();
  t.match(metrics, /bssgate_shadow_mirrored_total\{shadow="cs",biz="CS-14"\} 60\n/, 'mirrored, read at scrape time');
  t.match(metrics, /bssgate_shadow_identical_total\{shadow="cs",biz="CS-14"\} 60\n/, 'identical, read at scrape time');
  t.match(metrics, /bssgate_shadow_answer_seconds_count\{shadow="cs",target="candidate"\} 60\n/, 'the answer times: 60 observations');
  t.match(metrics, /bssgate_shadow_answer_seconds_bucket\{shadow="cs",target="candidate",le="\+Inf"\} 60\n/);
  t.match(metrics, /bssgate_shadow_relayed_bytes_total\{shadow="cs",direction="response"\} \d+/);
  t.ok(relay.links.candidate!.writes <= 60, `mirrored requests went out in ${relay.links.candidate!.writes} writes`);
});

t.test('issue 16: answers that come a piece at a time (frames cut across reads) are relayed and compared whole: the read buffers are reused, their bytes copied out', async (t) => {
  const primary = await stub(t, { time: '20260101120000', trickle: true });
  const candidate = await stub(t, { time: '20260101120007', trickle: true });
  const { relay, port } = await shadow(t, primary.port, candidate.port);
  const runs = [numbers(0, 30), numbers(300, 30)].map((ns) => ns.map((n, i) => request(i + 1, n)));
  const direct = await Promise.all(runs.map((r) => exchange(primary.port, r)));
  const via = await Promise.all(runs.map((r) => exchange(port, r)));
  via.forEach((b, i) => t.ok(b.equals(direct[i]), `connection ${i + 1}: the client received the primary's bytes`));
  const s = relay.report.biz(114);
  await until(() => s.compared + s.candidateErrors + s.timeouts === s.mirrored && s.mirrored === 60, 'every mirror compared');
  const [line] = relay.report.summaryLines();
  t.match(line, { mirrored: 60, identical: 60, differing: 0, candidateErrors: 0, timeouts: 0, dropped: 0 }, 'every answer whole and identical');
  t.ok(relay.links.candidate!.reads > 0, `the candidate's 120 pieces were read in ${relay.links.candidate!.reads} reads`);
});

t.test('issue 16: setKey puts the client key back into an answer the shadow owns, in place', async (t) => {
  const a = request(7, '13900001234');
  const same = V1_FRAMING.setKey(a, 0xfffffffe);
  t.equal(same, a, 'the packet itself');
  t.equal(a.readUInt32BE(8), 0xfffffffe, 'its seq set');
});

t.test('issue 16: a difference in any other byte is decoded and reported field by field, as before', async (t) => {
  const changed = '13900000105';
  const primary = await stub(t, { time: '20260101120000' });
  const candidate = await stub(t, { time: '20260101120007', change: { [changed]: 100n } });
  const counting = countingFraming();
  const { s: running, relay, port, reportDir } = await shadow(t, primary.port, candidate.port, { framing: counting.framing });
  const ns = numbers(100, 10);
  await exchange(port, ns.map((n, i) => request(i + 1, n)));
  const st = relay.report.biz(114);
  await until(() => st.compared === 10, 'every mirror compared');
  const [line] = relay.report.summaryLines();
  t.match(line, { mirrored: 10, identical: 9, differing: 1 });
  t.equal(counting.decodes(), 2, 'only the differing pair was decoded');
  await running.stop();
  const diffs = readFileSync(join(reportDir, 'cs.differences.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  t.equal(diffs.length, 1, 'one difference line');
  t.match(diffs[0], { biz: 114, id: 'CS-14', field: 'balance', kind: 'value', primary: '105', candidate: '205' }, 'the balance, both values');
  // Exactly what the field-by-field comparison of the decoded answers says.
  const h = decodeHeader(request(6, changed));
  const p = V1_FRAMING.decodeReply([encodeResponse(h, 0, '成功', CS14.response, { acctid: `A${changed}`, balance: 105n, updated: '20260101120000' }, '20260101120000')], CS14.response);
  const c = V1_FRAMING.decodeReply([encodeResponse(h, 0, '成功', CS14.response, { acctid: `A${changed}`, balance: 205n, updated: '20260101120000' }, '20260101120007')], CS14.response);
  t.same(compareReplies(p, c, CS14.response).map((d) => [d.field, d.kind, d.primary, d.candidate]), [[diffs[0].field, diffs[0].kind, diffs[0].primary, diffs[0].candidate]]);
});

t.test('issue 16: a backed-up candidate drops mirrors (counted), never client bytes', async (t) => {
  const primary = await stub(t, { time: '20260101120000' });
  const candidate = await stub(t, { time: '20260101120000', holdMs: 300 });
  const { relay, port } = await shadow(t, primary.port, candidate.port, { maxInFlight: 1 });
  const frames = numbers(0, 5).map((n, i) => request(i + 1, n));
  const direct = await exchange(primary.port, frames);
  // The five requests arrive in one chunk: the first is mirrored, the other four find one mirror outstanding.
  const via = await exchange(port, frames);
  t.ok(via.equals(direct), 'the client received the primary bytes, all five, in order');
  const s = relay.report.biz(114);
  await until(() => s.compared === 1, 'the one mirror compared');
  t.match(relay.report.summaryLines()[0], { mirrored: 1, dropped: 4, identical: 1, candidateErrors: 0 });
});

t.test('issue 16: a candidate that closes an idle connection has not failed: the next mirror opens a new one', async (t) => {
  const primary = await stub(t, { time: '20260101120000' });
  const candidate = await stub(t, { time: '20260101120000', closeAfterAnswer: true });
  const { relay, port } = await shadow(t, primary.port, candidate.port);
  const s = relay.report.biz(114);
  await exchange(port, [request(1, '13900000001')]);
  await until(() => s.compared === 1 && relay.links.candidate?.connected === false, 'compared, and the candidate connection closed');
  await exchange(port, [request(2, '13900000002')]);
  await until(() => s.compared + s.candidateErrors === 2, 'the second mirror settled');
  t.match(relay.report.summaryLines()[0], { mirrored: 2, identical: 2, candidateErrors: 0 }, 'both compared, no candidate error');
  t.equal(candidate.connections(), 2, 'a new connection for the second mirror');
});

t.test('issue 16: with a secondary, the fast path still counts it, and learned noise still sees what differs on it', async (t) => {
  const noisy = '13900000103';
  const primary = await stub(t, { time: '20260101120000' });
  // The candidate and the secondary both differ from the primary on one number (by different amounts): noise.
  const candidate = await stub(t, { time: '20260101120007', change: { [noisy]: 100n } });
  const secondary = await stub(t, { time: '20260101120009', change: { [noisy]: 50n } });
  const counting = countingFraming();
  const { s: running, relay, port, reportDir } = await shadow(t, primary.port, candidate.port, { framing: counting.framing, secondary: { host: '127.0.0.1', port: secondary.port } });
  await exchange(port, numbers(100, 10).map((n, i) => request(i + 1, n)));
  const st = relay.report.biz(114);
  await until(() => st.compared === 10, 'every mirror compared');
  t.equal(st.withSecondary, 10, 'every exchange was compared with the secondary too');
  t.equal(counting.decodes(), 3, 'only the exchange that differs was decoded (primary, candidate, secondary)');
  t.match(relay.report.summaryLines()[0], { mirrored: 10, identical: 10, differing: 0, learnedNoise: ['balance'] }, 'the balance is learned noise');
  await running.stop();
  const [line] = readFileSync(join(reportDir, 'cs.differences.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  t.match(line, { field: 'balance', primary: '103', candidate: '203', secondary: '153' }, 'the difference line carries the secondary value');
});

t.test('issue 16: docs/shadow.md states the mirror limits the code has', async (t) => {
  const doc = readFileSync(new URL('../../docs/shadow.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
  t.match(doc, `Mirrors are gathered for ${MIRROR_BATCH_MS} ms and written together`);
  t.match(doc, `the shadow stops reading it for ${READ_EVERY_MS} ms`);
  t.match(doc, `${MAX_LINK_IN_FLIGHT.toLocaleString('en-US')} on the shared connection, or ${MAX_UNSENT_BYTES / 1024 / 1024} MiB unsent`);
  t.match(doc, `the header's \`time\`, offset ${TIME_OFFSET}–${OPERATOR_OFFSET - 1}`);
});

t.test('issue 16: sameAnswer on a long answer (the range compare beyond 256 bytes)', async (t) => {
  const a = Buffer.alloc(4000, 0x41);
  a.writeUInt32BE(a.length - 4, 0);
  const b = Buffer.from(a);
  b.fill(0x30, TIME_OFFSET, OPERATOR_OFFSET);
  t.ok(V1_FRAMING.sameAnswer([a], [b]), 'the time aside, the same');
  for (const at of [4, 31, 46, 300, 3999]) {
    const c = Buffer.from(a);
    c[at] ^= 0x02;
    t.notOk(V1_FRAMING.sameAnswer([a], [c]), `byte ${at} differs`);
  }
});

t.test('issue 16: v1 head() checks what decodeHeader checks, with the same errors', async (t) => {
  const f = request(9, '13900001234');
  t.same(V1_FRAMING.head(f, 'request'), { kind: 'request', biz: 114, seq: 9, serial: 'S9', result: 0 });
  const bad: [string, (b: Buffer) => void][] = [
    ['version', (b) => (b[4] = 2)],
    ['serial', (b) => (b[12] = 0x01)],
    ['time', (b) => (b[40] = 0x41)],
    ['operator', (b) => (b[50] = 0x7f)],
  ];
  for (const [what, spoil] of bad) {
    const b = Buffer.from(f);
    spoil(b);
    let expected: unknown;
    try {
      decodeHeader(b);
    } catch (err) {
      expected = (err as Error).message;
    }
    t.ok(expected, `decodeHeader refuses a bad ${what}`);
    t.throws(() => V1_FRAMING.head(b, 'request'), { message: expected as string }, `head() refuses it the same way (${what})`);
  }
  t.throws(() => V1_FRAMING.head(f.subarray(0, 59), 'request'), /60/, 'too short');
});
