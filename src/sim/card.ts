// The card-system simulator (`bssgate sim card`, PC-03/PC-04/PC-06/PC-07): payments (303) and
// reversals (304) at a chosen rate over one or more connections, each transaction with a fresh
// serial; whatever got no definite answer is re-sent with the SAME serial and the same bytes
// (every 5 minutes in production, down to milliseconds in tests); a durable ledger of what was
// acknowledged or refused; the day's reconciliation file. As the real card system does, a 9xxx
// answer counts as "nothing was done" (re-sent), a 0 or 2xxx as final.
//
// It speaks the wire itself (not through BssClient) because it must keep each reply's raw bytes:
// every later answer to a serial is checked against the first one, body byte for byte, and its
// header against the attempt it answers (seq, serial, business type).
import { mulberry32 as rng } from '../random.js';
import net from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { ReplyReader } from '../../protocol/reply-reader.js';
import { HEADER_SIZE, KIND_RESPONSE, SEQ_OFFSET, type Header } from '../../protocol/header.js';
import { decodeResponse, encodeRequest } from '../../protocol/message.js';
import { businessByName } from '../../protocol/business-types.js';
import type { BodyRecord, Layout } from '../../protocol/layout-types.js';
import { LAYOUTS_BY_CODE, type BusinessLayouts } from '../../handlers/contracts/index.js';
import { formatDateTimeMs } from '../time.js';
import { systemClock, type Clock } from '../clock.js';
import { parseDuration } from '../config/values.js';
import type { Config, DatabaseConfig } from '../config/types.js';
import type { QueryDef, Store } from '../store/types.js';
import type { Command } from 'commander';
import { configOption } from '../config/cli-options.js';
import pino, { type Logger } from 'pino';
import { KIND_REQUEST, PROTOCOL_VERSION } from '../../protocol/header.js';
import type { FramingProfile } from '../../protocol/framing/profile.js';
import { encodePackets, loadFramingProfile, PacketAssembler, PacketDecoder, PacketError, unpad } from '../../protocol/framing/packet.js';
import { decodeTextBody, encodeTextBody } from '../../protocol/framing/text-body.js';
import { verifyPacket } from '../../protocol/framing/check.js';
import { requestHead, resultOf } from '../text-client.js';
import { clientCheckKey } from '../config/check-keys.js';

export const PAYMENT_BIZ = businessByName('payment')!.code;
export const REVERSAL_BIZ = businessByName('reversal')!.code;

/** PC-06: the card system re-sends an uncertain transaction every 5 minutes. */
export const DEFAULT_RESEND_AFTER_MS = 5 * 60_000;

export type TxKind = 'P' | 'R';
export type TxState = 'pending' | 'acked' | 'refused';

/** One card-system transaction: a payment, or a reversal of an earlier payment. */
export interface CardTx {
  kind: TxKind;
  /** The header serial (流水号), unique per card system; the same on every re-send. */
  serial: string;
  svcnum: string;
  /** Fen; on a reversal, the reversed payment's amount. */
  amount: bigint;
  /** A reversal: the serial of the payment it reverses. */
  orig?: string;
  /** The card system's local time of the transaction, YYYYMMDDHHMMSS (header time of every send). */
  time: string;
  state: TxState;
  /** Final result code (0 acknowledged, else the refusal). */
  code?: number;
}

// ── the ledger ───────────────────────────────────────────────────────────────────────────────

/**
 * The simulator's own durable record, JSON Lines, append-only:
 *   {"ev":"tx","kind":"P","serial":…,"svcnum":…,"amount":"5000","time":"20261201093000"}
 *   {"ev":"tx","kind":"R","serial":…,"orig":…,"svcnum":…,"amount":"5000","time":…}
 *   {"ev":"ack","serial":…}              answered 0
 *   {"ev":"refused","serial":…,"code":2008}
 * A transaction line is durable before the first send and an outcome line before the outcome
 * counts (fsync; concurrent appends share one fsync), so after a crash of the simulator every
 * transaction that may have reached the gateway is in the file, and every one it counted as done.
 * Only the last line can be torn by a crash: it is ignored on load.
 */
export class CardLedger {
  private fd: number | undefined;
  private queued: string[] = [];
  private waiters: { resolve(): void; reject(e: Error): void }[] = [];
  private idle: (() => void)[] = [];
  private flushing = false;
  /** fsyncs done (each covering every line appended before it). */
  syncs = 0;

  private constructor(readonly file: string | undefined) {
    if (file) this.fd = fs.openSync(file, 'a');
  }

  /** A ledger appending to `file` (created when missing), or kept in memory only (no file). */
  static open(file?: string): CardLedger {
    return new CardLedger(file);
  }

  /** Append one event; resolves once it is on disk (at once without a file). */
  append(event: Record<string, unknown>): Promise<void> {
    if (this.fd === undefined) return Promise.resolve();
    this.queued.push(JSON.stringify(event) + '\n');
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      if (!this.flushing) this.flush();
    });
  }

  // One write + fsync for everything queued; appends made meanwhile wait for the next one.
  private flush(): void {
    this.flushing = true;
    const lines = this.queued.join('');
    const waiters = this.waiters;
    this.queued = [];
    this.waiters = [];
    const fd = this.fd!;
    fs.write(fd, lines, (err) => {
      if (err) return this.done(err, waiters);
      fs.fsync(fd, (e) => {
        this.syncs++;
        this.done(e, waiters);
      });
    });
  }

  private done(err: Error | null, waiters: { resolve(): void; reject(e: Error): void }[]): void {
    for (const w of waiters) if (err) w.reject(err); else w.resolve();
    if (this.queued.length > 0) return this.flush();
    this.flushing = false;
    for (const r of this.idle.splice(0)) r();
  }

  /** Wait for every append made so far, then close the file. */
  async close(): Promise<void> {
    if (this.fd === undefined) return;
    if (this.flushing) await new Promise<void>((r) => this.idle.push(r));
    fs.closeSync(this.fd);
    this.fd = undefined;
  }

  /** The transactions of a ledger file with their outcomes, in the order they were recorded. */
  static load(file: string): CardTx[] {
    if (!fs.existsSync(file)) return [];
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    const txs = new Map<string, CardTx>();
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      let ev: Record<string, string | number>;
      try {
        ev = JSON.parse(line);
      } catch {
        // A crash can tear only the line being written: the last one.
        if (lines.slice(i + 1).every((l) => l.trim() === '')) return;
        throw new Error(`${file}:${i + 1}: not a ledger line`);
      }
      const serial = String(ev.serial);
      if (ev.ev === 'tx') {
        txs.set(serial, {
          kind: ev.kind === 'R' ? 'R' : 'P',
          serial,
          svcnum: String(ev.svcnum),
          amount: BigInt(ev.amount),
          orig: ev.orig === undefined ? undefined : String(ev.orig),
          time: String(ev.time),
          state: 'pending',
        });
        return;
      }
      const tx = txs.get(serial);
      if (!tx) throw new Error(`${file}:${i + 1}: outcome for serial ${serial} before its transaction`);
      if (ev.ev === 'ack') {
        tx.state = 'acked';
        tx.code = 0;
      } else if (ev.ev === 'refused') {
        tx.state = 'refused';
        tx.code = Number(ev.code);
      } else throw new Error(`${file}:${i + 1}: unknown event ${String(ev.ev)}`);
    });
    return [...txs.values()];
  }
}

// ── the reconciliation file ──────────────────────────────────────────────────────────────────

/**
 * PC-07: the day's reconciliation file of the card system (docs/reconciliation.md):
 *   H|<client>|<YYYYMMDD>|<detail lines>|<net total fen = payments − reversals>
 *   P|<serial>|<svcnum>|<amount fen>|<YYYYMMDDHHMMSS>
 *   R|<serial>|<original serial>|<svcnum>|<amount fen>|<YYYYMMDDHHMMSS>
 * Only acknowledged transactions of that day (by the transaction's time), in time then serial order.
 */
