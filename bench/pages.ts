// Benchmark: every paged business type (issue 17), on SQLite and PostgreSQL, through a real gateway
// over sockets with the project's load client (bench/load.ts). Prints JSON.
//
// One demo database per back end (SQLite in a temporary directory; PostgreSQL created for the run
// and dropped), --subscribers demo subscribers (default 2,000). Each paged list of one number is
// made --records long (default 3,000): the month's tickets topped up with copies of its own
// (CS-11, CS-13, PR-02 voice + SMS; C1-03, PR-03 data; VO-08 IP calls by card), TAB_PAY rows
// (CS-17, VO-09) and USR_BUSI_RECORD rows (CS-05, VO-11) added for the bench. CS-15 (blacklist by
// ID) and PC-08 (recent card payments) are paged too and measured on the lists the demo has.
//
// Per type: pages of 200 (or the type's maximum) at the first, middle and last offset, at one
// connection and at 16 (one request outstanding each), --seconds each, --rounds rounds (the
// offsets' order reversed every other round; medians): pages/s, p50 / p99; the
// last ÷ first page cost at one connection (pages/s of the first ÷ pages/s of the last: 1.0 = a
// page's cost does not depend on its offset); and, in the same run, the first and last page with
// the page caches off (OFFSET paging, as before issue 17).
//
// In process (--in-process, default on): the OFFSET statement of CS-17 and CS-05 at offset 0 / the
// middle / the last page for a realistic history (the demo's), the --records one and a large one
// (--large, default 20,000), and the whole-history read; the row conversion and the encoding of a
// 200-record page of every type (µs per page).
//
//   node dist/bench/pages.js [--seconds 1] [--rounds 2] [--subscribers 2000] [--records 3000] [--large 20000]
//        [--pg URL | --no-pg] [--no-sqlite] [--types 105,117,...]
import fs from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { decodeResponse, encodeRequest, encodeResponse } from '../protocol/message.js';
import { businessByCode } from '../protocol/business-types.js';
import type { BodyRecord, Layout } from '../protocol/layout-types.js';
import { LAYOUTS_BY_CODE } from '../handlers/index.js';
import { busiItem, payItem } from '../handlers/kit/history.js';
import { callItem, dataItem, detailCaches, setDetailCacheOptions, voipItem } from '../handlers/kit/detail.js';
import { PAGE_CACHE_DEFAULTS } from '../handlers/kit/page-cache.js';
import { startGateway, type Running } from '../src/serve.js';
import type { Config, DatabaseConfig, InterfaceConfig } from '../src/config/types.js';
import { openStore } from '../src/store/open.js';
import { ensureDatabase } from '../src/store/init.js';
import { demoFixtures, type DemoSubscriber } from '../src/store/demo.js';
import { CALL_DETAIL_PAGE, DATA_DETAIL_PAGE, VOIP_DETAIL_BY_CARD } from '../src/store/queries/tickets.js';
import { PAY_HISTORY_PAGE } from '../src/store/queries/payments.js';
import { BUSI_RECORD_PAGE } from '../src/store/queries/records.js';
import type { AdminStore, BindValue } from '../src/store/types.js';
import { ticketTable, ticketTableDef } from '../src/store/schema.js';
import { load, type LoadResult } from './load.js';
import { CALL_LIST, cycleBefore, HEAD, round, roundTrip, summary, topUpTickets, writeFrames, type TicketList } from './page-fixtures.js';

const argv = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const SECONDS = Number(opt('--seconds') ?? 1);
const SUBSCRIBERS = Number(opt('--subscribers') ?? 2000);
const RECORDS = Number(opt('--records') ?? 3000);
const LARGE = Number(opt('--large') ?? 20_000);
const PG_URL = argv.includes('--no-pg') ? undefined : (opt('--pg') ?? process.env.BSSGATE_TEST_PG_URL);
const TYPES = opt('--types')?.split(',').map(Number);
const ROUNDS = Number(opt('--rounds') ?? 2);
const CONNECTIONS = 16;
const PAGE = 200;
const SCRYPT = { N: 1024, r: 8, p: 1 };
for (const [k, v] of Object.entries({ SECONDS, SUBSCRIBERS, RECORDS, LARGE, ROUNDS })) {
  if (!Number.isFinite(v) || v <= 0 || v > (k === 'SECONDS' ? 30 : 1_000_000)) {
    process.stderr.write(`bad ${k}: ${v}\nusage: pages.js [--seconds 1] [--subscribers 2000] [--records 3000] [--large 20000] [--pg URL | --no-pg] [--no-sqlite] [--types 105,117]\n`);
    process.exit(2);
  }
}

