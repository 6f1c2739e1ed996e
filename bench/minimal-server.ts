// The baselines of issues 6 and 9: CS-14 balance (startMinimalServer) and CS-01 connection check
// (startMinimalCs01Server) served by a plainly hand-written minimal server, the limit of this
// work in one Node process. CS-01: frame split, header read, the SQLite `SELECT 1` the gateway's
// ping runs, the two log lines (templated, with the gateway's fields), a hand-encoded reply
// (byte-identical to the gateway's but for the time fields: bench/cs01.ts checks). CS-14: what
// the gateway does for a CS-14 request and nothing else:
//   frame split (bench/length-prefixed.ts, as the echo baseline and the load client);
//   header read (version, kind, biz, the length limit, seq, serial, operator);
//   the same two indexed reads as the handler (SUBSCRIBER_BY_NUMBER, then ACCOUNT_BALANCE: the
//     same SQL text, which bench/queries.ts checks against the rendered query definitions),
//     through better-sqlite3 prepared statements, or `pg` with named prepared statements;
//   the cancelled-number refusal (2004) and the unknown-number answer (2001);
//   two log lines per request, templated strings written to file streams (the gateway's query
//     and ans lines carry the same fields);
//   the reply bytes, hand-encoded: byte-identical to the gateway's reply for the same request
//     (bench/queries.ts compares them before measuring).
// No layout tables, no dispatcher, no store abstraction, no timeouts, no connection limits.
import net from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { eachFrame } from './length-prefixed.js';

export const BALANCE_BIZ = 114;

/** The handler's SQL, as rendered for each back end (checked by bench/queries.ts). */
export const MINIMAL_SQL = {
  sqlite: {
    subscriber: `SELECT SUBSCRBID, SVCNUM, NETTYPE, STATUS, CUSTID, ACCTID, IMSI, SIMCARDID, CARDNUM, REGION, PRCPLN
FROM TAB_SUBSCRB WHERE SVCNUM = ?
ORDER BY CASE WHEN STATUS = 5 THEN 1 ELSE 0 END, OPENDATE DESC LIMIT 1`,
    balance: 'SELECT ACCTID, BALANCE, UPDATED FROM ACCT_BALANCE WHERE ACCTID = ?',
  },
  postgres: {
    subscriber: `SELECT SUBSCRBID, SVCNUM, NETTYPE, STATUS, CUSTID, ACCTID, IMSI, SIMCARDID, CARDNUM, REGION, PRCPLN
FROM TAB_SUBSCRB WHERE SVCNUM = $1
ORDER BY CASE WHEN STATUS = 5 THEN 1 ELSE 0 END, OPENDATE DESC LIMIT 1`,
    balance: 'SELECT ACCTID, BALANCE, UPDATED FROM ACCT_BALANCE WHERE ACCTID = $1',
  },
} as const;

export type MinimalBackend = { type: 'sqlite'; path: string } | { type: 'postgres'; url: string; poolMax?: number };

export interface MinimalServer {
  port: number;
  close(): Promise<void>;
}

const MAX_FRAME = 65536;
const HEADER = 60;
const OK_GBK = Buffer.from([0xb3, 0xc9, 0xb9, 0xa6]); // 成功
const SVCNUM_RE = /^[0-9]{3,20}$/;

const p2 = (n: number) => (n < 10 ? '0' + n : String(n));
const p3 = (n: number) => (n < 10 ? '00' + n : n < 100 ? '0' + n : String(n));

// Local time texts, recomputed once a second: the reply's YYYYMMDDHHMMSS and the log lines'
// ISO-8601 time with milliseconds and offset.
let second = -1;
let wireTime = '';
let isoPrefix = '';
let isoOffset = '';
function tick(ms: number): void {
  const s = Math.floor(ms / 1000);
  if (s === second) return;
  second = s;
  const d = new Date(ms);
  const y = d.getFullYear();
  const mo = p2(d.getMonth() + 1);
  const da = p2(d.getDate());
  const h = p2(d.getHours());
  const mi = p2(d.getMinutes());
  const se = p2(d.getSeconds());
  wireTime = `${y}${mo}${da}${h}${mi}${se}`;
  isoPrefix = `${y}-${mo}-${da}T${h}:${mi}:${se}`;
  const off = -d.getTimezoneOffset();
  isoOffset = `${off < 0 ? '-' : '+'}${p2(Math.floor(Math.abs(off) / 60))}:${p2(Math.abs(off) % 60)}`;
}