export function reconciliationText(txs: Iterable<CardTx>, client: string, day: string): string {
  if (!/^\d{8}$/.test(day)) throw new Error(`reconciliation day "${day}" is not YYYYMMDD`);
  if (!client || /[|\r\n]/.test(client)) throw new Error(`client name "${client}" is empty or holds | or a line break`);
  const lines = [...txs]
    .filter((t) => t.state === 'acked' && t.time.startsWith(day))
    .sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.serial < b.serial ? -1 : a.serial > b.serial ? 1 : 0));
  let total = 0n;
  const body = lines.map((t) => {
    if (t.kind === 'P') {
      total += t.amount;
      return `P|${t.serial}|${t.svcnum}|${t.amount}|${t.time}`;
    }
    total -= t.amount;
    return `R|${t.serial}|${t.orig}|${t.svcnum}|${t.amount}|${t.time}`;
  });
  return [`H|${client}|${day}|${lines.length}|${total}`, ...body].join('\n') + '\n';
}

/** Write the file atomically (a half-written file must never be picked up from a drop directory). */
export function writeReconciliationFile(file: string, txs: Iterable<CardTx>, client: string, day: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, reconciliationText(txs, client, day));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

// ── request bodies from the handlers' layouts ────────────────────────────────────────────────

/**
 * The body of a transaction, built from the business type's request layout (handlers/contracts/index.ts)
 * by field role: the service number, the money field (amount), and on a reversal the field naming
 * the original serial. A field the simulator cannot fill is an error at start, not a bad frame.
 */
export function txBody(layout: Layout, tx: Pick<CardTx, 'kind' | 'svcnum' | 'amount' | 'orig'>): BodyRecord {
  const body: BodyRecord = {};
  for (const f of layout) {
    const n = f.name.toLowerCase();
    if (f.type === 'money') body[f.name] = tx.amount;
    else if (n === 'svcnum' || n.includes('number') || n === 'phone') body[f.name] = tx.svcnum;
    else if (tx.kind === 'R' && n.includes('serial')) body[f.name] = tx.orig!;
    else throw new Error(`request field "${f.name}" of ${tx.kind === 'P' ? 'payment (303)' : 'reversal (304)'} is not one the simulator knows how to fill`);
  }
  return body;
}

// ── one connection ───────────────────────────────────────────────────────────────────────────

interface Attempt {
  tx: SimTx;
  seq: number;
  sentAt: number;
  /** A storm duplicate (not a re-send for want of an answer). */
  duplicate: boolean;
  timer?: NodeJS.Timeout;
  conn: SimConnection;
}

/** What a connection over a text profile keeps to read replies and match them to sends. */
interface TextState {
  profile: FramingProfile;
  checkKey: Buffer | undefined;
  decoder: PacketDecoder;
  /** One per serial (serial correlation: packets of replies may interleave), else one under ''. */
  assemblers: Map<string, { asm: PacketAssembler; badCheck: boolean }>;
  /** Sends not answered yet (timed-out ones included: their late answer still comes), in send order. */
  sent: Attempt[];
  seq: number;
}

class SimConnection {
  socket: net.Socket | undefined;
  private readonly reader = new ReplyReader(1 << 20);
  private text: TextState | undefined;
  readonly pending = new Map<number, Attempt>();
  /** Attempts given up on (answer timeout) whose late answer is still checked and used. */
  readonly late = new Map<number, Attempt>();
  open = false;
  connecting = false;
  private backoff = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  closedForGood = false;

  constructor(
    readonly index: number,
    private readonly sim: CardSimulator,
    /** Index of the gateway in `targets` this connection goes to. */
    readonly target: number,
  ) {}

  get outstanding(): number {
    return this.pending.size;
  }

  connect(): void {
    if (this.closedForGood || this.connecting || this.open) return;
    this.connecting = true;
    const s = net.connect(this.sim.targets[this.target]);
    s.setNoDelay(true);
    this.reader.reset();
    const fr = this.sim.opts.framing;
    if (fr) {
      const p = fr.profile;
      // Heartbeat replies are not counted against a limit here (the simulator sends none).
      const decoder = new PacketDecoder(p.heartbeat ? { ...p, heartbeat: { ...p.heartbeat, request: p.heartbeat.reply, maxPerMinute: Number.MAX_SAFE_INTEGER } } : p);
      this.text = { profile: p, checkKey: fr.checkKey, decoder, assemblers: new Map(), sent: [], seq: 0 };
    }
    const giveUp = setTimeout(() => s.destroy(new Error('connect timeout')), 5_000);
    s.once('connect', () => {
      clearTimeout(giveUp);
      this.connecting = false;
      this.open = true;
      this.backoff = 0;
      this.socket = s;
      this.sim.stats.connects++;
      this.sim.pump();
    });
    s.on('data', (chunk: Buffer) => this.onData(chunk));
    s.on('error', () => undefined);
    s.on('close', () => {
      clearTimeout(giveUp);
      const wasOpen = this.open;
      this.open = false;
      this.connecting = false;
      this.socket = undefined;
      if (wasOpen) this.sim.stats.disconnects++;
      // Everything in flight on it is uncertain now: the gateway may or may not have done it.
      const lost = [...this.pending.values()];
      const late = [...this.late.values()];
      this.pending.clear();
      this.late.clear();
      if (this.text) this.text.sent.length = 0;
      for (const a of lost) {
        if (a.timer) clearTimeout(a.timer);
        this.sim.onNoAnswer(a, 'closed');
      }
      // Given up on already (timeout); now their late answer cannot come either.
      for (const a of late) this.sim.onLateLost(a);
      if (!this.closedForGood) {
        this.backoff = Math.min(this.sim.opts.reconnectMaxMs, this.backoff ? this.backoff * 2 : this.sim.opts.reconnectMinMs);
        this.retryTimer = setTimeout(() => this.connect(), this.backoff);
      }
    });
  }

  send(tx: SimTx, duplicate: boolean): void {
    const text = this.text;
    const seq = text ? (text.seq = text.seq >= 0xffffffff ? 1 : text.seq + 1) : this.reader.nextSeq();
    const a: Attempt = { tx, seq, sentAt: this.sim.clock.now(), duplicate, conn: this };
    a.timer = setTimeout(() => {
      if (this.pending.get(seq) !== a) return;
      this.pending.delete(seq);
      this.late.set(seq, a);
      this.sim.onNoAnswer(a, 'timeout');
      this.sim.pump();
    }, this.sim.opts.answerTimeoutMs);
    this.pending.set(seq, a);
    tx.inFlight++;
    if (!duplicate) tx.lastTarget = this.target;
    if (text) {
      text.sent.push(a);
      for (const pkt of tx.packets!) this.socket!.write(pkt);
      return;
    }
    const frame = Buffer.from(tx.frame);
    frame.writeUInt32BE(seq, SEQ_OFFSET);
    this.socket!.write(frame);
  }

  private onData(chunk: Buffer): void {
    if (this.text) return this.onText(this.text, chunk);
    const bad = this.reader.push(chunk, (header, frame) => this.onReply(header, frame));
    if (bad) {
      this.sim.defect(`connection ${this.index}: ${bad.what === 'frame' ? 'bad frame from the gateway' : 'bad header'}: ${bad.message}`);
      this.socket?.destroy();
      return;
    }
    this.sim.pump();
  }

