// OC-01, the file interface of the legacy online-command module: every command becomes a file
// `PT.<busisn>` in the switch's command directory (legacy: /prog/inout/hlr/con…), and the switch
// answers with a file of the same name in its result directory. Formats: docs/switch-interfaces.md.
//
//   command file  <commandDir>/PT.<busisn>   the rendered lines, GBK, each ended by LF
//   result file   <resultDir>/PT.<busisn>    first line "<code> <text>" LF, GBK; further lines ignored
//
// The switch answer codes (SWITCH_ANSWERS) are shared with the socket interface (OC-02).
// A delivery never throws: a full, missing or unwritable directory, or no result in time, is a
// 'retry' outcome (the re-send keeps the file name, so the switch side recognises it).
import { randomBytes } from 'node:crypto';
import { open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { ensureDir } from '../dirs.js';
import { accessSync, constants, statSync } from 'node:fs';
import { setMaxListeners } from 'node:events';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { gbkDecode, gbkEncodeStrict } from '../../protocol/gbk.js';
import { describe } from '../store/errors.js';
import type { Delivery, DeliveryOutcome, FileDeliveryOptions, SwitchCommand } from './types.js';

// ---------------------------------------------------------------------------------------------
// Switch answer codes, one table for both interfaces (OC-01 result files, OC-02 ACK lines).

export type AnswerKind = DeliveryOutcome['kind'];

export interface SwitchAnswer {
  code: number;
  name: string;
  /** What the scanner makes of it. */
  outcome: AnswerKind;
  zh: string;
  en: string;
}

export const SWITCH_ANSWERS = [
  { code: 0, name: 'EXECUTED', outcome: 'executed', zh: '执行成功', en: 'executed' },
  { code: 1, name: 'ALREADY_EXECUTED', outcome: 'executed', zh: '重发指令,已执行过', en: 're-send of a busisn the switch had already executed; not executed again' },
  { code: 101, name: 'BUSY', outcome: 'retry', zh: '交换机忙', en: 'switch busy or overloaded; not executed' },
  { code: 102, name: 'HLR_UNREACHABLE', outcome: 'retry', zh: 'HLR无响应', en: 'the HLR behind the front end did not answer; not executed' },
  { code: 103, name: 'SWITCH_TIMEOUT', outcome: 'retry', zh: '执行超时', en: 'execution timed out inside the switch; outcome unknown' },
  { code: 201, name: 'UNKNOWN_SUBSCRIBER', outcome: 'failed', zh: '用户不存在', en: 'number or IMSI unknown to the HLR' },
  { code: 202, name: 'BAD_COMMAND', outcome: 'failed', zh: '指令错误', en: 'syntax error or unknown command' },
  { code: 203, name: 'NOT_ALLOWED', outcome: 'failed', zh: '当前状态不允许', en: "refused in the subscriber's current state" },
  { code: 204, name: 'BAD_PARAMETER', outcome: 'failed', zh: '参数错误', en: 'parameter out of range' },
] as const satisfies readonly SwitchAnswer[];

export type SwitchAnswerName = (typeof SWITCH_ANSWERS)[number]['name'];

const ANSWER_BY_CODE = new Map<number, SwitchAnswer>(SWITCH_ANSWERS.map((a) => [a.code, a]));
const ANSWER_BY_NAME = new Map<string, SwitchAnswer>(SWITCH_ANSWERS.map((a) => [a.name, a]));

export function switchAnswer(code: number): SwitchAnswer | undefined {
  return ANSWER_BY_CODE.get(code);
}

export function answerCode(name: SwitchAnswerName): number {
  return ANSWER_BY_NAME.get(name)!.code;
}

/**
 * The scanner's outcome for a switch answer. An unknown code is 'retry': the switch answered
 * something we cannot interpret, so re-sending (recognised by busisn) is safer than giving up;
 * after the scanner's retry limit it fails with this text.
 */
export function answerOutcome(code: number, text: string): DeliveryOutcome {
  const a = ANSWER_BY_CODE.get(code);
  const answer = `${code} ${text || a?.zh || ''}`.trimEnd();
  if (!a) return { kind: 'retry', reason: `unknown switch answer code: ${answer}` };
  if (a.outcome === 'executed') return { kind: 'executed', answer };
  if (a.outcome === 'failed') return { kind: 'failed', answer };
  return { kind: 'retry', reason: `switch answered ${answer}` };
}

// ---------------------------------------------------------------------------------------------
// File formats.

/** A command or result file name: PT.<busisn>, busisn decimal (USR_BUSI_RECORD.BUSISN, 19 digits at most). */
export const PT_NAME = /^PT\.(\d{1,19})$/;
/** Lines of one command: the scanner renders at most a few; the limit keeps a bad template from writing megabytes. */
export const MAX_COMMAND_LINES = 64;
/** Bytes of one GBK line (SWITCH_INS_MODEL.TEMPLATE is 400 characters before substitution). */
export const MAX_LINE_BYTES = 4096;

export function ptName(busisn: bigint): string {
  return `PT.${busisn}`;
}

/**
 * The GBK bytes of each command line, or the reason the command cannot be sent at all
 * (re-sending would not help: the scanner records it as failed).
 */
export function encodeCommandLines(lines: readonly string[]): Buffer[] | string {
  if (lines.length === 0) return 'no command lines (empty template?)';
  if (lines.length > MAX_COMMAND_LINES) return `${lines.length} command lines, more than ${MAX_COMMAND_LINES}`;
  const out: Buffer[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (/[\r\n]/.test(l)) return `command line ${i + 1} contains a line break`;
    if (l.trim() === '') return `command line ${i + 1} is blank`;
    const b = gbkEncodeStrict(l);
    if (!b) return `command line ${i + 1} has a character GBK cannot encode`;
    if (b.length > MAX_LINE_BYTES) return `command line ${i + 1} is ${b.length} bytes, more than ${MAX_LINE_BYTES}`;
    out.push(b);
  }
  return out;
}

/** The command file's bytes: each line GBK, ended by LF. */
export function encodeCommandFile(lines: readonly string[]): Buffer | string {
  const enc = encodeCommandLines(lines);
  if (typeof enc === 'string') return enc;
  const lf = Buffer.from('\n');
  return Buffer.concat(enc.flatMap((b) => [b, lf]));
}

/** The lines of a command file (as the switch reads it); CR before LF is tolerated. */
export function decodeCommandFile(buf: Buffer): string[] {
  return lenientGbk(buf)
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.trim() !== '');
}

