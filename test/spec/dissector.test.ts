// Issue 18: the Wireshark dissector (`bssgate dissector > bssgate.lua`, generated from spec.json)
// read by the real tshark on a capture of a real run. A real gateway (`bssgate serve`, demo data)
// is sent every business type's example request (SPEC.md's examples) on the interface serving it,
// while dumpcap captures the loopback interface filtered to the gateway's ports. Some requests are
// written in three pieces (three TCP segments: reassembly), some two in one write (two frames in one
// segment). Then `tshark -2 -X lua_script:bssgate.lua -T json` must show, for every frame sent and
// received, every header field and every body field the SPEC names, by name, with the value the
// client sent or decoded (lists as subtrees, one per record), the business type and the return code
// by name, and each request linked to its response by seq (response_in / request_in).
// Without tshark and dumpcap (Debian package tshark; .ci/run installs it) the test is skipped.
import t, { type Test } from 'tap';
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { writePcap, type Segment } from '../helpers/pcap.js';
import { join } from 'node:path';
import net from 'node:net';
import { CONTRACTS } from '../../handlers/contracts/index.js';
import { BUSINESS_ROWS } from '../../protocol/business-types.js';
import { FrameDecoder } from '../../protocol/frame.js';
import { decodeHeader } from '../../protocol/header.js';
import type { BodyRecord, Layout } from '../../protocol/layout-types.js';
import { decodeRequestBody, decodeResponse, encodeRequest } from '../../protocol/message.js';
import { returnCode } from '../../protocol/return-codes.js';
import { formatDateTime } from '../../src/time.js';
import { cli, freePort, root, serve, waitFor } from '../helpers/serve.js';

t.setTimeout(360_000);

function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
}
const missing = ['tshark', 'dumpcap'].filter((c) => !has(c));
const skip = missing.length > 0 ? `${missing.join(' and ')} not installed (Debian package tshark; .ci/run installs it)` : false;

/** One frame the client sent or received, and what the dissector must show for it. */
interface Pdu {
  kind: 'request' | 'response';
  biz: number;
  seq: number;
  bytes: Buffer;
  /** [field abbreviation, value] in tree order, header and body. */
  expected: [string, string][];
}

/** The fields of `body` laid out by `layout`, as the dissector names them, in order. */
function bodyFields(layout: Layout, body: BodyRecord, prefix: string, out: [string, string][]): void {
  for (const f of layout) {
    const v = body[f.name];
    const name = `${prefix}.${f.name}`;
    if (f.type === 'list') {
      const items = v as BodyRecord[];
      out.push([name, String(items.length)]);
      for (const item of items) bodyFields(f.of, item, name, out);
    } else out.push([name, typeof v === 'bigint' ? v.toString() : String(v)]);
  }
}

function expectedOf(kind: 'request' | 'response', bytes: Buffer, layouts: { request: Layout; response: Layout }, name: string): [string, string][] {
  const h = decodeHeader(bytes);
  const out: [string, string][] = [
    ['bssgate.length', String(bytes.length - 4)],
    ['bssgate.version', String(h.version)],
    ['bssgate.kind', String(h.kind)],
    ['bssgate.biz', String(h.biz)],
    ['bssgate.biz_name', name],
    ['bssgate.seq', String(h.seq)],
    ['bssgate.serial', h.serial],
    ['bssgate.time', h.time],
    ['bssgate.operator', h.operator],
    ['bssgate.result', String(h.result)],
    ['bssgate.result_name', returnCode(h.result)?.name ?? '?'],
    ['bssgate.reserved', String(h.reserved)],
  ];
  if (kind === 'request') {
    bodyFields(layouts.request, decodeRequestBody(bytes, layouts.request), `bssgate.${name}.request`, out);
  } else {
    const r = decodeResponse(bytes, layouts.response);
    out.push(['bssgate.message', r.message]);
    if (r.body) bodyFields(layouts.response, r.body, `bssgate.${name}.response`, out);
  }
  return out;
}

/** Every [key, value] leaf under `node` whose key names a bssgate field, in document order. */
function leaves(node: unknown, out: [string, string][] = []): [string, string][] {
  if (Array.isArray(node)) {
    for (const x of node) leaves(x, out);
  } else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (typeof v === 'string' && k.startsWith('bssgate.')) out.push([k, v]);
      else if (Array.isArray(v) && v.every((x) => typeof x === 'string') && k.startsWith('bssgate.')) for (const x of v) out.push([k, x as string]);
      else leaves(v, out);
    }
  }
  return out;
}


type Tshark = (...extra: string[]) => SpawnSyncReturns<string>;