  /** Text replies: reassembled, matched to their send (by serial or in order), read as a v1 header and checked as v1 ones are. */
  private onText(x: TextState, chunk: Buffer): void {
    const p = x.profile;
    try {
      for (const it of x.decoder.push(chunk)) {
        if (it.kind === 'heartbeat') continue;
        const raw = it.packet.raw;
        const serial = p.role.serial ? unpad(p.role.serial, raw[p.role.serial.name]) : '';
        const key = p.correlation === 'serial' ? serial : '';
        let slot = x.assemblers.get(key);
        if (!slot) x.assemblers.set(key, (slot = { asm: new PacketAssembler(p, { maxPackets: 1000, maxBytes: 1 << 24 }), badCheck: false }));
        if (p.check && x.checkKey && !verifyPacket(p, x.checkKey, it.packet.bytes)) slot.badCheck = true;
        const msg = slot.asm.add(it.packet);
        if (!msg) continue;
        x.assemblers.delete(key);
        const error = p.role.error ? raw[p.role.error.name] : '';
        const result = resultOf(p, error, p.role.flag ? raw[p.role.flag.name] : '');
        const i = p.correlation === 'serial' ? x.sent.findIndex((s) => s.tx.serial === serial) : 0;
        const a = i >= 0 ? x.sent[i] : undefined;
        if (!a) {
          // A refusal nobody asked for (9003 too many connections): not a defect; anything else is.
          if (result !== 0 && x.sent.length === 0) this.sim.stats.unsolicited++;
          else this.sim.defect(`connection ${this.index}: a reply with serial ${JSON.stringify(serial)} that no request in flight has`);
          continue;
        }
        x.sent.splice(i, 1);
        if (slot.badCheck) this.sim.defect(`connection ${this.index}: the reply to ${a.tx.serial} carries a check code that does not verify under the simulator's key`);
        const svc = p.role.service ? unpad(p.role.service, raw[p.role.service.name]) : '';
        const biz = p.services.table.get(svc) ?? (/^[0-9]+$/.test(svc) ? Number(svc) : -1);
        const header: Header = {
          version: PROTOCOL_VERSION,
          kind: p.role.flag && raw[p.role.flag.name] === p.role.flag.value ? KIND_REQUEST : KIND_RESPONSE,
          biz,
          seq: a.seq,
          serial: p.role.serial ? serial : a.tx.serial,
          time: p.role.time ? raw[p.role.time.name] : '',
          operator: p.role.operator ? unpad(p.role.operator, raw[p.role.operator.name]) : '',
          result,
          reserved: 0,
        };
        this.onReply(header, msg.body, msg.body);
      }
    } catch (err) {
      if (!(err instanceof PacketError)) throw err;
      this.sim.defect(`connection ${this.index}: bad packet from the gateway: ${err.message}`);
      this.socket?.destroy();
      return;
    }
    this.sim.pump();
  }

  private onReply(header: Header, frame: Buffer, text?: Buffer): void {
    let a = this.pending.get(header.seq);
    if (a) {
      this.pending.delete(header.seq);
      if (a.timer) clearTimeout(a.timer);
    } else {
      a = this.late.get(header.seq);
      if (a) this.late.delete(header.seq);
    }
    if (!a) {
      // seq 0: the gateway speaking unasked (9003 too many connections): not a defect.
      if (header.seq !== 0) this.sim.defect(`connection ${this.index}: answer with seq ${header.seq} that no request in flight has (serial ${header.serial})`);
      else this.sim.stats.unsolicited++;
      return;
    }
    this.sim.onAnswer(a, header, frame, text);
  }

  close(): void {
    this.closedForGood = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    for (const a of this.pending.values()) if (a.timer) clearTimeout(a.timer);
    this.socket?.destroy();
  }
}

// ── the simulator ────────────────────────────────────────────────────────────────────────────

export interface CardSimOptions {
  host: string;
  port: number;
  /**
   * Several gateways (default the one of host and port): connection i goes to targets[i mod n],
   * new transactions are spread over all of them, and a re-send of a transaction whose last send
   * got no definite answer (timeout, closed connection, 9xxx) goes to another gateway than that
   * send when one of its connections has a free slot (fail-over, as a card system with a standby
   * address does).
   */
  targets?: { host: string; port: number }[];
  /** Service numbers paid for (chosen at random). */
  numbers: string[];
  /** Connections to the gateway (default 1). */
  connections?: number;
  /** Requests outstanding per connection (default 1: one at a time, not pipelined). */
  pipeline?: number;
  /** New transactions per second; 0 = as fast as the free connection slots allow (default 0). */
  rate?: number;
  /** Stop creating new transactions after this many… */
  count?: number;
  /** …or after this long (ms); at least one of count and durationMs is required. */
  durationMs?: number;
  /** Share of new transactions that are reversals of an acknowledged payment, percent (default 10). */
  reversalPct?: number;
  /**
   * Of the reversals, percent that arrive before or with their payment (default 0): half reverse a
   * new payment whose first send is lost (it goes out only as the re-send after resendAfterMs), half
   * one in flight without an answer yet.
   */
  earlyReversalPct?: number;
  /** Re-send a transaction this long after its last send got no definite answer (default 5 min). */
  resendAfterMs?: number;
  /** Wait this long for an answer before the send counts as unanswered (default min(resend, 30 s)). */
  answerTimeoutMs?: number;
  /** Once creation stops, keep re-sending until everything is final or this long passed (default 2 × resend + answer timeout). */
  drainMs?: number;
  /** Amounts are whole fen drawn from [min, max] (default 100–50000). */
  amountMin?: bigint;
  amountMax?: bigint;
  /** Durable ledger file (JSON Lines); an existing one is resumed: its unanswered transactions are re-sent. */
  ledgerFile?: string;
  /** Header operator / terminal id (default CARDSIM). */
  operator?: string;
  /** Serial prefix (default: S + the run's start time in base 36). */
  serialPrefix?: string;
  /**
   * Retry storm: each transaction is sent `min`–`max` extra times with the same serial and
   * bytes, besides any re-send for want of an answer; `concurrentPct` percent of transactions
   * send one extra at the same moment as the first, on another connection.
   */
  duplicates?: { min: number; max: number; concurrentPct?: number };
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  /** Seed of the random choices (default random). */
  seed?: number;
  /** Layouts of 303/304 (default the handlers' own, handlers/contracts/index.ts). */
  layouts?: { payment?: BusinessLayouts; reversal?: BusinessLayouts };
  /**
   * Speak a text framing profile instead of v1 (issue 19, docs/framing.md): each transaction's
   * packets are made once (the same bytes on every re-send), signed with `checkKey` on a profile
   * with a check code; replies are matched as the profile's `correlation` says (by serial, or in
   * order on the connection). The profile must have a serial field (the idempotency key).
   */
  framing?: { profile: FramingProfile; checkKey?: Buffer; header?: Readonly<Record<string, string>> };
  clock?: Clock;
  /** Called on every final outcome (after it is durable in the ledger). */
  onFinal?(tx: CardTx): void;
  /** Called on every answer that matches its send (first, replay, 9xxx alike): its result code and the gateway (index in targets). */
  onResult?(result: number, tx: CardTx, target: number): void;
}

type Resolved = Required<Pick<CardSimOptions, 'host' | 'port' | 'connections' | 'pipeline' | 'rate' | 'reversalPct' | 'earlyReversalPct' | 'resendAfterMs' | 'answerTimeoutMs' | 'amountMin' | 'amountMax' | 'operator' | 'serialPrefix' | 'reconnectMinMs' | 'reconnectMaxMs'>> & CardSimOptions & { drainMs: number };

interface SimTx extends CardTx {
  biz: number;
  /** The request frame with seq 0: every send is a copy with its own seq. */
  frame: Buffer;
  /** Over a text profile: the request's packets, the same bytes on every send. */
  packets?: Buffer[];
  inFlight: number;
  sends: number;
  /** The gateway (index in targets) of the last send that was not a storm duplicate. */
  lastTarget?: number;
  /** When the next re-send is due (0 = not scheduled). */
  resendAt: number;
  /** Ledger line durable: it may be sent. */
  recorded: boolean;
  /** Outcome being made durable. */
  finalizing: boolean;
  /** The first definite answer: result code and body bytes; every later one must equal it. */
  first?: { result: number; body: Buffer; seq: number };
  dupLeft: number;
  /** Send one duplicate together with the first send (storm). */
  concurrentDup?: boolean;
  reversalAimed: boolean;
}