/** A result file's bytes: "<code> <text>" LF, GBK. */
export function encodeResultFile(code: number, text: string): Buffer {
  return Buffer.concat([gbkEncodeStrict(`${code} ${text}`.replace(/[\r\n]/g, ' ')) ?? Buffer.from(`${code}`), Buffer.from('\n')]);
}

export type ResultFile = { code: number; text: string } | { incomplete: true } | { malformed: string };

/**
 * The first line of a result file. Until that line's LF is there the switch is still writing
 * (a switch that does not rename its files into place is tolerated this way).
 */
export function decodeResultFile(buf: Buffer): ResultFile {
  const lf = buf.indexOf(0x0a);
  if (lf < 0) return { incomplete: true };
  const line = lenientGbk(buf.subarray(0, lf)).replace(/\r$/, '');
  const m = /^(\d{1,4})(?: (.*))?$/.exec(line);
  if (!m) return { malformed: `result line is not "<code> <text>": ${JSON.stringify(line.slice(0, 80))}` };
  return { code: Number(m[1]), text: (m[2] ?? '').trim() };
}

/** GBK text, or the bytes as latin1 when they are not valid GBK (a switch's answer is shown, not refused). */
export function lenientGbk(buf: Buffer): string {
  try {
    return gbkDecode(buf);
  } catch {
    return buf.toString('latin1');
  }
}

/**
 * Write `data` as `dir/name` so that a reader never sees a partial file: a temporary name in the
 * same directory (a leading dot, never matching PT_NAME), fsync, rename, fsync the directory
 * (so the rename survives a crash). The temporary file is removed when anything fails.
 * `durable = false` skips both fsyncs (still atomic for readers; the simulator's results).
 */