function tsharkOn(cap: string, lua: string, ports: number[]): Tshark {
  return (...extra: string[]) =>
    spawnSync('tshark', ['-r', cap, '-2', '-X', `lua_script:${lua}`, '-o', `bssgate.ports:${ports.join(',')}`, '-Y', 'bssgate', ...extra], { encoding: 'utf8', timeout: 120_000, maxBuffer: 1 << 28 });
}

/** tshark's view of the capture against what was sent and received (`pdus`). */
async function checkCapture(t: Test, tshark: Tshark, pdus: Pdu[]): Promise<void> {
  const run = tshark('-T', 'json', '--no-duplicate-keys');
  t.equal(run.status, 0, `tshark: ${run.stderr.replace(/Running as user.*\n/, '')}`);
  t.notMatch(run.stderr, /Lua: Error|error/i, 'the Lua dissector loads and runs without error');
  const packets = JSON.parse(run.stdout) as { _source: { layers: Record<string, unknown> } }[];
  interface Shown { frame: number; segments: boolean; fields: [string, string][] }
  const shown: Shown[] = [];
  for (const p of packets) {
    const layers = p._source.layers;
    const frame = Number((layers.frame as Record<string, string>)['frame.number']);
    const tcp = layers.tcp as Record<string, unknown>;
    const segments = 'tcp.segments' in layers || (tcp && 'tcp.segments' in tcp);
    const instances = Array.isArray(layers.bssgate) ? layers.bssgate : [layers.bssgate];
    for (const b of instances) shown.push({ frame, segments, fields: leaves(b) });
  }
  t.equal(shown.length, pdus.length, `tshark shows ${pdus.length} bssgate frames`);

  const framesOf = new Map<string, number>();
  for (const pdu of pdus) {
    const key = `${pdu.kind} ${pdu.seq}`;
    const name = BUSINESS_ROWS.find((r) => r.code === pdu.biz)!.name;
    const s = shown.find((x) => x.fields.some(([k, v]) => k === 'bssgate.seq' && v === String(pdu.seq)) && x.fields.some(([k, v]) => k === 'bssgate.kind' && v === (pdu.kind === 'request' ? '1' : '2')));
    if (!s) {
      t.fail(`${key} ${name}: not in tshark's output`);
      continue;
    }
    framesOf.set(key, s.frame);
    t.same(s.fields.filter(([k]) => !LINKS.has(k)), pdu.expected, `${pdu.kind} ${pdu.biz} ${name}: every field by name with its value`);
  }
  // Request <-> response by seq.
  for (const pdu of pdus.filter((p) => p.kind === 'request')) {
    const req = shown.find((x) => x.frame === framesOf.get(`request ${pdu.seq}`) && x.fields.some(([k, v]) => k === 'bssgate.seq' && v === String(pdu.seq)));
    const res = shown.find((x) => x.frame === framesOf.get(`response ${pdu.seq}`) && x.fields.some(([k, v]) => k === 'bssgate.seq' && v === String(pdu.seq)));
    t.same(req?.fields.find(([k]) => k === 'bssgate.response_in')?.[1], String(framesOf.get(`response ${pdu.seq}`)), `seq ${pdu.seq}: the request links its response`);
    t.same(res?.fields.find(([k]) => k === 'bssgate.request_in')?.[1], String(framesOf.get(`request ${pdu.seq}`)), `seq ${pdu.seq}: the response links its request`);
  }
  // Reassembly over segments, and several frames in one segment, were exercised.
  t.ok(shown.some((s) => s.segments), 'a frame reassembled from several TCP segments');
  t.ok(new Set(shown.map((s) => s.frame)).size < shown.length, 'several frames in one segment');
  // Every business type, lists as subtrees with a record each, code fields' meanings, GBK text.
  t.same([...new Set(pdus.map((p) => p.biz))].sort(), CONTRACTS.map((c) => c.biz).sort(), 'every business type is in the capture');
  const verbose = tshark('-V').stdout;
  t.match(verbose, /items\[0\]/, 'list records as subtrees');
  t.match(verbose, /return code: OK/, 'return codes by name');
  t.match(verbose, /message: 成功/, 'GBK text decoded');
}

const LINKS = new Set(['bssgate.response_in', 'bssgate.request_in', 'bssgate.response_time']);

