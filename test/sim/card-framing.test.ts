// Issue 19 ("the tools speak it too"), PC-03 PC-04 PC-06: `bssgate sim card --framing <profile>`
// pays over a text framing profile. Over the shipped card-recharge profile ('@', fixed-width body
// in yuan, replies matched by serial, a 3DES check code with the client's key from
// BSSGATE_CHECK_KEY_<CLIENT> or the gateway's key file) to a real gateway on SQLite: every
// transaction re-sent with the same serial and bytes (a retry storm) is posted once, every replay
// carries the first reply's bytes; a wrong key is refused 1011 and posts nothing.
import t, { type Test } from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadFramingProfile } from '../../protocol/framing/packet.js';
import { simCardCommand, simFraming, type SimCardCliOptions } from '../../src/sim/card.js';
import { handlerSuite, type Harness } from '../helpers/seeded.js';

const profileFile = (n: string) => fileURLToPath(new URL(`../../config/framing/${n}.json`, import.meta.url));
const CARD = loadFramingProfile(profileFile('card-recharge'));
/** The key of the unconfigured peer `*` on the gateway's card-recharge interface (ISO/IEC 9797-1 Annex B test key). */
const KEY = '0123456789ABCDEFFEDCBA9876543210';
const OTHER_KEY = 'FEDCBA98765432100123456789ABCDEF';

function tmp(t: Test): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bssgate-simtext-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const base: SimCardCliOptions = { rate: '0', connections: '2', pipeline: '1', resendAfter: '200ms', reversals: '20', amounts: '100-900', client: 'card', operator: 'CARDSIM', concurrent: '30' };
const noDb = { loadConfig: () => { throw new Error('not used'); }, openStore: () => Promise.reject(new Error('not used')) };

t.test('issue 19 sim card --framing: the profile, its key and header fields are checked before anything is sent', async (t) => {
  const dir = tmp(t);
  t.equal(simFraming({ client: 'card' }, undefined, {}), undefined, 'no profile: v1');
  t.throws(() => simFraming({ client: 'card', checkKeys: 'x' }, undefined, {}), /--check-keys and --header are for a text framing profile/);
  t.equal(simFraming({ client: 'card', framing: profileFile('h2') }, undefined, {})?.profile.name, 'h2', 'h2 loads…');
  await t.rejects(simCardCommand({ host: '127.0.0.1', port: 1 }, { ...base, count: '1', numbers: '13997000001', framing: profileFile('h2') }, { ...noDb, env: {} }), /profile h2 has no serial field: payments and reversals cannot be sent over it/, '…but cannot carry payments');
  t.throws(() => simFraming({ client: 'hall', framing: profileFile('card-recharge') }, undefined, {}), /no key for client "hall" was found: set BSSGATE_CHECK_KEY_HALL or BSSGATE_CHECK_KEY \(hex\)/);
  t.throws(() => simFraming({ client: 'card', framing: profileFile('card-recharge') }, undefined, { BSSGATE_CHECK_KEY_CARD: 'zz' }), /BSSGATE_CHECK_KEY_CARD.*\(not shown\) is not hexadecimal/);
  t.throws(() => simFraming({ client: 'card', framing: profileFile('card-recharge'), header: ['phone'] }, undefined, { BSSGATE_CHECK_KEY: KEY }), /--header "phone": expected name=value/);
  t.throws(() => simFraming({ client: 'card', framing: profileFile('bss86'), checkKeys: 'k' }, undefined, {}), /--check-keys: profile bss86 declares no check code/);
  // The gateway's key file, under the gateway's rules: mode 0600; other clients' lines are passed over.
  const kf = path.join(dir, 'recharge.keys');
  fs.writeFileSync(kf, `# the gateway's file\nHALL = ${OTHER_KEY}\ncard = ${KEY}\n`, { mode: 0o644 });
  fs.chmodSync(kf, 0o644);
  t.throws(() => simFraming({ client: 'card', framing: profileFile('card-recharge'), checkKeys: kf }, undefined, {}), /--check-keys: .*recharge\.keys is readable or writable by group or others \(mode 0644\)/);
  fs.chmodSync(kf, 0o600);
  t.equal(simFraming({ client: 'card', framing: profileFile('card-recharge'), checkKeys: kf }, undefined, {})!.checkKey!.toString('hex').toUpperCase(), KEY, "the client's line of the key file");
  t.equal(simFraming({ client: 'card', framing: profileFile('card-recharge'), checkKeys: kf }, undefined, { BSSGATE_CHECK_KEY_CARD: OTHER_KEY })!.checkKey!.toString('hex').toUpperCase(), OTHER_KEY, 'the environment wins over the file');
  t.equal(simFraming({ client: 'card' }, profileFile('card-recharge'), { BSSGATE_CHECK_KEY: KEY })!.profile.name, 'card-recharge', "an interface named from -c FILE: its framing, the key of '*'");
});

