// `bssgate call`'s field=value arguments parsed into a body record, typed by the layout.
import type { BodyRecord, BodyValue, Layout } from './layout-types.js';
import { shown } from './redact.js';
import { GatewayError } from './return-codes.js';

/**
 * Parse a command-line string (`field=value` of `bssgate call`) into the field's TypeScript
 * type: bigint for money (fen, e.g. -150), number for uN, string otherwise. Only the syntax
 * is checked here; encodeBody(…, 'strict') checks widths, ranges and calendar values.
 * Throws INVALID_FIELD for an unknown field, a list field or a malformed number.
 */
export function coerceField(layout: Layout, name: string, text: string): BodyValue {
  const f = layout.find((x) => x.name === name);
  if (!f) throw new GatewayError('INVALID_FIELD', `${name}: no such field (fields: ${layout.map((x) => x.name).join(', ') || 'none'})`);
  switch (f.type) {
    case 'u8':
    case 'u16':
    case 'u32':
      if (!/^[0-9]+$/.test(text)) throw new GatewayError('INVALID_FIELD', `${name}: not an unsigned integer${shown(f, text)}`);
      return Number(text);
    case 'money':
      if (!/^-?[0-9]+$/.test(text)) throw new GatewayError('INVALID_FIELD', `${name}: not an integer count of fen${shown(f, text)}`);
      return BigInt(text);
    case 'list':
      throw new GatewayError('INVALID_FIELD', `${name}: a list cannot be given as field=value`);
    default:
      return text;
  }
}

/** Parse `field=value` arguments into a body record (coerceField for each). */
export function coerceBody(layout: Layout, args: readonly string[]): BodyRecord {
  const out: BodyRecord = {};
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq <= 0) throw new GatewayError('INVALID_FIELD', `${JSON.stringify(arg)}: expected field=value`);
    const name = arg.slice(0, eq);
    out[name] = coerceField(layout, name, arg.slice(eq + 1));
  }
  return out;
}
