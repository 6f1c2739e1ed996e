// Every business function bssgate serves, one module each (a module serving several codes
// exports one entry per code). The dispatcher, the layout map, the CLI, the test client and the
// spec's per-function sections and coverage table are all derived from this list.
import type { Layout } from '../protocol/layout-types.js';
import type { HandlerModule } from '../src/types.js';
import balance from './balance.js';
import connectionCheck from './connection-check.js';

export const HANDLERS: readonly HandlerModule[] = Object.freeze([...connectionCheck, ...balance].sort((a, b) => a.biz - b.biz));

export interface BusinessLayouts {
  readonly request: Layout;
  /** Response fields after the message; sent only when the result is 0. */
  readonly response: Layout;
}

/** Request and response layouts by wire business code, derived from HANDLERS. */
export const LAYOUTS_BY_CODE: ReadonlyMap<number, BusinessLayouts> = new Map(
  HANDLERS.map((h) => [h.biz, Object.freeze({ request: h.request, response: h.response })]),
);

/** The module serving a business code, or undefined. */
export function handlerFor(code: number): HandlerModule | undefined {
  return HANDLERS.find((h) => h.biz === code);
}
