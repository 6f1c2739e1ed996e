// Run-time helpers of the handler context (the contracts themselves are types: src/types.ts).

/**
 * A context with some fields replaced or added, the rest read through from `ctx`. Not a spread:
 * a spread would call the dispatcher's lazy `log` getter (a pino child per request, logging or not).
 */
export function deriveContext<C extends object, E extends object>(ctx: C, extra: E): Omit<C, keyof E> & E {
  return Object.assign(Object.create(ctx) as C, extra) as unknown as Omit<C, keyof E> & E;
}

/** Recorded for a blank header operator (OPERATOR columns are NOT NULL). */
export const OPERATOR_NONE = '-';
