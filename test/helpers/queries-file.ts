// Applies a queries file (the agreed format, /work/wt/QUERIES-FORMAT.md; docs/operator-schema.md)
// to the query registry through replaceSql(), for tests. A stand-in until the loader of
// `[database] queries = <file>` (issue 15, first half) is merged: then the tests use it instead.
// Only what schema B's file uses: `-- name: <query>[ @dialect]` blocks; `-- table:` lines are read
// as block ends and otherwise ignored (schema B's ticket tables keep the default names so far).
import { readFileSync } from 'node:fs';
import { queryContract, replaceSql } from '../../src/store/queries/define.js';

export interface QueriesBlock {
  name: string;
  dialect?: string;
  sql: string;
}

export function parseQueriesFile(path: string): QueriesBlock[] {
  const out: QueriesBlock[] = [];
  let cur: { name: string; dialect?: string; lines: string[] } | undefined;
  const end = () => {
    if (!cur) return;
    const sql = cur.lines.join('\n').trim().replace(/;\s*$/, '');
    if (!sql) throw new Error(`${path}: query ${cur.name} is empty`);
    out.push({ name: cur.name, dialect: cur.dialect, sql });
    cur = undefined;
  };
  for (const line of readFileSync(path, 'utf8').split(/\r?\n/)) {
    const m = /^--\s*name:\s*(\S+)(?:\s+@(sqlite|postgres|oracle))?\s*$/.exec(line);
    if (m) {
      end();
      cur = { name: m[1], dialect: m[2], lines: [] };
    } else if (/^--\s*table:/.test(line)) end();
    else if (cur) cur.lines.push(line);
  }
  end();
  return out;
}

/**
 * Replace every query the file names (its block for `dialect`, else its generic one). Returns a
 * function that puts the previous SQL back.
 */
export function applyQueriesFile(path: string, dialect: string): () => void {
  const blocks = parseQueriesFile(path);
  const chosen = new Map<string, string>();
  for (const b of blocks) if (!b.dialect) chosen.set(b.name, b.sql);
  for (const b of blocks) if (b.dialect === dialect) chosen.set(b.name, b.sql);
  const previous = new Map<string, string>();
  for (const [name, sql] of chosen) {
    const c = queryContract(name);
    if (!c) throw new Error(`${path}: no query named ${name}`);
    previous.set(name, c.def.sql);
    replaceSql(name, sql);
  }
  return () => {
    for (const [name, sql] of previous) replaceSql(name, sql);
  };
}