t.test('issue 18: tshark with the generated dissector shows every field of every business type of a real run, by name, with its value', { skip }, async (t) => {
  const dir = t.testdir();
  mkdirSync(join(dir, 'logs'));
  const kinds = ['cs', 'card', 'print', 'sms'] as const;
  const ports = Object.fromEntries(await Promise.all(kinds.map(async (k) => [k, await freePort()] as const))) as Record<(typeof kinds)[number], number>;
  const ini = join(dir, 'h.ini');
  writeFileSync(
    ini,
    [
      ...kinds.flatMap((k) => [`[interface.${k}]`, 'host = 127.0.0.1', `port = ${ports[k]}`]),
      '[database]',
      'type = sqlite',
      `path = ${join(dir, 'bssgate.db')}`,
      'password_storage = scrypt',
      'demo_subscribers = 120',
      'demo_seed = 1',
      '[log]',
      `dir = ${join(dir, 'logs')}`,
      '',
    ].join('\n'),
  );
  const gw = await serve(ini, 120_000);
  t.teardown(() => gw.stop());

  // The dissector, generated by the CLI as an integrator runs it.
  const lua = join(dir, 'bssgate.lua');
  const gen = spawnSync(process.execPath, [cli, 'dissector'], { cwd: root, encoding: 'utf8', timeout: 120_000, maxBuffer: 1 << 26 });
  t.equal(gen.status, 0, `bssgate dissector: ${gen.stderr}`);
  writeFileSync(lua, gen.stdout);

  // Capture the loopback interface, the gateway's ports only.
  const cap = join(dir, 'run.pcapng');
  const filter = Object.values(ports).map((p) => `tcp port ${p}`).join(' or ');
  const dumpcap = spawn('dumpcap', ['-i', 'lo', '-f', filter, '-w', cap], { stdio: ['ignore', 'ignore', 'pipe'] });
  const dumpcapExit = new Promise<number | null>((r) => dumpcap.once('exit', (c) => r(c)));
  t.teardown(() => dumpcap.kill('SIGKILL'));
  let dumpcapErr = '';
  dumpcap.stderr!.on('data', (c: Buffer) => (dumpcapErr += c.toString()));
  await waitFor(`dumpcap capturing (${dumpcapErr})`, async () => /Capturing on/.test(dumpcapErr) || dumpcap.exitCode !== null, 60_000);
  if (dumpcap.exitCode !== null) {
    // Capturing needs CAP_NET_RAW (root in CI). Without it the written capture below still runs.
    t.skip(`dumpcap cannot capture on the loopback interface here: ${dumpcapErr.trim()}`, () => undefined);
    return;
  }

  // Every business type's example request, on the first interface serving it.
  const pdus: Pdu[] = [];
  const byIface = new Map<string, { biz: number; frame: Buffer }[]>();
  let seq = 1000;
  const stamp = Date.now().toString(36).toUpperCase();
  for (const c of CONTRACTS) {
    const row = BUSINESS_ROWS.find((r) => r.code === c.biz)!;
    const frame = encodeRequest({ biz: c.biz, seq: seq++, serial: `T18${stamp}${c.biz}`, time: formatDateTime(new Date()), operator: 'TSHARK' }, c.request, c.example!.request);
    pdus.push({ kind: 'request', biz: c.biz, seq: seq - 1, bytes: frame, expected: expectedOf('request', frame, c, row.name) });
    const iface = row.interfaces[0];
    byIface.set(iface, [...(byIface.get(iface) ?? []), { biz: c.biz, frame }]);
  }
  for (const [iface, reqs] of byIface) {
    const socket = net.connect({ host: '127.0.0.1', port: ports[iface as (typeof kinds)[number]] });
    socket.setNoDelay(true);
    await new Promise<void>((res, rej) => socket.once('connect', () => res()).once('error', rej));
    const decoder = new FrameDecoder({ maxFrame: 1 << 24 });
    const got: Buffer[] = [];
    socket.on('data', (d: Buffer) => got.push(...decoder.push(d)));
    const write = (b: Buffer) => new Promise<void>((r) => socket.write(b, () => r()));
    for (let i = 0; i < reqs.length; i++) {
      const n = got.length;
      if (i % 3 === 0) {
        // Three writes, three segments: the dissector must reassemble the frame.
        const f = reqs[i].frame;
        await write(f.subarray(0, 3));
        await new Promise((r) => setImmediate(r));
        await write(f.subarray(3, 40));
        await new Promise((r) => setImmediate(r));
        await write(f.subarray(40));
      } else if (i % 3 === 1 && i + 1 < reqs.length) {
        // Two frames in one write.
        await write(Buffer.concat([reqs[i].frame, reqs[i + 1].frame]));
        await waitFor(`answers on ${iface}`, async () => got.length >= n + 2, 60_000, 10);
        i++;
        continue;
      } else await write(reqs[i].frame);
      await waitFor(`answer on ${iface}`, async () => got.length >= n + 1, 60_000, 10);
    }
    socket.end();
    await new Promise((r) => socket.once('close', r));
    for (const f of got) {
      const h = decodeHeader(f);
      const c = CONTRACTS.find((x) => x.biz === h.biz)!;
      pdus.push({ kind: 'response', biz: h.biz, seq: h.seq, bytes: f, expected: expectedOf('response', f, c, BUSINESS_ROWS.find((r) => r.code === h.biz)!.name) });
    }
  }
  const answeredOk = pdus.filter((p) => p.kind === 'response' && p.bytes.readUInt16BE(56) === 0).length;
  t.equal(pdus.filter((p) => p.kind === 'response').length, CONTRACTS.length, 'every request was answered');
  // The examples are SPEC's, not the demo data's: many are refused (their answers carry the message only).
  // Every response field with a value is checked on the written capture below.
  t.comment(`${answeredOk} of ${CONTRACTS.length} example requests answered 0 by the demo data`);

  // Read the capture until it holds every frame (dumpcap writes as it captures), then stop it.
  const tshark = tsharkOn(cap, lua, Object.values(ports));
  await waitFor('the capture holds every frame', async () => {
    const r = tshark('-T', 'fields', '-e', 'bssgate.seq');
    return r.status === 0 && r.stdout.split(/[\s,]+/).filter(Boolean).length >= pdus.length;
  }, 60_000, 500);
  dumpcap.kill('SIGINT');
  await dumpcapExit;

  await checkCapture(t, tshark, pdus);
});

