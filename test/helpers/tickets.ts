// What the detail queries (CS-11, CS-13, PR-02, C1-03, PR-03, VO-08) should answer, computed in
// the test from the ticket tables' raw rows (the schema's table of the month: h.facts.ticketTable),
// independently of the gateway's SQL: the rows are
// read unordered and sorted here by the documented order. And a reader of every page.
import type { InterfaceKind } from '../../src/types.js';
import type { BodyRecord } from '../../protocol/layout-types.js';
import type { Harness } from './seeded.js';

const p2 = (n: number) => String(n).padStart(2, '0');

/** A raw timestamp (SQLite text, or a Date from pg) as the wire's YYYYMMDDHHMMSS. */
export function wireTime(v: unknown): string {
  if (v instanceof Date) return `${v.getFullYear()}${p2(v.getMonth() + 1)}${p2(v.getDate())}${p2(v.getHours())}${p2(v.getMinutes())}${p2(v.getSeconds())}`;
  const s = String(v).replace(/\D/g, '');
  if (!/^\d{14}/.test(s)) throw new Error(`not a timestamp: ${String(v)}`);
  return s.slice(0, 14);
}

const big = (v: unknown): bigint => BigInt(String(v));
const num = (v: unknown): number => Number(String(v));
const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v).trimEnd());

type Key = string | number | bigint;
function byKeys<T>(keys: (x: T) => Key[]): (a: T, b: T) => number {
  return (a, b) => {
    const ka = keys(a);
    const kb = keys(b);
    for (let i = 0; i < ka.length; i++) {
      if (ka[i] < kb[i]) return -1;
      if (ka[i] > kb[i]) return 1;
    }
    return 0;
  };
}

export interface CallRecord extends BodyRecord {
  kind: string;
  type: string;
  othernum: string;
  start: string;
  duration: number;
  roamtype: string;
  longtype: string;
  visitarea: string;
  spcode: string;
  basefee: bigint;
  longfee: bigint;
  fee: bigint;
}

/** Voice and SMS records of a number in a month, in the documented order (CS-11). */
export async function expectedCalls(h: Harness, svcnum: string, cycle: string): Promise<CallRecord[]> {
  const voice = await h.sql(
    `SELECT CALLTYPE AS ctype, OTHERNUM AS othernum, STARTTIME AS starttime, DURATION AS duration, ROAMTYPE AS roamtype,
            LONGTYPE AS longtype, VISITAREA AS visitarea, BASEFEE AS basefee, LONGFEE AS longfee, TOTALFEE AS totalfee
       FROM ${h.facts.ticketTable('GSMCDMA', cycle)} WHERE SVCNUM = :s`,
    { s: svcnum },
  );
  const sms = await h.sql(`SELECT SMSTYPE AS ctype, OTHERNUM AS othernum, STARTTIME AS starttime, SPCODE AS spcode, FEE AS fee FROM ${h.facts.ticketTable('SMS', cycle)} WHERE SVCNUM = :s`, { s: svcnum });
  const out: CallRecord[] = [
    ...voice.map((r) => ({
      kind: 'V',
      type: str(r.ctype),
      othernum: str(r.othernum),
      start: wireTime(r.starttime),
      duration: num(r.duration),
      roamtype: str(r.roamtype),
      longtype: str(r.longtype),
      visitarea: str(r.visitarea),
      spcode: '',
      basefee: big(r.basefee),
      longfee: big(r.longfee),
      fee: big(r.totalfee),
    })),
    ...sms.map((r) => ({
      kind: 'S',
      type: str(r.ctype),
      othernum: str(r.othernum),
      start: wireTime(r.starttime),
      duration: 0,
      roamtype: '',
      longtype: '',
      visitarea: '',
      spcode: str(r.spcode),
      basefee: big(r.fee),
      longfee: 0n,
      fee: big(r.fee),
    })),
  ];
  // start, SMS before voice, then type, othernum, duration, fee, basefee, longfee, roamtype,
  // longtype, visitarea, spcode; blank ('' = NULL) before any value.
  return out.sort(
    byKeys((x) => [x.start, x.kind === 'S' ? 1 : 2, x.type, x.othernum, x.duration, x.fee, x.basefee, x.longfee, x.roamtype, x.longtype, x.visitarea, x.spcode]),
  );
}

