// Contract of CS-05 change-records (105), VO-11 voip-command-records (211).
// CS-05 change-record query (异动查询) and VO-11 command execution records by card (IP Phone通过卡号
// 查询指令执行记录): every USR_BUSI_RECORD row of the subscriber, paged, newest first. The record
// status is how OC-03 results become visible: 5 queued, 6 being sent, 7 executed, 8 failed.
// The wire contract (handlers/contracts/define.ts); the handler is handlers/change-records.ts.
import { char, datetime, pageRequest, pagedResponse, text } from '../../protocol/fields.js';
import { busiStatus, busiType, cardnum, idField, svcnum } from '../kit/fields.js';
import { defineContract } from './define.js';

/** A record is at most 864 bytes (PARAM and RESULT 400 bytes each): 64 fit the 65536-byte max_frame. */
export const MAX_PAGE = 64;

const RECORD = [
  idField('busisn', 'business serial (USR_BUSI_RECORD.BUSISN)'),
  busiType,
  busiStatus,
  text('param', 400, { doc: 'what was done: command parameters or the change, GBK; cut at 400 bytes; empty when none' }),
  char('operator', 10, { doc: 'operator or terminal that recorded it' }),
  datetime('created', { doc: 'when it was recorded' }),
  datetime('executed', { optional: true, doc: 'when the switch answered; spaces while queued or sending, and for records without a command' }),
  text('result', 400, { doc: "the switch's answer or the failure reason, GBK; cut at 400 bytes; empty when none" }),
] as const;

const RESPONSE = pagedResponse(RECORD, MAX_PAGE);

const DOC_ORDER =
  'Every business record (业务受理记录) of the subscriber: openings, suspensions, resumptions, special-service changes, profile and password changes…, ' +
  'whoever wrote them (bssgate or the front-office application), newest first: `created` descending, then `busisn` descending. ' +
  '`busiStatus` shows the switch command of the record (OC-03): 5 queued, 6 being sent, 7 executed, 8 failed (`result` says why); 1 for records that need no command. ' +
  'The records are those of the subscriber the number belongs to now: when a number came back after cancellation, the previous owner\'s records are not shown.';

const EXAMPLE_ITEMS = [
  { busisn: '107', busitype: 11, busiStatus: 7, param: '', operator: 'KF1001', created: '20240528093000', executed: '20240528093012', result: '执行成功' },
  { busisn: '101', busitype: 1, busiStatus: 7, param: '开户 G001', operator: 'XN0023', created: '20210310101500', executed: '20210310101540', result: '执行成功' },
];

export const changeRecords = defineContract({
  key: 'CHANGE_RECORDS',
  module: import.meta.url,
  request: [...pageRequest, svcnum],
  response: RESPONSE,
  maxPage: MAX_PAGE,
  refusals: ['NO_SUBSCRIBER'],
  doc: `${DOC_ORDER} A history: a cancelled number is answered too (the records of its last owner, the cancellation among them).`,
  example: { request: { offset: 0, limit: 20, svcnum: '13997000001' }, response: { total: 2, items: EXAMPLE_ITEMS } },
});

export const voipCommandRecords = defineContract({
  key: 'VOIP_COMMAND_RECORDS',
  module: import.meta.url,
  request: [...pageRequest, cardnum],
  response: RESPONSE,
  maxPage: MAX_PAGE,
  refusals: ['NO_SUBSCRIBER'],
  doc:
    'As CS-05, for the IP Phone (V) subscriber of a card number (TAB_SUBSCRB.CARDNUM): the command execution records of the card. ' +
    `${DOC_ORDER} A history: the card of a cancelled subscriber is answered too; an unknown card is 2001.`,
  example: {
    request: { offset: 0, limit: 20, cardnum: '1790000000000001' },
    response: {
      total: 1,
      items: [{ busisn: '1901', busitype: 1, busiStatus: 7, param: '开户 V001', operator: 'XN0001', created: '20220104110000', executed: '20220104110031', result: '执行成功' }],
    },
  },
});

export default [...changeRecords.rows, ...voipCommandRecords.rows];
