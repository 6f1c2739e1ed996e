// Issue 19: the text framing client (src/text-client.ts) against a real gateway on a seeded SQLite
// database (and PostgreSQL when configured), every shipped profile (h2, bss86, card-recharge) on each
// interface kind. Every read-only business type's spec example is sent over v1 and over each
// profile to the same gateway: the text answer decodes to the v1 answer. Writes over text are
// idempotent by the profile serial; lockout, 9004 at a stop and the metrics labels hold over text.
// A small server built on the production packet codec answers out of order, to show the client
// correlates by serial where the profile says so.
import t, { type Test } from 'tap';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { encodePackets, loadFramingProfile, PacketAssembler, PacketDecoder, type Packet } from '../../protocol/framing/packet.js';
import { parseProfile, type FramingProfile } from '../../protocol/framing/profile.js';
import { decodeTextBody, encodeTextBody } from '../../protocol/framing/text-body.js';
import { CONTRACTS, LAYOUTS_BY_CODE } from '../../handlers/contracts/index.js';
import { cycleOf, handlerSuite, type Harness } from '../helpers/seeded.js';
import { resultOf, TextFramingClient, type TextReply } from '../../src/text-client.js';
import { clearLockout } from '../../src/store/queries/auth.js';
import { LOCKOUT } from '../../handlers/kit/lockout.js';
import { metricsText } from '../../src/prometheus.js';
import { HANDLERS } from '../../handlers/index.js';
import { startTestGateway } from '../helpers/gateway.js';
import { sleeper, SLEEP_BIZ, SLEEP_REQ, SLEEP_RES } from '../helpers/handlers.js';
import type { BodyRecord } from '../../protocol/layout-types.js';
import type { InterfaceKind } from '../../src/types.js';

const profileFile = (n: string) => fileURLToPath(new URL(`../../config/framing/${n}.json`, import.meta.url));
const PROFILES: FramingProfile[] = [loadFramingProfile(profileFile('h2')), loadFramingProfile(profileFile('bss86')), loadFramingProfile(profileFile('card-recharge'))];
/** The check-code key of the card-recharge interfaces (the peer is the unconfigured client `*`). */
const CHECK_KEY = Buffer.from('0123456789ABCDEFFEDCBA9876543210', 'hex');
const KINDS: InterfaceKind[] = ['cs', 'card', 'print', 'sms'];
const ifaceName = (kind: InterfaceKind, p: FramingProfile) => `${kind}_${p.name.replace(/-/g, '_')}`;
const interfaces = PROFILES.flatMap((p) => KINDS.map((kind) => ({ name: ifaceName(kind, p), kind, framing: p, ...(p.check ? { checkKeys: new Map([['*', CHECK_KEY]]) } : {}) })));

/** What a return code is written as in a profile's error field. */
const errorOf = (p: FramingProfile, code: number) => (code === 0 ? '00000' : (p.errors.table.get(code) ?? String(code).padStart(p.role.error!.width, '0')));

/** Fields whose value is the moment of answering, not the database. */
const VOLATILE = new Set(['serverTime']);
function stable(b: BodyRecord | undefined): BodyRecord | undefined {
  if (!b) return b;
  return Object.fromEntries(Object.entries(b).filter(([k]) => !VOLATILE.has(k)));
}

/** A spec example's request pointed at the seeded database: its number a fixture of the right network, its cycle last month. */
function onSeed(h: Harness, id: string, req: BodyRecord): BodyRecord {
  const f = id.startsWith('C1-') ? h.fx.cdma1x : id.startsWith('VO-') ? h.fx.voip : h.fx.first;
  const out: BodyRecord = { ...req };
  if (typeof out.svcnum === 'string') out.svcnum = f.svcnum;
  if (typeof out.password === 'string') out.password = f.password;
  if (typeof out.cycle === 'string') out.cycle = cycleOf(h.now, 1);
  return out;
}

const READ_ONLY = CONTRACTS.filter((c) => !c.write && c.example);
const hasSecret = (biz: number) => LAYOUTS_BY_CODE.get(biz)!.request.some((f) => (f.type === 'char' || f.type === 'text') && f.secret);

async function textClient(t: Test, h: Harness, kind: InterfaceKind, p: FramingProfile, header: Record<string, string> = {}): Promise<TextFramingClient> {
  const c = await TextFramingClient.connect({ profile: p, port: h.portOf(ifaceName(kind, p)), operator: 'TEST01', timeoutMs: 30_000, header, ...(p.check ? { checkKey: CHECK_KEY } : {}) });
  t.teardown(() => c.close(true));
  return c;
}

