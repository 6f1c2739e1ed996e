// Test-only business types for server tests: a handler that sleeps `ms` and echoes `tag` (so
// answers can finish out of order), and a request builder for raw-socket tests.
import { encodeRequest } from '../../protocol/message.js';
import type { Layout } from '../../protocol/layout-types.js';
import type { HandlerModule } from '../../src/types.js';

export const SLEEP_BIZ = 60001;
export const SLEEP_REQ: Layout = [{ name: 'ms', type: 'u16' }, { name: 'tag', type: 'u32' }];
export const SLEEP_RES: Layout = [{ name: 'tag', type: 'u32' }];

export const sleeper: HandlerModule<{ ms: number; tag: number }, { tag: number }> = {
  biz: SLEEP_BIZ,
  ids: [],
  name: 'test-sleep',
  interfaces: ['cs'],
  request: SLEEP_REQ,
  response: SLEEP_RES,
  async handle(req) {
    await new Promise((r) => setTimeout(r, req.ms));
    return { tag: req.tag };
  },
};

/** A request frame; the sleeper's layout for its biz, an empty body otherwise. */
export function req(biz: number, seq: number, body: Record<string, number> = {}, layout: Layout = biz === SLEEP_BIZ ? SLEEP_REQ : []): Buffer {
  return encodeRequest({ biz, seq, serial: `S${seq}`, time: '20261122120000', operator: 'op1' }, layout, body);
}
