// Issue 19 check codes (验证码) over a real socket on a seeded gateway: the shipped card-recharge
// profile (3DES retail MAC, base64) with a key for the peer's client identity. A request whose code
// verifies is answered, and the reply carries the gateway's code; a PC-03 payment with a wrong or
// missing code is refused 1011 (through the profile's error table) before dispatch: nothing is
// posted (TAB_PAY checked), the ledger keeps nothing (the same serial signed right posts
// afterwards), the refusal is counted in bssgate_requests_total and logged in err.MMDD without the
// key or the code. Profiles with HMAC-SHA-256 and SM4 codes are verified the same way.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadFramingProfile } from '../../protocol/framing/packet.js';
import { parseProfile, type FramingProfile } from '../../protocol/framing/profile.js';
import { verifyPacket, packetCode } from '../../protocol/framing/check.js';
import { handlerSuite, type Harness } from '../helpers/seeded.js';
import { TextFramingClient } from '../../src/text-client.js';
import { metricsText } from '../../src/prometheus.js';
import { payRow } from '../handlers/card-expected.js';
import { encodePackets } from '../../protocol/framing/packet.js';
import { encodeTextBody } from '../../protocol/framing/text-body.js';
import { TextSession } from '../../src/server/text-session.js';
import { LAYOUTS_BY_CODE } from '../../handlers/contracts/index.js';
import { GatewayError } from '../../protocol/return-codes.js';
import { decodeHeader } from '../../protocol/header.js';
import { startTestGateway } from '../helpers/gateway.js';

const profileFile = (n: string) => fileURLToPath(new URL(`../../config/framing/${n}.json`, import.meta.url));
const CARD = loadFramingProfile(profileFile('card-recharge'));
const KEY = Buffer.from('0123456789ABCDEFFEDCBA9876543210', 'hex');
const WRONG = Buffer.from('FEDCBA98765432100123456789ABCDEF', 'hex');

/** card-recharge with another algorithm (TEST ONLY: the shipped file declares 3des-mac). */
function withCheck(name: string, check: Record<string, unknown>): FramingProfile {
  const doc = JSON.parse(readFileSync(profileFile('card-recharge'), 'utf8')) as Record<string, unknown>;
  doc.name = name;
  doc.check = check;
  return parseProfile(doc, `${name} (test)`);
}
const HMAC = withCheck('recharge-hmac', { algorithm: 'hmac-sha256', bytes: 24, covers: ['serial', 'service', 'time', 'body'], encoding: 'base64' });
const SM4 = withCheck('recharge-sm4', { algorithm: 'sm4-mac', covers: ['serial', 'time', 'body'], encoding: 'HEX' });
const HMAC_KEY = Buffer.from('000102030405060708090a0b0c0d0e0f1011121314151617', 'hex');

const errorOf = (p: FramingProfile, code: number) => p.errors.table.get(code) ?? String(code).padStart(p.role.error!.width, '0');
let serials = 0;
const serialOf = (tag: string) => `${tag}${process.pid % 1000}${Date.now() % 1e7}${++serials}`.slice(0, 20);

