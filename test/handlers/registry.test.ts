// The handler list against the business-type table: identity is never copied, so a handler
// that disagrees with the table (or two serving one code) is a failure here.
import t from 'tap';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { HANDLERS, LAYOUTS_BY_CODE, handlerFor } from '../../handlers/index.js';
import { BUSINESS_ROWS, businessByCode } from '../../protocol/business-types.js';
import { decodeBody, encodeBody, maxSize } from '../../protocol/layout.js';
import { HEADER_SIZE } from '../../protocol/header.js';
import { RETURN_CODES } from '../../protocol/return-codes.js';
import { CS01_RESPONSE } from '../fixtures/protocol/frames.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

t.test('every handler is a row of the business-type table, with its code, IDs, name and interfaces', async (t) => {
  t.ok(HANDLERS.length >= 2);
  const seen = new Set<number>();
  for (const h of HANDLERS) {
    const row = businessByCode(h.biz);
    t.ok(row, `${h.biz} is a business type`);
    if (!row) continue;
    t.notOk(seen.has(h.biz), `${h.biz} served once`);
    seen.add(h.biz);
    t.same([h.name, [...h.ids], [...h.interfaces]], [row.name, [...row.ids], [...row.interfaces]], `${row.ids.join(',')} identity`);
    t.equal(LAYOUTS_BY_CODE.get(h.biz)?.request, h.request, `${h.name}: layout map request`);
    t.equal(LAYOUTS_BY_CODE.get(h.biz)?.response, h.response, `${h.name}: layout map response`);
    t.equal(handlerFor(h.biz), h);
    t.ok(h.file && existsSync(`${ROOT}${h.file}`), `${h.name}: its file ${h.file} exists`);
    for (const r of h.refusals ?? []) t.ok(RETURN_CODES[r].code >= 2000 && RETURN_CODES[r].code < 3000, `${h.name}: ${r} is a business refusal`);
  }
  t.same([...LAYOUTS_BY_CODE.keys()].sort((a, b) => a - b), [...seen].sort((a, b) => a - b), 'the layout map has exactly the handlers');
  t.equal(HANDLERS.filter((h) => !BUSINESS_ROWS.some((r) => r.code === h.biz)).length, 0);
});

t.test('every handler example encodes and decodes with its own layouts', async (t) => {
  for (const h of HANDLERS) {
    t.ok(h.example, `${h.name} has an example`);
    if (!h.example) continue;
    t.same(decodeBody(h.request, encodeBody(h.request, h.example.request, 'strict')), h.example.request, `${h.name} request`);
    t.same(decodeBody(h.response, encodeBody(h.response, h.example.response, 'strict')), h.example.response, `${h.name} response`);
  }
});

t.test('a paged handler declares its page size as the response list limit', async (t) => {
  for (const h of HANDLERS) {
    const list = h.response.find((f) => f.type === 'list' && f.name === 'items');
    const paged = h.request.some((f) => f.name === 'offset') && h.request.some((f) => f.name === 'limit');
    if (!paged) continue;
    t.ok(h.maxPage && h.maxPage > 0, `${h.name}: maxPage`);
    t.equal(list?.type === 'list' ? list.maxItems : undefined, h.maxPage, `${h.name}: items.maxItems = maxPage`);
  }
});

// The default interface max_frame (src/config/keys.ts). Clients are configured alike: a reply
// larger than it would be refused by a peer that applies the same limit.
const DEFAULT_MAX_FRAME = 65536;

t.test('the largest reply of every list-returning business type fits the default max_frame', async (t) => {
  for (const h of HANDLERS) {
    if (!h.response.some((f) => f.type === 'list')) continue;
    // length field excluded from max_frame; the message of a success is 成功 (4 bytes GBK).
    const largest = HEADER_SIZE - 4 + 2 + 4 + maxSize(h.response);
    t.ok(largest <= DEFAULT_MAX_FRAME, `${h.name}: largest reply ${largest} bytes ≤ ${DEFAULT_MAX_FRAME}`);
  }
});

t.test('CS-01: connection-check has an empty request and the SPEC fixture response fields', async (t) => {
  const h = handlerFor(101)!;
  t.same(h.request, []);
  t.same(h.response.map((f) => [f.name, f.type]), CS01_RESPONSE.map((f) => [f.name, f.type]));
});
