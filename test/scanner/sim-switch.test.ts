// OC-01 / OC-02: the switch simulator (src/sim/switch.ts) and docs/switch-interfaces.md. The
// documented session is replayed byte for byte against the simulator, the documented tables are
// the code tables; re-sends are recognised (also across a restart, from the journal); seeded
// failures are reproducible; `bssgate sim switch` runs as a process and serves both kinds.
import t, { type Test } from 'tap';
import net from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import iconv from 'iconv-lite';
import pino from 'pino';
import { createFileDelivery, encodeCommandFile, SWITCH_ANSWERS, writeFileAtomic } from '../../src/scanner/file-delivery.js';
import { createSocketDelivery, encodeAck, SOCKET_CODES } from '../../src/scanner/socket-delivery.js';
import { parseFailOption, simOptionsFromCli, startSwitchSim, type SimCliOptions } from '../../src/sim/switch.js';
import type { SwitchCommand } from '../../src/scanner/types.js';

const root = resolve(import.meta.dirname, '../..');
const doc = readFileSync(join(root, 'docs/switch-interfaces.md'), 'utf8');
const silent = pino({ level: 'silent' });
const never = new AbortController().signal;

function tmp(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-simsw-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function cmd(busisn: bigint, attempt = 1): SwitchCommand {
  return { busisn, svcnum: '13997001234', imsi: '460011234567890', region: '0971', netType: 'G', busiType: 4, lines: ['HGSDC:MSISDN=8613997001234,SUD=CAT-1;'], attempt };
}

/** A raw connection that reads GBK lines. */
async function rawClient(port: number): Promise<{ send(l: string): void; next(ms?: number): Promise<string | null>; sock: net.Socket }> {
  const sock = net.connect(port, '127.0.0.1');
  await new Promise((r) => sock.once('connect', r));
  let buf = Buffer.alloc(0);
  let closed = false;
  const waiters: Array<() => void> = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  sock.on('data', (c: Buffer) => ((buf = Buffer.concat([buf, c])), wake()));
  sock.on('close', () => ((closed = true), wake()));
  sock.on('error', () => undefined);
  return {
    sock,
    send: (l) => void sock.write(Buffer.concat([iconv.encode(l, 'gbk'), Buffer.from('\n')])),
    async next(ms = 3000) {
      const end = Date.now() + ms;
      for (;;) {
        const lf = buf.indexOf(0x0a);
        if (lf >= 0) {
          const line = iconv.decode(buf.subarray(0, lf), 'gbk');
          buf = buf.subarray(lf + 1);
          return line;
        }
        if (closed) return null;
        if (Date.now() > end) throw new Error('no line from the switch');
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 50);
        });
      }
    },
  };
}

t.test('OC-01/OC-02: the documented answer codes and socket codes are the code tables', async (t) => {
  for (const a of SWITCH_ANSWERS) t.match(doc, `| ${a.code} | ${a.name} | ${a.outcome} | ${a.zh} | ${a.en} |`, `answer ${a.code} documented`);
  for (const [name, c] of Object.entries(SOCKET_CODES)) t.match(doc, `| ${c.code} | ${name} | ${c.en} |`, `socket code ${c.code} documented`);
  for (const [text, hex] of [...doc.matchAll(/^(\d+ \S+)\s{2,}((?:[0-9a-f]{2} )+0a)$/gm)].map((m) => [m[1], m[2]])) {
    t.equal(iconv.encode(text + '\n', 'gbk').toString('hex').match(/../g)!.join(' '), hex, `the bytes given for "${text}"`);
  }
  const ack = /The bytes of `ACK 1001 1 0 执行成功`: `([0-9a-f ]+)`/.exec(doc);
  t.equal(encodeAck(1001n, 1, 0, '执行成功').toString('hex').match(/../g)!.join(' '), ack?.[1], 'the bytes given for the ACK line');
});

t.test('OC-02: the documented example session, replayed against the simulator byte for byte', async (t) => {
  const block = /```session\n([\s\S]*?)```/.exec(doc);
  t.ok(block, 'docs/switch-interfaces.md has the session block');
  const sim = await startSwitchSim({ kind: 'socket', port: 0, password: 'secret', failBusisns: new Map([parseFailOption('1002=201')]) });
  t.teardown(() => sim.close());
  const c = await rawClient(sim.port);
  let exchanged = 0;
  for (const l of block![1].split('\n').filter(Boolean)) {
    if (l.startsWith('> ')) c.send(l.slice(2));
    else {
      t.equal(await c.next(), l.slice(2), `switch: ${l.slice(2)}`);
      exchanged++;
    }
  }
  t.equal(await c.next(), null, 'LOGOUT: the switch closed the connection');
  t.equal(exchanged, 5);
  t.equal(sim.timesExecuted(1001n), 1);
  t.equal(sim.timesExecuted(1002n), 0);
  t.match(sim.records, [
    { busisn: 1001n, attempt: 1, executed: true, resend: false },
    { busisn: 1002n, code: 201, executed: false },
    { busisn: 1001n, attempt: 2, code: 1, resend: true, executed: false },
  ]);
});

