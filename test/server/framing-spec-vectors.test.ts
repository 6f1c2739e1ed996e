// Issue 19, done-when "over a real socket, for each shipped profile: every business type's test
// vectors (request and reply as text, from the generated spec) answered as the spec says, on
// SQLite". For every shipped profile (h2, bss86, card-recharge) and every business type, the
// request vector of protocol/SPEC.md section 10 is read from the committed file: its body reads
// back with the profile as the section 6 example (the field order and formats the spec shows).
// That request — the spec packet's header (a fresh serial, the check code made again) and its body
// written the same way, the fixture's values in place of the example's — is sent over a real
// socket to a seeded SQLite gateway, and the text reply must decode to exactly the v1 reply of the
// same request on the same database: body field for field, or for a refusal the error field
// through the profile's error table, the flag and the message.
// Writes (CS-20…CS-26, PC-03, PC-04) are each done once: over text on a fixture of their own per
// profile, then the same request (serial, operator, body) is re-sent over v1 and answered from the
// ledger with the v1 reply of that one execution (or, for a refusal that rolled back, evaluated
// again on the unchanged database) — so nothing is posted twice and the v1 reply is the same
// request's. h2 has no serial field: every write is refused 1001 and leaves no ledger row.
import t, { type Test } from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PacketDecoder, unpad } from '../../protocol/framing/packet.js';
import type { FramingProfile } from '../../protocol/framing/profile.js';
import { decodeTextBody } from '../../protocol/framing/text-body.js';
import { gbkEncode } from '../../protocol/gbk.js';
import { BUSINESS_ROWS } from '../../protocol/business-types.js';
import type { BodyRecord } from '../../protocol/layout-types.js';
import { CONTRACTS } from '../../handlers/contracts/index.js';
import { shippedProfiles, VECTOR_CHECK_KEY } from '../../src/server/framing-vectors.js';
import { clearLockout } from '../../src/store/queries/auth.js';
import type { InterfaceKind } from '../../src/types.js';
import type { FunctionContract } from '../../src/types.js';
import { cycleOf, handlerSuite, type Harness } from '../helpers/seeded.js';
import { root } from '../helpers/serve.js';
import { replyMessage, TextClient, type TextReply } from '../helpers/text-client.js';

const PROFILES = shippedProfiles(root);
const KINDS: InterfaceKind[] = ['cs', 'card', 'print', 'sms'];
const ifaceName = (kind: InterfaceKind, p: FramingProfile) => `${kind}_${p.name.replace(/-/g, '_')}`;
const interfaces = PROFILES.flatMap((p) => KINDS.map((kind) => ({ name: ifaceName(kind, p), kind, framing: p, ...(p.check ? { checkKeys: new Map([['*', VECTOR_CHECK_KEY]]) } : {}) })));

/** What a return code is written as in a profile's error field (docs/framing.md "services, errors"). */
const errorOf = (p: FramingProfile, code: number) => (code === 0 ? '00000' : (p.errors.table.get(code) ?? String(code).padStart(p.role.error!.width, '0')));

// ── protocol/SPEC.md section 10, read back ──

const SPEC = readFileSync(join(root, 'protocol/SPEC.md'), 'utf8');

/** The request and reply packets SPEC.md section 10 shows for business type `code` over profile `p`. */
function specPackets(p: FramingProfile, code: number): { request: Buffer[]; reply: Buffer[] } {
  const row = BUSINESS_ROWS.find((r) => r.code === code)!;
  const at = SPEC.indexOf(`\n### Text: ${row.ids.length ? `${row.ids.join(', ')} ` : ''}${row.name} (${code})\n`);
  if (at < 0) throw new Error(`SPEC.md section 10 has no heading for ${code}`);
  const end = SPEC.indexOf('\n### ', at + 1);
  const section = SPEC.slice(at, end < 0 ? undefined : end);
  const out = { request: [] as Buffer[], reply: [] as Buffer[] };
  for (const m of section.matchAll(new RegExp(`^${p.name} (→|←) (".*")$`, 'gm'))) {
    (m[1] === '→' ? out.request : out.reply).push(packetBytes(p, JSON.parse(m[2]) as string));
  }
  return out;
}

