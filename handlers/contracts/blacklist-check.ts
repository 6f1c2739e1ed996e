// Contract of CS-16 blacklist-check (116).
// CS-16 blacklist check (黑名单验证): is an ID-document number on the blacklist now?
// The wire contract (handlers/contracts/define.ts); the handler is handlers/blacklist-check.ts.
import { u32, u8 } from '../../protocol/fields.js';
import { idNum } from '../kit/fields.js';
import { defineContract } from './define.js';

export const contract = defineContract({
  key: 'BLACKLIST_CHECK',
  module: import.meta.url,
  request: [idNum],
  response: [
    u8('listed', { doc: '1 = the ID number has an entry in force, 0 = it has none' }),
    u32('count', { doc: 'entries in force (TAB_SPECIALCUSTLST.STATUS 1)' }),
  ],
  refusals: [],
  doc: [
    'Whether an ID-document number is on the blacklist (TAB_SPECIALCUSTLST) now, and with how many entries.',
    '',
    '- Only entries in force (STATUS 1) count; lifted entries (STATUS 0) do not. Their history is CS-15.',
    '- The legacy title says "CDMA": entries are by ID document, not by network, so every ID number is answered.',
    '- An ID number without entries is answered `listed` 0, `count` 0 (not a refusal). The number is compared exactly as sent.',
  ].join('\n'),
  example: { request: { idNum: '630105199112054317' }, response: { listed: 1, count: 1 } },
});

export default contract.rows;
