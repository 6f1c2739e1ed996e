// The check code of a packet (验证码; docs/framing.md "Check codes"): the bytes a profile's `check`
// block covers — header fields as they are on the wire, padding included, or their first/last n
// bytes, and/or the packet's body — concatenated in the declared order, run through the declared
// algorithm (protocol/framing/check-code.ts) under the client's key, the leading `bytes` of the
// result written in the check field as base64 or hex, left-aligned and padded. The gateway
// verifies the code of every request packet before the request is dispatched and writes one in
// every reply packet; the text client does the reverse.
import { checkCode, sameCode } from './check-code.js';
import { padField, unpad, type CheckSpec, type FramingProfile } from './profile.js';

function startOf(p: FramingProfile): number {
  return p.start === undefined ? 0 : 1;
}

/** The bytes the code of a whole packet (start byte through terminator) covers. */
export function coveredBytes(p: FramingProfile, c: CheckSpec, pkt: Buffer): Buffer {
  const h = startOf(p);
  const parts: Buffer[] = [];
  for (const cov of c.covers) {
    if (cov.kind === 'body') parts.push(pkt.subarray(h + p.headerSize, pkt.length - 1));
    else {
      const a = h + cov.field.offset;
      const b = a + cov.field.width;
      parts.push(cov.first !== undefined ? pkt.subarray(a, a + cov.first) : cov.last !== undefined ? pkt.subarray(b - cov.last, b) : pkt.subarray(a, b));
    }
  }
  return Buffer.concat(parts);
}

/** The code of a packet under `key`, as its check field's text (unpadded). */
export function packetCode(p: FramingProfile, key: Buffer, pkt: Buffer): string {
  const c = p.check!;
  const mac = checkCode(c.algorithm, key, coveredBytes(p, c, pkt), c.padding).subarray(0, c.bytes);
  return c.encoding === 'base64' ? mac.toString('base64') : c.encoding === 'hex' ? mac.toString('hex') : mac.toString('hex').toUpperCase();
}

/** Write the code of a packet into its check field (in place). */
export function signPacket(p: FramingProfile, key: Buffer, pkt: Buffer): void {
  const c = p.check!;
  pkt.write(padField(c.field, packetCode(p, key, pkt)), startOf(p) + c.field.offset, c.field.width, 'latin1');
}

/** Whether a packet's check field holds its code under `key` (hex read in either case); compared in constant time. */
export function verifyPacket(p: FramingProfile, key: Buffer, pkt: Buffer): boolean {
  const c = p.check!;
  const at = startOf(p) + c.field.offset;
  let got = unpad(c.field, pkt.toString('latin1', at, at + c.field.width));
  let want = packetCode(p, key, pkt);
  if (c.encoding !== 'base64') {
    got = got.toUpperCase();
    want = want.toUpperCase();
  }
  return sameCode(Buffer.from(got, 'latin1'), Buffer.from(want, 'latin1'));
}
