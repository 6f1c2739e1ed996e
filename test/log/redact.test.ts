import t from 'tap';
import { SECRET_MASK } from '../../protocol/redact.js';
import { SECRET_KEYS, redactSecrets } from '../../src/log/redact.js';

// Written out here, not taken from SECRET_KEYS: removing a name from the list must fail this test.
const EXPECTED_SECRET_KEYS = [
  'password', 'passwd', 'pwd', 'svcpwd', 'svcPwd', 'pin', 'puk', 'puk1', 'puk2',
  'newPassword', 'oldPassword', 'new_password', 'old_password', 'newPwd', 'oldPwd',
];

t.test('the secret key list holds the expected names', async (t) => {
  t.same([...SECRET_KEYS].sort(), [...EXPECTED_SECRET_KEYS].sort());
});

t.test('the mask is the layout\'s SECRET_MASK', async (t) => {
  t.equal(SECRET_MASK, '[secret]');
  t.same(redactSecrets({ a: { b: { pin: '1234' } }, svcNum: '139' }), { a: { b: { pin: SECRET_MASK } }, svcNum: '139' });
});

t.test('every well-known secret key is redacted at the top, deep down and inside lists', async (t) => {
  for (const k of EXPECTED_SECRET_KEYS) {
    const got = redactSecrets({ [k]: 'x', a: { b: { c: { [k]: 'x' } } }, list: [{ [k]: 'x' }, 'plain'] });
    t.same(got, { [k]: SECRET_MASK, a: { b: { c: { [k]: SECRET_MASK } } }, list: [{ [k]: SECRET_MASK }, 'plain'] }, k);
  }
});

t.test('names are exact: near misses are kept', async (t) => {
  const rec = { Password: 'a', pins: 'b', svcNum: 'c' };
  t.equal(redactSecrets(rec), rec);
});

t.test('the caller\'s object is not mutated and an object without secrets is returned as is', async (t) => {
  const body = { svcNum: '139', pwd: '123456' };
  const rec = { seq: 1, body };
  const out = redactSecrets(rec);
  t.equal(body.pwd, '123456', 'caller object unchanged');
  t.not(out, rec);
  t.equal(out.body.pwd, SECRET_MASK);
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
