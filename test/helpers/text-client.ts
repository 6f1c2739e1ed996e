// A test client speaking a text framing profile (issue 19) over a real socket: writes request
// packets, reads reply packets (reassembling multi-packet replies) and decodes them by layout.
import net from 'node:net';
import { encodePackets, PacketAssembler, PacketDecoder, unpad, type Packet } from '../../protocol/framing/packet.js';
import type { FramingProfile } from '../../protocol/framing/profile.js';
import { decodeTextBody, encodeTextBody } from '../../protocol/framing/text-body.js';
import { gbkDecode } from '../../protocol/gbk.js';
import type { BodyRecord, Layout } from '../../protocol/layout-types.js';

export interface TextReply {
  /** Header fields of the first packet, as on the wire. */
  raw: Record<string, string>;
  /** The error code field, unpadded as written ("00000"). */
  error: string;
  flag: string;
  packets: number;
  /** Every byte of every packet of the reply, as received. */
  bytes: Buffer;
  body: Buffer;
}

export class TextClient {
  private readonly decoder: PacketDecoder;
  private readonly assembler: PacketAssembler;
  private readonly waiting: ((r: TextReply) => void)[] = [];
  private readonly ready: TextReply[] = [];
  private chunks: Buffer[] = [];
  private failure: Error | undefined;
  private ended = false;
  heartbeats = 0;

  private constructor(
    readonly profile: FramingProfile,
    readonly socket: net.Socket,
    /** On a profile with a check code: the key requests are signed with. */
    readonly checkKey?: Buffer,
  ) {
    this.decoder = new PacketDecoder(profile);
    this.assembler = new PacketAssembler(profile, { maxPackets: 10_000, maxBytes: 64 * 1024 * 1024 });
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('end', () => {
      this.ended = true;
    });
    socket.on('error', (e) => {
      this.failure = e;
    });
  }

  static connect(profile: FramingProfile, port: number, checkKey?: Buffer): Promise<TextClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => resolve(new TextClient(profile, s, checkKey)));
      s.once('error', reject);
    });
  }

  private onData(d: Buffer): void {
    for (const it of this.decoder.push(d)) {
      if (it.kind === 'heartbeat') {
        this.heartbeats++;
        continue;
      }
      const msg = this.assembler.add(it.packet);
      this.chunks.push(rawOf(this.profile, it.packet));
      if (!msg) continue;
      const reply = this.reply(msg.first, msg.body, msg.packets, Buffer.concat(this.chunks));
      this.chunks = [];
      const w = this.waiting.shift();
      if (w) w(reply);
      else this.ready.push(reply);
    }
  }

  private reply(first: Packet, body: Buffer, packets: number, bytes: Buffer): TextReply {
    const p = this.profile;
    return {
      raw: first.raw,
      error: p.role.error ? first.raw[p.role.error.name] : '',
      flag: p.role.flag ? first.raw[p.role.flag.name] : '',
      packets,
      bytes,
      body,
    };
  }

  /** Write raw bytes (framer tests). */
  write(b: Buffer): void {
    this.socket.write(b);
  }

  /** The next reply (rejects after `ms`, or when the connection ended without one). */
  next(ms = 20_000): Promise<TextReply> {
    const r = this.ready.shift();
    if (r) return Promise.resolve(r);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply within ${ms} ms${this.ended ? ' (connection ended)' : ''}${this.failure ? ` (${this.failure.message})` : ''}`)), ms);
      this.waiting.push((x) => {
        clearTimeout(timer);
        resolve(x);
      });
    });
  }

  /** Send one request (header values by field name) and wait for its reply. */
  async call(values: Record<string, string>, layout: Layout, body: BodyRecord): Promise<TextReply> {
    for (const pkt of encodePackets(this.profile, values, encodeTextBody(this.profile, layout, body), this.checkKey)) this.socket.write(pkt);
    return this.next();
  }

  /** Resolves once the server closed the connection. */
  closed(ms = 20_000): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.socket.destroyed || this.ended) return resolve();
      const timer = setTimeout(() => reject(new Error(`not closed within ${ms} ms`)), ms);
      this.socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.socket.once('end', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

function rawOf(p: FramingProfile, pkt: Packet): Buffer {
  // For byte comparisons of whole replies: the header as read plus the body.
  const head = p.header.map((f) => pkt.raw[f.name]).join('');
  return Buffer.concat([Buffer.from(head, 'latin1'), pkt.body]);
}

/** The decoded body of a successful reply, or the message of a refusal. */
export function replyBody(p: FramingProfile, layout: Layout, r: TextReply): BodyRecord {
  return decodeTextBody(p, layout, r.body);
}

export function replyMessage(r: TextReply): string {
  return gbkDecode(r.body);
}

export function errorField(p: FramingProfile, r: TextReply): string {
  return p.role.error ? unpad(p.role.error, r.raw[p.role.error.name]) : '';
}
