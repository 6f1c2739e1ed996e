// Issue 13, defects 4 and 7, with gateways as real processes (`node dist/src/cli.js serve`) on one
// PostgreSQL database:
// - PC-04 PC-07: a reversal sent while a reconciliation correction of its payment holds the
//   account takes back the payment as it stands once that correction commits (lock first, then
//   read), not the amount read before the lock.
// - PC-03 PC-04: the card system's identity is not the interface's section name: with no [client]
//   sections, a payment through an interface named `card` is reversed through one named `card2`.
// PostgreSQL only (BSSGATE_TEST_PG_URL); build first.
import t, { type Test } from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { findSubscriber } from '../../../handlers/kit/subscriber.js';
import { DEFAULT_CARD } from '../../../src/config/keys.js';
import { post, RECON_OPERATOR, RECON_SOURCE } from '../../../src/domain/posting.js';
import { BssClient } from '../../../src/client.js';
import { openStore } from '../../../src/store/open.js';
import { ensureDatabase } from '../../../src/store/init.js';
import type { Row, Store } from '../../../src/store/types.js';
import { systemClock } from '../../../src/clock.js';
import { SEED, SEED_SCRYPT } from '../../helpers/seeded.js';
import { freePort, serve, waitFor, type ServedGateway } from '../../helpers/serve.js';
import { withTempDatabase } from '../../store/contract-pg-helper.js';

const PG = process.env.BSSGATE_TEST_PG_URL;
const log = pino({ level: 'silent' });

interface Setup {
  dir: string;
  url: string;
  store: Store;
  sql<T = Row>(text: string, binds?: Record<string, string | number | bigint>): Promise<T[]>;
  /** An active subscriber with a balance row: its number, account and balance now. */
  subscriber(): Promise<{ svcnum: string; acctid: bigint; subscrbid: bigint; balance: bigint }>;
  /** A card interface section of its own INI file, served as a process. */
  gateway(section: string): Promise<{ g: ServedGateway; client: BssClient }>;
}

