// A connection speaking a text framing profile (issue 19, docs/framing.md). The connection
// (src/server/connection.ts) keeps every rule it has for v1 — pipelining, answer order,
// backpressure, timeouts, the 9004 promise at a stop, close after a framing error — because this
// session hands it what it handles for v1: each reassembled text request becomes a v1 header
// (business type from the service table, serial, operator, time) whose body, the text fields as
// read, waits here for its dispatch; Dispatcher.answer takes that body and gives back the v1
// answer's content (result, message, fields), written as text packets. No v1 body bytes are made
// or read: the dispatcher applies the v1 codec's rules to the body and to the reply without them.
// The dispatcher, the handlers, idempotency (keyed by the profile's serial), logs, lockout,
// metrics and limits therefore see one request, whatever the wire.
import type { Socket } from 'node:net';
import { FrameError } from '../../protocol/frame.js';
import { checkHeader, HEADER_SIZE, KIND_REQUEST, PROTOCOL_VERSION, writeHeader, type Header } from '../../protocol/header.js';
import type { BodyRecord } from '../../protocol/layout-types.js';
import type { RequestHead } from '../../protocol/message.js';
import { GatewayError } from '../../protocol/return-codes.js';
import type { FramingProfile, HeaderField } from '../../protocol/framing/profile.js';
import { encodePackets, PacketAssembler, PacketDecoder, PacketError, unpad, type Item, type Packet } from '../../protocol/framing/packet.js';
import { decodeTextBody, encodeTextBody, encodeTextMessage } from '../../protocol/framing/text-body.js';
import { verifyPacket } from '../../protocol/framing/check.js';
import { bizOfHeader } from '../../protocol/framing/codes.js';
import type { Dispatcher, RequestOrigin, TextAnswer } from '../dispatch.js';
import type { Clock } from '../types.js';
import { formatDateTimeMs } from '../time.js';

/** What the connection reads frames from (FrameDecoder for v1). */
export interface FrameSource {
  push(chunk: Buffer): Buffer[];
  readonly pending: number;
}

/** What the connection dispatches a frame to (the Dispatcher for v1). */
export interface DispatchTarget {
  dispatch(header: Header, frame: Buffer, origin: RequestOrigin): Promise<Buffer>;
}

/** One request read, until its answer is written: what the reply echoes. */
interface Pending {
  raw: Record<string, string>;
  biz: number;
  /** The request's fields as read from the text (a business type with a handler, read without error). */
  body?: BodyRecord;
  bodyError?: GatewayError;
}

const EMPTY: Buffer = Buffer.alloc(0);

/** The check-code key of a connection's peer (docs/framing.md "Check codes"). */
export interface CheckKeyOf {
  /** The peer's client identity (the [client.<id>] name, or `*`), for messages. */
  client: string;
  /** Its key; undefined = none configured: every request of the connection is refused 1011. */
  key: Buffer | undefined;
}

export class TextSession implements FrameSource, DispatchTarget {
  private readonly decoder: PacketDecoder;
  private readonly assembler: PacketAssembler;
  /** By the seq given to each request's v1 header. */
  private readonly requests = new Map<number, Pending>();
  private seq = 0;
  private failed: FrameError | undefined;
  private socket: Socket | undefined;
  /** Why a packet of the request being reassembled failed its check code (undefined: all verified). */
  private checkProblem: string | undefined;
  private readonly checkKey: Buffer | undefined;

  constructor(
    readonly profile: FramingProfile,
    private readonly dispatcher: Pick<Dispatcher, 'answer' | 'layouts'>,
    private readonly clock: Clock,
    /** The interface's max_frame: no reassembled request body may exceed it either. */
    maxFrame: number,
    /** The peer's check-code key, on a profile with a check code. */
    private readonly check?: CheckKeyOf,
  ) {
    this.checkKey = check?.key;
    this.decoder = new PacketDecoder(profile, { now: () => clock.now() });
    this.assembler = new PacketAssembler(profile, {
      maxPackets: profile.role.packet ? profile.packets.maxRequestPackets : 1,
      maxBytes: Math.min(profile.packets.maxRequestBytes, maxFrame),
    });
  }

