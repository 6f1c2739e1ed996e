// docs/reconciliation.md and docs/payments.md describe behaviour: their example file, format lines,
// DBA SQL (PC-08) and defaults are checked against the code and the database.
import { readFileSync } from 'node:fs';
import { DEFAULT_CARD } from '../../src/config/keys.js';
import { parseReconFile, ReconFormatError } from '../../src/reconcile/parse.js';
import { handlerSuite } from '../helpers/seeded.js';
import { serial } from '../handlers/card-expected.js';

const recon = readFileSync(new URL('../../docs/reconciliation.md', import.meta.url), 'utf8');
const payments = readFileSync(new URL('../../docs/payments.md', import.meta.url), 'utf8');
const blocks = (md: string): string[] => [...md.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].map((m) => m[1]);

handlerSuite('PC-07 / PC-08 docs', async (t, h) => {
  t.test('PC-07 docs: the example file is a valid file with the header it shows; the format lines have the parser\'s field counts', async (t) => {
    const example = blocks(recon).find((b) => b.startsWith('H|card|'));
    t.ok(example, 'an example file');
    const f = parseReconFile(example!);
    t.equal(f.count, 3);
    t.equal(f.net, 7000n);
    t.same(f.lines.map((l) => l.kind), ['P', 'P', 'R']);
    const format = blocks(recon).find((b) => b.startsWith('H|<client>'))!.trim().split('\n');
    t.same(format.map((l) => l.split('|').length), [5, 5, 6], 'H 5 fields, P 5, R 6');
    // One more field than documented is refused, naming the line.
    t.throws(() => parseReconFile(`${example!.trimEnd()}|x\n`), ReconFormatError);
    t.match(recon, '`card_reconciled_through.<client>`', 'the BSG_META key PC-06 reads');
  });

  t.test('PC-08 docs: the DBA select of this back end gives the rows of business type 308', async (t) => {
    t.equal((await h.call('card', 'payment', { svcnum: h.fx.first.svcnum, amount: 100n }, { serial: serial('D8A') })).result, 0);
    const sqlBlock = blocks(payments).find((b) => b.includes('-- SQLite'))!;
    const pick = (label: string) => sqlBlock.split('\n')[sqlBlock.split('\n').findIndex((l) => l.startsWith(`-- ${label}`)) + 1].replace(/;$/, '');
    const sql = pick(h.backend === 'sqlite' ? 'SQLite' : 'PostgreSQL');
    const rows = await h.sql<{ paysn: unknown }>(sql);
    const r = await h.call('card', 'recent-card-payments', { minutes: 60, offset: 0, limit: 200 });
    t.ok(rows.length > 0);
    t.equal(r.body?.total, rows.length, 'the same count');
    t.same((r.body?.items as { paysn: string }[]).map((i) => i.paysn), rows.map((x) => String(x.paysn)), 'the same rows, the same order');
    t.match(pick('Oracle'), /SYSDATE - 1\/24 AND PAYMODE = 15/, 'the Oracle form is the legacy one');
  });

  t.test('PC-03 docs: the [card] defaults the table shows are the code\'s', async (t) => {
    t.match(payments, `| \`min_amount\`, \`max_amount\` | ${DEFAULT_CARD.minAmount}, ${DEFAULT_CARD.maxAmount} |`);
    t.match(payments, `| \`day_boundary\` | ${DEFAULT_CARD.boundaryMs / 60_000}m |`);
    t.match(payments, `| \`poll_interval\` | ${DEFAULT_CARD.pollMs / 1000}s |`);
  });
}, { schemas: ['a'] });
