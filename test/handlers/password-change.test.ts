// CS-22 service password change, over a real socket against the seeded database: the current
// password checked with the lockout (counters kept on a refusal), the new one stored in the
// configured form, the record (status 1, no password in it), CS-02 with the new password, the
// refusals and the re-send of a serial. The suite's canary checks no password reached a log.
import pino from 'pino';
import passwordChange from '../../handlers/password-change.js';
import { businessByCode } from '../../protocol/business-types.js';
import { BUSI_TYPES } from '../../src/domain/codes.js';
import { isHashed, verifyPassword } from '../../src/store/password.js';
import type { WriteContext } from '../../src/types.js';
import { systemClock } from '../../src/clock.js';
import type { Store } from '../../src/store/types.js';
import { DEFAULT_SETTINGS } from '../../src/config/settings.js';
import { LOCKOUT } from '../../handlers/kit/password.js';
import { handlerSuite, type Harness } from '../helpers/seeded.js';
import { busiRecords, checkRecorded, freshSubscriber, looseLayouts, str, subscriberState } from './acceptance-expected.js';

const TYPE = BUSI_TYPES.PASSWORD_CHANGE.code;

async function storedPassword(h: Harness, subscrbid: number): Promise<string> {
  return str((await h.facts.subscriber(subscrbid))!.svcpwd);
}

async function fails(h: Harness, svcnum: string): Promise<number | undefined> {
  const [r] = await h.sql<Record<string, unknown>>('SELECT FAILS_IN_WINDOW FROM BSG_AUTH_FAIL WHERE SVCNUM = :s', { s: svcnum });
  return r ? Number(r.fails_in_window) : undefined;
}

/** A subscriber outside the fixtures whose password is known (set as legacy plain text). */
async function withPassword(h: Harness, pwd: string, net: 'G' | 'C' = 'G') {
  const s = await freshSubscriber(h, net);
  await h.facts.setSubscriber(s.subscrbid, { svcpwd: pwd });
  return s;
}

