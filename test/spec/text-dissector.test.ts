// Issue 18 (with issue 19): `bssgate dissector --framing <profile> --ports N` generates a Wireshark
// dissector for a text framing profile, read by the real tshark on a loopback capture of a real
// gateway serving the customer-service interface over the h2 and bss86 profiles, called by
// `bssgate call --framing` for several business types (and a refusal), plus one h2 request written
// in three pieces (three TCP segments: reassembly). The oracle is the project's own text decoder:
// the capture's TCP payloads (read by tshark without the dissector) cut into packets with
// PacketDecoder and their bodies read with decodeTextBody; tshark with the generated Lua must show
// every header field by name (padding removed), the business type by name through the profile's
// service table, the return code by name through its error table, and every body field by name
// with its value (lists as a count and a subtree per record), or the refusal's message; and
// `bssgate call --json`'s answers are among those values. A second part writes a capture of an h2
// reply sent in two packets (packet number, last flag) split over segments: the dissector joins
// the packets and shows the whole body on the last. Without tshark and dumpcap it is skipped.
import t, { type Test } from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import net from 'node:net';
import { cli, freePort, root, serve, waitFor } from '../helpers/serve.js';
import { writePcap, type Segment } from '../helpers/pcap.js';
import { demoFixtures } from '../../src/store/demo.js';
import { CONTRACTS } from '../../handlers/contracts/index.js';
import { BUSINESS_ROWS } from '../../protocol/business-types.js';
import { returnCode } from '../../protocol/return-codes.js';
import { encodePackets, loadFramingProfile, PacketAssembler, PacketDecoder, unpad, type Packet } from '../../protocol/framing/packet.js';
import { decodeTextBody, encodeTextBody } from '../../protocol/framing/text-body.js';
import type { FramingProfile } from '../../protocol/framing/profile.js';
import type { BodyRecord, Layout } from '../../protocol/layout-types.js';
import { requestHead, resultOf } from '../../src/text-client.js';
import { gbkDecode } from '../../protocol/gbk.js';

t.setTimeout(360_000);

function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
}
const missing = ['tshark', 'dumpcap'].filter((c) => !has(c));
const skip = missing.length > 0 ? `${missing.join(' and ')} not installed (Debian package tshark; .ci/run installs it)` : false;

const profileFile = (n: string) => join(root, 'config/framing', `${n}.json`);
const protoOf = (p: FramingProfile) => `bssgate_${p.name.replace(/-/g, '_')}`;

/** Fen as the yuan text a profile writes (the dissector shows a money field as on the wire). */
function yuan(v: bigint): string {
  const a = v < 0n ? -v : v;
  return `${v < 0n ? '-' : ''}${a / 100n}.${String(a % 100n).padStart(2, '0')}`;
}

function bodyFields(layout: Layout, body: BodyRecord, prefix: string, out: [string, string][], money: 'fen' | 'yuan'): void {
  // The text body writes the scalars as its first record, then each list.
  for (const f of layout.filter((x) => x.type !== 'list')) {
    const v = body[f.name];
    out.push([`${prefix}.${f.name}`, typeof v === 'bigint' ? (money === 'yuan' ? yuan(v) : v.toString()) : String(v)]);
  }
  for (const f of layout) {
    if (f.type !== 'list') continue;
    const items = body[f.name] as BodyRecord[];
    out.push([`${prefix}.${f.name}`, String(items.length)]);
    for (const item of items) bodyFields(f.of, item, `${prefix}.${f.name}`, out, money);
  }
}

/** What the dissector must show for one whole message (its last packet), by the project's decoder. */
function expectedOf(p: FramingProfile, request: boolean, first: Packet, last: Packet, body: Buffer): [string, string][] {
  const proto = protoOf(p);
  const out: [string, string][] = [[`${proto}.direction`, request ? 'request' : 'reply']];
  for (const f of p.header) out.push([`${proto}.${f.name}`, unpad(f, last.raw[f.name])]);
  const svc = p.role.service!;
  const code = unpad(svc, first.raw[svc.name]).trim();
  const biz = p.services.table.get(first.raw[svc.name].trim()) ?? p.services.table.get(code) ?? Number(code);
  const row = BUSINESS_ROWS.find((r) => r.code === biz)!;
  out.push([`${proto}.biz`, String(biz)], [`${proto}.biz_name`, row.name]);
  const contract = CONTRACTS.find((c) => c.biz === biz)!;
  let result = 0;
  if (!request) {
    result = resultOf(p, last.raw[p.role.error!.name], last.raw[p.role.flag!.name]);
    out.push([`${proto}.result`, String(result)], [`${proto}.result_name`, returnCode(result)!.name]);
  }
  if (!request && result !== 0) {
    if (body.length > 0) out.push([`${proto}.message`, gbkDecode(body)]);
    return out;
  }
  const layout = request ? contract.request : contract.response;
  bodyFields(layout, decodeTextBody(p, layout, body), `${proto}.${row.name}.${request ? 'request' : 'response'}`, out, p.body.money);
  return out;
}

