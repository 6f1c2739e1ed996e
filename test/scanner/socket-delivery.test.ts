// OC-02: the socket interface. One persistent connection per switch to the socket simulator:
// login (a wrong password refused and never logged), keep-alive, several commands in flight
// matched by busisn, acknowledgement timeouts, disconnects mid-command with reconnect and backoff,
// re-sends recognised, and the answer-code mapping.
import t, { type Test } from 'tap';
import net from 'node:net';
import pino from 'pino';
import iconv from 'iconv-lite';
import {
  createSocketDelivery,
  encodeAck,
  encodeCmd,
  encodeLogin,
  LineSplitter,
  LineTooLongError,
  MAX_PROTOCOL_LINE,
  parseClientLine,
  parseSwitchLine,
  SocketDelivery,
} from '../../src/scanner/socket-delivery.js';
import { SWITCH_ANSWERS } from '../../src/scanner/file-delivery.js';
import type { SocketDeliveryOptions, SwitchCommand } from '../../src/scanner/types.js';
import { startSwitchSim, type SocketSwitchSim } from '../../src/sim/switch.js';

const PASSWORD = 'S3cret-Pw';

function logCapture(): { log: pino.Logger; lines: Array<{ level: number; msg: string }>; raw: string[] } {
  const lines: Array<{ level: number; msg: string }> = [];
  const raw: string[] = [];
  const log = pino({ level: 'debug' }, {
    write: (s: string) => {
      raw.push(s);
      lines.push(JSON.parse(s) as { level: number; msg: string });
    },
  });
  return { log, lines, raw };
}

function cmd(busisn: bigint, attempt = 1, lines = [`MOD LCK:ISDN="8613997${String(busisn).padStart(6, '0')}",IC=1;`]): SwitchCommand {
  return { busisn, svcnum: '13997001234', imsi: '460011234567890', region: '0979', netType: 'G', busiType: 4, lines, attempt };
}

async function sim(t: Test, over: Partial<Parameters<typeof startSwitchSim>[0]> = {}): Promise<SocketSwitchSim> {
  const s = await startSwitchSim({ kind: 'socket', port: 0, user: 'bssgate', password: PASSWORD, ...over } as Parameters<typeof startSwitchSim>[0] & { kind: 'socket' });
  t.teardown(() => s.close());
  return s;
}

function delivery(t: Test, port: number, log: pino.Logger, over: Partial<SocketDeliveryOptions> = {}): SocketDelivery {
  const d = new SocketDelivery({
    switchName: 'gem-hlr',
    host: '127.0.0.1',
    port,
    user: 'bssgate',
    password: PASSWORD,
    keepaliveMs: 1000,
    ackTimeoutMs: 10_000,
    reconnectMinMs: 20,
    reconnectMaxMs: 200,
    log,
    ...over,
  });
  t.teardown(() => d.close());
  return d;
}

