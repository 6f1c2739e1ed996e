// One `net` listener per configured interface: the IP allowlist (checked before any byte is
// read: sockets are accepted paused), the connection limit (OP-05: the refused client gets 9003,
// then the close; the refusal is counted and logged), and the set of live connections.
import net from 'node:net';
import { encodeErrorResponse } from '../../protocol/message.js';
import { GatewayError, RETURN_CODES } from '../../protocol/return-codes.js';
import { KIND_REQUEST, type Header } from '../../protocol/header.js';
import { ConfigError, type InterfaceConfig } from '../config/types.js';
import { osReason } from '../dirs.js';
import type { Dispatcher } from '../dispatch.js';
import type { InterfaceLogs } from '../log/index.js';
import type { Clock } from '../clock.js';
import { formatDateTimeMs } from '../time.js';
import { Connection } from './connection.js';
import { TextSession, type CheckKeyOf } from './text-session.js';
import { interfaceMetrics, type InterfaceMetrics } from '../metrics.js';

export interface ListenerStats {
  iface: string;
  connections: number;
  accepted: number;
  refusedLimit: number;
  refusedAllow: number;
  /** Frames read, answers written, 9004 answers given on stop: over every connection so far. */
  frames: number;
  answers: number;
  shuttingDown: number;
}

/** Build a BlockList from `allow` entries (addresses or CIDR blocks); undefined = any address. */
export function buildAllowList(allow: readonly string[]): net.BlockList | undefined {
  if (allow.length === 0) return undefined;
  const list = new net.BlockList();
  for (const entry of allow) {
    const [addr, bits] = entry.split('/');
    const family = net.isIP(addr) === 6 ? 'ipv6' : 'ipv4';
    if (net.isIP(addr) === 0) throw new Error(`allow: "${entry}" is not an IP address or CIDR block`);
    if (bits === undefined) list.addAddress(addr, family);
    else list.addSubnet(addr, Number(bits), family);
  }
  return list;
}

export function isAllowed(list: net.BlockList | undefined, address: string | undefined): boolean {
  if (!list) return true;
  if (!address) return false;
  const family = net.isIP(address) === 6 ? 'ipv6' : 'ipv4';
  if (list.check(address, family)) return true;
  // An IPv4 client on a dual-stack socket shows up as ::ffff:a.b.c.d.
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m !== null && list.check(m[1], 'ipv4');
}

/**
 * A listener that cannot bind (port in use, address not on this host, port < 1024 without the
 * right): a ConfigError naming the file, the section and the key to change (host when the address
 * is the problem, else port) and the OS reason, printed as one line by the CLI.
 */
export function listenError(err: Error, file: string | undefined, section: string, host: string, port: number, portShift?: string): ConfigError {
  const code = (err as NodeJS.ErrnoException).code;
  const key = code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'host' : 'port';
  // A port moved by BSSGATE_PORT_OFFSET / --port-offset says so: the file alone does not show it.
  return new ConfigError(file ?? '(configuration built in code)', section, key, `cannot listen on ${host}:${port}${portShift ? ` (${portShift})` : ''}: ${osReason(err)}`);
}

let nextConnId = 1;

/**
 * Connection ids (the `conn` of every log line) start here. A cluster worker starts at
 * workerNumber × 10^9 so that ids stay unique across the workers writing the same log files.
 */
export function setConnectionIdBase(base: number): void {
  nextConnId = base + 1;
}

export class InterfaceListener {
  readonly iface: InterfaceConfig;
  private readonly server: net.Server;
  private readonly allow: net.BlockList | undefined;
  private readonly conns = new Set<Connection>();
  /** Refused sockets still closing (9003 sent); destroyed on shutdown. */
  private readonly refused = new Set<net.Socket>();
  private readonly stats: ListenerStats;
  /** OP-04/OP-05 counters (bssgate_connections_accepted_total, bssgate_refusals_total). */
  private readonly metrics: InterfaceMetrics;