const log = pino({ level: process.env.BENCH_LOG ?? 'warn' }, pino.destination({ dest: 2, sync: true }));
const say = (msg: string) => process.stderr.write(`[bench:pages] ${msg}\n`);

/** One paged type as the bench asks it: its number, cycle and the list it reads. */
interface PagedType {
  code: number;
  values: (fx: Fixtures) => BodyRecord;
  /** How the list is made --records long (undefined: measured on what the demo has). */
  fill?: (store: AdminStore, fx: Fixtures) => Promise<unknown>;
}

interface Fixtures {
  first: DemoSubscriber;
  cdma1x: DemoSubscriber;
  voip: DemoSubscriber;
  cycle: string;
  current: string;
}

const DATA_LIST: TicketList = { kinds: ['CDMA1X'], copy: 'CDMA1X' };
const VOIP_LIST: TicketList = { kinds: ['163'], copy: '163', column: 'CARDNUM' };
const cardOf = (v: DemoSubscriber) => v.cardnum ?? v.svcnum;

/** TAB_PAY rows (CS-17, VO-09) of a subscriber up to `want`, older than the demo's. */
async function fillPays(store: AdminStore, s: DemoSubscriber, want: number, base: number): Promise<number> {
  const have = Number((await store.one<{ n: unknown }>({ name: 'bench.pages.pay-count', sql: 'SELECT COUNT(*) AS N FROM TAB_PAY WHERE SUBSCRBID = :s' }, { s: s.subscrbid }))?.n ?? 0);
  const rows: BindValue[][] = [];
  for (let i = have; i < want; i++) {
    rows.push([base + i, s.acctid, s.subscrbid, s.svcnum, 1, BigInt(100 + (i % 5000)), new Date(2015, 0, 1, 0, 0, Math.floor(i / 2)), 'HALL', `B${base + i}`, 'BENCH', 1, null, null]);
  }
  for (let k = 0; k < rows.length; k += 2000) {
    await store.bulkInsert('TAB_PAY', ['PAYSN', 'ACCTID', 'SUBSCRBID', 'SVCNUM', 'PAYMODE', 'AMOUNT', 'PAYTIME', 'SOURCE', 'SERIAL', 'OPERATOR', 'STATUS', 'ORIG_PAYSN', 'REVERSED_BY'], rows.slice(k, k + 2000));
  }
  return Math.max(have, want);
}

/** USR_BUSI_RECORD rows (CS-05, VO-11) of a subscriber up to `want`. */
async function fillRecords(store: AdminStore, s: DemoSubscriber, want: number, base: number): Promise<number> {
  const have = Number((await store.one<{ n: unknown }>({ name: 'bench.pages.busi-count', sql: 'SELECT COUNT(*) AS N FROM USR_BUSI_RECORD WHERE SUBSCRBID = :s' }, { s: s.subscrbid }))?.n ?? 0);
  const rows: BindValue[][] = [];
  for (let i = have; i < want; i++) {
    const at = new Date(2015, 0, 1, 0, 0, Math.floor(i / 2));
    rows.push([base + i, s.subscrbid, s.svcnum, 11, 7, s.region, s.nettype, null, `BENCH ${i}`, 'BENCH', at, at, '执行成功']);
  }
  for (let k = 0; k < rows.length; k += 2000) {
    await store.bulkInsert('USR_BUSI_RECORD', ['BUSISN', 'SUBSCRBID', 'SVCNUM', 'BUSITYPE', 'STATUS', 'REGION', 'NETTYPE', 'IMSI', 'PARAM', 'OPERATOR', 'CREATED', 'EXECUTED', 'RESULT'], rows.slice(k, k + 2000));
  }
  return Math.max(have, want);
}

