// The retry storm of issue 8 (PC-03 payment, PC-04 reversal, PC-06 re-sends): the card-system
// simulator sends thousands of payments and reversals, each 1–5 extra times with the same serial
// and bytes, some at the same moment on different connections, some reversals before their payment.
// Then: no serial posted twice, every later answer byte-identical to the first under its own seq,
// and every balance equal to the simulator's ledger to the fen. On SQLite, and on PostgreSQL when
// BSSGATE_TEST_PG_URL is set. BSSGATE_STORM_N sets the number of transactions.
import { FrameDecoder } from '../../../protocol/frame.js';
import { decodeHeader, HEADER_SIZE, SEQ_OFFSET } from '../../../protocol/header.js';
import { encodeRequest } from '../../../protocol/message.js';
import { LAYOUTS_BY_CODE } from '../../../handlers/index.js';
import { CardSimulator, formatSimStats, PAYMENT_BIZ } from '../../../src/sim/card.js';
import { connectRaw } from '../../helpers/raw.js';
import { handlerSuite, type Harness } from '../../helpers/seeded.js';

const N = Number(process.env.BSSGATE_STORM_N ?? 2000);

interface Line {
  svcnum: string;
  acctid: string;
  balance: bigint;
}

/** The live lines a card payment is for, with their account's balance. */
async function lines(h: Harness): Promise<Line[]> {
  const rows = await h.sql<{ svcnum: string; acctid: string | number | bigint; balance: string | number | bigint }>(
    'SELECT s.SVCNUM AS svcnum, s.ACCTID AS acctid, b.BALANCE AS balance FROM TAB_SUBSCRB s JOIN ACCT_BALANCE b ON b.ACCTID = s.ACCTID WHERE s.STATUS IN (1, 3) ORDER BY s.SVCNUM',
  );
  return rows.map((r) => ({ svcnum: String(r.svcnum), acctid: String(r.acctid), balance: BigInt(r.balance) }));
}

async function accountBalances(h: Harness): Promise<Map<string, bigint>> {
  const rows = await h.sql<{ acctid: string | number | bigint; balance: string | number | bigint }>('SELECT ACCTID AS acctid, BALANCE AS balance FROM ACCT_BALANCE');
  return new Map(rows.map((r) => [String(r.acctid), BigInt(r.balance)]));
}

