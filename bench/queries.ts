// Benchmark: the query functions through the gateway, on SQLite and PostgreSQL. Prints JSON.
//
// CS-14 balance (biz 114) on a large demo database (default 1,000,000 subscribers on SQLite),
// 16 connections one request at a time, the requests for 10,000 real service numbers of the
// database sent in rotation (not one hot row), against two baselines of the same run and the same
// load client: the raw echo server (as bench/cs01.ts) and bench/minimal-server.ts, a plainly
// hand-written server doing the same work (frame split, header read, the same two indexed reads,
// two log lines, the reply bytes — checked byte-identical to the gateway's before measuring).
// Echo, minimal and gateway alternate round after round; the figures are medians over the rounds.
// Targets: gateway ≥ 0.9× the minimal server's requests/s, p99 ≤ 2 ms.
//
// CS-11 monthly detail (biz 111, when the build has it): 200-record pages of the previous
// (complete) month of the demo's first subscriber (thousands of voice and SMS tickets), topped up
// to --detail-records (default 3000) with copies of its own voice tickets, random offsets; at
// 16 connections one at a time (as CS-14) and at one connection (a page's own latency, no queue),
// with the handler's two ticket queries timed through the store in-process. Target: p99 ≤ 5 ms.
//
// PostgreSQL (--pg URL or BSSGATE_TEST_PG_URL): the same on a database of its own, created with
// --pg-subscribers demo subscribers (default 200,000: a 1M load takes long) and dropped afterwards;
// the minimal server there uses `pg` directly (a pool of 8, named prepared statements).
//
// The SQLite database is built once and cached: BSSGATE_BENCH_DB, or os.tmpdir()/bssgate-bench-1m.db
// (bssgate-bench-<n>.db for other sizes). A 1M build takes several minutes and ~6 GB.
//
//   node dist/bench/queries.js [secondsPerRound=3] [rounds=3] [--subscribers N] [--numbers 10000]
//        [--pg URL | --no-pg] [--pg-subscribers 200000] [--detail-records 3000] [--no-sqlite]
import net from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { encodeRequest, decodeResponse } from '../protocol/message.js';
import type { BodyRecord, Layout } from '../protocol/layout-types.js';
import { LAYOUTS_BY_CODE } from '../handlers/index.js';
import { startGateway, type Running } from '../src/serve.js';
import type { Config, DatabaseConfig } from '../src/config/types.js';
import { openStore } from '../src/store/open.js';
import { ensureDatabase, readMeta } from '../src/store/init.js';
import { demoFixtures } from '../src/store/demo.js';
import { renderSql } from '../src/store/dialect.js';
import { SUBSCRIBER_BY_NUMBER } from '../src/store/queries/subscriber.js';
import { ACCOUNT_BALANCE } from '../src/store/queries/account.js';
import { CALL_DETAIL_COUNT, CALL_DETAIL_PAGE } from '../src/store/queries/tickets.js';
import { setDetailCacheOptions } from '../handlers/kit/detail.js';
import { PAGE_CACHE_DEFAULTS } from '../handlers/kit/page-cache.js';
import type { AdminStore } from '../src/store/types.js';
import { cycleBefore, HEAD, median, rng, round, roundTrip, shuffle, summary, topUpTickets, writeFrames } from './page-fixtures.js';
import { echoServer, load, type LoadResult } from './load.js';
import { MINIMAL_SQL, openLookup, startMinimalServer, type MinimalBackend, type MinimalServer } from './minimal-server.js';

