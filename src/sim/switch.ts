// A switch simulator for both legacy online-command interfaces (OC-01 file, OC-02 socket), for
// tests, benchmarks, the `npm start` demo and `bssgate sim switch`. It speaks exactly the formats
// of docs/switch-interfaces.md and remembers which busisns it executed, so a re-send is answered
// 1 ALREADY_EXECUTED without executing twice.
//
// Programmatic API (stable; used in-process by the scanner's demo and tests):
//
//   import { startSwitchSim } from './sim/switch.js';
//   const sim = await startSwitchSim({ kind: 'socket', host: '127.0.0.1', port: 0, user, password, idleMs? });
//   const sim = await startSwitchSim({ kind: 'file', commandDir, resultDir, pollMs? });   // creates both dirs
//     common options: name, log (pino; default silent), seed, journal, maxRecords, and any SimBehaviour
//     field below; user/password default to SIM_DEFAULT_USER / SIM_DEFAULT_PASSWORD ('bssgate')
//   sim.kind / sim.name; sim.host / sim.port (socket: the bound port, also for port 0)
//   sim.records            every arrival, in order (SimRecord: busisn, attempt, resend, executed, code,
//                          answer, reply, lines …); the newest maxRecords (200,000) of them
//   sim.timesExecuted(b)   real executions of busisn b (1 at most while re-sends are recognised)
//   sim.executedBusisns()  every busisn executed, in execution order
//   sim.received           commands received (re-sends included)
//   sim.configure({...})   change the behaviour at run time (any SimBehaviour field); sim.settings reads it
//   sim.waitFor(pred, ms)  resolves when pred(sim) holds (checked at every arrival), rejects after ms
//   sim.on('record', (r: SimRecord) => …)
//   socket only: sim.connections() (open now), sim.accepted (ever, also an 'connection' event),
//                sim.logins, sim.disconnectAll(), sim.refuseConnections(bool)
//   await sim.close()
//
// Behaviour (SimBehaviour, all optional; default: every command executed and answered at once):
//   failRate, failCode     fraction 0–1 of first arrivals answered failCode (default 101 BUSY, retryable)
//   failBusisns            Map busisn → { code, times? }: answered `code` (not executed) the first
//                          `times` arrivals (every arrival when times is absent)
//   delayMinMs/delayMaxMs  answer delay, uniform in [min, max]
//   dropAckRate            fraction of arrivals handled (executed, recorded) but never answered
//   disconnectEvery        socket: close the connection at every N-th command received (after
//                          recording it; answers still pending on that connection are lost)
//   disconnectRate         socket: the same at random, per command
//   answerPings            socket: false = stop answering PING (a hung switch)
//   seed                   seeds every random decision (same seed, same arrivals → same answers)
//   journal                file path: one JSON line per arrival (below), appended synchronously before
//                          the answer; an existing journal is read at start, so a restarted simulator
//                          still recognises the busisns it executed
//
// Journal line: {"time","switch","kind","seq","busisn","attempt","resend","executed","code","answer","reply","lines"}
//   attempt   socket: the CMD's attempt field; file: the n-th arrival of PT.<busisn> here
//   resend    the busisn had already been executed: answered 1, not executed again
//   executed  this arrival executed the command (true at most once per busisn)
//   reply     'answered' | 'dropped' (no answer sent) | 'disconnect' (connection closed instead)
import { mulberry32 as rng } from '../random.js';
import type { Command } from 'commander';
import { EventEmitter } from 'node:events';
import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import { readdir, readFile, unlink } from 'node:fs/promises';
import { ensureDir } from '../dirs.js';
import net from 'node:net';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import {
  answerCode,
  decodeCommandFile,
  encodeResultFile,
  lenientGbk,
  PT_NAME,
  ptName,
  switchAnswer,
  writeFileAtomic,
} from '../scanner/file-delivery.js';
import {
  encodeAck,
  encodeErr,
  encodeLoginAnswer,
  encodePong,
  LineSplitter,
  parseClientLine,
  SOCKET_CODES,
} from '../scanner/socket-delivery.js';