/** Every [key, value] leaf under `node` whose key starts with `prefix`, in document order. */
function leaves(node: unknown, prefix: string, out: [string, string][] = []): [string, string][] {
  if (Array.isArray(node)) for (const x of node) leaves(x, prefix, out);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (typeof v === 'string' && k.startsWith(prefix)) out.push([k, v]);
      else if (Array.isArray(v) && v.every((x) => typeof x === 'string') && k.startsWith(prefix)) for (const x of v) out.push([k, x as string]);
      else leaves(v, prefix, out);
    }
  }
  return out;
}

const LINKS = new Set(['response_in', 'request_in']);

interface Expected {
  frame?: number;
  request: boolean;
  fields: [string, string][];
}

/** Cut each TCP stream's payloads (tshark without the dissector) into messages; the expected fields of each, in capture order. */
function oracle(cap: string, profiles: Map<number, FramingProfile>): Expected[] {
  const r = spawnSync('tshark', ['-r', cap, '-T', 'fields', '-E', 'separator=;', '-e', 'frame.number', '-e', 'tcp.stream', '-e', 'tcp.srcport', '-e', 'tcp.dstport', '-e', 'tcp.payload', '-Y', 'tcp.len > 0'], { encoding: 'utf8', maxBuffer: 1 << 28, timeout: 120_000 });
  if (r.status !== 0) throw new Error(`tshark: ${r.stderr}`);
  const state = new Map<string, { dec: PacketDecoder; asm: PacketAssembler; first?: Packet }>();
  const out: Expected[] = [];
  for (const line of r.stdout.split('\n').filter(Boolean)) {
    const [frame, stream, src, dst, hex] = line.split(';');
    const request = profiles.has(Number(dst));
    const p = profiles.get(Number(request ? dst : src))!;
    const key = `${stream}:${request}`;
    let s = state.get(key);
    if (!s) state.set(key, (s = { dec: new PacketDecoder(p), asm: new PacketAssembler(p, { maxPackets: 100, maxBytes: 1 << 24 }) }));
    for (const item of s.dec.push(Buffer.from(hex.replace(/:/g, ''), 'hex'))) {
      if (item.kind !== 'packet') continue;
      s.first ??= item.packet;
      const whole = s.asm.add(item.packet);
      if (!whole) continue;
      out.push({ frame: Number(frame), request, fields: expectedOf(p, request, s.first, item.packet, whole.body) });
      s.first = undefined;
    }
  }
  return out;
}

function tsharkView(cap: string, luas: string[], prefs: string[]): { frame: number; proto: string; fields: [string, string][]; verbose: string } [] {
  const args = ['-r', cap, '-2', ...luas.flatMap((l) => ['-X', `lua_script:${l}`]), ...prefs.flatMap((x) => ['-o', x])];
  const run = spawnSync('tshark', [...args, '-T', 'json', '--no-duplicate-keys'], { encoding: 'utf8', maxBuffer: 1 << 28, timeout: 120_000 });
  if (run.status !== 0 || /Lua: Error|error/i.test(run.stderr.replace(/Running as user.*\n/, ''))) throw new Error(`tshark: ${run.stderr}`);
  const shown: { frame: number; proto: string; fields: [string, string][]; verbose: string }[] = [];
  for (const pkt of JSON.parse(run.stdout) as { _source: { layers: Record<string, unknown> } }[]) {
    const layers = pkt._source.layers;
    const frame = Number((layers.frame as Record<string, string>)['frame.number']);
    for (const proto of Object.keys(layers).filter((k) => k.startsWith('bssgate_'))) {
      const instances = Array.isArray(layers[proto]) ? (layers[proto] as unknown[]) : [layers[proto]];
      for (const b of instances) shown.push({ frame, proto, fields: leaves(b, `${proto}.`).filter(([k]) => !LINKS.has(k.slice(proto.length + 1))), verbose: '' });
    }
  }
  return shown;
}

