import t from 'tap';
import { hashPassword, hashPasswordAsync, isHashed, scryptHash, scryptHashAsync, verifyPassword, verifyPasswordAsync } from '../../src/store/password.js';

// Low cost keeps the suite fast; the parameters travel in the string, so verification is the same code path.
const CHEAP = { N: 1024, r: 8, p: 1 };

t.test('plain storage keeps the legacy plain text and verifies it (CS-02)', async (t) => {
  const stored = hashPassword('123456', 'plain');
  t.equal(stored, '123456');
  t.equal(isHashed(stored), false);
  t.equal(verifyPassword('123456', stored), true);
  t.equal(verifyPassword('123457', stored), false);
  t.equal(verifyPassword('12345', stored), false, 'a prefix of the stored password is wrong');
  t.equal(verifyPassword('', stored), false);
  t.equal(await verifyPasswordAsync('123456', stored), true);
  t.equal(await verifyPasswordAsync('654321', stored), false);
});

t.test('scrypt storage writes scrypt$N$r$p$salt$hash with a random 16-byte salt', async (t) => {
  const a = hashPassword('123456', 'scrypt', CHEAP);
  const b = hashPassword('123456', 'scrypt', CHEAP);
  t.match(a, /^scrypt\$1024\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
  t.not(a, b, 'two hashes of one password differ (random salt)');
  t.equal(Buffer.from(a.split('$')[4], 'base64').length, 16);
  t.equal(isHashed(a), true);
  t.notOk(a.includes('123456'), 'the hash does not contain the password');
});

t.test('a scrypt hash verifies the right password and rejects a wrong one (CS-02, PC-01)', async (t) => {
  const stored = hashPassword('880731', 'scrypt', CHEAP);
  t.equal(verifyPassword('880731', stored), true);
  t.equal(verifyPassword('880732', stored), false);
  t.equal(verifyPassword('', stored), false);
  t.equal(await verifyPasswordAsync('880731', stored), true);
  t.equal(await verifyPasswordAsync('000000', stored), false);
  const asyncStored = await hashPasswordAsync('密码1', 'scrypt', CHEAP);
  t.equal(verifyPassword('密码1', asyncStored), true, 'non-ASCII passwords hash and verify');
  t.equal(await hashPasswordAsync('x', 'plain'), 'x');
});

t.test('the default cost is recorded in the hash and verifies', async (t) => {
  const stored = hashPassword('246810', 'scrypt');
  t.match(stored, /^scrypt\$16384\$8\$1\$/);
  t.equal(await verifyPasswordAsync('246810', stored), true);
  t.equal(await verifyPasswordAsync('246811', stored), false);
});

t.test('a given salt gives a reproducible hash (the demo generator relies on it)', async (t) => {
  const salt = Buffer.alloc(16, 7);
  t.equal(scryptHash('111111', salt, CHEAP), scryptHash('111111', salt, CHEAP));
  t.not(scryptHash('111111', salt, CHEAP), scryptHash('111112', salt, CHEAP));
  t.equal(await scryptHashAsync('111111', salt, CHEAP), scryptHash('111111', salt, CHEAP), 'the thread-pool variant gives the same hash');
  t.throws(() => scryptHash('1', salt, { N: 1000, r: 8, p: 1 }), RangeError);
  await t.rejects(scryptHashAsync('1', salt, { N: 1 << 22, r: 8, p: 1 }), RangeError);
});

t.test('hashPasswordAsync refuses out-of-range parameters as hashPassword does', async (t) => {
  for (const bad of [{ N: 1 << 22, r: 8, p: 1 }, { N: 1000, r: 8, p: 1 }, { N: 1024, r: 0, p: 1 }, { N: 1024, r: 8, p: 17 }]) {
    t.throws(() => hashPassword('1', 'scrypt', bad), RangeError, `sync refuses ${JSON.stringify(bad)}`);
    await t.rejects(hashPasswordAsync('1', 'scrypt', bad), RangeError, `async refuses ${JSON.stringify(bad)}`);
  }
  t.equal(await hashPasswordAsync('1', 'plain', { N: 1 << 22, r: 8, p: 1 }), '1', 'plain storage ignores the parameters');
});

t.test('malformed or absurd scrypt strings never match and never throw', async (t) => {
  const good = hashPassword('123456', 'scrypt', CHEAP);
  const parts = good.split('$');
  const bad = [
    'scrypt$',
    'scrypt$1024$8$1$abc',
    `scrypt$1000$8$1$${parts[4]}$${parts[5]}`, // N not a power of two
    `scrypt$${1 << 24}$8$1$${parts[4]}$${parts[5]}`, // N too large: would stall the process
    `scrypt$1024$8$1$${parts[4]}$`, // empty hash
    `scrypt$-1024$8$1$${parts[4]}$${parts[5]}`,
    `scrypt$1024$x$1$${parts[4]}$${parts[5]}`,
  ];
  for (const s of bad) {
    t.equal(verifyPassword('123456', s), false, s.slice(0, 24));
    t.equal(await verifyPasswordAsync('123456', s), false);
  }
  // A legacy plain password that happens to contain '$' is still plain text.
  t.equal(verifyPassword('a$b', 'a$b'), true);
});