export interface CardSimStats {
  created: { P: number; R: number };
  acked: { P: number; R: number };
  ackedFen: { P: bigint; R: bigint };
  refused: Record<string, number>;
  /** Transactions still without a definite answer at the end. */
  pending: number;
  /** Sends of every kind (first sends + re-sends + duplicates). */
  sends: number;
  resends: number;
  duplicates: number;
  /** Payments whose first send was held back (lost on the way) for an early reversal. */
  heldBack: number;
  /** New transactions the rate asked for while the backlog was full: skipped, not made up later. */
  skipped: number;
  /** Answers 9xxx (re-sent) by code. */
  retryable: Record<string, number>;
  timeouts: number;
  closedInFlight: number;
  connects: number;
  disconnects: number;
  unsolicited: number;
  /** Later definite answers compared with the first one of their serial. */
  replaysChecked: number;
  /** Of those, different result or body bytes. */
  replayMismatches: number;
  /** Answers not matching the request they answer (seq, serial, business type, kind), bad frames. */
  defects: number;
  problems: string[];
  elapsedMs: number;
}


export class CardSimulator {
  readonly opts: Resolved;
  /** The gateways the connections go to. */
  readonly targets: { host: string; port: number }[];
  readonly clock: Clock;
  readonly stats: CardSimStats;
  private readonly ledger: CardLedger;
  private readonly txs = new Map<string, SimTx>();
  /** Transactions not yet final, or with sends in flight or storm duplicates owed. */
  private readonly unfinished = new Set<SimTx>();
  /** Transactions created whose ledger line is not durable yet (they hold a send slot). */
  private appending = 0;
  private readonly conns: SimConnection[] = [];
  /** Transactions to send now (first sends and due re-sends). */
  private readonly ready: SimTx[] = [];
  /** Sends waiting for a free slot: storm duplicates (each names a connection to avoid). */
  private readonly dupQueue: { tx: SimTx; avoid?: SimConnection }[] = [];
  /** Acknowledged payments no reversal was created for yet. */
  private readonly reversible: SimTx[] = [];
  private readonly random: () => number;
  private serialCounter = 0;
  private readonly layouts: { payment: BusinessLayouts; reversal: BusinessLayouts };
  private startedAt = 0;
  private creating = false;
  private creationEnd = Infinity;
  private drainEnd = Infinity;
  private ticker: NodeJS.Timeout | undefined;
  private finished: (() => void) | undefined;
  private stopped = false;
  private rr = 0;

