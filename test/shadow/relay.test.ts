// Issue 16, `bssgate shadow`: a real relay over sockets between clients, a primary bssgate on
// database A and a candidate bssgate on a copy of A with four known changes.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { startShadow, type RunningShadow } from '../../src/shadow/index.js';
import type { ShadowConfig } from '../../src/shadow/config.js';
import { readSummaries, reportText } from '../../src/shadow/report.js';
import { BssClient } from '../../src/client.js';
import {
  deadPort, fixedClock, frames, garbageServer, KINDS, makeDatabases, mixedRun, rawRun, shadowSection, slowProxy, startGatewayOn, until,
} from './harness.js';
import type { InterfaceKind } from '../../src/types.js';

const quiet = pino({ level: 'silent' });

t.test('issue 16: shadow in front of a primary on A, candidate on a changed copy of A', async (t) => {
  const db = await makeDatabases(t);
  const at = db.now.getTime();
  // The primary's clock is fixed, so a direct run and a run through the shadow get the same bytes;
  // the candidate's runs 7 s ahead, so CS-01's serverTime differs (named noise, never reported).
  const primary = await startGatewayOn(t, db.dir, db.a, fixedClock(at), 'a');
  const candidate = await startGatewayOn(t, db.dir, db.b, fixedClock(at + 7_000), 'b');
  const run = mixedRun(db);

  const direct = {} as Record<InterfaceKind, Awaited<ReturnType<typeof rawRun>>>;
  for (const k of KINDS) direct[k] = await rawRun(primary.ports[k], frames(run, k));

  const startWith = async (
    reportDir: string,
    cand: (k: InterfaceKind) => number,
    over: { timeoutMs?: number; secondary?: (k: InterfaceKind) => number } = {},
  ): Promise<RunningShadow> => {
    const { secondary, ...rest } = over;
    const cfg: ShadowConfig = {
      files: [],
      logLevel: 'silent',
      admin: { host: '127.0.0.1', port: 0 },
      shadows: KINDS.map((k) =>
        shadowSection({
          name: k,
          primary: { host: '127.0.0.1', port: primary.ports[k] },
          candidate: { host: '127.0.0.1', port: cand(k) },
          reportDir,
          ...(secondary ? { secondary: { host: '127.0.0.1', port: secondary(k) } } : {}),
          ...rest,
        }),
      ),
    };
    const s = await startShadow(cfg, quiet);
    t.teardown(() => s.stop());
    return s;
  };

  /** Every mirrored exchange has an outcome (compared, error or timeout). */
  const settled = (s: RunningShadow) => () =>
    s.relays.every((r) => [...r.report.stats.values()].every((b) => b.compared + b.candidateErrors + b.timeouts === b.mirrored));

  await t.test('the report names exactly the changed business types, fields and records; clients get the primary bytes', async (t) => {
    const reportDir = join(db.dir, 'report-1');
    // The secondary is a second instance of the primary (here: the primary itself): learned noise sees none.
    const s = await startWith(reportDir, (k) => candidate.ports[k], { secondary: (k) => primary.ports[k] });
    for (const k of KINDS) {
      const via = await rawRun(s.ports[k], frames(run, k));
      t.ok(via.bytes.equals(direct[k].bytes), `${k}: the client received the primary's bytes, byte for byte (${via.bytes.length} bytes)`);
      t.same(via.seqs, direct[k].seqs, `${k}: answers in order`);
    }
    await until(settled(s), 'every mirrored request compared');
    const metrics = await (await fetch(`http://127.0.0.1:${s.adminPort}/metrics`)).text();
    t.match(metrics, 'bssgate_shadow_differences_total{shadow="cs",biz="CS-14",field="balance"} 1', 'differences by business type and field on the admin port');
    t.match(metrics, 'bssgate_shadow_mirrored_total{shadow="cs",biz="CS-13"} 1');
    const cs = s.relays.find((r) => r.cfg.name === 'cs')!;
    t.equal(cs.report.biz(114).withSecondary, 1, 'the secondary answered too');
    await s.stop();

    const summaries = await readSummaries(reportDir);
    const mirrored = summaries.reduce((n, l) => n + l.mirrored, 0);
    t.equal(mirrored, run.length, 'every request of the mixed run was mirrored');
    t.equal(summaries.reduce((n, l) => n + l.candidateErrors + l.timeouts + l.dropped, 0), 0, 'no candidate errors, timeouts or drops');
    const differing = summaries.filter((l) => l.differing > 0).map((l) => l.id).sort();
    t.same(differing, ['CS-08', 'CS-11', 'CS-14', 'VO-07'], 'exactly the four changed business types differ');

    const lines = readFileSync(join(reportDir, 'cs.differences.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const k of ['card', 'print', 'sms']) {
      let text = '';
      try {
        text = readFileSync(join(reportDir, `${k}.differences.jsonl`), 'utf8');
      } catch {
        text = '';
      }
      t.equal(text, '', `${k}: no difference at all`);
    }
    const got = lines.map((l) => `${String(l.id)} ${String(l.field)} ${String(l.kind)}`).sort();
    const balance = lines.find((l) => l.field === 'balance')!;
    const missing = lines.find((l) => l.kind === 'missing')!;
    t.match(String(missing.field), /^items\[\d+\]$/, 'the removed detail record is named by its index');
    t.same(
      got,
      ['CS-08 status value', 'CS-08 statusText value', 'CS-11 total value', `CS-11 ${String(missing.field)} missing`, 'CS-14 balance value', 'VO-07 numbers order'].sort(),
      'the differences are exactly: the balance, the status, the removed record (and the total), the order of a list',
    );
    t.equal(BigInt(balance.candidate as string) - BigInt(balance.primary as string), 100n, 'the balance difference carries both values');
    t.equal(lines[0].biz !== undefined && lines[0].primary !== undefined, true, 'a difference line has biz, field, primary, candidate');

    const text = reportText(summaries);
    t.match(text, /CS-14: 1 mirrored, 1 differ/, 'a one-line verdict per business type');
    t.match(text, /CS-13: 1 mirrored, 0 differ/);
    t.notMatch(text, /serverTime/, 'the clock field of CS-01 is named noise');
  });

  await t.test('a stopped, slow (2 s) or garbage candidate changes nothing for the clients and counts as candidate errors', async (t) => {
    const dead = await deadPort();
    const slow = {} as Record<InterfaceKind, number>;
    for (const k of KINDS) slow[k] = await slowProxy(t, candidate.ports[k], 2_000);
    const garbage = await garbageServer(t);
    const cases: [string, (k: InterfaceKind) => number][] = [
      ['stopped', () => dead],
      ['slow', (k) => slow[k]],
      ['garbage', () => garbage],
    ];
    for (const [what, cand] of cases) {
      const reportDir = join(db.dir, `report-${what}`);
      const s = await startWith(reportDir, cand, { timeoutMs: 1_000 });
      for (const k of KINDS) {
        const via = await rawRun(s.ports[k], frames(run, k));
        t.ok(via.bytes.equals(direct[k].bytes), `${what} candidate, ${k}: the client's bytes are the primary's`);
        t.same(via.seqs, direct[k].seqs, `${what} candidate, ${k}: in order`);
      }
      await until(settled(s), `${what}: every mirror settled`);
      await s.stop();
      const summaries = await readSummaries(reportDir);
      const failed = summaries.reduce((n, l) => n + l.candidateErrors + l.timeouts, 0);
      t.equal(failed, run.length, `${what}: every mirrored request is a candidate error or timeout`);
      t.equal(summaries.reduce((n, l) => n + l.compared, 0), 0, `${what}: nothing compared`);
      if (what === 'slow') t.ok(summaries.every((l) => l.timeouts === l.mirrored), 'slow: timeouts');
      else t.ok(summaries.every((l) => l.candidateErrors === l.mirrored), `${what}: candidate errors`);
      t.match(reportText(summaries), /candidate error|timeout/);
    }
  });

  await t.test('a payment through the shadow is posted once, on the primary only', async (t) => {
    const reportDir = join(db.dir, 'report-pay');
    const s = await startWith(reportDir, (k) => candidate.ports[k]);
    const c = await BssClient.connect({ port: s.ports.card, timeoutMs: 15_000, operator: 'SHADOW' });
    const serial = 'SHADOWPAY0001';
    const reply = await c.call('payment', { svcnum: db.fx.first.svcnum, amount: 5000n }, { serial });
    t.equal(reply.result, 0, 'the payment is answered by the primary');
    const check = await c.call('connection-check', {});
    t.equal(check.result, 0);
    await c.close();
    await until(settled(s), 'mirrors settled');
    await s.stop();
    const onA = await primary.sql<{ n: number }>('SELECT COUNT(*) AS n FROM TAB_PAY WHERE SERIAL = :s', { s: serial });
    const onB = await candidate.sql<{ n: number }>('SELECT COUNT(*) AS n FROM TAB_PAY WHERE SERIAL = :s', { s: serial });
    t.equal(Number(onA[0].n), 1, 'posted once on the primary');
    t.equal(Number(onB[0].n), 0, 'never on the candidate');
    const summaries = await readSummaries(reportDir);
    t.notOk(summaries.some((l) => l.biz === 303), 'the payment was not mirrored');
    t.ok(summaries.some((l) => l.biz === 101 && l.mirrored === 1), 'the read after it was');
  });
});