function sample(text: string, name: string, labels: Record<string, string>): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const inner = line.slice(name.length + 1, line.indexOf('}'));
    if (Object.entries(labels).every(([k, v]) => inner.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

async function client(t: Parameters<Parameters<typeof handlerSuite>[1]>[0], h: Harness, iface: string, p: FramingProfile, key: Buffer | undefined): Promise<TextFramingClient> {
  const c = await TextFramingClient.connect({ profile: p, port: h.portOf(iface), timeoutMs: 30_000, header: { bizType: '01', phoneType: '1', accessId: '001' }, ...(key ? { checkKey: key } : {}) });
  t.teardown(() => c.close(true));
  return c;
}

handlerSuite(
  'issue 19 check codes over a real socket',
  async (t, h) => {
    t.test('card-recharge PC-01: a request with the right code is answered; the reply carries the code the gateway computes', async (t) => {
      const c = await client(t, h, 'card_rc', CARD, KEY);
      const r = await c.call('card-verify', { svcnum: h.fx.first.svcnum, password: h.fx.first.password }, { header: { phone: h.fx.first.svcnum } });
      t.equal(r.result, 0, r.message);
      t.equal(r.error, '00000');
      const pkt = r.bytes;
      t.ok(verifyPacket(CARD, KEY, pkt), 'the reply code verifies under the client key');
      const at = 1 + CARD.check!.field.offset;
      t.equal(pkt.toString('latin1', at, at + 32).trimEnd(), packetCode(CARD, KEY, pkt), 'the check field holds the base64 code');
    });

    t.test('card-recharge PC-03: a payment with no code or a wrong one is refused 1011 and not posted; the same serial signed right posts once', async (t) => {
      const iface = 'card_rc';
      const labels = { iface, biz: '303', code: '1011' };
      const before = sample(await metricsText(), 'bssgate_requests_total', labels);
      const serial = serialOf('CK');
      const pay = { svcnum: h.fx.first.svcnum, amount: 1500n };

      const unsigned = await client(t, h, iface, CARD, undefined);
      const r1 = await unsigned.call('payment', pay, { serial });
      t.equal(r1.result, 1011, `refused: ${r1.message}`);
      t.equal(r1.error, errorOf(CARD, 1011), 'the error field through the profile error table');
      t.equal(r1.flag, '0');
      t.notOk(await payRow(h, 'card', serial), 'nothing posted (TAB_PAY has no row for the serial)');

      // A client holding another key: its request fails the gateway's check; the refusal the
      // gateway signs with the configured key does not verify under the client's, so the client
      // rejects it too. Either way, nothing is posted.
      const wrong = await client(t, h, iface, CARD, WRONG);
      await t.rejects(wrong.call('payment', pay, { serial }), /check code that does not verify/);
      t.notOk(await payRow(h, 'card', serial), 'still nothing posted');

      const after = sample(await metricsText(), 'bssgate_requests_total', labels);
      t.equal(after - before, 2, 'both refusals counted under code 1011');

      const right = await client(t, h, iface, CARD, KEY);
      const r2 = await right.call('payment', pay, { serial });
      t.equal(r2.result, 0, `the same serial with the right code: ${r2.message}`);
      const row = await payRow(h, 'card', serial);
      t.ok(row, 'posted now: the refusals left nothing in the ledger under this serial');
      const again = await right.call('payment', pay, { serial });
      // The client writes the current time in each request and the reply echoes it: the bodies are compared, and each reply's code.
      t.equal(again.result, 0);
      t.ok(again.text.equals(r2.text), 'a re-send answers the identical body');
      t.ok(verifyPacket(CARD, KEY, again.bytes), 'signed as well');
      const rows = await h.sql('SELECT COUNT(*) AS N FROM TAB_PAY WHERE SOURCE = :s AND SERIAL = :r', { s: 'card', r: serial });
      t.equal(Number((rows[0] as Record<string, unknown>).n ?? (rows[0] as Record<string, unknown>).N), 1, 'posted once');

      const err = (await h.logLines(iface as never, 'err')).filter((l) => /"code":1011/.test(l));
      t.ok(err.length >= 2, 'err.MMDD has the refusals');
      t.ok(err.some((l) => /no check-code key|does not verify/.test(l)), 'with the reason');
      const all = await h.allLogText();
      t.notOk(all.includes(KEY.toString('hex')) || all.toLowerCase().includes(KEY.toString('hex').toLowerCase()), 'the key is in no log');
      t.notOk(all.includes(packetCode(CARD, KEY, r2.bytes)), 'nor the code');
    });

    t.test('card-recharge: a refused code tells nothing about the business type (1011 first, even for one not served)', async (t) => {
      const c = await client(t, h, 'card_rc', CARD, undefined);
      const r = await c.call('balance', { svcnum: h.fx.first.svcnum });
      t.equal(r.result, 1011);
    });

    for (const [p, key, iface] of [
      [HMAC, HMAC_KEY, 'card_hmac'],
      [SM4, KEY, 'card_sm4'],
    ] as const) {
      t.test(`${p.name} (${p.check!.algorithm}, ${p.check!.encoding}, covering the body): right code answered and signed; a code over another body refused`, async (t) => {
        const c = await client(t, h, iface, p, key);
        const r = await c.call('card-verify', { svcnum: h.fx.first.svcnum, password: h.fx.first.password });
        t.equal(r.result, 0, r.message);
        t.ok(verifyPacket(p, key, r.bytes), 'the reply verifies');
        const unsigned = await client(t, h, iface, p, undefined);
        const bad = await unsigned.call('card-verify', { svcnum: h.fx.first.svcnum, password: h.fx.first.password });
        t.equal(bad.result, 1011);
      });
    }
  },
  {
    schemas: ['a'],
    interfaces: [
      { name: 'card_rc', kind: 'card', framing: CARD, checkKeys: new Map([['*', KEY]]) },
      { name: 'card_hmac', kind: 'card', framing: HMAC, checkKeys: new Map([['*', HMAC_KEY]]) },
      { name: 'card_sm4', kind: 'card', framing: SM4, checkKeys: new Map([['*', KEY]]) },
    ],
  },
);

t.test('issue 19 a request in several packets: every packet\'s code is verified; one bad packet refuses the whole request (1011), the next request is judged on its own', async (t) => {
  const doc = JSON.parse(readFileSync(profileFile('card-recharge'), 'utf8')) as Record<string, unknown>;
  doc.name = 'recharge-multi';
  doc.packets = { size: 113 + 2 + 24, maxRequestPackets: 8, maxRequestBytes: 4096 };
  delete doc.examples;
  const p = parseProfile(doc, 'recharge-multi (test)');
  const layout = LAYOUTS_BY_CODE.get(303)!.request;
  const values = { serial: 'M1', service: '010202', time: '240601093001' };
  const seen: (string | undefined)[] = [];
  const session = new TextSession(
    p,
    {
      layouts: (biz) => LAYOUTS_BY_CODE.get(biz),
      answer: (_header, _body, _origin, bodyError) => {
        seen.push(bodyError?.rc);
        const err = bodyError ?? new GatewayError('NO_SUBSCRIBER');
        return Promise.resolve({ result: err.code, message: err.wireMessage });
      },
    },
    { now: () => Date.now(), date: () => new Date() },
    1 << 20,
    { client: '*', key: KEY },
  );
  const good = encodePackets(p, values, encodeTextBody(p, layout, { svcnum: '13997000002', amount: 5000n }), KEY);
  t.ok(good.length >= 2, `${good.length} packets`);
  const bad = good.map((b) => Buffer.from(b));
  bad[1].write('X', 1 + p.check!.field.offset, 'latin1');
  const frames = session.push(Buffer.concat([...bad, ...good]));
  t.equal(frames.length, 2, 'two requests read');
  for (const f of frames) await session.dispatch(decodeHeader(f), f, { conn: 1, peer: '127.0.0.1:1' });
  t.same(seen, ['CHECK_CODE_FAILED', undefined], 'the request with a bad second packet is refused; the next one, all packets signed, is dispatched');
});

t.test('issue 19 PC-06 keys are per client: the peer named by a [client] section signs with its key, an unnamed peer with the key of *', async (t) => {
  const HALL = Buffer.from('00112233445566778899AABBCCDDEEFF', 'hex');
  const g = await startTestGateway({
    interfaces: [{ kind: 'card', name: 'card', framing: CARD, checkKeys: new Map([['HALL', HALL], ['*', KEY]]) }],
    clients: [{ section: 'hall', name: 'HALL', addresses: ['127.0.0.1'] }],
  });
  t.teardown(() => g.stop());
  const connect = async (localAddress: string, checkKey: Buffer) => {
    const c = await TextFramingClient.connect({ profile: CARD, port: g.port, localAddress, timeoutMs: 20_000, checkKey });
    t.teardown(() => c.close(true));
    return c;
  };
  const hall = await connect('127.0.0.1', HALL);
  t.equal((await hall.call('connection-check', {})).result, 0, 'HALL (127.0.0.1) with its own key: answered, the reply signed with it');
  const hallWithStar = await connect('127.0.0.1', KEY);
  await t.rejects(hallWithStar.call('connection-check', {}), /check code that does not verify/, 'HALL signing with the key of *: refused (1011, signed with HALL\'s key)');
  const other = await connect('127.0.0.2', KEY);
  t.equal((await other.call('connection-check', {})).result, 0, 'an unnamed peer (127.0.0.2) with the key of *: answered');
  const otherWithHall = await connect('127.0.0.2', HALL);
  await t.rejects(otherWithHall.call('connection-check', {}), /check code that does not verify/, 'an unnamed peer with HALL\'s key: refused');
});
