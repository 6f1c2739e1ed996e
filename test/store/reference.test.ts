// The reference rows every database bssgate creates gets, demo or not (src/store/reference.ts):
// TAB_PAYTYPE (CS-09) and SWITCH_INS_MODEL (OC-01, OC-02). Issue 14 moved them out of the demo
// module; these tests hold what they are and that a database without a demo has them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import pino from 'pino';
import iconv from 'iconv-lite';
import { createSqliteStore } from '../../src/store/open.js';
import { ensureDatabase } from '../../src/store/init.js';
import { REFERENCE_COLUMNS, referenceRows } from '../../src/store/reference.js';
import { tableDef } from '../../src/store/schema.js';
import { ACCOUNT_PAY_TYPES, BUSI_TYPES } from '../../src/domain/codes.js';

const log = pino({ level: 'silent' });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bsg-ref-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

t.test('issue 14: a database created without a demo has every reference row, and no demo row', async (t) => {
  const store = createSqliteStore(path.join(dir, 'ref.db'), log);
  t.teardown(() => store.close());
  await ensureDatabase(store, { demoSubscribers: 0, demoSeed: 1, now: new Date(2025, 4, 15), log });
  const count = async (table: string) => Number((await store.one<{ c: number }>({ name: `t.count.${table}`, sql: `SELECT COUNT(*) AS C FROM ${table}` }))?.c ?? 0);
  for (const r of referenceRows()) t.equal(await count(r.table), r.rows.length, `${r.table}: ${r.rows.length} rows`);
  t.equal(await count('TAB_PAYTYPE'), ACCOUNT_PAY_TYPES.length, 'one pay type per ACCOUNT_PAY_TYPES code');
  const models = await store.all<{ busitype: number; nettype: string }>({ name: 't.models', sql: 'SELECT DISTINCT BUSITYPE, NETTYPE FROM SWITCH_INS_MODEL' });
  for (const b of Object.values(BUSI_TYPES)) {
    for (const n of ['G', 'C', 'V', 'X']) {
      const has = models.some((m) => Number(m.busitype) === b.code && m.nettype === n);
      t.equal(has, b.switch, `${b.code} ${b.en} on ${n}: ${b.switch ? 'templates' : 'no switch command'}`);
    }
  }
  for (const demoOnly of ['TAB_SUBSCRB', 'TAB_PRCPLN', 'TAB_PRCPLN_NOPRINT']) t.equal(await count(demoOnly), 0, `${demoOnly}: demo data, not loaded`);
});

t.test('issue 14: every reference value fits its column (GBK text within its byte width, NOT NULL kept)', async (t) => {
  const problems: string[] = [];
  for (const r of referenceRows()) {
    const def = tableDef(r.table)!;
    const cols = REFERENCE_COLUMNS[r.table];
    for (const row of r.rows) {
      if (row.length !== cols.length) problems.push(`${r.table}: ${row.length} values for ${cols.length} columns`);
      cols.forEach((name, k) => {
        const c = def.columns.find((x) => x.name === name);
        const v = row[k];
        if (!c) return void problems.push(`${r.table}.${name} not in the schema`);
        if (v === null || v === undefined) return void (c.nullable ? undefined : problems.push(`${r.table}.${name} null`));
        if (c.type === 'text' || c.type === 'char') {
          const bytes = iconv.encode(String(v), 'gbk');
          if (iconv.decode(bytes, 'gbk') !== v) problems.push(`${r.table}.${name} not GBK: ${String(v)}`);
          if (bytes.length > (c.size ?? 0)) problems.push(`${r.table}.${name} ${bytes.length} bytes > ${c.size}`);
        }
      });
    }
  }
  t.same(problems, []);
});
