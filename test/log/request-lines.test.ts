// The templated request lines (src/log/request-lines.ts) against what pino writes for the same
// object through the same loggers (src/log/index.ts): both go to the same daily files, and every
// pair of lines must parse to the same value, and be byte-identical.
import t from 'tap';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SECRET_MASK } from '../../protocol/redact.js';
import { createLogs, mmdd } from '../../src/log/index.js';
import { RequestLines, jsonString, jsonValue, msText } from '../../src/log/request-lines.js';
import type { Clock } from '../../src/types.js';

const RUNS = Number(process.env.BSSGATE_PROPERTY_RUNS ?? 300);
const NOW = new Date(2024, 10, 22, 10, 15, 3, 123).getTime();
const clock: Clock = { now: () => NOW, date: () => new Date(NOW) };

const lines = (f: string): string[] => readFileSync(f, 'utf8').split('\n').filter(Boolean);

/** Strings of every kind the escaping must handle: quotes, backslashes, controls, non-ASCII, lone surrogates. */
const text = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: fc.constantFrom('"', '\\', '\n', '\u0000', '\u001f', '\u007f', '中', '\u2028', '\ud800', '\udfff', 'a', ' '), maxLength: 20 }),
  fc.string({ maxLength: 150 }),
);
const int = fc.integer({ min: 0, max: 2 ** 32 - 1 });
const leaf = fc.oneof(text, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.bigInt({ min: -(2n ** 40n), max: 2n ** 40n }));
const key = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('password', 'svcpwd', 'pin', 'amount', 'svcnum', 'newPassword'));
const { body } = fc.letrec((tie) => ({
  body: fc.oneof({ depthSize: 'small' }, leaf, fc.dictionary(key, tie('body'), { maxKeys: 5 }), fc.array(tie('body'), { maxLength: 4 })),
}));
const queryInput = fc.record({
  conn: int, peer: text, seq: int, biz: fc.integer({ min: 0, max: 65535 }), serial: text, operator: text, sent: text,
  body: fc.oneof(fc.constant(undefined), fc.dictionary(key, body, { maxKeys: 6 })),
});
const ansInput = fc.record({
  conn: int, seq: int, biz: fc.integer({ min: 0, max: 65535 }), result: fc.integer({ min: 0, max: 9999 }),
  ms: fc.oneof(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.constant(Number.NaN)), replay: fc.boolean(),
});

const plain = (s: string) => /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/.test(s);

t.test('OP-02: query and ans lines from the templates parse to what pino writes for the same request', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-request-lines-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const logs = createLogs({ dir, level: 'info', retentionDays: 30, requests: true }, { clock, stderr: false });
  const cs = logs.forInterface('cs');
  const tpl = new RequestLines(cs);
  const queries = fc.sample(queryInput, { numRuns: RUNS, seed: 42 });
  const answers = fc.sample(ansInput, { numRuns: RUNS, seed: 43 });
  for (const q of queries) {
    cs.query.info({ conn: q.conn, peer: q.peer, seq: q.seq, biz: q.biz, serial: q.serial, operator: q.operator, sent: q.sent, body: q.body });
    tpl.query(q.conn, q.peer, q.seq, q.biz, q.serial, q.operator, q.sent, q.body);
  }
  for (const a of answers) {
    cs.ans.info({ conn: a.conn, seq: a.seq, biz: a.biz, result: a.result, ms: Math.round(a.ms * 1000) / 1000, ...(a.replay ? { replay: true } : {}) });
    tpl.answer(a.conn, a.seq, a.biz, a.result, a.ms, a.replay);
  }
  await logs.close();
  for (const [family, inputs] of [['query', queries], ['ans', answers]] as const) {
    const got = lines(join(dir, 'cs', `${family}.${mmdd(NOW)}`));
    t.equal(got.length, inputs.length * 2, `${family}: one line per call on each path`);
    let identical = 0;
    let mismatches = 0;
    for (let i = 0; i < inputs.length; i++) {
      const fromPino = got[2 * i];
      const fromTemplate = got[2 * i + 1];
      // Key order is not meaning: pino's fallback for bigint bodies sorts keys.
      if (JSON.stringify(sortKeys(JSON.parse(fromTemplate))) !== JSON.stringify(sortKeys(JSON.parse(fromPino)))) {
        if (mismatches++ < 3) t.fail(`${family} line ${i} differs: pino ${JSON.stringify(fromPino)} template ${JSON.stringify(fromTemplate)}`);
      }
      if (fromTemplate === fromPino) identical++;
    }
    t.equal(mismatches, 0, `${family}: every template line means what pino's does`);
    t.equal(identical, inputs.length, `${family}: every line byte-identical too`);
  }
});

