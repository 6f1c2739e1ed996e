// Serves CS-16 blacklist-check (116).
// CS-16 blacklist check (黑名单验证): is an ID-document number on the blacklist now?
import { BLACKLIST_LISTED_COUNT } from '../src/store/queries/blacklist.js';
import { defineHandler } from './kit/define.js';
import { contract } from './contracts/blacklist-check.js';

export default defineHandler(contract, {
  async handle({ idNum }, ctx) {
    const n = (await BLACKLIST_LISTED_COUNT.one(ctx.store, { idnum: idNum }))?.n ?? 0;
    return { listed: n > 0 ? 1 : 0, count: n };
  },
});
