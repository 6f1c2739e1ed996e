// PC-07 reconciliation against the seeded database: each kind of difference and its posting, a
// malformed file (line number, nothing applied), and a re-run (no change).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { findSubscriber } from '../../handlers/kit/subscriber.js';
import { DEFAULT_CARD } from '../../src/config/keys.js';
import { post, type PostingUnit } from '../../src/domain/posting.js';
import { parseReconFile, ReconFormatError } from '../../src/reconcile/parse.js';
import { reconcile, type ReconResult } from '../../src/reconcile/run.js';
import { systemClock } from '../../src/clock.js';
import { handlerSuite, type Harness } from '../helpers/seeded.js';
import { until } from '../scanner/helpers.js';
import { CMD_CHANNEL } from '../../src/store/queries/commands.js';
import { accountState, big, payRow, serial, subscriberStatus } from '../handlers/card-expected.js';

const log = pino({ level: 'silent' });

/** One of "our" postings, made by the posting function itself as PC-03 would, under `client`. */
async function ours(h: Harness, client: string, svcnum: string, amount: bigint, at: Date, ser = serial('OUR')): Promise<string> {
  await h.store.transaction(async (tx) => {
    const u: PostingUnit = { tx, clock: systemClock, card: DEFAULT_CARD, operator: 'T1' };
    const sub = await findSubscriber({ store: tx }, svcnum);
    await post(u, { kind: 'payment', sub, amount, source: client, serial: ser, at });
  });
  return ser;
}

async function ourReversal(h: Harness, client: string, svcnum: string, origSerial: string, at: Date, ser = serial('OUR')): Promise<string> {
  await h.store.transaction(async (tx) => {
    const u: PostingUnit = { tx, clock: systemClock, card: DEFAULT_CARD, operator: 'T1' };
    const sub = await findSubscriber({ store: tx }, svcnum);
    const orig = await tx.one<Record<string, unknown>>({ name: 't.orig', sql: 'SELECT PAYSN, AMOUNT FROM TAB_PAY WHERE SOURCE = :s AND SERIAL = :r' }, { s: client, r: origSerial });
    await post(u, { kind: 'reversal', sub, amount: -big(orig!.amount), source: client, serial: ser, original: { paysn: big(orig!.paysn) }, at });
  });
  return ser;
}

const ts = (d: Date): string =>
  `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}${String(d.getHours()).padStart(2, '0')}${String(d.getMinutes()).padStart(2, '0')}${String(d.getSeconds()).padStart(2, '0')}`;

type Line = ['P', string, string, bigint, Date] | ['R', string, string, string, bigint, Date];
function fileText(client: string, day: string, lines: Line[]): string {
  let net = 0n;
  const body = lines.map((l) => {
    if (l[0] === 'P') {
      net += l[3];
      return `P|${l[1]}|${l[2]}|${l[3]}|${ts(l[4])}`;
    }
    net -= l[4];
    return `R|${l[1]}|${l[2]}|${l[3]}|${l[4]}|${ts(l[5])}`;
  });
  return [`H|${client}|${day}|${lines.length}|${net}`, ...body].join('\n') + '\n';
}

const meta = async (h: Harness, key: string) => (await h.sql<{ value: string }>('SELECT VALUE FROM BSG_META WHERE KEY = :k', { k: key }))[0]?.value;
const payCount = async (h: Harness) => Number((await h.sql<{ n: unknown }>('SELECT COUNT(*) AS N FROM TAB_PAY'))[0].n);