handlerSuite('CS-22 password-change', async (t, h) => {
  t.test('CS-22: the password is replaced by its scrypt form, recorded (status 1) without it; CS-02 takes the new one; CS-05 shows it', async (t) => {
    const f = h.fx.first;
    const r = await h.call('cs', 'password-change', { svcnum: f.svcnum, oldPassword: f.password, newPassword: '24681357' }, { operator: 'KF1001' });
    t.equal(r.result, 0, r.message);
    t.same({ busiStatus: r.body?.busiStatus, status: r.body?.status }, { busiStatus: 1, status: 1 });
    const stored = await storedPassword(h, f.subscrbid);
    t.ok(isHashed(stored), 'stored as scrypt (the harness configures password_storage = scrypt)');
    t.ok(verifyPassword('24681357', stored), 'the new password matches');
    t.notOk(verifyPassword(f.password, stored), 'the old one does not');
    t.notOk(stored.includes('24681357'), 'no plain text in the hash');
    t.equal((await subscriberState(h, f.subscrbid)).operator, 'KF1001');
    const rec = await checkRecorded(t, h, r.body as never, { subscrbid: f.subscrbid, svcnum: f.svcnum, busitype: TYPE, busiStatus: 1, operator: 'KF1001', param: '服务密码修改' });
    t.notOk(rec?.param.includes('24681357') || rec?.param.includes(f.password), 'no password in PARAM');
    t.equal((await h.call('cs', 'authenticate', { svcnum: f.svcnum, password: '24681357' })).result, 0, 'CS-02 with the new password');
    t.equal((await h.call('cs', 'authenticate', { svcnum: f.svcnum, password: f.password })).result, 2002, 'CS-02 with the old one');
  });

  t.test('CS-22: a wrong current password is 2002 and counted (the count survives the refusal); the lock refuses 2003 even a right one', async (t) => {
    const s = await withPassword(h, '135790');
    const records = await busiRecords(h, s.subscrbid);
    for (let k = 1; k <= LOCKOUT.maxFails; k++) {
      const r = await h.call('cs', 'password-change', { svcnum: s.svcnum, oldPassword: '000000', newPassword: '864200' });
      t.equal(r.result, 2002, `attempt ${k}: ${r.message}`);
      t.equal(await fails(h, s.svcnum), k, `attempt ${k} counted in BSG_AUTH_FAIL`);
    }
    const locked = await h.call('cs', 'password-change', { svcnum: s.svcnum, oldPassword: '135790', newPassword: '864200' });
    t.equal(locked.result, 2003, locked.message);
    t.equal((await h.call('cs', 'authenticate', { svcnum: s.svcnum, password: '135790' })).result, 2003, 'the same lock as CS-02');
    t.equal(await storedPassword(h, s.subscrbid), '135790', 'password unchanged');
    t.same(await busiRecords(h, s.subscrbid), records, 'no record');
  });

  t.test('CS-22: a success resets the count; legacy plain text is replaced by the configured form', async (t) => {
    const s = await withPassword(h, '112233', 'C');
    t.equal((await h.call('cs', 'password-change', { svcnum: s.svcnum, oldPassword: '999999', newPassword: '445566' })).result, 2002);
    t.equal(await fails(h, s.svcnum), 1);
    const r = await h.call('cs', 'password-change', { svcnum: s.svcnum, oldPassword: '112233', newPassword: '445566' });
    t.equal(r.result, 0, r.message);
    t.equal(await fails(h, s.svcnum), undefined, 'counters reset');
    const stored = await storedPassword(h, s.subscrbid);
    t.ok(isHashed(stored) && verifyPassword('445566', stored), 'now a scrypt hash of the new password');
  });

  t.test('CS-22: bad new passwords are 1006 without the value; cancelled 2004, unknown 2001; nothing changed', async (t) => {
    const s = await withPassword(h, '123123');
    const same = await h.call('cs', 'password-change', { svcnum: s.svcnum, oldPassword: '123123', newPassword: '123123' });
    t.equal(same.result, 1006, same.message);
    t.match(same.message, /新密码不能与原密码相同/);
    const loose = looseLayouts('password-change');
    for (const bad of ['12a456', '12345', '123456789', '']) {
      const r = await h.call('cs', 'password-change', { svcnum: s.svcnum, oldPassword: '123123', newPassword: bad }, { layouts: loose });
      t.equal(r.result, 1006, `${JSON.stringify(bad)}: ${r.message}`);
      t.match(r.message, /newPassword/);
      if (bad.length >= 4) t.notOk(r.message.includes(bad), 'the value is not repeated');
    }
    t.equal(await fails(h, s.svcnum), undefined, 'a malformed request is not a password attempt');
    t.equal(await storedPassword(h, s.subscrbid), '123123');
    t.equal((await h.call('cs', 'password-change', { svcnum: h.fx.gsmCancelled.svcnum, oldPassword: h.fx.gsmCancelled.password, newPassword: '975310' })).result, 2004);
    t.equal((await h.call('cs', 'password-change', { svcnum: '13990000000', oldPassword: '123456', newPassword: '975310' })).result, 2001);
  });

  t.test('CS-22: suspended, arrears-suspended and reserved numbers may change their password', async (t) => {
    for (const f of [h.fx.gsmSuspended, h.fx.gsmArrears, h.fx.gsmReservedCancel]) {
      const r = await h.call('cs', 'password-change', { svcnum: f.svcnum, oldPassword: f.password, newPassword: '97531024' });
      t.equal(r.result, 0, `${f.svcnum} (status ${f.status}): ${r.message}`);
      t.equal(r.body?.status, f.status);
    }
  });

  t.test('CS-22: a request re-sent with the same serial gets the same reply; one record, the password set once', async (t) => {
    const s = await withPassword(h, '556677');
    const body = { svcnum: s.svcnum, oldPassword: '556677', newPassword: '778899' };
    const before = await busiRecords(h, s.subscrbid);
    const a = await h.call('cs', 'password-change', body, { serial: 'CS22-RESEND-1' });
    t.equal(a.result, 0, a.message);
    const stored = await storedPassword(h, s.subscrbid);
    const b = await h.call('cs', 'password-change', body, { serial: 'CS22-RESEND-1' });
    t.same({ result: b.result, body: b.body }, { result: a.result, body: a.body }, 'the same reply (not 2002: the old password is no longer right)');
    t.equal((await busiRecords(h, s.subscrbid)).length, before.length + 1, 'one USR_BUSI_RECORD row');
    t.equal(await storedPassword(h, s.subscrbid), stored, 'not hashed again');
    t.equal(await fails(h, s.svcnum), undefined, 'no failure counted');
  });

  t.test('CS-22: with password_storage = plain the new password is stored as plain text', async (t) => {
    const s = await withPassword(h, '314159');
    // The handler run in a unit of work with password_storage = plain in its ctx.settings, where passwordStorageOf
    // reads the [database] key (the harness gateway is configured with scrypt).
    const [mod] = passwordChange;
    const ctx = (tx: WriteContext['tx']) =>
      ({
        store: h.store, tx, clock: systemClock, log: pino({ level: 'silent' }), business: businessByCode(122)!, iface: 'cs', ifaceKind: 'cs',
        operator: 'KF3003', serial: 'CS22-PLAIN-1', seq: 1, time: '20261201120000',
        settings: { ...DEFAULT_SETTINGS, database: { ...DEFAULT_SETTINGS.database, passwordStorage: 'plain' } },
      }) as unknown as WriteContext;
    const out = await h.store.unitOfWork((tx) => mod.handle({ svcnum: s.svcnum, oldPassword: '314159', newPassword: '271828' }, { ...ctx(tx), store: { dialect: h.store.dialect, all: (q, b) => tx.all(q, b), one: (q, b) => tx.one(q, b), run: (q, b) => tx.run(q, b) } as Store }));
    t.equal(out.busiStatus, 1);
    t.equal(await storedPassword(h, s.subscrbid), '271828', 'plain text');
    t.equal((await h.call('cs', 'authenticate', { svcnum: s.svcnum, password: '271828' })).result, 0, 'CS-02 takes it');
  });
});
