// PC-06 / CS-22: the ledger's REQUEST_HASH never carries a secret. A body with secret fields is
// hashed in its redacted form (a 6–8 digit password under a plain SHA-256 is recoverable by brute
// force); other bodies by their bytes, with the header operator.
import t from 'tap';
import { createHash } from 'node:crypto';
import { encodeRequest } from '../../protocol/message.js';
import { redact } from '../../protocol/redact.js';
import { handlerFor } from '../../handlers/index.js';
import { requestHash } from '../../src/idempotency.js';
import { HEADER_SIZE } from '../../protocol/header.js';

const change = handlerFor(122)!; // CS-22 password-change
const frame = (oldPassword: string, newPassword: string, operator = 'op1') =>
  encodeRequest({ biz: change.biz, seq: 1, serial: 'S1', time: '20261201120000', operator }, change.request, { svcnum: '13997025731', oldPassword, newPassword });

t.test('CS-22 / PC-06: a request with secret fields is hashed without them', async (t) => {
  const body = { svcnum: '13997025731', oldPassword: '768650', newPassword: '135790' };
  const f = frame(body.oldPassword, body.newPassword);
  const h = requestHash(f, redact(change.request, body));
  t.not(h, createHash('sha256').update(f.subarray(46, 56)).update(f.subarray(HEADER_SIZE)).digest('hex'), 'not the hash of the raw body');
  const other = { ...body, newPassword: '246801' };
  t.equal(requestHash(frame(other.oldPassword, other.newPassword), redact(change.request, other)), h, 'differs only in a secret: the same request');
  t.not(requestHash(frame(body.oldPassword, body.newPassword, 'op2'), redact(change.request, body)), h, 'another operator: another request');
  t.not(requestHash(f), h, 'without the redacted form the body bytes are hashed');
});
