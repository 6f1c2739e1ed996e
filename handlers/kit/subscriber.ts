// The lookups every function starting from a number shares: the subscriber of a service number
// (2001 when absent, 2004 when cancelled unless the function reads history), the IP Phone
// subscriber of a card number, and the PR-04 no-print rule.
import { GatewayError } from '../../protocol/return-codes.js';
import { NET_TYPES, PROVINCE_WIDE_REGION, SUBSCRIBER_STATUS, type NetType } from '../../src/domain/codes.js';
import { NOPRINT_RULE, SUBSCRIBER_BY_NUMBER, VOIP_SUBSCRIBER_BY_CARD } from '../../src/store/queries/subscriber.js';
import type { RowOf } from '../../src/store/queries/define.js';
import type { Queryable } from '../../src/store/types.js';
import type { HandlerContext } from '../../src/types.js';

export type Subscriber = RowOf<typeof SUBSCRIBER_BY_NUMBER.columns>;

export interface LookupOptions {
  /** Networks the function serves (CDMA1X functions: X only); another network is 2001. */
  nets?: readonly NetType[];
  /** A cancelled number (status 5) is answered too (histories); by default it is refused 2004. */
  cancelled?: boolean;
}

const NET_NAME = new Map<string, string>(Object.values(NET_TYPES).map((n) => [n.code, n.zh]));

function check(sub: Subscriber | undefined, what: string, o: LookupOptions): Subscriber {
  if (!sub) throw new GatewayError('NO_SUBSCRIBER', what);
  if (o.nets && !o.nets.includes(sub.nettype as NetType)) {
    throw new GatewayError('NO_SUBSCRIBER', `${what} 不是${o.nets.map((n) => NET_NAME.get(n) ?? n).join('/')}用户`);
  }
  if (sub.status === SUBSCRIBER_STATUS.CANCELLED.code && !o.cancelled) {
    throw new GatewayError('STATUS_FORBIDS', `${what} 已销户`);
  }
  return sub;
}

/** The subscriber of a service number (the live row when the number was reused). Read through ctx.store (a unit's tx too). */
export async function findSubscriber(ctx: { store: Queryable }, svcnum: string, o: LookupOptions = {}): Promise<Subscriber> {
  return check(await SUBSCRIBER_BY_NUMBER.one(ctx.store, { svcnum }), svcnum, o);
}

/** VO-*: the IP Phone subscriber of a card number. */
export async function findVoipByCard(ctx: HandlerContext, cardnum: string, o: Omit<LookupOptions, 'nets'> = {}): Promise<Subscriber> {
  return check(await VOIP_SUBSCRIBER_BY_CARD.one(ctx.store, { cardnum }), cardnum, o);
}

/**
 * PR-04: refuse 2006 when the subscriber's price plan is on TAB_PRCPLN_NOPRINT for their region
 * or province-wide (region Z). Applied by the print kiosk (PR-02, PR-03) and the customer-service
 * detail queries (CS-11, CS-13, VO-08, C1-03).
 */
export async function refuseNoPrint(ctx: HandlerContext, sub: Subscriber): Promise<void> {
  const rule = await NOPRINT_RULE.one(ctx.store, { prcpln: sub.prcpln, region: sub.region });
  if (rule) {
    const where = rule.region === PROVINCE_WIDE_REGION ? '全省' : rule.region;
    throw new GatewayError('DETAIL_RESTRICTED', `套餐 ${sub.prcpln} (${where})`);
  }
}
