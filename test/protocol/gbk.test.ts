import t from 'tap';
import {
  gbkBoundary,
  gbkByteLength,
  gbkDecode,
  gbkEncode,
  gbkEncodeStrict,
  GbkDecodeError,
  gbkTruncate,
  truncateToBytes,
} from '../../protocol/gbk.js';

t.test('ASCII and GBK double-byte text round-trip', async (t) => {
  for (const s of ['', 'abc 123', '青海省西宁市', 'GPRS流量', '€']) {
    t.equal(gbkDecode(gbkEncode(s)), s);
  }
  t.same([...gbkEncode('成功')], [0xb3, 0xc9, 0xb9, 0xa6]);
});

t.test('invalid GBK bytes throw GbkDecodeError (fatal decoder, no U+FFFD)', async (t) => {
  t.throws(() => gbkDecode(Buffer.from([0xff])), GbkDecodeError);
  t.throws(() => gbkDecode(Buffer.from([0xb3])), GbkDecodeError, 'a lead byte with no trail byte');
  t.throws(() => gbkDecode(Buffer.from([0x41, 0xb3, 0x0a])), GbkDecodeError);
  t.throws(() => gbkDecode(Buffer.from([0x41, 0xff, 0x42])), GbkDecodeError, '0xFF, which ICU maps to U+F8F5');
  t.throws(() => gbkDecode(Buffer.from([0x81, 0x7f])), GbkDecodeError, 'trail byte 0x7F');
  t.throws(() => gbkDecode(Buffer.from([0x81, 0x20])), GbkDecodeError, 'trail byte below 0x40');
  t.equal(gbkDecode(Buffer.from([0xa1, 0x40])), '\ue4c6', 'CP936 user-defined area decodes to Private Use, as iconv-lite encodes it');
  t.same([...gbkEncode('\ue4c6')], [0xa1, 0x40]);
  t.throws(() => gbkDecode(Buffer.from([0x81, 0x30, 0x81, 0x30])), GbkDecodeError, 'GB18030 four-byte sequences are not GBK');
  t.equal(gbkDecode(Buffer.from([0x80])), '€');
});

t.test('byte length counts two bytes per Chinese character', async (t) => {
  t.equal(gbkByteLength('abc'), 3);
  t.equal(gbkByteLength('张三a'), 5);
});

t.test('a character outside GBK is refused by the strict encoder', async (t) => {
  t.equal(gbkEncodeStrict('😀'), undefined);
  t.same(gbkEncodeStrict('a?'), Buffer.from('a?'));
  t.same(gbkEncodeStrict('张?'), Buffer.from([0xd5, 0xc5, 0x3f]));
});

t.test('truncation never splits a double-byte character', async (t) => {
  t.equal(truncateToBytes('张三李四', 5), '张三');
  t.equal(truncateToBytes('a张三', 2), 'a');
  t.equal(truncateToBytes('a张三', 3), 'a张');
  t.equal(truncateToBytes('abcdef', 4), 'abcd');
  t.equal(truncateToBytes('张三', 4), '张三');
  t.equal(gbkTruncate('张三', 3).length, 2);
  t.equal(gbkBoundary(Buffer.from([0x41, 0xd5, 0xc5, 0x41]), 2), 1);
  t.equal(gbkBoundary(Buffer.from([0x41, 0xd5, 0xc5, 0x41]), 3), 3);
});
