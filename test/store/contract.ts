// The store contract, run against every back end by contract-<dialect>.test.ts. `open` gives a
// store on an empty database; the suite creates the schema from renderDdl plus one scratch table
// of every value type, and closes the store at the end.
import type { TAP } from 'tap';
import { isUniqueViolation } from '../../src/store/errors.js';
import type { BatchingStore } from '../../src/store/group-commit.js';
import { claimCommands, extendLease, finishCommand, releaseCommand, CMD_GET } from '../../src/store/queries/commands.js';
import { renderDdl } from '../../src/store/ddl.js';
import type { DatabaseType } from '../../src/config/types.js';
import type { QueryDef } from '../../src/store/types.js';

const VALUES_DDL: Record<DatabaseType, string> = {
  sqlite: 'CREATE TABLE BSG_TEST_VALUES (ID INTEGER PRIMARY KEY, MONEY INTEGER, NAME TEXT, NOTE TEXT, AT TEXT, RAW BLOB, RATIO REAL)',
  postgres:
    'CREATE TABLE BSG_TEST_VALUES (ID INTEGER PRIMARY KEY, MONEY BIGINT, NAME VARCHAR(100), NOTE VARCHAR(100), AT TIMESTAMP(0), RAW BYTEA, RATIO DOUBLE PRECISION)',
  oracle:
    'CREATE TABLE BSG_TEST_VALUES (ID NUMBER(10) PRIMARY KEY, MONEY NUMBER(19), NAME VARCHAR2(100 BYTE), NOTE VARCHAR2(100 BYTE), AT DATE, RAW BLOB, RATIO BINARY_DOUBLE)',
};

const INSERT: QueryDef = {
  name: 'test.values-insert',
  sql: 'INSERT INTO BSG_TEST_VALUES (ID, MONEY, NAME, NOTE, AT, RAW, RATIO) VALUES (:id, :money, :name, :note, :at, :raw, :ratio)',
};
const GET: QueryDef = {
  name: 'test.values-get',
  sql: 'SELECT ID, MONEY, NAME, NOTE, AT, RAW, RATIO FROM BSG_TEST_VALUES WHERE ID = :id',
  bigint: ['money'],
  dates: ['at'],
};
const COUNT: QueryDef = { name: 'test.values-count', sql: 'SELECT COUNT(*) AS N FROM BSG_TEST_VALUES WHERE ID >= :lo AND ID < :hi' };
const SUM: QueryDef = { name: 'test.values-sum', sql: 'SELECT SUM(MONEY) AS TOTAL FROM BSG_TEST_VALUES WHERE ID >= :lo AND ID < :hi', bigint: ['total'] };
const DELETE_RANGE: QueryDef = { name: 'test.values-delete', sql: 'DELETE FROM BSG_TEST_VALUES WHERE ID >= :lo AND ID < :hi' };
const PAGE: QueryDef = {
  name: 'test.values-page',
  sql: 'SELECT ID FROM BSG_TEST_VALUES WHERE ID >= :lo AND ID < :hi ORDER BY ID {{page :off :lim}}',
};
const FIRST: QueryDef = { name: 'test.values-first', sql: 'SELECT ID FROM BSG_TEST_VALUES WHERE ID >= :lo ORDER BY ID {{limit 2}}' };
const UPSERT: QueryDef = { name: 'test.values-upsert', sql: '{{upsert BSG_TEST_VALUES (ID) (NAME, MONEY)}}', bigint: [] };
const NOW: QueryDef = { name: 'test.now', sql: 'SELECT {{now}} AS NOW{{dual}}', dates: ['now'] };
const NEXT_BUSISN: QueryDef = { name: 'test.nextval', sql: 'SELECT {{nextval SEQ_BUSISN}} AS V{{dual}}', bigint: ['v'] };
const SAME_BIND_TWICE: QueryDef = {
  name: 'test.same-bind-twice',
  sql: 'SELECT ID FROM BSG_TEST_VALUES WHERE ID = :id OR (ID = :id AND NAME = :name)',
};