function wireDateTime(d: Date): string {
  return `${d.getFullYear()}${p2(d.getMonth() + 1)}${p2(d.getDate())}${p2(d.getHours())}${p2(d.getMinutes())}${p2(d.getSeconds())}`;
}

/** A reply header: the request's biz, seq, serial and operator; kind 2; the time now; `result`. */
function replyHead(req: Buffer, bodySize: number, result: number): Buffer {
  const out = Buffer.allocUnsafe(HEADER + bodySize);
  out.writeUInt32BE(HEADER - 4 + bodySize, 0);
  out[4] = 1;
  out[5] = 2;
  req.copy(out, 6, 6, 32); // biz, seq, serial
  out.write(wireTime, 32, 14, 'latin1');
  req.copy(out, 46, 46, 56); // operator
  out.writeUInt16BE(result, 56);
  out.writeUInt16BE(0, 58);
  return out;
}

function refusal(req: Buffer, result: number, message: string): Buffer {
  // The messages here are ASCII (the gateway's are GBK Chinese; refusals are not compared).
  const out = replyHead(req, 2 + message.length, result);
  out.writeUInt16BE(message.length, HEADER);
  out.write(message, HEADER + 2, 'latin1');
  return out;
}

function balanceReply(req: Buffer, acctid: string, balance: bigint, updated: string): Buffer {
  const out = replyHead(req, 2 + 4 + 20 + 8 + 14, 0);
  let o = HEADER;
  out.writeUInt16BE(4, o);
  OK_GBK.copy(out, o + 2);
  o += 6;
  const n = out.write(acctid, o, 20, 'latin1');
  out.fill(0x20, o + n, o + 20);
  o += 20;
  out.writeBigInt64BE(balance, o);
  o += 8;
  out.write(updated, o, 14, 'latin1');
  return out;
}

export interface Lookup {
  /** [status, acctid] of the number's subscriber (the live row first), or undefined. */
  subscriber(svcnum: string): [number, bigint | number | string] | undefined | Promise<[number, bigint | number | string] | undefined>;
  /** [acctid, balance, updated YYYYMMDDHHMMSS] or undefined. */
  balance(acctid: bigint | number | string): [string, bigint, string] | undefined | Promise<[string, bigint, string] | undefined>;
  close(): Promise<void>;
}

