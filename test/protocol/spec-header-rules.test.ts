// Issue 18: what protocol/SPEC.md sections 1, 2 and 7 say is what the gateway does and what the
// encoder produces. The header size is named one way (60 bytes from the start of the frame, the
// length counting the 56 after it); the response `time` rule says when (always the gateway's);
// the answers to 1001/1002/1009 carry a blank serial and operator as section 2 says, checked over
// a real socket against a real gateway; every hex dump is aligned with contiguous offsets; and every
// repository file the SPEC names exists.
import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { HEADER_SIZE, MIN_FRAME_LENGTH, SERIAL_OFFSET, OPERATOR_OFFSET, RESULT_OFFSET, TIME_OFFSET } from '../../protocol/header.js';
import { encodeRequest } from '../../protocol/message.js';
import { startTestGateway } from '../helpers/gateway.js';
import { connectRaw } from '../helpers/raw.js';
import { formatDateTime } from '../../src/time.js';

const root = resolve(import.meta.dirname, '../..');
const spec = readFileSync(join(root, 'protocol/SPEC.md'), 'utf8');

/** The text of section `n` (from its `## n.` heading to the next `## `). */
function section(n: number): string {
  const start = spec.indexOf(`\n## ${n}. `);
  if (start < 0) throw new Error(`no section ${n}`);
  const end = spec.indexOf('\n## ', start + 1);
  return spec.slice(start, end < 0 ? undefined : end);
}

t.test('issue 18: sections 1 and 2 name the header size the same way (60 from the frame start, length = 56 after it + body)', async (t) => {
  t.equal(HEADER_SIZE, 60);
  t.equal(MIN_FRAME_LENGTH, 56);
  t.match(section(1), `the rest of the header (${MIN_FRAME_LENGTH} bytes, offsets 4–${HEADER_SIZE - 1} of section 2)`);
  t.match(section(1), `The header is **${HEADER_SIZE} bytes** counted from the start of the frame, the 4-byte \`length\` included`);
  t.match(section(2), new RegExp(`^\\n## 2\\. Header \\(${HEADER_SIZE} bytes from the start of the frame, the length field included\\)`));
  // The old wording that counted the header as 56 bytes is gone everywhere.
  t.notMatch(spec, /header \(56 bytes after the length field\)|56-byte header/);
});

t.test('issue 18: section 2 says when a response copies serial and operator and whose time it carries', async (t) => {
  const s2 = section(2);
  t.notMatch(s2, /unless the gateway states its own/, 'the old rule without a when is gone');
  t.match(s2, /They copy only `biz` and `seq`, read from their offsets, and send `serial` and\n`operator` \*\*blank\*\*/);
  t.match(s2, /carries in `time` the gateway's own\nlocal time when it built the answer/);
});

t.test('issue 18: over a real socket, 1001/1002/1009 answers carry blank serial and operator; every answer carries the gateway time', async (t) => {
  // A fixed clock far from the request's time: an answer time equal to it is the gateway's.
  const at = new Date(2031, 4, 6, 7, 8, 9);
  const gw = await startTestGateway({ clock: { now: () => at.getTime(), date: () => new Date(at.getTime()) } });
  t.teardown(() => gw.stop());
  const gatewayTime = formatDateTime(at);
  const head = { biz: 101, seq: 7, serial: 'SER-18-A', time: '20000101000000', operator: 'OPR18' };
  const good = encodeRequest(head, [], {});

  const cases: { name: string; code: number; frame: Buffer }[] = [
    { name: 'version 2', code: 1002, frame: Buffer.from(good).fill(2, 4, 5) },
    { name: 'kind 2', code: 1009, frame: Buffer.from(good).fill(2, 5, 6) },
    { name: 'time not digits', code: 1001, frame: Buffer.from(good).fill(0x41, TIME_OFFSET, TIME_OFFSET + 1) },
  ];
  for (const c of cases) {
    const peer = await connectRaw(gw.port);
    t.teardown(() => peer.destroy());
    await peer.write(c.frame);
    const [r] = await peer.waitResponses(1, 10_000);
    t.equal(r.header.result, c.code, `${c.name}: answered ${c.code}`);
    t.equal(r.header.biz, 101, `${c.name}: biz copied`);
    t.equal(r.header.seq, 7, `${c.name}: seq copied`);
    const raw = peer.received();
    t.equal(raw.toString('latin1', SERIAL_OFFSET, TIME_OFFSET), ' '.repeat(20), `${c.name}: serial blank (20 spaces)`);
    t.equal(raw.toString('latin1', OPERATOR_OFFSET, RESULT_OFFSET), ' '.repeat(10), `${c.name}: operator blank (10 spaces)`);
    t.equal(r.header.time, gatewayTime, `${c.name}: the gateway's time`);
    await peer.closed;
  }

  const peer = await connectRaw(gw.port);
  t.teardown(() => peer.destroy());
  await peer.write(good);
  const [ok] = await peer.waitResponses(1, 10_000);
  t.equal(ok.header.result, 0, 'a good request is answered 0');
  t.equal(ok.header.serial, 'SER-18-A', 'serial copied');
  t.equal(ok.header.operator, 'OPR18', 'operator copied');
  t.equal(ok.header.time, gatewayTime, "the gateway's time, not the request's");
});

/** Every annotated hex block: [name, lines]. */
function hexBlocks(): [string, string[]][] {
  return [...spec.matchAll(/<!-- hex:([\w-]+) -->\n```text\n([\s\S]*?)\n```/g)].map((m) => [m[1], m[2].split('\n')]);
}

t.test('issue 18: every hex dump of SPEC.md is aligned and its offsets follow its bytes', async (t) => {
  const blocks = hexBlocks();
  t.ok(blocks.length >= 2 * 30 + 3, `${blocks.length} hex blocks`);
  t.ok(blocks.some(([n]) => n === 'cs01-request') && blocks.some(([n]) => n === 'cs01-response'), 'section 7 has its CS-01 examples');
  for (const [name, lines] of blocks) {
    let expected = 0;
    let bad = 0;
    for (const line of lines) {
      // offset right-aligned in 4, two spaces, the bytes, the comment's `#` at one column for all.
      const m = /^( {0,3}\d{1,4})  ((?:[0-9a-f]{2} )*[0-9a-f]{2}) +# /.exec(line);
      if (!m || line.indexOf('#') !== 68 || Number(m[1]) !== expected) {
        bad++;
        if (bad === 1) t.fail(`${name}: misaligned or wrong offset (expected ${expected}): ${JSON.stringify(line)}`);
        continue;
      }
      expected += m[2].split(' ').length;
    }
    if (bad === 0) t.pass(`${name}: ${lines.length} lines aligned, ${expected} bytes`);
  }
});

t.test('issue 18: every file of the repository SPEC.md names exists; the legacy document is said to be outside it', async (t) => {
  const paths = new Set([...spec.matchAll(/(?:^|[\s`(])((?:\.\.\/)?(?:protocol|src|handlers|docs|test|config|bench)\/[\w./*-]*\w)/g)].map((m) => m[1]));
  t.ok(paths.size >= 20, `${paths.size} paths named`);
  for (const p of paths) {
    if (p.includes('*')) continue;
    t.ok(existsSync(join(root, p.replace(/^\.\.\//, ''))), `${p} exists`);
    t.notOk(p.startsWith('../'), `${p} is named from the repository root`);
  }
  t.match(spec, /\*\*The legacy document\*\* named below is the operator's interface maintenance document\n\(青海接口维护文档, in Chinese\), which is not part of this repository; everything this\nspecification takes from it is recorded in `docs\/legacy-inventory\.md`/);
});
