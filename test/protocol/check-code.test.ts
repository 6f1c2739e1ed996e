// Issue 19 check codes: known-answer tests of the primitives from published vectors.
import t from 'tap';
import { checkCode, desCbc, hmacSha256, mac9797Alg3, pad9797, sameCode } from '../../protocol/framing/check-code.js';

const hex = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');

t.test('issue 19 HMAC-SHA-256: RFC 4231 test cases 1 and 2', async (t) => {
  t.equal(hmacSha256(Buffer.alloc(20, 0x0b), Buffer.from('Hi There')).toString('hex'), 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7', 'case 1');
  t.equal(hmacSha256(Buffer.from('Jefe'), Buffer.from('what do ya want for nothing?')).toString('hex'), '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843', 'case 2');
  t.ok(checkCode('hmac-sha256', Buffer.from('Jefe'), Buffer.from('what do ya want for nothing?')).equals(hex('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843')));
});

t.test('issue 19 DES (single, through des-ede3 with K1 = K2 = K3): the textbook vector 133457799BBCDFF1 / 0123456789ABCDEF → 85E813540F0AB405', async (t) => {
  t.equal(desCbc(hex('133457799BBCDFF1'), hex('0123456789ABCDEF')).toString('hex').toUpperCase(), '85E813540F0AB405');
});

t.test('issue 19 3DES MAC: ISO/IEC 9797-1 MAC algorithm 3, Annex B ("Now is the time for all ", K = 0123456789ABCDEF FEDCBA9876543210, padding 1) → A1C72E74EA3FA9B6', async (t) => {
  const key = hex('0123456789ABCDEF FEDCBA9876543210');
  t.equal(mac9797Alg3(key, Buffer.from('Now is the time for all ')).toString('hex').toUpperCase(), 'A1C72E74EA3FA9B6');
  t.ok(checkCode('3des-mac', key, Buffer.from('Now is the time for all ')).equals(hex('A1C72E74EA3FA9B6')));
  t.not(mac9797Alg3(key, Buffer.from('Now is the time for all!')).toString('hex').toUpperCase(), 'A1C72E74EA3FA9B6', 'one byte changed, another code');
  t.throws(() => mac9797Alg3(Buffer.alloc(8), Buffer.from('x')), /16 bytes/, 'a key of the wrong length is refused');
});

t.test('issue 19 ISO/IEC 9797-1 padding methods 1 and 2; codes compared in constant time', async (t) => {
  t.equal(pad9797(Buffer.alloc(0), 1).length, 8, 'method 1: empty data is one zero block');
  t.equal(pad9797(Buffer.alloc(8, 1), 1).length, 8, 'method 1: a whole block is not padded');
  t.same([...pad9797(Buffer.alloc(8, 1), 2).subarray(8)], [0x80, 0, 0, 0, 0, 0, 0, 0], 'method 2: always a 0x80 byte');
  t.ok(sameCode(hex('A1C72E74EA3FA9B6'), hex('A1C72E74EA3FA9B6')));
  t.notOk(sameCode(hex('A1C72E74EA3FA9B6'), hex('A1C72E74EA3FA9B7')));
  t.notOk(sameCode(hex('A1C72E74EA3FA9B6'), hex('A1C72E74EA3FA9')));
});