  constructor(opts: CardSimOptions) {
    if (!opts.numbers.length) throw new Error('no service numbers to pay for');
    if (opts.count === undefined && opts.durationMs === undefined) throw new Error('give a count or a duration');
    const resendAfterMs = opts.resendAfterMs ?? DEFAULT_RESEND_AFTER_MS;
    const answerTimeoutMs = opts.answerTimeoutMs ?? Math.min(resendAfterMs, 30_000);
    this.opts = {
      connections: 1,
      pipeline: 1,
      rate: 0,
      reversalPct: 10,
      earlyReversalPct: 0,
      amountMin: 100n,
      amountMax: 50_000n,
      operator: 'CARDSIM',
      serialPrefix: 'S' + Date.now().toString(36).toUpperCase(),
      reconnectMinMs: Math.min(50, resendAfterMs),
      reconnectMaxMs: Math.min(1000, Math.max(50, resendAfterMs)),
      // An option given as undefined keeps its default.
      ...(Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) as unknown as CardSimOptions),
      resendAfterMs,
      answerTimeoutMs,
      drainMs: opts.drainMs ?? 2 * resendAfterMs + answerTimeoutMs,
    };
    const o = this.opts;
    if (!(o.connections >= 1) || !(o.pipeline >= 1)) throw new Error('connections and pipeline must be at least 1');
    this.targets = (o.targets?.length ? o.targets : [{ host: o.host, port: o.port }]).map((x) => ({ host: x.host, port: x.port }));
    if (o.connections < this.targets.length) throw new Error(`${this.targets.length} gateways need at least as many connections (${o.connections})`);
    if (o.amountMin < 1n || o.amountMax < o.amountMin) throw new Error('amounts: 1 ≤ min ≤ max fen');
    if (o.serialPrefix.length > 11 || !/^[\x21-\x7e]*$/.test(o.serialPrefix)) throw new Error('serial prefix: at most 11 printable ASCII characters');
    if (o.reversalPct < 0 || o.reversalPct > 100 || o.earlyReversalPct < 0 || o.earlyReversalPct > 100) throw new Error('percentages are 0–100');
    this.clock = opts.clock ?? systemClock;
    this.random = rng(opts.seed ?? Math.floor(Math.random() * 2 ** 32));
    const payment = opts.layouts?.payment ?? LAYOUTS_BY_CODE.get(PAYMENT_BIZ);
    const reversal = opts.layouts?.reversal ?? LAYOUTS_BY_CODE.get(REVERSAL_BIZ);
    if (!payment || !reversal) throw new Error(`this bssgate has no layout for ${payment ? '' : 'payment (303) '}${reversal ? '' : 'reversal (304)'}`.trim());
    this.layouts = { payment, reversal };
    const fr = o.framing;
    if (fr) {
      const p = fr.profile;
      if (!p.role.serial) throw new Error(`profile ${p.name} has no serial field: payments and reversals cannot be sent over it (the gateway refuses them 1001)`);
      if (p.role.serial.width < 20) throw new Error(`profile ${p.name}: the serial field ${p.role.serial.name} has ${p.role.serial.width} characters; the simulator's serials have 20`);
      if (p.check && !fr.checkKey) throw new Error(`profile ${p.name} declares a check code (${p.check.algorithm}): the simulator needs this client's key`);
      // Fails now, not on the first send: the operator, the header fields, the service codes.
      requestHead(p, PAYMENT_BIZ, { serial: 'X', operator: o.operator, now: new Date(), extra: { ...(fr.header ?? {}) } });
      requestHead(p, REVERSAL_BIZ, { serial: 'X', operator: o.operator, now: new Date(), extra: { ...(fr.header ?? {}) } });
    }
    // Fails now, not on the first send, when a layout has a field it cannot fill.
    txBody(payment.request, { kind: 'P', svcnum: opts.numbers[0], amount: o.amountMin });
    txBody(reversal.request, { kind: 'R', svcnum: opts.numbers[0], amount: o.amountMin, orig: 'X' });
    this.stats = {
      created: { P: 0, R: 0 },
      acked: { P: 0, R: 0 },
      ackedFen: { P: 0n, R: 0n },
      refused: {},
      pending: 0,
      sends: 0,
      resends: 0,
      duplicates: 0,
      heldBack: 0,
      skipped: 0,
      retryable: {},
      timeouts: 0,
      closedInFlight: 0,
      connects: 0,
      disconnects: 0,
      unsolicited: 0,
      replaysChecked: 0,
      replayMismatches: 0,
      defects: 0,
      problems: [],
      elapsedMs: 0,
    };
    if (o.ledgerFile) this.resume(CardLedger.load(o.ledgerFile));
    this.ledger = CardLedger.open(o.ledgerFile);
  }

  /** Transactions of an earlier run from its ledger: the final ones kept, the rest re-sent. */
  private resume(earlier: CardTx[]): void {
    const aimed = new Set(earlier.filter((t) => t.kind === 'R').map((t) => t.orig));
    const prefix = this.opts.serialPrefix;
    for (const t of earlier) {
      const tx = this.makeTx(t);
      tx.recorded = true;
      tx.reversalAimed = aimed.has(t.serial);
      this.txs.set(tx.serial, tx);
      if (t.state === 'pending') {
        // Its first send was in the earlier run: what goes now is a re-send.
        tx.sends = 1;
        this.ready.push(tx);
        this.unfinished.add(tx);
      } else if (t.state === 'acked' && t.kind === 'P' && !tx.reversalAimed) this.reversible.push(tx);
      // The same --serial-prefix again: new serials continue after the earlier run's.
      if (t.serial.startsWith(prefix) && /^\d+$/.test(t.serial.slice(prefix.length))) {
        this.serialCounter = Math.max(this.serialCounter, Number(t.serial.slice(prefix.length)));
      }
    }
  }

  private makeTx(t: CardTx): SimTx {
    const biz = t.kind === 'P' ? PAYMENT_BIZ : REVERSAL_BIZ;
    const layout = (t.kind === 'P' ? this.layouts.payment : this.layouts.reversal).request;
    const body = txBody(layout, t);
    const frame = encodeRequest({ biz, seq: 0, serial: t.serial, time: t.time, operator: this.opts.operator }, layout, body);
    const fr = this.opts.framing;
    let packets: Buffer[] | undefined;
    if (fr) {
      // The header time is the transaction's (as the v1 frame's): the same bytes on every re-send.
      const [y, mo, d, h, mi, se] = [0, 4, 6, 8, 10, 12].map((i, k) => Number(t.time.slice(i, k === 0 ? 4 : i + 2)));
      // An echoed `phone` field the command line did not set carries the number paid for.
      const phone: Record<string, string> = fr.profile.header.some((f) => f.name === 'phone' && f.role === 'echo') ? { phone: t.svcnum } : {};
      const head = requestHead(fr.profile, biz, { serial: t.serial, operator: this.opts.operator, now: new Date(y, mo - 1, d, h, mi, se), extra: { ...phone, ...(fr.header ?? {}) } });
      packets = encodePackets(fr.profile, head.values, encodeTextBody(fr.profile, layout, body), fr.checkKey);
    }
    return { ...t, biz, frame, packets, inFlight: 0, sends: 0, resendAt: 0, recorded: false, finalizing: false, dupLeft: 0, reversalAimed: false };
  }

  private nextSerial(): string {
    // prefix + counter: unique within a run; the prefix (the run's start time) across runs.
    this.serialCounter++;
    const n = String(this.serialCounter);
    return this.opts.serialPrefix + n.padStart(Math.max(n.length, 20 - this.opts.serialPrefix.length), '0');
  }

  /** Every transaction so far (a snapshot), for the reconciliation file and audits. */
  transactions(): CardTx[] {
    return [...this.txs.values()].map((t) => ({ kind: t.kind, serial: t.serial, svcnum: t.svcnum, amount: t.amount, orig: t.orig, time: t.time, state: t.state, code: t.code }));
  }

  /** Acknowledged payments minus acknowledged reversals, fen, by service number. */
  balanceDeltas(): Map<string, bigint> {
    const m = new Map<string, bigint>();
    for (const t of this.txs.values()) {
      if (t.state !== 'acked') continue;
      m.set(t.svcnum, (m.get(t.svcnum) ?? 0n) + (t.kind === 'P' ? t.amount : -t.amount));
    }
    return m;
  }

  /** Run until creation ended and every transaction is final (or the drain time ran out). */
  run(): Promise<CardSimStats> {
    this.startedAt = this.clock.now();
    const o = this.opts;
    this.creating = true;
    if (o.durationMs !== undefined) this.creationEnd = this.startedAt + o.durationMs;
    for (let i = 0; i < o.connections; i++) {
      const c = new SimConnection(i, this, i % this.targets.length);
      this.conns.push(c);
      c.connect();
    }
    const tickMs = Math.max(1, Math.min(50, Math.floor(o.resendAfterMs / 4)));
    const done = new Promise<void>((r) => (this.finished = r));
    this.ticker = setInterval(() => this.tick(), tickMs);
    this.tick();
    return done.then(async () => {
      clearInterval(this.ticker);
      for (const c of this.conns) c.close();
      await this.ledger.close();
      this.stats.pending = [...this.txs.values()].filter((t) => t.state === 'pending').length;
      this.stats.elapsedMs = this.clock.now() - this.startedAt;
      return this.stats;
    });
  }

  /** Stop creating transactions now; the run still drains what is unanswered. */
  stopCreating(): void {
    this.creationEnd = Math.min(this.creationEnd, this.clock.now());
  }

  /** End the run at once (what is unanswered stays pending in the ledger). */
  stop(): void {
    this.stopped = true;
    this.finished?.();
  }

  defect(message: string): void {
    this.stats.defects++;
    if (this.stats.problems.length < 20) this.stats.problems.push(message);
  }

  private tick(): void {
    const now = this.clock.now();
    const o = this.opts;
    const created = this.stats.created.P + this.stats.created.R;
    if (this.creating && (now >= this.creationEnd || (o.count !== undefined && created >= o.count))) {
      this.creating = false;
      this.drainEnd = now + o.drainMs;
    }
    if (this.creating && o.rate > 0) {
      // A gateway slower than the rate, or down: the backlog of new transactions is bounded, and
      // what could not be created meanwhile is skipped, not made up in a burst afterwards.
      const cap = o.connections * o.pipeline * 4;
      const due = Math.floor(((now - this.startedAt) / 1000) * o.rate) + 1 - this.stats.skipped;
      if (this.ready.length + this.appending >= cap && due > created) this.stats.skipped += due - created;
      for (let n = created; n < due && (o.count === undefined || n < o.count) && this.ready.length + this.appending < cap; n++) this.create();
    }
    // Due re-sends; what is done leaves the set.
    for (const tx of this.unfinished) {
      if (tx.state === 'pending' && tx.resendAt > 0 && tx.resendAt <= now && !tx.finalizing && tx.recorded) {
        tx.resendAt = 0;
        this.ready.push(tx);
      } else if (tx.state !== 'pending' && !tx.finalizing && tx.inFlight === 0 && tx.dupLeft === 0) this.unfinished.delete(tx);
    }
    this.pump();
    if (!this.creating && !this.stopped && this.appending === 0 && (this.unfinished.size === 0 || now >= this.drainEnd)) this.stop();
  }

  private create(): void {
    const o = this.opts;
    const time = formatDateTimeMs(this.clock.now());
    const wantReversal = this.random() * 100 < o.reversalPct;
    let target: SimTx | undefined;
    if (wantReversal && this.random() * 100 < o.earlyReversalPct) {
      if (this.random() < 0.5) {
        // The payment's first send is lost on the way (it goes out only as the re-send, after
        // resendAfterMs) and the card system reverses it meanwhile: the reversal arrives first.
        target = this.enqueue(this.newPayment(time), true);
      } else {
        // A reversal racing its payment, which is in flight without an answer.
        const unanswered = [...this.unfinished].filter((x) => x.kind === 'P' && x.state === 'pending' && !x.reversalAimed);
        target = unanswered[Math.floor(this.random() * unanswered.length)];
      }
    }
    if (wantReversal && !target && this.reversible.length) target = this.reversible.splice(Math.floor(this.random() * this.reversible.length), 1)[0];
    if (target) {
      target.reversalAimed = true;
      this.enqueue({ kind: 'R', serial: this.nextSerial(), svcnum: target.svcnum, amount: target.amount, orig: target.serial, time, state: 'pending' }, false);
    } else this.enqueue(this.newPayment(time), false);
  }

  private newPayment(time: string): CardTx {
    const o = this.opts;
    const span = Number(o.amountMax - o.amountMin);
    const amount = o.amountMin + BigInt(Math.floor(this.random() * (span + 1)));
    const svcnum = o.numbers[Math.floor(this.random() * o.numbers.length)];
    return { kind: 'P', serial: this.nextSerial(), svcnum, amount, time, state: 'pending' };
  }

  /** Record a new transaction durably, then queue its first send (or, held, its re-send). */
  private enqueue(t: CardTx, held: boolean): SimTx {
    const o = this.opts;
    const tx = this.makeTx(t);
    this.txs.set(tx.serial, tx);
    this.unfinished.add(tx);
    this.stats.created[tx.kind]++;
    this.appending++;
    const d = o.duplicates;
    if (d) tx.dupLeft = d.min + Math.floor(this.random() * (d.max - d.min + 1));
    const concurrent = !held && !!d && tx.dupLeft > 0 && o.connections > 1 && this.random() * 100 < (d.concurrentPct ?? 0);
    if (held) {
      this.stats.heldBack++;
      tx.resendAt = this.clock.now() + o.resendAfterMs;
      tx.sends = 1;
    }
    // Durable before the first byte leaves: a crash of the simulator must not forget a
    // transaction the gateway may have posted.
    void this.ledger
      .append({ ev: 'tx', kind: t.kind, serial: t.serial, ...(t.orig ? { orig: t.orig } : {}), svcnum: t.svcnum, amount: String(t.amount), time: t.time })
      .then(() => {
        this.appending--;
        tx.recorded = true;
        if (!held) this.ready.push(tx);
        if (concurrent) {
          tx.dupLeft--;
          tx.concurrentDup = true;
        }
        this.pump();
      }, (err: Error) => this.fatal(err));
    return tx;
  }

  private fatal(err: Error): void {
    this.defect(`ledger: ${err.message}`);
    this.stop();
  }

  private freeConn(avoid?: SimConnection, avoidTarget?: number): SimConnection | undefined {
    const n = this.conns.length;
    for (let k = 0; k < n; k++) {
      const c = this.conns[(this.rr + k) % n];
      if (c.open && c.outstanding < this.opts.pipeline && c !== avoid && c.target !== avoidTarget) {
        this.rr = (this.rr + k + 1) % n;
        return c;
      }
    }
    return undefined;
  }

  /** Send whatever can go now. */
  pump(): void {
    if (this.stopped) return;
    while (this.dupQueue.length) {
      const d = this.dupQueue[0];
      const c = this.freeConn(d.avoid) ?? (this.conns.length === 1 ? this.freeConn() : undefined);
      if (!c) break;
      this.dupQueue.shift();
      this.stats.duplicates++;
      this.stats.sends++;
      d.tx.sends++;
      c.send(d.tx, true);
    }
    while (this.ready.length) {
      const tx = this.ready[0];
      if (tx.state !== 'pending' || tx.finalizing) {
        this.ready.shift();
        continue;
      }
      // A re-send fails over to another gateway than the send that got no definite answer.
      const c = (tx.sends > 0 && this.targets.length > 1 && tx.lastTarget !== undefined ? this.freeConn(undefined, tx.lastTarget) : undefined) ?? this.freeConn();
      if (!c) break;
      this.ready.shift();
      if (tx.sends > 0) this.stats.resends++;
      tx.sends++;
      this.stats.sends++;
      c.send(tx, false);
      if (tx.concurrentDup) {
        // The same bytes at the same moment on another connection.
        tx.concurrentDup = false;
        const other = this.freeConn(c);
        if (other) {
          this.stats.duplicates++;
          this.stats.sends++;
          tx.sends++;
          other.send(tx, true);
        } else this.dupQueue.push({ tx, avoid: c });
      }
    }
    if (this.creating && this.opts.rate === 0) {
      // Closed loop: a new transaction for every free slot (those being recorded hold one).
      const o = this.opts;
      let free = 0;
      for (const c of this.conns) if (c.open) free += o.pipeline - c.outstanding;
      while (this.ready.length + this.appending < free && (o.count === undefined || this.stats.created.P + this.stats.created.R < o.count)) this.create();
    }
  }

  onNoAnswer(a: Attempt, why: 'timeout' | 'closed'): void {
    const tx = a.tx;
    // A timed-out attempt stays in flight (its late answer is still used); a closed one is gone.
    // Either way the transaction is uncertain until a definite answer.
    if (why === 'timeout') this.stats.timeouts++;
    else {
      this.stats.closedInFlight++;
      tx.inFlight--;
    }
    if (!a.duplicate) this.scheduleResend(tx, a.sentAt);
    if (why === 'closed') this.afterAnswer(a);
  }

  /** A timed-out attempt whose connection closed before its late answer. */
  onLateLost(a: Attempt): void {
    a.tx.inFlight--;
    this.afterAnswer(a);
  }

  private scheduleResend(tx: SimTx, lastSent: number): void {
    if (tx.state !== 'pending' || tx.finalizing) return;
    const at = Math.max(lastSent + this.opts.resendAfterMs, this.clock.now());
    if (tx.resendAt === 0 || at < tx.resendAt) tx.resendAt = at;
  }

  /** An answer to `a`: a v1 frame, or over a text profile the reply's reassembled body as `text` (its header read into `h`). */
  onAnswer(a: Attempt, h: Header, frame: Buffer, text?: Buffer): void {
    const tx = a.tx;
    tx.inFlight--;
    this.afterAnswer(a);
    if (h.kind !== KIND_RESPONSE || h.biz !== tx.biz || h.serial !== tx.serial) {
      this.defect(`answer to seq ${a.seq} (${tx.serial}, biz ${tx.biz}) carries kind ${h.kind}, biz ${h.biz}, serial ${h.serial}`);
      this.scheduleResend(tx, a.sentAt);
      return;
    }
    try {
      const response = (tx.kind === 'P' ? this.layouts.payment : this.layouts.reversal).response;
      if (!text) decodeResponse(frame, h.result === 0 ? response : undefined);
      else if (h.result === 0) decodeTextBody(this.opts.framing!.profile, response, text);
    } catch (err) {
      this.defect(`answer to ${tx.serial} seq ${a.seq} does not decode: ${(err as Error).message}`);
    }
    this.opts.onResult?.(h.result, { kind: tx.kind, serial: tx.serial, svcnum: tx.svcnum, amount: tx.amount, orig: tx.orig, time: tx.time, state: tx.state, code: tx.code }, a.conn.target);
    if (h.result >= 9000) {
      // 9xxx: nothing was done. Re-sent, same serial, same bytes.
      this.stats.retryable[h.result] = (this.stats.retryable[h.result] ?? 0) + 1;
      if (!a.duplicate) this.scheduleResend(tx, a.sentAt);
      return;
    }
    // Every later answer must carry the first one's bytes: the v1 body, or the text reply's body.
    const body = text ?? frame.subarray(HEADER_SIZE);
    if (tx.first) {
      this.stats.replaysChecked++;
      if (tx.first.result !== h.result || !tx.first.body.equals(body)) {
        this.stats.replayMismatches++;
        this.defect(`replay of ${tx.serial} (seq ${a.seq}) answered ${h.result} with ${body.length} body bytes; the first answer (seq ${tx.first.seq}) was ${tx.first.result} with ${tx.first.body.length}${tx.first.result === h.result ? ', different bytes' : ''}`);
      }
      return;
    }
    tx.first = { result: h.result, body: Buffer.from(body), seq: a.seq };
    tx.finalizing = true;
    const ev = h.result === 0 ? { ev: 'ack', serial: tx.serial } : { ev: 'refused', serial: tx.serial, code: h.result };
    this.ledger.append(ev).then(() => {
      tx.finalizing = false;
      tx.resendAt = 0;
      if (h.result === 0) {
        tx.state = 'acked';
        tx.code = 0;
        this.stats.acked[tx.kind]++;
        this.stats.ackedFen[tx.kind] += tx.amount;
        if (tx.kind === 'P' && !tx.reversalAimed) this.reversible.push(tx);
      } else {
        tx.state = 'refused';
        tx.code = h.result;
        this.stats.refused[h.result] = (this.stats.refused[h.result] ?? 0) + 1;
        if (h.result < 2000) this.defect(`${tx.serial} refused ${h.result}: the simulator sent a request the gateway could not read`);
      }
      this.opts.onFinal?.({ kind: tx.kind, serial: tx.serial, svcnum: tx.svcnum, amount: tx.amount, orig: tx.orig, time: tx.time, state: tx.state, code: tx.code });
    }, (err: Error) => this.fatal(err));
  }

  /** Storm duplicates still owed for this transaction go out one after another. */
  private afterAnswer(a: Attempt): void {
    const tx = a.tx;
    if (tx.dupLeft > 0) {
      tx.dupLeft--;
      this.dupQueue.push({ tx, avoid: this.conns.length > 1 && this.random() < 0.5 ? a.conn : undefined });
    }
  }
}

