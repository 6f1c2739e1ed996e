// CS-01 connection check (连接校验): report whether the database answers. Served on every
// interface: the card, print and SMS clients need the same link test as the call centre.
import { CONNECTION_CHECK } from '../protocol/business-layouts.js';
import type { HandlerModule } from '../src/types.js';
import { formatDateTimeMs } from '../src/time.js';

export interface ConnectionCheckReply {
  [field: string]: number | string;
  database: number;
  dialect: string;
  serverTime: string;
}

const connectionCheck: HandlerModule<Record<string, never>, ConnectionCheckReply> = {
  biz: 101,
  ids: ['CS-01'],
  name: 'connection-check',
  interfaces: ['cs', 'card', 'print', 'sms'],
  request: CONNECTION_CHECK.request,
  response: CONNECTION_CHECK.response,
  async handle(_req, ctx) {
    // A database that does not answer throws GatewayError DATABASE_UNAVAILABLE (9001) from ping().
    await ctx.store.ping();
    return { database: 1, dialect: ctx.store.dialect, serverTime: formatDateTimeMs(ctx.clock.now()) };
  },
};

export default connectionCheck;