/** A packet as SPEC.md shows it (the header ASCII, the body its GBK text) back to its bytes. */
function packetBytes(p: FramingProfile, shown: string): Buffer {
  const head = (p.start === undefined ? 0 : 1) + p.headerSize;
  return Buffer.concat([Buffer.from(shown.slice(0, head), 'latin1'), gbkEncode(shown.slice(head, -1)), Buffer.from(shown.slice(-1), 'latin1')]);
}

function readPacket(p: FramingProfile, bytes: Buffer) {
  const items = new PacketDecoder(p).push(bytes);
  const it = items[0];
  if (items.length !== 1 || it.kind !== 'packet') throw new Error(`${p.name}: the spec packet does not read as one packet`);
  return it.packet;
}

// ── the fixture's values in place of the example's ──

/** The section 6 example's request pointed at the seeded fixtures (reads). */
function onSeed(h: Harness, c: FunctionContract): BodyRecord {
  const id = c.ids[0] ?? '';
  const fx = h.fx;
  const f = id.startsWith('C1-') ? fx.cdma1x : id === 'VO-06' ? fx.cdmaWithVoip : id.startsWith('VO-') ? fx.voip : fx.first;
  const out: BodyRecord = { ...c.example!.request };
  if (typeof out.svcnum === 'string') out.svcnum = f.svcnum;
  if (typeof out.password === 'string') out.password = f.password;
  if (typeof out.cycle === 'string') out.cycle = cycleOf(h.now, 1);
  if (typeof out.simcardid === 'string') out.simcardid = fx.stockSim.simcardid;
  if (typeof out.idNum === 'string') out.idNum = fx.cdmaBlacklisted.idNum;
  if (typeof out.cardnum === 'string') out.cardnum = fx.voip.cardnum ?? '';
  if (typeof out.number === 'string') out.number = out.by === 'C' ? (fx.voip.cardnum ?? '') : fx.voip.svcnum;
  return out;
}

/** Fields whose value is the moment of answering, not the database. */
const VOLATILE = new Set(['serverTime']);
const stable = (b: BodyRecord | undefined) => (b ? Object.fromEntries(Object.entries(b).filter(([k]) => !VOLATILE.has(k))) : b);
/** A reply value written as text has its control characters as spaces (docs/framing.md "Body"). */
const asText = (b: BodyRecord | undefined) => JSON.parse(JSON.stringify(stable(b), (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : typeof x === 'string' ? x.replace(/[\x00-\x1f\x7f]/g, ' ') : x))) as unknown;
const plain = (b: BodyRecord | undefined) => JSON.parse(JSON.stringify(stable(b), (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x))) as unknown;
const hasSecret = (c: FunctionContract) => c.request.some((f) => (f.type === 'char' || f.type === 'text') && f.secret);

let serials = 0;

/**
 * Send `body` over profile `p` as SPEC.md section 10's request vector of `c` is written: the
 * spec packet's header fields (a fresh serial where the profile has one, the phone echo the
 * fixture's number), the body written as the spec writes it.
 */
async function sendAsSpec(client: TextClient, p: FramingProfile, c: FunctionContract, body: BodyRecord, serial?: string): Promise<TextReply> {
  const vector = specPackets(p, c.biz).request[0];
  // A write over a profile without a serial has no vector (SPEC: refused 1001): CS-01's header with the write's service code.
  const spec = readPacket(p, vector ?? specPackets(p, 101).request[0]);
  const values: Record<string, string> = { ...spec.raw };
  if (!vector && p.role.service) values[p.role.service.name] = p.services.reverse.get(c.biz) ?? String(c.biz);
  if (p.role.serial) values[p.role.serial.name] = serial ?? `V19${p.name.slice(0, 2)}${c.biz}${++serials}`;
  if ('phone' in values && typeof body.svcnum === 'string') values.phone = body.svcnum;
  return client.call(values, c.request, body);
}