handlerSuite('PC-03 PC-04 PC-06 retry storm', async (t, h) => {
  const live = await lines(h);
  t.ok(live.length >= 10, `payable lines in the demo (${live.length})`);
  const before = await accountBalances(h);
  const acctOf = new Map(live.map((l) => [l.svcnum, l.acctid]));
  const prefix = `ST${h.backend[0].toUpperCase()}${Date.now().toString(36).toUpperCase().slice(-6)}`;

  t.test(`PC-03 PC-04 PC-06: ${N} payments and reversals, each re-sent 1–5 times, some at once on different connections`, async (t) => {
    const sim = new CardSimulator({
      host: '127.0.0.1',
      port: h.ports.card,
      numbers: live.map((l) => l.svcnum),
      connections: 8,
      pipeline: 8,
      count: N,
      reversalPct: 25,
      // Some reversals are sent while their payment has no answer yet: 2008 + tombstone, then the payment 2009.
      earlyReversalPct: 20,
      resendAfterMs: 200,
      answerTimeoutMs: 15_000,
      drainMs: 30_000,
      duplicates: { min: 1, max: 5, concurrentPct: 40 },
      serialPrefix: prefix,
      seed: 8,
    });
    const stats = await sim.run();
    t.comment(formatSimStats(stats));
    if (stats.retryable['9999']) {
      // What the gateway logged for them: the distinct error messages (err.MMDD).
      const msgs = new Set((await h.logLines('card', 'err')).map((l) => JSON.parse(l) as { code?: number; err?: { message?: string; detail?: string } }).filter((e) => e.code === 9999).map((e) => `${e.err?.message ?? '?'} (${(e.err?.detail ?? '').replace(/\(card, \S+\)/, '(…)')})`));
      t.comment(`9999 answers: ${[...msgs].join('; ')}`);
    }
    t.equal(stats.pending, 0, 'every transaction got a definite answer');
    t.equal(stats.defects, 0, `no answer was wrong: ${stats.problems.join('; ')}`);
    t.equal(stats.replayMismatches, 0, 'every later answer equals the first, body byte for byte');
    t.ok(stats.duplicates >= N, `storm duplicates sent: ${stats.duplicates}`);
    // A healthy database under a storm has no reason for a 9xxx: one would mean a collision of
    // concurrent units surfaced as an error (it was re-sent, but the answer was still wrong).
    t.same(stats.retryable, {}, 'no 9xxx answer (each would be re-sent, but none is due on a healthy database)');
    t.equal(stats.replaysChecked, stats.duplicates, 'every duplicate got a definite answer, compared with the first');
    t.ok(stats.acked.P > N / 2 && stats.acked.R > N / 20, `payments ${stats.acked.P} and reversals ${stats.acked.R} acknowledged`);
    t.ok((stats.refused['2008'] ?? 0) > 0, `early reversals refused 2008: ${stats.refused['2008'] ?? 0}`);
    const txs = sim.transactions();
    const bySerial = new Map(txs.map((x) => [x.serial, x]));
    const lateRefused = txs.filter((x) => x.kind === 'R' && x.code === 2008).map((x) => bySerial.get(x.orig!)!);
    t.same(lateRefused.filter((p) => p.code !== 2009).map((p) => `${p.serial} ${p.state} ${p.code}`), [], 'the payment of every reversal refused 2008 was itself refused 2009 when it arrived');
    const refusedOther = Object.keys(stats.refused).filter((c) => c !== '2008' && c !== '2009');
    t.same(refusedOther, [], 'no refusal other than 2008 (early reversal) and 2009 (its payment, or a second reversal)');

    // Zero double postings: one TAB_PAY row per serial.
    const dup = await h.sql<{ serial: string; n: number }>(`SELECT SERIAL AS serial, COUNT(*) AS n FROM TAB_PAY WHERE SERIAL LIKE '${prefix}%' GROUP BY SERIAL HAVING COUNT(*) > 1`);
    t.same(dup, [], 'no serial has two TAB_PAY rows');
    // Exactly the acknowledged transactions posted money (tombstones of early reversals carry 0).
    const posted = await h.sql<{ serial: string; amount: string | number | bigint }>(`SELECT SERIAL AS serial, AMOUNT AS amount FROM TAB_PAY WHERE SERIAL LIKE '${prefix}%' AND AMOUNT <> 0`);
    const acked = txs.filter((x) => x.state === 'acked');
    t.equal(posted.length, acked.length, 'a TAB_PAY posting for every acknowledged transaction and no other');
    const want = new Map(acked.map((x) => [x.serial, x.kind === 'P' ? x.amount : -x.amount]));
    t.same(posted.filter((r) => want.get(String(r.serial)) !== BigInt(r.amount)).map((r) => r.serial), [], 'each with the amount acknowledged');

    // Balances equal the ledger to the fen: start + acknowledged payments − acknowledged reversals.
    const after = await accountBalances(h);
    const expect = new Map(before);
    for (const [svcnum, d] of sim.balanceDeltas()) {
      const a = acctOf.get(svcnum)!;
      expect.set(a, (expect.get(a) ?? 0n) + d);
    }
    const differ = [...expect].filter(([a, b]) => after.get(a) !== b).map(([a, b]) => `${a}: ${after.get(a)} ≠ ${b}`);
    t.same(differ, [], 'every ACCT_BALANCE equals start + acknowledged payments − acknowledged reversals');
    t.ok([...sim.balanceDeltas().values()].some((d) => d !== 0n), 'balances did move');
  });

  t.test('PC-06: the same payment at the same moment on three connections, twice each: one posting, six byte-identical answers, each under its own seq', async (t) => {
    const layout = LAYOUTS_BY_CODE.get(PAYMENT_BIZ)!.request;
    const peers = await Promise.all([0, 1, 2].map(() => connectRaw(h.ports.card)));
    t.teardown(() => peers.forEach((p) => p.destroy()));
    const serials: string[] = [];
    const K = 20;
    for (let k = 0; k < K; k++) {
      const serial = `${prefix}R${String(k).padStart(4, '0')}`;
      serials.push(serial);
      const frame = encodeRequest({ biz: PAYMENT_BIZ, seq: 0, serial, time: '20261201120000', operator: 'RAW' }, layout, { svcnum: live[k % live.length].svcnum, amount: 100n + BigInt(k) });
      // Each peer: seq = 1000·peer + 2k and +1 (two sends of the same bytes, pipelined).
      await Promise.all(
        peers.map((p, i) => {
          const a = Buffer.from(frame);
          a.writeUInt32BE(1000 * (i + 1) + 2 * k, SEQ_OFFSET);
          const b = Buffer.from(frame);
          b.writeUInt32BE(1000 * (i + 1) + 2 * k + 1, SEQ_OFFSET);
          return p.write(Buffer.concat([a, b]));
        }),
      );
    }
    await Promise.all(peers.map((p) => p.waitResponses(2 * K, 20_000)));
    const bodies = new Map<string, Set<string>>();
    peers.forEach((p, i) => {
      const frames = new FrameDecoder({ maxFrame: 1 << 20 }).push(p.received());
      t.equal(frames.length, 2 * K, `peer ${i}: ${2 * K} answers`);
      frames.forEach((f, j) => {
        const hd = decodeHeader(f);
        const k = Math.floor(j / 2);
        t.equal(hd.seq, 1000 * (i + 1) + j, `peer ${i} answer ${j}: its own request's seq`);
        t.equal(hd.serial, serials[k]);
        t.equal(hd.result, 0);
        const set = bodies.get(serials[k]) ?? new Set<string>();
        set.add(f.subarray(HEADER_SIZE).toString('hex'));
        bodies.set(serials[k], set);
      });
    });
    t.same([...bodies.values()].map((s) => s.size), Array(K).fill(1), 'the six answers of a serial have one body');
    const rows = await h.sql<{ n: number }>(`SELECT COUNT(*) AS n FROM TAB_PAY WHERE SERIAL LIKE '${prefix}R%'`);
    t.equal(Number(rows[0].n), K, 'one TAB_PAY row per serial');
  });
}, { schemas: ['a'] });
