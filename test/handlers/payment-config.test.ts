// PC-03 with a configured gateway: the [card] amount bounds of the configuration reach the handler
// (2010 outside them), and a card system named by [client.<id>] posts under its client name
// (TAB_PAY.SOURCE), which its reversals and its reconciliation use too.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import pino from 'pino';
import { HANDLERS } from '../../handlers/index.js';
import { BssClient } from '../../src/client.js';
import { DEFAULT_CARD } from '../../src/config/keys.js';
import type { Config } from '../../src/config/types.js';
import { createLogs } from '../../src/log/index.js';
import { demoFixtures } from '../../src/store/demo.js';
import { ensureDatabase } from '../../src/store/init.js';
import { openStore } from '../../src/store/open.js';
import { Gateway } from '../../src/server/gateway.js';
import { parseReconFile } from '../../src/reconcile/parse.js';
import { reconcile } from '../../src/reconcile/run.js';
import { systemClock } from '../../src/clock.js';
import { testInterface } from '../helpers/gateway.js';
import { schemas, SEED_SCRYPT } from '../helpers/seeded.js';
import { schemaFacts } from '../helpers/schema-facts.js';
import { schemaBTarget } from '../../src/store/schemas/b.js';

/** Query names are process-wide: one counter for both schemas' runs. */
let factsQueries = 0;

for (const schema of schemas())
t.test(`PC-03 [card] bounds and [client.<id>] name, through a configured gateway${schema === 'b' ? ' [schema B]' : ''}`, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-pc03cfg-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const config: Config = {
    files: [],
    interfaces: [testInterface({ name: 'jfk', kind: 'card' })],
    database: {
      type: 'sqlite', path: join(dir, 'db.sqlite'), poolMax: 1, passwordStorage: 'scrypt', demoSubscribers: 0, demoSeed: 1,
      ...(schema === 'b' ? { queries: join(import.meta.dirname, '../../config/schemas/b/queries.sql') } : {}),
    },
    log: { dir: join(dir, 'logs'), level: 'info', retentionDays: 30, requests: true },
    shutdownGraceMs: 2_000,
    card: { ...DEFAULT_CARD, minAmount: 500n, maxAmount: 20_000n, reportDir: join(dir, 'reports') },
    clients: [{ section: 'paycard', name: 'qhjfk', addresses: ['127.0.0.1'] }],
  };
  const logs = createLogs(config.log, { clock: systemClock, stderr: false });
  const store = await openStore(config.database, logs.main);
  await ensureDatabase(store, { demoSubscribers: 20, demoSeed: 1, now: new Date(), log: logs.main, passwordStorage: 'scrypt', scrypt: SEED_SCRYPT, ...(schema === 'b' ? { target: schemaBTarget() } : {}) });
  const gateway = new Gateway({ config, store, logs, clock: systemClock, handlers: HANDLERS });
  const [bound] = await gateway.start();
  const c = await BssClient.connect({ host: '127.0.0.1', port: bound.port, timeoutMs: 10_000, operator: 'T' });
  t.teardown(async () => {
    await c.close(true).catch(() => undefined);
    await gateway.stop(2_000);
    await store.close();
    await logs.close();
  });
  const fx = demoFixtures(1);
  const f = fx.first;

  for (const amount of [499n, 20_001n]) {
    const r = await c.call('payment', { svcnum: f.svcnum, amount }, { serial: `CFG${amount}` });
    t.equal(r.result, 2010, `${amount} fen outside [card] 500..20000: ${r.message}`);
    t.match(r.message, /500\.\.20000/);
  }
  for (const amount of [500n, 20_000n]) t.equal((await c.call('payment', { svcnum: f.svcnum, amount }, { serial: `CFG${amount}` })).result, 0, `${amount}: the bounds themselves`);

  const facts = schemaFacts(schema, (sql, binds) => store.all({ name: `t.facts.${++factsQueries}`, sql }, binds ?? {}));
  const rows = [...(await facts.paysOfSerial('CFG20000')), ...(await facts.paysOfSerial('CFG500'))];
  t.same(rows.map((r) => [r.source.trim(), r.serial.trim()]), [['qhjfk', 'CFG20000'], ['qhjfk', 'CFG500']], 'SOURCE = the client name, not the interface name');
  const rev = await c.call('reversal', { svcnum: f.svcnum, origSerial: 'CFG500' }, { serial: 'CFGR1' });
  t.equal(rev.result, 0, `the reversal finds it under the client name: ${rev.message}`);
  t.equal(rev.body?.amount, 500n);

  // The day's file under the client's name agrees: no differences.
  const now = new Date();
  const ts = (d: Date) => `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}${String(d.getHours()).padStart(2, '0')}${String(d.getMinutes()).padStart(2, '0')}${String(d.getSeconds()).padStart(2, '0')}`;
  const day = ts(now).slice(0, 8);
  const text = `H|qhjfk|${day}|3|20000\nP|CFG500|${f.svcnum}|500|${ts(now)}\nP|CFG20000|${f.svcnum}|20000|${ts(now)}\nR|CFGR1|CFG500|${f.svcnum}|500|${ts(now)}\n`;
  const res = await reconcile(parseReconFile(text), 'x', { store, log: pino({ level: 'silent' }), card: config.card });
  t.same(res.differences, [], 'the reconciliation matches the client\'s postings');
});
