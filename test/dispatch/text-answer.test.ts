// Issue 19: Dispatcher.answer — a text framing profile's request answered from its decoded body,
// without the v1 bytes — gives exactly what the v1 round trip gave before it: the text body
// through encodeRequest (strict), Dispatcher.dispatch, the v1 answer through decodeResponse. The
// reference helpers below are that round trip (`viaV1`), kept here to compare against. Checked:
// the codec rules alone (readRequest, prepareResponse/readResponse against the codec with bytes)
// on every business type's spec example and on values the strict encoder normalises or refuses
// and replies the truncating encoder cuts or that cannot be read back; then whole dispatchers
// (two identical demo databases, one per path) on every spec example, answers and query/ans log
// lines; a test handler's normalised, refused and unreadable fields; and a write's request hash
// (a re-send over text replays a v1 original and the other way round; other content is 2007).
import t, { type Test } from 'tap';
import { isDeepStrictEqual } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { decodeHeader, type Header } from '../../protocol/header.js';
import {
  decodeRequestBody,
  decodeResponse,
  encodeErrorResponse,
  encodeRequest,
  encodeResponse,
  prepareResponse,
  readRequest,
  readResponse,
  type RequestHead,
} from '../../protocol/message.js';
import { GatewayError } from '../../protocol/return-codes.js';
import type { BodyRecord, Layout } from '../../protocol/layout-types.js';
import { CONTRACTS } from '../../handlers/contracts/index.js';
import { HANDLERS } from '../../handlers/index.js';
import { Dispatcher, type TextAnswer } from '../../src/dispatch.js';
import { openStore } from '../../src/store/open.js';
import { ensureDatabase } from '../../src/store/init.js';
import { createLogs, type Logs } from '../../src/log/index.js';
import type { Clock, HandlerModule } from '../../src/types.js';
import type { InterfaceConfig } from '../../src/config/types.js';
import type { Store } from '../../src/store/types.js';
import { demoFixtures } from '../../src/store/demo.js';
import { testInterface } from '../helpers/gateway.js';
import { familyLines } from '../helpers/log-files.js';

const big = (_k: string, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v);
const show = (v: unknown) => JSON.stringify(v, big);

/** What a call gave: a value, or an error's code, name and message. */
type Outcome = { value: unknown } | { error: { code?: number; rc?: string; message: string } };

function outcome(f: () => unknown): Outcome {
  try {
    return { value: f() };
  } catch (err) {
    const e = err as GatewayError;
    return { error: { code: e.code, rc: e.rc, message: e.message } };
  }
}

const HEAD: RequestHead = { biz: 101, seq: 7, serial: 'S1', time: '20261201120000', operator: 'op1' };
const REQ_HEADER: Header = { version: 1, kind: 1, biz: 101, seq: 7, serial: 'S1', time: '20261201120000', operator: 'op1', result: 0, reserved: 0 };

/** The reference: a request body through the v1 frame. */
const requestViaV1 = (layout: Layout, body: BodyRecord) => decodeRequestBody(encodeRequest(HEAD, layout, body), layout);
/** The new path's request body. */
const requestRead = (layout: Layout, body: BodyRecord) => readRequest(layout, body).body;
/** The reference: a reply through the v1 frame (message and fields). */
function replyViaV1(layout: Layout, body: BodyRecord, message = '成功', result = 0) {
  const r = decodeResponse(encodeResponse(REQ_HEADER, result, message, layout, body, '20261201120001'), layout);
  return { message: r.message, body: r.body };
}
/** The new path's reply. */
function replyRead(layout: Layout, body: BodyRecord, message = '成功', result = 0) {
  const r = readResponse(prepareResponse(result, message, layout, body), layout, body);
  return { message: r.message, body: r.body };
}

