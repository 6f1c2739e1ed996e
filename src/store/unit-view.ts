// The store as code running inside a unit of work sees it (a write function's group-commit unit,
// src/dispatch.ts): every read and write goes into the unit, so lookups written against a Store
// (the handler kit's, typed queries on ctx.store) read the unit's own uncommitted rows. Opening
// another transaction from inside a unit would wait for the writer it holds itself: refused.
// `base` is the store the unit belongs to: per-database state is keyed by it
// (handlers/kit/password.ts), since the view itself is new per unit.
import type { Queryable, Store } from './types.js';

export function unitView(store: Store, tx: Queryable): Store {
  const refuse = (what: string) => () => Promise.reject(new Error(`${what} inside a write function's unit of work: use ctx.tx`));
  return {
    dialect: store.dialect,
    all: (q, b) => tx.all(q, b),
    one: (q, b) => tx.one(q, b),
    run: (q, b) => tx.run(q, b),
    ping: () => store.ping(),
    tableExists: (t) => store.tableExists(t),
    transaction: refuse('transaction()'),
    unitOfWork: refuse('unitOfWork()'),
    close: refuse('close()'),
    base: store,
  } as Store;
}
