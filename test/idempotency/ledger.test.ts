// PC-06 idempotency in the dispatcher: a re-sent write gets the stored reply (body bytes
// identical, its own seq), the same serial with other content is 2007, refusals rolled back are
// not remembered, refusals whose writes commit are; the ledger survives a restart (PC-09); the
// key's identity is the configured client name. On SQLite and PostgreSQL.
import t from 'tap';
import { answer, backends, connectPeer, startWriteGateway, writeFrame } from '../dispatch/harness.js';

for (const b of backends()) {
  t.test(`PC-06 ledger, replay and 2007 [${b.name}]`, async (t) => {
    const g = await startWriteGateway(t, b.name, b.url);

    t.test('PC-06 a re-sent write is answered from the ledger: body bytes identical, its own seq, executed once', async (t) => {
      const p = await connectPeer(g.port);
      t.teardown(() => p.close());
      p.send(writeFrame({ seq: 11, serial: 'R1', n: 7 }));
      const [f1] = await p.frames(1);
      const a1 = answer(f1);
      t.equal(a1.result, 0);
      t.equal(a1.seq, 11);
      t.equal(a1.execs, 1, 'the unit saw its own row only');
      // The re-send carries another seq and another send time, as the card system's does.
      p.send(writeFrame({ seq: 12, serial: 'R1', n: 7, time: '20261201121500' }));
      const f2 = (await p.frames(2))[1];
      const a2 = answer(f2);
      t.equal(a2.seq, 12, "the replay carries the re-send's own seq");
      t.equal(a2.result, 0);
      t.ok(a2.body.equals(a1.body), 'reply body byte-identical (same execution time inside)');
      t.equal(a2.serial, 'R1');
      t.equal(await g.execs('R1'), 1, 'written once');
      const rows = await g.ledgerRows('R1');
      t.equal(rows.length, 1, 'one ledger row');
      t.equal(rows[0]!.client, '*', 'an unconfigured peer is the client *');
      t.equal(Number(rows[0]!.biz), 60101);
      t.equal(Number(rows[0]!.result), 0);
      t.ok(Buffer.from(rows[0]!.reply as Buffer).equals(a1.body), 'the ledger holds the reply body bytes');
      t.equal(rows[0]!.iface, 'cs');
      const ans = await g.logLines('cs', 'ans');
      t.ok(ans.some((l) => /"seq":12/.test(l) && /"replay":true/.test(l)), 'the replay is marked in ans');
    });

    t.test('PC-06 the same serial with other content is 2007 and changes nothing', async (t) => {
      const p = await connectPeer(g.port);
      t.teardown(() => p.close());
      p.send(writeFrame({ seq: 1, serial: 'R2', n: 1 }));
      p.send(writeFrame({ seq: 2, serial: 'R2', n: 2 }));
      p.send(writeFrame({ seq: 3, serial: 'R2', n: 1, operator: 'op2' }));
      const fs = await p.frames(3);
      t.same(fs.map((f) => answer(f).result), [0, 2007, 2007], 'other amount, other operator: 2007');
      t.same(fs.map((f) => answer(f).seq), [1, 2, 3]);
      t.equal(await g.execs('R2'), 1);
      const rows = await g.ledgerRows('R2');
      t.equal(rows.length, 1);
      t.equal(Number(rows[0]!.result), 0, 'the first reply stays stored');
      // and the original content still replays
      p.send(writeFrame({ seq: 4, serial: 'R2', n: 1 }));
      const f4 = (await p.frames(4))[3];
      t.equal(answer(f4).result, 0);
      t.ok(answer(f4).body.equals(answer(fs[0]).body));
    });

    t.test('PC-06 a plain refusal rolls back and is not remembered: the serial may be used again', async (t) => {
      const p = await connectPeer(g.port);
      t.teardown(() => p.close());
      p.send(writeFrame({ seq: 1, serial: 'R3', n: 3, refuse: 1 }));
      const [f1] = await p.frames(1);
      t.equal(answer(f1).result, 2001);
      t.equal(await g.execs('R3'), 0, 'its insert was rolled back');
      t.equal((await g.ledgerRows('R3')).length, 0, 'nothing remembered');
      p.send(writeFrame({ seq: 2, serial: 'R3', n: 3 }));
      const f2 = (await p.frames(2))[1];
      t.equal(answer(f2).result, 0, 'the same serial now runs (no 2007: nothing was done before)');
      t.equal(await g.execs('R3'), 1);
    });

    t.test('PC-06 a refusal whose writes commit (KeptRefusal) is remembered and replayed', async (t) => {
      const p = await connectPeer(g.port);
      t.teardown(() => p.close());
      p.send(writeFrame({ seq: 1, serial: 'R4', n: 4, refuse: 2 }));
      p.send(writeFrame({ seq: 2, serial: 'R4', n: 4, refuse: 2 }));
      const fs = await p.frames(2);
      t.same(fs.map((f) => answer(f).result), [2008, 2008]);
      t.ok(answer(fs[1]).body.equals(answer(fs[0]).body), 'replayed byte for byte');
      t.equal(await g.execs('R4'), 1, 'its write committed once');
      const rows = await g.ledgerRows('R4');
      t.equal(Number(rows[0]!.result), 2008);
    });

    t.test('PC-06 a write with a blank serial is refused 1001 and not run', async (t) => {
      const p = await connectPeer(g.port);
      t.teardown(() => p.close());
      p.send(writeFrame({ seq: 1, serial: '', n: 5 }));
      const [f] = await p.frames(1);
      t.equal(answer(f).result, 1001);
      t.equal(await g.execs(''), 0);
    });

    t.test('PC-09 the ledger survives a gateway restart: the re-send after it is replayed', async (t) => {
      const p = await connectPeer(g.port);
      p.send(writeFrame({ seq: 1, serial: 'R5', n: 5 }));
      const [f1] = await p.frames(1);
      p.close();
      await g.restart();
      const q = await connectPeer(g.port);
      t.teardown(() => q.close());
      q.send(writeFrame({ seq: 99, serial: 'R5', n: 5 }));
      const [f2] = await q.frames(1);
      t.equal(answer(f2).seq, 99);
      t.ok(answer(f2).body.equals(answer(f1).body), 'the stored reply, byte for byte');
      t.equal(await g.execs('R5'), 1);
    });
  });

  t.test(`PC-06 the key's identity is the configured client name, not the section or the address [${b.name}]`, async (t) => {
    const g = await startWriteGateway(t, b.name, b.url, {
      clients: [
        { section: 'card-a', name: 'cardsys', addresses: ['127.0.0.0/8'] },
        { section: 'other', name: 'othersys', addresses: ['127.0.0.2'] },
      ],
    });
    const a = await connectPeer(g.port, '127.0.0.1');
    const o = await connectPeer(g.port, '127.0.0.2');
    t.teardown(() => {
      a.close();
      o.close();
    });
    a.send(writeFrame({ seq: 1, serial: 'C1', n: 1 }));
    o.send(writeFrame({ seq: 1, serial: 'C1', n: 1 }));
    const [fa] = await a.frames(1);
    const [fo] = await o.frames(1);
    t.equal(answer(fa).result, 0);
    t.equal(answer(fo).result, 0);
    t.equal(await g.execs('C1'), 2, 'two clients, two writes under one serial');
    t.same((await g.ledgerRows('C1')).map((r) => r.client), ['cardsys', 'othersys'], 'the most specific block names 127.0.0.2');
    // The operator renames the section (and the client moves to another host of its block):
    // the name keeps the key, so the re-send is still recognised.
    g.config.clients = [{ section: 'renamed', name: 'cardsys', addresses: ['127.0.0.0/8'] }];
    await g.restart();
    const m = await connectPeer(g.port, '127.0.0.3');
    t.teardown(() => m.close());
    m.send(writeFrame({ seq: 7, serial: 'C1', n: 1 }));
    const [fm] = await m.frames(1);
    t.equal(answer(fm).seq, 7);
    t.ok(answer(fm).body.equals(answer(fa).body), "cardsys's stored reply");
    t.equal(await g.execs('C1'), 2, 'not written again');
  });
}
