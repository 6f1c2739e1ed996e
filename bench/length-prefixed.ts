// The benches' minimal framing (a 4-byte length, then that many bytes), shared by the echo
// baseline and the load client so both sides of the comparison pay the same for it.

/** Calls `each` for every whole frame in `pending + chunk`; returns the bytes left over. */
export function eachFrame(pending: Buffer, chunk: Buffer, each: (frame: Buffer) => void): Buffer {
  const buf = pending.length ? Buffer.concat([pending, chunk]) : chunk;
  let off = 0;
  while (buf.length - off >= 4) {
    const len = buf.readUInt32BE(off);
    if (buf.length - off < 4 + len) break;
    each(buf.subarray(off, off + 4 + len));
    off += 4 + len;
  }
  return off === buf.length ? EMPTY : buf.subarray(off);
}

const EMPTY = Buffer.alloc(0);
