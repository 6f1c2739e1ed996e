// Issue 16: comparison after decoding (field by field, lists record by record, order-only
// differences), named and learned noise, masking, and the verdict lines.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { compareReplies, ignoredFields } from '../../src/shadow/compare.js';
import type { DecodedReply } from '../../src/shadow/framing.js';
import { V1_FRAMING } from '../../src/shadow/framing.js';
import { ShadowReport, maskDifference, verdict, readSummaries, reportText } from '../../src/shadow/report.js';
import type { Layout } from '../../protocol/layout-types.js';
import { encodeResponse } from '../../protocol/message.js';
import { LAYOUTS_BY_CODE } from '../../handlers/index.js';

const LAYOUT: Layout = [
  { name: 'balance', type: 'money' },
  { name: 'pwd', type: 'char', width: 8, secret: true },
  { name: 'items', type: 'list', of: [{ name: 'id', type: 'u32' }, { name: 'fee', type: 'money' }] },
];
const head = { serial: 'S1', operator: 'OP', biz: 114, seq: 1, time: '20260101120000' };
function reply(body: Record<string, unknown>, result = 0, message = '成功'): DecodedReply {
  return { result, message, body: body as DecodedReply['body'], header: { ...head } };
}
const items = (...fees: number[]) => fees.map((f, i) => ({ id: i + 1, fee: BigInt(f) }));

t.test('issue 16: field by field, lists record by record', async (t) => {
  const p = reply({ balance: 100n, pwd: 'x', items: items(1, 2, 3, 4) });
  t.same(compareReplies(p, reply({ balance: 100n, pwd: 'x', items: items(1, 2, 3, 4) }), LAYOUT), [], 'identical');
  const c = reply({ balance: 101n, pwd: 'x', items: items(1, 2, 3, 5) });
  t.same(
    compareReplies(p, c, LAYOUT).map((d) => [d.field, d.generic, d.kind, d.primary, d.candidate]),
    [['balance', 'balance', 'value', '100', '101'], ['items[3].fee', 'items[].fee', 'value', '4', '5']],
  );
  const removed = reply({ balance: 100n, pwd: 'x', items: items(1, 2, 3, 4).filter((r) => r.id !== 2) });
  t.same(compareReplies(p, removed, LAYOUT).map((d) => [d.field, d.kind]), [['items[1]', 'missing']], 'a removed record is named, the others match');
  const reordered = reply({ balance: 100n, pwd: 'x', items: items(1, 2, 3, 4).reverse() });
  t.same(compareReplies(p, reordered, LAYOUT).map((d) => [d.field, d.kind]), [['items', 'order']], 'an order-only difference is reported as such');
});

t.test('issue 16: a differing result code is the first and only difference', async (t) => {
  const d = compareReplies(reply({ balance: 1n, pwd: '', items: [] }), { result: 2001, message: '无此用户', header: { ...head } }, LAYOUT);
  t.same(d.map((x) => [x.field, x.kind, x.primary, x.candidate]), [['result', 'result', 0, 2001]]);
});

t.test('issue 16: named noise: header time, clock fields, ignore entries', async (t) => {
  const p = reply({ database: 1, dialect: 'sqlite', serverTime: '20260101120000' });
  const c = { ...reply({ database: 1, dialect: 'sqlite', serverTime: '20260101120007' }), header: { ...head, time: '20260101120009' } };
  const l = LAYOUTS_BY_CODE.get(101)!.response;
  t.equal(compareReplies(p, c, l).length, 1, 'without normalisers serverTime differs (the header time never does)');
  t.same(compareReplies(p, c, l, { ignore: ignoredFields(101, []) }), [], 'CS-01 serverTime is a clock field');
  t.ok(ignoredFields(114, ['balance:updated', 'CS-14:x', '*:items[3].fee']).has('items[].fee'));
  t.ok(ignoredFields(114, ['balance:updated']).has('updated'));
  t.notOk(ignoredFields(103, ['balance:updated']).has('updated'));
});

t.test('issue 16: v1 framing decodes real frames with the business layout', async (t) => {
  const l = LAYOUTS_BY_CODE.get(114)!.response;
  const h = { version: 1, kind: 1, biz: 114, seq: 9, serial: 'S', time: '20260101120000', operator: 'O', result: 0, reserved: 0 };
  const f = encodeResponse(h, 0, '成功', l, { acctid: '300000001', balance: -5n, updated: '20260101120000' });
  const d = V1_FRAMING.decodeReply([f], l);
  t.equal(d.body!.balance, -5n);
  t.same(V1_FRAMING.head(f, 'response'), { kind: 'response', biz: 114, seq: 9, serial: 'S', result: 0 });
  t.throws(() => V1_FRAMING.splitter(100, 'request').push(Buffer.from([0, 0, 0, 1])), /FRAME_TOO_SHORT|length/);
});

t.test('issue 16: learned noise with a secondary (Diffy), masking, verdicts, the report command', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-shadow-rep-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const r = new ShadowReport('cs', dir, 2);
  const p = reply({ balance: 100n, pwd: 'secret12', items: [] });
  for (let i = 0; i < 50; i++) {
    // `items` order flips between any two instances (noise); balance differs only on the candidate, 5 times.
    const c = reply({ balance: i < 5 ? 101n : 100n, pwd: i === 0 ? 'other999' : 'secret12', items: [] });
    const diffs = compareReplies(p, c, LAYOUT);
    const noisy = { generic: 'items', field: 'items', kind: 'order' as const, primary: 2, candidate: 2 };
    if (i % 2 === 0) diffs.push(noisy);
    r.record(114, `1#${i}`, diffs, LAYOUT, { generics: new Set(i % 2 === 1 ? ['items'] : []), reply: p });
    r.biz(114).mirrored++;
  }
  const [s] = r.summaryLines();
  t.same(s.learnedNoise, ['items'], 'a field that differs as often on the secondary is noise');
  t.equal(s.differing, 5, 'only the balance (and the one password) make an answer differ');
  t.equal(s.identical, 45);
  const pwd = s.fields.find((f) => f.field === 'pwd')!;
  t.same(pwd.samples[0], { field: 'pwd', primary: '[secret]', candidate: '[secret]' }, 'secret fields are masked as in the logs');
  t.same(maskDifference({ field: 'x.password', generic: 'x.password', kind: 'value', primary: 'a', candidate: 'b' }, undefined), { primary: '[secret]', candidate: '[secret]' });
  t.equal(verdict({ id: 'CS-14', mirrored: 12403, differing: 0, candidateErrors: 0, timeouts: 0, dropped: 0 }), 'CS-14: 12,403 mirrored, 0 differ');
  t.equal(verdict({ id: 'CS-14', mirrored: 3, differing: 1, candidateErrors: 1, timeouts: 2, dropped: 4 }), 'CS-14: 3 mirrored, 1 differ, 1 candidate error, 2 timeouts, 4 dropped');
  await r.flush();
  const text = reportText(await readSummaries(dir));
  t.match(text, /^\[shadow\.cs\]/);
  t.match(text, /CS-14: 50 mirrored, 5 differ/);
  t.match(text, /noise \(differs as often on the secondary\): items/);
  t.notMatch(text, /secret12|other999/, 'no secret in the report');
  const cli = spawnSync(process.execPath, ['dist/src/cli.js', 'shadow', 'report', dir], { encoding: 'utf8', timeout: 60_000 });
  t.equal(cli.status, 2, 'exit 2: something differs');
  t.match(cli.stdout, /CS-14: 50 mirrored, 5 differ/);
});
