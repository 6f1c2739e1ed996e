// Issue 19: text framing profiles over a real socket on a seeded SQLite gateway. Each shipped
// profile that loads (h2, bss86) serves CS-01, CS-14, CS-11 paging and PC-03 from the same
// handlers as v1: the answers are v1's, written as text; a 500-record CS-11 page leaves in several
// packets of at most the profile's packet size and reads back equal to the same page over v1; a
// payment and its re-send post once and answer identical bytes.
import { fileURLToPath } from 'node:url';
import { loadFramingProfile } from '../../protocol/framing/packet.js';
import type { FramingProfile } from '../../protocol/framing/profile.js';
import { LAYOUTS_BY_CODE } from '../../handlers/index.js';
import { cycleOf, handlerSuite, type Harness } from '../helpers/seeded.js';
import { replyBody, replyMessage, TextClient } from '../helpers/text-client.js';
import { payRow } from '../handlers/card-expected.js';

const profileFile = (n: string) => fileURLToPath(new URL(`../../config/framing/${n}.json`, import.meta.url));
const H2 = loadFramingProfile(profileFile('h2'));
const BSS = loadFramingProfile(profileFile('bss86'));

const layouts = (code: number) => LAYOUTS_BY_CODE.get(code)!;

/** The shipped card-recharge profile ('@', length without '@'/0x1A, heartbeat, fixed-width yuan body, serial correlation, 3DES check code) and its test key. */
const CARD = loadFramingProfile(profileFile('card-recharge'));
const CARD_KEY = Buffer.from('0123456789ABCDEFFEDCBA9876543210', 'hex');

interface Variant {
  profile: FramingProfile;
  /** Header values of a request of business `code` (the service code as this profile writes it). */
  head(code: number, serial?: string): Record<string, string>;
  /** What a return code is written as in the error field. */
  errorOf(code: number): string;
  /** A write function's serial reaches the ledger (the profile has a serial field). */
  hasSerial: boolean;
}

const VARIANTS: Variant[] = [
  {
    profile: H2,
    head: (code) => ({ service: H2.services.reverse.get(code) ?? String(code).padStart(6, '0') }),
    errorOf: (code) => H2.errors.table.get(code) ?? String(code).padStart(5, '0'),
    hasSerial: false,
  },
  {
    profile: BSS,
    head: (code, serial = `T${Date.now() % 1e9}`) => ({ serial, service: String(code), phone: '13997000001', phoneType: '1', office: 'F010ZB', operator: 'TEST01' }),
    errorOf: (code) => String(code).padStart(5, '0'),
    hasSerial: true,
  },
];

const interfaces = [
  ...VARIANTS.flatMap((v) => [
    { name: `cs_${v.profile.name.replace(/-/g, '_')}`, kind: 'cs' as const, framing: v.profile },
    { name: `card_${v.profile.name.replace(/-/g, '_')}`, kind: 'card' as const, framing: v.profile },
  ]),
  { name: 'card_recharge_test', kind: 'card' as const, framing: CARD, checkKeys: new Map([['*', CARD_KEY]]) },
];

function ifaceName(kind: 'cs' | 'card', v: Variant): string {
  return `${kind}_${v.profile.name.replace(/-/g, '_')}`;
}

async function client(h: Harness, kind: 'cs' | 'card', v: Variant): Promise<TextClient> {
  return TextClient.connect(v.profile, h.portOf(ifaceName(kind, v)));
}

