// The card interface's handlers (PC-03…PC-05) and the posting domain (src/domain/posting.ts): the
// [card] settings in force, and what a write function hands the domain — its unit, clock,
// settings and operator, never the context itself.
import type { CardConfig } from '../../src/config/types.js';
import type { PostingUnit } from '../../src/domain/posting.js';
import type { HandlerContext, WriteContext } from '../../src/types.js';

/** The [card] settings in force (ctx.settings.card: every key with its value or default). */
export function cardSettings(ctx: HandlerContext): Readonly<CardConfig> {
  return ctx.settings.card;
}

/** The posting domain's input of a write function: its unit of work, clock, [card] and the header's operator. */
export function postingUnit(ctx: WriteContext): PostingUnit {
  return { tx: ctx.tx, clock: ctx.clock, card: cardSettings(ctx), operator: ctx.operator, dialect: ctx.store.dialect };
}
