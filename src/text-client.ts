// The typed client over a text framing profile (issue 19, docs/framing.md): the same calls as
// BssClient (src/client.ts) — business type, body record, serial, operator, timeout — written as
// the profile's text packets and read back with the production packet decoder and assembler
// (protocol/framing/packet.ts): a reply in several packets is reassembled before it is decoded. How
// a reply finds its request is the profile's `correlation`: `order` (first in, first answered) or
// `serial` (by the serial field, so replies may come in any order; two calls in flight with the
// same serial are refused). `bssgate call --framing <profile.json>`, the tests and bench/ use it.
// Like src/client.ts, importing it loads no database driver, no store and no metrics.
import net from 'node:net';
import type { Header } from '../protocol/header.js';
import { KIND_RESPONSE, PROTOCOL_VERSION } from '../protocol/header.js';
import { encodeRequest } from '../protocol/message.js';
import type { BodyRecord, Layout } from '../protocol/layout-types.js';
import { GatewayError } from '../protocol/return-codes.js';
import { gbkDecode } from '../protocol/gbk.js';
import type { FramingProfile } from '../protocol/framing/profile.js';
import { encodePackets, loadFramingProfile, PacketAssembler, PacketDecoder, PacketError, padField, unpad, type Packet } from '../protocol/framing/packet.js';
import { decodeTextBody, encodeTextBody } from '../protocol/framing/text-body.js';
import { verifyPacket } from '../protocol/framing/check.js';
import { resultOf } from '../protocol/framing/codes.js';

/** The return code of a reply's error field (protocol/framing/codes.ts). */
export { resultOf };
import { LAYOUTS_BY_CODE } from '../handlers/contracts/index.js';
import { businessByName } from '../protocol/business-types.js';
import { ClientError, connectSocket, makeSerial, type CallOptions, type ClientOptions, type Reply } from './client.js';
import { formatDateTime } from './time.js';

export interface TextClientOptions extends ClientOptions {
  profile: FramingProfile;
  /** Header fields by name sent with every request (the echoed ones: phone, office, number type…). */
  header?: Readonly<Record<string, string>>;
  /** Send the profile's heartbeat every this many ms (0 or absent: never); an unanswered one closes the client. */
  heartbeatMs?: number;
  /** On a profile with a check code: this client's key (hex decoded). Requests are signed with it and replies verified. */
  checkKey?: Buffer;
}

export interface TextCallOptions extends CallOptions {
  /** Header fields by name for this call (over the client's `header`). */
  header?: Readonly<Record<string, string>>;
}

/** A reply read over a text profile: a v1-shaped Reply, and what the text packets carried. */
export interface TextReply<B extends BodyRecord = BodyRecord> extends Reply<B> {
  /** Header fields of the reply's first packet, as on the wire (padding kept). */
  raw: Record<string, string>;
  /** The error field as on the wire ("00000", "02001"), or '' when the profile has none. */
  error: string;
  /** The flag field ("1"/"0"), or ''. */
  flag: string;
  /** How many packets the reply came in. */
  packets: number;
  /** Every byte of every packet of the reply, start byte to terminator. */
  bytes: Buffer;
  /** The reassembled body bytes (GBK text). */
  text: Buffer;
}

