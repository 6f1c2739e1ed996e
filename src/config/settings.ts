// ctx.settings: the one object through which handlers see the configuration (HandlerSettings,
// src/config/types.ts). Built once per gateway (src/server/gateway.ts), never per request.
import { DEFAULT_CARD, defaultsOf, keysOf } from './keys.js';
import type { SectionKind } from './keys.js';
import type { CardConfig, DatabaseConfig, HandlerSettings } from './types.js';

/** A section's object without the fields of its secret keys. */
function withoutSecrets<T extends object>(section: SectionKind, values: T): T {
  const out = { ...values } as Record<string, unknown>;
  for (const def of keysOf(section).values()) if (def.secret && def.field !== undefined) delete out[def.field];
  return out as T;
}

/** The settings handlers get from a configuration; a section it lacks (built in code) has its defaults. */
export function handlerSettings(config: { card?: CardConfig; database?: DatabaseConfig }): HandlerSettings {
  return Object.freeze({
    card: config.card ?? DEFAULT_CARD,
    database: Object.freeze(withoutSecrets('database', config.database ?? defaultsOf('database'))),
  });
}

/** Every section at its defaults: a dispatcher built without a configuration (benchmarks, tests). */
export const DEFAULT_SETTINGS: HandlerSettings = handlerSettings({});
