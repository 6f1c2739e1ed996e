// The one way a write function records a business operation (CS-20…26, PC-03/04's resume): the
// status transition table decides whether it is allowed (src/domain/transitions.ts STATUS_TRANSITIONS,
// printed in docs/schema.md; refused 2004 with the reason), the subscriber's status changes, and a
// USR_BUSI_RECORD row is written — in status 5 (queued for the switch: the scanner claims it) when
// the business type needs the switch, status 1 (recorded) otherwise. All in the caller's unit of
// work (a write function's ctx.tx), so the record, the status and the command commit together.
import { GatewayError } from '../../protocol/return-codes.js';
import { BUSI_STATUS, BUSI_TYPES, SUBSCRIBER_STATUS, type SubscriberStatus } from '../../src/domain/codes.js';
import { transitionOf, type BusiType } from '../../src/domain/transitions.js';
import { INSERT_BUSI_RECORD, NEXT_BUSISN, SET_SUBSCRIBER_STATUS } from '../../src/store/queries/business-record.js';
import { CMD_CHANNEL, CMD_NOTIFY } from '../../src/store/queries/commands.js';
import type { Store } from '../../src/store/types.js';
import type { WriteContext } from '../../src/types.js';
import type { Subscriber } from './subscriber.js';


const STATUS_NAME = new Map<number, string>(Object.values(SUBSCRIBER_STATUS).map((s) => [s.code, s.zh]));

/** 2004 unless the table allows this business type from the subscriber's current status. */
export function checkTransition(sub: Pick<Subscriber, 'status' | 'svcnum'>, busi: BusiType): void {
  const t = transitionOf(busi);
  if (!t.from.includes(sub.status as SubscriberStatus)) {
    const allowed = t.from.map((s) => STATUS_NAME.get(s) ?? String(s)).join('/');
    throw new GatewayError(
      'STATUS_FORBIDS',
      `${sub.svcnum} 当前状态为${STATUS_NAME.get(sub.status) ?? sub.status}，${BUSI_TYPES[busi].zh}只能从${allowed}状态受理`,
    );
  }
}

export interface RecordOptions {
  /** What changed / the command's parameters (USR_BUSI_RECORD.PARAM, GBK, at most 400 bytes). */
  param?: string;
  /** Skip the transition check (the caller applied its own rule first, e.g. CS-23's balance). */
  checked?: boolean;
}

export interface Recorded {
  busisn: bigint;
  /** USR_BUSI_RECORD.STATUS written: 5 queued for the switch, or 1 recorded. */
  status: number;
  /** The subscriber's status afterwards. */
  subscriberStatus: number;
}

/**
 * Check the transition, change the subscriber's status when the table says so, and write the
 * business record (queued for the switch when the type needs it). Returns its BUSISN.
 */
export async function recordBusiness(ctx: Pick<WriteContext, 'tx' | 'clock' | 'operator'> & { store?: Pick<Store, 'dialect'> }, sub: Subscriber, busi: BusiType, o: RecordOptions = {}): Promise<Recorded> {
  if (!o.checked) checkTransition(sub, busi);
  const t = transitionOf(busi);
  const now = ctx.clock.date();
  let subscriberStatus = sub.status;
  if (t.to !== undefined && t.to !== sub.status) {
    const changed = await SET_SUBSCRIBER_STATUS.run(ctx.tx, { to: t.to, now, operator: ctx.operator, subscrbid: sub.subscrbid, from: sub.status });
    // Another unit changed the status after we read it: refuse rather than overwrite it unseen.
    if (changed !== 1) throw new GatewayError('STATUS_FORBIDS', `${sub.svcnum} 的状态刚被其他业务修改，请重新查询后再受理`);
    subscriberStatus = t.to;
  }
  const row = await NEXT_BUSISN.one(ctx.tx, {});
  if (!row) throw new Error('SEQ_BUSISN returned no row');
  const status = BUSI_TYPES[busi].switch ? BUSI_STATUS.QUEUED.code : BUSI_STATUS.RECORDED.code;
  await INSERT_BUSI_RECORD.run(ctx.tx, {
    busisn: row.busisn,
    subscrbid: sub.subscrbid,
    svcnum: sub.svcnum,
    busitype: BUSI_TYPES[busi].code,
    status,
    region: sub.region,
    nettype: sub.nettype,
    imsi: sub.imsi,
    param: o.param ?? '',
    operator: ctx.operator,
    created: now,
  });
  // PostgreSQL: the scanners LISTEN (src/scanner/scanner.ts); the notification goes out with the
  // COMMIT, so the command is claimed at once instead of at the next poll.
  if (status === BUSI_STATUS.QUEUED.code && ctx.store?.dialect === 'postgres') await CMD_NOTIFY.run(ctx.tx, { channel: CMD_CHANNEL });
  return { busisn: row.busisn, status, subscriberStatus };
}

export { ACCEPTED_RESPONSE } from './fields.js';

/** The ACCEPTED_RESPONSE body of a recorded operation. */
export function acceptedReply(r: Recorded): { busisn: string; busiStatus: number; status: number } {
  return { busisn: String(r.busisn), busiStatus: r.status, status: r.subscriberStatus };
}
