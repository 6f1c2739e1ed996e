// PC-06: what docs/idempotency.md, protocol/SPEC.md and docs/handlers.md state about
// idempotency agrees with the code (names other modules and operators rely on).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { RECONCILED_CODES, RECONCILED_META_PREFIX, UNCONFIGURED_CLIENT, PURGE_EVERY_MS } from '../../src/idempotency.js';
import { CONFIG_KEYS, DEFAULT_IDEMPOTENCY_DAYS } from '../../src/config/keys.js';
import { TABLES } from '../../src/store/schema.js';

const root = join(import.meta.dirname, '..', '..');
const read = (f: string) => readFileSync(join(root, f), 'utf8');

t.test('PC-06 docs/idempotency.md states the names and numbers the code uses', async (t) => {
  const md = read('docs/idempotency.md');
  t.match(md, `\`${RECONCILED_META_PREFIX}<client>\` = \`YYYYMMDD\``, 'the BSG_META key agreed with PC-07');
  t.match(md, `client \`${UNCONFIGURED_CLIENT}\``, 'the unconfigured identity');
  t.match(md, `(default ${DEFAULT_IDEMPOTENCY_DAYS}; 1–3650)`, 'the retention default');
  for (const code of RECONCILED_CODES) t.match(md, `(${code})`, `reconciled business type ${code}`);
  t.equal(PURGE_EVERY_MS, 3_600_000);
  t.match(md, 'then hourly', 'the purge interval');
  const ledger = TABLES.find((x) => x.name === 'BSG_IDEMPOTENCY')!;
  t.same(ledger.primaryKey, ['CLIENT', 'BIZ', 'SERIAL']);
  t.match(md, 'CLIENT, BIZ, SERIAL (primary key)');
  for (const c of ledger.columns) t.match(md, c.name, `column ${c.name} named`);
});

t.test('PC-06 SPEC, handlers.md and the request_timeout doc say writes are never answered 9002 once started', async (t) => {
  const spec = read('protocol/SPEC.md');
  t.match(spec, '### Re-sent writes (idempotency, PC-06)');
  t.match(spec, 'once a write has started it is never answered 9002');
  t.match(spec, 'the request gets **no answer**');
  t.match(read('docs/handlers.md'), '## Write functions');
  const rt = CONFIG_KEYS.find((k) => k.key === 'request_timeout')!;
  t.match(rt.doc, 'never answered 9002 once started');
});