/** VO-08: the demo gives a card 0–6 IP calls a month; one call to copy when it has none. */
async function seedVoip(store: AdminStore, f: Fixtures): Promise<void> {
  const table = ticketTable('163', f.cycle);
  if (!(await store.tableExists(table))) return;
  const n = await store.one<{ n: unknown }>({ name: `bench.pages.voip-count.${table}`, sql: `SELECT COUNT(*) AS N FROM ${table} WHERE CARDNUM = :c` }, { c: cardOf(f.voip) });
  if (Number(n?.n ?? 0) > 0) return;
  const cols = ticketTableDef('163', f.cycle).columns.map((c) => c.name);
  const start = new Date(Number(f.cycle.slice(0, 4)), Number(f.cycle.slice(4)) - 1, 2, 10, 0, 0);
  const v: Record<string, BindValue> = { CARDNUM: cardOf(f.voip), SVCNUM: f.voip.svcnum, OTHERNUM: '01088886666', STARTTIME: start, DURATION: 60, LONGTYPE: '2', FEE: 30n };
  await store.bulkInsert(table, cols, [cols.map((c) => v[c] ?? null)]);
}

const TYPES_ALL: PagedType[] = [
  { code: 105, values: (f) => ({ svcnum: f.first.svcnum }), fill: (st, f) => fillRecords(st, f.first, RECORDS, 900_000_000) },
  { code: 111, values: (f) => ({ svcnum: f.first.svcnum, cycle: f.cycle }), fill: (st, f) => topUpTickets(st, f.first.svcnum, f.cycle, RECORDS, CALL_LIST) },
  { code: 113, values: (f) => ({ svcnum: f.first.svcnum }), fill: (st, f) => topUpTickets(st, f.first.svcnum, f.current, RECORDS, CALL_LIST) },
  { code: 115, values: (f) => ({ idNum: f.first.idNum }) },
  { code: 117, values: (f) => ({ svcnum: f.first.svcnum }), fill: (st, f) => fillPays(st, f.first, RECORDS, 900_000_000) },
  { code: 208, values: (f) => ({ by: 'C', number: cardOf(f.voip), cycle: f.cycle }), fill: (st, f) => seedVoip(st, f).then(() => topUpTickets(st, cardOf(f.voip), f.cycle, RECORDS, VOIP_LIST)) },
  { code: 209, values: (f) => ({ cardnum: cardOf(f.voip) }), fill: (st, f) => fillPays(st, f.voip, RECORDS, 910_000_000) },
  { code: 211, values: (f) => ({ cardnum: cardOf(f.voip) }), fill: (st, f) => fillRecords(st, f.voip, RECORDS, 910_000_000) },
  { code: 233, values: (f) => ({ svcnum: f.cdma1x.svcnum, cycle: f.cycle }), fill: (st, f) => topUpTickets(st, f.cdma1x.svcnum, f.cycle, RECORDS, DATA_LIST) },
  { code: 308, values: () => ({ minutes: 60 }) },
  { code: 402, values: (f) => ({ svcnum: f.first.svcnum, password: f.first.password, cycle: f.cycle }) },
  { code: 403, values: (f) => ({ svcnum: f.cdma1x.svcnum, password: f.cdma1x.password, cycle: f.cycle }) },
];

function bodyOf(layout: Layout, values: BodyRecord, offset: number, limit: number): BodyRecord {
  const o: BodyRecord = {};
  for (const f of layout) {
    if (f.name === 'offset') o.offset = offset;
    else if (f.name === 'limit') o.limit = limit;
    else if (f.name in values) o[f.name] = values[f.name];
    else throw new Error(`request field ${f.name} (${f.type}) is unknown to this bench`);
  }
  return o;
}

const iface = (name: 'cs' | 'print' | 'card'): InterfaceConfig =>
  ({
    name, kind: name, host: '127.0.0.1', port: 0, maxFrame: 65536, maxConnections: 256, idleTimeoutMs: 60_000,
    frameTimeoutMs: 10_000, drainTimeoutMs: 30_000, requestTimeoutMs: 15_000, maxPipeline: 64, allow: [],
  }) as InterfaceConfig;

const CACHE_OFF = { ...PAGE_CACHE_DEFAULTS, maxListItems: -1 };