/** The operator the text session puts in the v1 frame of a request sent by sendAsSpec (the spec packet's, or none). */
function operatorOf(p: FramingProfile, c: FunctionContract): string {
  const f = p.role.operator;
  return f ? unpad(f, readPacket(p, specPackets(p, c.biz).request[0]).raw[f.name]) : '';
}

/** The text reply is the v1 reply: the body field for field, or the refusal's code (through the error table), flag and message. */
function sameAsV1(t: Test, p: FramingProfile, c: FunctionContract, r: TextReply, v1: { result: number; message: string; body?: BodyRecord }, label: string): void {
  t.equal(r.error, errorOf(p, v1.result), `${label}: the error field is v1's result ${v1.result} through the error table`);
  t.equal(r.flag, v1.result === 0 ? p.role.flag?.yes : p.role.flag?.no, `${label}: the flag`);
  if (v1.result === 0) t.strictSame(asText(decodeTextBody(p, c.response, r.body)), asText(v1.body), `${label}: the body decodes to v1's`);
  else t.equal(replyMessage(r), v1.message, `${label}: the message is v1's`);
}

const label = (c: FunctionContract) => `${[...c.ids, c.name].join(' ')} (${c.biz})`;
const READS = CONTRACTS.filter((c) => !c.write);
const WRITES = CONTRACTS.filter((c) => c.write);

t.test('issue 19 SPEC.md section 10: every profile shows every business type, and each request vector reads back as the section 6 example (field order and formats)', async (t) => {
  for (const p of PROFILES) {
    for (const c of CONTRACTS) {
      const v = specPackets(p, c.biz);
      if (c.write && !p.role.serial) {
        t.strictSame(v, { request: [], reply: [] }, `${p.name} ${label(c)}: no vector (no serial field)`);
        continue;
      }
      t.ok(v.request.length === 1 && v.reply.length >= 1, `${p.name} ${label(c)}: a request and a reply`);
      const pkt = readPacket(p, v.request[0]);
      t.strictSame(plain(decodeTextBody(p, c.request, pkt.body)), plain(c.example!.request), `${p.name} ${label(c)}: the request body`);
      const reply = readPacket(p, v.reply[0]);
      if (v.reply.length === 1) t.strictSame(asText(decodeTextBody(p, c.response, reply.body)), asText(c.example!.response), `${p.name} ${label(c)}: the reply body`);
    }
  }
});