const argv = process.argv.slice(2);
function opt(name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}
const WITH_VALUE = new Set(['--subscribers', '--numbers', '--pg', '--pg-subscribers', '--detail-records']);
const positional: string[] = [];
for (let i = 0; i < argv.length; i++) {
  if (WITH_VALUE.has(argv[i])) i++;
  else if (!argv[i].startsWith('--')) positional.push(argv[i]);
}
const seconds = Number(positional[0] ?? 3);
const rounds = Number(positional[1] ?? 3);
const SUBSCRIBERS = Number(opt('--subscribers') ?? 1_000_000);
const NUMBERS = Number(opt('--numbers') ?? 10_000);
const PG_SUBSCRIBERS = Number(opt('--pg-subscribers') ?? 200_000);
const DETAIL_RECORDS = Number(opt('--detail-records') ?? 3000);
const PG_URL = argv.includes('--no-pg') ? undefined : (opt('--pg') ?? process.env.BSSGATE_TEST_PG_URL);
const CONNECTIONS = 16;
const PAGE = 200;
const SCRYPT = { N: 1024, r: 8, p: 1 };
const BALANCE = 114;
const DETAIL = 111;
for (const [k, v] of Object.entries({ seconds, rounds, SUBSCRIBERS, NUMBERS, PG_SUBSCRIBERS, DETAIL_RECORDS })) {
  if (!Number.isFinite(v) || v <= 0 || v > (k === 'seconds' ? 60 : k === 'rounds' ? 20 : 5_000_000)) {
    process.stderr.write(`bad ${k}: ${v}\nusage: queries.js [secondsPerRound=3] [rounds=3] [--subscribers N] [--numbers N] [--pg URL | --no-pg] [--pg-subscribers N] [--detail-records N]\n`);
    process.exit(2);
  }
}

/** Progress goes to stderr; stdout carries the JSON document only. */
const log = pino({ level: process.env.BENCH_LOG ?? 'info' }, pino.destination({ dest: 2, sync: true }));
const say = (msg: string) => process.stderr.write(`[bench:queries] ${msg}\n`);


// ---------------------------------------------------------------------------------------------
// Load, servers, round trips.

function loadFrames(port: number, framesFile: string, connections = CONNECTIONS): Promise<LoadResult> {
  return load({ port, connections, depth: 1, seconds, framesFile, countResults: true });
}

// ---------------------------------------------------------------------------------------------
// Databases.

const dbMeta = async (store: AdminStore) => readMeta(store);

/** The cached SQLite demo database (built when missing). */
async function sqliteDatabase(): Promise<{ path: string; built: boolean; buildSeconds?: number; meta: Record<string, string> }> {
  const path =
    process.env.BSSGATE_BENCH_DB ?? join(os.tmpdir(), SUBSCRIBERS === 1_000_000 ? 'bssgate-bench-1m.db' : `bssgate-bench-${SUBSCRIBERS}.db`);
  if (fs.existsSync(path)) {
    const store = await openStore({ type: 'sqlite', path, poolMax: 1, passwordStorage: 'plain', demoSubscribers: 0, demoSeed: 1 }, log);
    try {
      const meta = await dbMeta(store);
      if (meta.schema_version === undefined) throw new Error(`${path}: not a finished bssgate database; delete it to rebuild`);
      if (Number(meta.demo_subscribers) !== SUBSCRIBERS) {
        throw new Error(`${path} holds ${meta.demo_subscribers} demo subscribers, not ${SUBSCRIBERS}: pass --subscribers ${meta.demo_subscribers}, another BSSGATE_BENCH_DB, or delete it`);
      }
      // A WAL left by an earlier run is folded into the file (the gateway and the minimal server start alike).
      await store.exec('PRAGMA wal_checkpoint(TRUNCATE)');
      return { path, built: false, meta };
    } finally {
      await store.close();
    }
  }
  // Built under another name and renamed when finished: an interrupted build is never mistaken
  // for the cache.
  const building = `${path}.building`;
  for (const s of ['', '-wal', '-shm']) fs.rmSync(building + s, { force: true });
  say(`building the SQLite demo database (${SUBSCRIBERS} subscribers) at ${path}; this takes a while once`);
  const t0 = performance.now();
  const store = await openStore({ type: 'sqlite', path: building, poolMax: 1, passwordStorage: 'plain', demoSubscribers: 0, demoSeed: 1 }, log);
  let meta: Record<string, string>;
  try {
    await ensureDatabase(store, { demoSubscribers: SUBSCRIBERS, demoSeed: 1, now: new Date(), log, passwordStorage: 'plain', scrypt: SCRYPT });
    meta = await dbMeta(store);
    await store.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  } finally {
    await store.close();
  }
  for (const s of ['-wal', '-shm']) if (fs.existsSync(building + s)) fs.renameSync(building + s, path + s);
  fs.renameSync(building, path);
  return { path, built: true, buildSeconds: round((performance.now() - t0) / 1000, 1), meta };
}