export async function writeFileAtomic(dir: string, name: string, data: Buffer, durable = true): Promise<void> {
  const tmp = join(dir, `.${name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let created = false;
  try {
    const fh = await open(tmp, 'wx', 0o644);
    created = true;
    try {
      await fh.writeFile(data);
      if (durable) await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, join(dir, name));
    created = false;
  } finally {
    if (created) await unlink(tmp).catch(() => undefined);
  }
  if (durable) await fsyncDir(dir);
}

async function fsyncDir(dir: string): Promise<void> {
  const dh = await open(dir, 'r');
  try {
    await dh.sync();
  } catch (err) {
    // Some filesystems cannot fsync a directory; the rename is then as durable as they make it.
    if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw err;
  } finally {
    await dh.close();
  }
}

/**
 * A scanner may pass one shutdown signal to every command in flight; each waiting delivery adds
 * an abort listener, which is not a leak, so Node's "possible EventTarget memory leak" warning
 * (at 10 listeners) is switched off for that signal.
 */
export function allowManyListeners(signal: AbortSignal): void {
  setMaxListeners(0, signal);
}

// ---------------------------------------------------------------------------------------------
// The delivery.

/** Where consumed result files go (inside the result directory), so that they are never read twice. */
export const RESULT_ARCHIVE = 'done';
/** ready() looks at the directories at most this often. */
const READY_CHECK_MS = 1000;
/** ready() is false this long after a command file could not be written; then the next command tries again. */
export const WRITE_FAILURE_HOLD_MS = 5000;

export class FileDelivery implements Delivery {
  readonly switchName: string;
  private readonly opts: FileDeliveryOptions;
  private readonly log: Logger;
  private readyCache = { at: -Infinity, ok: false };
  /** When the last command file could not be written (0: the last write worked). */
  private writeFailedAt = 0;
  /** Deliveries waiting for their result file, by name (several only when a busisn overlaps itself). */
  private readonly listWaiters = new Map<string, Set<() => void>>();
  private listTimer: NodeJS.Timeout | undefined;
  private listError = '';
  private closed = false;

  constructor(opts: FileDeliveryOptions) {
    if (!(opts.resultTimeoutMs > 0)) throw new Error(`switch ${opts.switchName}: result timeout must be > 0 ms`);
    if (!(opts.pollMs > 0)) throw new Error(`switch ${opts.switchName}: result poll interval must be > 0 ms`);
    // The same directory would read each command file back as its own (malformed) result.
    if (resolve(opts.commandDir) === resolve(opts.resultDir)) throw new Error(`switch ${opts.switchName}: the command and result directories must differ (both ${opts.commandDir})`);
    this.opts = opts;
    this.switchName = opts.switchName;
    this.log = opts.log.child({ switch: opts.switchName, kind: 'file' });
  }

  ready(): boolean {
    if (this.closed) return false;
    const now = Date.now();
    if (now - this.readyCache.at >= READY_CHECK_MS) {
      this.readyCache = { at: now, ok: writableDir(this.opts.commandDir) && writableDir(this.opts.resultDir) };
    }
    // A failed write (ENOSPC shows in no stat) makes it not ready for a while, not for good: the
    // scanner delivers nothing to a switch that is not ready, so only time can clear it.
    return this.readyCache.ok && now - this.writeFailedAt >= WRITE_FAILURE_HOLD_MS;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const set of [...this.listWaiters.values()]) for (const w of [...set]) w();
  }

  async deliver(cmd: SwitchCommand, signal: AbortSignal): Promise<DeliveryOutcome> {
    allowManyListeners(signal);
    try {
      return await this.deliverOnce(cmd, signal);
    } catch (err) {
      // Not expected (every fs call is handled); the contract says never reject.
      this.log.warn({ busisn: String(cmd.busisn), err: describe(err) }, 'OC-01: delivery error');
      return { kind: 'retry', reason: `file delivery error: ${describe(err)}` };
    }
  }

  private async deliverOnce(cmd: SwitchCommand, signal: AbortSignal): Promise<DeliveryOutcome> {
    const { commandDir, resultDir, resultTimeoutMs } = this.opts;
    if (this.closed) return { kind: 'retry', reason: `delivery to switch ${this.switchName} is closed` };
    // Stopping already: write nothing (a PT file written now would reach the switch while the
    // record goes back to status 5 uncounted).
    if (signal.aborted) return { kind: 'retry', reason: 'stopped before the command file was written' };
    if (cmd.busisn < 0n || cmd.busisn > 9_999_999_999_999_999_999n) return { kind: 'failed', answer: `busisn ${cmd.busisn} cannot name a PT file` };
    const data = encodeCommandFile(cmd.lines);
    if (typeof data === 'string') return { kind: 'failed', answer: data };
    const name = ptName(cmd.busisn);
    const busisn = String(cmd.busisn);

    // A result left by an earlier attempt (it came after that attempt's timeout) answers this busisn.
    let early: DeliveryOutcome | undefined;
    try {
      early = await this.takeResult(name);
    } catch (err) {
      // A result that could not be read back would be lost: do not send.
      const reason = `cannot read ${join(resultDir, name)}: ${describe(err)}`;
      this.log.warn({ busisn, dir: resultDir, err: (err as NodeJS.ErrnoException).code ?? describe(err) }, `OC-01: ${reason}`);
      return { kind: 'retry', reason };
    }
    if (early && early.kind !== 'retry') {
      this.log.info({ busisn, attempt: cmd.attempt }, 'OC-01: result of an earlier attempt found; not re-sent');
      return early;
    }

    try {
      await writeFileAtomic(commandDir, name, data);
      this.writeFailedAt = 0;
    } catch (err) {
      this.writeFailedAt = Date.now();
      this.readyCache.at = -Infinity;
      const reason = `cannot write ${join(commandDir, name)}: ${describe(err)}`;
      this.log.warn({ busisn, dir: commandDir, err: (err as NodeJS.ErrnoException).code ?? describe(err) }, `OC-01: ${reason}`);
      return { kind: 'retry', reason };
    }

    const deadline = Date.now() + resultTimeoutMs;
    let readError = '';
    for (;;) {
      if (signal.aborted) return { kind: 'retry', reason: `aborted while waiting for ${join(resultDir, name)}` };
      if (this.closed) return { kind: 'retry', reason: `delivery closed while waiting for ${join(resultDir, name)} (outcome unknown)` };
      try {
        const r = await this.takeResult(name);
        if (r) return r;
        readError = '';
      } catch (err) {
        readError = describe(err);
      }
      const left = deadline - Date.now();
      if (left <= 0) break;
      // Woken when a listing of the result directory shows the name (or at the deadline).
      await this.untilListed(name, left, signal);
    }
    readError ||= this.listError;

    // No answer: take the command back if the switch has not picked it up yet, so a command the
    // scanner may give up on cannot execute later unseen. Either way the outcome is unknown.
    let picked = 'the switch picked it up';
    try {
      await unlink(join(commandDir, name));
      picked = 'not picked up by the switch, withdrawn';
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') picked = `could not withdraw it: ${describe(err)}`;
    }
    const reason = `no result ${join(resultDir, name)} within ${resultTimeoutMs} ms (${picked})${readError ? `; last read error ${readError}` : ''}`;
    this.log.warn({ busisn, attempt: cmd.attempt }, `OC-01: ${reason}`);
    return { kind: 'retry', reason };
  }

  /**
   * Resolves when a listing of the result directory shows `name`, after `ms`, or on abort. One
   * readdir every pollMs serves every command waiting, instead of a read per command per poll
   * (which, with many in flight, kept libuv's four threads busy with misses).
   */
  private untilListed(name: string, ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((res) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        const set = this.listWaiters.get(name);
        set?.delete(done);
        if (set?.size === 0) this.listWaiters.delete(name);
        res();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      let set = this.listWaiters.get(name);
      if (!set) this.listWaiters.set(name, (set = new Set()));
      set.add(done);
      this.scheduleListing();
    });
  }

  private scheduleListing(): void {
    if (this.listTimer || this.listWaiters.size === 0) return;
    this.listTimer = setTimeout(() => void this.listOnce(), this.opts.pollMs);
  }

  private async listOnce(): Promise<void> {
    try {
      const names = await readdir(this.opts.resultDir);
      this.listError = '';
      for (const n of names) {
        const set = this.listWaiters.get(n);
        if (set) for (const w of [...set]) w();
      }
    } catch (err) {
      this.listError = describe(err);
    } finally {
      this.listTimer = undefined;
      this.scheduleListing();
    }
  }

  /**
   * Read and archive the result file of `name`, if one is complete. Throws on read errors other
   * than "not there yet"; an unreadable (malformed) result is archived and counts as 'retry'.
   */
  private async takeResult(name: string): Promise<DeliveryOutcome | undefined> {
    const path = join(this.opts.resultDir, name);
    let buf: Buffer;
    try {
      buf = await readFile(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return undefined;
      throw err;
    }
    const r = decodeResultFile(buf);
    if ('incomplete' in r) return undefined;
    await this.archive(path, name);
    if ('malformed' in r) {
      this.log.warn({ file: path }, `OC-01: ${r.malformed}`);
      return { kind: 'retry', reason: `${path}: ${r.malformed}` };
    }
    return answerOutcome(r.code, r.text);
  }

  private async archive(path: string, name: string): Promise<void> {
    const dir = join(this.opts.resultDir, RESULT_ARCHIVE);
    try {
      await ensureDir(dir);
      await rename(path, join(dir, `${name}.${Date.now()}`));
      return;
    } catch (err) {
      this.log.warn({ file: path, err: describe(err) }, 'OC-01: cannot archive the result file; removing it');
    }
    await unlink(path).catch((err: unknown) => {
      this.log.warn({ file: path, err: describe(err) }, 'OC-01: cannot remove the result file; it will be read again');
    });
  }
}

function writableDir(dir: string): boolean {
  try {
    if (!statSync(dir).isDirectory()) return false;
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

export function createFileDelivery(opts: FileDeliveryOptions): Delivery {
  return new FileDelivery(opts);
}
