// The card-system simulator's machinery (src/sim/card.ts) against a fake card server that speaks
// the real frames and misbehaves on purpose: it drops connections before or after posting, answers
// 9001, delays, and can be made to send a wrong replay. PC-03/PC-04 (what is sent), PC-06 (re-sends
// with the same serial and bytes, replay checks), PC-07 (the reconciliation file).
import t, { type Test } from 'tap';
import net from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FrameDecoder } from '../../protocol/frame.js';
import { decodeHeader, HEADER_SIZE, SEQ_OFFSET, type Header } from '../../protocol/header.js';
import { decodeRequestBody, encodeErrorResponse, encodeResponse } from '../../protocol/message.js';
import { GatewayError } from '../../protocol/return-codes.js';
import { char, money } from '../../protocol/fields.js';
import type { Layout } from '../../protocol/layout-types.js';
import { spawnSync } from 'node:child_process';
import { CardLedger, CardSimulator, localDay, PAYMENT_BIZ, REVERSAL_BIZ, reconciliationText, simCardCommand, txBody, writeReconciliationFile, type CardTx } from '../../src/sim/card.js';
import { handlerSuite } from '../helpers/seeded.js';

// Test layouts of the shape the simulator fills by role (the real ones come from handlers/index.ts).
const PAY: Layout = [char('svcnum', 20), money('amount')];
const REV: Layout = [char('svcnum', 20), char('origSerial', 20), money('amount')];
const PAY_REPLY: Layout = [money('balance')];
const REV_REPLY: Layout = [money('balance')];
const layouts = { payment: { request: PAY, response: PAY_REPLY }, reversal: { request: REV, response: REV_REPLY } };

interface FakeOpts {
  /** Per first attempt of a serial: what goes wrong (decided by the serial's hash, so re-sends differ). */
  misbehave?: (serial: string, attempt: number) => 'none' | 'drop-before' | 'drop-after' | '9001' | 'slow';
  /** Send a different body on the replay of these serials. */
  corruptReplay?: (serial: string) => boolean;
  slowMs?: number;
  /** Listen here (default an ephemeral port). */
  port?: number;
}

interface Fake {
  port: number;
  /** Postings per serial (must never exceed 1). */
  posted: Map<string, number>;
  balances: Map<string, bigint>;
  /** Requests received per serial, and the distinct connections they came on. */
  seen: Map<string, { n: number; conns: Set<number>; frames: Set<string> }>;
  /** Requests answered with a stored reply. */
  replays(): number;
  close(): Promise<void>;
}

