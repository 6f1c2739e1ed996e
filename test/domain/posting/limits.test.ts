// Issue 13, defect 8 (e, f), on SQLite and PostgreSQL:
// - PC-03 PC-04: a posting that would take ACCT_BALANCE.BALANCE or a deposit total
//   (TAB_ACCOUNTPREDEPOSITDTAL BALANCE, TOTAL_IN, TOTAL_OUT) beyond int64 is refused 2013 with
//   nothing written — not 9999, and on SQLite never a sum silently turned into a REAL.
// - PC-07: a line whose account has no ACCT_BALANCE row (or whose posting would overflow) is
//   reported with its reason and the rest of the file is reconciled.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { DEFAULT_CARD } from '../../../src/config/keys.js';
import { parseReconFile } from '../../../src/reconcile/parse.js';
import { reconcile } from '../../../src/reconcile/run.js';
import { handlerSuite, type Harness } from '../../helpers/seeded.js';
import { accountState, big, serial } from '../../handlers/card-expected.js';

const log = pino({ level: 'silent' });
const MAX = 2n ** 63n - 1n;
const MIN = -(2n ** 63n);

/** Active subscribers with an account (and balance row) of their own, each used by one test of this file. */
async function picker(h: Harness) {
  const rows = await h.sql<{ svcnum: string; acctid: unknown }>(
    `SELECT s.SVCNUM AS svcnum, s.ACCTID AS acctid FROM TAB_SUBSCRB s JOIN ACCT_BALANCE b ON b.ACCTID = s.ACCTID
     WHERE s.STATUS = 1 AND (SELECT COUNT(*) FROM TAB_SUBSCRB o WHERE o.ACCTID = s.ACCTID) = 1 ORDER BY s.SVCNUM DESC`,
  );
  let i = 0;
  return () => {
    const r = rows[i++];
    return { svcnum: String(r.svcnum), acctid: Number(r.acctid) };
  };
}

async function sqliteType(h: Harness, acctid: number): Promise<string | undefined> {
  if (h.backend !== 'sqlite') return undefined;
  return String((await h.sql<{ t: string }>('SELECT typeof(BALANCE) AS t FROM ACCT_BALANCE WHERE ACCTID = :a', { a: acctid }))[0].t);
}