/** Values of every scalar field (and of the first record of each list) changed in ways the codec normalises or refuses. */
function* variants(layout: Layout, body: BodyRecord, path = ''): Generator<[string, BodyRecord]> {
  const put = (name: string, v: unknown): BodyRecord => ({ ...body, [name]: v as BodyRecord[string] });
  for (const f of layout) {
    const v = body[f.name];
    const at = path + f.name;
    switch (f.type) {
      case 'char':
      case 'text': {
        const s = typeof v === 'string' ? v : '';
        const width = f.type === 'char' ? f.width : (f.maxBytes ?? 300);
        yield [`${at} with trailing spaces`, put(f.name, `${s}  `)];
        yield [`${at} with leading spaces`, put(f.name, `  ${s}`)];
        yield [`${at} too long (ASCII)`, put(f.name, 'x'.repeat(width + 1))];
        yield [`${at} too long (GBK, cut inside a character)`, put(f.name, '青'.repeat(Math.ceil(width / 2) + 1))];
        yield [`${at} outside GBK`, put(f.name, `${s.slice(0, 1)}\u{1F600}`)];
        yield [`${at} with a control character`, put(f.name, `${s.slice(0, 1)}\u0001`)];
        yield [`${at} with a tab`, put(f.name, `a\tb`)];
        yield [`${at} not in the codes`, put(f.name, 'ZZ')];
        yield [`${at} missing`, put(f.name, undefined)];
        break;
      }
      case 'u8':
      case 'u16':
      case 'u32':
        yield [`${at} = -0`, put(f.name, -0)];
        yield [`${at} = 0`, put(f.name, 0)];
        yield [`${at} too large`, put(f.name, 2 ** 32)];
        yield [`${at} = 77`, put(f.name, 77)];
        yield [`${at} not an integer`, put(f.name, 1.5)];
        break;
      case 'money':
        yield [`${at} = -1`, put(f.name, -1n)];
        yield [`${at} = 10^12`, put(f.name, 10n ** 12n)];
        yield [`${at} a number`, put(f.name, 5)];
        break;
      case 'date':
      case 'datetime':
      case 'cycle':
        yield [`${at} blank`, put(f.name, '')];
        yield [`${at} spaces`, put(f.name, '        '.slice(0, 6))];
        yield [`${at} month 13`, put(f.name, f.type === 'cycle' ? '202413' : f.type === 'date' ? '20241301' : '20241301000000')];
        break;
      case 'list': {
        const items = Array.isArray(v) ? (v as BodyRecord[]) : [];
        if (items.length > 0) {
          for (const [what, item] of variants(f.of, items[0], `${at}[0].`)) yield [what, put(f.name, [item, ...items.slice(1)])];
        }
        yield [`${at} empty`, put(f.name, [])];
        break;
      }
    }
  }
}

const examples = CONTRACTS.filter((c) => c.example);

/**
 * Every spec example's request (or reply) and its variants through both paths: the same value or
 * the same error each time. Counts of those the v1 round trip refused, and changed.
 */
function compareExamples(t: Test, side: 'request' | 'response', viaV1: (l: Layout, b: BodyRecord) => unknown, viaNew: (l: Layout, b: BodyRecord) => unknown, changedOf: (v: unknown) => unknown) {
  const counts = { n: 0, changed: 0, refused: 0 };
  for (const c of examples) {
    const layout = c[side];
    const example = c.example![side];
    for (const [what, body] of [['the spec example', example] as [string, BodyRecord], ...variants(layout, example)]) {
      const want = outcome(() => viaV1(layout, body));
      const got = outcome(() => viaNew(layout, body));
      counts.n++;
      if ('error' in want) counts.refused++;
      else if (!isDeepStrictEqual(changedOf(want.value), body)) counts.changed++;
      if (!isDeepStrictEqual(got, want)) t.fail(`${c.ids.join('/')} ${c.name} ${side}: ${what}: ${show(got)}, v1 round trip ${show(want)}`);
    }
  }
  return counts;
}

t.test('issue 19 readRequest = decodeRequestBody(encodeRequest(...)) for every spec example and its fields normalised or refused (CS-01 … PC-03)', async (t) => {
  const { n, changed, refused } = compareExamples(t, 'request', requestViaV1, requestRead, (v) => v);
  t.ok(refused > 100 && changed > 20, `${n} bodies: ${changed} normalised, ${refused} refused, each as the v1 round trip`);
});

