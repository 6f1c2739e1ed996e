// The Lua both generated dissectors (v1, src/spec/dissector.ts; text profiles,
// src/spec/text-dissector.ts) share: the business-type and return-code name tables, and at the end
// the TCP ports of the preference `ports` ("9921,9923-9925") registered for the protocol, again
// whenever the preference changes.

export interface NamedCodes {
  businessTypes: readonly { code: number; name: string; ids: readonly string[] }[];
  returnCodes: readonly { code: number; key: string; en: string }[];
}

/** BIZ_NAMES, BIZ_LABELS, RC_NAMES, RC_LABELS: Lua tables by code, strings quoted by `quote`. */
export function luaNameTables(spec: NamedCodes, quote: (s: string) => string): string[] {
  return [
    'local BIZ_NAMES = {',
    ...spec.businessTypes.map((b) => `  [${b.code}] = ${quote(b.name)},`),
    '}',
    'local BIZ_LABELS = {',
    ...spec.businessTypes.map((b) => `  [${b.code}] = ${quote(`${b.name}${b.ids.length ? ` (${b.ids.join(', ')})` : ''}`)},`),
    '}',
    'local RC_NAMES = {',
    ...spec.returnCodes.map((r) => `  [${r.code}] = ${quote(r.key)},`),
    '}',
    'local RC_LABELS = {',
    ...spec.returnCodes.map((r) => `  [${r.code}] = ${quote(`${r.key}: ${r.en}`)},`),
    '}',
  ];
}

/** The port registration of a dissector whose Proto is the Lua variable `proto`. */
export function luaRegisterPorts(proto: string): string {
  return String.raw`local registered = {}
local function register_ports()
  local tcp = DissectorTable.get("tcp.port")
  for _, p in ipairs(registered) do tcp:remove(p, ${proto}) end
  registered = {}
  for part in string.gmatch(${proto}.prefs.ports, "[^,%s]+") do
    local a, b = part:match("^(%d+)%-(%d+)$")
    a = tonumber(a or part)
    b = tonumber(b or a)
    if a and b then
      for p = a, b do
        tcp:add(p, ${proto})
        registered[#registered + 1] = p
      end
    end
  end
end

function ${proto}.prefs_changed()
  register_ports()
end

register_ports()
`;
}
