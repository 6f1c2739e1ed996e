// Framing: whole frames out of a byte stream (as node-postgres's pg-protocol Parser does). A frame is a
// 4-byte big-endian length followed by that many bytes. The decoder never parses fields; it
// only checks the length field, as soon as its 4 bytes are present and before buffering the
// rest, so an oversized frame is refused without reading (or holding) its body.
import { GatewayError, type ReturnCodeName } from './return-codes.js';
import { decodeHeader, HEADER_SIZE, LENGTH_SIZE, MIN_FRAME_LENGTH, type Header } from './header.js';

/**
 * A framing error: FRAME_TOO_SHORT or FRAME_TOO_LARGE. `header` is set when at least 60 bytes
 * of the offending frame were already buffered and decode, so the server can answer with the
 * right seq before closing; otherwise it is undefined.
 */
export class FrameError extends GatewayError {
  readonly header?: Header;
  /** The offending value of the length field. */
  readonly length: number;
  /**
   * Whole frames that came before the bad one in the push that raised this error (the server
   * may still answer them before closing). Later pushes rethrow this same object: do not push
   * again after an error.
   */
  frames: Buffer[] = [];
  // FRAME_TOO_SHORT / FRAME_TOO_LARGE here; a text framing profile raises others (src/server/text-session.ts).
  constructor(rc: ReturnCodeName, length: number, detail: string, header?: Header) {
    super(rc, detail);
    this.name = 'FrameError';
    this.length = length;
    this.header = header;
  }
}

export interface FrameDecoderOptions {
  /** Largest accepted value of the length field (the interface's max_frame). */
  maxFrame: number;
}

export class FrameDecoder {
  readonly maxFrame: number;
  // Received bytes not yet returned as frames, in arrival order. Chunks are only concatenated
  // once a whole frame is present, so a frame trickling in byte by byte costs linear time.
  private chunks: Buffer[] = [];
  private buffered = 0;
  // Total size (incl. the length field) of the frame being assembled, or -1 while unknown.
  private need = -1;
  private error: FrameError | undefined;

  constructor(opts: FrameDecoderOptions) {
    const { maxFrame } = opts;
    if (!Number.isInteger(maxFrame) || maxFrame < MIN_FRAME_LENGTH || maxFrame > 0xffffffff) {
      throw new RangeError(`maxFrame must be an integer ${MIN_FRAME_LENGTH}..${0xffffffff}`);
    }
    this.maxFrame = maxFrame;
  }

  /** Bytes of an incomplete frame held (0 = idle, between frames). */
  get pending(): number {
    return this.buffered;
  }

  /** The error that killed the decoder, if any. */
  get failed(): FrameError | undefined {
    return this.error;
  }

  /**
   * Feed received bytes; returns the frames completed by them (each including its length
   * field), possibly none. Throws FrameError on a bad length field; the decoder is then dead
   * and every later push throws the same error.
   */
  push(chunk: Buffer): Buffer[] {
    if (this.error) {
      // The frames before the error were handed over with the first throw: not again.
      this.error.frames = [];
      throw this.error;
    }
    const frames: Buffer[] = [];
    try {
      return this.pushInto(chunk, frames);
    } catch (err) {
      if (err instanceof FrameError) err.frames = frames;
      throw err;
    }
  }

  private pushInto(chunk: Buffer, frames: Buffer[]): Buffer[] {
    if (this.buffered === 0) {
      // Fast path: nothing held; cut whole frames straight out of the chunk, zero copy.
      let off = 0;
      while (chunk.length - off >= LENGTH_SIZE) {
        const total = this.check(chunk, off, chunk.length - off);
        if (chunk.length - off < total) break;
        // The whole chunk is one frame (one request at a time): the chunk itself, no new view.
        frames.push(off === 0 && total === chunk.length ? chunk : chunk.subarray(off, off + total));
        off += total;
      }
      if (off < chunk.length) {
        this.chunks.push(off === 0 ? chunk : chunk.subarray(off));
        this.buffered = chunk.length - off;
        if (this.buffered >= LENGTH_SIZE) this.need = this.readLength();
      }
      return frames;
    }
    if (chunk.length === 0) return frames;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.need < 0) {
        if (this.buffered < LENGTH_SIZE) break;
        this.need = this.readLength();
      }
      if (this.buffered < this.need) break;
      frames.push(this.take(this.need));
      this.need = -1;
    }
    return frames;
  }

  /** Check the length field at `off` of `buf` (`avail` bytes of this frame present); returns the frame's total size. */
  private check(buf: Buffer, off: number, avail: number): number {
    const length = buf.readUInt32BE(off);
    if (length >= MIN_FRAME_LENGTH && length <= this.maxFrame) return LENGTH_SIZE + length;
    let header: Header | undefined;
    // A too-short frame never has 60 bytes of its own; a too-large one may already have its header.
    if (length >= MIN_FRAME_LENGTH && avail >= HEADER_SIZE) {
      try {
        header = decodeHeader(buf.subarray(off, off + HEADER_SIZE));
      } catch {
        header = undefined;
      }
    }
    this.error =
      length < MIN_FRAME_LENGTH
        ? new FrameError('FRAME_TOO_SHORT', length, `length ${length} < ${MIN_FRAME_LENGTH}`)
        : new FrameError('FRAME_TOO_LARGE', length, `length ${length} > max_frame ${this.maxFrame}`, header);
    this.chunks = [];
    this.buffered = 0;
    throw this.error;
  }

  /** Check the length field at the front of the held chunks (at least 4 bytes are held). */
  private readLength(): number {
    const first = this.chunks[0];
    if (first.length >= HEADER_SIZE || (first.length >= LENGTH_SIZE && this.buffered === first.length)) {
      return this.check(first, 0, first.length);
    }
    // The length field (or the header a FrameError would carry) spans chunks: gather up to 60 bytes.
    const head = this.peek(Math.min(HEADER_SIZE, this.buffered));
    return this.check(head, 0, head.length);
  }

  /** Copy of the first n held bytes (n ≤ buffered), without consuming them. */
  private peek(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    for (let i = 0; at < n; i++) {
      const c = this.chunks[i];
      const k = Math.min(c.length, n - at);
      c.copy(out, at, 0, k);
      at += k;
    }
    return out;
  }

  /** Remove and return the first n held bytes; one copy when they span several chunks. */
  private take(n: number): Buffer {
    const first = this.chunks[0];
    let out: Buffer;
    let used: number; // whole chunks consumed
    let rest: number; // bytes consumed from the next chunk
    if (first.length >= n) {
      out = first.subarray(0, n);
      used = first.length === n ? 1 : 0;
      rest = first.length === n ? 0 : n;
    } else {
      out = Buffer.allocUnsafe(n);
      let at = 0;
      let i = 0;
      while (at + this.chunks[i].length <= n) {
        this.chunks[i].copy(out, at);
        at += this.chunks[i].length;
        i++;
        if (at === n) break;
      }
      used = i;
      rest = n - at;
      if (rest > 0) this.chunks[i].copy(out, at, 0, rest);
    }
    if (used > 0) this.chunks.splice(0, used);
    if (rest > 0) this.chunks[0] = this.chunks[0].subarray(rest);
    this.buffered -= n;
    return out;
  }
}