/** Service numbers spread over the whole table (every k-th subscriber, none cancelled), shuffled. */
async function sampleNumbers(store: AdminStore, subscribers: number): Promise<string[]> {
  const k = Math.max(1, Math.floor(subscribers / (NUMBERS * 1.1)));
  const rows = await store.all<{ svcnum: string }>({
    name: `bench.sample.${k}`,
    sql: `SELECT SVCNUM FROM TAB_SUBSCRB WHERE STATUS <> 5 AND SUBSCRBID % ${k} = 0`,
  });
  return shuffle([...new Set(rows.map((r) => r.svcnum))].slice(0, NUMBERS), 6);
}

const detailRecords = (store: AdminStore, svcnum: string, cycle: string, want: number) => topUpTickets(store, svcnum, cycle, want);

// ---------------------------------------------------------------------------------------------
// One back end: CS-14 (echo, minimal, gateway) and CS-11 (gateway).

interface BackendSetup {
  name: 'sqlite' | 'postgres';
  database: DatabaseConfig;
  minimal: MinimalBackend;
  subscribers: number;
  /** When the demo was generated (its current billing cycle). */
  demoNow: Date;
  seed: number;
  facts: Record<string, unknown>;
}

async function compareReplies(gatewayPort: number, minimalPort: number, frames: Buffer[], layout: Layout) {
  let identical = 0;
  let example: unknown;
  const checked = Math.min(frames.length, 200);
  for (let i = 0; i < checked; i++) {
    let g: Buffer | undefined;
    let m: Buffer | undefined;
    // Both replies carry the time of answering (YYYYMMDDHHMMSS): asked again when a second ticked between them.
    for (let attempt = 0; attempt < 5; attempt++) {
      g = await roundTrip(gatewayPort, frames[i]);
      m = await roundTrip(minimalPort, frames[i]);
      if (g.subarray(32, 46).equals(m.subarray(32, 46))) break;
    }
    if (g!.equals(m!)) {
      identical++;
      if (!example) example = { bytes: g!.length, hex: g!.toString('hex'), decoded: decodeResponse(g!, layout).body };
      continue;
    }
    let at = 0;
    while (at < Math.min(g!.length, m!.length) && g![at] === m![at]) at++;
    return { checked: i + 1, identical, mismatch: { firstDifferentByte: at, gateway: g!.toString('hex'), minimal: m!.toString('hex') } };
  }
  return { checked, identical, allIdentical: identical === checked, example };
}

