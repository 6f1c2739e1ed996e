// The client side of a connection: the seq numbering of requests, and replies read out of the
// received bytes (whole frames first, then each one's header). The typed client (src/client.ts)
// and the card-system simulator (src/sim/card.ts) both read replies with it. It never touches
// the socket: the caller feeds what it received, and closes the connection when push says the
// stream cannot be read any further.
import { FrameDecoder } from './frame.js';
import { decodeHeader, type Header } from './header.js';

/** Why the received bytes cannot be read: a bad length field ('frame') or a bad header ('header'). */
export interface ReplyStreamError {
  readonly what: 'frame' | 'header';
  readonly message: string;
}

export class ReplyReader {
  private decoder: FrameDecoder;
  private seq = 1;

  constructor(private readonly maxFrame: number) {
    this.decoder = new FrameDecoder({ maxFrame });
  }

  /** The seq of the next request: 1, 2, … 0xffffffff, then 1 again (seq 0 is the server speaking unasked). */
  nextSeq(): number {
    const seq = this.seq;
    this.seq = seq >= 0xffffffff ? 1 : seq + 1;
    return seq;
  }

  /** A new connection: bytes of the old one are forgotten; the seq numbering goes on. */
  reset(): void {
    this.decoder = new FrameDecoder({ maxFrame: this.maxFrame });
  }

  /**
   * Feed received bytes: onReply(header, frame) for each whole frame (the frame includes its
   * length field). Returns undefined, or why the stream cannot be read: after a bad header the
   * frames before it have been handed over, after a bad length field none of this chunk's; the
   * caller then closes the connection.
   */
  push(chunk: Buffer, onReply: (header: Header, frame: Buffer) => void): ReplyStreamError | undefined {
    let frames: Buffer[];
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      return { what: 'frame', message: (err as Error).message };
    }
    for (const frame of frames) {
      let header: Header;
      try {
        header = decodeHeader(frame);
      } catch (err) {
        return { what: 'header', message: (err as Error).message };
      }
      onReply(header, frame);
    }
    return undefined;
  }
}
