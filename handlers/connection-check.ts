// CS-01 connection check (连接校验): report whether the database answers. Served on every
// interface: the card, print and SMS clients need the same link test as the call centre.
import { CONNECTION_CHECK } from '../protocol/business-layouts.js';
import { BUSINESS_TYPES } from '../protocol/business-types.js';
import type { HandlerModule } from '../src/types.js';
import { formatDateTimeMs } from '../src/time.js';

export interface ConnectionCheckReply {
  [field: string]: number | string;
  database: number;
  dialect: string;
  serverTime: string;
}

const ROW = BUSINESS_TYPES.CONNECTION_CHECK;

const connectionCheck: HandlerModule<Record<string, never>, ConnectionCheckReply> = {
  // Code, inventory IDs, name and interfaces come from the one business-type table.
  biz: ROW.code,
  ids: ROW.ids,
  name: ROW.name,
  interfaces: ROW.interfaces,
  request: CONNECTION_CHECK.request,
  response: CONNECTION_CHECK.response,
  async handle(_req, ctx) {
    // A database that does not answer throws GatewayError DATABASE_UNAVAILABLE (9001) from ping().
    await ctx.store.ping();
    return { database: 1, dialect: ctx.store.dialect, serverTime: formatDateTimeMs(ctx.clock.now()) };
  },
};

export default connectionCheck;