interface Pending {
  biz: number;
  serial: string;
  operator: string;
  seq: number;
  response: Layout | undefined;
  resolve(r: TextReply): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

/** The request header values of one call (unpadded, by field name). */
export interface TextRequestHead {
  values: Record<string, string>;
  serial: string;
  operator: string;
}

/** The service code a profile writes for business type `biz` (ClientError when it has none). */
export function serviceCodeOf(p: FramingProfile, biz: number): string {
  const code = p.services.reverse.get(biz) ?? (p.services.otherwise === 'code' ? String(biz) : undefined);
  const f = p.role.service!;
  if (code === undefined || code.length > f.width) {
    throw new ClientError(`business type ${biz} has no service code in profile ${p.name} (${p.file}): add it to services.table`, 'PROTOCOL');
  }
  return code;
}

/** Header values of a request: service, serial, operator, time, the flag's request value, and `extra`. */
export function requestHead(p: FramingProfile, biz: number, opts: { serial?: string; operator: string; now: Date; extra?: Readonly<Record<string, string>> }): TextRequestHead {
  const values: Record<string, string> = { ...(opts.extra ?? {}) };
  for (const name of Object.keys(values)) {
    const f = p.header.find((h) => h.name === name);
    if (!f) throw new ClientError(`profile ${p.name} has no header field "${name}"; its fields: ${p.header.map((h) => h.name).join(', ')}`, 'PROTOCOL');
    if (f.role !== 'echo') throw new ClientError(`header field "${name}" of profile ${p.name} has role ${f.role}: it is set by the client, not given`, 'PROTOCOL');
    if (values[name].length > f.width) throw new ClientError(`header field "${name}": ${JSON.stringify(values[name])} is longer than its ${f.width} characters`, 'PROTOCOL');
  }
  values[p.role.service!.name] = serviceCodeOf(p, biz);
  let serial = '';
  if (p.role.serial) {
    const w = p.role.serial.width;
    serial = opts.serial ?? makeSerial().slice(-w);
    if (serial.length > w) throw new ClientError(`serial ${JSON.stringify(serial)} is longer than the ${w} characters of ${p.role.serial.name} in profile ${p.name}`, 'PROTOCOL');
    values[p.role.serial.name] = serial;
  } else if (opts.serial !== undefined) {
    throw new ClientError(`profile ${p.name} has no serial field: a serial cannot be sent (write functions are refused over it)`, 'PROTOCOL');
  }
  let operator = '';
  if (p.role.operator) {
    operator = opts.operator;
    if (operator.length > p.role.operator.width) throw new ClientError(`operator ${JSON.stringify(operator)} is longer than the ${p.role.operator.width} characters of ${p.role.operator.name}`, 'PROTOCOL');
    values[p.role.operator.name] = operator;
  }
  if (p.role.time) {
    const t = formatDateTime(opts.now);
    values[p.role.time.name] = p.role.time.format === 'YYMMDDHHMMSS' ? t.slice(2) : t;
  }
  if (p.role.flag) values[p.role.flag.name] = p.role.flag.value!;
  return { values, serial, operator };
}

/** Every byte of a packet the decoder read (it checked them: start, header, body, terminator). */
export function packetBytes(p: FramingProfile, pkt: Packet): Buffer {
  const head = Buffer.from(p.header.map((f) => pkt.raw[f.name]).join(''), 'latin1');
  const parts = [head, pkt.body, Buffer.of(p.terminator)];
  if (p.start !== undefined) parts.unshift(Buffer.of(p.start));
  return Buffer.concat(parts);
}

export class TextFramingClient {
  private readonly socket: net.Socket;
  private readonly decoder: PacketDecoder;
  /** One assembler per serial (serial correlation: packets of replies may interleave), else one. */
  private readonly assemblers = new Map<string, { asm: PacketAssembler; bytes: Buffer[]; badCheck: boolean }>();
  /** In call order (order correlation). */
  private readonly queue: Pending[] = [];
  /** By serial (serial correlation). */
  private readonly bySerial = new Map<string, Pending>();
  private readonly beatWaiters: { resolve(): void; reject(e: Error): void; timer: NodeJS.Timeout }[] = [];
  private beatTimer: NodeJS.Timeout | undefined;
  private closedError: Error | undefined;
  private seq = 0;
  readonly profile: FramingProfile;
  readonly timeoutMs: number;
  readonly operator: string;
  readonly header: Readonly<Record<string, string>>;
  readonly checkKey: Buffer | undefined;
  /** Heartbeat replies received. */
  heartbeats = 0;

