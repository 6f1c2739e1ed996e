// The shadow relay of one [shadow.<name>] section (issue 16). Clients connect to `listen`; each
// client connection gets one primary connection, opened when the client's is and closed when
// either side closes. Bytes go both ways exactly as they come (the relay never re-encodes them),
// with the primary's backpressure and nothing else in their way.
//
// Beside that path, a tap reads copies of the same chunks: requests of a mirrored business type
// are sent to the candidate (and the secondary), and once the primary's and the candidate's
// answers to the same request are in (correlated by seq on this connection), they are decoded
// with the business type's response layout and compared. Every tap step is guarded: a tap that
// cannot frame the stream stops tapping that connection; the client's bytes are unaffected.
import net from 'node:net';
import type { Logger } from 'pino';
import { LAYOUTS_BY_CODE } from '../../handlers/contracts/index.js';
import type { Layout } from '../../protocol/layout-types.js';
import type { ShadowInterface } from './config.js';
import { compareReplies, ignoredFields, type Difference } from './compare.js';
import type { DecodedReply, Reassembler, Splitter } from './framing.js';
import { TargetLink, type Outcome } from './mirror.js';
import { LatencyBuckets, ShadowMetrics } from './metrics.js';
import { ShadowReport } from './report.js';

/** The relay's read buffer for the primaries' answers (one for every connection of the section). */
const RELAY_READ_BYTES = 64 * 1024;

interface Exchange {
  biz: number;
  seq: number | string;
  /** Mirrored: the targets' outcomes are awaited and compared. */
  compare: boolean;
  primary?: Buffer[];
  candidate?: Outcome;
  secondary?: Outcome;
  /** Outcomes still expected (primary, candidate, secondary). */
  open: number;
  /** The client connection's number (in the report's `exchange`: conn#seq). */
  conn?: number;
}

export interface RelayCounters {
  connections: number;
  /** Connections whose bytes the tap could not frame (relayed untouched, not mirrored). */
  tapFailures: number;
  primaryUnreachable: number;
}

export class ShadowRelay {
  readonly report: ShadowReport;
  readonly counters: RelayCounters = { connections: 0, tapFailures: 0, primaryUnreachable: 0 };
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private readonly mirror: ReadonlySet<number>;
  private readonly ignore = new Map<number, Set<string>>();
  private summaryTimer: NodeJS.Timeout | undefined;
  private nextConn = 1;
  /** The primary connections' read buffer, shared: each read is copied out before the next one. */
  private readBuf: Buffer | undefined;
  private candidateLink: TargetLink | undefined;
  private secondaryLink: TargetLink | undefined;
  /** Bytes relayed (client path): plain numbers, read by the metrics at scrape time. */
  readonly relayed = { request: 0, response: 0 };
  /** The candidate's answer times (bssgate_shadow_answer_seconds, read when scraped). */
  readonly latency = new LatencyBuckets();
  /** Exchanges whose outcomes are all in, compared together after this turn's I/O. */
  private toCompare: Exchange[] = [];
  private readonly compareAll = (): void => {
    const all = this.toCompare;
    this.toCompare = [];
    for (const ex of all) this.compare(ex.conn!, ex);
  };

  constructor(
    readonly cfg: ShadowInterface,
    private readonly metrics: ShadowMetrics,
    private readonly log: Logger,
  ) {
    this.mirror = new Set(cfg.mirror);
    this.report = new ShadowReport(cfg.name, cfg.reportDir, cfg.samples);
    for (const b of cfg.mirror) this.ignore.set(b, ignoredFields(b, cfg.ignore));
    metrics.track(this);
  }