function row(id: number, money: bigint, name = '测试用户') {
  return { id, money, name, note: null, at: new Date(2024, 0, 31, 23, 59, 58), raw: Buffer.from([0, 1, 254, 255]), ratio: 0.25 };
}

export function storeContract(t: TAP, dialect: DatabaseType, open: () => Promise<BatchingStore>): void {
  let store: BatchingStore;

  t.before(async () => {
    store = await open();
    for (const sql of renderDdl(dialect)) await store.exec(sql);
    await store.exec(VALUES_DDL[dialect]);
  });
  t.teardown(async () => {
    await store?.close();
  });

  t.test('CS-01: ping and a one-row query answer while the database is up', async (t) => {
    await store.ping();
    t.same(await store.one({ name: 'contract.one', sql: 'SELECT 1 AS OK{{dual}}' }), { ok: 1 }, 'one row with a lower-case key and a number');
  });

  t.test('every bind type round-trips, with lower-case keys and money beyond 2^53 exact', async (t) => {
    const cases = [
      row(1, 9007199254740993n), // 2^53 + 1: a float would give ...992
      row(2, -9223372036854775808n), // int64 min
      row(3, 9223372036854775807n), // int64 max
      row(4, -1n),
      row(5, 0n, '青海省西宁市城东区东关大街１号'), // GBK Chinese, a full-width digit
    ];
    for (const c of cases) t.equal(await store.run(INSERT, c), 1, `row ${c.id} inserted`);
    for (const c of cases) {
      const got = await store.one(GET, { id: c.id });
      t.same(Object.keys(got ?? {}).sort(), ['at', 'id', 'money', 'name', 'note', 'ratio', 'raw'], 'keys are lower-case');
      t.equal(got?.money, c.money, `money ${c.money} is the same bigint`);
      t.equal(typeof got?.id, 'number', 'an undeclared integer column is a number');
      t.equal(got?.id, c.id);
      t.equal(got?.name, c.name, 'text unchanged');
      t.equal(got?.note, null, 'NULL is null');
      t.ok(got?.at instanceof Date, 'a date column is a Date');
      t.equal((got?.at as Date).getTime(), c.at.getTime(), 'the same instant');
      t.ok(Buffer.isBuffer(got?.raw) && (got?.raw as Buffer).equals(c.raw), 'bytes unchanged');
      t.equal(got?.ratio, 0.25, 'a float column is a number');
    }
    const sum = await store.one<{ total: bigint }>(SUM, { lo: 3, hi: 5 });
    t.equal(sum?.total, 9223372036854775806n, 'SUM of bigint columns is exact');
    const n = await store.one<{ n: unknown }>(COUNT, { lo: 1, hi: 6 });
    t.equal(n?.n, 5, 'COUNT(*) comes back as a number');
    t.same(await store.all(SAME_BIND_TWICE, { id: 5, name: 'x' }), [{ id: 5 }], 'a bind used twice binds the same value');
  });

  t.test('a missing bind rejects with its name and runs nothing', async (t) => {
    await t.rejects(store.run(INSERT, { id: 99 }), /missing bind :money/);
    t.equal(await store.one(GET, { id: 99 }), undefined);
  });

  t.test('unique violations are recognised on every back end', async (t) => {
    const err = await store.run(INSERT, row(1, 1n)).then(
      () => undefined,
      (e: unknown) => e,
    );
    t.ok(err, 'the duplicate insert failed');
    t.ok(isUniqueViolation(err), 'isUniqueViolation recognises it');
  });

  t.test('paging and row-limit markers', async (t) => {
    t.same(await store.all(PAGE, { lo: 1, hi: 6, off: 1, lim: 2 }), [{ id: 2 }, { id: 3 }]);
    t.same(await store.all(FIRST, { lo: 2 }), [{ id: 2 }, { id: 3 }]);
  });

  t.test('the upsert marker inserts, then updates only the listed columns', async (t) => {
    await store.run(UPSERT, { id: 50, name: '甲', money: 10n });
    await store.run(UPSERT, { id: 50, name: '乙', money: -20n });
    const got = await store.one(GET, { id: 50 });
    t.equal(got?.name, '乙');
    t.equal(got?.money, -20n);
  });

  t.test('{{now}} is the current local time', async (t) => {
    const got = await store.one<{ now: Date }>(NOW);
    t.ok(got?.now instanceof Date, 'a Date');
    t.ok(Math.abs((got?.now as Date).getTime() - Date.now()) < 5000, `within 5 s of the process clock (${String(got?.now)})`);
  });

  t.test('sequences via {{nextval}} hand out increasing numbers', async (t) => {
    const a = (await store.one<{ v: bigint }>(NEXT_BUSISN))?.v;
    const b = (await store.transaction((tx) => tx.one<{ v: bigint }>(NEXT_BUSISN)))?.v;
    t.equal(typeof a, 'bigint');
    t.ok(a !== undefined && b !== undefined && b > a, `${b} > ${a}`);
  });

  t.test('a transaction commits when fn resolves and rolls back when it throws', async (t) => {
    const v = await store.transaction(async (tx) => {
      await tx.run(INSERT, row(100, 1n));
      await tx.run(INSERT, row(101, 2n));
      return 'ok';
    });
    t.equal(v, 'ok');
    t.equal((await store.one<{ n: number }>(COUNT, { lo: 100, hi: 102 }))?.n, 2, 'both rows committed');
    await t.rejects(
      store.transaction(async (tx) => {
        await tx.run(INSERT, row(102, 3n));
        await (async () => {
          await tx.run(INSERT, row(103, 4n));
          throw new Error('nested failure');
        })();
      }),
      /nested failure/,
      'the error of a nested call comes out',
    );
    t.equal((await store.one<{ n: number }>(COUNT, { lo: 102, hi: 104 }))?.n, 0, 'nothing of the failed transaction remains');
    let leaked: import('../../src/store/types.js').Queryable | undefined;
    await store.transaction(async (tx) => {
      leaked = tx;
    });
    await t.rejects(leaked!.run(INSERT, row(104, 5n)), /already finished/, 'a finished transaction refuses further calls');
    t.equal((await store.one<{ n: number }>(COUNT, { lo: 104, hi: 105 }))?.n, 0);
  });

  t.test('a read outside a transaction does not see its uncommitted writes', async (t) => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let inserted!: () => void;
    const didInsert = new Promise<void>((r) => (inserted = r));
    const tx = store.transaction(async (tx) => {
      await tx.run(INSERT, row(200, 7n));
      inserted();
      await gate;
      throw new Error('roll back');
    });
    await didInsert;
    t.equal(await store.one(GET, { id: 200 }), undefined, 'the uncommitted row is invisible outside');
    release();
    await t.rejects(tx, /roll back/);
    t.equal(await store.one(GET, { id: 200 }), undefined, 'and it is gone after the rollback');
  });

  t.test('group commit: 64 concurrent units, one throws; only its writes are absent and each is told its outcome', async (t) => {
    const units = Array.from({ length: 64 }, (_, i) =>
      store.unitOfWork(async (tx) => {
        await tx.run(INSERT, row(1000 + i, BigInt(i) * 100n));
        if (i === 17) {
          await tx.run(INSERT, row(2000, 1n));
          throw new Error('unit 17 refuses');
        }
        return i;
      }),
    );
    const outcomes = await Promise.allSettled(units);
    for (let i = 0; i < 64; i++) {
      const o = outcomes[i];
      if (i === 17) t.ok(o.status === 'rejected' && /unit 17 refuses/.test(String(o.reason)), 'unit 17 gets its own error');
      else if (o.status !== 'fulfilled' || o.value !== i) t.fail(`unit ${i} should resolve with ${i}: ${JSON.stringify(o)}`);
    }
    t.equal((await store.one<{ n: number }>(COUNT, { lo: 1000, hi: 1064 }))?.n, 63, '63 rows committed');
    t.equal(await store.one(GET, { id: 1017 }), undefined, 'unit 17 first write rolled back');
    t.equal(await store.one(GET, { id: 2000 }), undefined, 'unit 17 second write rolled back');
    const stats = (store as unknown as { groupStats: { batches: number; units: number } }).groupStats;
    t.ok(stats.batches < stats.units, `units shared commits (${stats.units} units in ${stats.batches} batches)`);
  });

  t.test('group commit: a unit resolves only once its commit is visible, and a unit error in SQL is contained', async (t) => {
    // The duplicate is of a row committed before the units start: on PostgreSQL units may run on
    // several connections at once, so a duplicate of unit a's own row could make either a or b fail.
    await store.unitOfWork(async (tx) => tx.run(INSERT, row(2999, 1n)));
    const results = await Promise.allSettled([
      store.unitOfWork(async (tx) => {
        await tx.run(INSERT, row(3000, 1n));
        return 'a';
      }),
      store.unitOfWork(async (tx) => {
        await tx.run(INSERT, row(3001, 1n));
        await tx.run(INSERT, row(2999, 1n)); // duplicate key: a database error inside the unit
        return 'b';
      }),
      store.unitOfWork(async (tx) => {
        await tx.run(INSERT, row(3002, 1n));
        return 'c';
      }),
    ]);
    t.equal(results[0].status, 'fulfilled');
    t.ok(results[1].status === 'rejected' && isUniqueViolation(results[1].reason), 'the duplicate unit is told of its unique violation');
    t.equal(results[2].status, 'fulfilled');
    t.ok(await store.one(GET, { id: 3000 }), 'unit a committed');
    t.equal(await store.one(GET, { id: 3001 }), undefined, 'unit b rolled back entirely');
    t.ok(await store.one(GET, { id: 3002 }), 'unit c committed');
    const seen = await store.unitOfWork(async (tx) => tx.run(INSERT, row(3003, 1n))).then(() => store.one(GET, { id: 3003 }));
    t.ok(seen, 'after the promise resolves the row is readable outside');
  });

  t.test('bulkInsert loads rows and tableExists ignores case', async (t) => {
    const rows = Array.from({ length: 500 }, (_, i) => [5000 + i, BigInt(i) - 250n, `批量${i}`, null, new Date(2024, 5, 1, 8, 0, 0), null, 1.5]);
    await store.bulkInsert('BSG_TEST_VALUES', ['ID', 'MONEY', 'NAME', 'NOTE', 'AT', 'RAW', 'RATIO'], rows);
    t.equal((await store.one<{ n: number }>(COUNT, { lo: 5000, hi: 5500 }))?.n, 500);
    t.equal((await store.one<{ total: bigint }>(SUM, { lo: 5000, hi: 5500 }))?.total, -250n);
    t.ok(await store.tableExists('bsg_test_values'));
    t.ok(await store.tableExists('BSG_CMD_QUEUE'));
    t.notOk(await store.tableExists('NO_SUCH_TABLE'));
    await store.run(DELETE_RANGE, { lo: 5000, hi: 5500 });
  });

  // The scanner's claims on every back end (test/scanner/claims.test.ts has the rest on SQLite and PostgreSQL).
  const QUEUE: QueryDef = {
    name: 'contract.queue-record',
    sql: `INSERT INTO USR_BUSI_RECORD (BUSISN, SUBSCRBID, SVCNUM, BUSITYPE, STATUS, REGION, NETTYPE, IMSI, PARAM, OPERATOR, CREATED)
VALUES (:busisn, :busisn, :svcnum, 11, 5, '0971', 'G', '460001234567890', NULL, 'FRONT01', :now)`,
  };
  t.test('OC-01: two concurrent claimers never get the same command; an expired lease is taken back; fenced by token', async (t) => {
    const t0 = new Date(2030, 0, 1, 12, 0, 0);
    for (let i = 1; i <= 20; i++) await store.run(QUEUE, { busisn: 10_000n + BigInt(i), svcnum: `1390000${String(i).padStart(4, '0')}`, now: t0 });
    const [a, b] = await Promise.all([
      claimCommands(store, { owner: 'scanner-a', now: t0, leaseMs: 60_000, limit: 8 }),
      claimCommands(store, { owner: 'scanner-b', now: t0, leaseMs: 60_000, limit: 8 }),
    ]);
    t.equal(a.length + b.length, 16, '16 claimed');
    t.equal(new Set([...a, ...b].map((c) => c.busisn)).size, 16, 'no command claimed twice');
    t.match(a[0]?.leaseToken, /^[0-9a-f]{32}$/);
    const rest = await claimCommands(store, { owner: 'scanner-c', now: t0, leaseMs: 60_000, limit: 100 });
    t.equal(rest.length, 4, 'the last 4 go to a third claimer; leased ones are not claimable');
    const later = new Date(t0.getTime() + 61_000);
    const back = await claimCommands(store, { owner: 'scanner-d', now: later, leaseMs: 60_000, limit: 100 });
    t.equal(back.length, 20, 'every lease expired: all taken back');
    t.ok(back.every((c) => c.takenBack && c.attempts === 2));
    const old = [...a, ...b, ...rest].find((c) => c.busisn === back[0].busisn)!;
    t.equal(await finishCommand(store, old, { kind: 'executed', answer: 'late', switchName: 'sw' }, later), 'lost', 'the old owner can no longer complete it');
    t.notOk(await extendLease(store, old, new Date(later.getTime() + 600_000)), 'nor extend');
    t.ok(await extendLease(store, back[1], new Date(later.getTime() + 600_000)), 'a lease can be extended');
    t.equal(await finishCommand(store, back[0], { kind: 'executed', answer: '0 执行成功', switchName: 'sw' }, later), 'ok');
    const done = await CMD_GET.one(store, { busisn: back[0].busisn });
    t.equal(done?.status, 7);
    t.equal(done?.result, '0 执行成功');
    t.equal(done?.state, 'done');
    t.equal(done?.lease_token, '', 'the token is cleared when the lease ends');
    t.equal(await finishCommand(store, back[1], { kind: 'wait', reason: 'busy: 交换机忙', retryAt: new Date(later.getTime() + 5000), counted: true, switchName: 'sw' }, later), 'ok');
    const waiting = await CMD_GET.one(store, { busisn: back[1].busisn });
    t.equal(waiting?.status, 5, 'back to queued while it waits');
    t.equal(waiting?.result, 'busy: 交换机忙');
    t.equal(await finishCommand(store, back[2], { kind: 'failed', reason: 'bad template', switchName: 'sw' }, later), 'ok');
    t.equal((await CMD_GET.one(store, { busisn: back[2].busisn }))?.status, 8);
    t.ok(await releaseCommand(store, back[3], later), 'a release gives it back');
    t.equal((await CMD_GET.one(store, { busisn: back[3].busisn }))?.attempts, 1, 'a released attempt is not counted');
    for (const c of back.slice(4)) await finishCommand(store, c, { kind: 'executed', answer: 'ok', switchName: 'sw' }, later);
  });

  t.test('OC-01: a later command of the same number waits for the earlier one', async (t) => {
    const t0 = new Date(2031, 0, 1, 12, 0, 0);
    await store.run(QUEUE, { busisn: 20_001n, svcnum: '13911110000', now: t0 });
    await store.run(QUEUE, { busisn: 20_002n, svcnum: '13911110000', now: t0 });
    const got = await claimCommands(store, { owner: 's1', now: t0, leaseMs: 1000, limit: 100 });
    t.same(got.filter((c) => c.svcnum === '13911110000').map((c) => c.busisn), [20_001n], 'only the earlier command of the number is claimed');
    const lease = got.find((c) => c.busisn === 20_001n)!;
    t.equal(await finishCommand(store, lease, { kind: 'executed', answer: 'ok', switchName: 'sw' }, t0), 'ok');
    const next = await claimCommands(store, { owner: 's2', now: t0, leaseMs: 1000, limit: 100 });
    t.same(next.filter((c) => c.svcnum === '13911110000').map((c) => c.busisn), [20_002n], 'once it is done the next one follows');
  });
}
