// Secret fields of a layout (`secret: true`, e.g. the service password): what logs and error
// messages may show of a body. The codec (protocol/layout.ts) uses `shown` for the values it names
// in its errors; the dispatcher redacts every request and reply it logs.
import type { BodyRecord, Field, Layout } from './layout-types.js';

/** Replacement for secret values in logs. */
export const SECRET_MASK = '[secret]';

export function isSecret(f: Field): boolean {
  return (f.type === 'char' || f.type === 'text') && f.secret === true;
}

/** A value for a message: never for a secret field, and short. */
export function shown(f: Field, v: unknown): string {
  if (isSecret(f)) return '';
  let s = typeof v === 'bigint' ? `${v}` : typeof v === 'string' ? JSON.stringify(v) : String(v);
  if (s.length > 40) s = `${s.slice(0, 37)}...`;
  return ` ${s}`;
}

/** True when the layout (or a list inside it) has a secret field. */
export function hasSecret(layout: Layout): boolean {
  return layout.some((f) => isSecret(f) || (f.type === 'list' && hasSecret(f.of)));
}

const secretCache = new WeakMap<Layout, boolean>();

/** `value` for logs with every secret field replaced by "[secret]", also inside lists (a copy; `value` itself when the layout has no secret field). */
export function redact(layout: Layout, value: BodyRecord): BodyRecord {
  // Most layouts have no secret field: then the value itself is what the log may see (the logger
  // only reads it). The per-layout answer is cached: this runs for every request.
  let secret = secretCache.get(layout);
  if (secret === undefined) secretCache.set(layout, (secret = hasSecret(layout)));
  if (!secret) return value;
  const out: BodyRecord = { ...value };
  for (const f of layout) {
    if (!(f.name in value)) continue;
    if (isSecret(f)) out[f.name] = SECRET_MASK;
    else if (f.type === 'list' && Array.isArray(value[f.name])) {
      out[f.name] = (value[f.name] as BodyRecord[]).map((item) =>
        item !== null && typeof item === 'object' ? redact(f.of, item) : item,
      );
    }
  }
  return out;
}