t.test('issue 19 readResponse(prepareResponse(...)) = decodeResponse(encodeResponse(...)) for every spec example\'s reply and its fields cut or refused', async (t) => {
  const { n, changed, refused } = compareExamples(t, 'response', replyViaV1, replyRead, (v) => (v as { body: unknown }).body);
  t.ok(refused > 50 && changed > 50, `${n} replies: ${changed} cut or normalised, ${refused} refused, each as the v1 round trip`);
  // Messages: cut to 65,535 bytes, characters outside GBK as '?', an error's message without fields.
  for (const message of ['成功', 'plain', `x${'青'.repeat(40_000)}`, 'a\u{1F600}b', '拒绝'.repeat(3)]) {
    for (const result of [0, 2001]) {
      t.strictSame(outcome(() => replyRead(examples[1].response, examples[1].example!.response, message, result)), outcome(() => replyViaV1(examples[1].response, examples[1].example!.response, message, result)), `message ${message.slice(0, 8)}… result ${result}`);
    }
  }
});

// ---------------------------------------------------------------------------------------------
// Whole dispatchers.

const AT = new Date(2024, 5, 1, 9, 30, 1);
const clock: Clock = { now: () => AT.getTime(), date: () => new Date(AT) };
const origin = { conn: 3, peer: '127.0.0.1:4000' };

interface Side {
  d: Dispatcher;
  logs: Logs;
  store: Store;
  dir: string;
}