// ── the command line: bssgate sim card ───────────────────────────────────────────────────────

export interface SimCardCliOptions {
  rate: string;
  duration?: string;
  count?: string;
  connections: string;
  pipeline: string;
  resendAfter: string;
  answerTimeout?: string;
  drain?: string;
  reversals: string;
  amounts: string;
  ledger?: string;
  reconcileOut?: string;
  client: string;
  numbers?: string;
  config?: string[];
  operator: string;
  serialPrefix?: string;
  duplicates?: string;
  concurrent: string;
  seed?: string;
  json?: boolean;
  /** A text framing profile file to speak instead of v1 (issue 19). */
  framing?: string;
  /** With a profile that declares a check code: the gateway's key file to take this client's key from. */
  checkKeys?: string;
  /** With a text profile: echoed header fields, name=value. */
  header?: string[];
}

function durationOpt(flag: string, raw: string, minMs: number): number {
  try {
    return parseDuration(raw.trim(), minMs);
  } catch (err) {
    throw new Error(`${flag} ${raw}: ${(err as Error).message} (e.g. 300ms, 30s, 5m, 2h)`);
  }
}

function intOpt(flag: string, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < min || Number(raw) > max) throw new Error(`${flag} ${raw}: an integer ${min}–${max}`);
  return Number(raw);
}