  private constructor(socket: net.Socket, opts: TextClientOptions) {
    this.socket = socket;
    this.profile = opts.profile;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.operator = opts.operator ?? 'bssgate';
    this.header = opts.header ?? {};
    this.checkKey = opts.checkKey;
    // No heartbeat limit on replies: the client counts what it asked for.
    this.decoder = new PacketDecoder(opts.profile.heartbeat ? { ...opts.profile, heartbeat: { ...opts.profile.heartbeat, request: opts.profile.heartbeat.reply, maxPerMinute: Number.MAX_SAFE_INTEGER } } : opts.profile);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.fail(new ClientError(`connection error: ${err.message}`, 'CLOSED')));
    socket.on('close', () => this.fail(new ClientError('connection closed by the server', 'CLOSED')));
    if (opts.heartbeatMs && opts.heartbeatMs > 0) {
      if (!opts.profile.heartbeat) throw new ClientError(`profile ${opts.profile.name} declares no heartbeat`, 'PROTOCOL');
      this.beatTimer = setInterval(() => {
        this.heartbeat().catch((err: Error) => {
          this.fail(new ClientError(`heartbeat not answered: ${err.message}`, 'CLOSED'));
          this.socket.destroy();
        });
      }, opts.heartbeatMs);
      this.beatTimer.unref();
    }
  }

  static async connect(opts: TextClientOptions): Promise<TextFramingClient> {
    const socket = await connectSocket(opts);
    try {
      return new TextFramingClient(socket, opts);
    } catch (err) {
      socket.destroy();
      throw err;
    }
  }

  /** Send one request; resolves with its reply (whatever the result), rejects on a timeout, a close or a request the profile cannot carry. */
  call<B extends BodyRecord = BodyRecord>(business: number | string, body: BodyRecord = {}, opts: TextCallOptions = {}): Promise<TextReply<B>> {
    if (this.closedError) return Promise.reject(this.closedError);
    const p = this.profile;
    const biz = typeof business === 'number' ? business : businessByName(business)?.code;
    if (biz === undefined) return Promise.reject(new ClientError(`unknown business type "${business}"`, 'PROTOCOL'));
    const layouts = opts.layouts ?? LAYOUTS_BY_CODE.get(biz);
    let packets: Buffer[];
    let head: TextRequestHead;
    const seq = (this.seq = this.seq >= 0xffffffff ? 1 : this.seq + 1);
    try {
      head = requestHead(p, biz, { serial: opts.serial, operator: opts.operator ?? this.operator, now: new Date(), extra: { ...this.header, ...(opts.header ?? {}) } });
      const request = layouts?.request ?? [];
      // The v1 encoder checks the body as it would for v1 (missing fields, widths, ranges).
      if (request.length > 0) encodeRequest({ biz, seq: 1, serial: '', time: '20000101000000', operator: '' }, request, body);
      packets = encodePackets(p, head.values, encodeTextBody(p, request, body), this.checkKey);
    } catch (err) {
      return Promise.reject(err instanceof GatewayError ? new ClientError(`request not sent: ${err.message}`, 'PROTOCOL') : (err as Error));
    }
    if (p.correlation === 'serial' && this.bySerial.has(head.serial)) {
      return Promise.reject(new ClientError(`serial ${JSON.stringify(head.serial)} is already in flight on this connection (profile ${p.name} matches replies by serial)`, 'PROTOCOL'));
    }
    return new Promise<TextReply<B>>((resolve, reject) => {
      const ms = opts.timeoutMs ?? this.timeoutMs;
      const pending: Pending = {
        biz,
        serial: head.serial,
        operator: head.operator,
        seq,
        response: layouts?.response,
        resolve: resolve as (r: TextReply) => void,
        reject,
        timer: setTimeout(() => {
          this.forget(pending);
          reject(new ClientError(`no answer to business ${biz}${head.serial ? ` serial ${head.serial}` : ''} within ${ms} ms`, 'TIMEOUT'));
          // Replies in order: its late reply would be taken for the next call's. The connection is out of step: close it.
          if (p.correlation === 'order') {
            this.fail(new ClientError(`connection out of step: business ${biz} was not answered within ${ms} ms and profile ${p.name} matches replies by order; the connection was closed (connect again)`, 'CLOSED'));
            this.socket.destroy();
          }
        }, ms),
      };
      if (p.correlation === 'serial') this.bySerial.set(head.serial, pending);
      else this.queue.push(pending);
      for (const pkt of packets) this.socket.write(pkt);
    });
  }