async function side(t: Test, iface: InterfaceConfig, handlers: readonly HandlerModule<any, any>[] = HANDLERS): Promise<Side> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-text-answer-'));
  const log = pino({ level: 'silent' });
  const store = await openStore({ type: 'sqlite', path: join(dir, 'g.db'), poolMax: 1, passwordStorage: 'scrypt', demoSubscribers: 20, demoSeed: 1 }, log);
  await ensureDatabase(store, { demoSubscribers: 20, demoSeed: 1, passwordStorage: 'scrypt', now: AT, log });
  const logs = createLogs({ dir: join(dir, 'logs'), level: 'info', retentionDays: 30, requests: true }, { stderr: false });
  const d = new Dispatcher({ iface, handlers, store, clock, logs: logs.forInterface(iface.name), purgeEveryMs: 0 });
  t.teardown(async () => {
    d.close();
    await logs.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { d, logs, store, dir };
}

/** Requests viaV1 answered itself (the strict encoder refused the body: nothing reached the dispatcher). */
const refusedByEncoder = new Set<number>();

/**
 * The reference: what the text path did before issue 19 (encodeRequest, dispatch, decodeResponse).
 * A body the strict encoder refused was handed to the dispatcher as its bodyError, answered with
 * that error's code and message (query line without body): answered here from the error alone.
 */
async function viaV1(d: Dispatcher, head: RequestHead, body: BodyRecord | undefined): Promise<TextAnswer | undefined> {
  const layouts = d.layouts(head.biz);
  let frame: Buffer;
  try {
    frame = encodeRequest(head, layouts && body ? layouts.request : [], layouts && body ? body : {});
  } catch (err) {
    // The strict encoder's refusal was the dispatcher's bodyError: answered from the header (query
    // line without body, then this code and message).
    if (!(err instanceof GatewayError)) throw err;
    refusedByEncoder.add(head.seq);
    const h = decodeHeader(encodeRequest(head, [], {}));
    const r = decodeResponse(encodeErrorResponse(h, err));
    return { result: r.header.result, message: r.message };
  }
  const out = await d.dispatch(decodeHeader(frame), frame, origin);
  if (out.length === 0) return undefined;
  const r = decodeResponse(out, layouts?.response);
  return r.body === undefined ? { result: r.header.result, message: r.message } : { result: r.header.result, message: r.message, body: r.body };
}

/** The new path, as TextSession calls it. */
function viaText(d: Dispatcher, head: RequestHead, body: BodyRecord | undefined): Promise<TextAnswer | undefined> {
  const header = decodeHeader(encodeRequest(head, [], {}));
  return d.answer(header, body, origin);
}

/** The lines a request the strict encoder refused got before issue 19: the query line without its body, the ans line with the error's code. */
function refusedLines(head: RequestHead, result: number | undefined): unknown[] {
  return [
    { level: 'info', iface: 'cs', conn: origin.conn, peer: origin.peer, seq: head.seq, biz: head.biz, serial: head.serial, operator: head.operator, sent: head.time },
    { level: 'info', iface: 'cs', conn: origin.conn, seq: head.seq, biz: head.biz, result },
  ];
}

/** The request's query and ans lines (last of each), without what differs by construction: the line's time, the duration. */
async function lines(s: Side): Promise<unknown[]> {
  await s.logs.flush();
  const pick = (family: string) => {
    const all = familyLines(join(s.dir, 'logs'), 'cs', family, new Date());
    const o = JSON.parse(all[all.length - 1] ?? '{}') as Record<string, unknown>;
    delete o.time;
    delete o.ms;
    return o;
  };
  return [pick('query'), pick('ans')];
}

t.test('issue 19 every spec example (CS-01 … PC-04) and its normalised or refused variants: Dispatcher.answer gives the v1 round trip\'s answer and log lines', async (t) => {
  refusedByEncoder.clear();
  const iface = testInterface({ name: 'cs', serves: [...new Set(HANDLERS.map((h) => h.biz))] });
  const v1 = await side(t, iface);
  const text = await side(t, iface);
  let seq = 0;
  let n = 0;
  const results = new Set<number>();
  for (const c of examples) {
    const ex = c.example!;
    const bodies: [string, BodyRecord][] = [['the spec example', ex.request], ...[...variants(c.request, ex.request)].slice(0, 6)];
    for (const [what, body] of bodies) {
      seq++;
      const head: RequestHead = { biz: c.biz, seq, serial: `T${String(seq).padStart(6, '0')}`, time: '20240601093001', operator: 'SUPERUSR' };
      const want = await viaV1(v1.d, head, body);
      const got = await viaText(text.d, head, body);
      results.add(want?.result ?? -1);
      n++;
      if (!isDeepStrictEqual(got, want)) t.fail(`${c.ids.join('/')} ${c.name}: ${what}: ${show(got)}, v1 round trip ${show(want)}`);
      const [lw, lg] = [refusedByEncoder.has(seq) ? refusedLines(head, want?.result) : await lines(v1), await lines(text)];
      if (!isDeepStrictEqual(lg, lw)) t.fail(`${c.ids.join('/')} ${c.name}: ${what}: log lines ${show(lg)}, v1 round trip ${show(lw)}`);
    }
  }
  t.ok(results.has(0) && [...results].some((r) => r >= 1000 && r < 2000), `${n} requests, results ${[...results].sort().join(', ')}: the same answers and lines`);
  // Unknown (1003) and not implemented (1004) business types: answered from the header alone.
  for (const biz of [9999, 118]) {
    const head: RequestHead = { biz, seq: ++seq, serial: 'U1', time: '20240601093001', operator: 'SUPERUSR' };
    t.strictSame(await viaText(text.d, head, undefined), await viaV1(v1.d, head, undefined), `business type ${biz}`);
    t.strictSame(await lines(text), await lines(v1), `business type ${biz}: log lines`);
  }
});

const TEST_BIZ = 60301;
const TEST_REQ: Layout = [
  { name: 'mode', type: 'u8' },
  { name: 'code', type: 'char', width: 2, codes: [{ code: 'AA', zh: '甲', en: 'a' }, { code: 'BB', zh: '乙', en: 'b' }] },
  { name: 'name', type: 'char', width: 8 },
];
const TEST_RES: Layout = [
  { name: 'name', type: 'char', width: 8 },
  { name: 'note', type: 'text', maxBytes: 6 },
  { name: 'n', type: 'u16', max: 100 },
];
/** Echoes its request in a reply the mode shapes: 0 as is, 1 cut (too long), 2 outside GBK, 3 a control character (unreadable), 4 a field missing, 5 out of range. */
const shaper: HandlerModule = {
  biz: TEST_BIZ,
  ids: ['CS-01'],
  name: 'test-shaper',
  interfaces: ['cs'],
  request: TEST_REQ,
  response: TEST_RES,
  handle(req) {
    const name = req.name as string;
    switch (req.mode) {
      case 1:
        return Promise.resolve({ name: `${name}-much-too-long`, note: '青海省西宁', n: 1 });
      case 2:
        return Promise.resolve({ name: `${name}\u{1F600}`, note: 'a\u{1F600}', n: 2 });
      case 3:
        return Promise.resolve({ name, note: 'bell\u0007', n: 3 });
      case 4:
        return Promise.resolve({ name, n: 4 });
      case 5:
        return Promise.resolve({ name, note: '', n: 101 });
      default:
        return Promise.resolve({ name, note: `${name}   `.slice(0, 6), n: 0 });
    }
  },
};

t.test('issue 19 CS-01 a test handler\'s request and reply fields the v1 codec normalises, cuts or refuses: the same answer, lines and err line over Dispatcher.answer', async (t) => {
  refusedByEncoder.clear();
  const iface = testInterface({ name: 'cs', serves: [TEST_BIZ] });
  const v1 = await side(t, iface, [shaper]);
  const text = await side(t, iface, [shaper]);
  const cases: [string, BodyRecord][] = [
    ['plain', { mode: 0, code: 'AA', name: 'abc' }],
    ['request name with trailing spaces (read without them)', { mode: 0, code: 'AA', name: 'ab    ' }],
    ['request name too long (refused 1xxx by the strict encoder)', { mode: 0, code: 'AA', name: 'abcdefghij' }],
    ['request name outside GBK (refused)', { mode: 0, code: 'AA', name: 'a\u{1F600}' }],
    ['request code not in its list (refused by the decoder)', { mode: 0, code: 'CC', name: 'abc' }],
    ['request mode out of u8 (refused)', { mode: 300, code: 'AA', name: 'abc' }],
    ['reply cut to its widths on a GBK boundary', { mode: 1, code: 'BB', name: '青海' }],
    ['reply outside GBK (\'?\')', { mode: 2, code: 'BB', name: 'x' }],
    ['reply field missing (9999, "reply does not fit its layout")', { mode: 4, code: 'AA', name: 'abc' }],
    ['reply value out of range (9999)', { mode: 5, code: 'AA', name: 'abc' }],
    ['reply text with a control character (9999, "reply does not fit its layout")', { mode: 3, code: 'AA', name: 'abc' }],
  ];
  let seq = 0;
  for (const [what, body] of cases) {
    const head: RequestHead = { biz: TEST_BIZ, seq: ++seq, serial: `X${seq}`, time: '20240601093001', operator: 'op' };
    const want = await viaV1(v1.d, head, body);
    const got = await viaText(text.d, head, body);
    t.strictSame(got, want, `${what}: ${show(got)}`);
    t.strictSame(await lines(text), refusedByEncoder.has(seq) ? refusedLines(head, want?.result) : await lines(v1), `${what}: query and ans lines`);
  }
  const errs = async (s: Side) => {
    await s.logs.flush();
    return familyLines(join(s.dir, 'logs'), 'cs', 'err', new Date()).map((l) => {
      const o = JSON.parse(l) as Record<string, unknown>;
      return [o.msg, o.code, o.seq, o.reason];
    });
  };
  // Bodies the strict encoder refused reached no v1 dispatcher here (viaV1): their err lines are
  // the dispatcher's for a bodyError, as before issue 19 (INVALID_FIELD, the reason).
  const textErrs = await errs(text);
  t.strictSame(textErrs.filter((e) => !refusedByEncoder.has(e[2] as number)), await errs(v1), 'the same err lines ("reply does not fit its layout", the decoder\'s refusal)');
  t.strictSame(
    textErrs.filter((e) => refusedByEncoder.has(e[2] as number)).map((e) => e[0]),
    [...refusedByEncoder].map(() => 'INVALID_FIELD'),
    'a body the strict encoder refuses: one err line each, INVALID_FIELD',
  );
  t.ok((await errs(text)).some((e) => e[0] === 'reply does not fit its layout'), 'a reply its layout cannot carry is logged as such');

  // A reply text with a control character (a BEL in `note`): no reader accepts it, so it is not
  // sent; the client gets 9999, and ans.MMDD says 9999 — over v1 as over text. (Until 2026-12-07
  // the truncating encoder wrote it: v1 clients got a 0 they could not decode, text clients a
  // 9999 the connection made after an ans line saying 0.)
  const head: RequestHead = { biz: TEST_BIZ, seq: ++seq, serial: 'Y1', time: '20240601093001', operator: 'op' };
  const frame = encodeRequest(head, TEST_REQ, { mode: 3, code: 'AA', name: 'abc' });
  const out = await v1.d.dispatch(decodeHeader(frame), frame, origin);
  t.equal(decodeResponse(out, TEST_RES).header.result, 9999, 'a reply with a control character: v1 answers 9999');
  t.equal((await viaText(text.d, head, { mode: 3, code: 'AA', name: 'abc' }))?.result, 9999, 'and so does a text profile');
  const [, ans] = (await lines(v1)) as Record<string, unknown>[];
  t.strictSame([ans.seq, ans.result], [head.seq, 9999], 'its ans line says 9999, what the client got');
  t.strictSame(await lines(text), await lines(v1), 'the same query and ans lines over text');
});

t.test('issue 19 PC-03 a write\'s request hash over text is the v1 frame\'s: a re-send over text replays a v1 payment, a v1 re-send replays a text one, other content is 2007', async (t) => {
  const iface = testInterface({ name: 'card', kind: 'card' });
  const s = await side(t, iface);
  const payment = CONTRACTS.find((c) => c.name === 'payment')!;
  const body = { ...payment.example!.request, svcnum: demoFixtures(1).first.svcnum } as BodyRecord;
  const posted = async () => Number((await s.store.one<{ n: number }>({ name: 't.count', sql: 'SELECT COUNT(*) AS N FROM TAB_PAY' }))!.n);
  const before = await posted();
  let seq = 0;
  const head = (serial: string, operator = 'op1'): RequestHead => ({ biz: payment.biz, seq: ++seq, serial, time: '20240601093001', operator });

  const first = await viaV1(s.d, head('C0000000000000000901'), body);
  t.equal(first?.result, 0, 'the payment over v1 posts');
  const again = await viaText(s.d, head('C0000000000000000901'), body);
  t.strictSame(again, first, 'its re-send over text: the same answer (replayed, not 2007)');
  t.equal(await posted(), before + 1, 'posted once');

  const textFirst = await viaText(s.d, head('C0000000000000000902'), { ...body, amount: 700n });
  t.equal(textFirst?.result, 0, 'a payment over text posts');
  t.strictSame(await viaV1(s.d, head('C0000000000000000902'), { ...body, amount: 700n }), textFirst, 'its re-send over v1: replayed');
  t.strictSame(await viaText(s.d, head('C0000000000000000902'), { ...body, amount: 700n }), textFirst, 'and over text again: replayed');
  t.equal(await posted(), before + 2, 'each posted once');

  t.equal((await viaText(s.d, head('C0000000000000000902'), { ...body, amount: 701n }))?.result, 2007, 'the same serial with another amount over text: 2007');
  t.equal((await viaText(s.d, head('C0000000000000000902', 'op2'), { ...body, amount: 700n }))?.result, 2007, 'another operator: 2007 (the operator field is hashed as v1 carries it)');
  t.equal(await posted(), before + 2, 'nothing more posted');
});