function sqliteLookup(file: string): Lookup {
  const db = new Database(file, { fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  const sub = db.prepare(MINIMAL_SQL.sqlite.subscriber).raw(true).safeIntegers(true);
  const bal = db.prepare(MINIMAL_SQL.sqlite.balance).raw(true).safeIntegers(true);
  return {
    subscriber(svcnum) {
      const r = sub.get(svcnum) as unknown[] | undefined;
      return r ? [Number(r[3]), r[5] as bigint] : undefined;
    },
    balance(acctid) {
      const r = bal.get(acctid) as unknown[] | undefined;
      if (!r) return undefined;
      // SQLite holds local time as text 'YYYY-MM-DD HH:MM:SS[.mmm]'
      const u = r[2] as string;
      return [String(r[0]), r[1] as bigint, u.slice(0, 4) + u.slice(5, 7) + u.slice(8, 10) + u.slice(11, 13) + u.slice(14, 16) + u.slice(17, 19)];
    },
    async close() {
      db.close();
    },
  };
}

function postgresLookup(url: string, poolMax: number): Lookup {
  const pool = new pg.Pool({ connectionString: url, max: poolMax });
  pool.on('error', () => undefined);
  return {
    async subscriber(svcnum) {
      const r = await pool.query({ name: 'min.sub', text: MINIMAL_SQL.postgres.subscriber, values: [svcnum], rowMode: 'array' });
      const row = r.rows[0] as unknown[] | undefined;
      return row ? [Number(row[3]), row[5] as string] : undefined;
    },
    async balance(acctid) {
      const r = await pool.query({ name: 'min.bal', text: MINIMAL_SQL.postgres.balance, values: [String(acctid)], rowMode: 'array' });
      const row = r.rows[0] as unknown[] | undefined;
      // int8 arrives as a string (or bigint/number if a type parser was installed); timestamp as a local Date
      return row ? [String(row[0]), BigInt(row[1] as string), wireDateTime(row[2] as Date)] : undefined;
    },
    close: () => pool.end(),
  };
}

/** The minimal server's two reads on their own (bench/queries.ts times them in-process against the store's). */
export function openLookup(backend: MinimalBackend): Lookup {
  return backend.type === 'sqlite' ? sqliteLookup(backend.path) : postgresLookup(backend.url, backend.poolMax ?? 8);
}

/** Starts the minimal CS-14 server on 127.0.0.1 (a free port); log files query.log and ans.log in `logDir`. */
export async function startMinimalServer(backend: MinimalBackend, logDir: string): Promise<MinimalServer> {
  const lookup = openLookup(backend);
  fs.mkdirSync(logDir, { recursive: true });
  const queryLog = fs.createWriteStream(path.join(logDir, 'query.log'), { flags: 'a' });
  const ansLog = fs.createWriteStream(path.join(logDir, 'ans.log'), { flags: 'a' });
  /** One request frame → its reply (sync on SQLite; a promise on PostgreSQL). */
  const answer = (conn: number, peer: string, f: Buffer): Buffer | Promise<Buffer> => {
    const started = performance.now();
    tick(Date.now());
    const biz = f.readUInt16BE(6);
    const seq = f.readUInt32BE(8);
    const finish = (reply: Buffer): Buffer => {
      ansLog.write(
        `{"level":"info","time":"${isoPrefix}.${p3(Date.now() % 1000)}${isoOffset}","conn":${conn},"seq":${seq},"biz":${biz},"result":${reply.readUInt16BE(56)},"ms":${Math.round((performance.now() - started) * 1000) / 1000}}\n`,
      );
      return reply;
    };
    if (f.length < HEADER || f[4] !== 1 || f[5] !== 1) return finish(refusal(f, 1001, 'malformed header'));
    const serial = f.toString('latin1', 12, 32).trimEnd();
    const operator = f.toString('latin1', 46, 56).trimEnd();
    const svcnum = biz === BALANCE_BIZ && f.length === HEADER + 20 ? f.toString('latin1', HEADER, HEADER + 20).trimEnd() : undefined;
    queryLog.write(
      `{"level":"info","time":"${isoPrefix}.${p3(Date.now() % 1000)}${isoOffset}","conn":${conn},"peer":"${peer}","seq":${seq},"biz":${biz},"serial":"${serial}","operator":"${operator}","sent":"${f.toString('latin1', 32, 46)}","body":${svcnum === undefined ? 'null' : `{"svcnum":"${svcnum}"}`}}\n`,
    );
    if (biz !== BALANCE_BIZ) return finish(refusal(f, 1004, 'business type not served'));
    if (svcnum === undefined || !SVCNUM_RE.test(svcnum)) return finish(refusal(f, 1006, 'invalid svcnum'));
    const withSub = (s: [number, bigint | number | string] | undefined): Buffer | Promise<Buffer> => {
      if (!s) return finish(refusal(f, 2001, 'no such subscriber'));
      if (s[0] === 5) return finish(refusal(f, 2004, 'cancelled'));
      const withBal = (b: [string, bigint, string] | undefined): Buffer => {
        if (!b) return finish(refusal(f, 2011, 'no account'));
        tick(Date.now());
        return finish(balanceReply(f, b[0], b[1], b[2]));
      };
      const b = lookup.balance(s[1]);
      return b instanceof Promise ? b.then(withBal) : withBal(b);
    };
    const s = lookup.subscriber(svcnum);
    return s instanceof Promise ? s.then(withSub) : withSub(s);
  };

  const server = await listenFrames(answer);
  return {
    port: (server.address() as net.AddressInfo).port,
    async close() {
      await new Promise((r) => server.close(r));
      await lookup.close();
      await Promise.all([queryLog, ansLog].map((w) => new Promise((r) => w.end(r))));
    },
  };
}

/** The socket side of both minimal servers: frames out of the stream, answers in request order. */
async function listenFrames(answer: (conn: number, peer: string, f: Buffer) => Buffer | Promise<Buffer>): Promise<net.Server> {
  let conns = 0;
  const server = net.createServer((sock) => {
    sock.setNoDelay(true);
    const conn = ++conns;
    const peer = `${sock.remoteAddress}:${sock.remotePort}`;
    let rest: Buffer = Buffer.alloc(0);
    // PostgreSQL answers may complete out of order: while any is pending, replies are chained in
    // request order.
    let tail: Promise<unknown> = Promise.resolve();
    let pending = 0;
    const fail = () => sock.destroy();
    sock.on('data', (chunk: Buffer) => {
      // The answers made while this chunk is read leave together: one alone is written as it is,
      // several in one corked write (what a hand-written server does with pipelined requests: one
      // system call per read, not one per answer; a lone write is not sent through the writev
      // path that uncork takes).
      const ready: Buffer[] = [];
      rest = eachFrame(rest, chunk, (f) => {
        const r = answer(conn, peer, f);
        if (pending === 0 && !(r instanceof Promise)) {
          ready.push(r);
          return;
        }
        pending++;
        tail = tail.then(() => r).then((b) => {
          pending--;
          sock.write(b);
        }, fail);
      });
      if (ready.length === 1) sock.write(ready[0]);
      else if (ready.length > 1) {
        sock.cork();
        for (const b of ready) sock.write(b);
        sock.uncork();
      }
      // A length above the limit: closed without reading the rest (as the gateway does).
      if (rest.length >= 4 && rest.readUInt32BE(0) > MAX_FRAME) sock.destroy();
    });
    sock.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

export const CONNECTION_CHECK_BIZ = 101;

/**
 * The CS-01 minimal server on 127.0.0.1 (a free port): `SELECT 1` on the SQLite file `dbFile`
 * per request (what the gateway's ping does), query.log and ans.log in `logDir`.
 */
export async function startMinimalCs01Server(dbFile: string, logDir: string): Promise<MinimalServer> {
  const db = new Database(dbFile);
  const ping = db.prepare('SELECT 1').pluck();
  fs.mkdirSync(logDir, { recursive: true });
  const queryLog = fs.createWriteStream(path.join(logDir, 'query.log'), { flags: 'a' });
  const ansLog = fs.createWriteStream(path.join(logDir, 'ans.log'), { flags: 'a' });
  const DIALECT = Buffer.from('sqlite  ', 'latin1');
  const answer = (conn: number, peer: string, f: Buffer): Buffer => {
    const started = performance.now();
    tick(Date.now());
    const biz = f.readUInt16BE(6);
    const seq = f.readUInt32BE(8);
    const finish = (reply: Buffer): Buffer => {
      ansLog.write(
        `{"level":"info","time":"${isoPrefix}.${p3(Date.now() % 1000)}${isoOffset}","iface":"cs","conn":${conn},"seq":${seq},"biz":${biz},"result":${reply.readUInt16BE(56)},"ms":${Math.round((performance.now() - started) * 1000) / 1000}}\n`,
      );
      return reply;
    };
    if (f.length < HEADER || f[4] !== 1 || f[5] !== 1) return finish(refusal(f, 1001, 'malformed header'));
    const serial = f.toString('latin1', 12, 32).trimEnd();
    const operator = f.toString('latin1', 46, 56).trimEnd();
    queryLog.write(
      `{"level":"info","time":"${isoPrefix}.${p3(Date.now() % 1000)}${isoOffset}","iface":"cs","conn":${conn},"peer":"${peer}","seq":${seq},"biz":${biz},"serial":"${serial}","operator":"${operator}","sent":"${f.toString('latin1', 32, 46)}","body":{}}\n`,
    );
    if (biz !== CONNECTION_CHECK_BIZ) return finish(refusal(f, 1004, 'business type not served'));
    if (f.length !== HEADER) return finish(refusal(f, 1005, 'body does not match its layout'));
    if (ping.get() !== 1) return finish(refusal(f, 9001, 'database unavailable'));
    const out = replyHead(f, 2 + 4 + 1 + 8 + 14, 0);
    let o = HEADER;
    out.writeUInt16BE(4, o);
    OK_GBK.copy(out, o + 2);
    o += 6;
    out[o++] = 1;
    DIALECT.copy(out, o);
    o += 8;
    out.write(wireTime, o, 14, 'latin1');
    return finish(out);
  };
  const server = await listenFrames(answer);
  return {
    port: (server.address() as net.AddressInfo).port,
    async close() {
      await new Promise((r) => server.close(r));
      db.close();
      await Promise.all([queryLog, ansLog].map((w) => new Promise((r) => w.end(r))));
    },
  };
}
