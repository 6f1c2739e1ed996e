// The contract between the online-command scanner (src/scanner/scanner.ts: claims, rendering,
// routing, results) and the two switch interfaces of the legacy system (OC-01 file, OC-02 socket).
// A delivery knows one switch and how to hand it one command; the scanner knows everything else.
import type { Logger } from 'pino';

/** One rendered command for one switch. */
export interface SwitchCommand {
  /** USR_BUSI_RECORD.BUSISN. It travels with the command, so the switch side recognises a re-send. */
  busisn: bigint;
  svcnum: string;
  imsi: string;
  region: string;
  netType: string;
  busiType: number;
  /** The command lines rendered from SWITCH_INS_MODEL, in SEQNO order. */
  lines: readonly string[];
  /** 1 for the first delivery of this busisn, 2 for the first re-send, … */
  attempt: number;
}

export type DeliveryOutcome =
  /** The switch executed it; `answer` is its answer text (USR_BUSI_RECORD.RESULT). */
  | { kind: 'executed'; answer: string }
  /** Not executed, or the outcome is unknown (timeout, disconnect): may be re-sent with the same busisn. */
  | { kind: 'retry'; reason: string }
  /** The switch refused it for good (bad number, unknown command …). */
  | { kind: 'failed'; answer: string };

export interface Delivery {
  readonly switchName: string;
  /** Resolves with the outcome; never rejects (a transport error is a 'retry' outcome). */
  deliver(cmd: SwitchCommand, signal: AbortSignal): Promise<DeliveryOutcome>;
  /** True while the switch can be reached (socket: logged in; file: directories writable). */
  ready(): boolean;
  close(): Promise<void>;
}

/** OC-01: PT.<busisn> files into the switch's command directory, results read back from its result directory. */
export interface FileDeliveryOptions {
  switchName: string;
  commandDir: string;
  resultDir: string;
  /** No result file within this: the outcome is unknown → 'retry'. */
  resultTimeoutMs: number;
  /** How often the result directory is looked at. */
  pollMs: number;
  log: Logger;
}

/** OC-02: one persistent connection per switch: login, keep-alive, request/acknowledgement per command. */
export interface SocketDeliveryOptions {
  switchName: string;
  host: string;
  port: number;
  user: string;
  password: string;
  keepaliveMs: number;
  /** No acknowledgement within this: the outcome is unknown → 'retry'. */
  ackTimeoutMs: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  log: Logger;
}