t.test('OC-02: the simulator refuses what the protocol does not allow', async (t) => {
  const sim = await startSwitchSim({ kind: 'socket', port: 0 });
  t.teardown(() => sim.close());
  const a = await rawClient(sim.port);
  a.send('CMD 1 1 1');
  t.equal(await a.next(), 'ERR 303 未登录', 'a command before the login');
  t.equal(await a.next(), null, 'closed');
  const b = await rawClient(sim.port);
  b.send('LOGIN bssgate nope');
  t.equal(await b.next(), 'LOGIN 301 用户名或密码错误');
  t.equal(await b.next(), null, 'closed');
  const c = await rawClient(sim.port);
  c.send('LOGIN bssgate bssgate');
  t.equal(await c.next(), 'LOGIN 0 登录成功', 'the default user and password');
  c.send('HELLO');
  t.match(await c.next(), /^ERR 304 unknown line/);
  t.equal(await c.next(), null, 'closed');
  t.equal(sim.received, 0);
});

t.test('OC-01: the file simulator takes PT.<busisn>, writes the GBK result atomically, journals, and recognises re-sends', async (t) => {
  const dir = tmp(t);
  const commandDir = join(dir, 'con');
  const resultDir = join(dir, 'res');
  const journal = join(dir, 'journal.jsonl');
  const sim = await startSwitchSim({ kind: 'file', commandDir, resultDir, pollMs: 5, journal });
  await writeFileAtomic(commandDir, 'PT.1001', encodeCommandFile(['HGSDC:MSISDN=8613997001234,SUD=CAT-1;', '备注;']) as Buffer);
  await sim.waitFor((s) => s.received === 1, 3000);
  const result = join(resultDir, 'PT.1001');
  for (let i = 0; i < 200 && !existsSync(result); i++) await new Promise((r) => setTimeout(r, 5));
  t.equal(readFileSync(result).toString('hex'), iconv.encode('0 执行成功\n', 'gbk').toString('hex'), 'result bytes: "0 执行成功" LF in GBK');
  t.same(readdirSync(commandDir), [], 'the command file was taken');
  t.same(sim.records[0].lines, ['HGSDC:MSISDN=8613997001234,SUD=CAT-1;', '备注;'], 'GBK lines read');
  await writeFileAtomic(commandDir, 'PT.1001', encodeCommandFile(['HGSDC:MSISDN=8613997001234,SUD=CAT-1;']) as Buffer);
  await sim.waitFor((s) => s.received === 2, 3000);
  t.match(sim.records[1], { attempt: 2, resend: true, executed: false, code: 1 });
  await sim.close();

  // A restarted simulator reads its journal: the busisn is still known as executed.
  const again = await startSwitchSim({ kind: 'file', commandDir, resultDir, pollMs: 5, journal });
  t.teardown(() => again.close());
  t.equal(again.timesExecuted(1001n), 1, 'known from the journal');
  await writeFileAtomic(commandDir, 'PT.1001', encodeCommandFile(['X;']) as Buffer);
  await again.waitFor((s) => s.received === 1, 3000);
  t.match(again.records[0], { resend: true, code: 1 });
  t.equal(again.timesExecuted(1001n), 1, 'still once');
  const lines = readFileSync(journal, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  t.equal(lines.length, 3, 'one journal line per command received');
  t.same(Object.keys(lines[0]), ['time', 'switch', 'kind', 'seq', 'busisn', 'attempt', 'resend', 'executed', 'code', 'answer', 'reply', 'lines'], 'the documented journal fields, in order');
  t.equal(lines.filter((l) => l.executed === true).length, 1, 'executed once in all');
});

t.test('OC-01/OC-02: seeded random failures are reproducible; scripted failures stop after N', async (t) => {
  const codes: number[][] = [];
  for (let run = 0; run < 2; run++) {
    const sim = await startSwitchSim({ kind: 'socket', port: 0, failRate: 0.5, failCode: 202, seed: 7 });
    const d = createSocketDelivery({ switchName: 's', host: '127.0.0.1', port: sim.port, user: 'bssgate', password: 'bssgate', keepaliveMs: 1000, ackTimeoutMs: 2000, reconnectMinMs: 20, reconnectMaxMs: 100, log: silent });
    for (let b = 1n; b <= 40n; b++) await d.deliver(cmd(b), never);
    codes.push(sim.records.map((r) => r.code));
    await d.close();
    await sim.close();
  }
  t.same(codes[0], codes[1], 'the same seed, the same answers');
  const failed = codes[0].filter((c) => c === 202).length;
  t.ok(failed > 5 && failed < 35, `about half failed (${failed} of 40)`);

  const dir = tmp(t);
  const sim = await startSwitchSim({ kind: 'file', commandDir: join(dir, 'c'), resultDir: join(dir, 'r'), pollMs: 5, failBusisns: new Map([parseFailOption('9=101x2')]) });
  t.teardown(() => sim.close());
  const d = createFileDelivery({ switchName: 'f', commandDir: join(dir, 'c'), resultDir: join(dir, 'r'), resultTimeoutMs: 3000, pollMs: 5, log: silent });
  const kinds = [];
  for (let a = 1; a <= 3; a++) kinds.push((await d.deliver(cmd(9n, a), never)).kind);
  t.same(kinds, ['retry', 'retry', 'executed'], '101 twice, then executed');
  t.throws(() => sim.configure({ failRate: 2 }), /failRate must be between 0 and 1/);
  t.throws(() => parseFailOption('9=x'), /BUSISN=CODE/);
  t.throws(() => simOptionsFromCli({ host: '127.0.0.1', user: 'u', fail: [] } as SimCliOptions), /either --file DIR .* or --port N/);
  t.throws(() => simOptionsFromCli({ port: '0', delay: '50-10', host: '127.0.0.1', user: 'u', fail: [] }), /maximum is below/);
});

/** Spawn `bssgate sim switch …` (dist/, built by `npm test`'s pretest) and wait for its banner. */
function spawnSim(args: string[]): { child: ChildProcess; banner: Promise<string>; exited: Promise<{ code: number | null; out: string }> } {
  const child = spawn(process.execPath, [join(root, 'dist/src/cli.js'), 'sim', 'switch', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const banner = new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`no banner in 30 s: ${out} ${err}`)), 30_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('Stop with Ctrl-C')) {
        clearTimeout(timer);
        res(out);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`exited ${code}: ${out} ${err}`));
    });
  });
  const exited = new Promise<{ code: number | null; out: string }>((res) => child.on('exit', (code) => res({ code, out })));
  return { child, banner, exited };
}

