// PR-04 no-print plans (TAB_PRCPLN_NOPRINT) across the six detail queries: CS-11, CS-13, VO-08,
// C1-03, PR-02, PR-03. A listed plan is refused 2006 in its region, or everywhere with region Z.
import { cycleOf, handlerSuite, type Harness } from '../helpers/seeded.js';
import type { DemoSubscriber } from '../../src/store/demo.js';
import { expectedCalls, type CallRecord, type Paged } from '../helpers/tickets.js';

type Call = { iface: 'cs' | 'print'; business: string; ids: string; body: Record<string, string | number> };

/** The detail queries that apply to a subscriber of G or C, with their bodies. */
function callQueries(f: DemoSubscriber, cycle: string): Call[] {
  return [
    { ids: 'CS-11', iface: 'cs', business: 'monthly-detail', body: { offset: 0, limit: 10, svcnum: f.svcnum, cycle } },
    { ids: 'CS-13', iface: 'cs', business: 'realtime-detail', body: { offset: 0, limit: 10, svcnum: f.svcnum } },
    { ids: 'PR-02', iface: 'print', business: 'print-monthly-detail', body: { offset: 0, limit: 10, svcnum: f.svcnum, password: f.password, cycle } },
    { ids: 'VO-08', iface: 'cs', business: 'voip-detail', body: { offset: 0, limit: 10, by: 'N', number: f.svcnum, cycle } },
  ];
}

function dataQueries(f: DemoSubscriber, cycle: string): Call[] {
  return [
    { ids: 'C1-03', iface: 'cs', business: 'c1x-data-detail', body: { offset: 0, limit: 10, svcnum: f.svcnum, cycle } },
    { ids: 'PR-03', iface: 'print', business: 'print-c1x-detail', body: { offset: 0, limit: 10, svcnum: f.svcnum, password: f.password, cycle } },
  ];
}

async function results(h: Harness, calls: Call[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const c of calls) out[c.ids] = (await h.call(c.iface, c.business, c.body)).result;
  return out;
}

const all = (ids: string[], code: number) => Object.fromEntries(ids.map((id) => [id, code]));
const CALL_IDS = ['CS-11', 'CS-13', 'PR-02', 'VO-08'];
const DATA_IDS = ['C1-03', 'PR-03'];

