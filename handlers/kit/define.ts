// defineHandler: a business function in one file. Identity (code, inventory IDs, name, default
// interfaces) comes from the business-type table by key (protocol/business-types.ts), never
// copied; the request and reply types are inferred from the layouts (protocol/fields.ts), so a
// misspelt or missing reply field is a compile error. A module serving several codes (the five
// password checks) names several keys and sees which one it serves in ctx.business.
import { BUSINESS_TYPES, type BusinessKey } from '../../protocol/business-types.js';
import type { BodyOf } from '../../protocol/fields.js';
import type { BodyRecord, Layout } from '../../protocol/layout-types.js';
import type { ReturnCodeName } from '../../protocol/return-codes.js';
import type { HandlerContext, HandlerModule, WriteContext } from '../../src/types.js';

export interface HandlerDef<Req extends Layout, Res extends Layout> {
  /** Key(s) of protocol/business-types.ts served by this module. */
  key: BusinessKey | readonly BusinessKey[];
  /** Source file, relative to the repository: `import.meta.url` of the module. */
  module: string;
  request: Req;
  /** Fields after the leading message; sent only when the result is 0. */
  response: Res;
  /** Business refusals (2xxx) it can answer, for the spec. */
  refusals: readonly ReturnCodeName[];
  /** Largest page, for paged types (must equal the response list's maxItems). */
  maxPage?: number;
  /** The spec's prose (Markdown). */
  doc: string;
  /** A request and its successful reply, for the spec's annotated hex. */
  example: { request: NoInfer<BodyOf<Req>>; response: NoInfer<BodyOf<Res>> };
  handle(req: NoInfer<BodyOf<Req>>, ctx: HandlerContext): Promise<NoInfer<BodyOf<Res>>>;
}

/** The repository-relative path of a module URL (…/handlers/balance.ts or dist/…/balance.js → handlers/balance.ts). */
export function moduleFile(url: string): string {
  const m = /\/(handlers\/.+?)\.(?:ts|js)$/.exec(url);
  return m ? `${m[1]}.ts` : url;
}

export function defineHandler<const Req extends Layout, const Res extends Layout>(def: HandlerDef<Req, Res>): HandlerModule[] {
  return build(def, false);
}

export interface WriteHandlerDef<Req extends Layout, Res extends Layout> extends Omit<HandlerDef<Req, Res>, 'handle'> {
  handle(req: NoInfer<BodyOf<Req>>, ctx: WriteContext): Promise<NoInfer<BodyOf<Res>>>;
}

/**
 * A function that changes the database (CS-20…26, PC-03/04): it runs as one unit of work (see
 * WriteContext in src/types.ts) and its reply is sent only once that unit is durably committed.
 */
export function defineWriteHandler<const Req extends Layout, const Res extends Layout>(def: WriteHandlerDef<Req, Res>): HandlerModule[] {
  return build(def as unknown as HandlerDef<Req, Res>, true);
}

function build<Req extends Layout, Res extends Layout>(def: HandlerDef<Req, Res>, write: boolean): HandlerModule[] {
  const keys: readonly BusinessKey[] = typeof def.key === 'string' ? [def.key] : def.key;
  const file = moduleFile(def.module);
  return keys.map((key) => {
    const row = BUSINESS_TYPES[key];
    return Object.freeze({
      biz: row.code,
      ids: row.ids,
      name: row.name,
      interfaces: row.interfaces,
      request: def.request,
      response: def.response,
      // The layouts are the types: BodyOf<Req> is what the dispatcher decoded with `request`.
      handle: def.handle as unknown as (req: BodyRecord, ctx: HandlerContext) => Promise<BodyRecord>,
      doc: def.doc,
      refusals: def.refusals,
      maxPage: def.maxPage,
      example: def.example as unknown as { request: BodyRecord; response: BodyRecord },
      file,
      write,
    } satisfies HandlerModule);
  });
}