  /** Send the profile's heartbeat; resolves when it is answered. */
  heartbeat(timeoutMs = this.timeoutMs): Promise<void> {
    if (this.closedError) return Promise.reject(this.closedError);
    const p = this.profile;
    const hb = p.heartbeat;
    if (!hb) return Promise.reject(new ClientError(`profile ${p.name} declares no heartbeat`, 'PROTOCOL'));
    return new Promise((resolve, reject) => {
      const w = {
        resolve,
        reject,
        timer: setTimeout(() => {
          const i = this.beatWaiters.indexOf(w);
          if (i >= 0) this.beatWaiters.splice(i, 1);
          reject(new ClientError(`no heartbeat reply within ${timeoutMs} ms`, 'TIMEOUT'));
        }, timeoutMs),
      };
      this.beatWaiters.push(w);
      const parts = [hb.request, Buffer.of(p.terminator)];
      if (p.start !== undefined) parts.unshift(Buffer.of(p.start));
      this.socket.write(Buffer.concat(parts));
    });
  }

  /** Write raw bytes (tests of malformed input). */
  writeRaw(buf: Buffer): void {
    this.socket.write(buf);
  }

  private forget(pd: Pending): void {
    if (this.profile.correlation === 'serial') {
      if (this.bySerial.get(pd.serial) === pd) this.bySerial.delete(pd.serial);
    } else {
      const i = this.queue.indexOf(pd);
      if (i >= 0) this.queue.splice(i, 1);
    }
  }

  private onData(chunk: Buffer): void {
    const p = this.profile;
    try {
      for (const it of this.decoder.push(chunk)) {
        if (it.kind === 'heartbeat') {
          this.heartbeats++;
          const w = this.beatWaiters.shift();
          if (w) {
            clearTimeout(w.timer);
            w.resolve();
          }
          continue;
        }
        const key = p.correlation === 'serial' ? unpad(p.role.serial!, it.packet.raw[p.role.serial!.name]) : '';
        let slot = this.assemblers.get(key);
        if (!slot) this.assemblers.set(key, (slot = { asm: new PacketAssembler(p, { maxPackets: 100_000, maxBytes: 256 * 1024 * 1024 }), bytes: [], badCheck: false }));
        slot.bytes.push(packetBytes(p, it.packet));
        // The gateway signs every reply packet; with a key, each is verified (a refusal for want of a key has none worth checking).
        if (p.check && this.checkKey && !verifyPacket(p, this.checkKey, it.packet.bytes)) slot.badCheck = true;
        const msg = slot.asm.add(it.packet);
        if (!msg) continue;
        this.assemblers.delete(key);
        this.onReply(key, msg.first, msg.body, msg.packets, slot.bytes.length === 1 ? slot.bytes[0] : Buffer.concat(slot.bytes), slot.badCheck);
      }
    } catch (err) {
      if (!(err instanceof PacketError)) throw err;
      this.fail(new ClientError(`bad packet from server: ${err.message}`, 'PROTOCOL'));
      this.socket.destroy();
    }
  }

