// OC-02/OC-03: the scanner loop with an in-test Delivery (the transport boundary): results in
// USR_BUSI_RECORD (7/8 with EXECUTED and RESULT), retries then failed with the reason, per-number
// order under concurrency, bad templates, unknown routes and unreachable switches never crash the
// loop nor drop a command. SQLite and PostgreSQL.
import t from 'tap';
import pino from 'pino';
import { Writable } from 'node:stream';
import { Scanner } from '../../src/scanner/scanner.js';
import type { Delivery, DeliveryOutcome } from '../../src/scanner/types.js';
import { backends, insertRecord, lease, record, RecordingDelivery, scannerConfig, switchConfig, testDb } from './helpers.js';
import type { ScannerConfig, SwitchConfig } from '../../src/config/types.js';
import type { BatchingStore } from '../../src/store/open.js';
import { claimCommands, finishCommand, type ClaimedCommand } from '../../src/store/queries/commands.js';

function memoryLog(): { log: pino.Logger; lines: () => Record<string, unknown>[] } {
  const out: string[] = [];
  const w = new Writable({
    write(chunk, _enc, cb) {
      out.push(String(chunk));
      cb();
    },
  });
  return { log: pino({ level: 'info' }, w), lines: () => out.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

async function until(what: string, fn: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for: ${what}`);
}

function makeScanner(store: BatchingStore, deliveries: Map<string, Delivery>, switches: SwitchConfig[], cfg: Partial<ScannerConfig> = {}) {
  const warn = memoryLog();
  const err = memoryLog();
  const s = new Scanner({ store, config: scannerConfig(cfg), switches, deliveries, log: warn.log, err: err.log });
  return { s, warn, err };
}

for (const b of backends()) {
  t.test(`OC-02/OC-03 scanner [${b.name}]`, async (t) => {
    const { store } = await testDb(t, b.name, b.url);
    const sw = switchConfig({ name: 'g', regions: ['0971', '0972'], netTypes: ['G'], switchType: 'ERI_HLR' });
    const c = switchConfig({ name: 'c', regions: ['*'], netTypes: ['C'], switchType: 'ZTE_HLR' });

    t.test('OC-02 issue 13 (defect 8): runOnce (bssgate scan --once) renews its leases: a delivery longer than the lease is not taken back', async (t) => {
      const leaseMs = 3000;
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const d = new RecordingDelivery('g', async () => {
        await gate;
        return { kind: 'executed', answer: '0 执行成功' };
      });
      const { s } = makeScanner(store, new Map([['g', d]]), [sw], { leaseMs });
      await insertRecord(store, { busisn: 900n, svcnum: '13997000900' });
      const pass = s.runOnce();
      await until('the command is being delivered', async () => d.seen.length === 1);
      // Another scanner looks for expired leases for twice the lease while the delivery lasts.
      const taken: ClaimedCommand[] = [];
      const end = Date.now() + 2 * leaseMs;
      while (Date.now() < end && taken.length === 0) {
        taken.push(...(await claimCommands(store, { owner: 'other-scanner', now: new Date(), leaseMs, limit: 10 })));
        await new Promise((r) => setTimeout(r, 100));
      }
      release();
      t.equal(await pass, 1, 'the pass claimed one command');
      t.same(taken.map((c) => c.busisn), [], 'no other scanner took the command back during the pass');
      t.equal((await record(store, 900n))?.status, 7, 'the pass wrote its outcome: executed');
      t.equal(s.stats().lost, 0, 'no lease lost');
      for (const c of taken) await finishCommand(store, c, { kind: 'executed', answer: 'cleanup', switchName: 'g' }, new Date());
    });

    t.test('OC-03: a row inserted by plain SQL is rendered, delivered once and ends executed with the answer', async (t) => {
      const d = new RecordingDelivery('g');
      const { s } = makeScanner(store, new Map([['g', d]]), [sw]);
      await insertRecord(store, { busisn: 10n, svcnum: '13997000010', busitype: 11 });
      t.equal(await s.runOnce(), 1);
      t.equal(d.seen.length, 1);
      t.same(d.seen[0].lines, ['HGSDC:MSISDN=8613997000010,SUD=OBO-2;', 'HGSDC:MSISDN=8613997000010,SUD=OBI-1;'], 'the ERI_HLR templates of business 11, in SEQNO order');
      t.equal(d.seen[0].busisn, 10n);
      t.equal(d.seen[0].attempt, 1);
      const r = await record(store, 10n);
      t.equal(r?.status, 7);
      t.equal(r?.result, '0 执行成功');
      t.ok(r?.executed);
      t.equal((await lease(store, 10n))?.switch_name, 'g');
      t.equal(s.stats().executed, 1);
      t.equal(s.stats().bySwitch.g.executed, 1);
    });

    t.test('OC-03: retryable outcomes are retried with backoff, then failed with the reason, in err, counted', async (t) => {
      const d = new RecordingDelivery('g', () => ({ kind: 'retry', reason: '101 交换机忙' }));
      const { s, err } = makeScanner(store, new Map([['g', d]]), [sw], { maxAttempts: 3 });
      await insertRecord(store, { busisn: 20n, svcnum: '13997000020', busitype: 12 });
      s.start();
      await until('failed', async () => (await record(store, 20n))?.status === 8);
      await s.stop();
      t.same(d.seen.map((x) => [x.busisn, x.attempt]), [[20n, 1], [20n, 2], [20n, 3]], 'the same busisn, attempts 1…3');
      const r = await record(store, 20n);
      t.equal(r?.result, 'failed after 3 attempts: 101 交换机忙');
      t.equal((await lease(store, 20n))?.attempts, 3);
      t.equal(s.stats().failed, 1);
      t.equal(s.stats().retried, 2);
      t.ok(err.lines().some((l) => l.busisn === '20' && /retries exhausted/.test(String(l.msg))), 'an err line');
    });

    t.test('OC-03: a switch refusal fails the command at once', async (t) => {
      const d = new RecordingDelivery('g', () => ({ kind: 'failed', answer: '201 用户不存在' }));
      const { s, err } = makeScanner(store, new Map([['g', d]]), [sw]);
      await insertRecord(store, { busisn: 30n, svcnum: '13997000030' });
      await s.runOnce();
      const r = await record(store, 30n);
      t.equal(r?.status, 8);
      t.equal(r?.result, '201 用户不存在');
      t.ok(r?.executed, 'EXECUTED: when the switch answered');
      t.ok(err.lines().some((l) => l.busisn === '30'));
    });

    t.test('OC-02/OC-03: a transport that throws is retried; the RESULT and the err line keep the error code (ECONNRESET, a SQLSTATE, ORA-…)', async (t) => {
      const d = new RecordingDelivery('g', () => {
        throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      });
      const { s, err } = makeScanner(store, new Map([['g', d]]), [sw], { maxAttempts: 1 });
      await insertRecord(store, { busisn: 35n, svcnum: '13997000035' });
      await s.runOnce();
      const r = await record(store, 35n);
      t.equal(r?.status, 8);
      t.equal(r?.result, 'failed after 1 attempts: delivery error: ECONNRESET: socket hang up');
      t.ok(err.lines().some((l) => l.busisn === '35' && /ECONNRESET: socket hang up/.test(JSON.stringify(l))), 'the err line has the code');
    });

    t.test('OC-02: per-number order under concurrency: BUSISN order per number, never two at once', async (t) => {
      const d = new RecordingDelivery('g', async () => {
        await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 8)));
        return { kind: Math.random() < 0.15 ? 'retry' : 'executed', answer: 'ok', reason: 'busy' } as never;
      });
      const { s } = makeScanner(store, new Map([['g', d]]), [sw], { maxAttempts: 50, batch: 7, maxInFlight: 16 });
      const numbers = Array.from({ length: 12 }, (_, i) => `1399701${String(i).padStart(4, '0')}`);
      const expected = new Map<string, bigint[]>();
      let sn = 1000n;
      for (let k = 0; k < 5; k++) {
        for (const n of numbers) {
          sn += 1n;
          await insertRecord(store, { busisn: sn, svcnum: n, busitype: k % 2 ? 11 : 12 });
          expected.set(n, [...(expected.get(n) ?? []), sn]);
        }
      }
      s.start();
      await until('all executed', async () => {
        const rows = await store.all<{ n: number }>({ name: 'test.count-open', sql: 'SELECT COUNT(*) AS N FROM USR_BUSI_RECORD WHERE BUSISN > 1000 AND BUSISN < 2000 AND STATUS <> 7' });
        return Number(rows[0].n) === 0;
      }, 30_000);
      await s.stop();
      t.same(d.violations, [], 'never two commands of one number in flight');
      for (const n of numbers) {
        const firstSeen = [...new Set(d.seen.filter((x) => x.svcnum === n).map((x) => x.busisn))];
        t.same(firstSeen, expected.get(n), `${n} in BUSISN order`);
      }
      const maxParallel = s.stats().executed;
      t.equal(maxParallel, 60, 'every command executed once');
    });

    t.test('OC-01: a bad template fails its command with a clear RESULT; the loop goes on', async (t) => {
      await store.run({ name: 'test.bad-template', sql: "INSERT INTO SWITCH_INS_MODEL (BUSITYPE, NETTYPE, SWITCHTYPE, SEQNO, TEMPLATE, REMARK) VALUES (13, 'C', 'ZTE_BAD', 1, 'SET MSSTAT:MDN={SVCNUM},X={NUMBER};', NULL)" });
      const bad = switchConfig({ name: 'cbad', regions: ['*'], netTypes: ['C'], switchType: 'ZTE_BAD' });
      const d = new RecordingDelivery('cbad');
      const dg = new RecordingDelivery('g');
      const { s, err } = makeScanner(store, new Map<string, Delivery>([['cbad', d], ['g', dg]]), [bad, sw]);
      await insertRecord(store, { busisn: 40n, svcnum: '13397000040', nettype: 'C', busitype: 13 });
      await insertRecord(store, { busisn: 41n, svcnum: '13397000041', nettype: 'C', busitype: 11 });
      await insertRecord(store, { busisn: 42n, svcnum: '13997000042', nettype: 'G', busitype: 11 });
      await insertRecord(store, { busisn: 43n, svcnum: '13997000043', nettype: 'G', busitype: 41 });
      s.start();
      await until('all four ended', async () => (await Promise.all([40n, 41n, 42n, 43n].map((x) => record(store, x)))).every((r) => r && r.status >= 7));
      await s.stop();
      const r40 = await record(store, 40n);
      t.equal(r40?.status, 8);
      t.match(r40?.result, /unknown placeholder \{NUMBER\}/);
      const r41 = await record(store, 41n);
      t.equal(r41?.status, 8);
      t.match(r41?.result, /no template in SWITCH_INS_MODEL busitype 11 nettype C switchtype ZTE_BAD/);
      t.equal((await record(store, 42n))?.status, 7, 'the loop went on');
      t.match((await record(store, 43n))?.result, /no template.*busitype 41/, 'a business type without a switch command queued by mistake');
      t.equal(d.seen.length, 0, 'nothing unrenderable reached the switch');
      t.ok(err.lines().some((l) => l.busisn === '40' && /cannot render/.test(String(l.msg))), 'an err line');
    });

    t.test('OC-01: no route and an unreachable switch: the command waits (uncounted, RESULT says why), then goes', async (t) => {
      const d = new RecordingDelivery('g');
      d.up = false;
      const { s, warn } = makeScanner(store, new Map([['g', d]]), [sw], { unreachableWaitMs: 100 });
      await insertRecord(store, { busisn: 50n, svcnum: '13997000050', region: '0976' });
      await insertRecord(store, { busisn: 51n, svcnum: '13997000051', region: '0971' });
      s.start();
      await until('both waited', async () => {
        const [a, b2] = await Promise.all([record(store, 50n), record(store, 51n)]);
        return !!a?.result && !!b2?.result;
      });
      await s.stop();
      const r50 = await record(store, 50n);
      t.equal(r50?.status, 5, 'no route: waiting in status 5');
      t.match(r50?.result, /no switch configured for region 0976 network G/);
      const r51 = await record(store, 51n);
      t.equal(r51?.status, 5);
      t.match(r51?.result, /switch g not reachable/);
      t.equal((await lease(store, 51n))?.attempts, 0, 'waiting for a switch is not an attempt');
      t.ok(warn.lines().some((l) => /not reachable/.test(String(l.msg))), 'a warn line');
      t.ok(warn.lines().some((l) => /no switch configured/.test(String(l.msg))), 'a warn line for the route');
      const st = s.stats();
      t.ok(st.waited >= 2);
      d.up = true;
      s.start();
      await until('executed once reachable', async () => (await record(store, 51n))?.status === 7);
      await s.stop();
      t.equal((await lease(store, 51n))?.attempts, 1, 'only the real delivery counted');
      t.equal((await record(store, 50n))?.status, 5, 'still waiting for a route, never dropped');
      t.equal(d.seen.filter((x) => x.busisn === 51n).length, 1);
      t.equal(d.seen.filter((x) => x.busisn === 51n)[0].attempt, 1, 'the first real attempt');
      await s.refreshDepth();
      t.ok(s.stats().depth, 'depth read');
      t.ok((s.stats().depth?.queued ?? 0) + (s.stats().depth?.waiting ?? 0) >= 1, 'the unrouted one is counted in the queue');
      t.ok((s.stats().depth?.oldestQueuedAgeMs ?? -1) >= 0);
      // out of the way of the next tests
      await store.run({ name: 'test.clear-50', sql: 'UPDATE USR_BUSI_RECORD SET STATUS = 8 WHERE BUSISN = 50' });
    });

    t.test('OC-02: stop() during a delivery: the command waits uncounted and the next scanner re-sends the same busisn', async (t) => {
      let release: () => void = () => undefined;
      const d: RecordingDelivery = new RecordingDelivery('c', (cmd): DeliveryOutcome | Promise<DeliveryOutcome> =>
        cmd.attempt === 1 && d.seen.length === 1
          ? new Promise((resolve) => {
              release = () => resolve({ kind: 'retry', reason: 'aborted' });
            })
          : { kind: 'executed', answer: '1 重发指令,已执行过' },
      );
      const { s } = makeScanner(store, new Map([['c', d]]), [c]);
      await insertRecord(store, { busisn: 60n, svcnum: '13397000060', nettype: 'C', busitype: 11 });
      s.start();
      await until('in flight', async () => d.seen.length === 1);
      const stopping = s.stop(50);
      setTimeout(() => release(), 100);
      await stopping;
      const r = await record(store, 60n);
      t.equal(r?.status, 5);
      t.match(r?.result, /scanner stopped during delivery/);
      const { s: s2 } = makeScanner(store, new Map([['c', d]]), [c]);
      t.equal(await s2.runOnce(), 1, 'claimable at once');
      t.equal((await record(store, 60n))?.status, 7);
      t.same(d.seen.map((x) => [x.busisn, x.attempt]), [[60n, 1], [60n, 1]], 're-sent with the same busisn; the stopped attempt was not counted');
    });
  });
}