async function measureType(t: PagedType, running: Running, fx: Fixtures, dir: string, backend: string): Promise<Record<string, unknown>> {
  const layouts = LAYOUTS_BY_CODE.get(t.code);
  const biz = businessByCode(t.code);
  if (!layouts || !biz) return { skipped: `business type ${t.code} is not in this build` };
  const port = running.bound.find((b) => b.name === biz.interfaces[0])?.port;
  if (port === undefined) return { skipped: `no ${biz.interfaces[0]} interface` };
  const values = t.values(fx);
  const frame = (offset: number, seq = 1) => encodeRequest({ biz: t.code, seq, ...HEAD }, layouts.request, bodyOf(layouts.request, values, offset, PAGE));
  const first = decodeResponse(await roundTrip(port, frame(0)), layouts.response);
  if (first.header.result !== 0) return { ids: biz.ids, skipped: `answered ${first.header.result} ${first.message}` };
  const total = Number(first.body?.total);
  const perPage = (first.body?.items as unknown[] | undefined)?.length ?? 0;
  const offsets = { first: 0, middle: Math.max(0, Math.floor((total - perPage) / 2)), last: Math.max(0, total - perPage) };
  const file = (name: string, offset: number) => writeFrames(dir, `${backend}-${t.code}-${name}.frames`, Array.from({ length: 50 }, (_, i) => frame(offset, i + 1)));
  const files = Object.fromEntries(Object.entries(offsets).map(([k, o]) => [k, file(k, o)])) as Record<keyof typeof offsets, string>;
  const run = async (f: string, connections: number): Promise<LoadResult> => {
    await roundTrip(port, frame(0)); // the list read (cache on) before the measured seconds
    return load({ port, connections, depth: 1, seconds: SECONDS, framesFile: f, countResults: true });
  };
  const out: Record<string, unknown> = { ids: biz.ids, interface: biz.interfaces[0], listLength: total, itemsPerPage: perPage, offsets, replyBytesFirst: 0 };
  out.replyBytesFirst = (await roundTrip(port, frame(0))).length;
  // Rounds, the order of the offsets reversed every other round (medians over the rounds).
  const runs: Record<string, { one: LoadResult[]; sixteen: LoadResult[] }> = { first: { one: [], sixteen: [] }, middle: { one: [], sixteen: [] }, last: { one: [], sixteen: [] } };
  const offRuns = { first: [] as LoadResult[], last: [] as LoadResult[] };
  await run(files.first, 1); // warm-up (JIT, the list read)
  // Lists read and pages answered from kept lists while the caches were on (setDetailCacheOptions
  // drops every cache, so they are read at the end of each round's cache-on runs).
  const counters: Record<string, { loads: number; hits: number; bypass: number }> = {};
  for (let r = 0; r < ROUNDS; r++) {
    const order = (r % 2 === 0 ? ['first', 'middle', 'last'] : ['last', 'middle', 'first']) as (keyof typeof offsets)[];
    for (const k of order) {
      runs[k].one.push(await run(files[k], 1));
      runs[k].sixteen.push(await run(files[k], CONNECTIONS));
    }
    for (const [k, v] of Object.entries(detailCaches(running.store) ?? {})) {
      const t = (counters[k] ??= { loads: 0, hits: 0, bypass: 0 });
      t.loads += v.stats.loads;
      t.hits += v.stats.hits;
      t.bypass += v.stats.bypass;
    }
    setDetailCacheOptions(CACHE_OFF);
    try {
      for (const k of order.filter((x) => x !== 'middle') as ('first' | 'last')[]) offRuns[k].push(await run(files[k], 1));
    } finally {
      setDetailCacheOptions(PAGE_CACHE_DEFAULTS);
    }
  }
  out.cacheCounters = Object.fromEntries(Object.entries(counters).filter(([, v]) => v.loads + v.hits + v.bypass > 0));
  const on = Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, { one: summary(v.one), sixteen: summary(v.sixteen) }]));
  const off = { first: summary(offRuns.first), last: summary(offRuns.last) };
  const brief = (s: ReturnType<typeof summary>) => ({ pagesPerSecond: s.rps, p50ms: s.p50ms, p99ms: s.p99ms, ...(s.allResultsZero ? {} : { resultCodes: s.resultCodes }) });
  out.cacheOn = Object.fromEntries(Object.entries(on).map(([k, v]) => [k, { oneConnection: brief(v.one), sixteenConnections: brief(v.sixteen) }]));
  out.lastOverFirstCost = round(on.first.one.rps / Math.max(1, on.last.one.rps), 2);
  out.cacheOff = { first: brief(off.first), last: brief(off.last), lastOverFirstCost: round(off.first.rps / Math.max(1, off.last.rps), 2) };
  return out;
}

/** Mean ms of f over at most n calls and 1.5 s. */
async function timeMs(f: (i: number) => Promise<unknown> | unknown, n = 200): Promise<number> {
  for (let i = 0; i < 3; i++) await f(i);
  const t0 = performance.now();
  let k = 0;
  while (k < n && performance.now() - t0 < 1500) await f(k++);
  return round((performance.now() - t0) / k);
}