handlerSuite('PR-04 no-print', async (t, h) => {
  const last = cycleOf(h.now, 1);
  const noprint = (plan: string, region: string) =>
    h.facts.addNoPrint(plan, region, 'test', h.now);
  const unlist = (plan: string, region: string) => h.facts.removeNoPrint(plan, region);

  t.test('PR-04: the seeded no-print rows are what the fixtures assume', async (t) => {
    const rows = await h.facts.noPrintRules();
    t.same(rows.map((x) => `${x.prcpln}/${x.region}`), ['C009/Z', 'G009/0971', 'G010/Z']);
    t.same([h.fx.noPrintRegional.prcpln, h.fx.noPrintRegional.region], ['G009', '0971']);
    t.same([h.fx.noPrintOtherRegion.prcpln, h.fx.noPrintOtherRegion.region], ['G009', '0972']);
    t.equal(h.fx.noPrintProvince.prcpln, 'G010');
    t.not(h.fx.noPrintProvince.region, '0971');
  });

  t.test('PR-04: a plan listed for its region (G009 in 0971) is refused 2006 by CS-11, CS-13, PR-02 and VO-08', async (t) => {
    const f = h.fx.noPrintRegional;
    t.same(await results(h, callQueries(f, last)), all(CALL_IDS, 2006));
    const r = await h.call('cs', 'monthly-detail', callQueries(f, last)[0].body);
    t.match(r.message, /G009 \(0971\)/, 'the message names the plan and region');
  });

  t.test('PR-04: the same plan in another region (G009 in 0972) is answered', async (t) => {
    const f = h.fx.noPrintOtherRegion;
    t.same(await results(h, callQueries(f, last)), all(CALL_IDS, 0));
    const r = await h.call<Paged<CallRecord>>('cs', 'monthly-detail', { offset: 0, limit: 500, svcnum: f.svcnum, cycle: last });
    t.strictSame(r.body?.items, await expectedCalls(h, f.svcnum, last), 'its records, as the tables hold them');
  });

  t.test('PR-04: a plan listed province-wide (G010, region Z) is refused in any region', async (t) => {
    const f = h.fx.noPrintProvince;
    t.same(await results(h, callQueries(f, last)), all(CALL_IDS, 2006));
    t.match((await h.call('cs', 'monthly-detail', callQueries(f, last)[0].body)).message, /G010 \(全省\)/);
    // The province-wide row holds in every region the subscriber might be in.
    await h.facts.setSubscriber(f.subscrbid, { region: '0972' });
    try {
      t.same(await results(h, callQueries(f, last)), all(CALL_IDS, 2006), 'moved to 0972: still refused');
    } finally {
      await h.facts.setSubscriber(f.subscrbid, { region: f.region });
    }
    // CDMA: C009 is province-wide too (the CDMA number bound to an IP Phone card).
    t.same(await results(h, callQueries(h.fx.cdmaWithVoip, last)), all(CALL_IDS, 2006), 'C009/Z');
  });

  t.test('PR-04: the rule follows the table and the subscriber\'s region, not the fixture', async (t) => {
    const f = h.fx.noPrintOtherRegion;
    await h.facts.setSubscriber(f.subscrbid, { region: '0971' });
    try {
      t.same(await results(h, callQueries(f, last)), all(CALL_IDS, 2006), 'G009 moved into 0971: refused');
    } finally {
      await h.facts.setSubscriber(f.subscrbid, { region: f.region });
    }
    t.same(await results(h, callQueries(f, last)), all(CALL_IDS, 0), 'back in 0972: answered');
    const g = h.fx.noPrintRegional;
    await unlist('G009', '0971');
    try {
      t.same(await results(h, callQueries(g, last)), all(CALL_IDS, 0), 'G009/0971 unlisted: answered');
    } finally {
      await noprint('G009', '0971');
    }
    t.same(await results(h, callQueries(g, last)), all(CALL_IDS, 2006), 'listed again: refused');
  });

  t.test('PR-04: CDMA1X detail (C1-03, PR-03): listed for the region, for another region, province-wide', async (t) => {
    const x = h.fx.cdma1x;
    t.same(await results(h, dataQueries(x, last)), all(DATA_IDS, 0), 'X002 not listed');
    const other = x.region === '0972' ? '0979' : '0972';
    await noprint(x.prcpln, other);
    try {
      t.same(await results(h, dataQueries(x, last)), all(DATA_IDS, 0), `listed for ${other} only: answered`);
      await noprint(x.prcpln, x.region);
      t.same(await results(h, dataQueries(x, last)), all(DATA_IDS, 2006), `listed for ${x.region}: refused`);
      await unlist(x.prcpln, x.region);
      await noprint(x.prcpln, 'Z');
      t.same(await results(h, dataQueries(x, last)), all(DATA_IDS, 2006), 'listed province-wide: refused');
    } finally {
      await h.facts.removeNoPrint(x.prcpln);
    }
    t.same(await results(h, dataQueries(x, last)), all(DATA_IDS, 0), 'unlisted: answered');
  });

  t.test('PR-04: VO-08 by card follows the card subscriber\'s plan', async (t) => {
    const v = h.fx.voip;
    const byCard = { offset: 0, limit: 10, by: 'C', number: v.cardnum!, cycle: last };
    t.equal((await h.call('cs', 'voip-detail', byCard)).result, 0);
    await noprint(v.prcpln, 'Z');
    try {
      const r = await h.call('cs', 'voip-detail', byCard);
      t.equal(r.result, 2006, r.message);
      t.equal((await h.call('cs', 'voip-detail', { ...byCard, by: 'N', number: v.svcnum })).result, 2006, 'and by its own number');
    } finally {
      await unlist(v.prcpln, 'Z');
    }
    t.equal((await h.call('cs', 'voip-detail', byCard)).result, 0);
  });

  t.test('PR-04 on the kiosk comes after the password: a wrong password is 2002, whatever the plan', async (t) => {
    const f = h.fx.noPrintProvince;
    const r = await h.call('print', 'print-monthly-detail', { offset: 0, limit: 10, svcnum: f.svcnum, password: 'not-the-pw', cycle: last });
    t.equal(r.result, 2002, r.message);
    await h.sql('DELETE FROM BSG_AUTH_FAIL WHERE SVCNUM = :s', { s: f.svcnum });
  });
});
