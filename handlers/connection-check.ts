// Serves CS-01 connection-check (101).
// CS-01 connection check (连接校验): report whether the database answers. Served on every
// interface: the card, print and SMS clients need the same link test as the call centre.
import { formatDateTimeMs } from '../src/time.js';
import { defineHandler } from './kit/define.js';
import { contract } from './contracts/connection-check.js';

export default defineHandler(contract, {
  async handle(_req, ctx) {
    // A database that does not answer throws GatewayError DATABASE_UNAVAILABLE (9001) from ping().
    await ctx.store.ping();
    return { database: 1, dialect: ctx.store.dialect, serverTime: formatDateTimeMs(ctx.clock.now()) };
  },
});