handlerSuite(
  'issue 19 text framing client: every business type over every profile',
  async (t, h) => {
    t.setTimeout(360_000);
    for (const p of PROFILES) {
      t.test(`${p.name}: every read-only business type's spec example answers over text what it answers over v1 (${READ_ONLY.flatMap((c) => c.ids).join(' ')})`, async (t) => {
        const clients = new Map<InterfaceKind, TextFramingClient>();
        const answered: string[] = [];
        for (const c of READ_ONLY) {
          const kind = c.interfaces[0];
          let tc = clients.get(kind);
          if (!tc) clients.set(kind, (tc = await textClient(t, h, kind, p)));
          const body = onSeed(h, c.ids[0] ?? '', c.example!.request);
          const label = `${c.ids.join(',') || c.name} (${c.biz} ${c.name}) on ${kind}`;
          // The password checks count wrong passwords: each pair starts with no lock.
          if (hasSecret(c.biz) && typeof body.svcnum === 'string') await clearLockout(h.store, body.svcnum, new Date());
          const v1 = await h.call(kind, c.biz, body);
          if (hasSecret(c.biz) && typeof body.svcnum === 'string') await clearLockout(h.store, body.svcnum, new Date());
          const r = await tc.call(c.biz, body);
          t.equal(r.error, errorOf(p, v1.result), `${label}: the error field says v1's result ${v1.result}`);
          t.equal(r.flag, v1.result === 0 ? '1' : '0', `${label}: flag`);
          if (v1.result === 0) t.strictSame(stable(r.body), stable(v1.body), `${label}: the decoded body equals v1's`);
          else t.equal(r.message, v1.message, `${label}: the same message`);
          if (v1.result === 0) answered.push(label);
        }
        t.ok(answered.length >= 25, `${answered.length} of ${READ_ONLY.length} answered 0 (the rest compare refusals): ${answered.join('; ')}`);
        t.ok(READ_ONLY.length >= 30, `${READ_ONLY.length} read-only business types with an example`);
      });

      t.test(`${p.name}: CS-11 a 500-record page through the client arrives in several packets, reassembled equal to v1`, async (t) => {
        const c = await textClient(t, h, 'cs', p);
        const req = { offset: 0, limit: 500, svcnum: h.fx.first.svcnum, cycle: cycleOf(h.now, 1) };
        const v1 = await h.call('cs', 'monthly-detail', req);
        t.equal(v1.result, 0, v1.message);
        const r = await c.call('monthly-detail', req);
        t.equal(r.result, 0, r.message);
        t.ok(r.packets >= 2, `${r.packets} packets`);
        t.ok(r.bytes.length > p.packets.size, 'more bytes than one packet holds');
        t.strictSame(r.body, v1.body);
      });

      t.test(`${p.name}: CS-01 CS-14 pipelined: ten calls in flight answered in order`, async (t) => {
        const c = await textClient(t, h, 'cs', p);
        const fx = h.fx.all.slice(0, 10);
        const rs = await Promise.all(fx.map((f) => c.call('balance', { svcnum: f.svcnum })));
        for (const [i, r] of rs.entries()) {
          const v1 = await h.call('cs', 'balance', { svcnum: fx[i].svcnum });
          t.equal(r.result, v1.result, `#${i} ${fx[i].svcnum}`);
          t.strictSame(r.body, v1.body);
        }
      });
    }

    const BSS = PROFILES[1];
    const H2 = PROFILES[0];

    t.test('bss86: PC-03 payment over text, re-sent with the same serial: posted once, identical bytes; h2 cannot carry it (no serial)', async (t) => {
      const c = await textClient(t, h, 'card', BSS, { phone: h.fx.first.svcnum, office: 'F010ZB' });
      const serial = `K19${Date.now() % 1e9}`;
      const count = async () => Number((await h.sql<{ n: unknown }>(`SELECT COUNT(*) AS n FROM TAB_PAY`))[0].n);
      const before = await count();
      const body = { svcnum: h.fx.first.svcnum, amount: 2500n };
      const first = await c.call('payment', body, { serial });
      t.equal(first.result, 0, first.message);
      t.equal(first.body?.amount, 2500n);
      t.equal(first.header.serial, serial, 'the reply carries the serial');
      t.equal(await count(), before + 1, 'one TAB_PAY row');
      const again = await c.call('payment', body, { serial });
      t.ok(again.bytes.equals(first.bytes), 'the re-send: the same bytes');
      t.equal(await count(), before + 1, 'nothing posted again');

      const h2 = await textClient(t, h, 'card', H2);
      const r = await h2.call('payment', body);
      t.equal(r.result, 1001, `h2: ${r.message}`);
      t.equal(await count(), before + 1, 'h2 posted nothing');
      await t.rejects(h2.call('payment', body, { serial: 'X1' }), /no serial field/, 'the client refuses to send a serial h2 cannot carry');
    });

    t.test('bss86: CS-25 cancellation-reserve (an acceptance operation) over text and its re-send: one change, identical bytes', async (t) => {
      const c = await textClient(t, h, 'cs', BSS);
      const f = h.fx.first;
      const serial = `A19${Date.now() % 1e9}`;
      const first = await c.call('cancellation-reserve', { svcnum: f.svcnum }, { serial });
      t.equal(first.result, 0, first.message);
      const [row] = await h.sql<{ status: unknown }>(`SELECT STATUS AS status FROM TAB_SUBSCRB WHERE SVCNUM = :svcnum`, { svcnum: f.svcnum });
      const again = await c.call('cancellation-reserve', { svcnum: f.svcnum }, { serial });
      t.ok(again.bytes.equals(first.bytes), 'the re-send is answered from the ledger, byte for byte');
      const [row2] = await h.sql<{ status: unknown }>(`SELECT STATUS AS status FROM TAB_SUBSCRB WHERE SVCNUM = :svcnum`, { svcnum: f.svcnum });
      t.equal(String(row2.status), String(row.status));
      // A new serial for the same operation is a new request: refused by the business rule now.
      const other = await c.call('cancellation-reserve', { svcnum: f.svcnum });
      t.not(other.result, 0, `a second reserve with a new serial is refused (${other.result} ${other.message})`);
      // Undo for the other tests.
      const undo = await c.call('cancellation-unreserve', { svcnum: f.svcnum });
      t.equal(undo.result, 0, undo.message);
    });

    for (const p of PROFILES) {
      t.test(`${p.name}: CS-02 lockout over text: ${LOCKOUT.maxFails} wrong passwords, then 2003 even with the right one`, async (t) => {
        const c = await textClient(t, h, 'cs', p);
        const f = h.fx.all[p === H2 ? 5 : 6];
        await clearLockout(h.store, f.svcnum, new Date());
        t.teardown(() => clearLockout(h.store, f.svcnum, new Date()));
        for (let i = 1; i <= LOCKOUT.maxFails; i++) {
          const r = await c.call('authenticate', { svcnum: f.svcnum, password: `${f.password}7` });
          t.equal(r.error, errorOf(p, 2002), `attempt ${i}: 2002`);
        }
        const locked = await c.call('authenticate', { svcnum: f.svcnum, password: f.password });
        t.equal(locked.error, errorOf(p, 2003), 'locked: 2003 through the error table');
        t.equal(locked.result, 2003);
        const v1 = await h.call('cs', 'authenticate', { svcnum: f.svcnum, password: f.password });
        t.equal(v1.result, 2003, 'the same lock over v1');
      });
    }

    t.test('OP-04 metrics: requests over a text interface are counted under its interface name', async (t) => {
      const c = await textClient(t, h, 'cs', BSS);
      const iface = ifaceName('cs', BSS);
      const ok = { iface, biz: '114', code: '0' };
      const refused = { iface, biz: '114', code: '2001' };
      const before = await metricsText();
      await c.call('balance', { svcnum: h.fx.first.svcnum });
      await c.call('balance', { svcnum: h.fx.first.svcnum });
      await c.call('balance', { svcnum: '13900000000' });
      const after = await metricsText();
      t.equal(sample(after, 'bssgate_requests_total', ok) - sample(before, 'bssgate_requests_total', ok), 2, 'two answers 0 counted under the text interface');
      t.equal(sample(after, 'bssgate_requests_total', refused) - sample(before, 'bssgate_requests_total', refused), 1, 'the 2001 refusal too');
    });
  },
  { interfaces, schemas: ['a'] },
);