/** Poll `pred` every 5 ms for at most `ms`. */
async function until(pred: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const never = new AbortController().signal;

t.test('OC-02: protocol lines encode and parse; the splitter takes any chunking', async (t) => {
  t.same(parseClientLine('LOGIN bssgate pass with spaces'), { verb: 'LOGIN', user: 'bssgate', password: 'pass with spaces' });
  t.same(parseClientLine('CMD 123 2 3'), { verb: 'CMD', busisn: 123n, attempt: 2, count: 3 });
  t.match(parseClientLine('CMD 123 2 0'), { error: /1–64/ });
  t.same(parseClientLine('PING 7'), { verb: 'PING', token: '7' });
  t.same(parseClientLine('LOGOUT'), { verb: 'LOGOUT' });
  t.match(parseClientLine('HELLO'), { error: /unknown line/ });
  t.same(parseSwitchLine('ACK 123 2 201 用户不存在'), { verb: 'ACK', busisn: 123n, attempt: 2, code: 201, text: '用户不存在' });
  t.same(parseSwitchLine('ACK 9 1 0'), { verb: 'ACK', busisn: 9n, attempt: 1, code: 0, text: '' });
  t.match(parseSwitchLine('ACK 9 0 执行成功'), { error: /unknown line/ }, 'an ACK without the echoed attempt is not an answer (issue 13)');
  t.same(parseSwitchLine('LOGIN 301 wrong'), { verb: 'LOGIN', code: 301, text: 'wrong' });
  t.same(parseSwitchLine('PONG 7'), { verb: 'PONG', token: '7' });
  t.same(parseSwitchLine('ERR 304 bad'), { verb: 'ERR', code: 304, text: 'bad' });

  const stream = Buffer.concat([
    encodeLogin('u', 'p w'),
    encodeCmd(5n, 1, [iconv.encode('开户 A;', 'gbk'), Buffer.from('B;')]),
    Buffer.from('PING 1\r\n'),
    encodeAck(5n, 1, 0, '执行\n成功'),
  ]);
  const expected = ['LOGIN u p w', 'CMD 5 1 2', '开户 A;', 'B;', 'PING 1', 'ACK 5 1 0 执行 成功'];
  for (let cut = 0; cut <= stream.length; cut++) {
    const sp = new LineSplitter();
    const got = [...sp.push(stream.subarray(0, cut)), ...sp.push(stream.subarray(cut))].map((b) => iconv.decode(b, 'gbk'));
    if (JSON.stringify(got) !== JSON.stringify(expected)) {
      t.same(got, expected, `split at ${cut}`);
      return;
    }
  }
  t.pass('the same lines at every split offset (CRLF tolerated; a line break inside an answer text becomes a space)');
  t.throws(() => new LineSplitter().push(Buffer.alloc(MAX_PROTOCOL_LINE + 1, 0x41)), LineTooLongError);
});

t.test('OC-02: login, ready(), one command executed; the password is never logged', async (t) => {
  const s = await sim(t);
  const { log, raw } = logCapture();
  const d = delivery(t, s.port, log);
  t.notOk(d.ready(), 'not ready before the login');
  await until(() => d.ready(), 5000, 'logged in');
  t.equal(s.logins, 1);
  const lines = ['MOD LCK:ISDN="8613997001234",IC=1;', 'MOD LCK:ISDN="8613997001234",OC=1;'];
  t.same(await d.deliver(cmd(1001n, 1, lines), never), { kind: 'executed', answer: '0 执行成功' });
  t.match(s.records, [{ busisn: 1001n, attempt: 1, resend: false, executed: true, lines }]);
  await d.close();
  t.notOk(d.ready(), 'not ready after close()');
  await until(() => s.connections() === 0, 2000, 'LOGOUT closes the connection');
  t.notOk(raw.join('').includes(PASSWORD), 'no log line holds the password');
  const viaFactory = createSocketDelivery({ ...optionsOf(d), port: s.port });
  t.equal(viaFactory.switchName, 'gem-hlr', 'the factory gives the same delivery');
  await viaFactory.close();
});

/** The options a test delivery was built with (for the factory check; closed at once). */
function optionsOf(d: SocketDelivery): SocketDeliveryOptions {
  const o = (d as unknown as { opts: SocketDeliveryOptions }).opts; // private: read only for this check
  return { ...o, reconnectMinMs: 1, log: pino({ level: 'silent' }) };
}

t.test('OC-02: a wrong password is refused; the delivery keeps trying with backoff and answers retry meanwhile', async (t) => {
  const s = await sim(t);
  const { log, lines, raw } = logCapture();
  const d = delivery(t, s.port, log, { password: 'wrong-one', ackTimeoutMs: 1000, reconnectMinMs: 30, reconnectMaxMs: 120 });
  await until(() => s.accepted >= 3, 5000, 'three login attempts');
  t.notOk(d.ready());
  t.equal(s.logins, 0, 'never logged in');
  const o = await d.deliver(cmd(1n), never);
  t.equal(o.kind, 'retry');
  t.match(o.kind === 'retry' && o.reason, /not connected \(login as bssgate refused: 301 用户名或密码错误\)/);
  t.ok(lines.some((l) => l.level === 40 && /refused: 301/.test(l.msg)), 'warn line names the refusal');
  t.notOk(raw.join('').includes('wrong-one'), 'the (wrong) password is not logged either');
  t.equal(s.received, 0, 'nothing was sent');
});

t.test('OC-02: keep-alive holds an idle connection open; a switch that stops answering PING is left and reconnected', async (t) => {
  const s = await sim(t, { idleMs: 600 });
  const { log, lines } = logCapture();
  const d = delivery(t, s.port, log, { keepaliveMs: 100 });
  await until(() => d.ready(), 5000, 'logged in');
  await new Promise((r) => setTimeout(r, 1800)); // three times the switch's idle limit
  t.ok(d.ready(), 'still ready');
  t.equal(s.logins, 1, 'on the first connection: PINGs kept it open');

  s.configure({ answerPings: false });
  await until(() => lines.some((l) => /no keep-alive answer within 200 ms/.test(l.msg)), 5000, 'dead connection noticed');
  s.configure({ answerPings: true });
  await until(() => s.logins >= 2 && d.ready(), 5000, 'logged in again');
  t.same(await d.deliver(cmd(2n), never), { kind: 'executed', answer: '0 执行成功' });

  // Control: without a PING within the switch's idle limit, the switch closes the connection.
  const s2 = await sim(t, { idleMs: 150 });
  const d2 = delivery(t, s2.port, log, { keepaliveMs: 60_000 });
  await until(() => s2.logins >= 2, 5000, 'the idle connection was closed by the switch and re-opened');
  t.pass('an idle connection without keep-alive is closed by the switch');
  await d2.close();
});

t.test('OC-02: many commands in flight on one connection, answers in any order, matched by busisn', async (t) => {
  const n = Number(process.env.BSSGATE_OC02_INFLIGHT ?? 60);
  const failing = new Map<bigint, { code: number }>();
  for (let i = 0; i < n; i += 7) failing.set(BigInt(5000 + i), { code: 201 });
  const s = await sim(t, { delayMinMs: 0, delayMaxMs: 80, seed: 42, failBusisns: failing });
  const { log } = logCapture();
  const d = delivery(t, s.port, log);
  await until(() => d.ready(), 5000, 'logged in');
  const order: bigint[] = [];
  const busisns = Array.from({ length: n }, (_, i) => BigInt(5000 + i));
  const outcomes = await Promise.all(
    busisns.map((b) =>
      d.deliver(cmd(b), never).then((o) => {
        order.push(b);
        return o;
      }),
    ),
  );
  t.equal(s.accepted, 1, 'one connection');
  busisns.forEach((b, i) => {
    const want = failing.has(b) ? { kind: 'failed', answer: '201 用户不存在' } : { kind: 'executed', answer: '0 执行成功' };
    if (JSON.stringify(outcomes[i]) !== JSON.stringify(want)) t.same(outcomes[i], want, `busisn ${b}`);
  });
  t.pass(`${n} outcomes, each the answer for its own busisn`);
  t.notSame(order, busisns, 'answers arrived out of order (random delays), and were still matched');
  t.equal(d.inFlight(), 0);
});

t.test('OC-02: no acknowledgement within the timeout → retry; a late one is ignored; the connection stays', async (t) => {
  const s = await sim(t, { dropAckRate: 1 });
  const { log, lines } = logCapture();
  const d = delivery(t, s.port, log, { ackTimeoutMs: 150 });
  await until(() => d.ready(), 5000, 'logged in');
  const o = await d.deliver(cmd(10n), never);
  t.equal(o.kind, 'retry');
  t.match(o.kind === 'retry' && o.reason, /no acknowledgement from switch gem-hlr within 150 ms \(outcome unknown\)/);
  t.equal(s.timesExecuted(10n), 1, 'the switch did execute it');

  s.configure({ dropAckRate: 0, delayMinMs: 1000, delayMaxMs: 1000 });
  t.match(await d.deliver(cmd(11n), never), { kind: 'retry' }, 'answer slower than the timeout');
  await until(() => lines.some((l) => /late acknowledgement/.test(l.msg)), 5000, 'late ack logged');
  t.equal(s.logins, 1, 'the same connection throughout the timeouts');
  t.ok(d.ready());
  // The re-send, by a delivery with a timeout a loaded test machine cannot miss.
  s.configure({ delayMinMs: 0, delayMaxMs: 0 });
  const patient = delivery(t, s.port, log);
  t.same(await patient.deliver(cmd(10n, 2), never), { kind: 'executed', answer: '1 重发指令,已执行过' }, 're-send recognised');
  t.equal(s.timesExecuted(10n), 1, 'not executed twice');
});

t.test('OC-02 issue 13 (defect 8): the late ACK of a timed-out attempt does not answer the next attempt; the attempt is echoed', async (t) => {
  // The switch refuses the first arrival of busisn 20 (201), but answers only after 4.5 s; the
  // delivery gives up after 3 s and sends attempt 2, which the switch executes. The late
  // "ACK 20 1 201" arrives while attempt 2 is in flight: it must not become attempt 2's outcome
  // (the record would be failed while the switch executed it).
  const s = await sim(t, { failBusisns: new Map([[20n, { code: 201, times: 1 }]]), delayMinMs: 4500, delayMaxMs: 4500 });
  const { log, lines } = logCapture();
  const d = delivery(t, s.port, log, { ackTimeoutMs: 3000 });
  await until(() => d.ready(), 5000, 'logged in');
  const first = await d.deliver(cmd(20n, 1), never);
  t.match(first, { kind: 'retry', reason: /no acknowledgement .* within 3000 ms/ }, 'attempt 1 timed out');
  // Attempt 2's own answer comes far beyond its timeout: whatever answers it within 3 s is not its own.
  s.configure({ delayMinMs: 60_000, delayMaxMs: 60_000 });
  const second = await d.deliver(cmd(20n, 2), never);
  t.match(s.records, [{ busisn: 20n, attempt: 1, code: 201, executed: false }, { busisn: 20n, attempt: 2, code: 0, executed: true }], 'the switch refused attempt 1 and executed attempt 2');
  t.match(second, { kind: 'retry', reason: /no acknowledgement/ }, 'attempt 2 is not answered by the late 201 of attempt 1');
  t.ok(
    lines.some((l) => l.level === 40 && /acknowledgement of attempt 1 while attempt 2 of busisn 20 is in flight; discarded/.test(l.msg)),
    'the late ACK of attempt 1 is logged (warn) and discarded',
  );
  s.configure({ delayMinMs: 0, delayMaxMs: 0 });
  t.same(await d.deliver(cmd(20n, 3), never), { kind: 'executed', answer: '1 重发指令,已执行过' }, 'attempt 3 gets its own answer');
  t.equal(s.timesExecuted(20n), 1);
});

t.test('OC-02: disconnect mid-command → retry for every command in flight; reconnect with backoff; re-sends recognised', async (t) => {
  const s = await sim(t, { delayMinMs: 100, delayMaxMs: 100, disconnectEvery: 3 });
  const { log } = logCapture();
  const d = delivery(t, s.port, log, { reconnectMinMs: 40, reconnectMaxMs: 200 });
  await until(() => d.ready(), 5000, 'logged in');
  const first = await Promise.all([1n, 2n, 3n].map((b) => d.deliver(cmd(b), never)));
  for (const o of first) t.match(o, { kind: 'retry', reason: /connection to switch gem-hlr lost before the acknowledgement/ });
  t.same([1n, 2n, 3n].map((b) => s.timesExecuted(b)), [1, 1, 1], 'the switch executed all three before closing');
  t.notOk(d.ready(), 'not ready while disconnected');

  // Backoff: while the switch refuses, the gaps between connection attempts grow (p-retry, factor 2).
  s.configure({ disconnectEvery: 0, delayMinMs: 0, delayMaxMs: 0 });
  s.refuseConnections(true);
  s.disconnectAll();
  const times: number[] = [];
  const onConn = () => times.push(performance.now());
  s.on('connection', onConn);
  await until(() => times.length >= 5, 10_000, 'five attempts');
  s.off('connection', onConn);
  const gaps = times.slice(1).map((x, i) => x - times[i]);
  const floor = [40, 80, 160, 200];
  gaps.slice(0, 4).forEach((g, i) => t.ok(g >= floor[i] - 5, `gap ${i + 1} is ${g.toFixed(0)} ms ≥ ${floor[i]} ms`));
  s.refuseConnections(false);
  await until(() => d.ready(), 5000, 'logged in again');

  const again = await Promise.all([1n, 2n, 3n].map((b) => d.deliver(cmd(b, 2), never)));
  for (const o of again) t.same(o, { kind: 'executed', answer: '1 重发指令,已执行过' });
  t.same([1n, 2n, 3n].map((b) => s.timesExecuted(b)), [1, 1, 1], 'executed once each');
  t.same(s.records.filter((r) => r.resend).map((r) => [r.busisn, r.attempt]), [[1n, 2], [2n, 2], [3n, 2]], 're-sends recorded with their attempt');
});

t.test('OC-02: every switch answer code maps to executed / retry / failed; an unknown code is retried', async (t) => {
  const codes = [...SWITCH_ANSWERS.map((a) => a.code), 777];
  const s = await sim(t, { failBusisns: new Map(codes.map((c) => [BigInt(90000 + c), { code: c }])) });
  const { log } = logCapture();
  const d = delivery(t, s.port, log);
  await until(() => d.ready(), 5000, 'logged in');
  for (const c of codes) {
    const o = await d.deliver(cmd(BigInt(90000 + c)), never);
    const want = SWITCH_ANSWERS.find((a) => a.code === c)?.outcome ?? 'retry';
    t.equal(o.kind, want, `code ${c} → ${want}`);
  }
});

t.test('OC-02: unreachable switch, bad commands, abort and close: retry or failed, never a throw', async (t) => {
  const { log, lines } = logCapture();
  const closedPort = await new Promise<number>((res) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (srv.address() as net.AddressInfo).port;
      srv.close(() => res(p));
    });
  });
  const d = delivery(t, closedPort, log, { ackTimeoutMs: 100 });
  const o = await d.deliver(cmd(1n), never);
  t.match(o, { kind: 'retry', reason: /not connected \(ECONNREFUSED/ });
  t.ok(lines.some((l) => l.level === 40 && /ECONNREFUSED.*reconnecting with backoff/.test(l.msg)), 'warn line');
  await d.close();

  const s = await sim(t, { delayMinMs: 5000, delayMaxMs: 5000 });
  const d2 = delivery(t, s.port, log, { ackTimeoutMs: 10_000 });
  await until(() => d2.ready(), 5000, 'logged in');
  t.match(await d2.deliver(cmd(1n, 1, []), never), { kind: 'failed', answer: /no command lines/ });
  t.match(await d2.deliver(cmd(1n, 1, ['A;\rB;']), never), { kind: 'failed', answer: /line break/ });
  t.match(await d2.deliver(cmd(1n, 1, ['SMILE 😀;']), never), { kind: 'failed', answer: /GBK/ });
  t.equal(s.received, 0, 'none of them was sent');

  const ac = new AbortController();
  const p = d2.deliver(cmd(2n), ac.signal);
  await until(() => s.received === 1, 2000, 'sent');
  const dup = await d2.deliver(cmd(2n, 2), never);
  t.match(dup, { kind: 'retry', reason: /already in flight/ }, 'the same busisn twice at once is refused');
  ac.abort();
  t.match(await p, { kind: 'retry', reason: /aborted/ });
  const q = d2.deliver(cmd(3n), never);
  await until(() => s.received === 2, 2000, 'sent');
  await d2.close();
  t.match(await q, { kind: 'retry', reason: /closed/ }, 'close() answers the commands in flight');
  t.match(await d2.deliver(cmd(4n), never), { kind: 'retry', reason: /is closed/ }, 'after close(): retry at once');
  t.throws(() => new SocketDelivery({ ...optionsOf(d2), user: 'has space' }), /user must be/);
});
