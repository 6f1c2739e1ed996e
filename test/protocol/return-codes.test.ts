import t from 'tap';
import { RETURN_CODES, returnCode, codeFamily, GatewayError } from '../../protocol/return-codes.js';

t.test('every return code is unique, in its family, and found by code', async (t) => {
  const seen = new Set<number>();
  for (const [name, row] of Object.entries(RETURN_CODES)) {
    t.notOk(seen.has(row.code), `${name} code ${row.code} is unique`);
    seen.add(row.code);
    t.equal(returnCode(row.code)?.name, name);
    t.not(codeFamily(row.code), 'unknown', `${name} is in a family`);
  }
});

t.test('GatewayError carries its wire code and message', async (t) => {
  const e = new GatewayError('NO_SUBSCRIBER', '13900000000');
  t.equal(e.code, 2001);
  t.equal(e.wireMessage, '无此用户: 13900000000');
});
