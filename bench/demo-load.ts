// Demo load speed: N subscribers (argv[2], default 100000) with all their rows into a fresh
// SQLite file through AdminStore.bulkInsert, the way `bssgate db init --demo N` does it.
// Prints JSON: subscribers, seconds (whole init: tables, reference rows, demo, indexes),
// rowsPerSecond by table (rows / seconds spent in that table's bulkInsert calls), and, as the
// baseline measured in the same run, raw better-sqlite3 prepared inserts of 200,000 two-column
// rows in one transaction, so the figure can be read across machines.
// Bounded: refuses more than 2,000,000 subscribers; 1,000,000 takes minutes.
//   npx tsc -p tsconfig.bench.json --outDir /tmp/out-x && node /tmp/out-x/bench/demo-load.js 100000
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { createSqliteStore } from '../src/store/open.js';
import { initDatabase } from '../src/store/init.js';

const n = Number(process.argv[2] ?? 100_000);
if (!Number.isInteger(n) || n < 1 || n > 2_000_000) {
  console.error('usage: demo-load.js [subscribers 1…2000000]');
  process.exit(2);
}
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bsg-demo-load-'));
const log = pino({ level: process.env.BENCH_LOG ?? 'warn' });

function baseline(): number {
  const db = new Database(path.join(dir, 'baseline.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE T (A INTEGER, B TEXT)');
  const st = db.prepare('INSERT INTO T (A, B) VALUES (?, ?)');
  const rows = 200_000;
  const t0 = performance.now();
  db.transaction(() => {
    for (let k = 0; k < rows; k++) st.run(k, `row ${k}`);
  })();
  const s = (performance.now() - t0) / 1000;
  db.close();
  return rows / s;
}

try {
  const base = baseline();
  const store = createSqliteStore(path.join(dir, 'demo.db'), log);
  const now = new Date(2025, 4, 15, 12, 0, 0);
  const r = await initDatabase(store, { demo: n, seed: 1, now, log });
  await store.close();
  const demo = r.demo;
  if (!demo) throw new Error('no demo result');
  const rowsPerSecond: Record<string, number> = {};
  let totalRows = 0;
  let insertSeconds = 0;
  for (const [t, c] of Object.entries(demo.rows)) {
    totalRows += c;
    insertSeconds += demo.insertSeconds[t] ?? 0;
    rowsPerSecond[t] = Math.round(c / Math.max(demo.insertSeconds[t] ?? 0, 1e-6));
  }
  const fileBytes = fs.statSync(path.join(dir, 'demo.db')).size;
  console.log(
    JSON.stringify(
      {
        subscribers: n,
        seconds: Number(r.seconds.toFixed(2)),
        demoSeconds: Number(demo.seconds.toFixed(2)),
        totalRows,
        rowsPerSecondOverall: Math.round(totalRows / demo.seconds),
        rowsPerSecondInsertOnly: Math.round(totalRows / insertSeconds),
        baselineRawInsertRowsPerSecond: Math.round(base),
        ratioInsertOnlyToBaseline: Number((totalRows / insertSeconds / base).toFixed(3)),
        fileMB: Math.round(fileBytes / 1e6),
        rows: demo.rows,
        rowsPerSecond,
      },
      null,
      2,
    ),
  );
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