handlerSuite('PC-07 reconciliation', async (t, h) => {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-recon-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const card = { ...DEFAULT_CARD, reportDir: join(dir, 'reports') };
  const run = (text: string, name = 'f.txt'): Promise<ReconResult> => reconcile(parseReconFile(text), join(dir, name), { store: h.store, log, card });
  // A past day per test, noon: far from the day boundary.
  const noon = (d: number) => new Date(2024, 5, d, 12, 0, 0);
  const dayOf = (d: number) => `202406${String(d).padStart(2, '0')}`;

  t.test('PC-07: a file that agrees (wire postings of today) has no differences; the day is marked reconciled', async (t) => {
    const f = h.fx.first;
    const a = serial('R7A'), b = serial('R7A'), r = serial('R7A');
    for (const [s, amt] of [[a, 1000n], [b, 2500n]] as const) t.equal((await h.call('card', 'payment', { svcnum: f.svcnum, amount: amt }, { serial: s })).result, 0);
    t.equal((await h.call('card', 'reversal', { svcnum: f.svcnum, origSerial: b }, { serial: r })).result, 0);
    const now = new Date();
    const today = ts(now).slice(0, 8);
    const before = await accountState(h, f.acctid);
    const res = await run(fileText('card', today, [['P', a, f.svcnum, 1000n, now], ['P', b, f.svcnum, 2500n, now], ['R', r, b, f.svcnum, 2500n, now]]));
    t.same(res.differences, [], 'no differences');
    t.equal(res.postings, 0);
    t.same(await accountState(h, f.acctid), before, 'nothing changed');
    t.match(readFileSync(res.reportPath, 'utf8'), /summary: no differences/);
    t.equal(await meta(h, 'card_reconciled_through.card'), today, 'BSG_META card_reconciled_through.card');
    await run(fileText('card', '20000101', []));
    t.equal(await meta(h, 'card_reconciled_through.card'), today, 'an older file never moves the mark back');
  });

  t.test('PC-07: a payment the file has and we lack is applied (its serial, its time); a re-run changes nothing', async (t) => {
    const f = h.fx.cdma;
    const before = await accountState(h, f.acctid);
    const s = serial('R7B');
    const text = fileText('cl-b', dayOf(3), [['P', s, f.svcnum, 4200n, noon(3)]]);
    const res = await run(text);
    t.equal(res.differences.length, 1);
    t.match(res.differences[0], { kind: 'missing-payment', serial: s, action: 'applied', fileAmount: 4200n, ourAmount: null });
    const row = await payRow(h, 'cl-b', s);
    t.equal(big(row.amount), 4200n);
    t.equal(Number(row.status), 1);
    t.equal(Number(row.paymode), 15);
    t.equal(String(row.operator).trim(), 'RECON');
    t.equal(String(res.differences[0].paysn), String(row.paysn), 'the report names the posting');
    const after = await accountState(h, f.acctid);
    t.equal(after.balance, before.balance + 4200n, 'ACCT_BALANCE');
    t.equal(after.deposit?.totalIn, before.deposit!.totalIn + 4200n, 'deposit totals');
    t.equal(after.deposits, before.deposits + 1, 'its deposit row');
    const report = readFileSync(res.reportPath, 'utf8');
    t.match(report, `missing-payment|${s}|${f.svcnum}|4200|-|applied|${row.paysn}`);
    const n = await payCount(h);
    const again = await run(text);
    t.same(again.differences, [], 're-run: no differences');
    t.equal(await payCount(h), n, 're-run: no posting');
    t.same(await accountState(h, f.acctid), after, 're-run: balances unchanged');
  });

  t.test('PC-07: a payment of ours the file lacks is reversed by its own posting (RECON), never edited', async (t) => {
    const f = h.fx.cdmaWithVoip;
    const before = await accountState(h, f.acctid);
    const kept = await ours(h, 'cl-c', f.svcnum, 300n, noon(4));
    const extra = await ours(h, 'cl-c', f.svcnum, 700n, new Date(2024, 5, 4, 15, 0, 0));
    const text = fileText('cl-c', dayOf(4), [['P', kept, f.svcnum, 300n, noon(4)]]);
    const res = await run(text);
    t.equal(res.differences.length, 1);
    t.match(res.differences[0], { kind: 'extra-payment', serial: extra, action: 'reversed', ourAmount: 700n });
    const orig = await payRow(h, 'cl-c', extra);
    t.equal(Number(orig.status), 2, 'marked reversed');
    t.equal(big(orig.amount), 700n, 'its amount untouched');
    const rev = await payRow(h, 'RECON', `R${orig.reversed_by}`);
    t.ok(rev, 'the reversal: SOURCE RECON, SERIAL R<its PAYSN>');
    t.equal(big(rev.amount), -700n);
    t.equal(String(rev.orig_paysn), String(orig.paysn));
    t.equal(Number(rev.status), 3);
    t.equal((await accountState(h, f.acctid)).balance, before.balance + 300n, 'only the kept payment counts');
    const n = await payCount(h);
    t.same((await run(text)).differences, [], 're-run: nothing');
    t.equal(await payCount(h), n);
    // A later file (the card system's corrected day) lists it after all: the card system is
    // authoritative, so the reconciliation's own reversal is undone, by a posting of its own.
    const corrected = fileText('cl-c', dayOf(4), [['P', kept, f.svcnum, 300n, noon(4)], ['P', extra, f.svcnum, 700n, new Date(2024, 5, 4, 15, 0, 0)]]);
    const again = await run(corrected);
    t.equal(again.differences.length, 1);
    t.match(again.differences[0], { kind: 'missing-payment', serial: extra, action: 'applied' });
    t.equal((await accountState(h, f.acctid)).balance, before.balance + 1000n, 'both payments count again');
    const m = await payCount(h);
    t.same((await run(corrected)).differences, [], 're-run of the corrected file: nothing');
    t.equal(await payCount(h), m);
  });

  t.test('PC-07: amount mismatches are corrected by a correction posting (file − ours), for payments and reversals', async (t) => {
    const f = h.fx.noPrintProvince;
    const before = await accountState(h, f.acctid);
    const p1 = await ours(h, 'cl-d', f.svcnum, 1000n, noon(5));
    const p2 = await ours(h, 'cl-d', f.svcnum, 5000n, noon(5));
    const r2 = await ourReversal(h, 'cl-d', f.svcnum, p2, noon(5));
    const text = fileText('cl-d', dayOf(5), [['P', p1, f.svcnum, 1200n, noon(5)], ['P', p2, f.svcnum, 5000n, noon(5)], ['R', r2, p2, f.svcnum, 4000n, noon(5)]]);
    const res = await run(text);
    t.equal(res.differences.length, 2);
    t.match(res.differences[0], { kind: 'amount', serial: p1, fileAmount: 1200n, ourAmount: 1000n, action: 'corrected' });
    t.match(res.differences[1], { kind: 'amount', serial: r2, fileAmount: -4000n, ourAmount: -5000n, action: 'corrected' });
    const c1 = await payRow(h, 'RECON', `C${res.differences[0].paysn}`);
    t.equal(big(c1.amount), 200n, '+200 on the payment');
    t.equal(String(c1.orig_paysn), String((await payRow(h, 'cl-d', p1)).paysn), 'ORIG_PAYSN = the payment corrected');
    const c2 = await payRow(h, 'RECON', `C${res.differences[1].paysn}`);
    t.equal(big(c2.amount), 1000n, '+1000 on the reversal (it took back 1000 too much)');
    t.equal(big((await payRow(h, 'cl-d', p1)).amount), 1000n, 'the payment row itself untouched');
    t.equal((await accountState(h, f.acctid)).balance, before.balance + 1200n + 5000n - 4000n, 'balance = the file net');
    const n = await payCount(h);
    t.same((await run(text)).differences, [], 're-run: corrections counted, nothing new');
    t.equal(await payCount(h), n);
  });

  t.test('PC-07: a reversal the file has and we lack is applied; a reversal of ours it lacks is undone', async (t) => {
    const f = h.fx.noPrintOtherRegion;
    const before = await accountState(h, f.acctid);
    const p1 = await ours(h, 'cl-e', f.svcnum, 800n, noon(6));
    const p2 = await ours(h, 'cl-e', f.svcnum, 900n, noon(6));
    const r2 = await ourReversal(h, 'cl-e', f.svcnum, p2, noon(6));
    const r1 = serial('R7E');
    const text = fileText('cl-e', dayOf(6), [['P', p1, f.svcnum, 800n, noon(6)], ['R', r1, p1, f.svcnum, 800n, noon(6)], ['P', p2, f.svcnum, 900n, noon(6)]]);
    const res = await run(text);
    t.equal(res.differences.length, 2, JSON.stringify(res.differences, (_k, v) => (typeof v === 'bigint' ? String(v) : v)));
    t.match(res.differences.find((d) => d.serial === r1), { kind: 'missing-reversal', action: 'applied', fileAmount: -800n });
    const rev = await payRow(h, 'cl-e', r1);
    t.equal(big(rev.amount), -800n, 'the reversal under its own serial');
    t.equal(Number((await payRow(h, 'cl-e', p1)).status), 2, 'the payment marked reversed');
    t.match(res.differences.find((d) => d.serial === r2), { kind: 'extra-reversal', action: 'corrected', ourAmount: -900n });
    t.equal((await accountState(h, f.acctid)).balance, before.balance + 900n, 'p1 reversed, p2 stands');
    const n = await payCount(h);
    t.same((await run(text)).differences, [], 're-run: nothing');
    t.equal(await payCount(h), n);
  });

  t.test('PC-07: a reversal whose original neither side has leaves a tombstone; the payment arriving later is refused', async (t) => {
    const f = h.fx.cdma1x;
    const before = await accountState(h, f.acctid);
    const orig = serial('R7F');
    const res = await run(fileText('card', dayOf(7), [['R', serial('R7F'), orig, f.svcnum, 500n, noon(7)]]));
    t.match(res.differences[0], { kind: 'unknown-original', action: 'remembered' });
    const tomb = await payRow(h, 'card', orig);
    t.equal(Number(tomb.status), 3);
    t.equal(big(tomb.amount), 0n);
    t.equal((await accountState(h, f.acctid)).balance, before.balance, 'no money moved');
    const late = await h.call('card', 'payment', { svcnum: f.svcnum, amount: 500n }, { serial: orig });
    t.equal(late.result, 2009, `the late payment: ${late.message}`);
    const n = await payCount(h);
    t.same((await run(fileText('card', dayOf(7), [['R', serial('R7F'), orig, f.svcnum, 500n, noon(7)]]))).differences, [], 're-run: the tombstone is in place, no differences');
    t.equal(await payCount(h), n);
  });

  t.test('PC-07: a posting of ours near midnight that the file lacks is reported (boundary), not reversed', async (t) => {
    const f = h.fx.voip;
    const before = await accountState(h, f.acctid);
    const early = await ours(h, 'cl-g', f.svcnum, 111n, new Date(2024, 5, 8, 0, 4, 0));
    const late = await ours(h, 'cl-g', f.svcnum, 222n, new Date(2024, 5, 8, 23, 55, 0));
    const res = await run(fileText('cl-g', dayOf(8), []));
    t.same(res.differences.map((d) => [d.kind, d.serial, d.action]).sort(), [['boundary', early, 'reported'], ['boundary', late, 'reported']].sort());
    t.equal((await accountState(h, f.acctid)).balance, before.balance + 333n, 'both still posted');
  });

  t.test('PC-07: a payment applied by the reconciliation to an arrears-suspended number resumes it', async (t) => {
    const f = h.fx.gsmArrears;
    t.equal(await subscriberStatus(h, f.subscrbid), 3);
    // PostgreSQL: the scanners LISTEN for queued commands; the resume this run queues must notify
    // them with its COMMIT (cmd.notify), as a PC-03 payment's does, not wait for their poll.
    let notified = 0;
    const listening = h.store.listen?.(CMD_CHANNEL, () => notified++);
    if (listening) t.teardown(() => listening.close());
    if (listening) await until('the LISTEN connection is up', async () => listening.pid() !== null && notified > 0);
    const before = notified;
    const res = await run(fileText('cl-h', dayOf(9), [['P', serial('R7H'), f.svcnum, 900000n, noon(9)]]));
    if (listening) await until('a notification of the queued resume command', async () => notified > before);
    t.match(res.differences[0], { kind: 'missing-payment', action: 'applied' });
    t.equal(await subscriberStatus(h, f.subscrbid), 1, 'the same status rule as PC-03');
    const [rec] = await h.sql<{ busitype: unknown; status: unknown }>('SELECT BUSITYPE, STATUS FROM USR_BUSI_RECORD WHERE SUBSCRBID = :s ORDER BY BUSISN DESC', { s: f.subscrbid });
    t.equal(Number(rec.busitype), 14);
    t.equal(Number(rec.status), 5);
  });

  t.test('PC-07 then PC-03/PC-04: a payment applied by the reconciliation, arriving late, is answered with that posting, not posted again', async (t) => {
    const f = h.fx.cdma;
    const s = serial('R7L');
    const res = await run(fileText('card', dayOf(10), [['P', s, f.svcnum, 1500n, noon(10)]]));
    t.match(res.differences[0], { kind: 'missing-payment', action: 'applied' });
    const before = await accountState(h, f.acctid);
    const late = await h.call('card', 'payment', { svcnum: f.svcnum, amount: 1500n }, { serial: s });
    t.equal(late.result, 0, late.message);
    t.equal(late.body?.paysn, String(res.differences[0].paysn), 'the reconciliation\'s posting');
    t.same(await accountState(h, f.acctid), before, 'nothing posted twice');
    const other = await h.call('card', 'payment', { svcnum: f.svcnum, amount: 1600n }, { serial: s });
    t.equal(other.result, 2007, `the same serial with another amount: ${other.message}`);
    // Corrected by a later file (the card system says 1800): a reversal takes back the payment as it stands.
    const fix = await run(fileText('card', dayOf(10), [['P', s, f.svcnum, 1800n, noon(10)]]));
    t.match(fix.differences[0], { kind: 'amount', fileAmount: 1800n, ourAmount: 1500n, action: 'corrected' });
    const rev = await h.call('card', 'reversal', { svcnum: f.svcnum, origSerial: s }, { serial: serial('R7L') });
    t.equal(rev.result, 0, rev.message);
    t.equal(rev.body?.amount, 1800n, 'the amount with its correction');
    t.equal((await accountState(h, f.acctid)).balance, before.balance - 1500n, 'back to before the payment: (+1500) + 300 − 1800');
  });

  t.test('PC-07: a report that cannot be written says the postings were committed; the re-run writes it and changes nothing', async (t) => {
    const f = h.fx.cdma;
    const blocker = join(dir, 'not-a-dir');
    writeFileSync(blocker, 'x');
    const text = fileText('cl-rep', dayOf(11), [['P', serial('R7R'), f.svcnum, 250n, noon(11)]]);
    const before = await accountState(h, f.acctid);
    await t.rejects(reconcile(parseReconFile(text), 'rep.txt', { store: h.store, log, card: { ...card, reportDir: join(blocker, 'sub') } }), /reconciled \(1 postings committed\) but the report could not be written/);
    t.equal((await accountState(h, f.acctid)).balance, before.balance + 250n, 'committed');
    const again = await run(text);
    t.same(again.differences, [], 'the re-run: no differences');
    t.match(readFileSync(again.reportPath, 'utf8'), /no differences/);
  });

  t.test('PC-07: a malformed file is refused with its line number and nothing is applied', async (t) => {
    const f = h.fx.first;
    const good = `P|${serial('R7M')}|${f.svcnum}|100|20240610120000`;
    const cases: [string, number, RegExp][] = [
      [`H|cl-m|20240610|2|200\n${good}\nP|X2|${f.svcnum}|1O0|20240610120000\n`, 3, /amount/],
      [`H|cl-m|20240610|2|200\n${good}\nQ|X2\n`, 3, /unknown record/],
      [`H|cl-m|20240610|2|200\n${good}\n${good}\n`, 3, /also on line 2/],
      [`H|cl-m|20240610|3|100\n${good}\n`, 1, /count 3/],
      [`H|cl-m|20240610|1|999\n${good}\n`, 1, /net total/],
      [`H|cl-m|20240631|1|100\n${good}\n`, 1, /day/],
      [`H|cl-m|20240610|1|100\nP|X3|${f.svcnum}|100|20240610126000\n`, 2, /time/],
      [`H|cl-m|20240610|1|100\n\nP|X3|${f.svcnum}|100|20240610120000\n`, 2, /blank/],
      [`P|X3|${f.svcnum}|100|20240610120000\n`, 1, /header/],
      [`H|cl-m|20240610|2|-100\nR|X4|X9|${f.svcnum}|50|20240610120000\nR|X5|X9|${f.svcnum}|50|20240610120000\n`, 3, /again/],
      ['', 1, /empty/],
    ];
    const before = await accountState(h, f.acctid);
    const n = await payCount(h);
    for (const [text, line, why] of cases) {
      let err: unknown;
      try {
        await run(text);
      } catch (e) {
        err = e;
      }
      t.ok(err instanceof ReconFormatError, `refused: ${JSON.stringify(text.slice(0, 30))}`);
      t.equal((err as ReconFormatError).line, line, `line ${line}`);
      t.match((err as Error).message, why);
    }
    t.equal(await payCount(h), n, 'no TAB_PAY row');
    t.same(await accountState(h, f.acctid), before, 'nothing applied');
    t.notOk(await meta(h, 'card_reconciled_through.cl-m'), 'not marked reconciled');
  });
}, { schemas: ['a'] });
