// Issue 16 with issue 19: `bssgate shadow` in front of a primary that speaks a text framing
// profile (`framing = <profile file>`). The tap cuts the profile's packets, gathers multi-packet
// messages, skips heartbeats, correlates answers by order (h2) or by serial (card-recharge), and
// compares the decoded text bodies field by field; the clients' bytes are the primary's.
import t from 'tap';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { encodePackets, loadFramingProfile, PacketDecoder } from '../../protocol/framing/packet.js';
import { encodeTextBody } from '../../protocol/framing/text-body.js';
import type { FramingProfile } from '../../protocol/framing/profile.js';
import { businessByName } from '../../protocol/business-types.js';
import type { BodyRecord } from '../../protocol/layout-types.js';
import { LAYOUTS_BY_CODE } from '../../handlers/index.js';
import { requestHead } from '../../src/text-client.js';
import { startShadow } from '../../src/shadow/index.js';
import type { ShadowConfig } from '../../src/shadow/config.js';
import { textFraming } from '../../src/shadow/text-framing.js';
import { readSummaries, reportText } from '../../src/shadow/report.js';
import { fixedClock, makeDatabases, mixedRun, shadowSection, slowProxy, startGatewayOn, until, type Req } from './harness.js';

const profileFile = (n: string) => fileURLToPath(new URL(`../../config/framing/${n}.json`, import.meta.url));
const H2 = loadFramingProfile(profileFile('h2'));
const CARD = loadFramingProfile(profileFile('card-recharge'));
const KEY = Buffer.from('0123456789ABCDEFFEDCBA9876543210', 'hex');
const AT = new Date(2026, 0, 1, 12, 0, 0);
const quiet = pino({ level: 'silent' });

/** The packets of one request of a run, as a client of the profile writes them. */
function textRequest(p: FramingProfile, r: Req, i: number): Buffer {
  const biz = businessByName(r.business)!.code;
  const echo: Record<string, string> = p === CARD ? { bizType: '01', phone: '13997000001', phoneType: '1', accessId: '001' } : {};
  const head = requestHead(p, biz, { operator: 'SHADOW', now: AT, extra: echo, ...(p.role.serial ? { serial: `SH${String(i + 1).padStart(8, '0')}` } : {}) });
  const body = encodeTextBody(p, LAYOUTS_BY_CODE.get(biz)!.request, r.body as BodyRecord);
  return Buffer.concat(encodePackets(p, head.values, body, p.check ? KEY : undefined));
}