t.test('issue 18: tshark with the generated dissector shows every field of every example of spec.json (SPEC.md), success responses included, from a written pcap', { skip }, async (t) => {
  // The live run above answers many of SPEC's example requests with refusals (the demo data is not
  // the examples'); this capture, written from spec.json's examples (every request and its
  // successful response), shows every response field the SPEC names with a value. Each frame is
  // split over segments of 23 bytes every third business type, and two requests share a segment
  // elsewhere, so reassembly and several frames per segment are both exercised.
  const dir = t.testdir();
  const spec = JSON.parse(readFileSync(join(root, 'protocol/spec.json'), 'utf8')) as { examples: { name: string; biz: number; direction: string; hex: string }[] };
  const lua = join(dir, 'bssgate.lua');
  const gen = spawnSync(process.execPath, [cli, 'dissector', '--spec', join(root, 'protocol/spec.json')], { cwd: root, encoding: 'utf8', timeout: 120_000, maxBuffer: 1 << 26 });
  t.equal(gen.status, 0, `bssgate dissector --spec protocol/spec.json: ${gen.stderr}`);
  writeFileSync(lua, gen.stdout);
  const serverPort = 9921;
  const pdus: Pdu[] = [];
  const segments: Segment[] = [];
  const split = (from: 'c' | 's', b: Buffer, size: number) => {
    for (let i = 0; i < b.length; i += size) segments.push({ from, data: b.subarray(i, i + size) });
  };
  const served = CONTRACTS.filter((c) => c.example);
  // The example frames all carry seq 1: give each pair its own seq so that the pairs are told apart.
  const pairs = served.map((c, i) => {
    const seqOf = (hex: string) => {
      const b = Buffer.from(hex, 'hex');
      b.writeUInt32BE(100 + i, 8);
      return b;
    };
    const req = seqOf(spec.examples.find((e) => e.name === `${c.biz}-request`)!.hex);
    const res = seqOf(spec.examples.find((e) => e.name === `${c.biz}-response`)!.hex);
    const name = BUSINESS_ROWS.find((r) => r.code === c.biz)!.name;
    pdus.push({ kind: 'request', biz: c.biz, seq: 100 + i, bytes: req, expected: expectedOf('request', req, c, name) });
    pdus.push({ kind: 'response', biz: c.biz, seq: 100 + i, bytes: res, expected: expectedOf('response', res, c, name) });
    return { req, res };
  });
  for (let i = 0; i < pairs.length; i++) {
    if (i % 3 === 0) {
      split('c', pairs[i].req, 23);
      split('s', pairs[i].res, 23);
    } else if (i % 3 === 1 && i + 1 < pairs.length) {
      segments.push({ from: 'c', data: Buffer.concat([pairs[i].req, pairs[i + 1].req]) });
      segments.push({ from: 's', data: Buffer.concat([pairs[i].res, pairs[i + 1].res]) });
      i++;
    } else {
      segments.push({ from: 'c', data: pairs[i].req });
      segments.push({ from: 's', data: pairs[i].res });
    }
  }
  const cap = join(dir, 'examples.pcap');
  writePcap(cap, [{ clientPort: 40001, serverPort, segments }]);
  t.equal(pdus.filter((p) => p.kind === 'response').length, served.length, `${served.length} business types, each request and its successful response`);
  await checkCapture(t, tsharkOn(cap, lua, [serverPort]), pdus);
});