export interface DataRecord extends BodyRecord {
  start: string;
  duration: number;
  upvolume: number;
  downvolume: number;
  apn: string;
  visitarea: string;
  fee: bigint;
}

/** CDMA1X data sessions of a number in a month, in the documented order (C1-03). */
export async function expectedData(h: Harness, svcnum: string, cycle: string): Promise<DataRecord[]> {
  const rows = await h.sql(
    `SELECT STARTTIME AS starttime, DURATION AS duration, UPVOLUME AS upvolume, DOWNVOLUME AS downvolume, APN AS apn, VISITAREA AS visitarea, FEE AS fee
       FROM ${h.facts.ticketTable('CDMA1X', cycle)} WHERE SVCNUM = :s`,
    { s: svcnum },
  );
  return rows
    .map((r) => ({
      start: wireTime(r.starttime),
      duration: num(r.duration),
      upvolume: num(r.upvolume),
      downvolume: num(r.downvolume),
      apn: str(r.apn),
      visitarea: str(r.visitarea),
      fee: big(r.fee),
    }))
    .sort(byKeys((x) => [x.start, x.duration, x.upvolume, x.downvolume, x.apn, x.fee, x.visitarea]));
}

export interface VoipRecord extends BodyRecord {
  cardnum: string;
  svcnum: string;
  othernum: string;
  start: string;
  duration: number;
  longtype: string;
  fee: bigint;
}

/** IP Phone calls of a month by card (CARDNUM) or calling number (SVCNUM), in the documented order (VO-08). */
export async function expectedVoip(h: Harness, column: 'CARDNUM' | 'SVCNUM', value: string, cycle: string): Promise<VoipRecord[]> {
  const rows = await h.sql(
    `SELECT CARDNUM AS cardnum, SVCNUM AS svcnum, OTHERNUM AS othernum, STARTTIME AS starttime, DURATION AS duration, LONGTYPE AS longtype, FEE AS fee
       FROM ${h.facts.ticketTable('163', cycle)} WHERE ${column} = :v`,
    { v: value },
  );
  return rows
    .map((r) => ({
      cardnum: str(r.cardnum),
      svcnum: str(r.svcnum),
      othernum: str(r.othernum),
      start: wireTime(r.starttime),
      duration: num(r.duration),
      longtype: str(r.longtype),
      fee: big(r.fee),
    }))
    .sort(byKeys((x) => [x.start, x.svcnum, x.othernum, x.duration, x.fee, x.longtype, x.cardnum]));
}

export type Paged<I extends BodyRecord> = { total: number; items: I[] };

/**
 * Every page of a paged business type, `limit` records at a time, following offset + count until
 * `total` is read: the concatenated items, and the total each page reported.
 */
export async function readAllPages<I extends BodyRecord>(
  h: Harness,
  iface: InterfaceKind,
  business: string,
  body: BodyRecord,
  limit: number,
): Promise<{ items: I[]; totals: number[]; pageSizes: number[] }> {
  const items: I[] = [];
  const totals: number[] = [];
  const pageSizes: number[] = [];
  for (let guard = 0; guard < 1000; guard++) {
    const r = await h.call<Paged<I>>(iface, business, { ...body, offset: items.length, limit });
    if (r.result !== 0 || !r.body) throw new Error(`${business} offset ${items.length}: ${r.result} ${r.message}`);
    totals.push(r.body.total);
    pageSizes.push(r.body.items.length);
    items.push(...r.body.items);
    if (r.body.items.length === 0 || items.length >= r.body.total) break;
  }
  return { items, totals, pageSizes };
}