  /** The socket heartbeats are answered on (directly: a heartbeat is not a request). */
  attach(socket: Socket): void {
    this.socket = socket;
  }

  get pending(): number {
    return this.decoder.pending + this.assembler.pending;
  }

  /** Bytes in → v1 request headers out (60-byte frames without a body: the body waits here). Throws FrameError (with the frames before it) on a stream the profile refuses. */
  push(chunk: Buffer): Buffer[] {
    if (this.failed) {
      this.failed.frames = [];
      throw this.failed;
    }
    const frames: Buffer[] = [];
    try {
      let items: Item[];
      let decodeError: PacketError | undefined;
      try {
        items = this.decoder.push(chunk);
      } catch (err) {
        if (!(err instanceof PacketError)) throw err;
        items = err.items;
        decodeError = err;
      }
      for (const it of items) {
        if (it.kind === 'heartbeat') this.heartbeat();
        else {
          // Every packet's code is verified before its request can be dispatched; a request with
          // one failing packet is refused whole (1011), never run. Neither the key nor the code is
          // in the message (it goes to err.MMDD).
          if (this.profile.check && this.checkProblem === undefined) this.checkProblem = this.verify(it.packet);
          const msg = this.assembler.add(it.packet);
          if (msg) {
            const problem = this.checkProblem;
            this.checkProblem = undefined;
            frames.push(this.toFrame(msg.first, msg.body, problem));
          }
        }
      }
      if (decodeError) throw decodeError;
    } catch (err) {
      if (!(err instanceof PacketError)) throw err;
      const fe = new FrameError(err.rc, 0, err.detail ?? err.message, err.raw ? this.headerFor({ raw: err.raw, biz: this.bizOf(err.raw) }) : undefined);
      fe.frames = frames;
      this.failed = fe;
      throw fe;
    }
    return frames;
  }

  /** undefined when the packet's check code verifies; else why not. */
  private verify(pkt: Packet): string | undefined {
    const client = this.check?.client ?? '*';
    if (!this.checkKey) return `no check-code key is configured for client ${client} on this interface (docs/framing.md "Check codes")`;
    return verifyPacket(this.profile, this.checkKey, pkt.bytes) ? undefined : `check code of packet ${pkt.packetNo} does not verify under the key of client ${client}`;
  }

  private heartbeat(): void {
    const hb = this.profile.heartbeat!;
    const s = this.socket;
    if (!s || s.destroyed || !s.writable) return;
    const p = this.profile;
    const out = Buffer.allocUnsafe((p.start === undefined ? 0 : 1) + hb.reply.length + 1);
    let off = 0;
    if (p.start !== undefined) out[off++] = p.start;
    off += hb.reply.copy(out, off);
    out[off] = p.terminator;
    s.write(out);
  }

  private field(raw: Record<string, string>, f: HeaderField | undefined): string {
    return f ? unpad(f, raw[f.name]).trim() : '';
  }

  /** The business type of a request (protocol/framing/codes.ts); 0 = unknown (1003). */
  private bizOf(raw: Record<string, string>): number {
    return bizOfHeader(this.profile, raw);
  }

  /** A v1 header addressed to a request (its seq finds it again when the answer is written). */
  private headerFor(req: Pending, head?: Omit<RequestHead, 'biz' | 'seq'>): Header {
    this.seq = this.seq >= 0xffffffff ? 1 : this.seq + 1;
    this.requests.set(this.seq, req);
    return { version: PROTOCOL_VERSION, kind: KIND_REQUEST, biz: req.biz, seq: this.seq, serial: head?.serial ?? '', time: head?.time ?? '', operator: head?.operator ?? '', result: 0, reserved: 0 };
  }

