// OC-01…OC-03 end to end over real sockets and real files: an acceptance operation (CS-21, CS-23,
// CS-24, CS-25, CS-26) on the gateway queues its command in status 5 → the scanner claims it,
// renders it, routes it by region and network (G of Xining/Haidong by file, Golmud and C by socket,
// VOIP by socket) → the switch simulator executes it once → CS-05 / VO-11 show it executed. Then
// failures: retried, then failed with the reason; an unreachable switch: waiting. SQLite and PostgreSQL.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import pino from 'pino';
import { handlerSuite } from '../helpers/seeded.js';
import { startSwitchSim } from '../../src/sim/switch.js';
import { startScanner } from '../../src/scanner/switches.js';
import type { SwitchConfig } from '../../src/config/types.js';
import type { BatchingStore } from '../../src/store/open.js';
import { insertRecord, record, scannerConfig, switchConfig, until } from './helpers.js';

const silent = pino({ level: 'silent' });

handlerSuite('OC-01/OC-02/OC-03 end to end: CS-21, CS-23, CS-24, CS-25, CS-26 → scanner → switch simulator → CS-05, VO-11', async (t, h) => {
  const dir = mkdtempSync(join(tmpdir(), 'bsg-e2e-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const dirs = { commandDir: join(dir, 'con'), resultDir: join(dir, 'res') };
  mkdirSync(dirs.commandDir);
  mkdirSync(dirs.resultDir);
  const fileSim = await startSwitchSim({ kind: 'file', name: 'g-xining', ...dirs, pollMs: 5 });
  t.teardown(() => fileSim.close());
  const login = { user: 'bss', password: 'sim-secret-1' };
  const golmud = await startSwitchSim({ kind: 'socket', name: 'g-golmud', host: '127.0.0.1', port: 0, ...login });
  t.teardown(() => golmud.close());
  const cnet = await startSwitchSim({ kind: 'socket', name: 'c-network', host: '127.0.0.1', port: 0, ...login });
  t.teardown(() => cnet.close());
  const voip = await startSwitchSim({ kind: 'socket', name: 'voip', host: '127.0.0.1', port: 0, ...login });
  t.teardown(() => voip.close());
  const switches: SwitchConfig[] = [
    switchConfig({ name: 'g-xining', kind: 'file', regions: ['0971', '0972'], netTypes: ['G'], switchType: 'ERI_HLR', ...dirs, resultTimeoutMs: 3000, resultPollMs: 5 }),
    switchConfig({ name: 'g-golmud', kind: 'socket', regions: ['0979', '0977'], netTypes: ['G'], switchType: 'HW_HLR', host: '127.0.0.1', port: golmud.port, ...login }),
    switchConfig({ name: 'c-network', kind: 'socket', regions: ['*'], netTypes: ['C'], switchType: 'ZTE_HLR', host: '127.0.0.1', port: cnet.port, ...login }),
    switchConfig({ name: 'voip', kind: 'socket', regions: ['*'], netTypes: ['V'], switchType: 'SOFTX', host: '127.0.0.1', port: voip.port, ...login }),
  ];
  const rt = await startScanner({ store: h.store as BatchingStore, scanner: scannerConfig({ maxAttempts: 3, unreachableWaitMs: 200 }), switches, log: silent, err: silent });
  t.teardown(() => rt.stop(2000));
  const fx = h.fx;

  const accept = async (business: string, body: Record<string, string>): Promise<bigint> => {
    const r = await h.call<{ busisn: string; busiStatus: number }>('cs', business, body);
    if (r.result !== 0) throw new Error(`${business} ${JSON.stringify(body)}: ${r.result} ${r.message}`);
    return BigInt(r.body!.busisn);
  };
  const executed = (busisn: bigint) => until(`busisn ${busisn} executed`, async () => (await record(h.store as BatchingStore, busisn))?.status === 7);

  t.test('CS-21 by file (G, Xining) and by socket (C network): executed once, CS-05 shows it', async (t) => {
    const g = await accept('emergency-suspend', { svcnum: fx.first.svcnum });
    const c = await accept('emergency-suspend', { svcnum: fx.cdma.svcnum });
    t.equal(fx.cdma.nettype, 'C');
    await executed(g);
    await executed(c);
    t.equal(fileSim.timesExecuted(g), 1, 'the file switch executed it once');
    t.same(fileSim.records.find((r) => r.busisn === g)?.lines, [`HGSDC:MSISDN=86${fx.first.svcnum},SUD=OBO-2;`, `HGSDC:MSISDN=86${fx.first.svcnum},SUD=OBI-1;`], 'rendered from SWITCH_INS_MODEL');
    t.equal(cnet.timesExecuted(c), 1, 'the C-network socket switch executed it once');
    t.equal(fileSim.timesExecuted(c) + golmud.timesExecuted(c), 0, 'routed to its own switch only');
    for (const [svcnum, busisn] of [[fx.first.svcnum, g], [fx.cdma.svcnum, c]] as const) {
      const r = await h.call<{ items: { busisn: string; busiStatus: number; result: string; executed: string }[] }>('cs', 'change-records', { svcnum, offset: 0, limit: 10 });
      const item = r.body!.items.find((i) => i.busisn === String(busisn));
      t.equal(item?.busiStatus, 7, `CS-05 shows ${busisn} executed`);
      t.match(item?.result, /执行成功/, 'with the switch answer');
      t.match(item?.executed, /^\d{14}$/, 'and when');
    }
  });

  t.test('CS-23 (file), CS-24 (file), CS-25 (file, Haidong), CS-26 (socket, Golmud): every switch operation executed', async (t) => {
    const resume = await accept('conditional-resume', { svcnum: fx.gsmSuspended.svcnum });
    const srvg = await accept('special-service-change', { svcnum: fx.noPrintOtherRegion.svcnum, srvgid: 'CW', action: 'A', param: '' });
    const reserve = await accept('cancellation-reserve', { svcnum: fx.noPrintOtherRegion.svcnum });
    const unreserve = await accept('cancellation-unreserve', { svcnum: fx.gsmReservedCancel.svcnum });
    t.equal(fx.gsmReservedCancel.region, '0979', 'a Golmud number');
    for (const b of [resume, srvg, reserve, unreserve]) await executed(b);
    t.equal(fileSim.timesExecuted(resume), 1);
    t.equal(fileSim.timesExecuted(srvg), 1);
    t.match(fileSim.records.find((r) => r.busisn === srvg)?.lines, [/HGSSI:MSISDN=86\d+,SS=CW,PARAM=;/], 'CS-24 rendered with {SRVGID}');
    t.equal(fileSim.timesExecuted(reserve), 1, 'the later command of the same number after the earlier one');
    const sims = fileSim.records.map((r) => r.busisn);
    t.ok(sims.indexOf(srvg) < sims.indexOf(reserve), 'per-number order: CS-24 before CS-25');
    t.equal(golmud.timesExecuted(unreserve), 1, 'Golmud by socket');
  });

  t.test('VO-11: a VOIP command (socket) shows executed by card number', async (t) => {
    const v = await accept('emergency-suspend', { svcnum: fx.voip.svcnum });
    await executed(v);
    t.equal(voip.timesExecuted(v), 1);
    const r = await h.call<{ items: { busisn: string; busiStatus: number }[] }>('cs', 'voip-command-records', { cardnum: fx.voip.cardnum!, offset: 0, limit: 10 });
    t.equal(r.body!.items.find((i) => i.busisn === String(v))?.busiStatus, 7);
  });

  t.test('OC-03: a plain-SQL row the switch keeps refusing as busy: retried, then failed with the reason', async (t) => {
    golmud.configure({ failBusisns: new Map([[9_000_001n, { code: 101 }]]) });
    await insertRecord(h.store as BatchingStore, { busisn: 9_000_001n, svcnum: '13997990001', region: '0979', nettype: 'G', busitype: 11 });
    await until('failed', async () => (await record(h.store as BatchingStore, 9_000_001n))?.status === 8);
    const r = await record(h.store as BatchingStore, 9_000_001n);
    t.match(r?.result, /^failed after 3 attempts: .*101/);
    t.equal(golmud.records.filter((x) => x.busisn === 9_000_001n).length, 3, 'three deliveries of the same busisn');
    t.equal(golmud.timesExecuted(9_000_001n), 0);
  });

  t.test('OC-02: the socket switch goes away: commands wait (status 5, why), then go when it is back', async (t) => {
    await cnet.close();
    await until('delivery notices', async () => !rt.switches.deliveries.get('c-network')!.ready(), 5000);
    await insertRecord(h.store as BatchingStore, { busisn: 9_000_002n, svcnum: '13397990002', region: '0979', nettype: 'C', busitype: 11 });
    await until('waiting with a reason', async () => /not reachable|not connected/.test((await record(h.store as BatchingStore, 9_000_002n))?.result ?? ''));
    t.equal((await record(h.store as BatchingStore, 9_000_002n))?.status === 8, false, 'not failed');
    const back = await startSwitchSim({ kind: 'socket', name: 'c-network', host: '127.0.0.1', port: switches[2].port!, ...login });
    t.teardown(() => back.close());
    await until('executed after the switch came back', async () => (await record(h.store as BatchingStore, 9_000_002n))?.status === 7, 20_000);
    t.equal(back.timesExecuted(9_000_002n), 1);
  });
}, { schemas: ['a'] });
