// Issue 17: on PostgreSQL the gateway's own units that queue a command (CS-21…26, a payment's
// resume) send a notification with their COMMIT (cmd.notify), and the scanner LISTENs on a
// connection of its own: the command is claimed at once, not at the next poll. The poll interval
// here is ten minutes, so a command executed within the test's bound was woken by the
// notification. The LISTEN connection is terminated by the server (pg_terminate_backend): the
// scanner connects again and commands still flow the same way. SQLite has no LISTEN: its poll
// finds every command (the other scanner tests).
import pino from 'pino';
import { BUSI_TYPES } from '../../src/domain/codes.js';
import { handlerSuite } from '../helpers/seeded.js';
import { startSwitchSim } from '../../src/sim/switch.js';
import { startScanner } from '../../src/scanner/switches.js';
import type { BatchingStore } from '../../src/store/open.js';
import { record, scannerConfig, switchConfig, until } from './helpers.js';

const silent = pino({ level: 'silent' });

handlerSuite('issue 17: PostgreSQL NOTIFY from the gateway\'s own commits wakes the scanner (LISTEN), also after its connection is terminated', async (t, h) => {
  if (h.store.dialect !== 'postgres') {
    t.pass('SQLite: no LISTEN; the poll finds every command');
    return;
  }
  const store = h.store as BatchingStore;
  const login = { user: 'bss', password: 'sim-secret-1' };
  const sim = await startSwitchSim({ kind: 'socket', name: 'g', host: '127.0.0.1', port: 0, ...login });
  t.teardown(() => sim.close());
  const switches = [switchConfig({ name: 'g', kind: 'socket', regions: ['*'], netTypes: ['G'], switchType: 'ERI_HLR', host: '127.0.0.1', port: sim.port, ...login })];
  const rt = await startScanner({ store, scanner: scannerConfig({ pollMs: 600_000 }), switches, log: silent, err: silent });
  t.teardown(() => rt.stop(2000));
  await until('the scanner listens', async () => rt.scanner.listenPid() !== null);

  const accept = async (business: string, body: Record<string, string>): Promise<bigint> => {
    const r = await h.call<{ busisn: string; busiStatus: number }>('cs', business, body);
    if (r.result !== 0) throw new Error(`${business} ${JSON.stringify(body)}: ${r.result} ${r.message}`);
    return BigInt(r.body!.busisn);
  };
  const executed = (busisn: bigint) => until(`busisn ${busisn} executed (the poll is 10 minutes away)`, async () => (await record(store, busisn))?.status === 7);

  t.test('CS-21 committed: claimed and executed without waiting for the poll', async (t) => {
    const b = await accept('emergency-suspend', { svcnum: h.fx.first.svcnum });
    await executed(b);
    t.equal(sim.timesExecuted(b), 1);
  });

  t.test('PC-03: a payment that resumes an arrears-suspended number: its resume command executed without waiting for the poll', async (t) => {
    const f = h.fx.gsmArrears;
    const rt0 = (await h.call('cs', 'realtime-totals', { svcnum: f.svcnum })).body?.realtimeBalance as bigint;
    const r = await h.call<{ resumed: number }>('card', 'payment', { svcnum: f.svcnum, amount: 1n - rt0 }, { serial: `LSN${Date.now().toString(36).toUpperCase()}` });
    t.equal(r.result, 0, r.message);
    t.equal(r.body?.resumed, 1, 'the payment resumed the number');
    const [rec] = await store.all<{ busisn: bigint }>(
      { name: 'test.listen.resume', sql: `SELECT MAX(BUSISN) AS BUSISN FROM USR_BUSI_RECORD WHERE SUBSCRBID = :s AND BUSITYPE = ${BUSI_TYPES.PAYMENT_RESUME.code}`, bigint: ['busisn'] },
      { s: f.subscrbid },
    );
    await executed(rec.busisn);
    t.equal(sim.timesExecuted(rec.busisn), 1);
  });

  t.test('the LISTEN connection is terminated: the scanner connects again and CS-23 still flows at once', async (t) => {
    const before = rt.scanner.listenPid()!;
    const [killed] = await store.all<{ ok: boolean }>({ name: 'test.listen.terminate', sql: 'SELECT pg_terminate_backend(:pid) AS ok' }, { pid: before });
    t.equal(killed?.ok, true, 'the server terminated the listening backend');
    await until('listening again on a new connection', async () => {
      const pid = rt.scanner.listenPid();
      return pid !== null && pid !== before;
    });
    const b = await accept('conditional-resume', { svcnum: h.fx.gsmSuspended.svcnum });
    await executed(b);
    t.equal(sim.timesExecuted(b), 1);
  });
}, { schemas: ['a'] });
