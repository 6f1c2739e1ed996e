// CS-02, VO-01, PC-01, PR-01, SM-01: the five password checks (one module, handlers/password-check.ts),
// over a real socket against the seeded database. The lockout has its own file (lockout.test.ts).
import type { InterfaceKind } from '../../src/types.js';
import type { DemoFixtures, DemoSubscriber } from '../../src/store/demo.js';
import { hashPassword, isHashed } from '../../src/store/password.js';
import { handlerSuite, SEED_SCRYPT, type Harness } from '../helpers/seeded.js';

interface Check {
  id: string;
  name: string;
  iface: InterfaceKind;
  /** Numbers it accepts (right password: success). */
  accepts: (fx: DemoFixtures) => DemoSubscriber[];
  /** Live numbers of another network: 2001. */
  refuses: (fx: DemoFixtures) => DemoSubscriber[];
}

const CHECKS: Check[] = [
  { id: 'CS-02', name: 'authenticate', iface: 'cs', accepts: (f) => [f.first, f.cdma, f.cdma1x, f.gsmArrears], refuses: (f) => [f.voip] },
  { id: 'VO-01', name: 'voip-authenticate', iface: 'cs', accepts: (f) => [f.voip], refuses: (f) => [f.first, f.cdma, f.cdma1x] },
  { id: 'PC-01', name: 'card-verify', iface: 'card', accepts: (f) => [f.cdma, f.voip, f.cdma1x, f.gsmSuspended], refuses: () => [] },
  { id: 'PR-01', name: 'print-authenticate', iface: 'print', accepts: (f) => [f.first, f.cdma1x, f.noPrintRegional], refuses: (f) => [f.voip] },
  { id: 'SM-01', name: 'sms-verify', iface: 'sms', accepts: (f) => [f.gsmSuspended, f.cdmaArrears], refuses: (f) => [f.voip, f.cdma1x] },
];

const IFACES: InterfaceKind[] = ['cs', 'card', 'print', 'sms'];

/** Seven digits: never one of the demo's six-digit passwords. */
const wrong = (f: DemoSubscriber) => `${f.password}7`;

async function failRow(h: Harness, svcnum: string) {
  const [row] = await h.sql<{ fails_in_window: number; consecutive: number; hard_locked: number }>(
    'SELECT FAILS_IN_WINDOW, CONSECUTIVE, HARD_LOCKED FROM BSG_AUTH_FAIL WHERE SVCNUM = :s',
    { s: svcnum },
  );
  return row && { fails: Number(row.fails_in_window), consecutive: Number(row.consecutive), hard: Number(row.hard_locked) };
}

