import t from 'tap';
import { REDACTED, SECRET_KEYS, redactSecrets } from '../../src/log/redact.js';

t.test('every well-known secret key is redacted at the top, deep down and inside lists', async (t) => {
  for (const k of SECRET_KEYS) {
    const got = redactSecrets({ [k]: 'x', a: { b: { c: { [k]: 'x' } } }, list: [{ [k]: 'x' }, 'plain'] });
    t.same(got, { [k]: REDACTED, a: { b: { c: { [k]: REDACTED } } }, list: [{ [k]: REDACTED }, 'plain'] }, k);
  }
});

t.test('the caller\'s object is not mutated and an object without secrets is returned as is', async (t) => {
  const body = { svcNum: '139', pwd: '123456' };
  const rec = { seq: 1, body };
  const out = redactSecrets(rec);
  t.equal(body.pwd, '123456', 'caller object unchanged');
  t.not(out, rec);
  t.equal(out.body.pwd, REDACTED);
  const clean = { seq: 1, body: { svcNum: '139' } };
  t.equal(redactSecrets(clean), clean, 'no copy when there is nothing to redact');
});

t.test('errors, dates and buffers pass unchanged; an undefined secret stays undefined', async (t) => {
  const err = new Error('boom');
  const d = new Date(0);
  const b = Buffer.from('ab');
  const out = redactSecrets({ err, d, b, password: undefined });
  t.equal(out.err, err);
  t.equal(out.d, d);
  t.equal(out.b, b);
  t.equal(out.password, undefined);
});
