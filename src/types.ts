// Contracts between the layers, types only (run-time helpers: src/context.ts, src/clock.ts).
// protocol/, src/config/ and src/store/ never import this file; handlers/ and src/ do.
import type { Logger } from 'pino';
import type { Layout, BodyRecord } from '../protocol/layout-types.js';
import type { BusinessRow, InterfaceKind } from '../protocol/business-types.js';
import type { ReturnCodeName } from '../protocol/return-codes.js';
import type { Queryable, Store } from './store/types.js';
import type { HandlerSettings } from './config/types.js';
import type { PostingKey } from './log/posting-journal.js';
import type { Clock } from './clock.js';

/** The four listening interfaces of the legacy system (OP-01), defined with the business types. */
export type { InterfaceKind };

export type { Clock } from './clock.js';

/** What a handler gets besides its typed request. Handlers never see bytes or sockets. */
export interface HandlerContext {
  store: Store;
  clock: Clock;
  log: Logger;
  /** The business type being served (a module serving several codes sees which one here). */
  business: BusinessRow;
  /** Interface name from the config section, e.g. "cs". */
  iface: string;
  ifaceKind: InterfaceKind;
  /**
   * The header's operator (工号 / 终端号), trimmed; OPERATOR_NONE ('-') when the header's is blank,
   * so that it can be recorded in NOT NULL columns (Oracle stores '' as NULL).
   */
  operator: string;
  serial: string;
  seq: number;
  /** Sender's local time from the header, YYYYMMDDHHMMSS. */
  time: string;
  /**
   * The configuration handlers use, as one object built once per gateway: ctx.settings.card
   * ([card]: amount bounds, PC-03…PC-08), ctx.settings.database.passwordStorage (CS-22) …; every
   * key with its value or default (src/config/settings.ts; docs/handlers.md, "Adding a setting").
   */
  settings: HandlerSettings;
  /** Write functions: the peer's client identity (PC-06, [client.<id>] name; '*' when none names its address). */
  client?: string;
}

/**
 * What a write function (defineWriteHandler) gets: the whole handler runs as ONE unit of work of
 * the group commit (src/store/group-commit.ts). `tx` is that unit; `store` is a view of the same
 * unit (reads and writes through the kit's lookups land in it; transaction()/unitOfWork() are
 * refused), so kit functions written for read handlers work unchanged. The unit commits when the
 * handler returns or throws a KeptRefusal (src/kept-refusal.ts); any other throw rolls it back. The
 * reply leaves only after the commit is durable.
 */
export interface WriteContext extends HandlerContext {
  tx: Queryable;
  /**
   * PC-03/04: one line for the interface's suc_query.MMDD (successful postings), written only
   * once this unit is durably committed — never for a unit that rolled back. `pay` names the
   * TAB_PAY row the line stands for (a Posted of src/domain/posting.ts): the line is journaled
   * before the COMMIT, and a crash's recovery writes it only if that row committed (docs/logs.md).
   */
  logPosting?(line: Record<string, unknown>, pay: PostingKey): void;
}

/**
 * The wire contract of one business function: its identity, layouts and what the spec says of
 * it. `handlers/contracts/<function>.ts` declares it (defineContract), without the code that
 * serves it, so that the client, the CLI's `call` and the spec renderer load the layouts alone.
 */
export interface FunctionContract {
  /** uint16 business type on the wire. */
  biz: number;
  /** Inventory ID(s) of docs/legacy-inventory.md, e.g. "CS-01". */
  ids: readonly string[];
  /** Short English name, used in logs and the CLI (`bssgate call … connection-check`). */
  name: string;
  /** Interfaces that serve it unless the config says otherwise. */
  interfaces: readonly InterfaceKind[];
  request: Layout;
  /** Fields after the leading message; present only when the result is 0. */
  response: Layout;
  /** A write function: run as one unit of work with a WriteContext (see WriteContext). */
  write?: boolean;
  /** The spec's prose for this business type (Markdown): what it answers, ordering, special rules. */
  doc?: string;
  /** Business refusals (2xxx) this type can answer; the request and system families apply to all. */
  refusals?: readonly ReturnCodeName[];
  /** Largest page of a paged business type (the response list's maxItems). */
  maxPage?: number;
  /** Spec example: a request and its successful reply (rendered as annotated hex). */
  example?: { request: BodyRecord; response: BodyRecord };
  /** Source file of the handler module, relative to the repository (the spec's coverage table). */
  file?: string;
}

/**
 * One business function: its contract and the code serving it. `handlers/<function>.ts`
 * default-exports one of these (or an array for a module serving several business codes).
 */
export interface HandlerModule<Req extends BodyRecord = BodyRecord, Res extends BodyRecord = BodyRecord> extends FunctionContract {
  handle(req: Req, ctx: HandlerContext): Promise<Res>;
}