/** The value of a sample whose labels include `labels` (0 when absent). */
function sample(text: string, name: string, labels: Record<string, string>): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const inner = line.slice(name.length + 1, line.indexOf('}'));
    if (Object.entries(labels).every(([k, v]) => inner.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

/** bss86 matched by serial, with small packets: what a pipelining client of that family sees. */
function serialProfile(size: number): FramingProfile {
  const doc = JSON.parse(readFileSync(profileFile('bss86'), 'utf8')) as Record<string, unknown>;
  doc.correlation = 'serial';
  doc.packets = { size, maxRequestPackets: 8, maxRequestBytes: 65536 };
  delete doc.examples;
  return parseProfile(doc, 'bss86-serial (test)');
}

t.test('issue 19 client: replies matched by serial come back out of order, their packets interleaved, and each call gets its own', async (t) => {
  const p = serialProfile(120);
  const layout = LAYOUTS_BY_CODE.get(114)!;
  const got: Packet[] = [];
  const server = net.createServer((s) => {
    const dec = new PacketDecoder(p);
    const asm = new PacketAssembler(p, { maxPackets: 8, maxBytes: 65536 });
    s.on('data', (d: Buffer) => {
      for (const it of dec.push(d)) {
        if (it.kind !== 'packet') continue;
        const m = asm.add(it.packet);
        if (!m) continue;
        got.push(m.first);
        if (got.length !== 3) continue;
        // Answer 3, 1, 2: the body of each names its request's number; reply 2 in several packets,
        // interleaved with the others.
        const reply = (pkt: Packet) => {
          const svcnum = String(decodeTextBody(p, layout.request, pkt.body).svcnum ?? '');
          const body = encodeTextBody(p, layout.response, { acctid: `A${svcnum}`.padEnd(60, 'x').slice(0, 20), balance: BigInt(svcnum.slice(-3)), updated: '20240601020000' });
          return encodePackets(p, { ...pkt.raw, flag: '1', error: '00000' }, body);
        };
        const [a, b, c] = got.map(reply);
        t.ok(b.length >= 2, `reply 2 in ${b.length} packets`);
        s.write(Buffer.concat([b[0], ...c, ...a, ...b.slice(1)]));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => server.close());
  const port = (server.address() as net.AddressInfo).port;
  const c = await TextFramingClient.connect({ profile: p, port, timeoutMs: 20_000 });
  t.teardown(() => c.close(true));
  const nums = ['13997000101', '13997000102', '13997000103'];
  const rs: TextReply[] = await Promise.all(nums.map((n, i) => c.call(114, { svcnum: n }, { serial: `S${i + 1}` })));
  rs.forEach((r, i) => {
    t.equal(r.header.serial, `S${i + 1}`);
    t.equal(r.body?.balance, BigInt(nums[i].slice(-3)), `call ${i + 1} got its own answer`);
  });
  t.equal(rs[1].packets >= 2, true, 'the interleaved multi-packet reply was reassembled');
  await t.rejects(
    (async () => {
      const x = c.call(114, { svcnum: nums[0] }, { serial: 'DUP' });
      const y = c.call(114, { svcnum: nums[0] }, { serial: 'DUP' });
      x.catch(() => undefined);
      return y;
    })(),
    /already in flight/,
    'two calls in flight with one serial are refused',
  );
});

t.test('issue 19 client: replies in order: after a timeout the connection is closed, so a late reply is never taken for the next call\'s', async (t) => {
  const p = PROFILES[0]; // h2: replies matched by order
  const layout = LAYOUTS_BY_CODE.get(114)!;
  let answer: (() => void) | undefined;
  const server = net.createServer((s) => {
    const dec = new PacketDecoder(p);
    s.on('error', () => undefined);
    s.on('data', (d: Buffer) => {
      for (const it of dec.push(d)) {
        if (it.kind !== 'packet') continue;
        const svcnum = String(decodeTextBody(p, layout.request, it.packet.body).svcnum ?? '');
        const reply = encodePackets(p, { ...it.packet.raw, flag: '1', error: '00000' }, encodeTextBody(p, layout.response, { acctid: svcnum.slice(-9), balance: 1n, updated: '20240601020000' }));
        // Held until the test lets it go: the first call's reply comes after that call timed out.
        answer = () => {
          if (!s.destroyed) s.write(Buffer.concat(reply));
        };
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => server.close());
  const c = await TextFramingClient.connect({ profile: p, port: (server.address() as net.AddressInfo).port, timeoutMs: 20_000 });
  t.teardown(() => c.close(true));
  await t.rejects(c.call(114, { svcnum: '13997000001' }, { timeoutMs: 100 }), /no answer to business 114 within 100 ms/, 'the first call times out');
  const second = c.call(114, { svcnum: '13997000002' });
  second.catch(() => undefined);
  answer?.();
  await t.rejects(second, /out of step/, 'the next call is refused: the connection was closed after the timeout, not answered with the late reply');
});

t.test('issue 19 client: a bad packet from the server fails the calls in flight with a clear error', async (t) => {
  const p = PROFILES[0];
  const server = net.createServer((s) => s.on('data', () => s.write(Buffer.from('99    1001140000110000013\x1a', 'latin1'))));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => server.close());
  const c = await TextFramingClient.connect({ profile: p, port: (server.address() as net.AddressInfo).port, timeoutMs: 20_000 });
  t.teardown(() => c.close(true));
  await t.rejects(c.call(114, { svcnum: '13997000001' }), /bad packet from server: .*length field says 99/);
});

for (const p of PROFILES) {
  t.test(`OP-01 ${p.name}: graceful stop over text: requests in flight get their result, requests read but not started 9004 (flag 0), in order`, async (t) => {
    const g = await startTestGateway({ handlers: [...HANDLERS, sleeper], interfaces: [{ maxPipeline: 2, framing: p, ...(p.check ? { checkKeys: new Map([['*', CHECK_KEY]]) } : {}) }] });
    t.teardown(() => g.stop());
    const c = await TextFramingClient.connect({ profile: p, port: g.port, timeoutMs: 20_000, ...(p.check ? { checkKey: CHECK_KEY } : {}) });
    t.teardown(() => c.close(true));
    const layouts = { request: SLEEP_REQ, response: SLEEP_RES };
    // Two run (300 ms each), eight wait in the backlog: max_pipeline = 2.
    const calls = Array.from({ length: 10 }, (_, i) => c.call(SLEEP_BIZ, { ms: 300, tag: 100 + i }, { layouts }));
    const until = Date.now() + 10_000;
    while (g.gateway.stats()[0].frames < 10) {
      if (Date.now() > until) throw new Error('the ten requests were not read within 10 s');
      await new Promise((r) => setTimeout(r, 5));
    }
    await g.gateway.stop(5_000);
    const rs = await Promise.all(calls);
    // card-recharge writes 9003 and 9004 alike (01002): the client reads such a value as the first code of the table.
    const stopping = resultOf(p, errorOf(p, 9004), '0');
    t.same(rs.map((r) => r.result), [0, 0, ...Array(8).fill(stopping)], `started: real result; not started: 9004 (read back as ${stopping})`);
    t.same(rs.slice(0, 2).map((r) => r.body?.tag), [100, 101], 'the started ones answered with their results');
    t.same(rs.slice(2).map((r) => r.error), Array(8).fill(errorOf(p, 9004)), '9004 through the profile error table');
    t.same(rs.slice(2).map((r) => r.flag), Array(8).fill('0'));
    t.match(rs[2].message, /服务正在停止/, 'the 9004 message is the body');
  });
}

t.test('issue 19 card-recharge: the client heartbeat is answered on a long-lived connection; a flood of heartbeats closes the connection', async (t) => {
  const p = loadFramingProfile(profileFile('card-recharge'));
  const g = await startTestGateway({ interfaces: [{ kind: 'card', name: 'card', framing: p, checkKeys: new Map([['*', Buffer.alloc(16, 7)]]) }] });
  t.teardown(() => g.stop());
  const c = await TextFramingClient.connect({ profile: p, port: g.port, timeoutMs: 20_000 });
  t.teardown(() => c.close(true));
  await c.heartbeat();
  t.equal(c.heartbeats, 1, 'one heartbeat, one answer');
  // A client sending the profile's heartbeat every 120 s stays far under maxPerMinute; one that
  // sends them every few ms is cut off once it passes the limit.
  const flood = await TextFramingClient.connect({ profile: p, port: g.port, timeoutMs: 20_000 });
  t.teardown(() => flood.close(true));
  const beats: Promise<void>[] = [];
  for (let i = 0; i <= p.heartbeat!.maxPerMinute; i++) beats.push(flood.heartbeat().catch(() => undefined));
  await Promise.all(beats);
  t.equal(flood.heartbeats, p.heartbeat!.maxPerMinute, `${p.heartbeat!.maxPerMinute} answered, then closed`);
  await t.rejects(flood.call(101, {}), /closed|connection/, 'the connection is closed');
  // The first client is untouched.
  await c.heartbeat();
  t.equal(c.heartbeats, 2);
});
