// PC-07: `bssgate serve` watches [card] reconcile_dir: a file dropped there is reconciled while the
// gateway runs (and the watcher stops with it).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { DEFAULT_CARD } from '../../src/config/keys.js';
import type { Config } from '../../src/config/types.js';
import { demoFixtures } from '../../src/store/demo.js';
import { startGateway } from '../../src/serve.js';
import { testInterface } from '../helpers/gateway.js';

t.test('PC-07: the drop directory of [card] is served by startGateway (bssgate serve)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-servedrop-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const drop = join(dir, 'drop');
  mkdirSync(drop);
  const config: Config = {
    files: [],
    interfaces: [testInterface({ name: 'card', kind: 'card' })],
    database: { type: 'sqlite', path: join(dir, 'db.sqlite'), poolMax: 1, passwordStorage: 'plain', demoSubscribers: 20, demoSeed: 1 },
    log: { dir: join(dir, 'logs'), level: 'info', retentionDays: 30, requests: true, stderr: false },
    shutdownGraceMs: 1_000,
    card: { ...DEFAULT_CARD, reconcileDir: drop, reportDir: join(dir, 'reports'), pollMs: 1_000 },
  };
  const running = await startGateway(config, { admin: false, scanner: false });
  t.teardown(() => running.stop());
  const f = demoFixtures(1).first;
  writeFileSync(join(drop, 'card-20240615.txt'), `H|card|20240615|1|777\nP|SD1|${f.svcnum}|777|20240615120000\n`);
  const deadline = Date.now() + 20_000;
  while (!existsSync(join(drop, 'done', 'card-20240615.txt')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  t.ok(existsSync(join(drop, 'done', 'card-20240615.txt')), 'reconciled and moved to done/');
  const rows = await running.store.all<{ amount: unknown }>({ name: 't.sd', sql: "SELECT CAST(AMOUNT AS VARCHAR(30)) AS AMOUNT FROM TAB_PAY WHERE SOURCE = 'card' AND SERIAL = 'SD1'" });
  t.same(rows.map((r) => String(r.amount)), ['777'], 'the missing payment applied');
  t.ok(readdirSync(join(dir, 'reports')).some((n) => n.startsWith('card-20240615-')), 'its report');
});
