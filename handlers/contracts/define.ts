// defineContract: the wire contract of a business function in one file, apart from the code that
// serves it (handlers/<function>.ts, defineHandler in handlers/kit/define.ts). Identity (code,
// inventory IDs, name, default interfaces) comes from the business-type table by key
// (protocol/business-types.ts), never copied; the request and reply types are inferred from the
// layouts (protocol/fields.ts), and the handler's `handle` is typed by them. A module serving
// several codes (the five password checks) names several keys.
//
// handlers/contracts/ imports protocol/, the field kit (handlers/kit/fields.ts, detail-fields.ts)
// and the schema's code tables only: the client, `bssgate call` and the spec renderer load it
// without the store (test/architecture/imports.test.ts).
import { BUSINESS_TYPES, type BusinessKey } from '../../protocol/business-types.js';
import type { BodyOf } from '../../protocol/fields.js';
import type { BodyRecord, Layout } from '../../protocol/layout-types.js';
import type { ReturnCodeName } from '../../protocol/return-codes.js';
import type { FunctionContract } from '../../src/types.js';

export interface ContractDef<Req extends Layout, Res extends Layout> {
  /** Key(s) of protocol/business-types.ts served by this module. */
  key: BusinessKey | readonly BusinessKey[];
  /** `import.meta.url` of the contract module; its handler is the file of the same name in handlers/. */
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
}

/** A declared contract: one row per business key, and the layouts' types for its handler. */
export interface Contract<Req extends Layout, Res extends Layout, W extends boolean> {
  readonly rows: readonly FunctionContract[];
  readonly write: W;
  readonly request: Req;
  readonly response: Res;
}

/**
 * The repository-relative path of the handler of a module URL: …/handlers/contracts/balance.ts,
 * dist/…/handlers/balance.js or …/handlers/balance.ts → handlers/balance.ts.
 */
export function moduleFile(url: string): string {
  const m = /\/(handlers\/.+?)\.(?:ts|js)$/.exec(url);
  return m ? `${m[1].replace(/^handlers\/contracts\//, 'handlers/')}.ts` : url;
}

/** The contract of a read function. */
export function defineContract<const Req extends Layout, const Res extends Layout>(def: ContractDef<Req, Res>): Contract<Req, Res, false> {
  return build(def, false);
}

/**
 * The contract of a function that changes the database (CS-20…26, PC-03/04): its handler runs as
 * one unit of work (see WriteContext in src/types.ts); the spec lists the write functions' rules.
 */
export function defineWriteContract<const Req extends Layout, const Res extends Layout>(def: ContractDef<Req, Res>): Contract<Req, Res, true> {
  return build(def, true);
}

function build<Req extends Layout, Res extends Layout, W extends boolean>(def: ContractDef<Req, Res>, write: W): Contract<Req, Res, W> {
  const keys: readonly BusinessKey[] = typeof def.key === 'string' ? [def.key] : def.key;
  const file = moduleFile(def.module);
  const rows = keys.map((key) => {
    const row = BUSINESS_TYPES[key];
    return Object.freeze({
      biz: row.code,
      ids: row.ids,
      name: row.name,
      interfaces: row.interfaces,
      request: def.request,
      response: def.response,
      doc: def.doc,
      refusals: def.refusals,
      maxPage: def.maxPage,
      example: def.example as unknown as { request: BodyRecord; response: BodyRecord },
      file,
      write,
    } satisfies FunctionContract);
  });
  return Object.freeze({ rows: Object.freeze(rows), write, request: def.request, response: def.response });
}
