// Issue 14 (data where its name says): the spec's prose of the acceptance operations (CS-20…CS-26)
// says the status transition table (src/domain/transitions.ts STATUS_TRANSITIONS), the rule the
// write kit applies, and nothing else. The sentences of protocol/SPEC.md are parsed back into
// statuses here, independently of the function that writes them, and compared with the table;
// every other wording of "accepted from/in status…" in those sections is a hand-written
// restatement and fails the test.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BUSI_TYPES, SUBSCRIBER_STATUS } from '../../src/domain/codes.js';
import { STATUS_TRANSITIONS } from '../../src/domain/transitions.js';

const spec = readFileSync(fileURLToPath(new URL('../../protocol/SPEC.md', import.meta.url)), 'utf8');
const ALL = Object.values(SUBSCRIBER_STATUS).map((s) => s.code as number);

/** The text of `### <id> …` up to the next heading of that level or above. */
function section(id: string): string {
  const start = spec.indexOf(`\n### ${id} `);
  if (start < 0) throw new Error(`no section ${id} in SPEC.md`);
  const next = spec.slice(start + 1).search(/\n#{1,3} /);
  return next < 0 ? spec.slice(start) : spec.slice(start, start + 1 + next);
}

/** The status codes named in "1 (active), 2 (…) and 3 (…)". */
const codes = (s: string): number[] => [...s.matchAll(/\b(\d) \(/g)].map((m) => Number(m[1]));

const SENTENCE =
  /(?:\*\*(\w)\*\* \((\d+) [^)]*\) is accepted|Accepted) (?:only from status|from statuses) (.+?); it leaves (?:status (\d) \(|the status unchanged).*?\. From (.+?) the answer is 2004\b/g;

const CS_IDS = [...new Set(STATUS_TRANSITIONS.flatMap((r) => r.ids.split(', ')).filter((id) => id.startsWith('CS-')))];

t.test('issue 14: the SPEC sections of CS-20…CS-26 state exactly the status transition table', async (t) => {
  t.same(CS_IDS.sort(), ['CS-20', 'CS-21', 'CS-22', 'CS-23', 'CS-24', 'CS-25', 'CS-26'], 'every acceptance operation has rows');
  for (const id of CS_IDS) {
    const text = section(id);
    const rows = STATUS_TRANSITIONS.filter((r) => r.ids.split(', ').includes(id));
    const found = [...text.matchAll(SENTENCE)];
    t.equal(found.length, rows.length, `${id}: one sentence per business type of the table (${rows.map((r) => r.busi).join(', ')})`);
    // Any other "accepted from/in status" wording is a restatement by hand.
    const mentions = text.match(/accepted (?:only )?(?:from|in) status/gi) ?? [];
    t.equal(mentions.length, rows.length, `${id}: no hand-written statement of the accepted statuses`);
    for (const m of found) {
      const [, , busiCode, from, to, refused] = m;
      const row = rows.length === 1 ? rows[0] : rows.find((r) => String(BUSI_TYPES[r.busi].code) === busiCode);
      if (!row) {
        t.fail(`${id}: a sentence for business type ${busiCode}, which has no row`);
        continue;
      }
      const what = `${id} ${row.busi}`;
      t.same(codes(from), [...row.from], `${what}: accepted from`);
      t.equal(to === undefined ? undefined : Number(to), row.to, `${what}: the status it leaves`);
      t.same(codes(refused), ALL.filter((s) => !(row.from as readonly number[]).includes(s)), `${what}: refused 2004 from every other status`);
    }
  }
});
