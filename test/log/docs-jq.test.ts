// OP-02: docs/logs.md's `jq` examples select what their comments say, run as an operator runs
// them (sh, jq, today's file names) against the log files of a real gateway that served a known
// mix: 0, 1003, 1004, 1005, 2001, 9002 answers, a frame too short (1007) and a refused
// connection (9003). Every ```sh example in the doc must have an expectation here.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startTestGateway } from '../helpers/gateway.js';
import { connectRaw } from '../helpers/raw.js';
import { req, sleeper, SLEEP_BIZ } from '../helpers/handlers.js';
import { HANDLERS } from '../../handlers/index.js';
import { encodeRequest } from '../../protocol/message.js';
import { ensureDatabase } from '../../src/store/init.js';

const root = resolve(import.meta.dirname, '../..');
type Line = Record<string, unknown>;

/** The jq command lines of the doc's ```sh blocks, each with its comment. */
function docExamples(): { cmd: string; comment: string }[] {
  const md = readFileSync(join(root, 'docs/logs.md'), 'utf8');
  const out: { cmd: string; comment: string }[] = [];
  for (const block of md.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const line of block[1].split('\n')) {
      if (!line.startsWith('jq ')) continue;
      const m = /^(.*?)\s+#\s+(.*)$/.exec(line);
      if (!m) throw new Error(`docs/logs.md: a jq example without its comment: ${line}`);
      out.push({ cmd: m[1], comment: m[2].trim() });
    }
  }
  return out;
}