export interface SimFailure {
  code: number;
  /** Only the first `times` arrivals of the busisn fail; absent = every arrival. */
  times?: number;
}

export interface SimBehaviour {
  failRate: number;
  failCode: number;
  failBusisns: ReadonlyMap<bigint, SimFailure>;
  delayMinMs: number;
  delayMaxMs: number;
  dropAckRate: number;
  disconnectEvery: number;
  disconnectRate: number;
  answerPings: boolean;
}

interface SimCommon extends Partial<SimBehaviour> {
  /** Shown in the journal and logs (default 'sim-file' / 'sim-socket'). */
  name?: string;
  seed?: number;
  journal?: string;
  log?: Logger;
  /** Records kept in memory (the oldest dropped beyond it, in chunks; counts stay exact). Default 200,000. */
  maxRecords?: number;
}

export interface FileSimOptions extends SimCommon {
  kind: 'file';
  commandDir: string;
  resultDir: string;
  /** How often the command directory is read (default 10 ms). */
  pollMs?: number;
}

export interface SocketSimOptions extends SimCommon {
  kind: 'socket';
  host?: string;
  /** 0 (default) = an ephemeral port; read sim.port. */
  port?: number;
  user?: string;
  password?: string;
  /** Close a connection silent for this long (0 = never, the default). */
  idleMs?: number;
}

export type SimOptions = FileSimOptions | SocketSimOptions;

export type SimReply = 'answered' | 'dropped' | 'disconnect';

export interface SimRecord {
  seq: number;
  time: string;
  kind: 'file' | 'socket';
  busisn: bigint;
  attempt: number;
  resend: boolean;
  executed: boolean;
  code: number;
  answer: string;
  reply: SimReply;
  lines: string[];
}

export const SIM_DEFAULT_USER = 'bssgate';
export const SIM_DEFAULT_PASSWORD = 'bssgate';

const DEFAULT_BEHAVIOUR: SimBehaviour = {
  failRate: 0,
  failCode: 101,
  failBusisns: new Map(),
  delayMinMs: 0,
  delayMaxMs: 0,
  dropAckRate: 0,
  disconnectEvery: 0,
  disconnectRate: 0,
  answerPings: true,
};


function checkBehaviour(b: SimBehaviour): void {
  for (const k of ['failRate', 'dropAckRate', 'disconnectRate'] as const) {
    if (!(b[k] >= 0 && b[k] <= 1)) throw new Error(`switch simulator: ${k} must be between 0 and 1, got ${b[k]}`);
  }
  for (const k of ['delayMinMs', 'delayMaxMs', 'disconnectEvery', 'failCode'] as const) {
    if (!(Number.isInteger(b[k]) && b[k] >= 0)) throw new Error(`switch simulator: ${k} must be a whole number ≥ 0, got ${b[k]}`);
  }
  if (b.delayMaxMs < b.delayMinMs) throw new Error('switch simulator: delayMaxMs must be ≥ delayMinMs');
}

/** What the simulator decided for one arrival; `answer` is sent after `delayMs` unless reply says otherwise. */
interface Decision {
  record: SimRecord;
  delayMs: number;
}

export class SwitchSim extends EventEmitter {
  readonly kind: 'file' | 'socket';
  readonly name: string;
  host = '';
  port = 0;
  logins = 0;
  received = 0;
  readonly records: SimRecord[] = [];
  private behaviour: SimBehaviour;
  private readonly random: () => number;
  private readonly executedOrder: bigint[] = [];
  private readonly executedSet = new Set<bigint>();
  private readonly execCount = new Map<bigint, number>();
  private readonly arrivals = new Map<bigint, number>();
  private readonly maxRecords: number;
  private journalFd: number | undefined;
  protected readonly log: Logger;
  protected closed = false;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(opts: SimOptions) {
    super();
    this.kind = opts.kind;
    this.name = opts.name ?? `sim-${opts.kind}`;
    this.log = (opts.log ?? pino({ level: 'silent' })).child({ sim: this.name });
    this.behaviour = { ...DEFAULT_BEHAVIOUR };
    for (const [k, v] of Object.entries(opts)) if (k in DEFAULT_BEHAVIOUR && v !== undefined) (this.behaviour as unknown as Record<string, unknown>)[k] = v;
    checkBehaviour(this.behaviour);
    this.random = rng(opts.seed ?? 1);
    this.maxRecords = opts.maxRecords ?? 200_000;
    if (opts.journal) this.openJournal(opts.journal);
  }

