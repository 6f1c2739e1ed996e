// The Lua both generated dissectors (v1, src/spec/dissector.ts; text profiles,
// src/spec/text-dissector.ts) end with: the TCP ports of the preference `ports` ("9921,9923-9925")
// registered for the protocol, again whenever the preference changes.

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
