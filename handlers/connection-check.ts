// Serves CS-01 connection-check (101).
// CS-01 connection check (连接校验): report whether the database answers. Served on every
// interface: the card, print and SMS clients need the same link test as the call centre.
import { char, datetime, u8 } from '../protocol/fields.js';
import { formatDateTimeMs } from '../src/time.js';
import { defineHandler } from './kit/define.js';

export default defineHandler({
  key: 'CONNECTION_CHECK',
  module: import.meta.url,
  request: [],
  response: [
    u8('database', { doc: '1 = the database answered' }),
    char('dialect', 8, { doc: 'sqlite, postgres or oracle' }),
    datetime('serverTime', { doc: "the gateway's local time" }),
  ],
  refusals: [],
  doc: 'Request layout: empty (a frame of exactly 60 bytes). A database that does not answer is 9001 `DATABASE_UNAVAILABLE`.',
  example: { request: {}, response: { database: 1, dialect: 'sqlite', serverTime: '20240601093001' } },
  async handle(_req, ctx) {
    // A database that does not answer throws GatewayError DATABASE_UNAVAILABLE (9001) from ping().
    await ctx.store.ping();
    return { database: 1, dialect: ctx.store.dialect, serverTime: formatDateTimeMs(ctx.clock.now()) };
  },
});
