// Contract of CS-15 blacklist-query (115).
// CS-15 blacklist query (黑名单查询): ID-document number → its TAB_SPECIALCUSTLST entries.
// The wire contract (handlers/contracts/define.ts); the handler is handlers/blacklist-query.ts.
import { char, code, datetime, money, pagedResponse, pageRequest, text } from '../../protocol/fields.js';
import { LIST_STATUS, LIST_TYPES, ID_TYPES } from '../../src/domain/codes.js';
import { idField, idNum } from '../kit/fields.js';
import { defineContract } from './define.js';

/** 100 entries of at most 317 bytes: a page of at most 31.7 KB. */
export const MAX_PAGE = 100;

const ENTRY = [
  idField('listid', 'entry id (TAB_SPECIALCUSTLST.LISTID)'),
  code('idType', Object.values(ID_TYPES), { doc: 'ID document type of the entry' }),
  text('custName', 64, { doc: 'name on the entry' }),
  code('listType', Object.values(LIST_TYPES), { doc: 'why the ID number is listed' }),
  text('reason', 200, { doc: 'reason as recorded; empty when none' }),
  money('owed', { doc: 'fen owed when listed (0 when not an arrears entry)' }),
  char('region', 4, { doc: 'area code that listed it' }),
  code('listStatus', Object.values(LIST_STATUS), { doc: 'whether the entry is in force' }),
  datetime('created', { doc: 'when the entry was made' }),
] as const;

export const contract = defineContract({
  key: 'BLACKLIST_QUERY',
  module: import.meta.url,
  request: [...pageRequest, idNum],
  response: pagedResponse(ENTRY, MAX_PAGE),
  maxPage: MAX_PAGE,
  refusals: [],
  doc: [
    'Every blacklist entry (TAB_SPECIALCUSTLST) of an ID-document number, paged, **newest first** (`created` descending, then `listid` descending).',
    '',
    '- Lifted entries (`listStatus` 0) are included, with their state: the history is what the clerk asks for. Whether the number is listed *now* is CS-16.',
    '- The legacy title says "CDMA": entries are by ID document, not by network, so every ID number is answered, whatever network its subscribers use.',
    '- An ID number without entries is answered `total` 0 and an empty list, not a refusal.',
    '- The number is compared exactly as sent (resident ID check character `X` in capitals, as it is stored).',
  ].join('\n'),
  example: {
    request: { offset: 0, limit: 20, idNum: '630105199112054317' },
    response: {
      total: 1,
      items: [
        {
          listid: '17',
          idType: '1',
          custName: '胡青',
          listType: 1,
          reason: '欠费未缴, 已催缴三次',
          owed: 56800n,
          region: '0974',
          listStatus: 1,
          created: '20240312101500',
        },
      ],
    },
  },
});

export default contract.rows;