  private toFrame(first: Packet, body: Buffer, checkProblem?: string): Buffer {
    const p = this.profile;
    const raw = first.raw;
    const req: Pending = { raw, biz: this.bizOf(raw) };
    if (checkProblem !== undefined) req.bodyError = new GatewayError('CHECK_CODE_FAILED', checkProblem);
    const serial = this.field(raw, p.role.serial);
    const operator = this.field(raw, p.role.operator);
    let time: string;
    if (p.role.time) {
      const t = raw[p.role.time.name];
      time = p.role.time.format === 'YYMMDDHHMMSS' ? `20${t}` : t;
    } else time = formatDateTimeMs(this.clock.now());
    const head = { serial, operator, time };
    if (p.correlation === 'serial' && serial === '' && req.bodyError === undefined) req.bodyError = new GatewayError('MALFORMED_HEADER', `${p.role.serial!.name} is blank; this profile matches replies to requests by serial`);
    const header = this.headerFor(req, head);
    try {
      // A header the v1 wire cannot carry (serial or operator not ASCII, too long; a bad time) is a
      // bad header, answered and closed as on v1.
      checkHeader(header);
    } catch (err) {
      this.requests.delete(header.seq);
      throw new PacketError('MALFORMED_HEADER', err instanceof GatewayError ? (err.detail ?? err.message) : String(err), raw);
    }
    // Unknown or unserved business types are answered by the dispatcher from the header alone.
    const layouts = this.dispatcher.layouts(req.biz);
    if (layouts && req.bodyError === undefined) {
      try {
        // Syntax only: the v1 rules (widths, GBK, codes, ranges...) are the dispatcher's (readRequest).
        req.body = decodeTextBody(p, layouts.request, body);
      } catch (err) {
        if (!(err instanceof GatewayError)) throw err;
        req.bodyError = err;
      }
    }
    const frame = Buffer.allocUnsafe(HEADER_SIZE);
    writeHeader(frame, 0, header, 0);
    return frame;
  }

  /** The dispatcher's answer written as text packets (`frame`: the header push() made). */
  async dispatch(header: Header, _frame: Buffer, origin: RequestOrigin): Promise<Buffer> {
    const req = this.requests.get(header.seq);
    let answer: TextAnswer | undefined;
    try {
      answer = await this.dispatcher.answer(header, req?.body, origin, req?.bodyError);
    } catch (err) {
      // An answer the v1 wire would carry but not read back (Dispatcher.answer): the connection
      // answers 9999 (errorAnswer), as when the v1 answer was decoded here.
      this.requests.delete(header.seq);
      throw err;
    }
    // No answer (a write in doubt at a stop) stays empty: the connection ends there.
    if (answer === undefined) {
      this.requests.delete(header.seq);
      return EMPTY;
    }
    return this.toText(header.seq, answer);
  }

  /** The dispatcher's answer → text packets for the request of `seq`. */
  private toText(seq: number, answer: TextAnswer): Buffer {
    const req = this.requests.get(seq) ?? { raw: {}, biz: 0 };
    this.requests.delete(seq);
    const result = answer.result;
    const layout = result === 0 ? this.dispatcher.layouts(req.biz)?.response : undefined;
    let body: Buffer;
    if (result === 0 && layout) body = encodeTextBody(this.profile, layout, answer.body ?? {});
    else if (result === 0) body = EMPTY;
    else body = encodeTextMessage(this.profile, answer.message);
    return this.packets(req.raw, result, body);
  }

  private packets(raw: Record<string, string>, result: number, body: Buffer): Buffer {
    const p = this.profile;
    const set: Record<string, string> = {};
    if (p.role.flag) set[p.role.flag.name] = result === 0 ? p.role.flag.yes! : p.role.flag.no!;
    if (p.role.error) set[p.role.error.name] = p.errors.table.get(result) ?? String(result).padStart(p.role.error.width, '0');
    const pkts = encodePackets(p, raw, body, this.checkKey, set);
    return pkts.length === 1 ? pkts[0] : Buffer.concat(pkts);
  }

  /** An error answer the connection makes itself (bad packet, 9004 at a stop, 9999). */
  errorAnswer(header: Header, err: GatewayError): Buffer {
    const req = this.requests.get(header.seq) ?? { raw: {}, biz: header.biz };
    this.requests.delete(header.seq);
    return this.packets(req.raw, err.code, encodeTextMessage(this.profile, err.wireMessage));
  }
}
