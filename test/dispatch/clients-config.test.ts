// PC-06 client identities in the configuration: [client.<id>] name + addresses, [server]
// idempotency_days; every mistake is an error naming file, section and key. And the identity
// rules themselves (most specific block, IPv4-mapped IPv6, the unconfigured client *).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/config/types.js';
import { ClientIdentities, parseIp, peerAddress, UNCONFIGURED_CLIENT } from '../../src/idempotency.js';

const dir = mkdtempSync(join(tmpdir(), 'bssgate-clients-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function load(text: string) {
  const f = join(dir, `c${++n}.ini`);
  writeFileSync(f, `[interface.card]\n${text}`);
  return loadConfig([f], {});
}
function fails(text: string): ConfigError {
  try {
    load(text);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('loaded');
}

t.test('PC-06 [client.<id>] sections and [server] idempotency_days load', async (t) => {
  const c = load('[client.card-primary]\nname = cardsys\naddresses = 10.20.0.5, 10.20.0.6, 10.30.0.0/16\n[client.sms]\nname = sms.101566\naddresses = ::1\n[server]\nidempotency_days = 30\n');
  t.same(c.clients?.map((x) => [x.section, x.name, x.addresses]), [
    ['card-primary', 'cardsys', ['10.20.0.5', '10.20.0.6', '10.30.0.0/16']],
    ['sms', 'sms.101566', ['::1']],
  ]);
  t.equal(c.idempotencyDays, 30);
  const d = load('');
  t.same(d.clients, [], 'no sections: no clients (every peer is *)');
  t.equal(d.idempotencyDays, 7, 'default 7 days');
});

t.test('PC-06 client configuration mistakes name file, section and key', async (t) => {
  let e = fails('[client.a]\naddresses = 10.0.0.1\n');
  t.match(e.message, /\[client\.a\] name: missing/);
  e = fails('[client.a]\nname = cardsys\n');
  t.match(e.message, /\[client\.a\] addresses: missing/);
  e = fails('[client.a]\nname = card sys\naddresses = 10.0.0.1\n');
  t.match(e.message, /\[client\.a\] name: "card sys" is not a client name; accepted:/);
  e = fails('[client.a]\nname = card\naddresses = 10.0.0.1\n');
  t.match(e.message, /\[client\.a\] name: "card" is reserved: .*no \[client\.<id>\] names/, 'PC-03 issue 13: `card` is the unconfigured card system\'s TAB_PAY.SOURCE, no client may take it');
  e = fails('[client.a]\nname = abcdefghijklmnopq\naddresses = 10.0.0.1\n');
  t.match(e.message, /\[client\.a\] name: .*accepted: 1–16 of/, 'at most 16 characters (TAB_PAY.SOURCE)');
  e = fails('[client.a]\nname = x\naddresses = 10.0.0.300\n');
  t.match(e.message, /\[client\.a\] addresses: .*not an IPv4\/IPv6 address or CIDR block/);
  e = fails('[client.a]\nname = x\naddresses = 10.0.0.1\n[client.b]\nname = y\naddresses = 10.0.0.1/32\n');
  t.match(e.message, /\[client\.b\] addresses: 10\.0\.0\.1\/32 is also an address of \[client\.a\] \(name x\)/, 'the same block for two clients');
  e = fails('[client.a]\nname = x\naddresses = 10.0.0.1\n[client.b]\nname = x\naddresses = 10.0.0.2\n');
  t.match(e.message, /\[client\.b\] name: "x" is also the name of \[client\.a\]/);
  e = fails('[client]\nname = x\naddresses = 10.0.0.1\n');
  t.match(e.message, /\[client\] a client section needs an id/);
  e = fails('[client.a]\nname = x\naddresses = 10.0.0.1\nadress = 1\n');
  t.match(e.message, /\[client\.a\] adress: unknown key/);
  e = fails('[server]\nidempotency_days = 0\n');
  t.match(e.message, /\[server\] idempotency_days: "0" .*accepted: an integer 1–3650/);
});

t.test('PC-06 identities: the most specific block wins; IPv4-mapped IPv6; unconfigured is *', async (t) => {
  const ids = new ClientIdentities([
    { section: 'a', name: 'wide', addresses: ['10.0.0.0/8', '2001:db8::/32'] },
    { section: 'b', name: 'narrow', addresses: ['10.1.2.0/24'] },
    { section: 'c', name: 'host', addresses: ['10.1.2.3', '2001:db8::1'] },
  ]);
  t.equal(ids.identify('10.9.9.9'), 'wide');
  t.equal(ids.identify('10.1.2.4'), 'narrow');
  t.equal(ids.identify('10.1.2.3'), 'host');
  t.equal(ids.identify('::ffff:10.1.2.3'), 'host', 'a dual-stack socket shows IPv4 peers as ::ffff:a.b.c.d');
  t.equal(ids.identify('2001:db8:0:0:0:0:0:1'), 'host');
  t.equal(ids.identify('2001:db8::2'), 'wide');
  t.equal(ids.identify('192.168.1.1'), UNCONFIGURED_CLIENT);
  t.equal(ids.identify('2001:db9::1'), UNCONFIGURED_CLIENT);
  t.equal(new ClientIdentities([]).identify('10.1.2.3'), '*');
  t.equal(peerAddress('::1:5555'), '::1');
  t.equal(peerAddress('10.1.2.3:5555'), '10.1.2.3');
  t.same(parseIp('::ffff:1.2.3.4'), { v6: false, value: 0x01020304n });
  t.same(parseIp('::1'), { v6: true, value: 1n });
  t.equal(parseIp('nonsense'), undefined);
});

t.test('issue 13 PC-06 [client.<id>] interfaces: which interfaces a client covers; unknown names are errors', async (t) => {
  const two = (text: string) => load(`[interface.cs]\nport = 7001\n${text}`);
  const c = two('[client.cardsys]\nname = cardsys\naddresses = 127.0.0.1\ninterfaces = card\n[client.cc]\nname = callcentre\naddresses = 10.9.0.0/16\n');
  t.same(c.clients?.map((x) => [x.name, x.interfaces]), [['cardsys', ['card']], ['callcentre', undefined]], 'absent = every interface');
  let e = fails('[client.cardsys]\nname = cardsys\naddresses = 127.0.0.1\ninterfaces = card, crad\n');
  t.match(e.message, /\[client\.cardsys\] interfaces: "crad" is not an interface of the configuration; accepted: names of \[interface\.<name>\] sections \(card\)/);
  t.match(e.message, /c\d+\.ini: /, 'names the file');
  e = fails('[client.a]\nname = x\naddresses = 10.0.0.1\ninterfaces = card, card\n');
  t.match(e.message, /\[client\.a\] interfaces: .*lists card twice/);
  e = fails('[client.a]\nname = x\naddresses = 10.0.0.1\ninterfaces = Card!\n');
  t.match(e.message, /\[client\.a\] interfaces: .*not an interface name/);
  // The same host for two clients on disjoint interfaces: allowed; on a common one: an error.
  const d = two('[client.a]\nname = x\naddresses = 10.0.0.1\ninterfaces = card\n[client.b]\nname = y\naddresses = 10.0.0.1\ninterfaces = cs\n');
  t.equal(d.clients?.length, 2);
  const bad = (() => {
    try {
      two('[client.a]\nname = x\naddresses = 10.0.0.1\ninterfaces = card\n[client.b]\nname = y\naddresses = 10.0.0.1\n');
    } catch (err) {
      return err as Error;
    }
    return undefined;
  })();
  t.ok(bad instanceof ConfigError, 'a block of two clients on a common interface');
  t.match(bad?.message, /\[client\.b\] addresses: 10\.0\.0\.1 is also an address of \[client\.a\]/);
});

t.test('issue 13 PC-06 identities per interface: a section covers only the interfaces it names', async (t) => {
  const clients = [
    { section: 'cardsys', name: 'cardsys', addresses: ['127.0.0.1'], interfaces: ['card'] },
    { section: 'cc', name: 'callcentre', addresses: ['10.9.0.0/16'], interfaces: ['cs'] },
  ];
  const card = new ClientIdentities(clients, 'card');
  t.ok(card.configured, 'card is covered: writes from unnamed addresses are refused there');
  t.equal(card.identify('127.0.0.1'), 'cardsys');
  t.equal(card.identify('10.9.1.1'), UNCONFIGURED_CLIENT, 'the call centre is not a client on card');
  const cs = new ClientIdentities(clients, 'cs');
  t.equal(cs.identify('10.9.1.1'), 'callcentre');
  t.equal(cs.identify('127.0.0.1'), UNCONFIGURED_CLIENT);
  const print = new ClientIdentities(clients, 'print');
  t.notOk(print.configured, 'an interface no section covers: every peer is *, nothing refused');
  t.ok(new ClientIdentities([{ section: 'all', name: 'all', addresses: ['10.0.0.1'] }], 'print').configured, 'a section without interfaces covers every interface');
});
