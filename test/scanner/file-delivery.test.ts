// OC-01: the file interface. PT.<busisn> files written atomically into the command directory,
// results read back (and archived) from the result directory, against the file simulator;
// timeouts, broken directories and bad commands end as 'retry' or 'failed', never as a throw.
import t, { type Test } from 'tap';
import { Worker } from 'node:worker_threads';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import pino from 'pino';
import {
  answerOutcome,
  createFileDelivery,
  decodeResultFile,
  encodeCommandFile,
  RESULT_ARCHIVE,
  SWITCH_ANSWERS,
  WRITE_FAILURE_HOLD_MS,
  writeFileAtomic,
} from '../../src/scanner/file-delivery.js';
import type { FileDeliveryOptions, SwitchCommand } from '../../src/scanner/types.js';
import { startSwitchSim } from '../../src/sim/switch.js';

function tmp(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-oc01-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function logCapture(): { log: pino.Logger; lines: Array<{ level: number; msg: string }> } {
  const lines: Array<{ level: number; msg: string }> = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s) as { level: number; msg: string }) });
  return { log, lines };
}

function dirs(root: string): { commandDir: string; resultDir: string } {
  const commandDir = join(root, 'con');
  const resultDir = join(root, 'res');
  mkdirSync(commandDir);
  mkdirSync(resultDir);
  return { commandDir, resultDir };
}

function cmd(busisn: bigint, lines: string[] = [`HGSDC:MSISDN=8613997${String(busisn).padStart(6, '0')},SUD=CAT-1;`], attempt = 1): SwitchCommand {
  return { busisn, svcnum: '13997001234', imsi: '460011234567890', region: '0971', netType: 'G', busiType: 4, lines, attempt };
}

function options(d: { commandDir: string; resultDir: string }, log: pino.Logger, over: Partial<FileDeliveryOptions> = {}): FileDeliveryOptions {
  return { switchName: 'xn-hlr', ...d, resultTimeoutMs: 3000, pollMs: 5, log, ...over };
}

const never = new AbortController().signal;

t.test('OC-01: the answer-code table maps every code; unknown codes are retried', async (t) => {
  const seen = new Set<number>();
  for (const a of SWITCH_ANSWERS) {
    t.notOk(seen.has(a.code), `code ${a.code} once`);
    seen.add(a.code);
    const o = answerOutcome(a.code, '');
    t.equal(o.kind, a.outcome, `${a.code} ${a.name} → ${a.outcome}`);
    t.match(o.kind === 'retry' ? o.reason : o.answer, `${a.code} ${a.zh}`, 'the answer text defaults to the table text');
  }
  t.same(answerOutcome(0, 'OK'), { kind: 'executed', answer: '0 OK' });
  t.same(answerOutcome(201, '号码不存在'), { kind: 'failed', answer: '201 号码不存在' });
  t.equal(answerOutcome(101, 'busy').kind, 'retry');
  const unknown = answerOutcome(777, 'what');
  t.equal(unknown.kind, 'retry');
  t.match(unknown.kind === 'retry' && unknown.reason, /unknown switch answer code: 777 what/);
});

t.test('OC-01: result file format: first line "<code> <text>" LF; incomplete without LF; malformed otherwise', async (t) => {
  t.same(decodeResultFile(iconv.encode('0 执行成功\n', 'gbk')), { code: 0, text: '执行成功' });
  t.same(decodeResultFile(Buffer.from([0x30, 0x20, 0xff, 0x41, 0x0a])), { code: 0, text: '\u00ffA' }, 'bytes that are not GBK are shown as latin1, not refused');
  t.same(decodeResultFile(iconv.encode('201 用户不存在\r\nmore output\n', 'gbk')), { code: 201, text: '用户不存在' });
  t.same(decodeResultFile(Buffer.from('0')), { incomplete: true });
  t.same(decodeResultFile(Buffer.from('0\n')), { code: 0, text: '' });
  t.match(decodeResultFile(Buffer.from('OK done\n')), { malformed: /not "<code> <text>"/ });
  t.same(encodeCommandFile(['A;', '开户;']), Buffer.concat([Buffer.from('A;\n'), iconv.encode('开户;', 'gbk'), Buffer.from('\n')]), 'command file: GBK lines, each ended by LF');
});

