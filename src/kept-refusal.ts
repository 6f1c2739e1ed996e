// A write function's refusal whose writes still commit: the wrong-password counter of CS-22, the
// tombstone PC-04 writes for a reversal that arrives before its payment (so that the late payment
// is refused). A notion of the write's unit of work, not of the wire: the protocol layer knows
// only GatewayError (a code and a message); the dispatcher (src/dispatch.ts runWrite) answers a
// KeptRefusal with its code, commits the unit and keeps the refusal in the idempotency ledger, so
// a re-send is answered the same refusal (docs/idempotency.md). Any other throw rolls the unit
// back and nothing is remembered. On a read function it is an ordinary refusal.
import { GatewayError, type ReturnCodeName } from '../protocol/return-codes.js';

export class KeptRefusal extends GatewayError {
  constructor(rc: ReturnCodeName, detail?: string, options?: { cause?: unknown }) {
    super(rc, detail, options);
  }
}