  private onReply(serial: string, first: Packet, text: Buffer, packets: number, bytes: Buffer, badCheck = false): void {
    const p = this.profile;
    const raw = first.raw;
    const error = p.role.error ? raw[p.role.error.name] : '';
    const flag = p.role.flag ? raw[p.role.flag.name] : '';
    const result = resultOf(p, error, flag);
    const pd = p.correlation === 'serial' ? this.bySerial.get(serial) : this.queue[0];
    if (!pd) {
      // A refusal nobody asked for (9003 too many connections, a refused packet): fail everything.
      if (result !== 0) this.fail(new ClientError(`server refused: ${result} ${safeText(text)}`, 'CLOSED'));
      return;
    }
    this.forget(pd);
    clearTimeout(pd.timer);
    if (badCheck) {
      pd.reject(new ClientError(`the reply to business ${pd.biz} carries a check code that does not verify under this client's key (profile ${p.name})`, 'PROTOCOL'));
      return;
    }
    const header: Header = {
      version: PROTOCOL_VERSION,
      kind: KIND_RESPONSE,
      biz: pd.biz,
      seq: pd.seq,
      serial: p.role.serial ? unpad(p.role.serial, raw[p.role.serial.name]) : pd.serial,
      time: p.role.time ? raw[p.role.time.name] : '',
      operator: p.role.operator ? unpad(p.role.operator, raw[p.role.operator.name]) : pd.operator,
      result,
      reserved: 0,
    };
    try {
      const ok = result === 0;
      const body = ok && pd.response && pd.response.length > 0 ? decodeTextBody(p, pd.response, text) : ok && pd.response ? {} : undefined;
      pd.resolve({ header, result, message: ok ? '' : safeText(text), body, raw, error, flag, packets, bytes, text });
    } catch (err) {
      pd.reject(new ClientError(`cannot decode the answer to business ${pd.biz}: ${(err as Error).message}`, 'PROTOCOL'));
    }
  }

  private fail(err: Error): void {
    this.closedError ??= err;
    if (this.beatTimer) clearInterval(this.beatTimer);
    for (const pd of [...this.queue, ...this.bySerial.values()]) {
      clearTimeout(pd.timer);
      pd.reject(err);
    }
    this.queue.length = 0;
    this.bySerial.clear();
    for (const w of this.beatWaiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(err);
    }
  }

  /** Close after the replies in flight (or right away with force). */
  close(force = false): Promise<void> {
    if (this.beatTimer) clearInterval(this.beatTimer);
    return new Promise((resolve) => {
      if (this.socket.destroyed) return resolve();
      this.socket.once('close', () => resolve());
      if (force) this.socket.destroy();
      else this.socket.end();
    });
  }
}

function safeText(b: Buffer): string {
  try {
    return gbkDecode(b);
  } catch {
    return b.toString('latin1');
  }
}

/** `bssgate call --framing <profile> [--header name=value…]`: load the profile (its errors name the file and JSON path) and connect. */
export async function connectTextClient(profileFile: string, header: readonly string[], opts: ClientOptions, env: NodeJS.ProcessEnv = process.env): Promise<TextFramingClient> {
  const profile = loadFramingProfile(profileFile);
  // A profile with a check code: the caller's key from BSSGATE_CHECK_KEY (hex), never an argument (it would show in ps).
  let checkKey: Buffer | undefined;
  if (profile.check) {
    const hex = env.BSSGATE_CHECK_KEY;
    if (hex === undefined || hex === '') throw new ClientError(`profile ${profile.name} declares a check code (${profile.check.algorithm}): set BSSGATE_CHECK_KEY to this client's key (hex)`, 'PROTOCOL');
    if (!/^([0-9a-fA-F]{2})+$/.test(hex.trim())) throw new ClientError('BSSGATE_CHECK_KEY (not shown) is not hexadecimal digits', 'PROTOCOL');
    checkKey = Buffer.from(hex.trim(), 'hex');
  }
  const values: Record<string, string> = {};
  for (const h of header) {
    const i = h.indexOf('=');
    if (i <= 0) throw new ClientError(`--header ${JSON.stringify(h)}: expected name=value (a header field of profile ${profile.name})`, 'PROTOCOL');
    values[h.slice(0, i)] = h.slice(i + 1);
  }
  // Checked before connecting: a wrong field name is an error, not a silently dropped value.
  requestHead(profile, profile.services.table.values().next().value ?? 101, { operator: '', now: new Date(), extra: values });
  return TextFramingClient.connect({ ...opts, profile, header: values, ...(checkKey ? { checkKey } : {}) });
}