handlerSuite(
  'issue 19: every business type over every shipped profile, built as SPEC.md section 10 shows, answered as v1 answers the same request',
  async (t, h) => {
    t.setTimeout(300_000);
    /** One text client per profile and interface kind of a subtest, closed with it. */
    const clientOf = async (t: Test, clients: Map<InterfaceKind, TextClient>, p: FramingProfile, kind: InterfaceKind): Promise<TextClient> => {
      let tc = clients.get(kind);
      if (!tc) {
        tc = await TextClient.connect(p, h.portOf(ifaceName(kind, p)), p.check ? VECTOR_CHECK_KEY : undefined);
        const x = tc;
        t.teardown(() => x.close());
        clients.set(kind, tc);
      }
      return tc;
    };
    for (const p of PROFILES) {
      t.test(`${p.name}: every read-only business type (${READS.flatMap((c) => c.ids).join(' ')}) answers over text exactly what v1 answers`, async (t) => {
        const clients = new Map<InterfaceKind, TextClient>();
        const answered: string[] = [];
        for (const c of READS) {
          const kind = c.interfaces[0];
          const tc = await clientOf(t, clients, p, kind);
          const body = onSeed(h, c);
          // The password checks count wrong passwords: each pair starts with no lock.
          if (hasSecret(c) && typeof body.svcnum === 'string') await clearLockout(h.store, body.svcnum, new Date());
          const v1 = await h.call(kind, c.biz, body);
          if (hasSecret(c) && typeof body.svcnum === 'string') await clearLockout(h.store, body.svcnum, new Date());
          const r = await sendAsSpec(tc, p, c, body);
          sameAsV1(t, p, c, r, v1, `${label(c)} on ${kind}`);
          if (v1.result === 0) answered.push(c.ids[0] ?? c.name);
        }
        t.ok(answered.length >= 30, `${answered.length} of ${READS.length} answered 0 (the rest compare refusals): ${answered.join(' ')}`);
      });
    }

    // Each profile with a serial writes on a fixture of its own, so that every write is done once.
    const writer = new Map<string, Harness['fx']['first']>([
      ['bss86', h.fx.noPrintRegional],
      ['card-recharge', h.fx.noPrintProvince],
    ]);
    for (const p of PROFILES) {
      t.test(`${p.name}: the write functions (${WRITES.flatMap((c) => c.ids).join(' ')}) ${p.role.serial ? 'done once over text; the same request over v1 gets the same reply and posts nothing more' : 'are refused 1001 (no serial field) and leave nothing'}`, async (t) => {
        const count = async (table: string) => Number((await h.sql<{ n: unknown }>(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);
        const clients = new Map<InterfaceKind, TextClient>();
        const fx = writer.get(p.name) ?? h.fx.first;
        let paySerial = '';
        const done: string[] = [];
        for (const c of WRITES) {
          const kind = c.interfaces[0];
          const tc = await clientOf(t, clients, p, kind);
          const body: BodyRecord = { ...c.example!.request, svcnum: fx.svcnum };
          if (typeof body.oldPassword === 'string') body.oldPassword = fx.password;
          if (typeof body.origSerial === 'string') body.origSerial = paySerial || 'NOPAYMENT19';
          const ledger = await count('BSG_IDEMPOTENCY');
          const pays = await count('TAB_PAY');
          if (!p.role.serial) {
            const r = await sendAsSpec(tc, p, c, body);
            t.equal(r.error, errorOf(p, 1001), `${label(c)}: 1001 through the error table`);
            t.match(replyMessage(r), /serial/, `${label(c)}: the message says why`);
            t.equal(await count('BSG_IDEMPOTENCY'), ledger, `${label(c)}: no ledger row`);
            t.equal(await count('TAB_PAY'), pays, `${label(c)}: nothing posted`);
            continue;
          }
          const serial = `W19${p.name.slice(0, 2)}${c.biz}${Date.now() % 1e6}`;
          if (c.name === 'payment') paySerial = serial;
          const r = await sendAsSpec(tc, p, c, body, serial);
          const afterText = await count('TAB_PAY');
          const ledgerAfterText = await count('BSG_IDEMPOTENCY');
          const v1 = await h.call(kind, c.biz, body, { serial, operator: operatorOf(p, c) });
          sameAsV1(t, p, c, r, v1, `${label(c)} on ${kind}, serial ${serial}`);
          t.equal(await count('TAB_PAY'), afterText, `${label(c)}: the v1 re-send posted nothing`);
          t.equal(await count('BSG_IDEMPOTENCY'), ledgerAfterText, `${label(c)}: the v1 re-send added no ledger row (it was answered from the text request's)`);
          if (r.error === '00000') t.equal(ledgerAfterText, ledger + 1, `${label(c)}: the text request left one ledger row`);
          if (c.name === 'payment') t.equal(afterText, pays + 1, 'PC-03: one TAB_PAY row');
          if (v1.result === 0) done.push(c.ids[0] ?? c.name);
        }
        if (p.role.serial) t.ok(done.length >= 6, `${done.length} of ${WRITES.length} writes done (the rest compare refusals): ${done.join(' ')}`);
      });
    }
  },
  { interfaces, schemas: ['a'] },
);
