// The one unitView (src/store/unit-view.ts): the store as a write function's unit of work sees it
// (issue 14: dispatch and the reconciliation each had a copy; only one set `base`, which the
// password lockout's per-database state relies on, handlers/kit/password.ts).
import t from 'tap';
import type { QueryDef, Queryable, Store } from '../../src/store/types.js';
import { unitView } from '../../src/store/unit-view.js';

const q: QueryDef = { name: 't.unit-view', sql: 'SELECT 1' };

t.test('issue 14 unitView: reads and writes go into the unit, base names the store, nested units are refused', async (t) => {
  const calls: string[] = [];
  const tx: Queryable = {
    all: async () => (calls.push('tx.all'), [{ a: 1 }]) as never,
    one: async () => (calls.push('tx.one'), { a: 2 }) as never,
    run: async () => (calls.push('tx.run'), 3),
  };
  const store = {
    dialect: 'sqlite',
    all: async () => (calls.push('store.all'), []) as never,
    one: async () => (calls.push('store.one'), undefined),
    run: async () => (calls.push('store.run'), 0),
    ping: async () => void calls.push('store.ping'),
    tableExists: async () => (calls.push('store.tableExists'), true),
    transaction: async () => undefined as never,
    unitOfWork: async () => undefined as never,
    close: async () => undefined,
  } as Store;
  const view = unitView(store, tx);
  t.same(await view.all(q), [{ a: 1 }]);
  t.same(await view.one(q), { a: 2 });
  t.equal(await view.run(q), 3);
  await view.ping();
  t.equal(await view.tableExists('X'), true);
  t.same(calls, ['tx.all', 'tx.one', 'tx.run', 'store.ping', 'store.tableExists'], 'queries go to the unit; ping and tableExists to the store');
  t.equal(view.base, store, 'base is the store the unit belongs to');
  t.equal(view.dialect, 'sqlite');
  await t.rejects(view.transaction(async () => 1), /transaction\(\) inside a write function's unit of work/);
  await t.rejects(view.unitOfWork(async () => 1), /unitOfWork\(\) inside a write function's unit of work/);
  await t.rejects(view.close(), /close\(\) inside a write function's unit of work/);
});