async function runBackend(b: BackendSetup, dir: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = { ...b.facts };
  const logDir = join(dir, `logs-${b.name}`);
  const config: Config = {
    files: [],
    interfaces: [
      {
        name: 'cs', kind: 'cs', host: '127.0.0.1', port: 0, maxFrame: 65536, maxConnections: 256, idleTimeoutMs: 60_000,
        frameTimeoutMs: 10_000, drainTimeoutMs: 30_000, requestTimeoutMs: 15_000, maxPipeline: 64, allow: [],
      },
    ],
    database: b.database,
    log: { dir: logDir, level: 'info', retentionDays: 30, requests: true },
    shutdownGraceMs: 5_000,
  };
  const running: Running = await startGateway(config);
  const gPort = running.bound[0].port;
  let minimal: MinimalServer | undefined;
  try {
    // --- CS-14 ---
    const layouts = LAYOUTS_BY_CODE.get(BALANCE);
    if (!layouts) throw new Error('business type 114 (CS-14) is not in LAYOUTS_BY_CODE');
    say(`${b.name}: sampling ${NUMBERS} service numbers`);
    const numbers = await sampleNumbers(running.store, b.subscribers);
    const frames = numbers.map((svcnum, i) => encodeRequest({ biz: BALANCE, seq: i + 1, ...HEAD }, layouts.request, { svcnum }));
    const framesFile = writeFrames(dir, `cs14-${b.name}.frames`, frames);
    minimal = await startMinimalServer(b.minimal, join(dir, `minimal-logs-${b.name}`));
    say(`${b.name}: comparing gateway and minimal replies`);
    const replyCheck = await compareReplies(gPort, minimal.port, frames, layouts.response);
    const e: LoadResult[] = [];
    const m: LoadResult[] = [];
    const g: LoadResult[] = [];
    for (let r = 0; r < rounds; r++) {
      say(`${b.name}: CS-14 round ${r + 1}/${rounds}`);
      const echo = await echoServer();
      e.push(await loadFrames((echo.address() as net.AddressInfo).port, framesFile));
      await new Promise((res) => echo.close(res));
      m.push(await loadFrames(minimal.port, framesFile));
      g.push(await loadFrames(gPort, framesFile));
    }
    const gs = summary(g);
    const ms = summary(m);
    const es = summary(e);
    // The two reads alone, in this process, one request at a time over the same numbers: the
    // handler's (SUBSCRIBER_BY_NUMBER + ACCOUNT_BALANCE through the store: typed rows, dates and
    // money converted) against the minimal server's (prepared statements, raw rows).
    const reads = async (f: (svcnum: string) => Promise<unknown>) => {
      const t0 = performance.now();
      let n = 0;
      while (n < numbers.length && performance.now() - t0 < 3000) await f(numbers[n++]);
      return round(((performance.now() - t0) / n) * 1000, 1);
    };
    const raw = openLookup(b.minimal);
    const inProcess = {
      minimalReadsUs: await reads(async (svcnum) => {
        const s = await raw.subscriber(svcnum);
        if (s) await raw.balance(s[1]);
      }),
      storeReadsUs: await reads(async (svcnum) => {
        const s = await SUBSCRIBER_BY_NUMBER.one(running.store, { svcnum });
        if (s) await ACCOUNT_BALANCE.one(running.store, { acctid: s.acctid });
      }),
      note: 'mean µs per request of the two reads alone, one request at a time in the bench process: the minimal server\'s code vs the handler\'s queries through the store',
    };
    await raw.close();
    out.cs14 = {
      biz: BALANCE,
      connections: CONNECTIONS,
      depth: 1,
      distinctNumbers: numbers.length,
      replyCheck,
      echo: es,
      minimal: ms,
      gateway: gs,
      ratioGatewayToMinimal: round(gs.rps / ms.rps),
      ratioGatewayToEcho: round(gs.rps / es.rps),
      ratioMinimalToEcho: round(ms.rps / es.rps),
      perRoundRatioGatewayToMinimal: g.map((x, i) => round(x.rps / m[i].rps)),
      p99RatioGatewayToMinimal: round(gs.p99ms / ms.p99ms),
      inProcess,
      target: 'ratioGatewayToMinimal >= 0.9 and gateway p99 <= 2 ms',
      meetsRatio: gs.rps / ms.rps >= 0.9,
      meetsP99: gs.p99ms <= 2,
    };
    await minimal.close();
    minimal = undefined;

    // --- CS-11 ---
    out.cs11 = await cs11(b, running, dir).catch((err: unknown) => `failed: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    await minimal?.close();
    await running.stop();
  }
  return out;
}

async function cs11(b: BackendSetup, running: Running, dir: string): Promise<unknown> {
  const gPort = running.bound[0].port;
  const detail = LAYOUTS_BY_CODE.get(DETAIL);
  if (!detail) {
    return 'skipped: business type 111 (CS-11 monthly detail) is not in LAYOUTS_BY_CODE in this build (handlers/monthly-detail.ts not there yet)';
  }
  const who = demoFixtures(b.seed).first;
  const cycle = cycleBefore(b.demoNow);
  const records = await detailRecords(running.store, who.svcnum, cycle, DETAIL_RECORDS);
  const body = (offset: number): BodyRecord => {
    const o: BodyRecord = {};
    for (const f of detail.request) {
      if (f.name === 'svcnum') o.svcnum = who.svcnum;
      else if (f.name === 'cycle') o.cycle = cycle;
      else if (f.name === 'offset') o.offset = offset;
      else if (f.name === 'limit') o.limit = PAGE;
      else throw new Error(`CS-11 request field ${f.name} (${f.type}) is unknown to this bench`);
    }
    return o;
  };
  const first = decodeResponse(await roundTrip(gPort, encodeRequest({ biz: DETAIL, seq: 1, ...HEAD }, detail.request, body(0))), detail.response);
  if (first.header.result !== 0) throw new Error(`CS-11 answered ${first.header.result} ${first.message} for ${who.svcnum} ${cycle}`);
  const total = Number(first.body?.total);
  const items = (first.body?.items as BodyRecord[] | undefined)?.length;
  const r = rng(11);
  const dframes = Array.from({ length: 1000 }, (_, i) =>
    encodeRequest({ biz: DETAIL, seq: i + 1, ...HEAD }, detail.request, body(Math.floor(r() * Math.max(1, total - PAGE + 1)))),
  );
  const sample = await roundTrip(gPort, dframes[0]);
  const dFile = writeFrames(dir, `cs11-${b.name}.frames`, dframes);
  const d: LoadResult[] = [];
  const d1: LoadResult[] = [];
  const e: LoadResult[] = [];
  // The same pages with the month cache off (OFFSET paging, as before issue 17), same run.
  const off: LoadResult[] = [];
  const off1: LoadResult[] = [];
  // A page's cost at offset 0 and at the last page, one connection: cache off and on.
  const at = (offset: number, name: string) =>
    writeFrames(dir, `cs11-${b.name}-${name}.frames`, Array.from({ length: 100 }, (_, i) => encodeRequest({ biz: DETAIL, seq: i + 1, ...HEAD }, detail.request, body(offset))));
  const zeroFile = at(0, 'zero');
  const deepFile = at(Math.max(0, total - PAGE), 'deep');
  const deep = { offZero: [] as LoadResult[], offDeep: [] as LoadResult[], onZero: [] as LoadResult[], onDeep: [] as LoadResult[] };
  const CACHE_OFF = { ...PAGE_CACHE_DEFAULTS, maxListItems: -1 };
  for (let k = 0; k < rounds; k++) {
    say(`${b.name}: CS-11 round ${k + 1}/${rounds}`);
    // The echo of the same frames, for the state of the machine in this run (not a target).
    const echo = await echoServer();
    e.push(await loadFrames((echo.address() as net.AddressInfo).port, dFile));
    await new Promise((res) => echo.close(res));
    setDetailCacheOptions(CACHE_OFF);
    off.push(await loadFrames(gPort, dFile));
    off1.push(await loadFrames(gPort, dFile, 1));
    deep.offZero.push(await loadFrames(gPort, zeroFile, 1));
    deep.offDeep.push(await loadFrames(gPort, deepFile, 1));
    setDetailCacheOptions(PAGE_CACHE_DEFAULTS);
    d.push(await loadFrames(gPort, dFile));
    d1.push(await loadFrames(gPort, dFile, 1));
    deep.onZero.push(await loadFrames(gPort, zeroFile, 1));
    deep.onDeep.push(await loadFrames(gPort, deepFile, 1));
  }
  const offs = summary(off);
  const off1s = summary(off1);
  const ratio = (a: LoadResult[], z: LoadResult[]) => round(median(z.map((x) => x.rps)) / median(a.map((x) => x.rps)), 2);
  const offsetCost = {
    note: 'one connection, 100 requests for the first page (offset 0) and for the last page (offset total-200) in rotation: pages/s, and the cost of a deep page relative to the first (mean time of a page ÷ that of offset 0; 1.0 = independent of the offset)',
    cacheOff: { zeroRps: summary(deep.offZero).rps, deepRps: summary(deep.offDeep).rps, deepCostRatio: ratio(deep.offDeep, deep.offZero) },
    cacheOn: { zeroRps: summary(deep.onZero).rps, deepRps: summary(deep.onDeep).rps, deepCostRatio: ratio(deep.onDeep, deep.onZero) },
  };
  // The cost of reading a whole month into the cache (a list's first page, or after a change).
  const tLoad = performance.now();
  let nLoad = 0;
  while (nLoad < 20 && performance.now() - tLoad < 3000) {
    await CALL_DETAIL_PAGE.all(running.store, cycle, { svcnum: who.svcnum, offset: 0, limit: total + 64 });
    nLoad++;
  }
  const monthLoadMs = round((performance.now() - tLoad) / nLoad);
  const ds = summary(d);
  const d1s = summary(d1);
  const es = summary(e);
  // Where the time of one request goes: the handler's two ticket queries through the store, in
  // this process, one at a time, without the network or the codec (rows converted, as the handler gets them).
  const stage = async (f: (offset: number) => Promise<unknown>) => {
    const rr = rng(12);
    const t0 = performance.now();
    let n = 0;
    while (n < 200 && performance.now() - t0 < 3000) {
      await f(Math.floor(rr() * Math.max(1, total - PAGE + 1)));
      n++;
    }
    return round((performance.now() - t0) / n);
  };
  const inProcess = {
    pageQueryMs: await stage((offset) => CALL_DETAIL_PAGE.all(running.store, cycle, { svcnum: who.svcnum, offset, limit: PAGE })),
    countQueryMs: await stage(() => CALL_DETAIL_COUNT.all(running.store, cycle, { svcnum: who.svcnum })),
    note: 'mean ms of tickets.call-detail-page (200 rows, random offsets) and tickets.call-detail-count through the store, one at a time in the bench process',
  };
  return {
    biz: DETAIL,
    connections: CONNECTIONS,
    depth: 1,
    svcnum: who.svcnum,
    cycle,
    records: { ...records, totalAnswered: total, note: records.added > 0 ? `the demo holds ${records.demo}; ${records.added} copies of its own voice tickets (+1 s) were added for the bench` : undefined },
    pageSize: PAGE,
    itemsPerPage: items,
    replyBytes: sample.length,
    offsets: `1000 random offsets in 0..${Math.max(0, total - PAGE)}, sent in rotation`,
    echoOfTheRequests: { rps: es.rps, p50ms: es.p50ms, p99ms: es.p99ms },
    gateway: ds,
    gatewayOneConnection: d1s,
    cacheOff: { gateway: offs, gatewayOneConnection: off1s, note: 'the same requests with the month cache off: OFFSET paging, as before issue 17' },
    cacheOnVsOff: { rps16: round(ds.rps / offs.rps, 2), rps1: round(d1s.rps / off1s.rps, 2) },
    offsetCost,
    inProcess: { ...inProcess, monthLoadMs, monthLoadNote: 'mean ms to read the whole month (what the cache reads once per list, and again after a change)' },
    target: '>= 2,000 pages/s at 16 connections; p99 <= 5 ms at one, <= 20 ms at 16; a page cost independent of its offset',
    meetsRps: ds.rps >= 2000,
    meetsP99At16: ds.p99ms <= 20,
    meetsP99OneConnection: d1s.p99ms <= 5,
  };
}

// ---------------------------------------------------------------------------------------------

async function sqliteBackend(): Promise<BackendSetup> {
  const db = await sqliteDatabase();
  const files = ['', '-wal', '-shm'].filter((s) => fs.existsSync(db.path + s));
  const bytes = files.reduce((n, s) => n + fs.statSync(db.path + s).size, 0);
  return {
    name: 'sqlite',
    database: { type: 'sqlite', path: db.path, poolMax: 1, passwordStorage: 'plain', demoSubscribers: 0, demoSeed: Number(db.meta.demo_seed ?? 1) },
    minimal: { type: 'sqlite', path: db.path },
    subscribers: SUBSCRIBERS,
    demoNow: new Date(db.meta.demo_now),
    seed: Number(db.meta.demo_seed ?? 1),
    facts: {
      database: db.path,
      subscribers: SUBSCRIBERS,
      fileMB: Math.round(bytes / 1e6),
      built: db.built ? `this run, ${db.buildSeconds} s` : `cached (demo generated ${db.meta.demo_now})`,
    },
  };
}

async function withPostgres<T>(base: string, fn: (b: BackendSetup) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  const name = `bssgate_bench_q_${process.pid}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const drop = () => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  const onSignal = () => {
    drop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const u = new URL(base);
    u.pathname = `/${name}`;
    const url = u.toString();
    const database: DatabaseConfig = { type: 'postgres', url, poolMax: 8, passwordStorage: 'plain', demoSubscribers: 0, demoSeed: 1 };
    say(`building the PostgreSQL demo database ${name} (${PG_SUBSCRIBERS} subscribers)`);
    const t0 = performance.now();
    const now = new Date();
    const store = await openStore(database, log);
    try {
      await ensureDatabase(store, { demoSubscribers: PG_SUBSCRIBERS, demoSeed: 1, now, log, passwordStorage: 'plain', scrypt: SCRYPT });
      await store.exec('ANALYZE');
    } finally {
      await store.close();
    }
    const buildSeconds = round((performance.now() - t0) / 1000, 1);
    const size = await admin.query(`SELECT pg_database_size('${name}') AS b`);
    const version = await admin.query('SHOW server_version');
    return await fn({
      name: 'postgres',
      database,
      minimal: { type: 'postgres', url, poolMax: 8 },
      subscribers: PG_SUBSCRIBERS,
      demoNow: now,
      seed: 1,
      facts: {
        database: `${u.host}/${name} (created for this run, dropped afterwards)`,
        server: `PostgreSQL ${version.rows[0].server_version}`,
        subscribers: PG_SUBSCRIBERS,
        subscribersNote: PG_SUBSCRIBERS < SUBSCRIBERS ? `smaller than the SQLite database (${SUBSCRIBERS}): a PostgreSQL demo load of 1M takes long` : undefined,
        sizeMB: Math.round(Number(size.rows[0].b) / 1e6),
        built: `this run, ${buildSeconds} s`,
        pool: 8,
        minimalServer: 'pg directly: a Pool of 8, named prepared statements, rowMode array',
      },
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await drop();
    await admin.end();
  }
}

async function main() {
  // The minimal server's SQL must be the handler's, as the store renders it.
  for (const d of ['sqlite', 'postgres'] as const) {
    const want = { subscriber: renderSql(d, SUBSCRIBER_BY_NUMBER.def().sql).sql, balance: renderSql(d, ACCOUNT_BALANCE.def().sql).sql };
    for (const k of ['subscriber', 'balance'] as const) {
      if (want[k] !== MINIMAL_SQL[d][k]) throw new Error(`bench/minimal-server.ts ${d} ${k} SQL differs from the handler's:\n${want[k]}\n---\n${MINIMAL_SQL[d][k]}`);
    }
  }
  const dir = fs.mkdtempSync(join(os.tmpdir(), 'bssgate-bench-q-'));
  const out: Record<string, unknown> = {
    bench: 'queries',
    secondsPerRound: seconds,
    rounds,
    node: process.version,
    cpus: os.cpus().length,
    loadAverageAtStart: os.loadavg().map((x) => round(x, 2)),
    conditions: 'bench process: gateway, minimal server and echo (one at a time under load); load client: a separate process; 127.0.0.1; request logs on (gateway: query.MMDD + ans.MMDD; minimal: two templated lines to fs write streams)',
  };
  try {
    out.sqlite = argv.includes('--no-sqlite') ? 'skipped: --no-sqlite' : await runBackend(await sqliteBackend(), dir);
    out.postgres = PG_URL
      ? await withPostgres(PG_URL, (b) => runBackend(b, dir)).catch((err: unknown) => `failed: ${err instanceof Error ? err.stack : String(err)}`)
      : 'skipped: no --pg URL and BSSGATE_TEST_PG_URL not set';
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  out.loadAverageAtEnd = os.loadavg().map((x) => round(x, 2));
  process.stdout.write(JSON.stringify(out, (_k, v) => (typeof v === 'bigint' ? String(v) : v), 2) + '\n');
}

main().catch((err) => {
  process.stderr.write(String(err?.stack ?? err) + '\n');
  process.exit(1);
});
