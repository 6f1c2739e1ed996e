// Issue 14 item 4: the contracts (handlers/contracts/index.ts: what the client, `bssgate call` and
// the spec use) and the handlers (handlers/index.ts: what the dispatcher serves) describe the same
// functions with the same layouts: a handler is bound to its contract, and both lists name every
// module once.
import t from 'tap';
import { CONTRACTS, LAYOUTS_BY_CODE } from '../../handlers/contracts/index.js';
import { HANDLERS } from '../../handlers/index.js';

t.test('issue 14: every handler has its contract and every contract its handler, in the same order', async (t) => {
  t.strictSame(
    CONTRACTS.map((c) => c.biz),
    HANDLERS.map((h) => h.biz),
  );
});

t.test('issue 14: a handler serves exactly its contract (the same layouts, text and flags)', async (t) => {
  for (const [i, h] of HANDLERS.entries()) {
    const c = CONTRACTS[i];
    for (const k of ['biz', 'name', 'ids', 'interfaces', 'request', 'response', 'write', 'doc', 'refusals', 'maxPage', 'example', 'file'] as const) {
      t.equal(h[k], c[k], `${h.name} (${h.biz}): ${k}`);
    }
    t.equal(typeof h.handle, 'function', `${h.name}: handle`);
    t.equal(LAYOUTS_BY_CODE.get(h.biz)?.request, h.request, `${h.name}: the client's request layout is the dispatcher's`);
    t.equal(LAYOUTS_BY_CODE.get(h.biz)?.response, h.response, `${h.name}: the client's response layout is the dispatcher's`);
  }
});

t.test('issue 14: the spec names the handler file, not the contract', async (t) => {
  for (const c of CONTRACTS) t.match(c.file, /^handlers\/[a-z0-9-]+\.ts$/, `${c.name}: ${c.file}`);
});