function pctOpt(flag: string, raw: string): number {
  const m = /^(\d+(?:\.\d+)?)%?$/.exec(raw.trim());
  if (!m || Number(m[1]) > 100) throw new Error(`${flag} ${raw}: a percentage 0–100`);
  return Number(m[1]);
}

/** `a-b` (or one integer) within [min, max]. */
function rangeOpt(flag: string, raw: string, min: number, max: number): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(raw.trim());
  const a = m ? Number(m[1]) : NaN;
  const b = m ? Number(m[2] ?? m[1]) : NaN;
  if (!m || a < min || b > max || a > b) throw new Error(`${flag} ${raw}: N or N-M with ${min} ≤ N ≤ M ≤ ${max}`);
  return [a, b];
}

const NUMBER_RE = /^[0-9]{3,20}$/;
const PAYABLE: QueryDef = {
  name: 'sim.payable-numbers',
  // Active (1) and arrears-suspended (3) lines: the ones a card payment is normally for.
  sql: 'SELECT SVCNUM AS svcnum FROM TAB_SUBSCRB WHERE STATUS IN (1, 3) ORDER BY SVCNUM',
};

/** --numbers: a comma-separated list, @file (one a line), or db (the database of --config). */
export async function simNumbers(spec: string | undefined, configFiles: string[], deps: { loadConfig(files: string[]): Config; openStore(cfg: DatabaseConfig, log: Logger): Promise<Store> }): Promise<string[]> {
  let list: string[];
  if (spec === undefined || spec === 'db') {
    if (configFiles.length === 0) throw new Error('sim card: --numbers db (the default) reads the database of -c FILE; give -c FILE (e.g. -c h.ini.example) or --numbers n1,n2,…');
    const files = configFiles;
    const cfg = deps.loadConfig(files);
    const store = await deps.openStore(cfg.database, pino({ level: 'warn' }, pino.destination(2)));
    try {
      list = (await store.all<{ svcnum: string }>(PAYABLE)).map((r) => String(r.svcnum));
    } finally {
      await store.close();
    }
    if (!list.length) throw new Error(`the database of ${files.join(', ')} has no active or arrears-suspended subscriber to pay for`);
    return list;
  }
  const where = spec.startsWith('@') ? spec.slice(1) : undefined;
  list = (where ? fs.readFileSync(where, 'utf8').split(/\r?\n/) : spec.split(',')).map((s) => s.trim()).filter(Boolean);
  const bad = list.findIndex((n) => !NUMBER_RE.test(n));
  if (bad >= 0) throw new Error(`--numbers: "${list[bad]}"${where ? ` (${where} line ${bad + 1})` : ''} is not a service number (3–20 digits)`);
  if (!list.length) throw new Error(`--numbers ${spec}: no service numbers`);
  return list;
}

/** Local date YYYYMMDD of an instant. */
export function localDay(ms: number): string {
  return formatDateTimeMs(ms).slice(0, 8);
}

export function formatSimStats(s: CardSimStats): string {
  const kv = (o: Record<string, number>) => Object.entries(o).map(([k, v]) => `${k}×${v}`).join(' ') || 'none';
  return [
    `created    ${s.created.P} payments, ${s.created.R} reversals in ${(s.elapsedMs / 1000).toFixed(1)} s${s.skipped ? ` (${s.skipped} skipped while the backlog was full)` : ''}`,
    `acked      ${s.acked.P} payments (${s.ackedFen.P} fen), ${s.acked.R} reversals (${s.ackedFen.R} fen); net ${s.ackedFen.P - s.ackedFen.R} fen`,
    `refused    ${kv(s.refused)}`,
    `pending    ${s.pending} without a definite answer`,
    `sends      ${s.sends} (re-sends ${s.resends}, storm duplicates ${s.duplicates}); 9xxx answers ${kv(s.retryable)}; timeouts ${s.timeouts}; lost with a closed connection ${s.closedInFlight}`,
    `connects   ${s.connects}, disconnects ${s.disconnects}`,
    `replays    ${s.replaysChecked} later answers compared with the first: ${s.replayMismatches} different`,
    `defects    ${s.defects}${s.problems.length ? '\n  ' + s.problems.join('\n  ') : ''}`,
  ].join('\n') + '\n';
}

/**
 * `--framing <profile>` (or the framing of the interface named from -c FILE; --framing wins), its
 * check-code key as the gateway finds this client's (src/config/check-keys.ts clientCheckKey: the
 * client is --client) and `--header name=value` echoed fields. Undefined: v1.
 */
export function simFraming(o: Pick<SimCardCliOptions, 'framing' | 'checkKeys' | 'header' | 'client'>, framingFile: string | undefined, env: NodeJS.ProcessEnv): CardSimOptions['framing'] {
  const file = o.framing ?? framingFile;
  if (!file) {
    if (o.checkKeys !== undefined || o.header?.length) throw new Error('--check-keys and --header are for a text framing profile: give --framing <profile>, or an interface whose framing is one');
    return undefined;
  }
  const profile = loadFramingProfile(file);
  const header: Record<string, string> = {};
  for (const h of o.header ?? []) {
    const i = h.indexOf('=');
    if (i <= 0) throw new Error(`--header ${JSON.stringify(h)}: expected name=value (a header field of profile ${profile.name})`);
    header[h.slice(0, i)] = h.slice(i + 1);
  }
  if (!profile.check && o.checkKeys !== undefined) throw new Error(`--check-keys: profile ${profile.name} declares no check code`);
  const checkKey = profile.check ? clientCheckKey(profile, o.client, o.checkKeys, env, '--check-keys') : undefined;
  return { profile, header, ...(checkKey ? { checkKey } : {}) };
}