async function setup(t: Test, tag: string): Promise<Setup> {
  const dir = mkdtempSync(join(tmpdir(), `bssgate-${tag}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const db = await withTempDatabase(t, PG!, tag);
  const store = await openStore({ type: 'postgres', url: db.url, poolMax: 4, passwordStorage: 'scrypt', demoSubscribers: 0, demoSeed: SEED }, log);
  t.teardown(() => store.close());
  await ensureDatabase(store, { demoSubscribers: 40, demoSeed: SEED, now: new Date(), log, passwordStorage: 'scrypt', scrypt: SEED_SCRYPT });
  let n = 0;
  const sql = <T = Row>(text: string, binds: Record<string, string | number | bigint> = {}) => store.all<T>({ name: `t.${tag}.${++n}`, sql: text }, binds);
  const used = new Set<string>();
  return {
    dir,
    url: db.url,
    store,
    sql,
    async subscriber() {
      const rows = await sql<{ svcnum: string; acctid: unknown; subscrbid: unknown; balance: unknown }>(
        `SELECT s.SVCNUM AS svcnum, s.ACCTID AS acctid, s.SUBSCRBID AS subscrbid, CAST(b.BALANCE AS VARCHAR(30)) AS balance
         FROM TAB_SUBSCRB s JOIN ACCT_BALANCE b ON b.ACCTID = s.ACCTID WHERE s.STATUS = 1 ORDER BY s.SVCNUM`,
      );
      const r = rows.find((x) => !used.has(String(x.acctid)))!;
      used.add(String(r.acctid));
      return { svcnum: String(r.svcnum), acctid: BigInt(String(r.acctid)), subscrbid: BigInt(String(r.subscrbid)), balance: BigInt(String(r.balance)) };
    },
    async gateway(section: string) {
      const port = await freePort();
      const ini = join(dir, `${section}.ini`);
      // No [client.<id>] section: every peer is the unconfigured client.
      writeFileSync(ini, [`[interface.${section}]`, 'kind = card', 'host = 127.0.0.1', `port = ${port}`, '', '[database]', 'type = postgres', `url = ${db.url}`, 'pool_max = 4', '', '[log]', `dir = ${join(dir, `logs-${section}`)}`, ''].join('\n'));
      const g = await serve(ini);
      t.teardown(() => g.stop());
      const client = await BssClient.connect({ host: '127.0.0.1', port, timeoutMs: 60_000, operator: 'CARD01' });
      t.teardown(() => client.close());
      return { g, client };
    },
  };
}

const balanceOf = async (s: Setup, acctid: bigint): Promise<bigint> =>
  BigInt(String((await s.sql<{ b: unknown }>('SELECT CAST(BALANCE AS VARCHAR(30)) AS b FROM ACCT_BALANCE WHERE ACCTID = :a', { a: acctid }))[0].b));

const tag = () => `${process.pid % 1000}${Date.now() % 1_000_000}`;

t.test('issue 13 posting across gateway processes on PostgreSQL', { skip: PG ? false : 'BSSGATE_TEST_PG_URL not set' }, async (t) => {
  t.test('PC-04 PC-07 issue 13 defect 4: a reversal waiting on a reconciliation correction takes back the payment as it stands', async (t) => {
    const s = await setup(t, 'lockrev');
    const { client } = await s.gateway('card');
    const sub = await s.subscriber();
    const paySerial = `LP${tag()}`;
    const pay = await client.call('payment', { svcnum: sub.svcnum, amount: 5000n }, { serial: paySerial });
    t.equal(pay.result, 0, `PC-03 5000 answered 0 (${pay.message})`);
    const paysn = BigInt(String(pay.body!.paysn));

    // A reconciliation's correction of that payment to 6234, its transaction held open: it holds
    // the account's row lock as the reconciliation does until its file commits.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let corrected = false;
    const recon = s.store.transaction(async (tx) => {
      const who = await findSubscriber({ store: tx }, sub.svcnum);
      await post({ tx, clock: systemClock, card: DEFAULT_CARD, operator: RECON_OPERATOR }, { kind: 'correction', sub: who, amount: 1234n, source: RECON_SOURCE, serial: (p) => `C${p}`, original: { paysn } });
      corrected = true;
      await gate;
    });
    t.teardown(() => release());
    await waitFor('the correction is posted (uncommitted)', async () => corrected);

    const reversal = client.call('reversal', { svcnum: sub.svcnum, origSerial: paySerial }, { serial: `LR${tag()}` });
    // The reversal's unit is blocked on the account's row lock (a backend waiting for a lock).
    await waitFor('PC-04 waits for the account lock', async () => {
      const w = await s.sql<{ n: unknown }>("SELECT COUNT(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
      return Number(w[0].n) > 0;
    });
    release();
    await recon;
    const r = await reversal;
    t.equal(r.result, 0, `PC-04 answered 0 (${r.message})`);
    t.equal(r.body?.amount, 6234n, 'the reversal took back the payment as it stood: 5000 + the correction of 1234');
    t.equal(r.body?.balance, sub.balance, 'the answered balance is the one before the payment');
    t.equal(await balanceOf(s, sub.acctid), sub.balance, 'ACCT_BALANCE is back where it was before the payment: nothing left on the account');
  });

  t.test('PC-03 PC-04 issue 13 defect 7: a payment through interface `card` is reversed through interface `card2` (no [client] sections)', async (t) => {
    const s = await setup(t, 'ifname');
    const one = await s.gateway('card');
    const two = await s.gateway('card2');
    const sub = await s.subscriber();
    const paySerial = `IP${tag()}`;
    const pay = await one.client.call('payment', { svcnum: sub.svcnum, amount: 5000n }, { serial: paySerial });
    t.equal(pay.result, 0, `PC-03 through card answered 0 (${pay.message})`);
    const rev = await two.client.call('reversal', { svcnum: sub.svcnum, origSerial: paySerial }, { serial: `IR${tag()}` });
    t.equal(rev.result, 0, `PC-04 through card2 answered 0 (${rev.message})`);
    t.equal(rev.body?.amount, 5000n, 'the payment taken back');
    t.equal(await balanceOf(s, sub.acctid), sub.balance, 'the balance is restored');
    const rows = await s.sql<{ source: string; status: unknown }>('SELECT SOURCE AS source, STATUS AS status FROM TAB_PAY WHERE ACCTID = :a AND SOURCE <> :r ORDER BY PAYSN', { a: sub.acctid, r: RECON_SOURCE });
    const mine = rows.slice(-2);
    t.same(mine.map((x) => String(x.source).trim()), ['card', 'card'], 'both posted under the one identity of the unconfigured card system, not the interface names');
    t.same(mine.map((x) => Number(x.status)), [2, 3], 'the payment reversed, the reversal');
    const tomb = await s.sql('SELECT PAYSN FROM TAB_PAY WHERE SERIAL = :s AND AMOUNT = 0', { s: paySerial });
    t.same(tomb, [], 'no tombstone');
  });
});
