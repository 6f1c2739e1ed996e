// The status transition table (src/domain/transitions.ts STATUS_TRANSITIONS, docs/schema.md) as the
// acceptance operations CS-20…CS-26 apply it, row by row: every business type is refused 2004
// with the reason from every status it is not accepted from (the demo fixtures h.fx.* in each of
// the five statuses; nothing written), and accepted from every status it is (a subscriber set to
// that status), leaving the status the table says and a record queued (5) or recorded (1).
import { BUSI_TYPES, SUBSCRIBER_STATUS } from '../../src/domain/codes.js';
import { STATUS_TRANSITIONS } from '../../src/domain/transitions.js';
import type { BodyRecord } from '../../protocol/layout-types.js';
import { handlerSuite, type Harness } from '../helpers/seeded.js';
import { busiRecords, freshSubscriber, subscriberState } from './acceptance-expected.js';

type Busi = keyof typeof BUSI_TYPES;
interface Sub { subscrbid: number; svcnum: string; acctid: number }

const srvgOn = (h: Harness, s: Sub, srvgid: string, param: string | null) =>
  h.facts.deleteServices(s.subscrbid, [srvgid]).then(() => h.facts.insertService(s.subscrbid, { srvgid, param, status: 1, startdate: new Date(2024, 0, 1), enddate: null }));

/** Each CS business type of the table: the function serving it, a request, and what must hold first so that only the status decides. */
const OPERATIONS: Partial<Record<Busi, { name: string; body: (s: Sub) => BodyRecord; setup?: (h: Harness, s: Sub) => Promise<unknown> }>> = {
  EMERGENCY_SUSPEND: { name: 'emergency-suspend', body: (s) => ({ svcnum: s.svcnum }) },
  CONDITIONAL_RESUME: {
    name: 'conditional-resume',
    body: (s) => ({ svcnum: s.svcnum }),
    // From 3 only above zero: a large balance, so that the status is what decides.
    setup: (h, s) => h.facts.setBalance(s.acctid, 100000000n),
  },
  RESERVE_CANCEL: { name: 'cancellation-reserve', body: (s) => ({ svcnum: s.svcnum }) },
  UNRESERVE_CANCEL: { name: 'cancellation-unreserve', body: (s) => ({ svcnum: s.svcnum }) },
  SRVG_ADD: {
    name: 'special-service-change',
    body: (s) => ({ svcnum: s.svcnum, srvgid: 'CW', action: 'A', param: '' }),
    setup: (h, s) => h.facts.deleteServices(s.subscrbid, ['CW']),
  },
  SRVG_REMOVE: { name: 'special-service-change', body: (s) => ({ svcnum: s.svcnum, srvgid: 'CW', action: 'D', param: '' }), setup: (h, s) => srvgOn(h, s, 'CW', null) },
  SRVG_MODIFY: {
    name: 'special-service-change',
    body: (s) => ({ svcnum: s.svcnum, srvgid: 'CFU', action: 'M', param: '13897066666' }),
    setup: (h, s) => srvgOn(h, s, 'CFU', '13897055555'),
  },
  PROFILE_CHANGE: { name: 'profile-change', body: (s) => ({ svcnum: s.svcnum, address: '', contactNum: '', postCode: '810099', email: '', clear: 0 }) },
  PASSWORD_CHANGE: {
    name: 'password-change',
    body: (s) => ({ svcnum: s.svcnum, oldPassword: '135246', newPassword: '642531' }),
    setup: (h, s) => h.facts.setSubscriber(s.subscrbid, { svcpwd: '135246' }),
  },
};

const CS_ROWS = STATUS_TRANSITIONS.filter((r) => /CS-2\d/.test(r.ids));
const STATUSES = Object.values(SUBSCRIBER_STATUS).map((s) => s.code);
const NAME = new Map<number, string>(Object.values(SUBSCRIBER_STATUS).map((s) => [s.code, s.zh]));

handlerSuite('CS-20…CS-26 status transitions', async (t, h) => {
  const byStatus: Record<number, Sub> = {
    1: h.fx.first, 2: h.fx.gsmSuspended, 3: h.fx.gsmArrears, 4: h.fx.gsmReservedCancel, 5: h.fx.gsmCancelled,
  };

  t.test('CS-20…CS-26: every CS row of STATUS_TRANSITIONS has an operation here, and the fixtures are in the five statuses', async (t) => {
    t.same(CS_ROWS.map((r) => r.busi).filter((b) => !OPERATIONS[b]), [], 'no row without its operation');
    t.ok(CS_ROWS.length >= 9);
    for (const st of STATUSES) t.equal((await subscriberState(h, byStatus[st].subscrbid)).status, st, `fixture in status ${st}`);
  });

  t.test('CS-20…CS-26: refused 2004 with the reason from every status a business type is not accepted from; nothing written', async (t) => {
    let refusals = 0;
    for (const row of CS_ROWS) {
      const op = OPERATIONS[row.busi]!;
      for (const st of STATUSES.filter((s) => !row.from.includes(s as never))) {
        const s = byStatus[st];
        await op.setup?.(h, s);
        const records = await busiRecords(h, s.subscrbid);
        const state = await subscriberState(h, s.subscrbid);
        const r = await h.call('cs', op.name, op.body(s));
        const what = `${row.ids} ${row.busi} from ${st}`;
        t.equal(r.result, 2004, `${what}: ${r.message}`);
        if (st === 5) t.match(r.message, /已销户/, `${what}: the reason`);
        else {
          const allowed = row.from.map((x) => NAME.get(x)).join('/');
          t.ok(r.message.includes(`当前状态为${NAME.get(st)}，${BUSI_TYPES[row.busi].zh}只能从${allowed}状态受理`), `${what}: the reason names both statuses (${r.message})`);
        }
        t.same(await busiRecords(h, s.subscrbid), records, `${what}: no record`);
        t.same(await subscriberState(h, s.subscrbid), state, `${what}: status unchanged`);
        refusals++;
      }
    }
    t.ok(refusals >= 20, `${refusals} refusals checked`);
  });

  t.test('CS-20…CS-26: accepted from every status the table lists, leaving the status it says', async (t) => {
    for (const row of CS_ROWS) {
      const op = OPERATIONS[row.busi]!;
      for (const st of row.from) {
        const s = await freshSubscriber(h, 'G', st);
        await op.setup?.(h, s);
        const before = await busiRecords(h, s.subscrbid);
        const r = await h.call('cs', op.name, op.body(s));
        const what = `${row.ids} ${row.busi} from ${st}`;
        t.equal(r.result, 0, `${what}: ${r.message}`);
        t.equal((await subscriberState(h, s.subscrbid)).status, row.to ?? st, `${what}: status ${row.to ?? st}`);
        const added = (await busiRecords(h, s.subscrbid)).slice(before.length);
        const queued = BUSI_TYPES[row.busi].switch ? 5 : 1;
        t.same(added.map((x) => [String(x.busisn), x.busitype, x.status]), [[r.body?.busisn, BUSI_TYPES[row.busi].code, queued]], `${what}: one record, ${queued === 5 ? 'queued' : 'recorded'}`);
      }
    }
  });
});