t.test('OP-02: plain requests give byte-identical lines, with iface, local time and no msg', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-request-lines-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const logs = createLogs({ dir, level: 'info', retentionDays: 30, requests: true }, { clock, stderr: false });
  const cs = logs.forInterface('cs');
  const tpl = new RequestLines(cs);
  const q = { conn: 17, peer: '10.1.2.3:53122', seq: 42, biz: 114, serial: 'CC2024112200001234', operator: 'op1001', sent: '20241122101503', body: { svcnum: '13997001234', amount: 5000 } };
  cs.query.info(q);
  tpl.query(q.conn, q.peer, q.seq, q.biz, q.serial, q.operator, q.sent, q.body);
  cs.ans.info({ conn: 17, seq: 42, biz: 114, result: 0, ms: 0.412 });
  tpl.answer(17, 42, 114, 0, 0.41249, false);
  await logs.close();
  const [qp, qt] = lines(join(dir, 'cs', `query.${mmdd(NOW)}`));
  t.equal(qt, qp);
  t.ok(plain(qt.replace(/[{}:,"]/g, '')), 'ASCII line');
  t.match(JSON.parse(qt), { level: 'info', iface: 'cs', conn: 17, body: { svcnum: '13997001234' } });
  t.match(JSON.parse(qt).time, /^2024-11-22T10:15:03\.123[+-]\d\d:\d\d$/);
  t.notOk('msg' in JSON.parse(qt));
  const [ap, at] = lines(join(dir, 'cs', `ans.${mmdd(NOW)}`));
  t.equal(at, ap);
});

t.test('OP-02: secrets in a body never reach the query line, at any depth the loggers redact', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-request-lines-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const logs = createLogs({ dir, level: 'info', retentionDays: 30, requests: true }, { clock, stderr: false });
  const tpl = new RequestLines(logs.forInterface('cs'));
  tpl.query(1, 'p', 1, 121, 's', 'o', 't', { svcnum: '139', password: 'Sekrit-1', nested: [{ puk: 'Sekrit-2', amount: 10n }] });
  await logs.close();
  const [line] = lines(join(dir, 'cs', `query.${mmdd(NOW)}`));
  t.notMatch(line, /Sekrit/);
  t.same(JSON.parse(line).body, { svcnum: '139', password: SECRET_MASK, nested: [{ puk: SECRET_MASK, amount: 10 }] });
});

t.test('OP-02: request logs off: the templates write nothing', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-request-lines-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const logs = createLogs({ dir, level: 'info', retentionDays: 30, requests: false }, { clock, stderr: false });
  const tpl = new RequestLines(logs.forInterface('cs'));
  tpl.query(1, 'p', 1, 101, 's', 'o', 't', {});
  tpl.answer(1, 1, 101, 0, 1, false);
  await logs.close();
  t.throws(() => readFileSync(join(dir, 'cs', `query.${mmdd(NOW)}`)), { code: 'ENOENT' });
  t.throws(() => readFileSync(join(dir, 'cs', `ans.${mmdd(NOW)}`)), { code: 'ENOENT' });
});

t.test('OP-02: jsonString and jsonValue are JSON', async (t) => {
  fc.assert(fc.property(text, (s) => JSON.parse(jsonString(s)) === s), { numRuns: RUNS * 3 });
  t.equal(jsonString('a"b\\c'), '"a\\"b\\\\c"');
  t.equal(jsonString('\u0001'), '"\\u0001"');
  t.equal(jsonString('中文'), '"中文"');
  t.equal(jsonValue({ a: 1n, b: [2n, undefined], c: undefined }), '{"a":1,"b":[2,null]}');
  const cyclic: Record<string, unknown> = { a: 1, b: 2n };
  cyclic.self = cyclic;
  t.same(JSON.parse(jsonValue(cyclic)!), { a: 1, b: 2, self: '[Circular]' });
});

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
  return out;
}