handlerSuite(
  'issue 19 text framing profiles over a real socket',
  async (t, h) => {
    for (const v of VARIANTS) {
      const p = v.profile;
      t.test(`${p.name}: CS-01 connection check answers 00000 with flag 1 and the v1 fields`, async (t) => {
        const c = await client(h, 'cs', v);
        t.teardown(() => c.close());
        const r = await c.call(v.head(101), [], {});
        t.equal(r.error, '00000');
        t.equal(r.flag, '1');
        const body = replyBody(p, layouts(101).response, r);
        t.equal(body.database, 1);
        t.equal(body.dialect, h.backend);
        t.match(body.serverTime, /^[0-9]{14}$/);
      });

      t.test(`${p.name}: CS-14 balance equals the v1 answer; a bad number is refused with the mapped error code; unknown service 1003`, async (t) => {
        const c = await client(h, 'cs', v);
        t.teardown(() => c.close());
        const svcnum = h.fx.first.svcnum;
        const r = await c.call(v.head(114), layouts(114).request, { svcnum });
        t.equal(r.error, '00000', replyMessage(r));
        const v1 = await h.call('cs', 'balance', { svcnum });
        t.equal(v1.result, 0);
        t.strictSame(replyBody(p, layouts(114).response, r), v1.body, 'the same fields as over v1');

        const bad = await c.call(v.head(114), layouts(114).request, { svcnum: 'abc' });
        t.equal(bad.error, v.errorOf(1006), 'INVALID_FIELD through the profile error table');
        t.equal(bad.flag, '0');
        t.match(replyMessage(bad), /svcnum/, 'the message names the field');

        const none = await c.call(v.head(114), layouts(114).request, { svcnum: '13900000000' });
        t.equal(none.error, v.errorOf(2001), 'no such subscriber');

        const unknown = await c.call({ ...v.head(114), service: '9999' }, [], {});
        t.equal(unknown.error, v.errorOf(1003), 'an unknown service code is 1003');
        // The connection stays open after refusals: the next request is answered.
        const again = await c.call(v.head(101), [], {});
        t.equal(again.error, '00000');
      });

      t.test(`${p.name}: CS-11 paging: a 500-record page leaves in several packets and reads back equal to the same page over v1`, async (t) => {
        const c = await client(h, 'cs', v);
        t.teardown(() => c.close());
        const req = { offset: 0, limit: 500, svcnum: h.fx.first.svcnum, cycle: cycleOf(h.now, 1) };
        const v1 = await h.call('cs', 'monthly-detail', req);
        t.equal(v1.result, 0, v1.message);
        t.equal((v1.body?.items as unknown[]).length, 500, 'a full page over v1');
        const r = await c.call(v.head(111), layouts(111).request, req);
        t.equal(r.error, '00000', replyMessage(r));
        t.ok(r.packets >= 2, `${r.packets} packets`);
        t.strictSame(replyBody(p, layouts(111).response, r), v1.body, 'the reassembled page equals the v1 page');
        // The next page too (paging itself, over text).
        const r2 = await c.call(v.head(111), layouts(111).request, { ...req, offset: 500, limit: 10 });
        const v2 = await h.call('cs', 'monthly-detail', { ...req, offset: 500, limit: 10 });
        t.strictSame(replyBody(p, layouts(111).response, r2), v2.body);
      });

      t.test(`${p.name}: PC-03 payment ${v.hasSerial ? 'and its re-send: posted once, identical replies' : 'is refused 1001 (no serial in this profile) and posts nothing'}`, async (t) => {
        const c = await client(h, 'card', v);
        t.teardown(() => c.close());
        const f = h.fx.first;
        const [before] = await h.sql<{ n: unknown }>(`SELECT COUNT(*) AS n FROM TAB_PAY`);
        const serial = `F19${p.name.slice(0, 3)}${Date.now() % 1e8}`;
        const body = { svcnum: f.svcnum, amount: 1234n };
        const first = await c.call(v.head(303, serial), layouts(303).request, body);
        const [after1] = await h.sql<{ n: unknown }>(`SELECT COUNT(*) AS n FROM TAB_PAY`);
        if (!v.hasSerial) {
          t.equal(first.error, v.errorOf(1001), replyMessage(first));
          t.match(replyMessage(first), /serial/);
          t.equal(Number(after1.n), Number(before.n), 'nothing posted');
          return;
        }
        t.equal(first.error, '00000', replyMessage(first));
        t.equal(replyBody(p, layouts(303).response, first).amount, 1234n);
        t.equal(Number(after1.n), Number(before.n) + 1, 'one TAB_PAY row');
        const row = await payRow(h, 'card', serial);
        t.ok(row, 'the row carries the profile serial as TAB_PAY.SERIAL');
        const again = await c.call(v.head(303, serial), layouts(303).request, body);
        const [after2] = await h.sql<{ n: unknown }>(`SELECT COUNT(*) AS n FROM TAB_PAY`);
        t.equal(Number(after2.n), Number(after1.n), 'the re-send posted nothing');
        t.ok(again.bytes.equals(first.bytes), 'the re-send is answered with identical bytes');
        const other = await c.call(v.head(303, serial), layouts(303).request, { ...body, amount: 1235n });
        t.equal(other.error, v.errorOf(2007), 'the same serial with other content: 2007');
      });
    }

    t.test('h2: a packet whose length disagrees with its 0x1A is answered 10001 (flag 0) and the connection closed', async (t) => {
      const c = await client(h, 'cs', VARIANTS[0]);
      t.teardown(() => c.close());
      c.write(Buffer.from('30    00010100001100000\x1a', 'latin1'));
      const r = await c.next();
      t.equal(r.error, '10001');
      t.equal(r.flag, '0');
      t.match(replyMessage(r), /length field says 30/);
      await c.closed();
    });

    t.test('h2: bytes without a terminator beyond the packet size: the connection is closed, nothing held', async (t) => {
      const c = await client(h, 'cs', VARIANTS[0]);
      t.teardown(() => c.close());
      c.write(Buffer.alloc(20_001, 0x41));
      await c.closed();
      t.pass('closed');
    });

    t.test('card-recharge: heartbeat echoed; PC-03 signed, fixed-width in yuan, correlated by serial, re-send identical', async (t) => {
      const c = await TextClient.connect(CARD, h.portOf('card_recharge_test'), CARD_KEY);
      t.teardown(() => c.close());
      c.write(Buffer.from('@GWHEARTBEATTEST\x1a', 'latin1'));
      const serial = `R19${Date.now() % 1e9}`;
      const head = { serial, service: '010202', bizType: '01', phone: h.fx.first.svcnum, phoneType: '1', accessId: '001', time: '240601093001' };
      const r = await c.call(head, layouts(303).request, { svcnum: h.fx.first.svcnum, amount: 1234n });
      t.equal(c.heartbeats, 1, 'the heartbeat was answered (before the reply)');
      t.equal(r.error, '00000', replyMessage(r));
      t.equal(r.raw.serial.trim(), serial, 'the reply carries the request serial');
      t.equal(r.raw.time, '240601093001', 'and its time');
      t.match(r.body.toString('latin1'), /^12\.34 {7}\d/, 'money in yuan with two decimals, space-padded to its 12 bytes');
      t.ok(await payRow(h, 'card', serial), 'posted under the serial');
      const again = await c.call(head, layouts(303).request, { svcnum: h.fx.first.svcnum, amount: 1234n });
      t.ok(again.bytes.equals(r.bytes), 'identical re-send answer');
      const noSerial = await c.call({ ...head, serial: '' }, layouts(303).request, { svcnum: h.fx.first.svcnum, amount: 1n });
      t.equal(noSerial.error, '10000', 'a blank serial on a serial-correlated profile: 1001 → 10000');
    });

    t.test('bss86: a text request is logged in query/ans like a v1 one', async (t) => {
      const lines = await h.logLines(ifaceName('cs', VARIANTS[1]) as never, 'query');
      t.ok(lines.some((l) => /"biz":114/.test(l) && /"serial":"T/.test(l)), 'a query line with the biz and the profile serial');
      const ans = await h.logLines(ifaceName('cs', VARIANTS[1]) as never, 'ans');
      t.ok(ans.some((l) => /"biz":114/.test(l) && /"result":0/.test(l)));
    });
  },
  { interfaces, schemas: ['a'] },
);