async function fakeCardServer(o: FakeOpts = {}): Promise<Fake> {
  const posted = new Map<string, number>();
  const balances = new Map<string, bigint>();
  const seen = new Map<string, { n: number; conns: Set<number>; frames: Set<string> }>();
  const stored = new Map<string, { content: string; result: number; body: Buffer }>();
  const payments = new Map<string, { svcnum: string; amount: bigint; reversed: boolean }>();
  const attempts = new Map<string, number>();
  let connId = 0;
  let replays = 0;
  const sockets = new Set<net.Socket>();
  const answer = (h: Header, frame: Buffer): { result: number; frameOut: Buffer } => {
    const layout = h.biz === PAYMENT_BIZ ? PAY : REV;
    const content = frame.subarray(HEADER_SIZE).toString('hex');
    const prior = stored.get(h.serial);
    if (prior) {
      replays++;
      if (prior.content !== content) return { result: 2007, frameOut: encodeErrorResponse(h, new GatewayError('SERIAL_CONFLICT'), '20261201000000') };
      // The stored body, the re-send's own seq.
      const head = encodeResponse(h, prior.result, '', undefined, undefined, '20261201000000').subarray(0, HEADER_SIZE);
      const out = Buffer.concat([head, o.corruptReplay?.(h.serial) ? Buffer.from(prior.body.map((b, i) => (i === prior.body.length - 1 ? b ^ 1 : b))) : prior.body]);
      out.writeUInt32BE(out.length - 4, 0);
      return { result: prior.result, frameOut: out };
    }
    const req = decodeRequestBody(frame, layout);
    let out: Buffer;
    let result = 0;
    if (h.biz === PAYMENT_BIZ) {
      const svcnum = String(req.svcnum);
      const amount = req.amount as bigint;
      payments.set(h.serial, { svcnum, amount, reversed: false });
      posted.set(h.serial, (posted.get(h.serial) ?? 0) + 1);
      balances.set(svcnum, (balances.get(svcnum) ?? 0n) + amount);
      out = encodeResponse(h, 0, 'OK', PAY_REPLY, { balance: balances.get(svcnum)! }, '20261201000000');
    } else {
      const p = payments.get(String(req.origSerial));
      if (!p) {
        result = 2008;
        out = encodeErrorResponse(h, new GatewayError('ORIGINAL_NOT_FOUND'), '20261201000000');
      } else if (p.reversed) {
        result = 2009;
        out = encodeErrorResponse(h, new GatewayError('ALREADY_REVERSED'), '20261201000000');
      } else {
        p.reversed = true;
        posted.set(h.serial, (posted.get(h.serial) ?? 0) + 1);
        balances.set(p.svcnum, (balances.get(p.svcnum) ?? 0n) - p.amount);
        out = encodeResponse(h, 0, 'OK', REV_REPLY, { balance: balances.get(p.svcnum)! }, '20261201000000');
      }
    }
    stored.set(h.serial, { content, result, body: Buffer.from(out.subarray(HEADER_SIZE)) });
    return { result, frameOut: out };
  };
  const server = net.createServer((s) => {
    const id = ++connId;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    const dec = new FrameDecoder({ maxFrame: 65536 });
    s.on('data', (chunk: Buffer) => {
      for (const frame of dec.push(chunk)) {
        const h = decodeHeader(frame);
        const rec = seen.get(h.serial) ?? { n: 0, conns: new Set<number>(), frames: new Set<string>() };
        rec.n++;
        rec.conns.add(id);
        // Every send of a serial must carry the same bytes apart from seq.
        const norm = Buffer.from(frame);
        norm.writeUInt32BE(0, SEQ_OFFSET);
        rec.frames.add(norm.toString('hex'));
        seen.set(h.serial, rec);
        const n = (attempts.get(h.serial) ?? 0) + 1;
        attempts.set(h.serial, n);
        const how = o.misbehave?.(h.serial, n) ?? 'none';
        if (how === 'drop-before') {
          s.destroy();
          return;
        }
        if (how === '9001') {
          s.write(encodeErrorResponse(h, new GatewayError('DATABASE_UNAVAILABLE'), '20261201000000'));
          continue;
        }
        const { frameOut } = answer(h, frame);
        if (how === 'drop-after') {
          s.destroy();
          return;
        }
        if (how === 'slow') setTimeout(() => s.writable && s.write(frameOut), o.slowMs ?? 100);
        else s.write(frameOut);
      }
    });
  });
  await new Promise<void>((r) => server.listen(o.port ?? 0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    posted,
    balances,
    seen,
    replays: () => replays,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

const hash = (s: string) => [...s].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7);
const NUMBERS = ['13997000001', '13997000002', '13997000003', '13997000004', '13997000005'];

function tmp(t: Test): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bssgate-sim-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test('PC-03, PC-04, PC-06: lost answers, dropped connections and 9001 are re-sent with the same serial and bytes; everything ends final, posted once', async (t) => {
  // First attempts: 10% dropped before posting, 10% posted then dropped, 10% answered 9001, 5% slow past the answer timeout.
  const fake = await fakeCardServer({
    misbehave: (serial, n) => {
      if (n > 1) return 'none';
      const k = hash(serial) % 100;
      return k < 10 ? 'drop-before' : k < 20 ? 'drop-after' : k < 30 ? '9001' : k < 35 ? 'slow' : 'none';
    },
    slowMs: 150,
  });
  t.teardown(() => fake.close());
  const dir = tmp(t);
  const ledgerFile = path.join(dir, 'ledger.jsonl');
  const sim = new CardSimulator({
    host: '127.0.0.1', port: fake.port, numbers: NUMBERS, layouts, connections: 3, pipeline: 4,
    count: 400, reversalPct: 25, resendAfterMs: 40, answerTimeoutMs: 80, drainMs: 10_000, ledgerFile, seed: 7,
  });
  const stats = await sim.run();
  t.equal(stats.pending, 0, 'nothing left without a definite answer');
  t.equal(stats.defects, 0, `no defects: ${stats.problems.join('; ')}`);
  t.equal(stats.created.P + stats.created.R, 400);
  t.ok(stats.created.R > 40, `reversals were created (${stats.created.R})`);
  t.ok(stats.resends > 60, `re-sends happened (${stats.resends})`);
  t.ok(stats.closedInFlight > 0 && stats.timeouts > 0 && stats.retryable['9001'] > 0, 'closes, timeouts and 9001 were all met');
  t.ok(fake.replays() > 20, `re-sends of serials posted before their answer was lost got the stored answer (${fake.replays()})`);
  t.same([...fake.posted].filter(([, n]) => n !== 1), [], 'every serial posted once');
  t.same([...fake.seen].filter(([, r]) => r.frames.size !== 1).map(([s]) => s), [], 'every send of a serial carried the same bytes but for seq');
  const txs = sim.transactions();
  const acked = txs.filter((x) => x.state === 'acked');
  t.equal(acked.length, fake.posted.size, 'acknowledged = posted on the server');
  t.same([...fake.posted.keys()].sort(), acked.map((x) => x.serial).sort());
  for (const [svcnum, d] of sim.balanceDeltas()) t.equal(d, fake.balances.get(svcnum) ?? 0n, `${svcnum}: the server's balance equals the ledger's`);
  // The durable ledger says the same.
  const loaded = CardLedger.load(ledgerFile);
  t.same(loaded.map((x) => [x.serial, x.state, x.code]), txs.map((x) => [x.serial, x.state, x.code]), 'the ledger file holds every transaction and outcome');
});

t.test('PC-06 storm: each transaction sent 1–5 extra times, some at the same moment on different connections; a wrong replay is caught', async (t) => {
  const fake = await fakeCardServer();
  t.teardown(() => fake.close());
  const sim = new CardSimulator({
    host: '127.0.0.1', port: fake.port, numbers: NUMBERS, layouts, connections: 4, pipeline: 8, count: 300,
    reversalPct: 20, earlyReversalPct: 30, resendAfterMs: 50, answerTimeoutMs: 2000, duplicates: { min: 1, max: 5, concurrentPct: 40 }, seed: 3,
  });
  const stats = await sim.run();
  t.equal(stats.defects, 0, stats.problems.join('; '));
  t.equal(stats.pending, 0);
  t.ok(stats.duplicates >= 300, `duplicates sent (${stats.duplicates})`);
  const counts = [...fake.seen.values()].map((r) => r.n);
  t.ok(Math.min(...counts) >= 2 && Math.max(...counts) <= 6 + stats.resends, 'every serial reached the server 2–6 times');
  t.ok([...fake.seen.values()].filter((r) => r.conns.size > 1).length > 50, 'many serials came over several connections');
  t.equal(stats.replaysChecked, stats.duplicates, 'every duplicate answer was compared with the first');
  t.same([...fake.posted].filter(([, n]) => n !== 1), [], 'every serial posted once');
  t.same([...fake.seen].filter(([, r]) => r.frames.size !== 1).map(([s]) => s), [], 'same bytes on every send');
  t.same([...sim.balanceDeltas()].filter(([n, d]) => d !== (fake.balances.get(n) ?? 0n)), [], 'balances equal the ledger');
  t.ok((stats.refused['2008'] ?? 0) + stats.acked.R > 0, 'reversals were answered');

  // The same storm against a server whose replays differ in the last body byte: caught.
  const bad = await fakeCardServer({ corruptReplay: () => true });
  t.teardown(() => bad.close());
  const sim2 = new CardSimulator({ host: '127.0.0.1', port: bad.port, numbers: NUMBERS, layouts, connections: 2, count: 20, reversalPct: 0, resendAfterMs: 50, duplicates: { min: 1, max: 1 } });
  const s2 = await sim2.run();
  t.equal(s2.replayMismatches, 20, 'every corrupted replay is a mismatch');
  t.match(s2.problems[0], /replay of \S+ \(seq \d+\) answered 0/);
});

t.test('PC-06 issue 13: with two gateways, a re-send fails over to the other one than the send that got no answer', async (t) => {
  // Gateway A answers a third of first sends 9001 and drops the connection on a few before posting; B is healthy.
  const a = await fakeCardServer({ misbehave: (serial, n) => (n > 1 ? 'none' : hash(serial) % 3 === 0 ? '9001' : hash(serial) % 20 === 1 ? 'drop-before' : 'none') });
  const b = await fakeCardServer();
  t.teardown(() => Promise.all([a.close(), b.close()]));
  const answered: number[] = [];
  const sim = new CardSimulator({
    host: '127.0.0.1', port: 1, targets: [{ host: '127.0.0.1', port: a.port }, { host: '127.0.0.1', port: b.port }],
    numbers: NUMBERS, layouts, connections: 4, pipeline: 2, count: 300, reversalPct: 0, resendAfterMs: 30, answerTimeoutMs: 2_000, drainMs: 10_000, reconnectMaxMs: 20, seed: 13,
    onResult: (_code, _tx, target) => answered.push(target),
  });
  const stats = await sim.run();
  t.equal(stats.pending, 0, 'everything got a definite answer');
  t.equal(stats.defects, 0, `no defects: ${stats.problems.join('; ')}`);
  const failed = [...a.seen.keys()].filter((s) => !a.posted.has(s));
  t.ok(failed.length > 5, `A left serials unposted (${failed.length})`);
  t.same(failed.filter((s) => !b.posted.has(s)), [], 'each was re-sent to B and posted there');
  t.same(failed.filter((s) => a.seen.get(s)!.n !== 1), [], 'and not re-sent to A');
  t.ok(b.seen.size > 60, `new transactions went to both gateways (A ${a.seen.size}, B ${b.seen.size})`);
  t.ok(answered.includes(0) && answered.includes(1), 'onResult names the gateway of each answer');
  t.throws(() => new CardSimulator({ host: '127.0.0.1', port: 1, targets: [{ host: '127.0.0.1', port: 1 }, { host: '127.0.0.1', port: 2 }], numbers: NUMBERS, layouts, count: 1 }), /2 gateways need at least as many connections/);
});

t.test('PC-06: an answer carrying another seq is a defect', async (t) => {
  // A server that answers with the seq of the first request of a serial (the bug PC-06 forbids).
  const firstSeq = new Map<string, number>();
  const server = net.createServer((s) => {
    const dec = new FrameDecoder({ maxFrame: 65536 });
    s.on('error', () => undefined);
    s.on('data', (c: Buffer) => {
      for (const f of dec.push(c)) {
        const h = decodeHeader(f);
        if (!firstSeq.has(h.serial)) firstSeq.set(h.serial, h.seq);
        s.write(encodeResponse({ ...h, seq: firstSeq.get(h.serial)! }, 0, 'OK', PAY_REPLY, { balance: 1n }, '20261201000000'));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const sim = new CardSimulator({ host: '127.0.0.1', port: (server.address() as net.AddressInfo).port, numbers: NUMBERS, layouts, count: 5, reversalPct: 0, resendAfterMs: 30, answerTimeoutMs: 100, drainMs: 500, duplicates: { min: 1, max: 1 } });
  const stats = await sim.run();
  t.ok(stats.defects >= 5, `the stale-seq answers were reported (${stats.defects})`);
  t.match(stats.problems.join('\n'), /answer with seq \d+ that no request in flight has/);
});

t.test('PC-06: a ledger survives a simulator crash: a torn last line is ignored, the unanswered are re-sent on resume', async (t) => {
  const dir = tmp(t);
  const file = path.join(dir, 'ledger.jsonl');
  fs.writeFileSync(
    file,
    [
      { ev: 'tx', kind: 'P', serial: 'OLD00000000000000001', svcnum: NUMBERS[0], amount: '1500', time: '20261201090000' },
      { ev: 'ack', serial: 'OLD00000000000000001' },
      { ev: 'tx', kind: 'P', serial: 'OLD00000000000000002', svcnum: NUMBERS[1], amount: '2500', time: '20261201090001' },
    ]
      .map((e) => JSON.stringify(e) + '\n')
      .join('') + '{"ev":"ack","seri',
  );
  const loaded = CardLedger.load(file);
  t.same(loaded.map((x) => [x.serial, x.state]), [['OLD00000000000000001', 'acked'], ['OLD00000000000000002', 'pending']], 'the torn line is ignored');
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/\{"ev":"ack","seri$/, ''));
  const fake = await fakeCardServer();
  t.teardown(() => fake.close());
  const sim = new CardSimulator({ host: '127.0.0.1', port: fake.port, numbers: NUMBERS, layouts, count: 1, reversalPct: 0, resendAfterMs: 50, ledgerFile: file, serialPrefix: 'OLD' });
  const stats = await sim.run();
  t.equal(stats.pending, 0);
  t.equal(stats.resends, 1, 'the unanswered one of the earlier run is re-sent');
  t.same([...fake.seen.keys()].sort(), ['OLD00000000000000002', 'OLD00000000000000003'], 'the acknowledged one is not; a new one continues the serials');
  t.same(CardLedger.load(file).map((x) => x.state), ['acked', 'acked', 'acked'], 'the outcomes are in the ledger now');
  t.throws(() => {
    fs.writeFileSync(path.join(dir, 'bad.jsonl'), 'nonsense\n{"ev":"tx"}\n');
    CardLedger.load(path.join(dir, 'bad.jsonl'));
  }, /bad\.jsonl:1: not a ledger line/);
});

t.test('PC-07: the reconciliation file lists the day’s acknowledged payments and reversals with count and net total', async (t) => {
  const txs: CardTx[] = [
    { kind: 'P', serial: 'S2', svcnum: '13997000002', amount: 2000n, time: '20261201100000', state: 'acked', code: 0 },
    { kind: 'P', serial: 'S1', svcnum: '13997000001', amount: 5000n, time: '20261201090000', state: 'acked', code: 0 },
    { kind: 'R', serial: 'S3', orig: 'S1', svcnum: '13997000001', amount: 5000n, time: '20261201110000', state: 'acked', code: 0 },
    { kind: 'P', serial: 'S4', svcnum: '13997000003', amount: 900n, time: '20261201120000', state: 'refused', code: 2001 },
    { kind: 'P', serial: 'S5', svcnum: '13997000003', amount: 700n, time: '20261201130000', state: 'pending' },
    { kind: 'P', serial: 'S6', svcnum: '13997000003', amount: 300n, time: '20261202000001', state: 'acked', code: 0 },
  ];
  t.equal(
    reconciliationText(txs, 'CARDSYS', '20261201'),
    'H|CARDSYS|20261201|3|2000\nP|S1|13997000001|5000|20261201090000\nP|S2|13997000002|2000|20261201100000\nR|S3|S1|13997000001|5000|20261201110000\n',
  );
  t.equal(reconciliationText(txs, 'CARDSYS', '20261130'), 'H|CARDSYS|20261130|0|0\n', 'a day without postings: a header only');
  t.throws(() => reconciliationText(txs, 'A|B', '20261201'), /client name/);
  t.throws(() => reconciliationText(txs, 'A', '2026-12-01'), /not YYYYMMDD/);
  const dir = tmp(t);
  const file = path.join(dir, 'recon.txt');
  writeReconciliationFile(file, txs, 'CARDSYS', '20261202');
  t.equal(fs.readFileSync(file, 'utf8'), 'H|CARDSYS|20261202|1|300\nP|S6|13997000003|300|20261202000001\n');
  t.same(fs.readdirSync(dir), ['recon.txt'], 'no temporary file left');
});

t.test('PC-03/PC-04: bodies come from the layouts by role; a field the simulator cannot fill is refused at start', async (t) => {
  t.same(txBody(REV, { kind: 'R', svcnum: '139', amount: 5n, orig: 'S1' }), { svcnum: '139', origSerial: 'S1', amount: 5n });
  t.throws(() => txBody([char('svcnum', 20), char('cardPassword', 16)], { kind: 'P', svcnum: '139', amount: 5n }), /"cardPassword" of payment \(303\)/);
  t.throws(() => new CardSimulator({ host: '127.0.0.1', port: 1, numbers: [], count: 1, layouts }), /no service numbers/);
  t.throws(() => new CardSimulator({ host: '127.0.0.1', port: 1, numbers: NUMBERS, layouts }), /count or a duration/);
});

t.test('PC-06: a gateway that is down at first is reached once it listens; rate and duration bound the run', async (t) => {
  // Reserve a port, start the simulator against it, then listen.
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const sim = new CardSimulator({ host: '127.0.0.1', port, numbers: NUMBERS, layouts, rate: 200, durationMs: 600, reversalPct: 0, resendAfterMs: 50, reconnectMaxMs: 100 });
  const running = sim.run();
  await new Promise((r) => setTimeout(r, 250));
  const fake = await fakeCardServer({ port });
  t.teardown(() => fake.close());
  const stats = await running;
  t.equal(stats.pending, 0);
  t.ok(stats.skipped > 0, `while it was down the backlog filled and the rest was skipped (${stats.skipped})`);
  t.ok(stats.created.P + stats.skipped >= 110 && stats.created.P + stats.skipped <= 125, `created + skipped = rate × duration (${stats.created.P} + ${stats.skipped})`);
  t.ok(stats.created.P <= 4 + 200 * 0.6, 'not made up in a burst afterwards');
  t.equal(fake.posted.size, stats.acked.P);
});

t.test('bssgate sim card refuses bad options with a clear message (exit 1)', async (t) => {
  const base = { rate: '10', connections: '1', pipeline: '1', resendAfter: '5m', reversals: '10', amounts: '100-500', client: 'card', operator: 'CARDSIM', concurrent: '30', numbers: '13997000001' };
  const deps = { loadConfig: () => { throw new Error('not used'); }, openStore: () => Promise.reject(new Error('not used')), out: () => undefined };
  const target = { host: '127.0.0.1', port: 1 };
  const cases: [Record<string, string>, RegExp][] = [
    [{ count: '5', rate: 'fast' }, /--rate fast: transactions per second/],
    [{}, /give --duration \(e\.g\. 10m\) or --count/],
    [{ count: '5', resendAfter: '5 minutes' }, /--resend-after 5 minutes: is not a duration/],
    [{ count: '5', numbers: '13997000001,12a' }, /"12a" is not a service number/],
    [{ count: '5', reversals: '120' }, /--reversals 120: a percentage 0–100/],
    [{ count: '5', amounts: '500-100' }, /--amounts 500-100: N or N-M/],
    [{ count: '5', client: 'a|b' }, /--client "a\|b"/],
    [{ count: '5', connections: '0' }, /--connections 0: an integer 1–10000/],
  ];
  for (const [o, re] of cases) await t.rejects(simCardCommand(target, { ...base, ...o }, deps), re, Object.entries(o).flat().join(' ') || 'no count or duration');
  // The process: message on stderr, exit 1, before any connection is tried.
  const root = path.resolve(import.meta.dirname, '../..');
  const r = spawnSync(process.execPath, [path.join(root, 'dist/src/cli.js'), 'sim', 'card', '127.0.0.1:1', '--count', '5', '--rate', 'fast'], { cwd: root, encoding: 'utf8', timeout: 30_000 });
  t.equal(r.status, 1, 'exit 1');
  t.match(r.stderr, /^bssgate: --rate fast: transactions per second/);
});

handlerSuite('PC-03 PC-04 PC-07 bssgate sim card against the gateway', async (t, h) => {
  const numbers = (await h.sql<{ svcnum: string }>('SELECT SVCNUM AS svcnum FROM TAB_SUBSCRB WHERE STATUS IN (1, 3) ORDER BY SVCNUM')).map((r) => String(r.svcnum));
  const dir = tmp(t);
  const ledger = path.join(dir, 'ledger.jsonl');
  const recon = path.join(dir, 'card-today.txt');
  let out = '';
  const code = await simCardCommand(
    { host: '127.0.0.1', port: h.ports.card },
    {
      rate: '0', count: '80', connections: '2', pipeline: '2', resendAfter: '200ms', reversals: '25', amounts: '100-900', ledger, reconcileOut: recon,
      client: 'card', numbers: numbers.slice(0, 10).join(','), operator: 'CARDSIM', concurrent: '30', serialPrefix: 'SIMCLI', json: true,
    },
    { loadConfig: () => { throw new Error('not used'); }, openStore: () => Promise.reject(new Error('not used')), out: (s) => (out += s) },
  );
  const summary = JSON.parse(out);
  t.equal(code, 0, `exit 0: ${out}`);
  t.equal(summary.pending, 0);
  t.equal(summary.acked.P + summary.acked.R, 80, 'every transaction acknowledged');
  t.ok(summary.acked.R > 0, 'reversals among them');
  const posted = await h.sql<{ n: number }>("SELECT COUNT(*) AS n FROM TAB_PAY WHERE SERIAL LIKE 'SIMCLI%'");
  t.equal(Number(posted[0].n), 80, 'each posted once');
  const lines = fs.readFileSync(recon, 'utf8').trim().split('\n');
  const [H, client, day, count, net] = lines[0].split('|');
  t.same([H, client, day, Number(count)], ['H', 'card', localDay(Date.now()), 80], 'the header names the client, today and the count');
  t.equal(BigInt(net), BigInt(summary.ackedFen.P) - BigInt(summary.ackedFen.R), 'and the net total');
  t.equal(lines.filter((l) => l.startsWith('R|')).length, summary.acked.R);
  t.equal(CardLedger.load(ledger).filter((x) => x.state === 'acked').length, 80, 'the ledger file holds every acknowledgement');
}, { schemas: ['a'] });

t.test('PC-06/PC-07 docs/card-simulator.md: its ledger and file examples are what the code reads and writes; every option is described', async (t) => {
  const root = path.resolve(import.meta.dirname, '../..');
  const doc = fs.readFileSync(path.join(root, 'docs/card-simulator.md'), 'utf8');
  const block = (lang: string) => new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(doc)![1];
  const dir = tmp(t);
  fs.writeFileSync(path.join(dir, 'l.jsonl'), block('jsonl'));
  const txs = CardLedger.load(path.join(dir, 'l.jsonl'));
  t.same(txs.map((x) => [x.kind, x.state, x.code ?? null]), [['P', 'acked', 0], ['R', 'refused', 2009]], 'the ledger example loads');
  // The file example: the same payment acknowledged, and a reversal of it acknowledged.
  const file = /```\n(H\|[\s\S]*?)```/.exec(doc)![1].trim().split('\n');
  const example = [txs[0], { ...txs[1], state: 'acked' as const, code: 0 }];
  t.equal(reconciliationText(example, 'card', '20261201'), file.join('\n') + '\n', 'the file example is what the simulator writes');
  // Every long option of the command is named in the page.
  const help = spawnSync(process.execPath, [path.join(root, 'dist/src/cli.js'), 'sim', 'card', '--help'], { cwd: root, encoding: 'utf8', timeout: 30_000 }).stdout;
  const opts = [...help.matchAll(/--([a-z-]+)/g)].map((m) => m[1]).filter((o) => o !== 'help');
  t.ok(opts.length > 15, `options listed by --help (${opts.length})`);
  t.same([...new Set(opts)].filter((o) => !doc.includes(`\`--${o}\``)), [], 'each is in docs/card-simulator.md');
});