function generate(t: Test, dir: string, profile: string, ports: number[]): string {
  const lua = join(dir, `${profile}.lua`);
  const gen = spawnSync(process.execPath, [cli, 'dissector', '--framing', profileFile(profile), '--ports', ports.join(',')], { cwd: root, encoding: 'utf8', timeout: 120_000, maxBuffer: 1 << 26 });
  t.equal(gen.status, 0, `bssgate dissector --framing ${profile}: ${gen.stderr}`);
  writeFileSync(lua, gen.stdout);
  return lua;
}

function call(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'call', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`bssgate call ${args.join(' ')}: no exit within 60 s`));
    }, 60_000);
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

t.test('issue 18/19: tshark with `bssgate dissector --framing` shows a real h2 and bss86 run field by field, by name', { skip }, async (t) => {
  const dir = t.testdir();
  mkdirSync(join(dir, 'logs'));
  const [h2Port, bssPort] = [await freePort(), await freePort()];
  const ini = join(dir, 'g.ini');
  writeFileSync(
    ini,
    [
      '[interface.cs_h2]', 'kind = cs', 'host = 127.0.0.1', `port = ${h2Port}`, `framing = ${profileFile('h2')}`,
      '[interface.cs_bss]', 'kind = cs', 'host = 127.0.0.1', `port = ${bssPort}`, `framing = ${profileFile('bss86')}`,
      '[database]', 'type = sqlite', `path = ${join(dir, 'g.db')}`, 'demo_subscribers = 20', 'demo_seed = 1',
      '[log]', `dir = ${join(dir, 'logs')}`, '',
    ].join('\n'),
  );
  const gw = await serve(ini, 120_000);
  t.teardown(() => gw.stop());
  const h2Lua = generate(t, dir, 'h2', [h2Port]);
  const bssLua = generate(t, dir, 'bss86', [bssPort]);

  const cap = join(dir, 'run.pcapng');
  const dumpcap = spawn('dumpcap', ['-i', 'lo', '-f', `tcp port ${h2Port} or tcp port ${bssPort}`, '-w', cap], { stdio: ['ignore', 'ignore', 'pipe'] });
  const dumpcapExit = new Promise<number | null>((r) => dumpcap.once('exit', (c) => r(c)));
  t.teardown(() => dumpcap.kill('SIGKILL'));
  let dumpcapErr = '';
  dumpcap.stderr!.on('data', (c: Buffer) => (dumpcapErr += c.toString()));
  await waitFor(`dumpcap capturing (${dumpcapErr})`, async () => /Capturing on/.test(dumpcapErr) || dumpcap.exitCode !== null, 60_000);
  if (dumpcap.exitCode !== null) {
    t.skip(`dumpcap cannot capture on the loopback interface here: ${dumpcapErr.trim()}`, () => undefined);
    return;
  }

  const svcnum = demoFixtures(1).first.svcnum;
  const h2 = ['--framing', profileFile('h2'), '--json'];
  const bss = ['--framing', profileFile('bss86'), '--json', '--header', `phone=${svcnum}`, 'office=F010ZB'];
  const calls: { args: string[]; code: number }[] = [
    { args: [`127.0.0.1:${h2Port}`, 'connection-check', ...h2], code: 0 }, // service table 000101
    { args: [`127.0.0.1:${h2Port}`, 'balance', `svcnum=${svcnum}`, ...h2], code: 0 }, // service table 001400
    { args: [`127.0.0.1:${h2Port}`, 'status', `svcnum=${svcnum}`, ...h2], code: 0 }, // not in the table: the digits 000108
    { args: [`127.0.0.1:${h2Port}`, 'prepayment-history', 'offset=0', 'limit=20', `svcnum=${svcnum}`, ...h2], code: 0 }, // a list
    { args: [`127.0.0.1:${h2Port}`, 'balance', 'svcnum=13900000000', ...h2], code: 2 }, // a refusal: 2001 written 02001
    { args: [`127.0.0.1:${bssPort}`, 'balance', `svcnum=${svcnum}`, '--serial', 'TS18BAL', ...bss], code: 0 },
    { args: [`127.0.0.1:${bssPort}`, 'profile', `svcnum=${svcnum}`, '--serial', 'TS18PRO', '--operator', 'SUPERUSR', ...bss], code: 0 },
  ];
  const answers: { result: number; body: Record<string, unknown> | null }[] = [];
  for (const c of calls) {
    const r = await call(c.args);
    t.equal(r.code, c.code, `bssgate call ${c.args.slice(0, 2).join(' ')}: ${r.stderr}`);
    answers.push(JSON.parse(r.stdout) as { result: number; body: Record<string, unknown> | null });
  }
  // One h2 balance request written in three pieces: three segments, reassembled by the dissector.
  const p2 = loadFramingProfile(profileFile('h2'));
  const balance = CONTRACTS.find((c) => c.biz === 114)!;
  const head = requestHead(p2, 114, { operator: '', now: new Date() });
  const [pkt] = encodePackets(p2, head.values, encodeTextBody(p2, balance.request, { svcnum }));
  const socket = net.connect({ host: '127.0.0.1', port: h2Port });
  socket.setNoDelay(true);
  await new Promise<void>((res, rej) => socket.once('connect', () => res()).once('error', rej));
  let got = Buffer.alloc(0);
  socket.on('data', (d: Buffer) => (got = Buffer.concat([got, d])));
  const write = (b: Buffer) => new Promise<void>((r) => socket.write(b, () => r()));
  await write(pkt.subarray(0, 3));
  await new Promise((r) => setImmediate(r));
  await write(pkt.subarray(3, 20));
  await new Promise((r) => setImmediate(r));
  await write(pkt.subarray(20));
  await waitFor('the answer to the request in three pieces', async () => got.includes(p2.terminator), 60_000, 10);
  socket.end();
  await new Promise((r) => socket.once('close', r));

  const profiles = new Map([[h2Port, p2], [bssPort, loadFramingProfile(profileFile('bss86'))]]);
  const luas = [h2Lua, bssLua];
  const prefs = [`bssgate_h2.ports:${h2Port}`, `bssgate_bss86.ports:${bssPort}`];
  const messages = (calls.length + 1) * 2;
  await waitFor('the capture holds every message', async () => oracle(cap, profiles).length >= messages, 60_000, 500);
  dumpcap.kill('SIGINT');
  await dumpcapExit;

  const expected = oracle(cap, profiles);
  t.equal(expected.length, messages, `${messages} messages in the capture`);
  const shown = tsharkView(cap, luas, prefs);
  t.equal(shown.length, expected.length, 'tshark shows every message');
  expected.forEach((e, i) => {
    const s = shown[i];
    t.equal(s?.frame, e.frame, `message ${i}: shown in the frame that completes it`);
    t.same(s?.fields, e.fields, `message ${i} (${e.fields.find(([k]) => k.endsWith('.biz_name'))?.[1]} ${e.request ? 'request' : 'reply'}): every header and body field by name with its value`);
  });

  // bssgate call's own reading of the answers is what tshark shows.
  const value = (proto: string, key: string) => shown.filter((s) => s.proto === proto).flatMap((s) => s.fields.filter(([k]) => k === `${proto}.${key}`).map(([, v]) => v));
  t.ok(value('bssgate_h2', 'balance.response.balance').includes(String(answers[1].body!.balance)), 'h2 balance: the balance bssgate call read');
  t.ok(value('bssgate_h2', 'service').includes('1400') && value('bssgate_h2', 'biz_name').includes('balance'), 'h2: service 001400 → balance (the profile\'s table)');
  t.ok(value('bssgate_h2', 'biz_name').includes('status'), 'h2: service 000108, not in the table, → status by its digits');
  t.ok(value('bssgate_h2', 'result_name').includes('NO_SUBSCRIBER') && value('bssgate_h2', 'error').includes('2001'), 'h2: error 02001 → NO_SUBSCRIBER');
  t.ok(value('bssgate_h2', 'prepayment-history.response.items.amount').length > 0, 'h2: list records as fields of their own');
  t.ok(value('bssgate_bss86', 'serial').includes('TS18BAL') && value('bssgate_bss86', 'serial').includes('TS18PRO'), 'bss86: serial by name');
  t.ok(value('bssgate_bss86', 'profile.response.subscrbid').includes(String(answers[6].body!.subscrbid)), 'bss86 profile: the subscriber bssgate call read');
  t.ok(value('bssgate_bss86', 'operator').includes('SUPERUSR') && value('bssgate_bss86', 'office').includes('F010ZB'), 'bss86: operator and echoed fields by name');

  // Reassembly over segments, request ↔ reply links, names in the tree.
  const verbose = spawnSync('tshark', ['-r', cap, '-2', ...luas.flatMap((l) => ['-X', `lua_script:${l}`]), ...prefs.flatMap((x) => ['-o', x]), '-V'], { encoding: 'utf8', maxBuffer: 1 << 28, timeout: 120_000 }).stdout;
  t.match(verbose, /\[3 Reassembled TCP Segments/, 'a packet reassembled from three TCP segments');
  t.match(verbose, /items\[0\]/, 'list records as subtrees');
  t.match(verbose, /error: 2001\n[^]*return code name: NO_SUBSCRIBER/, 'the error field and the return code it stands for by name');
  t.match(verbose, /response in: \d+/, 'a request links its reply');
  t.match(verbose, /request in: \d+/, 'a reply links its request');
  // Every request links the reply that follows it on its stream (replies come in order).
  const links = spawnSync('tshark', ['-r', cap, '-2', ...luas.flatMap((l) => ['-X', `lua_script:${l}`]), ...prefs.flatMap((x) => ['-o', x]), '-T', 'fields', '-e', 'frame.number', '-e', 'bssgate_h2.response_in', '-e', 'bssgate_bss86.response_in', '-Y', 'bssgate_h2.direction == "request" || bssgate_bss86.direction == "request"'], { encoding: 'utf8', timeout: 120_000 }).stdout;
  const linked = links.split('\n').filter(Boolean).map((l) => l.split('\t'));
  t.equal(linked.length, calls.length + 1, 'every request is shown');
  t.ok(linked.every(([, a, b]) => Number(a || b) > 0), `every request links its reply (${JSON.stringify(linked)})`);
  t.match(verbose, /flag: 1 \(success\)/, 'the flag by meaning');
});

t.test('issue 18/19: an h2 reply in two packets, split over segments, is joined and dissected on its last packet (written capture)', { skip }, async (t) => {
  const dir = t.testdir();
  const p = loadFramingProfile(profileFile('h2'));
  // The same profile with small packets, so that a reply takes two (the dissector is generated from it).
  const small = join(dir, 'h2-small.json');
  const json = JSON.parse((await import('node:fs')).readFileSync(profileFile('h2'), 'utf8')) as { packets: { size: number }; name: string };
  json.packets.size = 120;
  writeFileSync(small, JSON.stringify(json));
  const ps = loadFramingProfile(small);
  const gen = spawnSync(process.execPath, [cli, 'dissector', '--framing', small, '--ports', '9931'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  t.equal(gen.status, 0, gen.stderr);
  const lua = join(dir, 'h2.lua');
  writeFileSync(lua, gen.stdout);
  const c = CONTRACTS.find((x) => x.biz === 117)!;
  const items = Array.from({ length: 4 }, (_, i) => ({ paysn: `PS${i}`, paymode: '1', amount: 1000n + BigInt(i), paytime: '20240601120000', source: 'card', serial: `S${i}`, payStatus: '0', operator: 'OP1' }));
  const reqHead = requestHead(ps, 117, { operator: '', now: new Date() });
  const req = encodePackets(ps, reqHead.values, encodeTextBody(ps, c.request, { offset: 0, limit: 20, svcnum: '13997000001' }));
  const reply = encodePackets(ps, { ...reqHead.values, flag: '1', error: '00000' }, encodeTextBody(ps, c.response, { total: 4, items } as unknown as BodyRecord));
  t.ok(reply.length >= 2, `the reply takes ${reply.length} packets`);
  const segments: Segment[] = [{ from: 'c', data: Buffer.concat(req) }];
  for (const pk of reply) {
    segments.push({ from: 's', data: pk.subarray(0, 30) }, { from: 's', data: pk.subarray(30) });
  }
  const cap = join(dir, 'two.pcap');
  writePcap(cap, [{ clientPort: 40001, serverPort: 9931, segments }]);
  const expected = oracle(cap, new Map([[9931, ps]]));
  t.equal(expected.length, 2, 'one request, one reply (of several packets)');
  const shown = tsharkView(cap, [lua], ['bssgate_h2.ports:9931']);
  t.equal(shown.length, 1 + reply.length, 'every packet is shown');
  t.same(shown[0].fields, expected[0].fields, 'the request');
  const last = shown[shown.length - 1];
  const joinedFields = expected[1].fields;
  t.same(last.fields.filter(([k]) => k !== 'bssgate_h2.packets'), joinedFields, 'the last packet shows the whole joined body by name');
  t.same(last.fields.find(([k]) => k === 'bssgate_h2.packets')?.[1], String(reply.length), 'and how many packets were joined');
  t.same(shown[1].fields.find(([k]) => k === 'bssgate_h2.last')?.[1], '0', 'the first reply packet: more follow');
  t.ok(shown[1].fields.some(([k]) => k === 'bssgate_h2.fragment'), 'the first reply packet shows its body as a fragment');
  t.ok(p.packets.size > ps.packets.size);
});

t.test('issue 18/19: card-recharge (start byte, fixed-width body, yuan, heartbeat, check code, replies by serial) in a written capture', { skip }, async (t) => {
  const dir = t.testdir();
  const p = loadFramingProfile(profileFile('card-recharge'));
  const lua = generate(t, dir, 'card-recharge', [9941]);
  // The profile's own examples (a PC-03 payment and its reply, signed), a PC-01 number check and
  // its refusal, two heartbeats; the two requests are answered in the reverse order (by serial).
  const exReq = p.examples.find((e) => e.direction === 'request')!.packet;
  const exRep = p.examples.find((e) => e.direction === 'reply')!.packet;
  const verify = CONTRACTS.find((c) => c.biz === BUSINESS_ROWS.find((r) => r.ids.includes('PC-01'))!.code)!;
  const head = requestHead(p, verify.biz, { serial: 'TS18VERIFY', operator: '', now: new Date(), extra: { bizType: '01', phone: '13997000001', phoneType: '1', accessId: '001' } });
  const vReq = encodePackets(p, head.values, encodeTextBody(p, verify.request, { svcnum: '13997000001', password: '123456' }))[0];
  const vRep = encodePackets(p, { ...head.values, flag: '0', error: '05021' }, Buffer.from('no subscriber', 'latin1'))[0];
  const beat = Buffer.from('@GWHEARTBEATTEST\x1a', 'latin1');
  const segments: Segment[] = [
    { from: 'c', data: beat },
    { from: 's', data: beat },
    { from: 'c', data: exReq.subarray(0, 50) },
    { from: 'c', data: Buffer.concat([exReq.subarray(50), vReq]) },
    { from: 's', data: vRep },
    { from: 's', data: exRep },
  ];
  const cap = join(dir, 'rc.pcap');
  writePcap(cap, [{ clientPort: 40002, serverPort: 9941, segments }]);
  const expected = oracle(cap, new Map([[9941, p]]));
  t.equal(expected.length, 4, 'two requests, two replies (heartbeats aside)');
  const shown = tsharkView(cap, [lua], ['bssgate_card_recharge.ports:9941']);
  const beats = shown.filter((s) => s.fields.some(([k]) => k === 'bssgate_card_recharge.heartbeat'));
  t.equal(beats.length, 2, 'both heartbeats shown as such');
  const messages = shown.filter((s) => !beats.includes(s));
  t.equal(messages.length, 4);
  expected.forEach((e, i) => t.same(messages[i]?.fields, e.fields, `message ${i}: every header field and fixed-width body field by name with its value`));
  const pay = messages[0].fields;
  t.ok(pay.some(([k, v]) => k === 'bssgate_card_recharge.biz_name' && v === BUSINESS_ROWS.find((r) => r.ids.includes('PC-03'))!.name), 'service 010202 → the PC-03 payment by name');
  t.ok(messages[2].fields.some(([k, v]) => k === 'bssgate_card_recharge.result_name' && v === 'NO_SUBSCRIBER'), 'error 05021 → NO_SUBSCRIBER through the error table');
  // Replies by serial: the first reply (to the second request) links the second request.
  const links = spawnSync('tshark', ['-r', cap, '-2', '-X', `lua_script:${lua}`, '-o', 'bssgate_card_recharge.ports:9941', '-T', 'fields', '-e', 'frame.number', '-e', 'bssgate_card_recharge.serial', '-e', 'bssgate_card_recharge.request_in', '-e', 'bssgate_card_recharge.response_in', '-Y', 'bssgate_card_recharge.serial'], { encoding: 'utf8', timeout: 120_000 }).stdout;
  const rows = links.split('\n').filter(Boolean).map((l) => l.split('\t'));
  const reqFrame = (serial: string) => rows.find(([, s, , res]) => s.includes(serial) && res)?.[0];
  const repOf = (serial: string) => rows.find(([, s, req]) => s.includes(serial) && req);
  t.equal(repOf('TS18VERIFY')?.[2], reqFrame('TS18VERIFY'), `the refusal links the request of its serial (${JSON.stringify(rows)})`);
  t.equal(repOf('20240601093001')?.[2], reqFrame('20240601093001'), 'the payment reply links the payment request');
});

t.test('issue 18/19: bssgate dissector --framing refuses what it cannot generate: exit 1 and a message naming the option, file and JSON path', async (t) => {
  const dir = t.testdir();
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, 'dissector', ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  const noPorts = run('--framing', profileFile('h2'));
  t.equal(noPorts.status, 1);
  t.match(noPorts.stderr, /--framing needs --ports/);
  t.equal(noPorts.stdout, '', 'nothing printed');
  const missingFile = run('--framing', join(dir, 'nope.json'), '--ports', '9931');
  t.equal(missingFile.status, 1);
  t.match(missingFile.stderr, /nope\.json: \$: cannot read: ENOENT/);
  const broken = join(dir, 'broken.json');
  const json = JSON.parse((await import('node:fs')).readFileSync(profileFile('h2'), 'utf8')) as Record<string, unknown>;
  delete json.terminator;
  writeFileSync(broken, JSON.stringify(json));
  const bad = run('--framing', broken, '--ports', '9931');
  t.equal(bad.status, 1);
  t.match(bad.stderr, /broken\.json: \$\.terminator: missing/);
  t.notMatch(bad.stderr, /\n\s+at /, 'no stack trace');
  const badPorts = run('--framing', profileFile('h2'), '--ports', 'x');
  t.equal(badPorts.status, 1);
  t.match(badPorts.stderr, /--ports "x": expected comma-separated ports/);
  const ok = run('--framing', profileFile('bss86'), '--ports', '9931,9940-9942');
  t.equal(ok.status, 0, ok.stderr);
  t.match(ok.stdout, /local P = Proto\("bssgate_bss86"/, 'the protocol is named after the profile');
});

t.test('issue 18/19: a body that does not match its layout is flagged (expert info bssgate_h2.malformed), not a Lua error', { skip }, async (t) => {
  const dir = t.testdir();
  const p = loadFramingProfile(profileFile('h2'));
  const lua = generate(t, dir, 'h2', [9931]);
  const head = requestHead(p, 114, { operator: '', now: new Date() });
  const twoFields = encodePackets(p, head.values, Buffer.from('13997000001\textra', 'latin1'))[0];
  const extraRecord = encodePackets(p, head.values, Buffer.from('13997000001\r\nmore', 'latin1'))[0];
  const cap = join(dir, 'bad.pcap');
  writePcap(cap, [{ clientPort: 40003, serverPort: 9931, segments: [{ from: 'c', data: twoFields }, { from: 'c', data: extraRecord }] }]);
  const r = spawnSync('tshark', ['-r', cap, '-X', `lua_script:${lua}`, '-o', 'bssgate_h2.ports:9931', '-V'], { encoding: 'utf8', timeout: 120_000 });
  t.equal(r.status, 0, r.stderr);
  t.notMatch(r.stderr.replace(/Running as user.*\n/, ''), /Lua: Error|error/i, 'no Lua error');
  t.match(r.stdout, /record 1 has 2 fields, the layout 1/, 'a record with a field too many');
  t.match(r.stdout, /1 record after the body's layout/, 'a record after the layout');
  t.match(r.stdout, /svcnum: 13997000001/, 'the fields that match are still shown');
});
