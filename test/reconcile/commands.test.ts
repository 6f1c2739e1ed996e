// PC-07 `bssgate reconcile <file>` and the watched drop directory; PC-08 `bssgate report
// card-payments --since 1h`. The commands run against the seeded database of a handler suite.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { DEFAULT_CARD } from '../../src/config/keys.js';
import type { Config } from '../../src/config/types.js';
import { parseSince } from '../../src/reconcile/card-payments.js';
import { cardPaymentsCommand, reconcileCommand, type CardCommandDeps } from '../../src/reconcile/cli.js';
import { watchDropDirectory } from '../../src/reconcile/watch.js';
import type { Store } from '../../src/store/types.js';
import { handlerSuite } from '../helpers/seeded.js';
import { accountState, payRow, serial } from '../handlers/card-expected.js';

const log = pino({ level: 'silent' });

handlerSuite('PC-07 reconcile command and drop directory, PC-08 report card-payments', async (t, h) => {
  const dir = mkdtempSync(join(tmpdir(), 'bssgate-reconcmd-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const card = { ...DEFAULT_CARD, reportDir: join(dir, 'reports'), pollMs: 1000 };
  // The commands close the store they open: hand them the harness's, with close() a no-op.
  const shared = new Proxy(h.store, {
    get(target, p) {
      if (p === 'close') return async () => undefined;
      const v = Reflect.get(target, p, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as Store;
  let printed = '';
  const deps: CardCommandDeps = {
    loadConfig: () => ({ files: [], interfaces: [], database: { type: 'sqlite', poolMax: 1, passwordStorage: 'scrypt', demoSubscribers: 0, demoSeed: 1 }, log: { dir: join(dir, 'logs'), level: 'info', retentionDays: 1, requests: false }, shutdownGraceMs: 0, card }) as Config,
    openStore: async () => shared,
    out: (s) => void (printed += s),
  };

  t.test('PC-07 bssgate reconcile <file>: applies, prints the summary and the report path; exit 0', async (t) => {
    const f = h.fx.first;
    const before = await accountState(h, f.acctid);
    const s = serial('C7A');
    const path = join(dir, 'cmd-a.txt');
    writeFileSync(path, `H|cl-cmd|20240620|1|321\nP|${s}|${f.svcnum}|321|20240620100000\n`);
    printed = '';
    t.equal(await reconcileCommand(path, { config: ['t.ini'] }, deps), 0);
    t.match(printed, /client cl-cmd, day 20240620: summary: differences 1, applied 1/);
    t.match(printed, /report .*cl-cmd-20240620-\d{14}\.report/);
    t.equal((await accountState(h, f.acctid)).balance, before.balance + 321n);
    printed = '';
    t.equal(await reconcileCommand(path, { config: ['t.ini'] }, deps), 0, 'the same file again');
    t.match(printed, /summary: no differences; 0 postings/);
    t.equal((await accountState(h, f.acctid)).balance, before.balance + 321n, 'nothing changed');
  });

  t.test('PC-07 issue 18: reconcile of a large file shows a progress bar on a terminal; --json prints the result as JSON', async (t) => {
    const f = h.fx.first;
    const n = 450;
    const lines = Array.from({ length: n }, (_, i) => `P|${serial(`C7P${i}`)}|${f.svcnum}|1|20240625100000`);
    const path = join(dir, 'cmd-large.txt');
    writeFileSync(path, `H|cl-big|20240625|${n}|${n}\n${lines.join('\n')}\n`);
    const tty = { isTTY: true, text: '', write(x: string) { this.text += x; return true; } };
    printed = '';
    t.equal(await reconcileCommand(path, { config: ['t.ini'] }, { ...deps, progress: tty }), 0);
    t.match(tty.text, /\r\x1b\[2Kreconciliation \[[#-]{24}\]\s+\d+%  200 \/ 450 lines/, 'a bar over the file\'s lines');
    t.match(tty.text, /\[#{24}\] 100%  450 \/ 450 lines/, 'that reaches 100%');
    t.notMatch(tty.text, /"level"/, 'no JSON on the terminal');
    t.match(printed, /client cl-big, day 20240625: .*450 postings/, 'the human summary');

    // The same file again, --json: the result on stdout as JSON, no bar.
    const pipe = { isTTY: true, text: '', write(x: string) { this.text += x; return true; } };
    printed = '';
    t.equal(await reconcileCommand(path, { config: ['t.ini'], json: true }, { ...deps, progress: pipe }), 0);
    t.match(JSON.parse(printed), { client: 'cl-big', day: '20240625', lines: n, postings: 0, differences: 0 });
    t.notMatch(pipe.text, /reconciliation \[/, 'no bar with --json');
  });

  t.test('PC-07 bssgate reconcile: a malformed file exits 1 naming the line; nothing applied', async (t) => {
    const f = h.fx.first;
    const before = await accountState(h, f.acctid);
    const path = join(dir, 'cmd-b.txt');
    writeFileSync(path, `H|cl-cmd|20240621|2|200\nP|${serial('C7B')}|${f.svcnum}|100|20240621100000\nP|X|${f.svcnum}|100|2024062110000\n`);
    printed = '';
    t.equal(await reconcileCommand(path, { config: ['t.ini'] }, deps), 1);
    t.match(printed, /malformed at line 3: time .* nothing applied/);
    t.same(await accountState(h, f.acctid), before);
    printed = '';
    t.equal(await reconcileCommand(join(dir, 'absent.txt'), { config: ['t.ini'] }, deps), 1);
    t.match(printed, /cannot be read \(ENOENT\)/);
  });

  t.test('PC-07 drop directory: a complete file is reconciled and moved to done/, a malformed one to rejected/ with the reason', async (t) => {
    const drop = join(dir, 'drop');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(drop);
    const f = h.fx.cdma;
    const before = await accountState(h, f.acctid);
    const s = serial('C7C');
    writeFileSync(join(drop, 'good.txt'), `H|cl-drop|20240622|1|555\nP|${s}|${f.svcnum}|555|20240622100000\n`);
    writeFileSync(join(drop, 'bad.txt'), `H|cl-drop|20240622|1|555\nP|${serial('C7C')}|${f.svcnum}|555|2024062210000X\n`);
    const w = watchDropDirectory(drop, { store: h.store, log, card });
    try {
      await w.scan();
      await w.scan();
      t.ok(existsSync(join(drop, 'done', 'good.txt')), 'good.txt in done/');
      t.ok(existsSync(join(drop, 'rejected', 'bad.txt')), 'bad.txt in rejected/');
      t.match(readFileSync(join(drop, 'rejected', 'bad.txt.error'), 'utf8'), /malformed: line 2: time .*nothing applied/);
      t.equal((await accountState(h, f.acctid)).balance, before.balance + 555n, 'only the good file applied');
      t.ok(await payRow(h, 'cl-drop', s));
      t.ok(readdirSync(card.reportDir).some((n) => n.startsWith('cl-drop-20240622-')), 'its report');
      t.same(readdirSync(drop).filter((n) => n.endsWith('.txt')), [], 'nothing left to pick up');
      await w.scan();
      t.equal((await accountState(h, f.acctid)).balance, before.balance + 555n, 'a later look changes nothing');
    } finally {
      await w.stop();
    }
  });

  t.test('PC-08 bssgate report card-payments --since 1h: the card postings of the window, newest first', async (t) => {
    const f = h.fx.first;
    const s1 = serial('C8A'), s2 = serial('C8A');
    t.equal((await h.call('card', 'payment', { svcnum: f.svcnum, amount: 600n }, { serial: s1 })).result, 0);
    t.equal((await h.call('card', 'payment', { svcnum: f.svcnum, amount: 700n }, { serial: s2 })).result, 0);
    printed = '';
    t.equal(await cardPaymentsCommand({ config: ['t.ini'], since: '1h' }, deps), 0);
    const lines = printed.trimEnd().split('\n');
    const [n] = await h.sql<{ n: unknown }>('SELECT COUNT(*) AS N FROM TAB_PAY WHERE PAYMODE = 15 AND PAYTIME >= :t', { t: new Date(Date.now() - 3600_000) });
    t.match(lines[0], new RegExp(`since \\d{14}: ${Number(n.n)}, net`), 'the count of the legacy select');
    t.equal(lines.length, 2 + Number(n.n), 'header, column names, one line a row');
    const i1 = lines.findIndex((l) => l.includes(s1));
    const i2 = lines.findIndex((l) => l.includes(s2));
    t.ok(i2 > 1 && i1 > i2, 'newest first');
    printed = '';
    await cardPaymentsCommand({ config: ['t.ini'], since: '1h', json: true }, deps);
    const rows = printed.trimEnd().split('\n').map((l) => JSON.parse(l) as { serial: string; amount: string });
    t.equal(rows.find((r) => r.serial === s2)?.amount, '700');
  });

  t.test('PC-07 / PC-08: the commands are on the bssgate command line', async (t) => {
    // The commands on the database are loaded when such a command runs (src/cli.ts main()).
    const { buildProgram, loadStoreCommands } = await import('../../src/cli.js');
    const program = buildProgram(await loadStoreCommands());
    const reconcileCmd = program.commands.find((c) => c.name() === 'reconcile');
    t.ok(reconcileCmd, 'bssgate reconcile');
    t.same(reconcileCmd?.registeredArguments.map((a) => a.name()), ['file']);
    const report = program.commands.find((c) => c.name() === 'report');
    const cp = report?.commands.find((c) => c.name() === 'card-payments');
    t.ok(cp, 'bssgate report card-payments');
    t.ok(cp?.options.some((o) => o.long === '--since' && o.defaultValue === '1h'), '--since, default 1h');
  });

  t.test('PC-08 --since accepts 90s, 30m, 1h, 2d and a bare number of minutes; refuses the rest', async (t) => {
    t.equal(parseSince('90s'), 90_000);
    t.equal(parseSince('30m'), 1_800_000);
    t.equal(parseSince('1h'), 3_600_000);
    t.equal(parseSince('2d'), 172_800_000);
    t.equal(parseSince('15'), 900_000);
    for (const bad of ['', '0h', '1w', '-1h', 'h', '400d']) t.throws(() => parseSince(bad), /--since/, bad);
  });
}, { schemas: ['a'] });
