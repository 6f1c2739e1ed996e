// Issue 13, defects 1 and 2: the idempotency ledger across gateway processes on one PostgreSQL
// database (docs/idempotency.md).
//   1. The same PC-04 (same serial, same body) sent to two gateways at the same moment: the copy
//      that waited for the account's row lock and then refused on what its twin had just committed
//      (2009; for an original never paid, the twin's tombstone: a 2008 with another message) was
//      answered that refusal. Every copy must get the
//      one answer of the key: a unit that refuses or fails looks the key up before answering.
//   2. A write whose COMMIT was lost, and rolled back, while the re-send committed the key on the
//      other gateway: the in-doubt resolution took the other attempt's ledger row for its own and
//      wrote suc_query.MMDD for a PAYSN that never committed. The row's ATTEMPT id tells them apart.
// Two gateways are `bssgate serve` processes (the built CLI); for defect 2 the gateway whose COMMIT
// is lost runs in this process (the fault is injected into its store), the other is a process.
// PostgreSQL only (BSSGATE_TEST_PG_URL). BSSGATE_TEST_ROUNDS sets the rounds of defect 1 (default 30).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import pino from 'pino';
import { HANDLERS } from '../../handlers/index.js';
import payment from '../../handlers/payment.js';
import reversal from '../../handlers/reversal.js';
import { encodeRequest } from '../../protocol/message.js';
import { businessByName } from '../../protocol/business-types.js';
import { HEADER_SIZE, RESULT_OFFSET } from '../../protocol/header.js';
import type { BodyRecord } from '../../protocol/layout-types.js';
import type { Config } from '../../src/config/types.js';
import { ledgerFor } from '../../src/idempotency.js';
import { createLogs } from '../../src/log/index.js';
import { Gateway } from '../../src/server/gateway.js';
import { unavailable } from '../../src/store/errors.js';
import { ensureDatabase } from '../../src/store/init.js';
import { openStore } from '../../src/store/open.js';
import type { AdminStore, Row, Store } from '../../src/store/types.js';
import { systemClock } from '../../src/clock.js';
import { testInterface } from '../helpers/gateway.js';
import { familyLines } from '../helpers/log-files.js';
import { SEED, SEED_SCRYPT } from '../helpers/seeded.js';
import { freePort, serve, type ServedGateway } from '../helpers/serve.js';
import { withTempDatabase } from '../store/contract-pg-helper.js';
import { connectPeer, type Peer } from '../dispatch/harness.js';

const PG = process.env.BSSGATE_TEST_PG_URL;
const ROUNDS = Number(process.env.BSSGATE_TEST_ROUNDS ?? 30);
const CLIENT = 'cardsys';
const PAY = businessByName('payment')!.code;
const REV = businessByName('reversal')!.code;

function frame(biz: number, seq: number, serial: string, body: BodyRecord): Buffer {
  const layout = biz === PAY ? payment[0].request : reversal[0].request;
  return encodeRequest({ biz, seq, serial, time: '20261201120000', operator: 'card' }, layout, body);
}

/** Result code and body bytes of an answer (the header's seq and time are per answer). */
function outcome(f: Buffer): { result: number; body: Buffer } {
  return { result: f.readUInt16BE(RESULT_OFFSET), body: Buffer.from(f.subarray(HEADER_SIZE)) };
}

interface Db {
  dir: string;
  url: string;
  store: AdminStore;
  numbers: string[];
  sql<T = Row>(text: string): Promise<T[]>;
  /** An INI for `bssgate serve`: one card interface, the client `cardsys` for 127.0.0.1. */
  ini(name: string, port: number): string;
}