t.test('OC-01: PT files are written atomically: a reader polling the directory never sees a partial file', async (t) => {
  const root = tmp(t);
  const { log } = logCapture();
  const d = dirs(root);
  const files = Number(process.env.BSSGATE_OC01_ATOMIC_FILES ?? 40);
  // 64 lines of ~4 KB: ~256 KB per file, many write() calls' worth, so a plain write would be seen half-done.
  const body = (b: bigint) => Array.from({ length: 64 }, (_, i) => (i === 63 ? `END ${b};` : `L${i}:${'X'.repeat(4000)};`));
  const worker = new Worker(
    `const { readdirSync, readFileSync } = require('node:fs');
     const { parentPort, workerData } = require('node:worker_threads');
     let seen = 0, partial = 0, other = [], stop = false;
     parentPort.on('message', () => { stop = true; });
     (function loop() {
       for (let i = 0; i < 50 && !stop; i++) {
         for (const n of readdirSync(workerData.dir)) {
           if (!/^PT\\.\\d+$/.test(n)) { if (!n.startsWith('.PT.')) other.push(n); continue; }
           let text;
           try { text = readFileSync(workerData.dir + '/' + n, 'latin1'); } catch { continue; }
           seen++;
           const lines = text.split('\\n');
           if (lines.length !== 65 || lines[63] !== 'END ' + n.slice(3) + ';' || lines[64] !== '') partial++;
         }
       }
       if (stop) parentPort.postMessage({ seen, partial, other });
       else setImmediate(loop);
     })();`,
    { eval: true, workerData: { dir: d.commandDir } },
  );
  const result = new Promise<{ seen: number; partial: number; other: string[] }>((res) => worker.once('message', res));
  t.teardown(() => worker.terminate());
  // The delivery, with nobody answering: every file stays until its result times out and is withdrawn.
  const delivery = createFileDelivery(options(d, log, { resultTimeoutMs: 300 }));
  const outcomes = await Promise.all(
    Array.from({ length: files }, (_, i) => {
      const b = 7000n + BigInt(i);
      return delivery.deliver(cmd(b, body(b)), never);
    }),
  );
  // And the helper on its own, rewriting one name many times (a re-send replaces the file).
  for (let i = 0; i < files; i++) await writeFileAtomic(d.commandDir, 'PT.9999', encodeCommandFile(body(9999n)) as Buffer);
  worker.postMessage('stop');
  const r = await result;
  t.ok(r.seen > 0, `the reader saw PT files while they were written (${r.seen} reads)`);
  t.equal(r.partial, 0, 'no read showed a partial file');
  t.same(r.other, [], 'no other names appear in the command directory');
  t.ok(outcomes.every((o) => o.kind === 'retry'), 'no result: every outcome is retry');
  t.same(readdirSync(d.commandDir), ['PT.9999'], 'timed-out commands were withdrawn; no temporary file is left');
});

