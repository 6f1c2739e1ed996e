// What the acceptance operations' tests (CS-20…CS-26) read back from the database: the
// subscriber's row, its business records, and the CS-05 view of them over the wire. Shared by
// test/handlers/{emergency-suspend,cancellation-reserve,…}.test.ts.
import type { Test } from 'tap';
import type { Harness } from '../helpers/seeded.js';
import type { Field, Layout } from '../../protocol/layout-types.js';
import { businessByName } from '../../protocol/business-types.js';
import { LAYOUTS_BY_CODE } from '../../handlers/index.js';

export const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v).trimEnd());

export interface SubscriberState {
  status: number;
  statusdate: string;
  operator: string;
}

export interface BusiRecordRow {
  busisn: bigint;
  subscrbid: bigint;
  svcnum: string;
  busitype: number;
  status: number;
  region: string;
  nettype: string;
  imsi: string;
  param: string;
  operator: string;
}

/** TAB_SUBSCRB status, its date (as the database returns it, stringified) and the last operator. */
export async function subscriberState(h: Harness, subscrbid: number | bigint): Promise<SubscriberState> {
  const r = (await h.facts.subscriber(subscrbid))!;
  return { status: Number(r.status), statusdate: String(r.statusdate instanceof Date ? r.statusdate.getTime() : r.statusdate), operator: str(r.operator) };
}

/** Every USR_BUSI_RECORD row of a subscriber, oldest BUSISN first. */
export async function busiRecords(h: Harness, subscrbid: number | bigint): Promise<BusiRecordRow[]> {
  const rows = await h.sql<Record<string, unknown>>(
    'SELECT BUSISN, SUBSCRBID, SVCNUM, BUSITYPE, STATUS, REGION, NETTYPE, IMSI, PARAM, OPERATOR FROM USR_BUSI_RECORD WHERE SUBSCRBID = :s ORDER BY BUSISN',
    { s: subscrbid },
  );
  return rows.map((r) => ({
    busisn: BigInt(String(r.busisn)),
    subscrbid: BigInt(String(r.subscrbid)),
    svcnum: str(r.svcnum),
    busitype: Number(r.busitype),
    status: Number(r.status),
    region: str(r.region),
    nettype: str(r.nettype),
    imsi: str(r.imsi),
    param: str(r.param),
    operator: str(r.operator),
  }));
}

/** The one record with this BUSISN. */
export async function busiRecord(h: Harness, busisn: string | bigint): Promise<BusiRecordRow | undefined> {
  const [r] = await h.sql<Record<string, unknown>>('SELECT SUBSCRBID FROM USR_BUSI_RECORD WHERE BUSISN = :b', { b: BigInt(busisn) });
  if (!r) return undefined;
  return (await busiRecords(h, BigInt(String(r.subscrbid)))).find((x) => x.busisn === BigInt(busisn));
}

/** CS-05 over the wire: the newest record of the number, as the change-record query shows it. */
export async function newestChangeRecord(h: Harness, svcnum: string): Promise<Record<string, unknown> | undefined> {
  const r = await h.call('cs', 'change-records', { offset: 0, limit: 5, svcnum });
  if (r.result !== 0) throw new Error(`change-records ${svcnum}: ${r.result} ${r.message}`);
  return (r.body?.items as Record<string, unknown>[])[0];
}

/**
 * Subscribers outside the named fixtures (demo indexes 20 and up), of a network, for tests that
 * change statuses freely: each is handed out once per harness.
 */
const used = new WeakMap<Harness, Set<string>>();
export async function freshSubscriber(
  h: Harness,
  net: 'G' | 'C' | 'V' | 'X' = 'G',
  status = 1,
): Promise<{ subscrbid: number; svcnum: string; acctid: number; nettype: string; imsi: string; region: string }> {
  let taken = used.get(h);
  if (!taken) used.set(h, (taken = new Set()));
  const fixtures = new Set(h.fx.all.map((f) => f.svcnum));
  const all = await h.facts.subscribers();
  const rows = all.filter((r) => r.nettype.trim() === net && Number(r.status) !== 5 && Number(r.subscrbid) > 100000020);
  for (const r of rows) {
    const svcnum = str(r.svcnum);
    if (fixtures.has(svcnum) || taken.has(svcnum)) continue;
    // Only one live row per number (a reused number would make the lookup ambiguous for the test).
    if (all.filter((x) => str(x.svcnum) === svcnum).length !== 1) continue;
    taken.add(svcnum);
    await h.facts.setSubscriber(BigInt(String(r.subscrbid)), { status });
    return { subscrbid: Number(r.subscrbid), svcnum, acctid: Number(r.acctid), nettype: str(r.nettype), imsi: str(r.imsi), region: str(r.region) };
  }
  throw new Error(`no free ${net} subscriber left in the harness`);
}

/**
 * The record of an accepted operation as it must be: the reply's BUSISN, the business type, the
 * queue state, the subscriber's region/network/IMSI and the header's operator; then CS-05 shows it.
 */
export async function checkRecorded(
  t: Test,
  h: Harness,
  reply: { busisn: string; busiStatus: number; status: number },
  want: { subscrbid: number | bigint; svcnum: string; busitype: number; busiStatus: number; operator: string; param?: string },
): Promise<BusiRecordRow | undefined> {
  const rec = await busiRecord(h, reply.busisn);
  t.ok(rec, `USR_BUSI_RECORD ${reply.busisn} exists`);
  if (!rec) return undefined;
  const sub = (await h.facts.subscriber(want.subscrbid))!;
  t.same(
    { subscrbid: rec.subscrbid, svcnum: rec.svcnum, busitype: rec.busitype, status: rec.status, operator: rec.operator, region: rec.region, nettype: rec.nettype, imsi: rec.imsi },
    { subscrbid: BigInt(want.subscrbid), svcnum: want.svcnum, busitype: want.busitype, status: want.busiStatus, operator: want.operator, region: str(sub.region), nettype: str(sub.nettype), imsi: str(sub.imsi) },
    'the record: subscriber, business type, queue state, header operator, region/network/IMSI of the subscriber',
  );
  if (want.param !== undefined) t.equal(rec.param, want.param, 'PARAM');
  t.equal(reply.busiStatus, want.busiStatus, 'the reply says the queue state written');
  const cs05 = await newestChangeRecord(h, want.svcnum);
  t.same(
    cs05 && { busisn: cs05.busisn, busitype: cs05.busitype, busiStatus: cs05.busiStatus, operator: cs05.operator, param: cs05.param },
    { busisn: reply.busisn, busitype: want.busitype, busiStatus: want.busiStatus, operator: want.operator, param: rec.param },
    'CS-05 change-records shows it first, with its queue state',
  );
  return rec;
}

/**
 * The layouts of a business type without the request rules (patterns, codes, min/max): the test
 * client checks requests itself, so a bad value reaches the gateway only with these.
 */
export function looseLayouts(name: string): { request: Layout; response: Layout } {
  const row = businessByName(name);
  const l = row && LAYOUTS_BY_CODE.get(row.code);
  if (!l) throw new Error(`no layouts for ${name}`);
  const strip = (layout: Layout): Layout =>
    layout.map((f) => {
      const { pattern: _p, codes: _c, min: _mn, max: _mx, ...rest } = f as Field & { pattern?: unknown; codes?: unknown; min?: unknown; max?: unknown };
      return rest as Field;
    });
  return { request: strip(l.request), response: l.response };
}