async function payingNumbers(h: Harness): Promise<string[]> {
  return (await h.sql<{ svcnum: string }>('SELECT SVCNUM AS svcnum FROM TAB_SUBSCRB WHERE STATUS IN (1, 3) ORDER BY SVCNUM')).map((r) => String(r.svcnum)).slice(0, 8);
}

handlerSuite(
  'issue 19 PC-03 PC-04 PC-06 bssgate sim card over the card-recharge text profile against the gateway',
  async (t, h) => {
    t.test('a retry storm over card-recharge: every transaction re-sent with the same serial is posted once; every replay is the first reply', async (t) => {
      const dir = tmp(t);
      const ledger = path.join(dir, 'ledger.jsonl');
      let out = '';
      const code = await simCardCommand(
        { host: '127.0.0.1', port: h.portOf('recharge') },
        { ...base, rate: '100', seed: '19', count: '40', duplicates: '1-2', ledger, numbers: (await payingNumbers(h)).join(','), serialPrefix: 'TXTSIM', framing: profileFile('card-recharge'), header: ['accessId=001', 'bizType=01'], json: true },
        { ...noDb, env: { BSSGATE_CHECK_KEY_CARD: KEY }, out: (s) => (out += s) },
      );
      const s = JSON.parse(out);
      t.equal(code, 0, `exit 0: ${out}`);
      t.equal(s.defects, 0, 'no defect');
      t.equal(s.pending, 0, 'everything got a definite answer');
      t.equal(s.acked.P + s.acked.R, 40, 'every transaction acknowledged');
      t.ok(s.acked.R > 0, 'reversals among them');
      t.ok(s.duplicates >= 40, `re-sent with the same serial: ${s.duplicates} duplicates`);
      t.ok(s.replaysChecked >= 40, `${s.replaysChecked} later replies compared with the first`);
      t.equal(s.replayMismatches, 0, 'each the same bytes');
      const rows = await h.sql<{ serial: string; n: unknown }>("SELECT SERIAL AS serial, COUNT(*) AS n FROM TAB_PAY WHERE SERIAL LIKE 'TXTSIM%' GROUP BY SERIAL");
      t.equal(rows.length, 40, 'a TAB_PAY row for every serial…');
      t.same(rows.filter((r) => Number(r.n) !== 1), [], '…and only one');
      const [sum] = await h.sql<{ fen: unknown }>("SELECT SUM(AMOUNT) AS fen FROM TAB_PAY WHERE SERIAL LIKE 'TXTSIM%'");
      t.ok(sum.fen !== null, 'amounts posted');
      const ack = fs.readFileSync(ledger, 'utf8').split('\n').filter((l) => l.includes('"ev":"ack"'));
      t.equal(ack.length, 40, "the simulator's ledger: one acknowledgement a transaction");
    });

    t.test('a wrong key: every request refused 1011 before dispatch, nothing posted, the run ends with exit 2', async (t) => {
      let out = '';
      const code = await simCardCommand(
        { host: '127.0.0.1', port: h.portOf('recharge') },
        { ...base, count: '3', reversals: '0', numbers: (await payingNumbers(h)).join(','), serialPrefix: 'BADKEY', framing: profileFile('card-recharge'), json: true },
        { ...noDb, env: { BSSGATE_CHECK_KEY_CARD: OTHER_KEY }, out: (s) => (out += s) },
      );
      const s = JSON.parse(out);
      t.equal(code, 2, 'exit 2');
      t.same(s.refused, { 1011: 3 }, 'three refusals 1011 CHECK_CODE_FAILED');
      const [n] = await h.sql<{ n: unknown }>("SELECT COUNT(*) AS n FROM TAB_PAY WHERE SERIAL LIKE 'BADKEY%'");
      t.equal(Number(n.n), 0, 'nothing posted');
    });
  },
  { interfaces: [{ name: 'recharge', kind: 'card', framing: CARD, checkKeys: new Map([['*', Buffer.from(KEY, 'hex')]]) }], schemas: ['a'] },
);
