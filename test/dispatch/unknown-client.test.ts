// Issue 13 defect 6 (PC-03, PC-06): a standby host left out of [client.<id>] addresses used to
// post the card system's payments under another identity (`*`), so a re-send of the same serial
// from the named host posted the money a second time (only a warn.log line). Now, on an interface
// that client sections cover, a write from an address none of them names is refused 1010
// UNKNOWN_CLIENT (fail closed), nothing run or stored; reads are answered; a write on an interface
// no section covers (the call centre's, here cs) goes through. SQLite, and PostgreSQL when
// BSSGATE_TEST_PG_URL is set.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { HANDLERS } from '../../handlers/index.js';
import { BssClient } from '../../src/client.js';
import { DEFAULT_CARD } from '../../src/config/keys.js';
import type { Config, DatabaseConfig } from '../../src/config/types.js';
import { createLogs } from '../../src/log/index.js';
import { demoFixtures } from '../../src/store/demo.js';
import { ensureDatabase } from '../../src/store/init.js';
import { openStore } from '../../src/store/open.js';
import { Gateway } from '../../src/server/gateway.js';
import { systemClock } from '../../src/clock.js';
import { testInterface } from '../helpers/gateway.js';
import { familyLines } from '../helpers/log-files.js';
import { SEED_SCRYPT } from '../helpers/seeded.js';
import { withTempDatabase } from '../store/contract-pg-helper.js';
import { backends } from './harness.js';

for (const b of backends()) {
  t.test(`issue 13 PC-03 PC-06: a write from an address no [client] covering the interface names is refused 1010 [${b.name}]`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'bssgate-unknown-client-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const database: DatabaseConfig =
      b.name === 'sqlite'
        ? { type: 'sqlite', path: join(dir, 'db.sqlite'), poolMax: 1, passwordStorage: 'scrypt', demoSubscribers: 0, demoSeed: 1 }
        : { type: 'postgres', url: (await withTempDatabase(t, b.url!, 'uc')).url, poolMax: 4, passwordStorage: 'scrypt', demoSubscribers: 0, demoSeed: 1 };
    const config: Config = {
      files: [],
      interfaces: [testInterface({ name: 'card', kind: 'card' }), testInterface({ name: 'cs', kind: 'cs' })],
      database,
      log: { dir: join(dir, 'logs'), level: 'info', retentionDays: 30, requests: true },
      shutdownGraceMs: 2_000,
      card: { ...DEFAULT_CARD, reportDir: join(dir, 'reports') },
      // The card system's active host only; its standby 127.0.0.2 was left out.
      clients: [{ section: 'cardsys', name: 'cardsys', addresses: ['127.0.0.1'], interfaces: ['card'] }],
    };
    const logs = createLogs(config.log, { clock: systemClock, stderr: false });
    const store = await openStore(config.database, logs.main);
    await ensureDatabase(store, { demoSubscribers: 20, demoSeed: 1, now: new Date(), log: logs.main, passwordStorage: 'scrypt', scrypt: SEED_SCRYPT });
    const gateway = new Gateway({ config, store, logs, clock: systemClock, handlers: HANDLERS });
    const bound = await gateway.start();
    const port = (name: string) => bound.find((x) => x.name === name)!.port;
    const connect = (iface: string, localAddress: string) => BssClient.connect({ host: '127.0.0.1', port: port(iface), localAddress, timeoutMs: 20_000, operator: 'T' });
    const standby = await connect('card', '127.0.0.2');
    const active = await connect('card', '127.0.0.1');
    const callCentre = await connect('cs', '127.0.0.2');
    t.teardown(async () => {
      for (const c of [standby, active, callCentre]) await c.close(true).catch(() => undefined);
      await gateway.stop(2_000);
      await store.close();
      await logs.close();
    });
    const fx = demoFixtures(1);
    const f = fx.first;
    const pays = async (serial: string) =>
      (await store.all<{ source: string; amount: unknown }>({ name: 't.uc.pays', sql: 'SELECT SOURCE, AMOUNT FROM TAB_PAY WHERE SERIAL = :s' }, { s: serial })).map((r) => String(r.source).trim());
    const ledger = async (serial: string) => (await store.all({ name: 't.uc.ledger', sql: 'SELECT CLIENT FROM BSG_IDEMPOTENCY WHERE SERIAL = :s' }, { s: serial })).length;

    const body = { svcnum: f.svcnum, amount: 2500n };
    const first = await standby.call('payment', body, { serial: 'M6DOUBLE01' });
    t.equal(first.result, 1010, `the standby's payment is refused: ${first.message}`);
    t.match(first.message, /127\.0\.0\.2/, 'the message names the address');
    t.same(await pays('M6DOUBLE01'), [], 'nothing posted');
    t.equal(await ledger('M6DOUBLE01'), 0, 'nothing remembered: the re-send from a named host runs');

    const again = await active.call('payment', body, { serial: 'M6DOUBLE01' });
    t.equal(again.result, 0, `the re-send from the configured host posts: ${again.message}`);
    t.same(await pays('M6DOUBLE01'), ['cardsys'], 'posted once, under the client name');
    const replay = await active.call('payment', body, { serial: 'M6DOUBLE01' });
    t.equal(replay.result, 0);
    t.same(await pays('M6DOUBLE01'), ['cardsys'], 'still once');

    const rev = await standby.call('reversal', { svcnum: f.svcnum, origSerial: 'M6DOUBLE01' }, { serial: 'M6REV01' });
    t.equal(rev.result, 1010, 'a reversal from the standby is refused too');
    t.same(await pays('M6REV01'), [], 'no reversal row, no tombstone');

    const read = await standby.call('connection-check', {});
    t.equal(read.result, 0, 'a read from the unnamed address is answered');
    const recent = await standby.call('recent-card-payments', { minutes: 60, offset: 0, limit: 50 });
    t.equal(recent.result, 0, `a PC-08 read from it too: ${recent.message}`);

    // The call centre's writes on cs: no [client] section covers cs, so 127.0.0.2 is the client * there.
    const cs = await callCentre.call('emergency-suspend', { svcnum: fx.cdma.svcnum }, { serial: 'M6CS01' });
    t.equal(cs.result, 0, `a write on an interface no section covers goes through: ${cs.message}`);
    const csRows = await store.all<{ client: string; iface: string }>({ name: 't.uc.cs', sql: 'SELECT CLIENT, IFACE FROM BSG_IDEMPOTENCY WHERE SERIAL = :s' }, { s: 'M6CS01' });
    t.same(csRows.map((r) => [String(r.client).trim(), String(r.iface).trim()]), [['*', 'cs']]);

    await logs.flush();
    const err = familyLines(config.log.dir, 'card', 'err', new Date());
    t.ok(err.some((l) => /"code":1010/.test(l) && /127\.0\.0\.2/.test(l)), 'err.MMDD has the refusal with the peer');
  });
}
