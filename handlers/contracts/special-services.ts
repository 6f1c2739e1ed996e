// Contract of CS-04 special-services (104), VO-10 voip-service-changes (210).
// CS-04 special-service query (用户特服查询) and VO-10 service-change records by card (IP Phone通过卡号
// 查询服务异动记录): number (or card) → SUBSCRBID → TAB_SRVG, the special services, and
// USR_BUSI_SRVG, their changes. The legacy text says both ("取得用户特服异动详细资料信息": the
// services and the details of their changes), so the reply carries two lists.
// The wire contract (handlers/contracts/define.ts); the handler is handlers/special-services.ts.
import { char, datetime, list, text, u32, u8 } from '../../protocol/fields.js';
import type { CodeMeaning } from '../../protocol/layout-types.js';
import { SRVG_ACTION_CODES, SRVG_CODES, SRVG_STATUS_CODES } from '../../src/domain/codes.js';
import { cardnum, idField, meanings, svcnum } from '../kit/fields.js';
import { defineContract } from './define.js';

/** Every service of TAB_SRVG's primary key (SUBSCRBID, SRVGID) fits: one row per service code. */
export const MAX_SERVICES = 64;
/** The newest changes only; `changeTotal` says how many there are (CS-05 pages through all records). */
export const MAX_CHANGES = 200;

export const SRVG_MEANINGS: readonly CodeMeaning[] = Object.values(SRVG_CODES).map((c) => ({ code: c.code, zh: c.zh, en: c.en }));

// TAB_SRVG.STATUS and USR_BUSI_SRVG.ACTION: the schema's code tables.
const SRVG_STATUS = meanings(SRVG_STATUS_CODES);
const SRVG_ACTIONS = meanings(SRVG_ACTION_CODES);

// TAB_SRVG.SRVGID is text(8): the wire keeps the column's width.
export const srvgid = char('srvgid', 8, { codes: SRVG_MEANINGS, doc: 'special service code (TAB_SRVG.SRVGID)' });
export const param = text('param', 40, { doc: 'service parameter, e.g. the forwarding number; empty when none' });

const SERVICE = [
  srvgid,
  text('srvgname', 32, { doc: 'the service name (the Chinese meaning of `srvgid`)' }),
  param,
  u8('status', { codes: SRVG_STATUS, doc: 'TAB_SRVG.STATUS' }),
  datetime('startdate', { doc: 'when the service was switched on' }),
  datetime('enddate', { optional: true, doc: 'when it ends or ended; spaces when open-ended' }),
] as const;

const CHANGE = [
  idField('busisn', 'the business record of the change (USR_BUSI_RECORD.BUSISN; its switch command state is in CS-05)'),
  srvgid,
  char('action', 1, { codes: SRVG_ACTIONS, doc: 'what was done (USR_BUSI_SRVG.ACTION)' }),
  param,
  char('operator', 10, { doc: 'operator or terminal that made the change' }),
  datetime('created', { doc: 'when the change was made' }),
] as const;

const RESPONSE = [
  list('services', SERVICE, { maxItems: MAX_SERVICES, doc: `special services of the subscriber, on and off, in order of startdate then srvgid; at most ${MAX_SERVICES}` }),
  u32('changeTotal', { doc: 'special-service changes the subscriber has, all of them' }),
  list('changes', CHANGE, { maxItems: MAX_CHANGES, doc: `the newest changes, newest first (created, busisn, srvgid); at most ${MAX_CHANGES}` }),
] as const;

const DOC_LISTS =
  `Two lists. \`services\`: every TAB_SRVG row of the subscriber (on and off), in order of \`startdate\`, then \`srvgid\`. ` +
  `\`changes\`: its USR_BUSI_SRVG rows (what was added, removed or changed, when and by whom), newest first ` +
  `(\`created\` descending, then \`busisn\` descending, then \`srvgid\`); only the newest ${MAX_CHANGES} are sent, and \`changeTotal\` ` +
  'counts them all (the complete history of business records, with the state of each switch command, is CS-05 / VO-11).';

const EXAMPLE_RESPONSE = {
  services: [
    { srvgid: 'CLIP', srvgname: '来电显示', param: '', status: 1, startdate: '20230315101500', enddate: '' },
    { srvgid: 'CFU', srvgname: '无条件呼转', param: '13897012345', status: 1, startdate: '20240520143000', enddate: '' },
  ],
  changeTotal: 2,
  changes: [
    { busisn: '105', srvgid: 'CFU', action: 'M', param: '13897012345', operator: 'KF1001', created: '20240520143000' },
    { busisn: '102', srvgid: 'CLIP', action: 'A', param: '', operator: 'XN0023', created: '20230315101500' },
  ],
};

export const specialServices = defineContract({
  key: 'SPECIAL_SERVICES',
  module: import.meta.url,
  request: [svcnum],
  response: RESPONSE,
  refusals: ['NO_SUBSCRIBER', 'STATUS_FORBIDS'],
  doc:
    'The special services (特服: call forwarding, call waiting, roaming, …) of the number and their changes. ' +
    `${DOC_LISTS} A cancelled number is refused 2004: its services ended with it (the history of its business records stays readable with CS-05).`,
  example: { request: { svcnum: '13997000001' }, response: EXAMPLE_RESPONSE },
});

export const voipServiceChanges = defineContract({
  key: 'VOIP_SERVICE_CHANGES',
  module: import.meta.url,
  request: [cardnum],
  response: RESPONSE,
  refusals: ['NO_SUBSCRIBER', 'STATUS_FORBIDS'],
  doc:
    "As CS-04, for the IP Phone (V) subscriber of a card number (TAB_SUBSCRB.CARDNUM): the card's special services and their changes. " +
    `${DOC_LISTS} An unknown card is 2001; the card of a cancelled subscriber is 2004.`,
  example: {
    request: { cardnum: '1790000000000001' },
    response: {
      services: [{ srvgid: 'IDD', srvgname: '国际长途', param: '', status: 1, startdate: '20240102090000', enddate: '' }],
      changeTotal: 1,
      changes: [{ busisn: '1901', srvgid: 'IDD', action: 'A', param: '', operator: 'XN0001', created: '20240102090000' }],
    },
  },
});

export default [...specialServices.rows, ...voipServiceChanges.rows];
