// Issue 13 defect 5: one serial rule (protocol/serial.ts) for every place a serial is written or
// named. A PC-03 payment whose header serial has a leading or inner space (or |) used to be posted
// (0), but no PC-04 origSerial and no reconciliation line can name it: it could never be reversed.
// Now a write's header serial is checked in the dispatcher before the ledger and refused 1001 with
// nothing written; origSerial and the reconciliation file apply the same rule; read-only functions
// keep echoing whatever printable serial they get.
import t from 'tap';
import { parseReconFile, ReconFormatError } from '../../src/reconcile/parse.js';
import { SERIAL_PATTERN } from '../../protocol/serial.js';
import { LAYOUTS_BY_CODE } from '../../handlers/index.js';
import type { Layout } from '../../protocol/layout-types.js';
import { handlerSuite } from '../helpers/seeded.js';

const BAD = [' M3LEAD01', 'M3 INNER 01', 'M3|PIPE01'];

handlerSuite('issue 13 PC-03 PC-04 serial rule', async (t, h) => {
  t.test('issue 13 PC-03: a header serial with a leading space, an inner space or | is refused 1001, nothing written', async (t) => {
    const f = h.fx.first;
    for (const serial of BAD) {
      const r = await h.call('card', 'payment', { svcnum: f.svcnum, amount: 1500n }, { serial });
      t.equal(r.result, 1001, `${JSON.stringify(serial)}: ${r.message}`);
      t.match(r.message, /serial/, 'the message names the serial');
      t.match(r.message, /without spaces or \|/, 'and states the rule');
      const pays = await h.facts.paysOfSerial(serial);
      t.equal(pays.length, 0, `${JSON.stringify(serial)}: no TAB_PAY row`);
      const ledger = await h.sql('SELECT CLIENT FROM BSG_IDEMPOTENCY WHERE SERIAL = :s', { s: serial });
      t.equal(ledger.length, 0, `${JSON.stringify(serial)}: no BSG_IDEMPOTENCY row`);
    }
    const err = await h.logLines('card', 'err');
    t.ok(err.some((l) => /"code":1001/.test(l) && /M3LEAD01/.test(l)), 'the refusal is in err.MMDD');
    // Trailing spaces are padding, not part of the serial: still a valid serial.
    const ok = await h.call('card', 'payment', { svcnum: f.svcnum, amount: 1500n }, { serial: 'M3TRAIL01   ' });
    t.equal(ok.result, 0, ok.message);
  });

  t.test('issue 13 PC-04: an origSerial with a space or | is 1006, as the header serial rule', async (t) => {
    const f = h.fx.first;
    // The client checks the layout's pattern before sending: send with the pattern taken off.
    const rev = LAYOUTS_BY_CODE.get(304)!;
    const loose = { request: rev.request.map((fd) => (fd.name === 'origSerial' ? { ...fd, pattern: undefined } : fd)) as Layout, response: rev.response };
    for (const orig of ['M3 INNER 01', 'M3|PIPE01']) {
      const r = await h.call('card', 'reversal', { svcnum: f.svcnum, origSerial: orig }, { serial: `M3R${orig.length}${orig.includes('|') ? 'P' : 'S'}`, layouts: loose });
      t.equal(r.result, 1006, `${JSON.stringify(orig)}: ${r.message}`);
    }
    // What PC-03 accepts, PC-04 can name: pay and reverse a serial using the edges of the rule.
    const serial = '!~{}M3-EDGE_01#';
    const p = await h.call('card', 'payment', { svcnum: f.svcnum, amount: 1200n }, { serial });
    t.equal(p.result, 0, p.message);
    const r = await h.call('card', 'reversal', { svcnum: f.svcnum, origSerial: serial }, { serial: 'M3EDGER01' });
    t.equal(r.result, 0, r.message);
    t.equal(r.body?.amount, 1200n);
  });

  t.test('issue 13: a read-only function still echoes a serial with spaces (it is not a key)', async (t) => {
    const r = await h.call('cs', 'connection-check', {}, { serial: ' READ ONLY' });
    t.equal(r.result, 0, r.message);
  });
});

t.test('issue 13 PC-07: a reconciliation line whose serial breaks the rule is reported as such', async (t) => {
  const line = (serial: string, orig?: string) => {
    const d = orig === undefined ? `P|${serial}|13997000001|100|20261201093000` : `R|${serial}|${orig}|13997000001|100|20261201093000`;
    const net = orig === undefined ? 100 : -100;
    return `H|cardsys|20261201|1|${net}\n${d}\n`;
  };
  const reason = (text: string) => {
    try {
      parseReconFile(text);
    } catch (e) {
      if (e instanceof ReconFormatError) return e;
      throw e;
    }
    throw new Error('parsed');
  };
  let e = reason(line(' M3LEAD01'));
  t.equal(e.line, 2);
  t.match(e.reason, /serial " M3LEAD01" has a space/);
  t.match(e.reason, /without spaces or \|/, 'the rule is named');
  e = reason(line('M3R01', 'M3 INNER 01'));
  t.match(e.reason, /original serial "M3 INNER 01" has a space/);
  e = reason(line('M3SERIAL0123456789012'));
  t.match(e.reason, /longer than 20/);
  t.ok(SERIAL_PATTERN.test('M3OK'), 'the shared rule');
  t.equal(parseReconFile(line('!~{}M3-EDGE_01#')).lines[0].serial, '!~{}M3-EDGE_01#', 'the edges of the rule are serials in a file too');
});
