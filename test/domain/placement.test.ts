// Issue 14 item 3, data where its name says: business codes and the status transition table are
// domain modules (src/domain/), imported from there; schema.ts keeps tables and columns; the
// reference rows every database gets are not in the demo module; the "refused but keep the
// writes" notion is not in protocol/; the interface kind is defined once.
import t from 'tap';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as schema from '../../src/store/schema.js';
import * as demo from '../../src/store/demo.js';
import * as codes from '../../src/domain/codes.js';
import { referenceRows } from '../../src/store/reference.js';
import { GatewayError } from '../../protocol/return-codes.js';
import { KeptRefusal } from '../../src/kept-refusal.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (rel: string) => readFileSync(root + rel, 'utf8');
const specifiers = (src: string) => [...src.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((m) => m[1]);

// The posting domain (src/domain/posting.ts, issue 14 item 1) works in a unit of work through the
// store's typed queries and the handler kit's narrow lookups; the data modules stay pure.
const POSTING_DOMAIN = 'posting.ts';

t.test('issue 14: src/domain/ data modules (codes, transitions) import only src/domain/ (no store, protocol, handlers)', async (t) => {
  const files = readdirSync(root + 'src/domain').filter((n) => n.endsWith('.ts') && n !== POSTING_DOMAIN);
  t.ok(files.includes('codes.ts') && files.includes('transitions.ts'));
  for (const f of files) {
    for (const s of specifiers(read(`src/domain/${f}`))) t.match(s, /^\.\/[\w-]+\.js$/, `src/domain/${f} imports ${s}`);
  }
});

t.test('issue 14: the posting domain imports no handler, server or dispatcher, and takes no HandlerContext', async (t) => {
  const src = read(`src/domain/${POSTING_DOMAIN}`);
  for (const s of specifiers(src)) {
    t.notMatch(s, /^\.\.\/\.\.\/handlers\/(?!kit\/)/, `src/domain/${POSTING_DOMAIN} imports ${s}: only the handler kit`);
    t.notMatch(s, /\/(server\/|dispatch\.js|serve\.js|cluster\.js)/, `src/domain/${POSTING_DOMAIN} imports ${s}`);
  }
  t.notMatch(src, /import[^;]*\b(HandlerContext|WriteContext)\b/, 'imports no handler context type');
  t.notMatch(src, /:\s*(HandlerContext|WriteContext)\b/, 'takes no handler context');
});

t.test('issue 14: the code tables and STATUS_TRANSITIONS live in src/domain/, not in src/store/schema.ts', async (t) => {
  const exported = Object.keys(schema);
  for (const name of [...Object.keys(codes), 'STATUS_TRANSITIONS']) t.notOk(exported.includes(name), `schema.ts does not export ${name}`);
  t.ok(exported.includes('TABLES'), 'schema.ts still has the tables');
  // Nothing imports a code table through schema.ts or the query modules that used to re-export them.
  const offenders: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(root + dir, { withFileTypes: true })) {
      const rel = `${dir}/${e.name}`;
      if (e.isDirectory()) walk(rel);
      else if (e.name.endsWith('.ts') && /export \{[^}]*\b(SIM_CARD_STATUS|LIST_STATUS|LIST_TYPES|ID_TYPES)\b[^}]*\} from/.test(read(rel))) offenders.push(rel);
    }
  };
  for (const d of ['src', 'handlers']) walk(d);
  t.same(offenders, [], 'no re-export of code tables outside src/domain/');
});

t.test('issue 14: the reference rows every database gets are src/store/reference.ts, not the demo', async (t) => {
  t.notOk('referenceRows' in demo, 'demo.ts has no referenceRows');
  t.same(referenceRows().map((r) => r.table), ['TAB_PAYTYPE', 'SWITCH_INS_MODEL']);
  t.notMatch(read('src/store/init.ts'), /referenceRows[^\n]*from '\.\/demo\.js'|from '\.\/demo\.js';[^\n]*referenceRows/, 'init.ts takes them from reference.ts');
});

t.test('issue 14: protocol/ has no unit-of-work notion; a KeptRefusal is a GatewayError with the same wire answer', async (t) => {
  t.notMatch(read('protocol/return-codes.ts'), /keepWrites/);
  t.notOk('keepWrites' in new GatewayError('ORIGINAL_NOT_FOUND', 'x'));
  const k = new KeptRefusal('ORIGINAL_NOT_FOUND', 'x');
  t.ok(k instanceof GatewayError);
  t.equal(k.code, 2008);
  t.equal(k.wireMessage, new GatewayError('ORIGINAL_NOT_FOUND', 'x').wireMessage);
});

t.test('issue 14: the interface kind is defined once (protocol/business-types.ts)', async (t) => {
  const defs = ['src/types.ts', 'protocol/business-types.ts'].filter((f) => /type \w+ = 'cs' \| 'card' \| 'print' \| 'sms'/.test(read(f)));
  t.same(defs, ['protocol/business-types.ts']);
});
