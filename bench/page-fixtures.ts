// What the page benches share (bench/queries.ts CS-11 part, bench/pages.ts): round trips and frame
// files, the seeded generator, summaries of load runs, and the fixtures that make one number's list
// long enough for offsets to matter (its month's tickets topped up with copies of its own).
import net from 'node:net';
import fs from 'node:fs';
import { join } from 'node:path';
import { readMeta } from '../src/store/init.js';
import { ticketTable, ticketTableDef, type TicketKind } from '../src/store/schema.js';
import type { AdminStore } from '../src/store/types.js';
import { eachFrame } from './length-prefixed.js';
import type { LoadResult } from './load.js';

export const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The request header the benches send. */
export const HEAD = { serial: 'BENCH', time: '20261201120000', operator: 'bench' };

/** One request, its reply (bounded: 10 s). */
export function roundTrip(port: number, frame: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`no reply from port ${port} within 10 s`));
    }, 10_000);
    let buf: Buffer = Buffer.alloc(0);
    s.on('connect', () => s.write(frame));
    s.on('data', (chunk: Buffer) => {
      buf = eachFrame(buf, chunk, (reply) => {
        clearTimeout(timer);
        s.destroy();
        resolve(Buffer.from(reply));
      });
    });
    s.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

export function writeFrames(dir: string, name: string, frames: Buffer[]): string {
  const file = join(dir, name);
  fs.writeFileSync(file, Buffer.concat(frames));
  return file;
}

/** A small seeded generator (xorshift32): the same numbers and offsets run after run. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x1_0000_0000;
  };
}

export function shuffle<T>(xs: T[], seed: number): T[] {
  const r = rng(seed);
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}

/** The billing cycle YYYYMM before that of d. */
export function cycleBefore(d: Date): string {
  const x = new Date(d.getFullYear(), d.getMonth() - 1, 1);
  return `${x.getFullYear()}${String(x.getMonth() + 1).padStart(2, '0')}`;
}

/** Medians of load runs (rounds of the same measurement). */
export function summary(rs: LoadResult[]) {
  const results: Record<string, number> = {};
  for (const r of rs) for (const [k, v] of Object.entries(r.results ?? {})) results[k] = (results[k] ?? 0) + v;
  return {
    rps: Math.round(median(rs.map((x) => x.rps))),
    p50ms: round(median(rs.map((x) => x.p50))),
    p99ms: round(median(rs.map((x) => x.p99))),
    maxms: round(Math.max(...rs.map((x) => x.max))),
    perRoundRps: rs.map((x) => Math.round(x.rps)),
    resultCodes: results,
    allResultsZero: Object.keys(results).every((k) => k === '0'),
  };
}

/** Which tickets make a list and which of them are copied to top it up. */
export interface TicketList {
  /** The kinds counted (CS-11: voice and SMS). */
  kinds: readonly TicketKind[];
  /** The kind whose rows are copied. */
  copy: TicketKind;
  /** The column the list is read by (SVCNUM; CARDNUM for VO-08 by card). */
  column?: string;
}

/** CS-11, CS-13, PR-02: voice + SMS, topped up with voice copies. */
export const CALL_LIST: TicketList = { kinds: ['GSMCDMA', 'SMS'], copy: 'GSMCDMA' };

/**
 * A number's tickets of a month; topped up to `want` with copies of its own tickets of
 * `list.copy` (+1 s). The copies are recorded in BSG_META (a cached database keeps them).
 */
export async function topUpTickets(store: AdminStore, num: string, cycle: string, want: number, list: TicketList = CALL_LIST): Promise<{ demo: number; added: number; total: number }> {
  const column = list.column ?? 'SVCNUM';
  const count = async () => {
    let n = 0;
    for (const kind of list.kinds) {
      const t = ticketTable(kind, cycle);
      if (!(await store.tableExists(t))) continue;
      const r = await store.one<{ n: number | bigint }>({ name: `bench.count.${t}.${column}`, sql: `SELECT COUNT(*) AS N FROM ${t} WHERE ${column} = :s` }, { s: num });
      n += Number(r?.n ?? 0);
    }
    return n;
  };
  const key = `bench_detail_added_${list.copy === 'GSMCDMA' && column === 'SVCNUM' ? '' : `${list.copy}_${column}_`}${num}_${cycle}`;
  const earlier = Number((await readMeta(store))[key] ?? 0);
  const before = await count();
  const missing = want - before;
  const table = ticketTable(list.copy, cycle);
  if (missing > 0 && (await store.tableExists(table))) {
    const cols = ticketTableDef(list.copy, cycle).columns.map((c) => c.name);
    const later = store.dialect === 'sqlite' ? "strftime('%Y-%m-%d %H:%M:%S', STARTTIME, '+1 second')" : "STARTTIME + INTERVAL '1 second'";
    const select = cols.map((c) => (c === 'STARTTIME' ? later : c)).join(', ');
    if (!/^\d+$/.test(num)) throw new Error(`unexpected number ${num}`);
    // Copies of the earliest tickets, as many as needed (at most as many as it has, per pass).
    let left = missing;
    while (left > 0) {
      const have = await count();
      const k = Math.min(left, have);
      if (k <= 0) break;
      await store.exec(`INSERT INTO ${table} (${cols.join(', ')}) SELECT ${select} FROM ${table} WHERE ${column} = '${num}' ORDER BY STARTTIME LIMIT ${k}`);
      left -= k;
    }
  }
  const total = await count();
  if (total > before) {
    if (earlier > 0) await store.exec(`DELETE FROM BSG_META WHERE KEY = '${key}'`);
    await store.bulkInsert('BSG_META', ['KEY', 'VALUE'], [[key, String(earlier + total - before)]]);
  }
  return { demo: total - (earlier + total - before), added: earlier + total - before, total };
}