async function demoDatabase(t: Test, tag: string): Promise<Db> {
  const dir = mkdtempSync(join(tmpdir(), `bssgate-${tag}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const db = await withTempDatabase(t, PG!, tag);
  const log = pino({ level: 'silent' });
  const store = await openStore({ type: 'postgres', url: db.url, poolMax: 4, passwordStorage: 'scrypt', demoSubscribers: 0, demoSeed: SEED }, log);
  t.teardown(() => store.close());
  await ensureDatabase(store, { demoSubscribers: 60, demoSeed: SEED, now: new Date(), log, passwordStorage: 'scrypt', scrypt: SEED_SCRYPT });
  let n = 0;
  const sql = <T = Row>(text: string) => store.all<T>({ name: `x13.${tag}.${++n}`, sql: text });
  const live = await sql<{ svcnum: string }>('SELECT SVCNUM AS svcnum FROM TAB_SUBSCRB WHERE STATUS IN (1, 3) ORDER BY SVCNUM');
  return {
    dir,
    url: db.url,
    store,
    numbers: live.map((r) => String(r.svcnum).trim()),
    sql,
    ini(name, port) {
      const file = join(dir, `${name}.ini`);
      writeFileSync(
        file,
        [
          '[interface.card]', 'host = 127.0.0.1', `port = ${port}`, '',
          '[client.card-primary]', `name = ${CLIENT}`, 'addresses = 127.0.0.1', '',
          '[database]', 'type = postgres', `url = ${db.url}`, 'pool_max = 4', '',
          '[log]', `dir = ${join(dir, `logs-${name}`)}`, '',
        ].join('\n'),
      );
      return file;
    },
  };
}

async function served(t: Test, db: Db, name: string): Promise<{ port: number; g: ServedGateway }> {
  const port = await freePort();
  const g = await serve(db.ini(name, port));
  t.teardown(() => g.stop());
  return { port, g };
}

if (!PG) {
  t.comment('BSSGATE_TEST_PG_URL is not set: the cross-gateway ledger tests need PostgreSQL');
} else {
  t.setTimeout(600_000);

  t.test(`issue 13 PC-04 PC-03 PC-06: the same request sent to two gateway processes at once gets one answer, byte for byte (${ROUNDS} rounds) [postgres]`, async (t) => {
    const db = await demoDatabase(t, 'x13a');
    const [a, b] = await Promise.all([served(t, db, 'a'), served(t, db, 'b')]);
    const pa: Peer = await connectPeer(a.port);
    const pb: Peer = await connectPeer(b.port);
    t.teardown(() => {
      pa.close();
      pb.close();
    });
    let na = 0;
    let nb = 0;
    const both = async (f: Buffer) => {
      pa.send(f);
      pb.send(f);
      const [fa, fb] = await Promise.all([pa.frames(++na, 60_000), pb.frames(++nb, 60_000)]);
      return [outcome(fa[na - 1]), outcome(fb[nb - 1])];
    };
    const differ: string[] = [];
    const seen = new Map<number, number>();
    const tombs = new Map<number, number>();
    for (let r = 0; r < ROUNDS; r++) {
      const svcnum = db.numbers[r % db.numbers.length];
      // A payment (answered 0), then its reversal, the same frame to both gateways at once.
      pa.send(frame(PAY, 1000 + r, `X13P${r}`, { svcnum, amount: 1000n + BigInt(r) }));
      const paid = outcome((await pa.frames(++na, 60_000))[na - 1]);
      t.equal(paid.result, 0, `round ${r}: the payment is posted`);
      const rev = await both(frame(REV, 2000 + r, `X13R${r}`, { svcnum, origSerial: `X13P${r}` }));
      for (const o of rev) seen.set(o.result, (seen.get(o.result) ?? 0) + 1);
      if (rev[0].result !== rev[1].result || !rev[0].body.equals(rev[1].body)) differ.push(`PC-04 X13R${r}: ${rev[0].result} / ${rev[1].result}`);
      // The same PC-03 to both at once.
      const pay = await both(frame(PAY, 3000 + r, `X13Q${r}`, { svcnum, amount: 700n }));
      if (pay[0].result !== pay[1].result || !pay[0].body.equals(pay[1].body)) differ.push(`PC-03 X13Q${r}: ${pay[0].result} / ${pay[1].result}`);
      // The same PC-04 of a payment that never arrived, to both at once: one tombstone, one 2008
      // (the copy that found the other's tombstone refused with another message before the fix).
      const tomb = await both(frame(REV, 4000 + r, `X13T${r}`, { svcnum, origSerial: `X13NONE${r}` }));
      for (const o of tomb) tombs.set(o.result, (tombs.get(o.result) ?? 0) + 1);
      if (tomb[0].result !== tomb[1].result || !tomb[0].body.equals(tomb[1].body)) differ.push(`PC-04 unknown original X13T${r}: ${tomb[0].result} / ${tomb[1].result}`);
    }
    t.comment(`PC-04 answers by code: ${JSON.stringify(Object.fromEntries(seen))}; of an unknown original: ${JSON.stringify(Object.fromEntries(tombs))}`);
    t.same(differ, [], 'every copy of a request got the same result code and the same body bytes');
    t.equal(seen.get(0), 2 * ROUNDS, 'every reversal answered 0 on both gateways');
    t.equal(tombs.get(2008), 2 * ROUNDS, 'every reversal of an unknown original answered 2008 on both');
    // And the database: each payment reversed once, each serial posted once.
    const dup = await db.sql<{ serial: string }>("SELECT SERIAL AS serial FROM TAB_PAY WHERE SERIAL LIKE 'X13%' GROUP BY SERIAL HAVING COUNT(*) > 1");
    t.same(dup, [], 'no serial posted twice');
    const rows = await db.sql<{ n: unknown }>("SELECT COUNT(*) AS n FROM TAB_PAY WHERE SERIAL LIKE 'X13R%'");
    t.equal(Number(rows[0]!.n), ROUNDS, 'one reversal row per round');
    const stones = await db.sql<{ n: unknown }>("SELECT COUNT(*) AS n FROM TAB_PAY WHERE SERIAL LIKE 'X13NONE%'");
    t.equal(Number(stones[0]!.n), ROUNDS, 'one tombstone per unknown original');
  });

  t.test('issue 13 PC-03 PC-06: a write whose COMMIT was lost and rolled back while the re-send committed on the other gateway logs no posting of its own and answers the other\'s reply [postgres]', async (t) => {
    const db = await demoDatabase(t, 'x13b');
    const other = await served(t, db, 'other');
    const po = await connectPeer(other.port);
    t.teardown(() => po.close());

    // This gateway, in this process, over a store whose next unit of work is rolled back (its
    // savepoint undone, the batch's COMMIT carrying nothing of it) while the client library
    // reports the connection lost during COMMIT; before that report the same request is sent to
    // the other gateway, which commits it (the card system's re-send after a failover).
    const logDir = join(db.dir, 'logs-self');
    const logs = createLogs({ dir: logDir, level: 'info', retentionDays: 30, requests: true }, { clock: systemClock });
    const real = await openStore({ type: 'postgres', url: db.url, poolMax: 4, passwordStorage: 'scrypt', demoSubscribers: 0, demoSeed: SEED }, logs.main);
    class Undo extends Error {}
    let resend: (() => Promise<void>) | undefined;
    const store = new Proxy(real, {
      get(target, prop) {
        if (prop === 'unitOfWork') {
          return async <T>(fn: Parameters<Store['unitOfWork']>[0]): Promise<T> => {
            const fault = resend;
            resend = undefined;
            if (!fault) return (await target.unitOfWork(fn)) as T;
            await target
              .unitOfWork(async (tx) => {
                await fn(tx);
                throw new Undo('rolled back');
              })
              .catch((e: unknown) => {
                if (!(e instanceof Undo)) throw e;
              });
            await fault();
            throw unavailable('Connection terminated unexpectedly (during COMMIT)');
          };
        }
        const v = Reflect.get(target, prop, target) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    }) as Store;
    const config: Config = {
      files: [],
      interfaces: [testInterface({ name: 'card', kind: 'card' })],
      database: { type: 'postgres', url: db.url, poolMax: 4, passwordStorage: 'scrypt', demoSubscribers: 0, demoSeed: SEED },
      log: { dir: logDir, level: 'info', retentionDays: 30, requests: true },
      shutdownGraceMs: 2_000,
      clients: [{ section: 'card-primary', name: CLIENT, addresses: ['127.0.0.1'] }],
    };
    const gateway = new Gateway({ config, store, logs, clock: systemClock, handlers: HANDLERS });
    const [bound] = await gateway.start();
    t.teardown(async () => {
      await gateway.stop(2_000);
      await real.close();
      await logs.close();
    });
    const p = await connectPeer(bound.port);
    t.teardown(() => p.close());

    const svcnum = db.numbers[0];
    const req = frame(PAY, 7, 'X13LOST1', { svcnum, amount: 2500n });
    let otherAnswer: { result: number; body: Buffer } | undefined;
    resend = async () => {
      po.send(req);
      otherAnswer = outcome((await po.frames(1, 60_000))[0]);
    };
    p.send(req);
    const mine = outcome((await p.frames(1, 60_000))[0]);
    t.ok(otherAnswer, 'the re-send was answered by the other gateway');
    t.equal(otherAnswer?.result, 0, 'and it committed the payment');
    t.equal(mine.result, 0, 'this gateway answers 0 too');
    t.ok(otherAnswer && mine.body.equals(otherAnswer.body), "with the other gateway's stored reply, byte for byte");

    const pays = await db.sql<{ paysn: unknown }>("SELECT PAYSN AS paysn FROM TAB_PAY WHERE SERIAL = 'X13LOST1'");
    t.equal(pays.length, 1, 'posted once');
    const committed = new Set(pays.map((r) => String(r.paysn)));
    await logs.flush();
    const lines = familyLines(logDir, 'card', 'suc_query', new Date()).map((l) => JSON.parse(l) as { serial?: string; paysn?: unknown });
    const phantom = lines.filter((l) => !committed.has(String(l.paysn)));
    t.same(phantom.map((l) => `${l.serial} PAYSN ${String(l.paysn)}`), [], 'no suc_query.MMDD line here for a PAYSN that is not in TAB_PAY');
    t.equal(lines.length, 0, 'none at all: this gateway committed nothing');
    const stats = ledgerFor(store).stats;
    t.equal(stats.resolvedOther, 1, "resolved as another attempt's commit");
    t.equal(stats.resolvedCommitted, 0, 'not as its own');
    const ans = familyLines(logDir, 'card', 'ans', new Date()).join('\n');
    t.match(ans, /"replay":true/, 'ans.MMDD marks the answer a replay');
  });
}
