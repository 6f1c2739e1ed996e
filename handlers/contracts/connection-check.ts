// Contract of CS-01 connection-check (101).
// CS-01 connection check (连接校验): report whether the database answers. Served on every
// interface: the card, print and SMS clients need the same link test as the call centre.
// The wire contract (handlers/contracts/define.ts); the handler is handlers/connection-check.ts.
import { char, datetime, u8 } from '../../protocol/fields.js';
import { defineContract } from './define.js';

export const contract = defineContract({
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
});

export default contract.rows;