/**
 * The body of `bssgate sim card`: run, write the reconciliation file, print the summary.
 * Resolves to the exit code: 0 everything final and no defect, 2 otherwise.
 */
export async function simCardCommand(
  target: { host: string; port: number; framingFile?: string },
  o: SimCardCliOptions,
  deps: { loadConfig(files: string[]): Config; openStore(cfg: DatabaseConfig, log: Logger): Promise<Store>; out?(s: string): void; err?(s: string): void; env?: NodeJS.ProcessEnv },
): Promise<number> {
  const out = deps.out ?? ((s: string) => void process.stdout.write(s));
  const errOut = deps.err ?? ((s: string) => void process.stderr.write(s));
  const rateM = /^(\d+(?:\.\d+)?)(?:\/s)?$/.exec(o.rate.trim());
  if (!rateM) throw new Error(`--rate ${o.rate}: transactions per second, e.g. 50 or 50/s (0 = as fast as the connections allow)`);
  if (o.duration === undefined && o.count === undefined) throw new Error('give --duration (e.g. 10m) or --count (e.g. 1000)');
  const resendAfterMs = durationOpt('--resend-after', o.resendAfter, 1);
  const [amin, amax] = rangeOpt('--amounts', o.amounts, 1, Number.MAX_SAFE_INTEGER);
  const dup = o.duplicates === undefined ? undefined : rangeOpt('--duplicates', o.duplicates, 0, 100);
  if (/[|\r\n]/.test(o.client) || !o.client) throw new Error(`--client "${o.client}": a name without | or line breaks`);
  const framing = simFraming(o, target.framingFile, deps.env ?? process.env);
  const numbers = await simNumbers(o.numbers, o.config ?? [], deps);
  const sim = new CardSimulator({
    framing,
    host: target.host,
    port: target.port,
    numbers,
    connections: intOpt('--connections', o.connections, 1, 10_000),
    pipeline: intOpt('--pipeline', o.pipeline, 1, 65_536),
    rate: Number(rateM[1]),
    durationMs: o.duration === undefined ? undefined : durationOpt('--duration', o.duration, 1),
    count: o.count === undefined ? undefined : intOpt('--count', o.count, 0, 1e12),
    reversalPct: pctOpt('--reversals', o.reversals),
    resendAfterMs,
    answerTimeoutMs: o.answerTimeout === undefined ? undefined : durationOpt('--answer-timeout', o.answerTimeout, 1),
    drainMs: o.drain === undefined ? undefined : durationOpt('--drain', o.drain, 0),
    amountMin: BigInt(amin),
    amountMax: BigInt(amax),
    ledgerFile: o.ledger,
    operator: o.operator,
    serialPrefix: o.serialPrefix,
    duplicates: dup && dup[1] > 0 ? { min: dup[0], max: dup[1], concurrentPct: pctOpt('--concurrent', o.concurrent) } : undefined,
    seed: o.seed === undefined ? undefined : intOpt('--seed', o.seed, 0, 2 ** 32 - 1),
  });
  // Ctrl-C: stop creating and drain what is unanswered; a second one ends at once.
  let interrupts = 0;
  const onInt = () => {
    interrupts++;
    if (interrupts === 1) {
      errOut('bssgate sim card: stopping: no new transactions; re-sending the unanswered (Ctrl-C again to end now)\n');
      sim.stopCreating();
    } else sim.stop();
  };
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onInt);
  let stats: CardSimStats;
  try {
    stats = await sim.run();
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onInt);
  }
  const day = localDay(Date.now());
  if (o.reconcileOut) writeReconciliationFile(o.reconcileOut, sim.transactions(), o.client, day);
  if (o.json) out(JSON.stringify({ ...stats, serialPrefix: sim.opts.serialPrefix, ackedFen: { P: String(stats.ackedFen.P), R: String(stats.ackedFen.R) }, reconcileFile: o.reconcileOut ?? null, day }) + '\n');
  else out(formatSimStats(stats) + (o.reconcileOut ? `reconciliation file ${o.reconcileOut} (${o.client}, ${day})\n` : ''));
  return stats.pending === 0 && stats.defects === 0 ? 0 : 2;
}

/** Register `bssgate sim card` (under a `sim` command other simulators may share). */
export function registerSimCard(program: Command, deps: { loadConfig(files: string[]): Config; openStore(cfg: DatabaseConfig, log: Logger): Promise<Store>; resolveTarget(target: string, files: string[]): { host: string; port: number; framingFile?: string } }): void {
  const sim = program.commands.find((c) => c.name() === 'sim') ?? program.command('sim').description('simulators of the systems bssgate talks to (demo, tests, load)');
  sim
    .command('card')
    .description('the card system (PC-03/04/06/07): payments and reversals at a rate, re-sends of the unanswered with the same serial, a durable ledger, the day\'s reconciliation file; exit 0 when everything got a definite answer and no answer was wrong, 2 otherwise')
    .argument('<target>', 'host:port of the card interface, or its name in the config (card)')
    .option('--rate <n/s>', 'new transactions per second (0 = as fast as the connections allow)', '10')
    .option('--duration <time>', 'create transactions for this long (e.g. 10m)')
    .option('--count <n>', 'or: create this many')
    .option('--connections <n>', 'connections to the gateway', '1')
    .option('--pipeline <n>', 'requests outstanding per connection (1 = one at a time)', '1')
    .option('--resend-after <time>', 're-send a transaction without a definite answer after this (the card system: 5m)', '5m')
    .option('--answer-timeout <time>', 'wait this long for an answer (default the smaller of --resend-after and 30s)')
    .option('--drain <time>', 'after the last new transaction, keep re-sending for at most this long (default 2 × resend-after + answer timeout)')
    .option('--reversals <pct>', 'share of transactions that reverse an acknowledged payment, percent', '10')
    .option('--amounts <min-max>', 'payment amounts, fen', '100-50000')
    .option('--ledger <file>', 'durable ledger (JSON Lines, fsync per outcome); an existing one is resumed')
    .option('--reconcile-out <file>', "write the day's reconciliation file here at the end (docs/reconciliation.md)")
    .option('--client <name>', 'the card system\'s name in the reconciliation file (its client name in the gateway\'s config; card when no [client] section names it)', 'card')
    .option('--numbers <list>', 'numbers to pay for: n1,n2,…, @file (one a line), or db (active and arrears-suspended subscribers of the --config database; the default)')
    .addOption(configOption('naming the interfaces and the database'))
    .option('--operator <id>', 'header operator / terminal id', 'CARDSIM')
    .option('--serial-prefix <text>', 'serials are this + a counter, 20 characters (default S + the start time in base 36); at most 11 characters')
    .option('--duplicates <n-m>', 'retry storm: send every transaction n–m extra times with the same serial')
    .option('--concurrent <pct>', 'with --duplicates: share of transactions sending one extra at the same moment on another connection', '30')
    .option('--seed <n>', 'seed of the random choices')
    .option('--json', 'print the summary as one JSON line')
    .option('--framing <profile>', 'speak a text framing profile (JSON, docs/framing.md) instead of v1, e.g. config/framing/card-recharge.json (an interface named from -c FILE speaks its own framing without it)')
    .option('--check-keys <file>', "with a profile that declares a check code: the gateway's key file to take the --client's key from (else BSSGATE_CHECK_KEY_<CLIENT>, BSSGATE_CHECK_KEY)")
    .option('--header <name=value...>', 'with --framing: echoed header fields of the profile (phone=… office=F010ZB accessId=001)')
    .action(async (target: string, opts: SimCardCliOptions) => {
      process.exitCode = await simCardCommand(deps.resolveTarget(target, opts.config ?? []), opts, deps);
    });
}
