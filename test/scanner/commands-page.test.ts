// Issue 18 (OC-03): `bssgate commands --state failed` pages (--limit, --after), says how many more
// there are, and tells apart what bssgate's scanner failed to deliver (origin `scanner`: it claimed
// and tried them) from failed records set final elsewhere (origin `other`: the legacy program, the
// front office, the demo data's seeded history). On SQLite, and PostgreSQL when BSSGATE_TEST_PG_URL is set.
import t from 'tap';
import { Command } from 'commander';
import { registerScannerCommands } from '../../src/scanner/cli.js';
import { claimCommands, finishCommand } from '../../src/store/queries/commands.js';
import { backends, insertRecord, testDb } from './helpers.js';

const OTHER = 70;
const SCANNER = 45;

for (const b of backends()) {
  t.test(`OC-03 issue 18 (${b.name}): commands --state failed pages, counts what is left, and names each record's origin`, async (t) => {
    const { store } = await testDb(t, b.name, b.url);
    const created = new Date(Date.now() - 3600_000);
    // Seeded history: failed (8) with no bssgate record, as the demo data and the legacy program leave them.
    for (let i = 0; i < OTHER; i++) await insertRecord(store, { busisn: 10_000n + BigInt(i * 2), svcnum: `1390001${String(i).padStart(4, '0')}`, status: 8, created });
    // Queued for the scanner, claimed, failed for good by it.
    for (let i = 0; i < SCANNER; i++) await insertRecord(store, { busisn: 10_001n + BigInt(i * 2), svcnum: `1390002${String(i).padStart(4, '0')}` });
    const now = new Date();
    const claimed = await claimCommands(store, { owner: 'h:1:0', now, leaseMs: 60_000, limit: 1000 });
    t.equal(claimed.length, SCANNER, 'the scanner claimed the queued ones');
    for (const c of claimed) await finishCommand(store, c, { kind: 'failed', reason: 'attempt 5 of 5: 102 用户不存在', switchName: 'g' }, now);

    const program = new Command().exitOverride();
    let out = '';
    registerScannerCommands(program, {
      loadConfig: () => ({ database: { type: b.name } }) as never,
      openStore: async () => ({ ...store, all: store.all.bind(store), one: store.one.bind(store), close: async () => undefined }) as never,
      out: (s) => (out += s),
    });
    const run = async (...args: string[]): Promise<string> => {
      out = '';
      await program.parseAsync(['node', 'bssgate', 'commands', '-c', 't.ini', ...args]);
      return out;
    };
    const busisns = (text: string): string[] => [...text.matchAll(/^(\d+)\s+139\d+\s+failed\s+(scanner|other)\b/gm)].map((m) => m[1]);

    // The first page: 50 of 115, and how to get the rest.
    const first = await run('--state', 'failed');
    t.equal(busisns(first).length, 50, 'the default page is 50');
    t.match(first, `50 shown of ${OTHER + SCANNER} failed commands (${SCANNER} by bssgate's scanner, ${OTHER} other (not sent by bssgate`, 'how many in all, by origin');
    const next = /(\d+) more: bssgate commands --state failed -c t\.ini --after (\d+)$/m.exec(first);
    t.ok(next, 'the footer says how many more and prints the next page\'s command');
    t.equal(Number(next![1]), OTHER + SCANNER - 50);
    t.match(first, /^\d+\s+1390001\d+\s+failed\s+other\s/m, 'a seeded one is marked other');
    t.notMatch(first, /^\d+\s+1390001\d+\s+failed\s+scanner\s/m, 'no seeded one is marked scanner');

    // Every page in turn (bounded): each record once, newest first, until "no more".
    const seen: string[] = [];
    let after: string | undefined;
    for (let page = 0; page < 10; page++) {
      const text = await run('--state', 'failed', '--limit', '40', ...(after ? ['--after', after] : []));
      seen.push(...busisns(text));
      const m = /--after (\d+)$/m.exec(text);
      if (!m) {
        t.match(text, /; no more$/m, 'the last page says there is no more');
        break;
      }
      after = m[1];
    }
    t.equal(seen.length, OTHER + SCANNER, 'every failed record listed');
    t.equal(new Set(seen).size, seen.length, 'none twice');
    t.same(seen, [...seen].sort((a, c) => Number(c) - Number(a)), 'newest first across pages');

    // The filter by origin.
    const mine = await run('--state', 'failed', '--origin', 'scanner', '--limit', '100');
    t.equal(busisns(mine).length, SCANNER, '--origin scanner: what bssgate failed to deliver');
    t.notMatch(mine, /\bfailed\s+other\b/, 'nothing seeded');
    t.match(mine, /^\d+\s+1390002\d+\s+failed\s+scanner\s/m, 'a record the scanner failed is marked scanner');
    t.match(mine, /why: attempt 5 of 5: 102 用户不存在/, 'with why');
    t.match(mine, /no more$/m);
    const theirs = await run('--state', 'failed', '--origin', 'other', '--limit', '30');
    t.equal(busisns(theirs).length, 30);
    t.match(theirs, new RegExp(`30 shown of ${OTHER} failed commands \\(origin other\\) \\(0 by bssgate's scanner, ${OTHER} other`));
    t.match(theirs, new RegExp(`${OTHER - 30} more: bssgate commands --state failed --origin other --limit 30 -c t\\.ini --after \\d+$`, 'm'));

    // --number pages the same way.
    const one = await run('--number', '13900020000');
    t.match(one, /1 shown of 1 switch commands of 13900020000 .*; no more/);

    await t.rejects(run('--state', 'failed', '--origin', 'seeded'), /--origin must be one of all, scanner, other/);
    await t.rejects(run('--state', 'failed', '--after', 'x1'), /--after must be a BUSISN/);
  });
}
