// PC-06 ledger retention: rows are kept at least [server] idempotency_days, and payment and
// reversal rows (PC-03/PC-04) also until the reconciliation covering their day (PC-07 writes BSG_META
// card_reconciled_through.<client> = YYYYMMDD); the purge runs periodically and logs what it did.
import { Writable } from 'node:stream';
import pino from 'pino';
import t from 'tap';
import { Ledger, RECONCILED_CODES, RECONCILED_META_PREFIX } from '../../src/idempotency.js';
import { LEDGER_INSERT } from '../../src/store/queries/idempotency.js';
import { backends, startWriteGateway } from '../dispatch/harness.js';

function capture(): { log: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { log: pino({ level: 'info' }, stream), lines };
}

const day = (y: number, m: number, d: number, h = 12) => new Date(y, m - 1, d, h, 0, 0);

for (const b of backends()) {
  t.test(`PC-06 ledger purge: idempotency_days, and payments until their reconciliation (PC-07) [${b.name}]`, async (t) => {
    const g = await startWriteGateway(t, b.name, b.url);
    const [PAY, REV] = RECONCILED_CODES;
    t.same(RECONCILED_CODES, [303, 304], 'PC-03 payment and PC-04 reversal wait for the reconciliation');
    const rows: [string, number, string, Date, string?][] = [
      ['cs', 60101, 'OLD-PLAIN', day(2026, 11, 1)], // older than 7 days, not reconciled: deleted
      ['cs', 60101, 'NEW-PLAIN', day(2026, 11, 28)], // within 7 days: kept
      ['cardsys', PAY, 'PAY-COVERED', day(2026, 11, 10)], // reconciled through 11-15: deleted
      ['cardsys', REV, 'REV-COVERED', day(2026, 11, 15, 23)], // on the reconciled day itself: deleted
      ['cardsys', PAY, 'PAY-UNCOVERED', day(2026, 11, 16)], // after the reconciled day: kept though old
      ['cardsys', PAY, 'PAY-RECENT', day(2026, 11, 29)], // recent: kept
      ['other', PAY, 'PAY-NORECON', day(2026, 10, 1)], // a client never reconciled: kept
      ['*', PAY, 'STAR-COVERED', day(2026, 11, 2), 'card'], // unconfigured client: PC-07 names it `card` (reserved), reconciled
      ['*', PAY, 'STAR-OTHERIF', day(2026, 11, 2), 'card2'], // the same unconfigured card system through another interface (issue 13): reconciled too
    ];
    for (const [client, biz, serial, created, iface] of rows) {
      await g.store.run(LEDGER_INSERT, { client, biz, serial, hash: 'h', result: 0, reply: Buffer.from([0, 0]), iface: iface ?? 'card', created, attempt: null });
    }
    await g.store.run({ name: 't.meta', sql: 'INSERT INTO BSG_META (KEY, VALUE) VALUES (:k, :v)' }, { k: `${RECONCILED_META_PREFIX}card`, v: '20261120' });
    await g.store.run({ name: 't.meta', sql: 'INSERT INTO BSG_META (KEY, VALUE) VALUES (:k, :v)' }, { k: `${RECONCILED_META_PREFIX}cardsys`, v: '20261115' });
    await g.store.run({ name: 't.meta', sql: 'INSERT INTO BSG_META (KEY, VALUE) VALUES (:k, :v)' }, { k: `${RECONCILED_META_PREFIX}broken`, v: 'yesterday' });
    const { log, lines } = capture();
    const now = day(2026, 12, 1, 10);
    const ledger = new Ledger(g.store);
    ledger.acquire({ retentionDays: 7, log, clock: { now: () => now.getTime(), date: () => now }, purgeEveryMs: 0 });
    t.teardown(() => ledger.release());
    const r = await ledger.purge();
    const left = (await g.sql<{ serial: string }>('SELECT SERIAL FROM BSG_IDEMPOTENCY ORDER BY SERIAL')).map((x) => x.serial);
    t.same(left, ['NEW-PLAIN', 'PAY-NORECON', 'PAY-RECENT', 'PAY-UNCOVERED'], 'what retention keeps (the interface a `*` row came through does not matter)');
    t.equal(r.deleted, 5);
    t.equal(r.held, 2, 'two old payment rows wait for their reconciliation');
    t.ok(lines.some((l) => /idempotency ledger purged: 5 rows deleted, 2 older rows/.test(l)), 'the purge is logged');
    t.ok(lines.some((l) => /not YYYYMMDD/.test(l)), 'a malformed reconciliation day is logged, its rows kept');
    // Again: nothing more to delete.
    t.same(await ledger.purge(), { deleted: 0, held: 2 });
    // The reconciliation moves on: the rest of cardsys's old rows go.
    await g.store.run({ name: 't.meta2', sql: 'UPDATE BSG_META SET VALUE = :v WHERE KEY = :k' }, { k: `${RECONCILED_META_PREFIX}cardsys`, v: '20261130' });
    t.same(await ledger.purge(), { deleted: 1, held: 1 }, 'PAY-UNCOVERED purged; PAY-RECENT is within 7 days anyway');
  });

  t.test(`PC-06 the purge runs periodically while a dispatcher uses the ledger [${b.name}]`, async (t) => {
    const g = await startWriteGateway(t, b.name, b.url);
    await g.store.run(LEDGER_INSERT, { client: '*', biz: 60101, serial: 'ANCIENT', hash: 'h', result: 0, reply: Buffer.from([0, 0]), iface: 'cs', created: day(2020, 1, 1), attempt: null });
    const { log, lines } = capture();
    const ledger = new Ledger(g.store);
    ledger.acquire({ retentionDays: 7, log, clock: { now: () => Date.now(), date: () => new Date() }, purgeEveryMs: 30 });
    t.teardown(() => ledger.release());
    for (let i = 0; i < 200 && !lines.some((l) => /purged/.test(l)); i++) await new Promise((r) => setTimeout(r, 20));
    t.ok(lines.some((l) => /idempotency ledger purged: 1 rows deleted/.test(l)), 'ran on its own and logged');
    t.equal((await g.sql('SELECT SERIAL FROM BSG_IDEMPOTENCY')).length, 0);
    ledger.release();
    t.ok(ledger.stats.purged >= 1);
  });
}
