// PC-06 client identity: the [client.<id>] sections of the INI files name a client's addresses
// (single addresses and CIDR blocks, IPv4 and IPv6). The loader refuses two sections naming the
// same block on a common interface (conflictingAddresses); the dispatcher identifies each peer by
// them (ClientIdentities). Kept with the settings so that the loader needs nothing of the ledger
// (src/idempotency.ts re-exports these).
import net from 'node:net';
import type { ClientConfig } from './types.js';

/** The identity of a peer whose address no [client.<id>] section names: one shared namespace. */
export const UNCONFIGURED_CLIENT = '*';

interface Net {
  v6: boolean;
  base: bigint;
  bits: number;
  name: string;
}

/** An address as (family, 128- or 32-bit value); ::ffff:a.b.c.d is the IPv4 address. */
export function parseIp(addr: string): { v6: boolean; value: bigint } | undefined {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(addr);
  if (mapped) addr = mapped[1];
  const fam = net.isIP(addr);
  if (fam === 4) {
    let v = 0n;
    for (const o of addr.split('.')) v = (v << 8n) | BigInt(Number(o));
    return { v6: false, value: v };
  }
  if (fam !== 6) return undefined;
  let head = addr;
  let tailV4: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(addr);
  if (v4) {
    tailV4 = v4[1].split('.').map(Number);
    head = addr.slice(0, -v4[1].length) + '0:0';
  }
  const [l, r] = head.includes('::') ? head.split('::') : [head, undefined];
  const left = l ? l.split(':') : [];
  const right = r ? r.split(':') : [];
  const groups = r === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  let v = 0n;
  for (const g of groups) v = (v << 16n) | BigInt(parseInt(g || '0', 16));
  if (tailV4.length) v = (v & ~0xffffffffn) | BigInt(((tailV4[0] << 24) >>> 0) + (tailV4[1] << 16) + (tailV4[2] << 8) + tailV4[3]);
  return { v6: true, value: v };
}

function parseNet(entry: string, name: string): Net {
  const [addr, bitsText] = entry.split('/');
  const ip = parseIp(addr);
  if (!ip) throw new Error(`"${entry}" is not an IP address or CIDR block`);
  const width = ip.v6 ? 128 : 32;
  const bits = bitsText === undefined ? width : Number(bitsText);
  const mask = bits === 0 ? 0n : ((1n << BigInt(bits)) - 1n) << BigInt(width - bits);
  return { v6: ip.v6, base: ip.value & mask, bits, name };
}

function contains(n: Net, ip: { v6: boolean; value: bigint }): boolean {
  if (n.v6 !== ip.v6) return false;
  const width = n.v6 ? 128 : 32;
  const mask = n.bits === 0 ? 0n : ((1n << BigInt(n.bits)) - 1n) << BigInt(width - n.bits);
  return (ip.value & mask) === n.base;
}

/** Whether a [client.<id>] section covers the interface (its `interfaces`; absent = every one). */
export function coversInterface(client: ClientConfig, iface: string): boolean {
  return client.interfaces === undefined || client.interfaces.includes(iface);
}

/**
 * Who a peer is on one interface: the `name` of the [client.<id>] section covering the interface
 * whose addresses hold its address, the most specific block winning (10.1.2.3 in a section beats
 * 10.1.0.0/16 in another); UNCONFIGURED_CLIENT for an address no covering section names. Where
 * `configured` (some section covers the interface), the dispatcher refuses a write from such an
 * address (1010 UNKNOWN_CLIENT, fail closed); elsewhere every peer is the client `*`.
 */
export class ClientIdentities {
  private readonly nets: Net[];
  private readonly cache = new Map<string, string>();

  /** `iface`: the interface's section name; without it every section applies (tests). */
  constructor(clients: readonly ClientConfig[] = [], iface?: string) {
    this.nets = clients
      .filter((c) => iface === undefined || coversInterface(c, iface))
      .flatMap((c) => c.addresses.map((a) => parseNet(a, c.name)))
      .sort((a, b) => b.bits - a.bits);
  }

  /** Some section covers this interface: writes from an address none names are refused. */
  get configured(): boolean {
    return this.nets.length > 0;
  }

  /** The identity of an address (no port). */
  identify(address: string): string {
    let name = this.cache.get(address);
    if (name !== undefined) return name;
    const ip = parseIp(address);
    name = (ip && this.nets.find((n) => contains(n, ip))?.name) ?? UNCONFIGURED_CLIENT;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(address, name);
    return name;
  }
}

/**
 * Two sections naming the same block for different clients on a common interface would make the
 * identity depend on the order of the file: refused by the loader. Returns the first such pair.
 * (The same block in sections of disjoint interfaces is two clients on one host: allowed.)
 */
export function conflictingAddresses(clients: readonly ClientConfig[]): { a: ClientConfig; b: ClientConfig; entry: string } | undefined {
  const seen = new Map<string, ClientConfig[]>();
  const overlap = (a: ClientConfig, b: ClientConfig) => a.interfaces === undefined || b.interfaces === undefined || a.interfaces.some((i) => b.interfaces!.includes(i));
  for (const c of clients) {
    for (const entry of c.addresses) {
      const n = parseNet(entry, c.name);
      const k = `${n.v6 ? 6 : 4}/${n.base}/${n.bits}`;
      const prev = seen.get(k) ?? [];
      const clash = prev.find((p) => p.name !== c.name && overlap(p, c));
      if (clash) return { a: clash, b: c, entry };
      seen.set(k, [...prev, c]);
    }
  }
  return undefined;
}

/** The address part of a RequestOrigin.peer ("10.1.2.3:5555", "::1:5555"). */
export function peerAddress(peer: string): string {
  const i = peer.lastIndexOf(':');
  return i < 0 ? peer : peer.slice(0, i);
}
