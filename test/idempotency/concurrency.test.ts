// PC-06 under concurrency: the same serial at the same moment on different connections, and on
// two gateways ("processes": each its own store and pool) over one database, is executed exactly
// once and every other request gets the replay; concurrent writes share durable commits (group
// commit) and no reply leaves before its commit. On SQLite and PostgreSQL.
// BSSGATE_TEST_ROUNDS raises the number of serials of the storm (default 12).
import t from 'tap';
import { ledgerFor } from '../../src/idempotency.js';
import { answer, backends, connectPeer, startWriteGateway, writeFrame, type Peer } from '../dispatch/harness.js';

const ROUNDS = Number(process.env.BSSGATE_TEST_ROUNDS ?? 12);

async function peers(port: number, n: number): Promise<Peer[]> {
  return Promise.all(Array.from({ length: n }, () => connectPeer(port)));
}

for (const b of backends()) {
  t.test(`PC-06 the same serial at the same moment on 6 connections: one execution, six identical replies [${b.name}]`, async (t) => {
    const g = await startWriteGateway(t, b.name, b.url);
    const ps = await peers(g.port, 6);
    t.teardown(() => ps.forEach((p) => p.close()));
    // ms: the first one is still in its unit when the others arrive
    ps.forEach((p, i) => p.send(writeFrame({ seq: 100 + i, serial: 'SAME1', n: 9, ms: 60 })));
    const got = await Promise.all(ps.map((p) => p.frames(1)));
    const as = got.map(([f]) => answer(f));
    t.same(as.map((a) => a.result), [0, 0, 0, 0, 0, 0]);
    t.same(as.map((a) => a.seq), [100, 101, 102, 103, 104, 105], 'each its own seq');
    for (const a of as) t.ok(a.body.equals(as[0].body), `seq ${a.seq}: the one execution's reply`);
    t.equal(await g.execs('SAME1'), 1, 'executed once');
    t.equal((await g.ledgerRows('SAME1')).length, 1);
  });

  // PostgreSQL only: two SQLite stores in ONE Node process block each other's event loop in
  // better-sqlite3's synchronous busy wait (separate processes each have their own loop).
  if (b.name === 'postgres') t.test(`PC-06 two gateways on one database, the same serials at the same moment: each executed once [${b.name}]`, async (t) => {
    const g = await startWriteGateway(t, b.name, b.url);
    const g2 = await g.second();
    const a = await peers(g.port, 2);
    const c = await peers(g2.port, 2);
    const all = [...a, ...c];
    t.teardown(() => all.forEach((p) => p.close()));
    // Each round: one serial sent by four connections over the two gateways; the unit sleeps
    // so that both gateways run it before either commits (the ledger's key decides).
    for (let r = 0; r < ROUNDS; r++) {
      const serial = `X${r}`;
      all.forEach((p, i) => p.send(writeFrame({ seq: r * 10 + i, serial, n: r, ms: r % 3 === 0 ? 40 : 0 })));
    }
    const got = await Promise.all(all.map((p) => p.frames(ROUNDS, 30_000)));
    let doubles = 0;
    for (let r = 0; r < ROUNDS; r++) {
      const serial = `X${r}`;
      const as = got.map((fs) => answer(fs[r]));
      t.same(as.map((x) => x.result), [0, 0, 0, 0], `${serial}: all answered 0`);
      t.ok(as.every((x) => x.body.equals(as[0].body)), `${serial}: one reply body for all four`);
      t.same(as.map((x) => x.seq), [0, 1, 2, 3].map((i) => r * 10 + i), `${serial}: each its own seq`);
      const n = await g.execs(serial);
      if (n !== 1) doubles++;
    }
    t.equal(doubles, 0, 'no serial executed twice');
    const ledger = await g.sql<{ c: number }>('SELECT COUNT(*) AS C FROM BSG_IDEMPOTENCY');
    t.equal(Number(ledger[0]!.c), ROUNDS, 'one ledger row per serial');
    const taken = ledgerFor(g.store).stats.keyTaken + ledgerFor(g2.store).stats.keyTaken;
    t.ok(taken > 0, `the ledger's key decided between the gateways ${taken} times (a unit rolled back, the other's reply replayed)`);
  });

  t.test(`PC-06 group commit: concurrent writes share durable commits [${b.name}]`, async (t) => {
    const g = await startWriteGateway(t, b.name, b.url);
    const ps = await peers(g.port, 16);
    t.teardown(() => ps.forEach((p) => p.close()));
    const stats = (g.store as unknown as { groupStats: { batches: number; units: number } }).groupStats;
    const before = { ...stats };
    const per = 8;
    for (let k = 0; k < per; k++) ps.forEach((p, i) => p.send(writeFrame({ seq: k, serial: `G${i}-${k}`, n: k })));
    const got = await Promise.all(ps.map((p) => p.frames(per, 30_000)));
    t.ok(got.every((fs) => fs.every((f) => answer(f).result === 0)), 'all 128 answered 0');
    const units = stats.units - before.units;
    const batches = stats.batches - before.batches;
    t.equal(units, 16 * per, 'one unit per write');
    t.ok(batches < units, `${units} units in ${batches} commits`);
    t.comment(`group commit: ${units} writes, ${batches} commits (${(units / batches).toFixed(1)} per commit)`);
  });

  if (b.name === 'postgres') {
    t.test('PC-06 no reply leaves before its commit: a COMMIT slowed by a deferred trigger is visible when the answer arrives', async (t) => {
      const g = await startWriteGateway(t, b.name, b.url);
      const p = await connectPeer(g.port);
      t.teardown(() => p.close());
      // The handler's TST_SLOWCOMMIT insert fires a deferred trigger that sleeps 1.5 s in COMMIT.
      p.send(writeFrame({ seq: 1, serial: 'SLOW1', n: 1, slow: 1 }));
      let answered = false;
      const seen = p.frames(1).then((fs) => {
        answered = true;
        return fs;
      });
      // While the COMMIT sleeps the row is not committed, and no answer has left.
      await new Promise((r) => setTimeout(r, 500));
      t.equal(await g.execs('SLOW1'), 0, 'not committed yet');
      t.equal(answered, false, 'no answer before the commit');
      const [f] = await seen;
      t.equal(answer(f).result, 0);
      t.equal(await g.execs('SLOW1'), 1, 'committed when the answer is there');
      t.equal((await g.ledgerRows('SLOW1')).length, 1);
    });
  }
}
