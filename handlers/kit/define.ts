// defineHandler: the code serving a business function, bound to its contract
// (handlers/contracts/<function>.ts, defineContract). The request and reply types come from the
// contract's layouts, so a misspelt or missing reply field is a compile error. A module serving
// several codes (the five password checks) has one contract naming several keys and sees which
// one it serves in ctx.business.
import type { BodyOf } from '../../protocol/fields.js';
import type { BodyRecord, Layout } from '../../protocol/layout-types.js';
import type { HandlerContext, HandlerModule, WriteContext } from '../../src/types.js';
import type { Contract } from '../contracts/define.js';

export interface HandlerImpl<Req extends Layout, Res extends Layout> {
  handle(req: BodyOf<Req>, ctx: HandlerContext): Promise<BodyOf<Res>>;
}

export interface WriteHandlerImpl<Req extends Layout, Res extends Layout> {
  handle(req: BodyOf<Req>, ctx: WriteContext): Promise<BodyOf<Res>>;
}

/** A read function: its contract (defineContract) and `handle`. */
export function defineHandler<Req extends Layout, Res extends Layout>(contract: Contract<Req, Res, false>, impl: HandlerImpl<Req, Res>): HandlerModule[] {
  return build(contract, impl.handle as unknown as HandlerModule['handle']);
}

/**
 * A function that changes the database (CS-20…26, PC-03/04): its contract (defineWriteContract)
 * and `handle`, which runs as one unit of work (see WriteContext in src/types.ts); its reply is
 * sent only once that unit is durably committed.
 */
export function defineWriteHandler<Req extends Layout, Res extends Layout>(contract: Contract<Req, Res, true>, impl: WriteHandlerImpl<Req, Res>): HandlerModule[] {
  return build(contract, impl.handle as unknown as HandlerModule['handle']);
}

function build(contract: Contract<Layout, Layout, boolean>, handle: (req: BodyRecord, ctx: HandlerContext) => Promise<BodyRecord>): HandlerModule[] {
  // The layouts are the types: BodyOf<Req> is what the dispatcher decoded with `request`.
  return contract.rows.map((row) => Object.freeze({ ...row, handle }));
}
