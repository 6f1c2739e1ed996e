// OC-01/OC-02 rendering: a USR_BUSI_RECORD row becomes the command lines of its switch through
// SWITCH_INS_MODEL — the templates of its BUSITYPE, NETTYPE and the switch's SWITCHTYPE, in SEQNO
// order. Placeholders: {SVCNUM} {IMSI} {PARAM} {BUSISN} {SRVGID}.
//
// Special services (CS-24, business types 31–33): {SRVGID} and {PARAM} come from the record's
// USR_BUSI_SRVG rows (the templates are rendered once per service, in SRVGID order); a record
// without such rows (written by another system) carries them in PARAM as "SRVGID[ PARAM]", the
// form the front office and the demo data use. For the other types {PARAM} is the record's PARAM.
//
// Anything that cannot be rendered is a RenderError (the scanner fails the command with its
// message as RESULT): no template, an unknown placeholder, a placeholder without a value.
import { BUSI_TYPES } from '../domain/codes.js';
import { CMD_TEMPLATES } from '../store/queries/commands.js';
import type { Queryable } from '../store/types.js';

export class RenderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RenderError';
  }
}

export const PLACEHOLDERS = ['SVCNUM', 'IMSI', 'PARAM', 'BUSISN', 'SRVGID'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

const SRVG_TYPES = new Set<number>([BUSI_TYPES.SRVG_ADD.code, BUSI_TYPES.SRVG_REMOVE.code, BUSI_TYPES.SRVG_MODIFY.code]);

export interface Template {
  seqno: number;
  text: string;
}

/** What a record gives the placeholders. */
export interface RenderInput {
  busisn: bigint;
  busiType: number;
  netType: string;
  svcnum: string;
  imsi: string;
  param: string;
  /** CS-24: the record's special services (USR_BUSI_SRVG); empty for other records. */
  services: readonly { srvgid: string; param: string }[];
}

function key(busiType: number, netType: string, switchType: string): string {
  return `${busiType}|${netType}|${switchType}`;
}

/** Every template of SWITCH_INS_MODEL, grouped; reloaded by the scanner now and then (operators edit the table). */
export class TemplateSet {
  private constructor(private readonly byKey: ReadonlyMap<string, readonly Template[]>) {}

  static from(rows: readonly { busitype: number; nettype: string; switchtype: string; seqno: number; template: string }[]): TemplateSet {
    const m = new Map<string, Template[]>();
    for (const r of rows) {
      const k = key(r.busitype, r.nettype.trim(), r.switchtype.trim());
      let list = m.get(k);
      if (!list) m.set(k, (list = []));
      list.push({ seqno: r.seqno, text: r.template });
    }
    for (const list of m.values()) list.sort((a, b) => a.seqno - b.seqno);
    return new TemplateSet(m);
  }

  static async load(q: Queryable): Promise<TemplateSet> {
    return TemplateSet.from(await CMD_TEMPLATES.all(q, {}));
  }

  get size(): number {
    return this.byKey.size;
  }

  /** Every SWITCHTYPE that has at least one template (trimmed). */
  switchTypes(): Set<string> {
    return new Set([...this.byKey.keys()].map((k) => k.slice(k.lastIndexOf('|') + 1)));
  }

  templates(busiType: number, netType: string, switchType: string): readonly Template[] {
    return this.byKey.get(key(busiType, netType, switchType)) ?? [];
  }

  /** The command lines for one record on one switch type; throws RenderError. */
  render(input: RenderInput, switchType: string): string[] {
    const where = `SWITCH_INS_MODEL busitype ${input.busiType} nettype ${input.netType} switchtype ${switchType}`;
    const list = this.templates(input.busiType, input.netType, switchType);
    if (list.length === 0) throw new RenderError(`no template in ${where}`);
    const base = { SVCNUM: input.svcnum, IMSI: input.imsi, BUSISN: String(input.busisn) };
    const sets: Record<Placeholder, string>[] = [];
    if (SRVG_TYPES.has(input.busiType)) {
      const services = input.services.length > 0 ? input.services : fromParam(input.param);
      if (services.length === 0) throw new RenderError(`special-service record ${input.busisn} names no service (no USR_BUSI_SRVG row, PARAM empty)`);
      for (const s of services) sets.push({ ...base, SRVGID: s.srvgid, PARAM: s.param });
    } else {
      sets.push({ ...base, SRVGID: '', PARAM: input.param });
    }
    const lines: string[] = [];
    for (const values of sets) for (const t of list) lines.push(fill(t, values, where));
    return lines;
  }
}

/** "CFU 13900001111" → SRVGID CFU, PARAM 13900001111; "CW" → CW with an empty PARAM. */
function fromParam(param: string): { srvgid: string; param: string }[] {
  const m = /^\s*([A-Za-z0-9_]{1,8})(?:\s+(.*?))?\s*$/.exec(param);
  return m ? [{ srvgid: m[1].toUpperCase(), param: m[2] ?? '' }] : [];
}

const PLACEHOLDER = /\{([^{}]*)\}/g;

function fill(t: Template, values: Record<Placeholder, string>, where: string): string {
  return t.text.replace(PLACEHOLDER, (_all, name: string) => {
    if (!(PLACEHOLDERS as readonly string[]).includes(name)) {
      throw new RenderError(`bad template: unknown placeholder {${name}} in ${where} seqno ${t.seqno} (known: ${PLACEHOLDERS.map((p) => `{${p}}`).join(' ')})`);
    }
    const v = values[name as Placeholder];
    // A command with an empty number or IMSI would address the wrong subscriber, or all of them.
    if (v === '' && name !== 'PARAM') throw new RenderError(`${where} seqno ${t.seqno} needs {${name}}, which the record does not have`);
    return v;
  });
}