/** Mean CPU µs (user + system: less disturbed by a loaded machine than wall time) of a synchronous f over at most 1 s. */
function timeUs(f: () => unknown): number {
  for (let i = 0; i < 200; i++) f();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let k = 0;
  while (performance.now() - t0 < 1000) {
    for (let i = 0; i < 10; i++) f();
    k += 10;
  }
  const c = process.cpuUsage(c0);
  return round((c.user + c.system) / k, 1);
}

/** CS-17 / CS-05 OFFSET statements at the first, middle and last page, and the whole history (ms). */
async function historyOffsetCost(store: AdminStore, subs: { label: string; s: DemoSubscriber }[]): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const { label, s } of subs) {
    const binds = { svcnum: s.svcnum, subscrbid: s.subscrbid };
    const nPay = Number((await store.one<{ n: unknown }>({ name: 'bench.pages.pay-count', sql: 'SELECT COUNT(*) AS N FROM TAB_PAY WHERE SUBSCRBID = :s' }, { s: s.subscrbid }))?.n ?? 0);
    const nBusi = Number((await store.one<{ n: unknown }>({ name: 'bench.pages.busi-count', sql: 'SELECT COUNT(*) AS N FROM USR_BUSI_RECORD WHERE SUBSCRBID = :s' }, { s: s.subscrbid }))?.n ?? 0);
    const pay = async (off: number, lim = PAGE) => PAY_HISTORY_PAGE.all(store, { ...binds, off, lim });
    const busi = async (off: number, lim = 64) => BUSI_RECORD_PAGE.all(store, { subscrbid: s.subscrbid, off, lim });
    const p = { rows: nPay, offset0: await timeMs(() => pay(0)), middle: await timeMs(() => pay(Math.max(0, Math.floor(nPay / 2) - PAGE))), last: await timeMs(() => pay(Math.max(0, nPay - PAGE))), wholeHistory: await timeMs(() => pay(0, nPay + 64), 30) };
    const b = { rows: nBusi, offset0: await timeMs(() => busi(0)), middle: await timeMs(() => busi(Math.max(0, Math.floor(nBusi / 2) - 64))), last: await timeMs(() => busi(Math.max(0, nBusi - 64))), wholeHistory: await timeMs(() => busi(0, nBusi + 64), 30) };
    out[label] = {
      cs17: { ...p, lastOverOffset0: round(p.last / p.offset0, 2) },
      cs05: { ...b, lastOverOffset0: round(b.last / b.offset0, 2) },
    };
  }
  return out;
}

/** Row conversion (rows → wire items) and encoding of a 200-record page, µs, per list. */
async function conversionAndEncoding(store: AdminStore, fx: Fixtures): Promise<Record<string, unknown>> {
  const head = { version: 1, kind: 1, biz: 0, seq: 1, serial: 'BENCH', time: '20261201120000', operator: 'bench', result: 0, reserved: 0, length: 0 };
  const one = async <R, I extends object>(code: number, rows: R[], conv: (r: R) => I) => {
    const layouts = LAYOUTS_BY_CODE.get(code)!;
    const items = rows.map(conv);
    const body = { total: rows.length, items } as unknown as BodyRecord;
    const h = { ...head, biz: code } as Parameters<typeof encodeResponse>[0];
    return {
      rows: rows.length,
      convertUs: timeUs(() => rows.map(conv)),
      encodeUs: timeUs(() => encodeResponse(h, 0, '成功', layouts.response, body)),
      bytes: encodeResponse(h, 0, '成功', layouts.response, body).length,
    };
  };
  return {
    'CS-11': await one(111, await CALL_DETAIL_PAGE.all(store, fx.cycle, { svcnum: fx.first.svcnum, offset: 0, limit: PAGE }), callItem),
    'C1-03': await one(233, await DATA_DETAIL_PAGE.all(store, fx.cycle, { svcnum: fx.cdma1x.svcnum, offset: 0, limit: PAGE }), dataItem),
    'VO-08': await one(208, await VOIP_DETAIL_BY_CARD.page.all(store, fx.cycle, { num: cardOf(fx.voip), offset: 0, limit: PAGE }), voipItem),
    'CS-17': await one(117, await PAY_HISTORY_PAGE.all(store, { svcnum: fx.first.svcnum, subscrbid: fx.first.subscrbid, off: 0, lim: PAGE }), payItem),
    'CS-05': await one(105, await BUSI_RECORD_PAGE.all(store, { subscrbid: fx.first.subscrbid, off: 0, lim: 64 }), busiItem),
  };
}