handlerSuite('PC-03 PC-04 PC-07 issue 13 defect 8: int64 overflow and accounts without a balance row', async (t, h) => {
  const pick = await picker(h);

  t.test('PC-03 issue 13: a payment that would take ACCT_BALANCE.BALANCE past int64 is 2013, nothing written', async (t) => {
    const s = pick();
    await h.sql('UPDATE ACCT_BALANCE SET BALANCE = :b WHERE ACCTID = :a', { b: MAX - 10n, a: s.acctid });
    const before = await accountState(h, s.acctid);
    const r = await h.call('card', 'payment', { svcnum: s.svcnum, amount: 100n }, { serial: serial('OVF1') });
    t.equal(r.result, 2013, `refused 2013 (${r.message})`);
    t.match(r.message, /超出/, 'the message says the total is out of range');
    t.same(await accountState(h, s.acctid), before, 'nothing written: balance, deposit totals, TAB_PAY and deposit rows as before');
    if (h.backend === 'sqlite') t.equal(await sqliteType(h, s.acctid), 'integer', 'SQLite: BALANCE is still an integer, not a REAL');
  });

  t.test('PC-03 issue 13: a payment that would take TOTAL_IN past int64 is 2013, nothing written', async (t) => {
    const s = pick();
    t.equal((await h.call('card', 'payment', { svcnum: s.svcnum, amount: 100n }, { serial: serial('OVF2') })).result, 0, 'a first payment makes the deposit row');
    await h.sql('UPDATE TAB_ACCOUNTPREDEPOSITDTAL SET TOTAL_IN = :v WHERE ACCTID = :a', { v: MAX - 50n, a: s.acctid });
    const before = await accountState(h, s.acctid);
    const r = await h.call('card', 'payment', { svcnum: s.svcnum, amount: 100n }, { serial: serial('OVF3') });
    t.equal(r.result, 2013, `refused 2013 (${r.message})`);
    t.same(await accountState(h, s.acctid), before, 'nothing written');
  });

  t.test('PC-04 issue 13: a reversal that would take BALANCE below int64 is 2013, nothing written; the payment stays reversible', async (t) => {
    const s = pick();
    const pay = serial('OVF4');
    t.equal((await h.call('card', 'payment', { svcnum: s.svcnum, amount: 5000n }, { serial: pay })).result, 0);
    await h.sql('UPDATE ACCT_BALANCE SET BALANCE = :b WHERE ACCTID = :a', { b: MIN + 10n, a: s.acctid });
    const before = await accountState(h, s.acctid);
    const r = await h.call('card', 'reversal', { svcnum: s.svcnum, origSerial: pay }, { serial: serial('OVF5') });
    t.equal(r.result, 2013, `refused 2013 (${r.message})`);
    t.same(await accountState(h, s.acctid), before, 'nothing written');
    const [row] = await h.sql<{ status: unknown }>('SELECT STATUS FROM TAB_PAY WHERE SERIAL = :s', { s: pay });
    t.equal(Number(row.status), 1, 'the payment is not marked reversed');
    if (h.backend === 'sqlite') t.equal(await sqliteType(h, s.acctid), 'integer', 'SQLite: BALANCE is still an integer');
  });

  t.test('PC-07 issue 13: a line without an ACCT_BALANCE row, or that would overflow, is reported; the rest of the file is reconciled', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'bssgate-recon-limits-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const [noRow, overflow, fine] = [pick(), pick(), pick()];
    await h.sql('DELETE FROM ACCT_BALANCE WHERE ACCTID = :a', { a: noRow.acctid });
    await h.sql('UPDATE ACCT_BALANCE SET BALANCE = :b WHERE ACCTID = :a', { b: MAX - 10n, a: overflow.acctid });
    const fineBefore = await accountState(h, fine.acctid);
    const ovBefore = await accountState(h, overflow.acctid);
    const [a, b, c] = [serial('RNA'), serial('ROV'), serial('ROK')];
    const text = ['H|card|20240612|3|700', `P|${a}|${noRow.svcnum}|100|20240612120000`, `P|${b}|${overflow.svcnum}|200|20240612120000`, `P|${c}|${fine.svcnum}|400|20240612120000`].join('\n') + '\n';
    const res = await reconcile(parseReconFile(text), join(dir, 'f.txt'), { store: h.store, log, card: { ...DEFAULT_CARD, reportDir: join(dir, 'reports') } });
    const by = new Map(res.differences.map((d) => [d.serial, d]));
    t.equal(by.get(a)?.action, 'reported', 'the line of the account without a balance row is reported');
    t.match(by.get(a)?.note, /2011/, `with its reason: ${by.get(a)?.note}`);
    t.equal(by.get(b)?.action, 'reported', 'the line that would overflow is reported');
    t.match(by.get(b)?.note, /2013/, `with its reason: ${by.get(b)?.note}`);
    t.equal(by.get(c)?.action, 'applied', 'the rest of the file is applied');
    t.equal(res.postings, 1);
    t.equal((await accountState(h, fine.acctid)).balance, fineBefore.balance + 400n, 'the applied line moved its money');
    t.same(await accountState(h, overflow.acctid), ovBefore, 'nothing written for the overflowing line');
    t.same(await h.sql('SELECT PAYSN FROM TAB_PAY WHERE SERIAL IN (:a, :b)', { a, b }), [], 'no posting for the reported lines');
    const report = readFileSync(res.reportPath, 'utf8');
    t.match(report, new RegExp(`missing-payment\\|${a}\\|${noRow.svcnum}\\|100\\|-\\|reported\\|-\\|.*2011`), 'the report names the line and its reason');
    t.match(report, /reported 2/, 'the summary counts them');
    t.equal(big((await h.sql<{ v: string }>("SELECT VALUE AS v FROM BSG_META WHERE KEY = 'card_reconciled_through.card'"))[0]?.v ?? 0), 20240612n, 'the file is marked reconciled');
  });
}, { schemas: ['a'] });