/** Send the requests on one connection; resolve with every byte received once `count` whole replies (and `beats` heartbeats) came. */
async function textRun(p: FramingProfile, port: number, requests: Buffer[], count: number, beats = 0): Promise<Buffer> {
  const sock = net.connect({ host: '127.0.0.1', port });
  const hb = p.heartbeat;
  const dec = new PacketDecoder(hb ? { ...p, heartbeat: { ...hb, request: hb.reply, maxPerMinute: Number.MAX_SAFE_INTEGER } } : p);
  const chunks: Buffer[] = [];
  let replies = 0;
  let heartbeats = 0;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${replies} of ${count} replies within 30 s`)), 30_000);
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    sock.on('data', (c: Buffer) => {
      chunks.push(c);
      for (const it of dec.push(c)) {
        if (it.kind === 'heartbeat') heartbeats++;
        else if (it.packet.last) replies++;
      }
      if (replies >= count && heartbeats >= beats) {
        clearTimeout(timer);
        resolve();
      }
    });
    sock.once('connect', () => sock.write(Buffer.concat(requests)));
  });
  sock.destroy();
  return Buffer.concat(chunks);
}

const heartbeat = (p: FramingProfile) => Buffer.concat([Buffer.of(p.start!), p.heartbeat!.request, Buffer.of(p.terminator)]);

t.test('issue 16/19: the text tap cuts messages at any chunk boundary, gathers multi-packet replies, skips heartbeats', async (t) => {
  const f = textFraming(H2);
  const biz = 114;
  const reqs = [0, 1].map((i) => textRequest(H2, { iface: 'cs', business: 'balance', body: { svcnum: `1399700000${i}` } }, i));
  const stream = Buffer.concat(reqs);
  for (let cut = 1; cut < stream.length; cut++) {
    const s = f.splitter(1 << 20, 'request');
    const got = [...s.push(stream.subarray(0, cut)), ...s.push(stream.subarray(cut))];
    if (got.length !== 2 || !got[0].equals(reqs[0]) || !got[1].equals(reqs[1])) {
      t.fail(`cut at ${cut}: ${got.length} messages`);
      return;
    }
  }
  t.pass(`two h2 requests cut at each of ${stream.length - 1} offsets: the same two messages`);
  const head = f.head(reqs[0], 'request');
  t.same(head, { kind: 'request', biz, seq: 0, serial: '', result: 0 }, 'h2: business type from the service code; key 0 (answers in order)');

  // A reply in three packets (a small packet size) is one message; its body decodes whole.
  const small: FramingProfile = { ...H2, packets: { ...H2.packets, size: 40 } };
  const layout = LAYOUTS_BY_CODE.get(biz)!.response;
  const body = encodeTextBody(small, layout, { acctid: '300000001', balance: 12345n, updated: '20240601020000' });
  const packets = encodePackets(small, { service: '001400', error: '00000', flag: '1' }, body);
  t.ok(packets.length > 1, `the reply leaves in ${packets.length} packets`);
  const fs = textFraming(small);
  const r = fs.splitter(1 << 20, 'response');
  const out = packets.flatMap((pk) => r.push(pk));
  t.equal(out.length, 1, 'one message');
  t.same(fs.decodeReply(out, layout).body, { acctid: '300000001', balance: 12345n, updated: '20240601020000' }, 'decoded whole');

  // card-recharge: heartbeats are not messages; replies found by serial, interleaved or not.
  const c = textFraming(CARD);
  const a = textRequest(CARD, { iface: 'card', business: 'card-balance', body: { svcnum: '13997000001' } }, 0);
  const b = textRequest(CARD, { iface: 'card', business: 'card-balance', body: { svcnum: '13997000002' } }, 1);
  const msgs = c.splitter(4096, 'request').push(Buffer.concat([heartbeat(CARD), a, heartbeat(CARD), b]));
  t.equal(msgs.length, 2, 'two requests, the heartbeats skipped');
  t.same([c.head(msgs[0], 'request').seq, c.head(msgs[1], 'request').seq], ['SH00000001', 'SH00000002'], 'card-recharge: the serial is the key');
  t.equal(c.correlation, 'own-key', 'a serial under a check code is never rewritten');
});

t.test('issue 16/19: sameAnswer masks the time field and the check code over it, nothing else', async (t) => {
  const c = textFraming(CARD);
  const layout = LAYOUTS_BY_CODE.get(305)!.response;
  const reply = (time: string, acctid: string) =>
    Buffer.concat(encodePackets(CARD, { serial: 'SH1', service: '305', flag: '1', error: '00000', time, bizType: '01', phone: '', phoneType: '1', accessId: '001' }, encodeTextBody(CARD, layout, cardBalance(acctid)), KEY));
  const one = c.splitter(4096, 'response').push(reply('260101120000', '300000002'));
  const later = c.splitter(4096, 'response').push(reply('260101120007', '300000002'));
  const other = c.splitter(4096, 'response').push(reply('260101120000', '300000009'));
  t.notOk(one[0].equals(later[0]), 'the bytes differ (time and check code)');
  t.ok(c.sameAnswer(one, later), 'the same answer at another time is identical');
  t.notOk(c.sameAnswer(one, other), 'a body byte differs: not identical');
});

/** A PC-05 card-balance answer (the contract's example, with another account number). */
function cardBalance(acctid: string): BodyRecord {
  return { acctid, cycle: '202406', balance: -2350n, usage: 1260n, rents: 1000n, realtimeBalance: -4610n, status: 3, power: '0', resumeAmount: 4611n };
}

t.test('issue 16/19: a text packet goes to the candidate as the client sent it (copyWithKey copies, never rewrites)', async (t) => {
  const f = textFraming(H2);
  const msg = Buffer.from('a text message, check code and all');
  const out = Buffer.alloc(msg.length + 3, 0x2a);
  t.equal(f.copyWithKey(msg, 12345, out, 3), out.length, 'returns the offset after the message');
  t.ok(out.subarray(3).equals(msg), 'the same bytes, whatever the key');
  t.equal(f.withKey(msg, 1), msg, 'withKey: the message itself');
});

t.test('issue 16/19: shadow over h2 and card-recharge in front of a primary on A, candidate on a changed copy', async (t) => {
  const db = await makeDatabases(t);
  const at = db.now.getTime();
  const extra = [
    { name: 'cs_h2', kind: 'cs' as const, framing: H2 },
    { name: 'card_cr', kind: 'card' as const, framing: CARD, checkKeys: new Map([['*', KEY]]) },
  ];
  const primary = await startGatewayOn(t, db.dir, db.a, fixedClock(at), 'a', extra);
  const candidate = await startGatewayOn(t, db.dir, db.b, fixedClock(at + 7_000), 'b', extra);
  const run = mixedRun(db);
  const cs = run.filter((r) => r.iface === 'cs');
  const card = run.filter((r) => r.iface === 'card');
  const csReqs = cs.map((r, i) => textRequest(H2, r, i));
  // A heartbeat first and between the requests: answered by the primary, never mirrored.
  const cardReqs = [heartbeat(CARD), ...card.map((r, i) => textRequest(CARD, r, i)), heartbeat(CARD)];

  const directCs = await textRun(H2, primary.portOf('cs_h2'), csReqs, cs.length);
  const directCard = await textRun(CARD, primary.portOf('card_cr'), cardReqs, card.length, 2);

  const reportDir = join(db.dir, 'report-text');
  const cfg: ShadowConfig = {
    files: [],
    logLevel: 'silent',
    shadows: [
      shadowSection({ name: 'cs', framing: textFraming(H2), primary: { host: '127.0.0.1', port: primary.portOf('cs_h2') }, candidate: { host: '127.0.0.1', port: candidate.portOf('cs_h2') }, reportDir }),
      shadowSection({ name: 'card', framing: textFraming(CARD), primary: { host: '127.0.0.1', port: primary.portOf('card_cr') }, candidate: { host: '127.0.0.1', port: candidate.portOf('card_cr') }, reportDir }),
    ],
  };
  const s = await startShadow(cfg, quiet);
  t.teardown(() => s.stop());
  const port = (name: string) => s.ports[name];
  const viaCs = await textRun(H2, port('cs'), csReqs, cs.length);
  const viaCard = await textRun(CARD, port('card'), cardReqs, card.length, 2);
  t.ok(viaCs.equals(directCs), `h2: the client received the primary's bytes, byte for byte (${viaCs.length} bytes)`);
  t.ok(viaCard.equals(directCard), `card-recharge: the client received the primary's bytes, heartbeats included (${viaCard.length} bytes)`);
  await until(() => s.relays.every((r) => [...r.report.stats.values()].every((b) => b.compared + b.candidateErrors + b.timeouts === b.mirrored)), 'every mirror settled');
  await s.stop();

  const summaries = await readSummaries(reportDir);
  const by = (name: string) => summaries.filter((l) => l.shadow === name);
  t.equal(by('cs').reduce((n, l) => n + l.mirrored, 0), cs.length, 'h2: every request mirrored');
  t.equal(by('card').reduce((n, l) => n + l.mirrored, 0), card.length, 'card-recharge: every request mirrored, no heartbeat');
  t.equal(summaries.reduce((n, l) => n + l.candidateErrors + l.timeouts + l.dropped, 0), 0, 'no candidate errors, timeouts or drops');
  t.same(summaries.filter((l) => l.differing > 0).map((l) => `${l.shadow} ${l.id}`).sort(), ['cs CS-08', 'cs CS-11', 'cs CS-14', 'cs VO-07'], 'exactly the four changed business types differ, over h2');
  const lines = readFileSync(join(reportDir, 'cs.differences.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const missing = lines.find((l) => l.kind === 'missing');
  t.match(String(missing?.field), /^items\[\d+\]$/, 'the removed detail record is named by its index');
  t.same(
    lines.map((l) => `${String(l.id)} ${String(l.field)} ${String(l.kind)}`).sort(),
    ['CS-08 status value', 'CS-08 statusText value', 'CS-11 total value', `CS-11 ${String(missing?.field)} missing`, 'CS-14 balance value', 'VO-07 numbers order'].sort(),
    'the same differences as over v1: balance, status, the removed record (and the total), a list order',
  );
  const balance = lines.find((l) => l.field === 'balance')!;
  t.equal(BigInt(balance.candidate as string) - BigInt(balance.primary as string), 100n, 'the balance difference carries both values (fen)');
  t.match(reportText(summaries), /CS-14: 1 mirrored, 1 differ/);

  // A slow candidate (answers 2 s late) over an in-order profile: timeouts, then the link starts
  // afresh (a late answer must not be taken for the next request's); the client sees nothing of it.
  const slow = await slowProxy(t, candidate.portOf('cs_h2'), 2_000);
  const slowDir = join(db.dir, 'report-slow');
  const s2 = await startShadow(
    { files: [], logLevel: 'silent', shadows: [shadowSection({ name: 'cs', framing: textFraming(H2), primary: { host: '127.0.0.1', port: primary.portOf('cs_h2') }, candidate: { host: '127.0.0.1', port: slow }, reportDir: slowDir, timeoutMs: 300 })] },
    quiet,
  );
  t.teardown(() => s2.stop());
  const viaSlow = await textRun(H2, s2.ports.cs, csReqs, cs.length);
  t.ok(viaSlow.equals(directCs), 'slow candidate: the client received the primary\'s bytes');
  await until(() => s2.relays.every((r) => [...r.report.stats.values()].every((b) => b.compared + b.candidateErrors + b.timeouts === b.mirrored)), 'every mirror settled');
  await s2.stop();
  const slowSummaries = await readSummaries(slowDir);
  t.equal(slowSummaries.reduce((n, l) => n + l.compared, 0), 0, 'slow candidate: nothing compared');
  t.ok(slowSummaries.reduce((n, l) => n + l.timeouts, 0) >= 1, 'slow candidate: timeouts counted');
  t.equal(slowSummaries.reduce((n, l) => n + l.timeouts + l.candidateErrors, 0), cs.length, 'every mirrored request a timeout or a candidate error');
});