async function runBackend(name: string, database: DatabaseConfig, dir: string): Promise<Record<string, unknown>> {
  const now = new Date();
  say(`${name}: building the demo database (${SUBSCRIBERS} subscribers)`);
  const t0 = performance.now();
  const store = await openStore(database, log);
  const demo = demoFixtures(1);
  const fx: Fixtures = { first: demo.first, cdma1x: demo.cdma1x, voip: demo.voip, cycle: cycleBefore(now), current: `${now.getFullYear()}${String(now.getMonth() + 1).padStart(2, '0')}` };
  const types = TYPES_ALL.filter((t) => !TYPES || TYPES.includes(t.code));
  let large: DemoSubscriber;
  try {
    await ensureDatabase(store, { demoSubscribers: SUBSCRIBERS, demoSeed: 1, now, log, passwordStorage: 'plain', scrypt: SCRYPT });
    for (const t of types) await t.fill?.(store, fx);
    // A large history: another subscriber's TAB_PAY and USR_BUSI_RECORD.
    large = demo.cdma;
    await fillPays(store, large, LARGE, 920_000_000);
    await fillRecords(store, large, LARGE, 920_000_000);
    if (database.type === 'postgres') await store.exec('ANALYZE');
  } finally {
    await store.close();
  }
  const built = round((performance.now() - t0) / 1000, 1);
  const config: Config = {
    files: [],
    interfaces: [iface('cs'), iface('print'), iface('card')],
    database,
    log: { dir: join(dir, `logs-${name}`), level: 'info', retentionDays: 30, requests: true },
    shutdownGraceMs: 5_000,
  };
  const running = await startGateway(config, { scanner: false });
  const out: Record<string, unknown> = { buildSeconds: built };
  try {
    const byType: Record<string, unknown> = {};
    for (const t of types) {
      say(`${name}: ${t.code}`);
      byType[t.code] = await measureType(t, running, fx, dir, name);
    }
    out.types = byType;
    say(`${name}: in process`);
    out.historyOffsetCost = {
      note: 'ms per statement through the store, in the bench process, one at a time: the OFFSET page (CS-17 200 rows, CS-05 64) at offset 0, the middle and the last page, and the whole history (what a kept list reads once)',
      ...(await historyOffsetCost(running.store, [
        { label: 'demo (realistic)', s: demo.gsmArrears },
        { label: `${RECORDS} rows`, s: demo.first },
        { label: `${LARGE} rows`, s: large },
      ])),
    };
    out.pageConversionAndEncoding = {
      note: 'µs per 200-record page (CS-05: 64) in the bench process: rows → wire items (the handler converters), and encodeResponse of the items',
      ...(await conversionAndEncoding(running.store, fx)),
    };
  } finally {
    await running.stop();
  }
  return out;
}

async function main() {
  const dir = fs.mkdtempSync(join(os.tmpdir(), 'bssgate-pages-'));
  const out: Record<string, unknown> = {
    bench: 'pages',
    date: new Date().toISOString(),
    loadavg: os.loadavg().map((x) => round(x, 2)),
    cpus: os.cpus().length,
    seconds: SECONDS,
    rounds: ROUNDS,
    subscribers: SUBSCRIBERS,
    records: RECORDS,
    pageSize: PAGE,
    connections: [1, CONNECTIONS],
  };
  try {
    if (!argv.includes('--no-sqlite')) {
      out.sqlite = await runBackend('sqlite', { type: 'sqlite', path: join(dir, 'pages.db'), poolMax: 1, passwordStorage: 'plain', demoSubscribers: 0, demoSeed: 1 }, dir);
    }
    if (PG_URL) {
      const admin = new pg.Client({ connectionString: PG_URL });
      await admin.connect();
      const name = `bssgate_bench_pages_${process.pid}`;
      await admin.query(`CREATE DATABASE ${name}`);
      const drop = () => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      const onSignal = () => void drop().finally(() => process.exit(130));
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        const u = new URL(PG_URL);
        u.pathname = `/${name}`;
        out.postgres = await runBackend('postgres', { type: 'postgres', url: u.toString(), poolMax: 8, passwordStorage: 'plain', demoSubscribers: 0, demoSeed: 1 }, dir);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        await drop();
        await admin.end();
      }
    }
  } finally {
    out.loadavgAfter = os.loadavg().map((x) => round(x, 2));
    fs.rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(`${JSON.stringify(out, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