  /** Listen; resolves with the bound port (an ephemeral one when listen names port 0). */
  async start(): Promise<number> {
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) => this.onClient(client));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.cfg.listen.port, this.cfg.listen.host, () => {
        server.removeListener('error', reject);
        resolve();
      });
    });
    this.summaryTimer = setInterval(() => void this.report.writeSummary(), 5_000);
    this.summaryTimer.unref();
    return (server.address() as net.AddressInfo).port;
  }

  /** Stop listening, close every connection, write the summary. */
  async stop(): Promise<void> {
    if (this.summaryTimer) clearInterval(this.summaryTimer);
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    this.candidateLink?.close();
    this.secondaryLink?.close();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    await this.report.flush();
  }

  private onClient(client: net.Socket): void {
    this.counters.connections++;
    const conn = this.nextConn++;
    const { cfg, relayed } = this;
    const name = cfg.name;
    // The primary's answers are read into the relay's one read buffer (no allocation and no
    // stream machinery per read) and copied out of it, as they came, before anything else runs.
    const readBuf = (this.readBuf ??= Buffer.allocUnsafe(RELAY_READ_BYTES));
    const primary: net.Socket = net.connect({
      host: cfg.primary.host,
      port: cfg.primary.port,
      allowHalfOpen: true,
      onread: {
        buffer: readBuf,
        callback: (n: number, buf: Uint8Array): boolean => {
          const chunk = Buffer.allocUnsafe(n);
          chunk.set(n === buf.length ? buf : buf.subarray(0, n));
          const ok = client.write(chunk);
          relayed.response += n;
          tap.response(chunk);
          // false: reading stops until the client drains (the primary's backpressure, as before).
          return ok;
        },
      },
    });
    client.setNoDelay(true);
    primary.setNoDelay(true);
    this.sockets.add(client);
    this.sockets.add(primary);
    primary.once('connect', () => client.resume());
    const tap = this.makeTap(conn);

    // ── the client's path: raw bytes both ways, the primary's backpressure only ──
    client.on('data', (chunk: Buffer) => {
      if (!primary.write(chunk)) client.pause();
      relayed.request += chunk.length;
      tap.request(chunk);
    });
    primary.on('drain', () => client.resume());
    // Flowing (no 'data' listener with onread), so that the primary's end of stream is seen.
    primary.resume();
    client.on('drain', () => primary.resume());
    client.on('end', () => primary.end());
    primary.on('end', () => client.end());
    client.on('error', () => primary.destroy());
    primary.on('error', (err) => {
      if (!primary.remoteAddress) {
        this.counters.primaryUnreachable++;
        this.log.warn({ shadow: name, err: err.message }, `[shadow.${name}] primary ${cfg.primary.host}:${cfg.primary.port} unreachable: ${err.message}`);
      }
      client.destroy();
    });
    primary.on('close', () => {
      this.sockets.delete(primary);
      if (!client.destroyed) client.end();
    });
    client.on('close', () => {
      this.sockets.delete(client);
      primary.destroy();
      tap.close();
    });
  }

  /** The mirror targets' links, once opened (for tests and diagnostics). */
  get links(): { candidate?: TargetLink; secondary?: TargetLink } {
    return { candidate: this.candidateLink, secondary: this.secondaryLink };
  }

  /** The section's mirror targets: one shared connection each (src/shadow/mirror.ts), opened on the first mirror. */
  private link(target: 'candidate' | 'secondary'): TargetLink {
    const cfg = this.cfg;
    let l = target === 'candidate' ? this.candidateLink : this.secondaryLink;
    if (!l) {
      l = new TargetLink(target === 'candidate' ? cfg.candidate : cfg.secondary!, cfg.framing, {
        timeoutMs: cfg.timeoutMs,
        maxFrame: cfg.maxFrame,
        onProblem: (reason: string) => this.log.warn({ shadow: cfg.name, target, reason }, `[shadow.${cfg.name}] ${target}: ${reason}`),
      });
      if (target === 'candidate') this.candidateLink = l;
      else this.secondaryLink = l;
    }
    return l;
  }

  private makeTap(conn: number): { request(chunk: Buffer): void; response(chunk: Buffer): void; close(): void } {
    const { cfg, report } = this;
    const name = cfg.name;
    const framing = cfg.framing;
    let reqSplitter: Splitter | undefined = framing.splitter(cfg.maxFrame, 'request');
    let resSplitter: Splitter | undefined = framing.splitter(cfg.maxFrame, 'response');
    const reassembler: Reassembler = framing.reassembler();
    /** Requests awaiting the primary's answer, by seq: one exchange, or (a seq reused while outstanding) a FIFO of them. */
    const pending = new Map<number | string, Exchange | Exchange[]>();
    /** Mirrors of this connection awaiting the candidate (max_in_flight applies per client connection). */
    let outstanding = 0;
    let broken = false;
    const breakTap = (why: string) => {
      if (broken) return;
      broken = true;
      reqSplitter = undefined;
      resSplitter = undefined;
      pending.clear();
      this.counters.tapFailures++;
      this.log.warn({ shadow: name, conn, reason: why }, `[shadow.${name}] connection ${conn}: not mirrored any more (${why}); its bytes are still relayed`);
    };

    const finish = (ex: Exchange) => {
      if (--ex.open > 0) return;
      // Off the client's path: the primary's answer has already been written to the client.
      ex.conn = conn;
      this.toCompare.push(ex);
      if (this.toCompare.length === 1) setImmediate(this.compareAll);
    };

    // The targets' outcomes: one function each per connection, the exchange as context (no closure per mirror).
    const candidateDone = (o: Outcome, ex: Exchange) => {
      outstanding--;
      ex.candidate = o;
      finish(ex);
    };
    const secondaryDone = (o: Outcome, ex: Exchange) => {
      ex.secondary = o;
      finish(ex);
    };

    const onRequest = (packet: Buffer) => {
      const head = framing.head(packet, 'request');
      if (head.kind !== 'request') return;
      const ex: Exchange = { biz: head.biz, seq: head.seq, compare: false, open: 1 };
      const l = pending.get(head.seq);
      if (l === undefined) pending.set(head.seq, ex);
      else if (Array.isArray(l)) l.push(ex);
      else pending.set(head.seq, [l, ex]);
      if (!this.mirror.has(head.biz)) return;
      const stats = report.biz(head.biz);
      const sent = outstanding >= cfg.maxInFlight ? 'dropped' : this.link('candidate').send(packet, head.seq, candidateDone, ex);
      if (sent === 'dropped') {
        stats.dropped++;
        return;
      }
      outstanding++;
      ex.compare = true;
      ex.open++;
      stats.mirrored++;
      if (cfg.secondary) {
        const s = this.link('secondary').send(packet, head.seq, secondaryDone, ex);
        if (s === 'sent') ex.open++;
      }
    };

    const onResponse = (packet: Buffer) => {
      const head = framing.head(packet, 'response');
      const whole = reassembler.push(packet, head);
      if (!whole) return;
      const l = pending.get(head.seq);
      let ex: Exchange | undefined;
      if (l === undefined) ex = undefined;
      else if (!Array.isArray(l)) {
        ex = l;
        pending.delete(head.seq);
      } else {
        ex = l.shift();
        if (l.length === 0) pending.delete(head.seq);
      }
      if (!ex || !ex.compare) return;
      ex.primary = whole;
      finish(ex);
    };

    return {
      request(chunk) {
        if (!reqSplitter) return;
        try {
          for (const p of reqSplitter.push(chunk)) onRequest(p);
        } catch (err) {
          breakTap(`client bytes: ${(err as Error).message}`);
        }
      },
      response(chunk) {
        if (!resSplitter) return;
        try {
          for (const p of resSplitter.push(chunk)) onResponse(p);
        } catch (err) {
          breakTap(`primary bytes: ${(err as Error).message}`);
        }
      },
      close() {
        // Mirrors still outstanding are compared when their answers come (the primary's are in).
        pending.clear();
      },
    };
  }

  private readonly labelsOf = (biz: number) => ({ shadow: this.cfg.name, biz: ShadowMetrics.biz(biz) });

  /**
   * Both answers are in (or the candidate's failed): count, compare, report. Never throws.
   * Answers that are the same bytes (the framing's noise bytes aside: v1's header time) are
   * identical without being decoded; only answers that differ are decoded and compared field by
   * field.
   */
  private compare(conn: number, ex: Exchange): void {
    const { metrics, report, cfg } = this;
    const stats = report.biz(ex.biz);
    // Labels are built only when a labelled counter is counted (never on the fast path).
    const labels = this.labelsOf;
    try {
      const c = ex.candidate!;
      if (ex.secondary && !ex.secondary.ok) {
        stats.secondaryErrors++;
        (ex.secondary.kind === 'timeout' ? metrics.timeouts : metrics.candidateErrors).inc({ ...labels(ex.biz), target: 'secondary' });
      }
      if (!c.ok) {
        if (c.kind === 'timeout') stats.timeouts++;
        else stats.candidateErrors++;
        (c.kind === 'timeout' ? metrics.timeouts : metrics.candidateErrors).inc({ ...labels(ex.biz), target: 'candidate' });
        return;
      }
      this.latency.observe(c.ms / 1000);
      const framing = cfg.framing;
      const primaryPackets = ex.primary!;
      const secondaryOk = ex.secondary?.ok === true;
      const secondarySame = secondaryOk && framing.sameAnswer(primaryPackets, (ex.secondary as { packets: Buffer[] }).packets);
      const candidateSame = framing.sameAnswer(primaryPackets, c.packets);
      if (candidateSame && (!secondaryOk || secondarySame)) {
        // The fast path: no decoding, no difference objects.
        report.recordIdentical(ex.biz, secondaryOk);
        return;
      }
      const layout: Layout | undefined = LAYOUTS_BY_CODE.get(ex.biz)?.response;
      let p: DecodedReply;
      try {
        p = framing.decodeReply(primaryPackets, layout);
      } catch (err) {
        // The primary's own answer does not fit bssgate's layout: that is a difference of the layout itself.
        p = { result: -1, message: `undecodable: ${(err as Error).message}`, header: {} };
      }
      let cd: DecodedReply | undefined;
      if (!candidateSame) {
        try {
          cd = framing.decodeReply(c.packets, layout);
        } catch (err) {
          stats.candidateErrors++;
          metrics.candidateErrors.inc({ ...labels(ex.biz), target: 'candidate' });
          this.log.warn({ shadow: cfg.name, biz: ex.biz, err: (err as Error).message }, `[shadow.${cfg.name}] undecodable candidate answer to biz ${ex.biz}`);
          return;
        }
      }
      const ignore = this.ignore.get(ex.biz);
      const diffs: Difference[] = cd ? compareReplies(p, cd, layout, { ignore }) : [];
      let sec: { generics: Set<string>; reply: DecodedReply } | undefined;
      if (ex.secondary?.ok) {
        if (secondarySame) sec = { generics: new Set(), reply: p };
        else {
          try {
            const sd = framing.decodeReply(ex.secondary.packets, layout);
            sec = { generics: new Set(compareReplies(p, sd, layout, { ignore }).map((d) => d.generic)), reply: sd };
          } catch {
            stats.secondaryErrors++;
          }
        }
      }
      report.record(ex.biz, `${conn}#${ex.seq}`, diffs, layout, sec);
      if (diffs.length > 0) {
        const l = labels(ex.biz);
        metrics.differing.inc(l);
        for (const g of new Set(diffs.map((d) => d.generic))) metrics.differences.inc({ ...l, field: g });
      }
    } catch (err) {
      this.log.error({ shadow: cfg.name, err: (err as Error).message }, `[shadow.${cfg.name}] comparison failed`);
    }
  }
}
