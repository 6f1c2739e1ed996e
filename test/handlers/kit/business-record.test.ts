// The write kit under the acceptance operations and the payment resume: recordBusiness in one
// unit of work (CS-21's transition as the example), the status transition refusal, and a
// concurrent status change refused rather than overwritten.
import t from 'tap';
import { handlerSuite } from '../../helpers/seeded.js';
import { recordBusiness } from '../../../handlers/kit/business-record.js';
import { SUBSCRIBER_BY_NUMBER } from '../../../src/store/queries/subscriber.js';
import type { WriteContext } from '../../../src/types.js';
import { systemClock } from '../../../src/clock.js';
import { businessByCode } from '../../../protocol/business-types.js';
import { GatewayError } from '../../../protocol/return-codes.js';

handlerSuite('write kit: recordBusiness (CS-21 transition, USR_BUSI_RECORD status 5)', async (t, h) => {
  const wctx = (tx: WriteContext['tx']): WriteContext =>
    ({ store: h.store, tx, clock: systemClock, business: businessByCode(121)!, iface: 'cs', ifaceKind: 'cs', operator: 'op7', serial: 's1', seq: 1, time: '20261201120000' }) as unknown as WriteContext;
  const sub = (await SUBSCRIBER_BY_NUMBER.one(h.store, { svcnum: h.fx.first.svcnum }))!;
  t.equal(sub.status, 1, 'fixture first is active');
  const rec = await h.store.unitOfWork((tx) => recordBusiness(wctx(tx), sub, 'EMERGENCY_SUSPEND', { param: 'CS-21' }));
  t.equal(rec.status, 5, 'CS-21 needs the switch: queued in status 5');
  t.equal(rec.subscriberStatus, 2, 'subscriber suspended');
  const rows = await h.sql('SELECT BUSISN, STATUS, BUSITYPE, OPERATOR, PARAM FROM USR_BUSI_RECORD WHERE BUSISN = :b', { b: rec.busisn });
  t.equal(rows.length, 1);
  t.equal(Number(rows[0]!.status), 5);
  t.equal(Number(rows[0]!.busitype), 11);
  t.equal(rows[0]!.operator, 'op7');
  const after = (await SUBSCRIBER_BY_NUMBER.one(h.store, { svcnum: h.fx.first.svcnum }))!;
  t.equal(after.status, 2);
  // The same operation again: the table refuses it from status 2.
  await t.rejects(h.store.unitOfWork((tx) => recordBusiness(wctx(tx), after, 'EMERGENCY_SUSPEND')), { code: 2004 });
  // A status read before another unit changed it: refused, not overwritten.
  const err = await h.store.unitOfWork((tx) => recordBusiness(wctx(tx), sub, 'EMERGENCY_SUSPEND', { checked: true })).catch((e: unknown) => e);
  t.ok(err instanceof GatewayError && err.code === 2004, 'stale status refused 2004');
  const count = await h.sql('SELECT COUNT(*) AS N FROM USR_BUSI_RECORD WHERE SUBSCRBID = :s AND BUSITYPE = 11', { s: sub.subscrbid });
  t.equal(Number(count[0]!.n), 1, 'only the first one was recorded');
});
void t;