t.test('issue 17: suc_query posting lines made by the template are byte-identical to what pino writes', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-request-lines-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const logs = createLogs({ dir, level: 'info', retentionDays: 30, requests: true }, { clock, stderr: false });
  const card = logs.forInterface('card');
  const flatValue = fc.oneof(text, fc.integer(), fc.double(), fc.boolean(), fc.constant(undefined), fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }));
  const postingKey = fc.oneof(fc.constantFrom('client', 'serial', 'svcnum', 'amount', 'balance', 'paysn', 'kind', 'orig'), key, fc.constantFrom('err', 'msg', 'level'));
  // mostly flat (the template), sometimes a nested value or a secret key (pino itself)
  const posting = fc.dictionary(postingKey, fc.oneof({ weight: 9, arbitrary: flatValue }, { weight: 1, arbitrary: body }), { maxKeys: 9 });
  const inputs = [
    { client: 'card', serial: 'S2024112200001', svcnum: '13997001234', amount: 5000n, balance: -120n, paysn: 9007199254740993n, kind: 'payment' },
    ...fc.sample(posting, { numRuns: RUNS, seed: 44 }),
  ];
  const made: string[] = [];
  for (const line of inputs) {
    card.sucQuery.info(line);
    const j = await card.postings.prepare([{ line, key: { paysn: 1n, source: 'card', serial: 's' } }]);
    made.push(...j.lines);
    card.postings.abandon(j);
  }
  await logs.close();
  const fromPino = lines(join(dir, 'card', `suc_query.${mmdd(NOW)}`));
  t.equal(fromPino.length, inputs.length);
  let identical = 0;
  for (let i = 0; i < inputs.length; i++) {
    // as the file holds it: UTF-8 (a lone surrogate becomes U+FFFD on both paths)
    const mine = Buffer.from(made[i], 'utf8').toString('utf8');
    if (mine === `${fromPino[i]}\n`) identical++;
    else if (identical + 3 > i) t.fail(`line ${i}: pino ${JSON.stringify(fromPino[i])} template ${JSON.stringify(mine)}`);
  }
  t.equal(identical, inputs.length, 'every posting line byte-identical');
  t.match(JSON.parse(made[0]), { level: 'info', iface: 'card', amount: 5000, kind: 'payment' });
  t.match(made[0], /"paysn":9007199254740993,/, 'a bigint beyond 2^53 keeps every digit');
});

t.test('issue 17, CS-01: msText is the text pino writes for Math.round(ms * 1000) / 1000', async (t) => {
  const ref = (ms: number): string => JSON.stringify(Math.round(ms * 1000) / 1000) ?? 'null';
  const fixed = [0, -0, 0.0004, 0.0005, 0.001, 0.01, 0.1, 0.5, 0.05, 0.005, 0.12, 0.012, 0.102, 0.41249, 1, 9.999, 10.01, 123.4567, 1e6 + 0.007,
    2 ** 31 + 0.25, 9_007_199_254.74, 9_007_199_254.741, 1e13, 1e21, -0.2, -5, Number.NaN, Infinity, -Infinity, Number.MIN_VALUE];
  for (const ms of fixed) t.equal(msText(ms), ref(ms), String(ms));
  fc.assert(fc.property(fc.double({ min: -10, max: 1e10, noNaN: true }), (ms) => msText(ms) === ref(ms)), { numRuns: 20_000, seed: 17 });
  fc.assert(fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (us) => msText(us / 1000) === ref(us / 1000)), { numRuns: 20_000, seed: 18 });
});

t.test('issue 17, CS-01: connections sharing a cached line prefix, and empty bodies, give byte-identical lines', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-request-lines-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const logs = createLogs({ dir, level: 'info', retentionDays: 30, requests: true }, { clock, stderr: false });
  const cs = logs.forInterface('cs');
  const tpl = new RequestLines(cs);
  // conn 3, 67 and 131 fall in one slot of the prefix cache; conn 3 comes back with another peer.
  const order: [number, string][] = [[3, '10.0.0.1:1'], [67, '10.0.0.2:2'], [3, '10.0.0.1:1'], [131, '10.0.0.3:3'], [3, '10.0.0.9:9'], [67, '10.0.0.2:2'], [4294967295, '::1:5']];
  let seq = 0;
  for (const [conn, peer] of order) {
    seq++;
    for (const body of [{}, undefined, Object.create(null) as object, { a: 1 }]) {
      cs.query.info({ conn, peer, seq, biz: 101, serial: 'BENCH', operator: 'bench', sent: '20261122120000', body });
      tpl.query(conn, peer, seq, 101, 'BENCH', 'bench', '20261122120000', body);
    }
    cs.ans.info({ conn, seq, biz: 101, result: 0, ms: 0.05 });
    tpl.answer(conn, seq, 101, 0, 0.0501, false);
  }
  await logs.close();
  const q = lines(join(dir, 'cs', `query.${mmdd(NOW)}`));
  const a = lines(join(dir, 'cs', `ans.${mmdd(NOW)}`));
  t.equal(q.length, order.length * 8);
  t.equal(a.length, order.length * 2);
  for (let i = 0; i < q.length; i += 2) t.equal(q[i + 1], q[i], `query line ${i / 2}`);
  for (let i = 0; i < a.length; i += 2) t.equal(a[i + 1], a[i], `ans line ${i / 2}`);
  t.match(q[0], /,"body":\{\}\}$/);
});
