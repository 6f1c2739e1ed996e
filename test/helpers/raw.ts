// A raw TCP peer for tests that need to misbehave: write any bytes, read whatever comes back,
// know when and how the server closed.
import net from 'node:net';
import { FrameDecoder } from '../../protocol/frame.js';
import { decodeResponse } from '../../protocol/message.js';
import type { Layout } from '../../protocol/layout-types.js';

export interface RawPeer {
  socket: net.Socket;
  /** Bytes received so far. */
  received(): Buffer;
  /** Resolves when the server closed the connection (end or reset), with ms since connect. */
  closed: Promise<{ ms: number; hadError: boolean }>;
  write(buf: Buffer): Promise<void>;
  /** Responses decoded from everything received so far. */
  responses(layout?: Layout): ReturnType<typeof decodeResponse>[];
  /** Wait until n responses arrived (or reject after ms). */
  waitResponses(n: number, ms?: number, layout?: Layout): Promise<ReturnType<typeof decodeResponse>[]>;
  destroy(): void;
}

export function connectRaw(port: number, host = '127.0.0.1'): Promise<RawPeer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const chunks: Buffer[] = [];
    const t0 = Date.now();
    let onChunk: (() => void) | undefined;
    const closed = new Promise<{ ms: number; hadError: boolean }>((res) => {
      socket.on('close', (hadError) => res({ ms: Date.now() - t0, hadError }));
    });
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      onChunk?.();
    });
    socket.on('error', () => undefined);
    socket.once('connect', () => {
      const peer: RawPeer = {
        socket,
        received: () => Buffer.concat(chunks),
        closed,
        write: (buf) => new Promise<void>((r) => socket.write(buf, () => r())),
        responses(layout) {
          const d = new FrameDecoder({ maxFrame: 1 << 24 });
          return d.push(Buffer.concat(chunks)).map((f) => decodeResponse(f, layout));
        },
        waitResponses(n, ms = 5000, layout) {
          return new Promise((res, rej) => {
            const check = () => {
              const r = peer.responses(layout);
              if (r.length >= n) {
                onChunk = undefined;
                clearTimeout(timer);
                res(r);
              }
            };
            const timer = setTimeout(() => {
              onChunk = undefined;
              rej(new Error(`only ${peer.responses(layout).length} of ${n} responses within ${ms} ms`));
            }, ms);
            onChunk = check;
            check();
            closed.then(() => setTimeout(check, 10));
          });
        },
        destroy: () => socket.destroy(),
      };
      resolve(peer);
    });
    socket.once('error', reject);
  });
}
