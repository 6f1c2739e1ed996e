// No false 9xxx for writes (PC-06): a 9xxx promises nothing was done. A write stalled in the
// database past request_timeout is not answered 9002 but with its real outcome; a COMMIT whose
// outcome is unknown is resolved through the idempotency ledger before anything is answered
// (committed → the stored reply, not committed → 9001); while the database does not answer the
// frame waits and later answers on the connection wait behind it (answers leave in order); at a
// gateway stop it gets no answer at all, and the re-send after the restart gets the ledger's (PC-09).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import t from 'tap';
import { ledgerFor } from '../../src/idempotency.js';
import { unavailable } from '../../src/store/errors.js';
import type { AdminStore, Store } from '../../src/store/types.js';
import { answer, backends, connectPeer, startWriteGateway, writeFrame } from './harness.js';

/** The gateway's store with faults on demand: a COMMIT "lost" after it succeeded, a database that does not answer transactions. */
function faulty(real: AdminStore) {
  const ctl = { loseNextCommit: false, txDown: false };
  const store = new Proxy(real, {
    get(target, prop) {
      if (prop === 'unitOfWork') {
        return async <T>(fn: Parameters<Store['unitOfWork']>[0]): Promise<T> => {
          const lose = ctl.loseNextCommit;
          ctl.loseNextCommit = false;
          const v = (await target.unitOfWork(fn)) as T;
          // committed, but the client library saw the connection drop during COMMIT
          if (lose) throw unavailable('Connection terminated unexpectedly (during COMMIT)');
          return v;
        };
      }
      if (prop === 'transaction') {
        return <T>(fn: Parameters<Store['transaction']>[0]): Promise<T> =>
          ctl.txDown ? Promise.reject(unavailable('connect ECONNREFUSED 127.0.0.1:5432')) : (target.transaction(fn) as Promise<T>);
      }
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as Store;
  return { ctl, store };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const b of backends()) {
  t.test(`PC-06 a write stalled in the database past request_timeout is answered its real outcome, never 9002 [${b.name}]`, async (t) => {
    const g = await startWriteGateway(t, b.name, b.url, { interfaces: [{ requestTimeoutMs: 150 }] });
    const p = await connectPeer(g.port);
    t.teardown(() => p.close());
    let release: () => Promise<void>;
    if (b.name === 'postgres') {
      // Another session holds the row lock the unit needs.
      const c = new pg.Client({ connectionString: g.pgUrl });
      await c.connect();
      t.teardown(() => c.end().catch(() => undefined));
      await c.query('BEGIN');
      await c.query('UPDATE TST_LOCK SET N = N + 100 WHERE ID = 1');
      release = async () => {
        await c.query('COMMIT');
      };
    } else {
      // Another process holds SQLite's write lock for 1.2 s (better-sqlite3 waits synchronously,
      // so the holder cannot live in this process).
      const file = (g.config.database.path as string);
      const script = `const D=require(${JSON.stringify(join(process.cwd(), 'node_modules/better-sqlite3'))});const d=new D(${JSON.stringify(file)});d.exec('BEGIN IMMEDIATE');process.stdout.write('locked\\n');setTimeout(()=>{d.exec('COMMIT');process.exit(0)},1200);`;
      const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      t.teardown(() => void child.kill());
      await new Promise<void>((r) => child.stdout.once('data', () => r()));
      release = () => new Promise<void>((r) => child.once('exit', () => r()));
    }
    const sent = Date.now();
    p.send(writeFrame({ seq: 5, serial: 'STALL1', n: 1, lock: 1 }));
    if (b.name === 'postgres') {
      await sleep(800);
      t.equal(p.received().length, 0, 'no answer while the row is locked (request_timeout 150 ms long passed)');
      t.equal(await g.execs('STALL1'), 0, 'nothing committed yet');
    }
    await release();
    const [f] = await p.frames(1, 10_000);
    const a = answer(f);
    t.ok(Date.now() - sent > 150, 'answered after the request timeout');
    t.equal(a.result, 0, 'answered 0: the real outcome, not 9002');
    t.equal(await g.execs('STALL1'), 1, 'and the row is there');
    t.equal((await g.ledgerRows('STALL1')).length, 1);
  });

  t.test(`PC-06 a COMMIT lost after it succeeded: resolved through the ledger, answered with the stored reply [${b.name}]`, async (t) => {
    let f!: ReturnType<typeof faulty>;
    const g = await startWriteGateway(t, b.name, b.url, { wrap: (s) => (f = faulty(s)).store });
    const p = await connectPeer(g.port);
    t.teardown(() => p.close());
    f.ctl.loseNextCommit = true;
    p.send(writeFrame({ seq: 1, serial: 'LOST1', n: 1 }));
    const [fr] = await p.frames(1);
    const a = answer(fr);
    t.equal(a.result, 0, 'not the 9001 the commit reported: the write is in the database');
    t.equal(await g.execs('LOST1'), 1);
    const rows = await g.ledgerRows('LOST1');
    t.ok(Buffer.from(rows[0]!.reply as Buffer).equals(a.body), 'the stored reply was sent');
    t.equal(ledgerFor(f.store).stats.resolvedCommitted, 1, 'resolved as committed');
    const warn = (await g.logLines('cs', 'ans')).join('\n');
    t.notMatch(warn, /"result":9001/, 'no 9001 answered');
  });

  t.test(`PC-06 in doubt while the database does not answer: the frame waits, later answers wait behind it, then both in order [${b.name}]`, async (t) => {
    let f!: ReturnType<typeof faulty>;
    const g = await startWriteGateway(t, b.name, b.url, { wrap: (s) => (f = faulty(s)).store });
    const p = await connectPeer(g.port);
    t.teardown(() => p.close());
    f.ctl.loseNextCommit = true;
    f.ctl.txDown = true;
    p.send(writeFrame({ seq: 1, serial: 'DOUBT1', n: 1 }));
    await sleep(100);
    p.send(writeFrame({ seq: 2, serial: 'AFTER1', n: 2 }));
    await sleep(500);
    t.equal(p.received().length, 0, 'no answer while the outcome is unknown, and none overtakes it');
    t.equal(await g.execs('AFTER1'), 1, 'the later request did run (its answer waits in order)');
    f.ctl.txDown = false;
    const fs = await p.frames(2, 10_000);
    t.same(fs.map((x) => answer(x).seq), [1, 2], 'answers in request order');
    t.same(fs.map((x) => answer(x).result), [0, 0], 'the in-doubt write resolved as committed');
    t.equal(await g.execs('DOUBT1'), 1);
  });

  t.test(`PC-09 a write still in doubt when the gateway stops is left unanswered; the re-send after the restart gets the ledger's reply [${b.name}]`, async (t) => {
    let f!: ReturnType<typeof faulty>;
    const g = await startWriteGateway(t, b.name, b.url, { wrap: (s) => (f = faulty(s)).store });
    const p = await connectPeer(g.port);
    f.ctl.loseNextCommit = true;
    f.ctl.txDown = true;
    p.send(writeFrame({ seq: 1, serial: 'STOP1', n: 1 }));
    await sleep(200);
    // the same request on another connection waits for the one in doubt
    const dup = await connectPeer(g.port);
    dup.send(writeFrame({ seq: 9, serial: 'STOP1', n: 1 }));
    await sleep(100);
    await g.restart();
    t.equal(p.received().length, 0, 'no answer: neither a 9xxx (it committed) nor a 0 nobody proved');
    t.equal(dup.received().length, 0, 'nor for the copy that waited for it');
    p.close();
    dup.close();
    t.match(await g.allLogText(), /still in doubt: left unanswered/, 'warn.log says which write was left unanswered');
    f.ctl.txDown = false;
    const q = await connectPeer(g.port);
    t.teardown(() => q.close());
    q.send(writeFrame({ seq: 2, serial: 'STOP1', n: 1 }));
    const [fr] = await q.frames(1);
    t.equal(answer(fr).result, 0, 'the re-send gets the stored reply');
    t.equal(await g.execs('STOP1'), 1, 'written once');
  });

  if (b.name === 'postgres') {
    t.test('PC-06 the group committer\'s backend killed during COMMIT: the answer agrees with the database', async (t) => {
      const g = await startWriteGateway(t, b.name, b.url);
      const admin = new pg.Client({ connectionString: g.pgUrl });
      await admin.connect();
      t.teardown(() => admin.end().catch(() => undefined));
      const p = await connectPeer(g.port);
      t.teardown(() => p.close());
      // slow: a deferred trigger sleeps 1.5 s inside COMMIT; the backend is terminated then.
      p.send(writeFrame({ seq: 1, serial: 'KILL1', n: 1, slow: 1 }));
      let pid: number | undefined;
      for (let i = 0; i < 100 && pid === undefined; i++) {
        await sleep(20);
        const r = await admin.query("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = 'COMMIT' AND state = 'active' AND pid <> pg_backend_pid()");
        pid = r.rows[0]?.pid as number | undefined;
      }
      t.ok(pid, 'found the backend in COMMIT');
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      const [fr] = await p.frames(1, 20_000);
      const a = answer(fr);
      const n = await g.execs('KILL1');
      t.ok((a.result === 0 && n === 1) || (a.result >= 9000 && n === 0), `answer ${a.result} agrees with the database (${n} rows)`);
      t.equal(n, 0, 'terminated inside COMMIT: rolled back');
      t.equal(a.result, 9001, 'so 9001 is true: nothing was done');
      t.equal(ledgerFor(g.store).stats.resolvedAbsent, 1, 'decided by the ledger probe, not guessed');
      // The card system re-sends: now it is done, once.
      p.send(writeFrame({ seq: 2, serial: 'KILL1', n: 1 }));
      const f2 = (await p.frames(2, 20_000))[1];
      t.equal(answer(f2).result, 0);
      t.equal(await g.execs('KILL1'), 1);
    });
  }
}