t.test('OC-01/OC-02: `bssgate sim switch` runs as a process and serves both kinds', async (t) => {
  t.ok(existsSync(join(root, 'dist/src/cli.js')), 'dist/src/cli.js is built');
  const dir = tmp(t);
  const journal = join(dir, 'sock.jsonl');
  const s = spawnSim(['--port', '0', '--password', 'pw1', '--journal', journal]);
  t.teardown(() => s.child.kill('SIGKILL'));
  const banner = await s.banner;
  const port = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(banner)?.[1]);
  t.ok(port > 0, `banner names the port: ${banner.split('\n')[0]}`);
  const d = createSocketDelivery({ switchName: 'gem', host: '127.0.0.1', port, user: 'bssgate', password: 'pw1', keepaliveMs: 1000, ackTimeoutMs: 5000, reconnectMinMs: 20, reconnectMaxMs: 100, log: silent });
  t.same(await d.deliver(cmd(31n), never), { kind: 'executed', answer: '0 执行成功' });
  t.same(await d.deliver(cmd(31n, 2), never), { kind: 'executed', answer: '1 重发指令,已执行过' });
  await d.close();
  t.match(readFileSync(journal, 'utf8'), /"busisn":"31","attempt":1,"resend":false,"executed":true[\s\S]*"busisn":"31","attempt":2,"resend":true,"executed":false/);
  s.child.kill('SIGTERM');
  const end = await s.exited;
  t.equal(end.code, 0, 'SIGTERM stops it cleanly');
  t.match(end.out, /stopped: 2 commands received, 1 executed, 1 re-sends recognised/);

  const f = spawnSim(['--file', join(dir, 'con'), '--result-dir', join(dir, 'res'), '--fail', '41=201']);
  t.teardown(() => f.child.kill('SIGKILL'));
  t.match(await f.banner, /OC-01 file\) reading .*con\/PT\.<busisn>, results into .*res/);
  const fd = createFileDelivery({ switchName: 'xn', commandDir: join(dir, 'con'), resultDir: join(dir, 'res'), resultTimeoutMs: 10_000, pollMs: 10, log: silent });
  t.same(await fd.deliver(cmd(40n), never), { kind: 'executed', answer: '0 执行成功' });
  t.same(await fd.deliver(cmd(41n), never), { kind: 'failed', answer: '201 用户不存在' });
  f.child.kill('SIGTERM');
  t.equal((await f.exited).code, 0);
});