  constructor(
    iface: InterfaceConfig,
    private readonly deps: { dispatcher: Dispatcher; logs: InterfaceLogs; clock: Clock },
  ) {
    this.iface = iface;
    this.allow = buildAllowList(iface.allow);
    this.metrics = interfaceMetrics(iface.name);
    this.stats = { iface: iface.name, connections: 0, accepted: 0, refusedLimit: 0, refusedAllow: 0, frames: 0, answers: 0, shuttingDown: 0 };
    // pauseOnConnect: no byte is read before the allowlist and the limit have been checked.
    // allowHalfOpen: a client may send its requests and half-close; it still gets every answer.
    this.server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true, noDelay: true }, (s) => this.onSocket(s));
    this.server.on('error', (err) => deps.logs.warn.error({ err }, 'listener error'));
  }

  listen(): Promise<net.AddressInfo> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(listenError(err, this.iface.file, `interface.${this.iface.name}`, this.iface.host, this.iface.port, this.iface.portShift));
      this.server.once('error', onError);
      this.server.listen({ host: this.iface.host, port: this.iface.port, exclusive: false }, () => {
        this.server.off('error', onError);
        resolve(this.server.address() as net.AddressInfo);
      });
    });
  }


  /** For /health/ready: accepting connections now, and where. */
  get listening(): boolean {
    return this.server.listening;
  }

  address(): net.AddressInfo | undefined {
    const a = this.server.address();
    return a && typeof a === 'object' ? a : undefined;
  }

  getStats(): ListenerStats {
    const out = { ...this.stats, connections: this.conns.size };
    for (const c of this.conns) {
      out.frames += c.counters.frames;
      out.answers += c.counters.answers;
      out.shuttingDown += c.counters.shuttingDown;
    }
    return out;
  }

  private onSocket(socket: net.Socket): void {
    const { logs } = this.deps;
    const peer = socket.remoteAddress;
    if (!isAllowed(this.allow, peer)) {
      this.stats.refusedAllow++;
      this.metrics.refused.allowlist.value++;
      logs.err.warn({ peer, refused: 'allowlist', count: this.stats.refusedAllow }, 'connection refused: address not in allow list');
      socket.destroy();
      return;
    }
    if (this.conns.size >= this.iface.maxConnections) {
      this.stats.refusedLimit++;
      this.metrics.refused.limit.value++;
      logs.err.warn(
        { peer, refused: 'limit', code: RETURN_CODES.TOO_MANY_CONNECTIONS.code, limit: this.iface.maxConnections, count: this.stats.refusedLimit },
        'connection refused: too many connections',
      );
      // No request was read, so the refusal is addressed to biz 0, seq 0 (protocol/SPEC.md).
      const header: Header = { version: 1, kind: KIND_REQUEST, biz: 0, seq: 0, serial: '', time: '', operator: '', result: 0, reserved: 0 };
      socket.on('error', () => socket.destroy());
      const refusal = new GatewayError('TOO_MANY_CONNECTIONS');
      socket.end(
        this.iface.framing
          ? new TextSession(this.iface.framing, this.deps.dispatcher, this.deps.clock, this.iface.maxFrame).errorAnswer(header, refusal)
          : encodeErrorResponse(header, refusal, formatDateTimeMs(this.deps.clock.now())),
      );
      // Read (and drop) whatever it sends so its FIN is seen and the socket can finish closing.
      socket.on('data', () => undefined);
      socket.resume();
      this.refused.add(socket);
      const timer = setTimeout(() => socket.destroy(), 2000);
      socket.once('close', () => {
        clearTimeout(timer);
        this.refused.delete(socket);
      });
      return;
    }
    this.stats.accepted++;
    this.metrics.accepted.value++;
    // The one branch of a text framing profile (issue 19): the session stands between the
    // connection and the dispatcher; a v1 interface is wired as before.
    let check: CheckKeyOf | undefined;
    if (this.iface.framing?.check) {
      // The key of the peer's client identity (PC-06), from the environment or the key file.
      const client = this.deps.dispatcher.clientOf(peer ?? '');
      check = { client, key: this.iface.checkKeys?.get(client) };
    }
    const text = this.iface.framing ? new TextSession(this.iface.framing, this.deps.dispatcher, this.deps.clock, this.iface.maxFrame, check) : undefined;
    text?.attach(socket);
    const conn = new Connection({
      id: nextConnId++,
      socket,
      iface: this.iface,
      dispatcher: text ?? this.deps.dispatcher,
      ...(text ? { text } : {}),
      logs,
      clock: this.deps.clock,
      onClose: (c) => {
        if (!this.conns.delete(c)) return;
        this.stats.frames += c.counters.frames;
        this.stats.answers += c.counters.answers;
        this.stats.shuttingDown += c.counters.shuttingDown;
      },
    });
    this.conns.add(conn);
    conn.start();
  }

  /** Stop accepting; existing connections go on. */
  stopAccepting(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /**
   * Graceful stop: no new connections; every connection answers what it already received, then
   * closes. After graceMs whatever is left is closed hard.
   */
  async shutdown(graceMs: number): Promise<void> {
    const closing = this.stopAccepting();
    const all = [...this.conns].map((c) => c.shutdown());
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), graceMs);
    });
    const outcome = await Promise.race([Promise.all(all).then(() => 'done' as const), grace]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      for (const c of this.conns) c.close('shutdown grace expired');
    }
    for (const s of this.refused) s.destroy();
    await closing;
  }
}