handlerSuite('CS-02 VO-01 PC-01 PR-01 SM-01 password checks', async (t, h) => {
  t.test('CS-02 VO-01 PC-01 PR-01 SM-01: the right password answers the status, network and name TAB_SUBSCRB holds', async (t) => {
    for (const c of CHECKS) {
      for (const f of c.accepts(h.fx)) {
        const r = await h.call(c.iface, c.name, { svcnum: f.svcnum, password: f.password });
        t.equal(r.result, 0, `${c.id} ${f.svcnum}: ${r.message}`);
        const row = (await h.facts.subscriber(f.subscrbid))!;
        t.ok(isHashed(row.svcpwd), `${f.svcnum}: the seeded password is a scrypt hash`);
        t.same(r.body, { status: Number(row.status), nettype: row.nettype.trim(), custname: row.custname }, `${c.id} ${f.svcnum}: the database's values`);
        t.equal(r.body?.status, f.status);
        t.equal(r.body?.nettype, f.nettype);
        t.equal(await failRow(h, f.svcnum), undefined, `${c.id} ${f.svcnum}: a success leaves no counters`);
      }
    }
  });

  t.test('CS-02 VO-01 PC-01 PR-01 SM-01 refuse a wrong password 2002 and count it for the number; a success resets it', async (t) => {
    for (const c of CHECKS) {
      const f = c.accepts(h.fx)[0];
      const r = await h.call(c.iface, c.name, { svcnum: f.svcnum, password: wrong(f) });
      t.equal(r.result, 2002, `${c.id}: ${r.message}`);
      t.match(r.message, new RegExp(`^密码错误: ${f.svcnum} 还可尝试9次$`), `${c.id}: the attempts left`);
      t.same(await failRow(h, f.svcnum), { fails: 1, consecutive: 1, hard: 0 }, `${c.id}: one failure counted`);
      // The password with a character more or less, or in another case, is wrong too.
      t.equal((await h.call(c.iface, c.name, { svcnum: f.svcnum, password: f.password.slice(0, -1) })).result, 2002, `${c.id}: a prefix`);
      t.equal((await h.call(c.iface, c.name, { svcnum: f.svcnum, password: '' })).result, 2002, `${c.id}: blank`);
      t.same(await failRow(h, f.svcnum), { fails: 3, consecutive: 3, hard: 0 });
      t.equal((await h.call(c.iface, c.name, { svcnum: f.svcnum, password: f.password })).result, 0, `${c.id}: right after wrong`);
      t.equal(await failRow(h, f.svcnum), undefined, `${c.id}: the counters are reset`);
    }
  });

  t.test('CS-02 VO-01 PC-01 PR-01 SM-01 refuse an unknown number 2001 and a cancelled one 2004, counting nothing', async (t) => {
    for (const c of CHECKS) {
      const unknown = await h.call(c.iface, c.name, { svcnum: '13000000000', password: '123456' });
      t.equal(unknown.result, 2001, `${c.id}: ${unknown.message}`);
      t.match(unknown.message, /^无此用户: 13000000000$/);
    }
    const g = h.fx.gsmCancelled;
    t.equal(g.status, 5);
    for (const c of CHECKS.filter((c) => c.id !== 'VO-01')) {
      const r = await h.call(c.iface, c.name, { svcnum: g.svcnum, password: g.password });
      t.equal(r.result, 2004, `${c.id}: ${r.message}`);
      t.match(r.message, /已销户/);
    }
    // No cancelled IP Phone number among the fixtures: cancel one for the while.
    const v = h.fx.voip;
    await h.facts.setSubscriber(v.subscrbid, { status: 5 });
    try {
      const r = await h.call('cs', 'voip-authenticate', { svcnum: v.svcnum, password: v.password });
      t.equal(r.result, 2004, `VO-01: ${r.message}`);
    } finally {
      await h.facts.setSubscriber(v.subscrbid, { status: v.status });
    }
    t.equal(await failRow(h, g.svcnum), undefined, 'a cancelled number is not counted');
    t.equal(await failRow(h, v.svcnum), undefined);
    t.same(await h.sql('SELECT SVCNUM FROM BSG_AUTH_FAIL WHERE SVCNUM = :s', { s: '13000000000' }), [], 'an unknown number is not counted');
  });

  t.test('VO-01 refuses a number that is not an IP Phone (V) number 2001; each check refuses the networks it does not serve', async (t) => {
    for (const c of CHECKS) {
      for (const f of c.refuses(h.fx)) {
        const r = await h.call(c.iface, c.name, { svcnum: f.svcnum, password: f.password });
        t.equal(r.result, 2001, `${c.id} ${f.nettype} ${f.svcnum}: ${r.message}`);
        t.match(r.message, new RegExp(`^无此用户: ${f.svcnum} 不是`), 'the reason');
      }
    }
    const r = await h.call('cs', 'voip-authenticate', { svcnum: h.fx.first.svcnum, password: h.fx.first.password });
    t.match(r.message, /不是IP电话用户/);
  });

  t.test('CS-02 VO-01 PC-01 PR-01 SM-01 are each served on their own interface only (1004 on the others)', async (t) => {
    for (const c of CHECKS) {
      const f = c.accepts(h.fx)[0];
      for (const other of IFACES.filter((i) => i !== c.iface)) {
        const r = await h.call(other, c.name, { svcnum: f.svcnum, password: f.password });
        t.equal(r.result, 1004, `${c.id} on ${other}: ${r.message}`);
      }
    }
    const all = await h.sql('SELECT SVCNUM FROM BSG_AUTH_FAIL');
    t.same(all, [], 'a refused request counts nothing');
  });

  t.test('CS-02 PC-01: a plain-text SVCPWD and a scrypt one both verify (and an empty one never matches)', async (t) => {
    const f = h.fx.noPrintOtherRegion;
    const seeded = (await h.facts.subscriber(f.subscrbid))!;
    t.ok(isHashed(seeded.svcpwd), 'seeded as scrypt');
    t.equal((await h.call('cs', 'authenticate', { svcnum: f.svcnum, password: f.password })).result, 0, 'scrypt, the seeded hash');

    await h.facts.setSubscriber(f.subscrbid, { svcpwd: 'Plain-Pw1' });
    t.notOk(isHashed((await h.facts.subscriber(f.subscrbid))!.svcpwd));
    t.equal((await h.call('cs', 'authenticate', { svcnum: f.svcnum, password: 'Plain-Pw1' })).result, 0, 'plain text');
    t.equal((await h.call('card', 'card-verify', { svcnum: f.svcnum, password: 'Plain-Pw1' })).result, 0, 'plain text, PC-01');
    for (const bad of ['plain-pw1', 'Plain-Pw', 'Plain-Pw12', f.password]) {
      t.equal((await h.call('cs', 'authenticate', { svcnum: f.svcnum, password: bad })).result, 2002, `plain text: ${bad} is wrong`);
    }

    // A hash with a random salt, as CS-22 will store it.
    await h.facts.setSubscriber(f.subscrbid, { svcpwd: hashPassword('Hashed-Pw2', 'scrypt', SEED_SCRYPT) });
    t.equal((await h.call('cs', 'authenticate', { svcnum: f.svcnum, password: 'Hashed-Pw2' })).result, 0, 'scrypt, a fresh hash');
    t.equal((await h.call('card', 'card-verify', { svcnum: f.svcnum, password: 'Hashed-Pw1' })).result, 2002, 'scrypt: wrong');
    // The stored hash itself is no password.
    const stored = (await h.facts.subscriber(f.subscrbid))!;
    t.equal((await h.call('cs', 'authenticate', { svcnum: f.svcnum, password: stored.svcpwd.slice(0, 16) })).result, 2002, 'the hash text is wrong');

    await h.facts.setSubscriber(f.subscrbid, { svcpwd: '' });
    t.equal((await h.call('cs', 'authenticate', { svcnum: f.svcnum, password: '' })).result, 2002, 'an empty stored password and a blank one');
    await h.facts.setSubscriber(f.subscrbid, { svcpwd: seeded.svcpwd });
    t.equal((await h.call('cs', 'authenticate', { svcnum: f.svcnum, password: f.password })).result, 0, 'restored');
  });

  // The canary: distinctive passwords, right and wrong, plain and hashed, through all five codes;
  // none of them may reach any log file, while the request log does record the bodies.
  t.test('CS-02 VO-01 PC-01 PR-01 SM-01: no password value appears in any log file', async (t) => {
    for (const [k, c] of CHECKS.entries()) {
      const f = c.accepts(h.fx)[0];
      const right = `Qx7Canary${c.id.replace('-', '')}R`;
      const stored = k % 2 === 0 ? right : hashPassword(right, 'scrypt', SEED_SCRYPT);
      const old = (await h.facts.subscriber(f.subscrbid))!;
      await h.facts.setSubscriber(f.subscrbid, { svcpwd: stored });
      t.equal((await h.call(c.iface, c.name, { svcnum: f.svcnum, password: right })).result, 0, `${c.id}: canary right`);
      t.equal((await h.call(c.iface, c.name, { svcnum: f.svcnum, password: `Qx7Canary${c.id.replace('-', '')}W` })).result, 2002, `${c.id}: canary wrong`);
      t.equal((await h.call(c.iface, c.name, { svcnum: f.svcnum, password: right })).result, 0, `${c.id}: canary right again`);
      await h.facts.setSubscriber(f.subscrbid, { svcpwd: old.svcpwd });
    }
    const text = await h.allLogText();
    t.notMatch(text, /Qx7/, 'no canary password in any log file');
    for (const c of CHECKS) {
      const lines = (await h.logLines(c.iface, 'query')).map((l) => JSON.parse(l) as { biz: number; body?: { svcnum?: string; password?: string } });
      const mine = lines.filter((l) => l.body && 'password' in l.body);
      t.ok(mine.length > 0, `${c.id}: the request log records the password checks`);
      t.ok(mine.every((l) => l.body!.password === '[secret]'), `${c.id}: the password field is always [secret]`);
    }
    // And no fixture password next to a password key anywhere.
    for (const line of text.split('\n').filter(Boolean)) {
      const m = /"password":"([^"]*)"/.exec(line);
      if (m) t.equal(m[1], '[secret]', 'a password key holds the mask only');
    }
  });
});