  configure(b: Partial<SimBehaviour>): void {
    const next = { ...this.behaviour, ...Object.fromEntries(Object.entries(b).filter(([, v]) => v !== undefined)) } as SimBehaviour;
    checkBehaviour(next);
    this.behaviour = next;
  }

  get settings(): Readonly<SimBehaviour> {
    return this.behaviour;
  }

  timesExecuted(busisn: bigint): number {
    return this.execCount.get(busisn) ?? 0;
  }

  executedBusisns(): readonly bigint[] {
    return this.executedOrder;
  }

  waitFor(pred: (sim: this) => boolean, timeoutMs: number): Promise<void> {
    if (pred(this)) return Promise.resolve();
    return new Promise((res, rej) => {
      const check = () => {
        if (!pred(this)) return;
        cleanup();
        res();
      };
      const timer = setTimeout(() => {
        cleanup();
        rej(new Error(`switch simulator: condition not met within ${timeoutMs} ms (${this.received} commands received)`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.off('record', check);
      };
      this.on('record', check);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (this.journalFd !== undefined) {
      closeSync(this.journalFd);
      this.journalFd = undefined;
    }
  }

  private openJournal(path: string): void {
    if (existsSync(path)) {
      for (const l of readFileSync(path, 'utf8').split('\n')) {
        if (!l.trim()) continue;
        try {
          const j = JSON.parse(l) as { busisn?: string; executed?: boolean };
          if (j.executed && j.busisn && /^\d+$/.test(j.busisn)) this.markExecuted(BigInt(j.busisn));
        } catch {
          // A torn last line (the simulator was killed mid-write) carries no execution.
        }
      }
    }
    this.journalFd = openSync(path, 'a');
  }

  private markExecuted(b: bigint): void {
    if (!this.executedSet.has(b)) this.executedOrder.push(b);
    this.executedSet.add(b);
    this.execCount.set(b, (this.execCount.get(b) ?? 0) + 1);
  }

  /** One command arrived: decide, execute, record (journal first), and say how to answer. */
  protected arrive(busisn: bigint, sentAttempt: number | undefined, lines: string[]): Decision {
    const b = this.behaviour;
    const n = (this.arrivals.get(busisn) ?? 0) + 1;
    this.arrivals.set(busisn, n);
    this.received++;
    let code: number;
    let executed = false;
    const resend = this.executedSet.has(busisn);
    const forced = b.failBusisns.get(busisn);
    if (resend) code = answerCode('ALREADY_EXECUTED');
    else if (forced && (forced.times === undefined || n <= forced.times)) code = forced.code;
    else if (b.failRate > 0 && this.random() < b.failRate) code = b.failCode;
    else code = answerCode('EXECUTED');
    if (!resend && switchAnswer(code)?.outcome === 'executed') {
      executed = true;
      this.markExecuted(busisn);
    }
    let reply: SimReply = 'answered';
    if (b.dropAckRate > 0 && this.random() < b.dropAckRate) reply = 'dropped';
    if (this.kind === 'socket') {
      if (b.disconnectEvery > 0 && this.received % b.disconnectEvery === 0) reply = 'disconnect';
      else if (b.disconnectRate > 0 && this.random() < b.disconnectRate) reply = 'disconnect';
    }
    const delayMs = b.delayMaxMs > b.delayMinMs ? b.delayMinMs + Math.floor(this.random() * (b.delayMaxMs - b.delayMinMs + 1)) : b.delayMinMs;
    const record: SimRecord = {
      seq: this.received,
      time: new Date().toISOString(),
      kind: this.kind,
      busisn,
      attempt: sentAttempt ?? n,
      resend,
      executed,
      code,
      answer: switchAnswer(code)?.zh ?? `code ${code}`,
      reply,
      lines,
    };
    if (this.journalFd !== undefined) {
      writeSync(
        this.journalFd,
        JSON.stringify({ ...record, switch: this.name, busisn: String(busisn) }, ['time', 'switch', 'kind', 'seq', 'busisn', 'attempt', 'resend', 'executed', 'code', 'answer', 'reply', 'lines']) + '\n',
      );
    }
    this.records.push(record);
    // Trimmed in chunks of a tenth: a splice per arrival would move the whole array each time.
    if (this.records.length > this.maxRecords + Math.ceil(this.maxRecords / 10)) this.records.splice(0, this.records.length - this.maxRecords);
    this.log.debug({ busisn: String(busisn), attempt: record.attempt, code, resend, reply }, 'command');
    this.emit('record', record);
    return { record, delayMs };
  }

  /** Run `fn` after `ms` (at once when 0), unless the simulator closes first. */
  protected later(ms: number, fn: () => void): void {
    if (ms <= 0) return void fn();
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.closed) fn();
    }, ms);
    this.timers.add(t);
  }
}

// ---------------------------------------------------------------------------------------------
// OC-01: reads PT.<busisn> from the command directory (removing it), writes PT.<busisn> results.

export class FileSwitchSim extends SwitchSim {
  readonly commandDir: string;
  readonly resultDir: string;
  private readonly pollMs: number;
  private poller: NodeJS.Timeout | undefined;
  private scanning = false;
  private idle: Promise<void> = Promise.resolve();
  private lastScanError = '';

  constructor(opts: FileSimOptions) {
    super(opts);
    this.commandDir = opts.commandDir;
    this.resultDir = opts.resultDir;
    this.pollMs = opts.pollMs ?? 10;
  }

  async start(): Promise<this> {
    await ensureDir(this.commandDir);
    await ensureDir(this.resultDir);
    this.poller = setInterval(() => {
      if (!this.scanning) this.idle = this.scan();
    }, this.pollMs);
    return this;
  }

  override async close(): Promise<void> {
    clearInterval(this.poller);
    this.closed = true;
    await this.idle;
    await super.close();
  }

  private async scan(): Promise<void> {
    this.scanning = true;
    try {
      let names: string[];
      try {
        names = await readdir(this.commandDir);
        this.lastScanError = '';
      } catch (err) {
        const msg = (err as Error).message;
        if (msg !== this.lastScanError) this.log.warn(`cannot read the command directory: ${msg}`);
        this.lastScanError = msg;
        return;
      }
      const found = names
        .map((n) => PT_NAME.exec(n))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => BigInt(m[1]))
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      for (const busisn of found) {
        if (this.closed) return;
        const path = join(this.commandDir, ptName(busisn));
        let buf: Buffer;
        try {
          buf = await readFile(path);
          await unlink(path);
        } catch (err) {
          // Withdrawn by the scanner between readdir and here: it never reached the switch.
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
          this.log.warn(`cannot take ${path}: ${(err as Error).message}`);
          continue;
        }
        const { record, delayMs } = this.arrive(busisn, undefined, decodeCommandFile(buf));
        if (record.reply !== 'answered') continue;
        this.later(delayMs, () => {
          // Atomic for the reader; not fsynced: a simulator needs no crash safety, and fsync dominates its cost.
          writeFileAtomic(this.resultDir, ptName(busisn), encodeResultFile(record.code, record.answer), false).catch((err: unknown) =>
            this.log.warn(`cannot write the result of ${busisn}: ${(err as Error).message}`),
          );
        });
      }
    } finally {
      this.scanning = false;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// OC-02: the line protocol of src/scanner/socket-delivery.ts.

export class SocketSwitchSim extends SwitchSim {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private readonly user: string;
  private readonly password: string;
  private readonly idleMs: number;
  private readonly wantHost: string;
  private readonly wantPort: number;
  private refusing = false;
  /** TCP connections accepted (refused ones included); each also emits 'connection'. */
  accepted = 0;

  constructor(opts: SocketSimOptions) {
    super(opts);
    this.user = opts.user ?? SIM_DEFAULT_USER;
    this.password = opts.password ?? SIM_DEFAULT_PASSWORD;
    this.idleMs = opts.idleMs ?? 0;
    this.wantHost = opts.host ?? '127.0.0.1';
    this.wantPort = opts.port ?? 0;
    this.server = net.createServer((s) => this.accept(s));
  }

  start(): Promise<this> {
    return new Promise((res, rej) => {
      this.server.once('error', rej);
      this.server.listen(this.wantPort, this.wantHost, () => {
        this.server.off('error', rej);
        const a = this.server.address() as net.AddressInfo;
        this.host = a.address;
        this.port = a.port;
        res(this);
      });
    });
  }

  connections(): number {
    return this.sockets.size;
  }

  /** Close every connection now (as a switch restart would). */
  disconnectAll(): void {
    for (const s of this.sockets) s.destroy();
  }

  /** While true, new connections are closed as soon as they are accepted (before any login). */
  refuseConnections(on: boolean): void {
    this.refusing = on;
  }

  override async close(): Promise<void> {
    this.closed = true;
    this.disconnectAll();
    await new Promise<void>((res) => this.server.close(() => res()));
    await super.close();
  }

  private accept(socket: net.Socket): void {
    this.accepted++;
    this.emit('connection');
    if (this.refusing || this.closed) return void socket.destroy();
    this.sockets.add(socket);
    socket.setNoDelay(true);
    if (this.idleMs > 0) socket.setTimeout(this.idleMs, () => socket.destroy());
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    const splitter = new LineSplitter();
    let loggedIn = false;
    // A CMD header waiting for its command lines.
    let pending: { busisn: bigint; attempt: number; count: number; lines: string[] } | undefined;
    const send = (b: Buffer) => {
      if (!socket.destroyed) socket.write(b);
    };
    const refuse = (code: number, text: string) => {
      socket.end(encodeErr(code, text));
    };
    socket.on('data', (chunk: Buffer) => {
      let raw: Buffer[];
      try {
        raw = splitter.push(chunk);
      } catch (err) {
        return refuse(SOCKET_CODES.MALFORMED.code, (err as Error).message);
      }
      for (const b of raw) {
        if (socket.destroyed || socket.writableEnded) return;
        const text = lenientGbk(b);
        if (pending) {
          pending.lines.push(text);
          if (pending.lines.length < pending.count) continue;
          const p = pending;
          pending = undefined;
          const { record, delayMs } = this.arrive(p.busisn, p.attempt, p.lines);
          if (record.reply === 'disconnect') return void socket.destroy();
          if (record.reply === 'dropped') continue;
          this.later(delayMs, () => send(encodeAck(p.busisn, p.attempt, record.code, record.answer)));
          continue;
        }
        const m = parseClientLine(text);
        if ('error' in m) return refuse(SOCKET_CODES.MALFORMED.code, m.error);
        if (m.verb === 'LOGIN') {
          if (m.user === this.user && m.password === this.password) {
            loggedIn = true;
            this.logins++;
            send(encodeLoginAnswer(SOCKET_CODES.LOGGED_IN.code, SOCKET_CODES.LOGGED_IN.zh));
          } else {
            this.log.warn({ user: m.user }, 'login refused');
            socket.end(encodeLoginAnswer(SOCKET_CODES.LOGIN_REFUSED.code, SOCKET_CODES.LOGIN_REFUSED.zh));
            return;
          }
        } else if (!loggedIn) {
          return refuse(SOCKET_CODES.NOT_LOGGED_IN.code, SOCKET_CODES.NOT_LOGGED_IN.zh);
        } else if (m.verb === 'PING') {
          if (this.settings.answerPings) send(encodePong(m.token));
        } else if (m.verb === 'CMD') {
          pending = { busisn: m.busisn, attempt: m.attempt, count: m.count, lines: [] };
        } else if (m.verb === 'LOGOUT') {
          return void socket.end();
        }
      }
    });
  }
}

/** Start a simulator of either kind; see the API at the top of this file. */
export async function startSwitchSim(opts: FileSimOptions): Promise<FileSwitchSim>;
export async function startSwitchSim(opts: SocketSimOptions): Promise<SocketSwitchSim>;
export async function startSwitchSim(opts: SimOptions): Promise<FileSwitchSim | SocketSwitchSim>;
export async function startSwitchSim(opts: SimOptions): Promise<FileSwitchSim | SocketSwitchSim> {
  return opts.kind === 'file' ? new FileSwitchSim(opts).start() : new SocketSwitchSim(opts).start();
}

// ---------------------------------------------------------------------------------------------
// `bssgate sim switch --file DIR | --port N [options]` (registered by src/cli.ts).

export interface SimCliOptions {
  file?: string;
  resultDir?: string;
  port?: string;
  host: string;
  user: string;
  password?: string;
  idleMs?: string;
  pollMs?: string;
  failRate?: string;
  failCode?: string;
  fail: string[];
  delay?: string;
  dropAckRate?: string;
  disconnectEvery?: string;
  disconnectRate?: string;
  seed?: string;
  journal?: string;
  verbose?: boolean;
}

function cliNumber(opt: string, v: string | undefined, min: number, max: number, integer: boolean): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new Error(`--${opt}: "${v}" is not ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}`);
  }
  return n;
}

/** `--fail 1234=201` (always) or `--fail 1234=101x2` (the first two arrivals). */
export function parseFailOption(v: string): [bigint, SimFailure] {
  const m = /^(\d{1,19})=(\d{1,4})(?:x(\d{1,6}))?$/.exec(v);
  if (!m) throw new Error(`--fail: "${v}" is not BUSISN=CODE or BUSISN=CODExTIMES (e.g. 1234=201, 1234=101x2)`);
  return [BigInt(m[1]), m[3] === undefined ? { code: Number(m[2]) } : { code: Number(m[2]), times: Number(m[3]) }];
}

/** The simulator options a command line asks for (throws with the option's name on bad input). */
export function simOptionsFromCli(o: SimCliOptions): SimOptions {
  if ((o.file === undefined) === (o.port === undefined)) throw new Error('give either --file DIR (OC-01) or --port N (OC-02)');
  let delayMinMs: number | undefined;
  let delayMaxMs: number | undefined;
  if (o.delay !== undefined) {
    const m = /^(\d{1,7})(?:-(\d{1,7}))?$/.exec(o.delay);
    if (!m) throw new Error(`--delay: "${o.delay}" is not MS or MIN-MAX (milliseconds)`);
    delayMinMs = Number(m[1]);
    delayMaxMs = m[2] === undefined ? delayMinMs : Number(m[2]);
    if (delayMaxMs < delayMinMs) throw new Error(`--delay: ${o.delay}: the maximum is below the minimum`);
  }
  const common: SimCommon = {
    failRate: cliNumber('fail-rate', o.failRate, 0, 1, false),
    failCode: cliNumber('fail-code', o.failCode, 0, 9999, true),
    failBusisns: new Map(o.fail.map(parseFailOption)),
    delayMinMs,
    delayMaxMs,
    dropAckRate: cliNumber('drop-ack-rate', o.dropAckRate, 0, 1, false),
    disconnectEvery: cliNumber('disconnect-every', o.disconnectEvery, 0, 1e9, true),
    disconnectRate: cliNumber('disconnect-rate', o.disconnectRate, 0, 1, false),
    seed: cliNumber('seed', o.seed, 0, 2 ** 32 - 1, true),
    journal: o.journal,
  };
  if (o.file !== undefined) {
    return { kind: 'file', ...common, commandDir: o.file, resultDir: o.resultDir ?? join(o.file, 'result'), pollMs: cliNumber('poll-ms', o.pollMs, 1, 60_000, true) };
  }
  return {
    kind: 'socket',
    ...common,
    host: o.host,
    port: cliNumber('port', o.port, 0, 65535, true),
    user: o.user,
    password: o.password ?? process.env.BSSGATE_SIM_PASSWORD ?? SIM_DEFAULT_PASSWORD,
    idleMs: cliNumber('idle-ms', o.idleMs, 0, 1e9, true),
  };
}

/** Run the simulator until SIGINT/SIGTERM; prints where it serves, and a summary at the end. */
export async function simSwitchCommand(o: SimCliOptions, out: (s: string) => void = (s) => void process.stdout.write(s)): Promise<void> {
  const opts = simOptionsFromCli(o);
  const sim = await startSwitchSim(opts);
  if (o.verbose) {
    sim.on('record', (r: SimRecord) =>
      out(`${r.time} busisn=${r.busisn} attempt=${r.attempt} code=${r.code}${r.resend ? ' re-send' : ''}${r.reply !== 'answered' ? ` ${r.reply}` : ''} ${JSON.stringify(r.lines)}\n`),
    );
  }
  if (sim instanceof SocketSwitchSim) {
    out(`switch simulator (OC-02 socket) listening on ${sim.host}:${sim.port}, user ${opts.kind === 'socket' ? opts.user : ''}\n`);
  } else if (sim instanceof FileSwitchSim) {
    out(`switch simulator (OC-01 file) reading ${sim.commandDir}/PT.<busisn>, results into ${sim.resultDir}\n`);
  }
  if (opts.journal) out(`journal ${opts.journal}\n`);
  out('Stop with Ctrl-C\n');
  await new Promise<void>((res) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      res();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await sim.close();
  const resends = sim.records.filter((r) => r.resend).length;
  out(`stopped: ${sim.received} commands received, ${sim.executedBusisns().length} executed, ${resends} re-sends recognised\n`);
}

/** Adds `sim switch` to the program (beside the other simulators under `sim`). */
export function registerSimSwitch(program: Command): void {
  const sim = program.commands.find((c) => c.name() === 'sim') ?? program.command('sim').description('simulators of the systems bssgate talks to (demo, tests, load)');
  const collect = (v: string, prev: string[]) => [...prev, v];
  sim
    .command('switch')
    .description('a switch for the online-command scanner (OC-01 file interface with --file, OC-02 socket interface with --port): executes what it receives, recognises re-sends, records every command (docs/switch-interfaces.md)')
    .option('--file <dir>', 'OC-01: the command directory to read PT.<busisn> files from')
    .option('--result-dir <dir>', 'OC-01: where result files go (default <dir>/result)')
    .option('--port <n>', 'OC-02: listen on this port (0 = any free one, printed)')
    .option('--host <addr>', 'OC-02: listen address', '127.0.0.1')
    .option('--user <name>', 'OC-02: the login user', SIM_DEFAULT_USER)
    .option('--password <pw>', `OC-02: the login password (default $BSSGATE_SIM_PASSWORD, else "${SIM_DEFAULT_PASSWORD}")`)
    .option('--idle-ms <ms>', 'OC-02: close a connection silent this long (0 = never)')
    .option('--poll-ms <ms>', 'OC-01: how often the command directory is read (default 10)')
    .option('--fail-rate <r>', 'fraction 0–1 of first arrivals answered --fail-code')
    .option('--fail-code <code>', 'the code of --fail-rate failures (default 101 busy, retryable; 201–204 are final)')
    .option('--fail <busisn=code[xN]>', 'answer this busisn with code (the first N arrivals, else always); repeatable', collect, [] as string[])
    .option('--delay <ms|min-max>', 'answer delay in ms, fixed or uniform in min-max')
    .option('--drop-ack-rate <r>', 'fraction 0–1 of commands executed but never answered')
    .option('--disconnect-every <n>', 'OC-02: close the connection at every n-th command (after executing it)')
    .option('--disconnect-rate <r>', 'OC-02: the same at random, per command')
    .option('--seed <n>', 'seed of every random decision (default 1)')
    .option('--journal <file>', 'append one JSON line per command received (read back at start: re-sends stay recognised)')
    .option('--verbose', 'print one line per command received')
    .action(async (opts: SimCliOptions) => {
      await simSwitchCommand(opts);
    });
}