t.test('OP-02: every jq example of docs/logs.md selects what it says, on real log files', async (t) => {
  const jq = spawnSync('jq', ['--version'], { encoding: 'utf8' });
  t.equal(jq.status, 0, 'jq is installed (.ci/run installs it)');
  if (jq.status !== 0) return;

  const g = await startTestGateway({ handlers: [...HANDLERS, sleeper], interfaces: [{ maxConnections: 3, requestTimeoutMs: 100 }] });
  t.teardown(() => g.stop());
  await ensureDatabase(g.store, { demoSubscribers: 0, demoSeed: 1, now: new Date(), log: g.logs.main });

  const balance = HANDLERS.find((h) => h.biz === 114)!;
  const head = (biz: number, seq: number) => ({ biz, seq, serial: `S${seq}`, time: '20261122120000', operator: 'op1' });
  const tooLong = req(101, 6);
  const bodyMismatch = Buffer.concat([tooLong, Buffer.from([0])]);
  bodyMismatch.writeUInt32BE(bodyMismatch.length - 4, 0);
  const peer = await connectRaw(g.port);
  await peer.write(
    Buffer.concat([
      req(101, 1), // 0
      req(4242, 2), // 1003 unknown
      req(301, 3), // 1004 card-verify is not served on cs
      encodeRequest(head(114, 4), balance.request, { svcnum: '13900000000' }), // 2001 no such subscriber
      req(SLEEP_BIZ, 5, { ms: 400, tag: 5 }), // 9002: request_timeout 100 ms
      bodyMismatch, // 1005
    ]),
  );
  await peer.waitResponses(6, 10_000);
  t.same(peer.responses().map((r) => r.header.result), [0, 1003, 1004, 2001, 9002, 1005], 'the mix of answers');

  // 1007: a length below 56, never answered.
  const short = await connectRaw(g.port);
  await short.write(Buffer.from([0, 0, 0, 10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
  await short.closed;
  // 9003: max_connections = 3 (peer + two more), the fourth is refused.
  const others = [await connectRaw(g.port), await connectRaw(g.port)];
  t.teardown(() => others.forEach((o) => o.destroy()));
  await new Promise((r) => setTimeout(r, 100));
  const refused = await connectRaw(g.port);
  await refused.closed;
  t.equal(refused.responses()[0]?.header.result, 9003, 'the fourth connection is refused with 9003');
  await g.logs.flush();

  const dir = g.config.log.dir;
  const read = (family: string): Line[] => {
    const mm = spawnSync('sh', ['-c', 'date +%m%d'], { encoding: 'utf8' }).stdout.trim();
    return readFileSync(join(dir, 'cs', `${family}.${mm}`), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line);
  };
  const ans = read('ans');
  const err = read('err');
  const query = read('query');
  const asked = query.find((l) => l.seq === 4)!;

  // What each comment promises, computed from the parsed lines (and, to show the example is not
  // vacuous, what must be among them).
  const expect: Record<string, { select: () => Line[]; must: (sel: Line[]) => boolean }> = {
    'every answer that was not 0 OK': {
      select: () => ans.filter((l) => l.result !== 0),
      must: (s) => s.length === 5 && !s.some((l) => l.result === 0),
    },
    'answers the system could not serve (9xxx)': {
      select: () => ans.filter((l) => (l.result as number) >= 9000),
      must: (s) => s.length === 1 && s[0].result === 9002,
    },
    'unknown or unserved business types': {
      select: () => err.filter((l) => l.code === 1003 || l.code === 1004),
      must: (s) => s.length === 2 && s.some((l) => l.biz === 4242) && s.some((l) => l.biz === 301),
    },
    '9xxx: timeouts, database, internal errors, refusals (9003), stops (9004)': {
      select: () => err.filter((l) => (l.code as number) >= 9000),
      // 9002 (the timed-out request) and 9003 (the refused connection).
      must: (s) => s.some((l) => l.code === 9002 && l.seq === 5) && s.some((l) => l.code === 9003),
    },
    'refused connections': {
      select: () => err.filter((l) => l.refused === 'limit' || l.refused === 'allowlist'),
      must: (s) => s.length === 1 && s[0].refused === 'limit' && s[0].code === 9003,
    },
    'one request and its answer': {
      select: () => [...query, ...ans].filter((l) => l.conn === asked.conn && l.seq === 4),
      must: (s) => s.length === 2 && s[0].body !== undefined && s[1].result === 2001,
    },
    'answers per return code': {
      select: () => {
        const by = new Map<number, number>();
        for (const l of ans) by.set(l.result as number, (by.get(l.result as number) ?? 0) + 1);
        return [[...by].sort((a, b) => a[0] - b[0]).map(([result, n]) => ({ result, n }))] as unknown as Line[];
      },
      must: (s) => (s[0] as unknown as unknown[]).length === 6,
    },
  };
  // The frames themselves are recorded where the doc says: 1005 and 1007 in err with their code.
  t.ok(err.some((l) => l.code === 1005 && l.seq === 6), 'err has the 1005 answer');
  t.ok(err.some((l) => l.code === 1007), 'err has the 1007 frame that could not be answered');
  t.notOk(err.some((l) => l.code === 2001), 'a 2xxx refusal is not an error');
  t.equal(query.length, ans.length, 'one ans line per query line');

  // The doc's sample query line has the fields of a real one, in the same order.
  const sample = /^(\{"level":"info".*\})$/m.exec(readFileSync(join(root, 'docs/logs.md'), 'utf8'));
  t.ok(sample, 'docs/logs.md shows a sample line');
  if (sample) t.same(Object.keys(JSON.parse(sample[1]) as Line), Object.keys(asked), 'the sample query line has the fields of a real one');

  const examples = docExamples();
  t.ok(examples.length >= 5, `${examples.length} jq examples found`);
  for (const { cmd, comment } of examples) {
    const e = expect[comment];
    t.ok(e, `an expectation for "${comment}"`);
    if (!e) continue;
    // As an operator runs it from the directory holding logs/, with the example's conn/seq made real.
    const run = cmd.replace('--argjson conn 17', `--argjson conn ${String(asked.conn)}`).replace('--argjson seq 42', '--argjson seq 4');
    const r = spawnSync('sh', ['-c', run], { cwd: join(dir, '..'), encoding: 'utf8', timeout: 20_000 });
    t.equal(r.status, 0, `${run}: ${r.stderr}`);
    const got = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line);
    const want = e.select();
    t.same(got, want, `"${comment}" selects what it says (${want.length} lines)`);
    t.ok(e.must(got), `"${comment}": ${JSON.stringify(got).slice(0, 300)}`);
  }
});
