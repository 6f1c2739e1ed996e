// Issue 18: long CLI work (`db init --demo N`) shows a progress bar and a human summary on a
// terminal, and pino JSON lines only when asked (--json) or when stderr is not a terminal. The
// renderer with an injected isTTY stream; the real command under a pseudo-terminal (`script -qc`,
// util-linux; skipped with the reason when absent) and through pipes.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliLog } from '../../src/cli-progress.js';
import { cli } from '../helpers/serve.js';

t.test('issue 18: on a terminal the log is a bar and human lines; JSON when asked or not a terminal', async (t) => {
  const capture = (isTTY: boolean) => {
    const s = { isTTY, text: '', write(x: string) { this.text += x; return true; } };
    return s;
  };
  let clock = 0;
  const tty = capture(true);
  const h = cliLog({ stream: tty, now: () => clock });
  t.equal(h.human, true);
  h.log.info({ subscribers: 1000, seed: 1 }, 'loading demo data');
  for (let done = 250; done <= 1000; done += 250) {
    clock += 500;
    h.log.debug({ done, of: 1000 }, 'demo load progress');
  }
  h.log.info({ seconds: 2.123456 }, 'bssgate schema created');
  h.end();
  t.match(tty.text, 'loading demo data (subscribers 1000, seed 1)\n');
  t.match(tty.text, /\r\x1b\[2Kdemo load \[#{6}-{18}\]  25%  250 \/ 1,000 subscribers/, 'a bar at 25%');
  t.match(tty.text, /\[#{24}\] 100%  1,000 \/ 1,000 subscribers/, 'and at 100%');
  t.match(tty.text, /\r\x1b\[2Kbssgate schema created \(seconds 2\.12\)\n/, 'the next line replaces the bar; numbers rounded');
  t.notMatch(tty.text, /"level"/, 'no JSON on the terminal');

  for (const [what, stream, json] of [['not a terminal', capture(false), false], ['--json on a terminal', capture(true), true]] as const) {
    const j = cliLog({ stream, json });
    t.equal(j.human, false, what);
    j.log.info({ subscribers: 1000 }, 'loading demo data');
    j.log.debug({ done: 250, of: 1000 }, 'demo load progress');
    j.log.info({ done: 500, of: 1000 }, 'demo load progress');
    const lines = stream.text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    t.same(lines.map((l) => l.msg), ['loading demo data', 'demo load progress'], `${what}: pino JSON lines at info (the per-step debug lines left out)`);
  }
});

t.test('issue 18: db init --demo under a pseudo-terminal, through pipes and with --json', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-progress-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const ini = join(dir, 'x.ini');
  writeFileSync(ini, '[interface.cs]\nport = 9\n[database]\ntype = sqlite\npath = d.db\n');
  const fresh = () => rmSync(join(dir, 'd.db'), { force: true });
  const args = [cli, 'db', 'init', '--demo', '1500', '-c', ini];

  const haveScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
  t.test('a terminal (script -qc)', { skip: haveScript ? false : 'util-linux `script` is not installed: no pseudo-terminal to run the CLI in' }, async (t) => {
    fresh();
    const cmd = [process.execPath, ...args].map((a) => `'${a}'`).join(' ');
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    t.equal(r.status, 0, r.stderr);
    const text = r.stdout;
    t.match(text, /demo load \[#{24}\] 100%  1,500 \/ 1,500 subscribers/, 'a progress bar that reaches 100%');
    t.match(text, /\r\x1b\[2K/, 'redrawn in place');
    t.match(text, /creating the indexes/, 'the steps after the load are named');
    t.match(text, /created the schema in .*d\.db \(sqlite\): 1500 demo subscribers \(seed 1\), \d+ rows in [\d.]+ s/, 'the human summary');
    t.match(text, /\n  TAB_BILLDETAIL\s+[\d,]+ rows/, 'rows by table, the largest first');
    t.match(text, /… and \d+ more tables, [\d,]+ rows \(--json lists every table\)/, 'the rest summed');
    t.notMatch(text, /"level":/, 'no pino JSON on a terminal');
  });

  t.test('not a terminal: pino JSON on stderr, the summary line on stdout', async (t) => {
    fresh();
    const r = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    t.equal(r.status, 0, r.stderr);
    const lines = r.stderr.trim().split('\n').map((l) => JSON.parse(l) as { msg: string });
    t.ok(lines.some((l) => l.msg === 'loading demo data'), 'JSON lines a machine reads');
    t.notMatch(r.stderr, /\r|#####/, 'no bar');
    t.match(r.stdout, /^created the schema in .*: 1500 demo subscribers/);
  });

  t.test('--json: the summary as JSON too', async (t) => {
    fresh();
    const r = spawnSync(process.execPath, [...args, '--json'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    t.equal(r.status, 0, r.stderr);
    const s = JSON.parse(r.stdout) as { created: boolean; subscribers: number; rowsByTable: Record<string, number> };
    t.match(s, { created: true, subscribers: 1500, dialect: 'sqlite' });
    t.equal(s.rowsByTable.TAB_SUBSCRB, 1500);
  });
});