t.test('OC-01: delivered to the file simulator: executed, the answer read back, the result archived', async (t) => {
  const root = tmp(t);
  const { log } = logCapture();
  const d = dirs(root);
  const sim = await startSwitchSim({ kind: 'file', ...d, pollMs: 5, journal: join(root, 'journal') });
  t.teardown(() => sim.close());
  const delivery = createFileDelivery(options(d, log));
  t.ok(delivery.ready(), 'ready: both directories writable');
  const lines = ['HGSDC:MSISDN=8613997001234,SUD=CAT-1;', 'HGSDC:MSISDN=8613997001234,SUD=OBO-1;'];
  const o = await delivery.deliver(cmd(101n, lines), never);
  t.same(o, { kind: 'executed', answer: '0 执行成功' });
  t.equal(sim.timesExecuted(101n), 1);
  t.same(sim.records[0].lines, lines, 'the switch read the lines in order');
  t.same(readdirSync(d.commandDir), [], 'the switch took the command file');
  t.same(readdirSync(d.resultDir), [RESULT_ARCHIVE], 'the result file was consumed');
  const archived = readdirSync(join(d.resultDir, RESULT_ARCHIVE));
  t.equal(archived.length, 1);
  t.match(archived[0], /^PT\.101\.\d+$/, 'archived as PT.<busisn>.<epoch ms>');
  const journal = readFileSync(join(root, 'journal'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  t.match(journal, [{ busisn: '101', attempt: 1, resend: false, executed: true, code: 0, lines }]);

  // Several at once, each matched to its own result.
  const many = await Promise.all([201n, 202n, 203n, 204n, 205n].map((b) => delivery.deliver(cmd(b), never)));
  t.ok(many.every((x) => x.kind === 'executed'), 'five concurrent commands executed');
  t.same([...sim.executedBusisns()].sort(), [101n, 201n, 202n, 203n, 204n, 205n]);
});

t.test('OC-01: switch answers mapped: final failure, retryable failure', async (t) => {
  const root = tmp(t);
  const { log } = logCapture();
  const d = dirs(root);
  const sim = await startSwitchSim({
    kind: 'file',
    ...d,
    pollMs: 5,
    failBusisns: new Map([
      [1n, { code: 201 }],
      [2n, { code: 101, times: 1 }],
    ]),
  });
  t.teardown(() => sim.close());
  const delivery = createFileDelivery(options(d, log));
  t.same(await delivery.deliver(cmd(1n), never), { kind: 'failed', answer: '201 用户不存在' });
  t.same(await delivery.deliver(cmd(2n), never), { kind: 'retry', reason: 'switch answered 101 交换机忙' });
  t.same(await delivery.deliver(cmd(2n, undefined, 2), never), { kind: 'executed', answer: '0 执行成功' }, 'the re-send after a retryable failure executes');
  t.equal(sim.timesExecuted(1n), 0);
  t.equal(sim.timesExecuted(2n), 1);
});

t.test('OC-01: no result within the timeout → retry; the re-send keeps PT.<busisn> and is recognised', async (t) => {
  const root = tmp(t);
  const { log, lines } = logCapture();
  const d = dirs(root);

  // Nobody reads the directory: the command is withdrawn.
  const lonely = createFileDelivery(options(d, log, { resultTimeoutMs: 100 }));
  const o1 = await lonely.deliver(cmd(55n), never);
  t.equal(o1.kind, 'retry');
  t.match(o1.kind === 'retry' && o1.reason, /no result .*PT\.55 within 100 ms \(not picked up by the switch, withdrawn\)/);
  t.notOk(existsSync(join(d.commandDir, 'PT.55')), 'withdrawn');
  t.ok(lines.some((l) => l.level === 40 && /OC-01: no result/.test(l.msg)), 'a warn line');

  // The switch executes but its result never comes (dropped): outcome unknown → retry …
  const sim = await startSwitchSim({ kind: 'file', ...d, pollMs: 5, dropAckRate: 1 });
  t.teardown(() => sim.close());
  const delivery = createFileDelivery(options(d, log, { resultTimeoutMs: 300 }));
  const o2 = await delivery.deliver(cmd(56n), never);
  t.equal(o2.kind, 'retry');
  t.match(o2.kind === 'retry' && o2.reason, /the switch picked it up/);
  t.equal(sim.timesExecuted(56n), 1, 'it did execute');
  // … and the re-send (same busisn, attempt 2) is answered without a second execution.
  sim.configure({ dropAckRate: 0 });
  const o3 = await delivery.deliver(cmd(56n, undefined, 2), never);
  t.same(o3, { kind: 'executed', answer: '1 重发指令,已执行过' });
  t.equal(sim.timesExecuted(56n), 1, 'executed once');
  t.match(sim.records.filter((r) => r.busisn === 56n), [
    { attempt: 1, resend: false, executed: true, reply: 'dropped' },
    { attempt: 2, resend: true, executed: false, code: 1, reply: 'answered' },
  ]);
});

t.test('OC-01: a late result of an earlier attempt answers the re-send without writing the file again', async (t) => {
  const root = tmp(t);
  const { log } = logCapture();
  const d = dirs(root);
  writeFileSync(join(d.resultDir, 'PT.77'), iconv.encode('0 执行成功\n', 'gbk'));
  const delivery = createFileDelivery(options(d, log, { resultTimeoutMs: 100 }));
  t.same(await delivery.deliver(cmd(77n, undefined, 2), never), { kind: 'executed', answer: '0 执行成功' });
  t.same(readdirSync(d.commandDir), [], 'nothing re-sent');
  t.notOk(existsSync(join(d.resultDir, 'PT.77')), 'consumed');

  // A retryable leftover is archived and the command is sent again.
  writeFileSync(join(d.resultDir, 'PT.78'), '101 busy\n');
  const o = await delivery.deliver(cmd(78n, undefined, 2), never);
  t.match(o, { kind: 'retry', reason: /no result/ }, 'sent again (nobody answers here)');
  t.equal(readdirSync(join(d.resultDir, RESULT_ARCHIVE)).length, 2, 'both results archived, never read twice');
});

t.test('OC-01: a result written in pieces is taken only once its line is complete; a malformed one → retry', async (t) => {
  const root = tmp(t);
  const { log } = logCapture();
  const d = dirs(root);
  const delivery = createFileDelivery(options(d, log, { resultTimeoutMs: 2000 }));
  const p = delivery.deliver(cmd(88n), never);
  writeFileSync(join(d.resultDir, 'PT.88'), '202 bad');
  await new Promise((r) => setTimeout(r, 100));
  appendFileSync(join(d.resultDir, 'PT.88'), ' syntax\n');
  t.same(await p, { kind: 'failed', answer: '202 bad syntax' });

  const q = delivery.deliver(cmd(89n), never);
  // Answer only once the command is there (before it, a leftover result is taken by the pre-check).
  for (let i = 0; i < 400 && !existsSync(join(d.commandDir, 'PT.89')); i++) await new Promise((r) => setTimeout(r, 5));
  writeFileSync(join(d.resultDir, 'PT.89'), 'garbage\n');
  const o = await q;
  t.equal(o.kind, 'retry');
  t.match(o.kind === 'retry' && o.reason, /not "<code> <text>"/);
});

t.test('OC-01: unwritable command directory → retry with the reason and a warn line, never a throw', async (t) => {
  const root = tmp(t);
  const { log, lines } = logCapture();
  const resultDir = join(root, 'res');
  mkdirSync(resultDir);
  // CI runs as root, so permissions are no test: a regular file where the directory should be, and a missing parent.
  const notADir = join(root, 'con');
  writeFileSync(notADir, 'a file, not a directory');
  const d1 = createFileDelivery({ switchName: 'xn-hlr', commandDir: notADir, resultDir, resultTimeoutMs: 100, pollMs: 5, log });
  t.notOk(d1.ready(), 'not ready: the command directory is a file');
  const o1 = await d1.deliver(cmd(1n), never);
  t.equal(o1.kind, 'retry');
  t.match(o1.kind === 'retry' && o1.reason, new RegExp(`cannot write ${notADir}/PT\\.1: ENOTDIR`));
  t.ok(lines.some((l) => l.level === 40 && /OC-01: cannot write/.test(l.msg)), 'warn line');

  // Repaired: ready again after the hold (the scanner sends nothing to a switch that is not ready,
  // so a failed write must not keep it unready for good).
  rmSync(notADir);
  mkdirSync(notADir);
  const end = Date.now() + WRITE_FAILURE_HOLD_MS + 5000;
  while (!d1.ready() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  t.ok(d1.ready(), 'ready again once the directory is back and the hold has passed');

  const missing = join(root, 'no', 'such', 'dir');
  const d2 = createFileDelivery({ switchName: 'xn-hlr', commandDir: missing, resultDir, resultTimeoutMs: 100, pollMs: 5, log });
  t.notOk(d2.ready());
  const o2 = await d2.deliver(cmd(2n), never);
  t.match(o2, { kind: 'retry', reason: /cannot write .*: ENOENT/ });

  // A broken result directory: nothing is sent (the answer could not be read back).
  const badRes = join(root, 'resfile');
  writeFileSync(badRes, 'x');
  const cdir = join(root, 'con2');
  mkdirSync(cdir);
  const d3 = createFileDelivery({ switchName: 'xn-hlr', commandDir: cdir, resultDir: badRes, resultTimeoutMs: 100, pollMs: 5, log });
  t.match(await d3.deliver(cmd(3n), never), { kind: 'retry', reason: /cannot read .*PT\.3: ENOTDIR/ });
  t.same(readdirSync(cdir), [], 'not sent');
});

t.test('OC-01: commands that cannot be written as a PT file fail for good; abort → retry', async (t) => {
  const root = tmp(t);
  const { log } = logCapture();
  const d = dirs(root);
  const delivery = createFileDelivery(options(d, log, { resultTimeoutMs: 5000 }));
  t.match(await delivery.deliver(cmd(1n, []), never), { kind: 'failed', answer: /no command lines/ });
  t.match(await delivery.deliver(cmd(1n, ['A;\nB;']), never), { kind: 'failed', answer: /line break/ });
  t.match(await delivery.deliver(cmd(1n, ['SMILE 😀;']), never), { kind: 'failed', answer: /GBK cannot encode/ });
  t.match(await delivery.deliver(cmd(-1n), never), { kind: 'failed', answer: /busisn/ });
  t.same(readdirSync(d.commandDir), [], 'nothing written');
  const ac = new AbortController();
  const p = delivery.deliver(cmd(5n), ac.signal);
  setTimeout(() => ac.abort(), 50);
  t.match(await p, { kind: 'retry', reason: /aborted/ }, 'aborted well before the 5 s timeout');
});
