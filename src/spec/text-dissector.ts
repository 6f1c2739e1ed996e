// A Wireshark dissector for one text framing profile (issue 18 with issue 19; docs/framing.md,
// docs/integrators.md): `bssgate dissector --framing config/framing/h2.json --ports 9931`.
// Generated from the profile's data (start byte, length field and what it counts, terminator,
// header fields and their roles, the service and error tables, separators, fixed widths,
// heartbeat) and from the same layouts as the v1 dissector (spec.json): packets cut out of the TCP
// stream by their length field (ASCII digits) and checked against the terminator — or, when the
// length does not count the body, by the terminator alone — and reassembled over TCP segments;
// every header field by name (padding removed), the business type by name through the service
// table, the error code and the return code it stands for by name, and the body's fields by name:
// a delimited body split on the record and field separators (lists as subtrees, a record each),
// a fixed-width body at its widths. A message sent in several packets (packet number, last-packet
// flag) is joined and its body dissected on its last packet. Requests are the packets to the
// server port (the `ports` preference); each reply is linked to its request (in order on the stream, or
// by serial when the profile's correlation says so). A check code is shown, not verified (its key is
// the operator's secret).
import type { FramingProfile, HeaderField } from '../../protocol/framing/profile.js';
import { fixedWidth } from '../../protocol/framing/text-body.js';
import type { SpecField } from './json.js';
import type { DissectorInput } from './dissector.js';
import { luaNameTables, luaRegisterPorts } from './lua-common.js';

function lua(s: string): string {
  // Bytes of the string as Lua decimal escapes where not printable ASCII: separators (TAB, CR LF),
  // the terminator; UTF-8 text passes as its bytes.
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (c < 0x20 || c === 0x7f) out += `\\${String(c).padStart(3, '0')}`;
    else out += ch;
  }
  return `"${out}"`;
}

function abbrev(...parts: string[]): string {
  const a = parts.join('.');
  if (!/^[A-Za-z0-9._-]+$/.test(a)) throw new Error(`"${a}" cannot be a Wireshark field name`);
  return a;
}

/** The proto name of a profile: bssgate_<name> (a Wireshark protocol filter name). */
export function textProtoName(profile: FramingProfile): string {
  return `bssgate_${profile.name.replace(/-/g, '_')}`;
}

function fieldRow(profile: FramingProfile, f: SpecField, prefix: string): string {
  const abbr = abbrev(prefix, f.name);
  const label = lua(f.secret ? `${f.name} (secret)` : f.name);
  const parts = [`n = ${lua(f.name)}`, `t = ${lua(f.type)}`, `f = ProtoField.string(${lua(abbr)}, ${label}, base.UNICODE, ${f.doc ? lua(f.doc) : 'nil'})`];
  if (profile.fixed) parts.push(`w = ${fixedWidth(profile.fixed!, f)}`);
  if (f.codes) parts.push(`codes = { ${f.codes.map((c) => `[${lua(String(c.code))}] = ${lua(`${c.en} (${c.zh})`)}`).join(', ')} }`);
  if (f.type === 'money') parts.push(`unit = ${lua(profile.body.money === 'fen' ? ' fen' : ' yuan')}`);
  return `{ ${parts.join(', ')} }`;
}

/** A layout as the text body writes it: the scalar record, then each list (counted or not). */
function shapeTable(profile: FramingProfile, layout: readonly SpecField[], prefix: string): string {
  const scalars = layout.filter((f) => f.type !== 'list');
  const lists = layout.filter((f) => f.type === 'list');
  const uncounted = profile.body.listCount === 'when-needed' && lists.length === 1 && layout[layout.length - 1] === lists[0];
  const listRows = lists.map((l) => {
    const abbr = abbrev(prefix, l.name);
    const of = (l.fields ?? []).map((f) => `        ${fieldRow(profile, f, abbr)},`);
    return [
      `      { n = ${lua(l.name)}, counted = ${!uncounted}, f = ProtoField.uint32(${lua(abbr)}, ${lua(l.name)}, base.DEC, nil, nil, ${lua(`${l.doc ?? l.name}: records`)}), of = {`,
      ...of,
      '      } },',
    ].join('\n');
  });
  return [
    '{',
    `    scalars = {`,
    ...scalars.map((f) => `      ${fieldRow(profile, f, prefix)},`),
    '    },',
    '    lists = {',
    ...listRows,
    '    },',
    '  }',
  ].join('\n');
}

function headerRow(proto: string, f: HeaderField & { doc?: string }): string {
  const parts = [
    `name = ${lua(f.name)}`,
    `role = ${lua(f.role)}`,
    `off = ${f.offset}`,
    `w = ${f.width}`,
    `pad = ${lua(f.pad)}`,
    `align = ${lua(f.align)}`,
    `f = ProtoField.string(${lua(abbrev(proto, f.name))}, ${lua(f.name)}, base.ASCII, ${lua(`${f.role}${f.doc ? `: ${f.doc}` : ''}`)})`,
  ];
  if (f.yes !== undefined) parts.push(`yes = ${lua(f.yes)}`);
  if (f.no !== undefined) parts.push(`no = ${lua(f.no)}`);
  return `  { ${parts.join(', ')} },`;
}

/** The Lua source of the dissector of `profile`, from the layouts of `spec`. */
export function renderTextDissector(profile: FramingProfile, spec: DissectorInput, ports: string, headerDocs: Readonly<Record<string, string>> = {}): string {
  const proto = textProtoName(profile);
  const P = profile.role;
  const lf = P.length!;
  const pre = profile.start === undefined ? 0 : 1;
  const c = profile.lengthCounts;
  const lenConst = (c.has('start') ? 1 : 0) + (c.has('header') ? profile.headerSize : 0) + (c.has('terminator') ? 1 : 0);
  const served = spec.businessTypes.filter((b) => b.served);
  // Error field values → the first return code of the table that writes it (as the client reads it).
  const errRows = new Map<string, number>();
  const errNames = new Map<string, string[]>();
  for (const [code, wire] of profile.errors.table) {
    const rc = spec.returnCodes.find((r) => r.code === code);
    for (const key of new Set([wire, P.error ? (P.error.align === 'left' ? wire.padEnd(P.error.width, P.error.pad) : wire.padStart(P.error.width, P.error.pad)) : wire])) {
      if (!errRows.has(key)) errRows.set(key, code);
      errNames.set(key, [...(errNames.get(key) ?? []), `${code} ${rc?.key ?? '?'}`]);
    }
  }
  const out: string[] = [
    `-- Wireshark dissector for the bssgate text framing profile "${profile.name}" (${profile.file}).`,
    `-- Generated by \`bssgate dissector --framing\` from the profile and protocol/spec.json (format ${spec.formatVersion}); do not edit: regenerate.`,
    `-- Load: tshark -X lua_script:${proto}.lua -o ${proto}.ports:<server port> …, or copy into Wireshark's personal Lua plugins folder.`,
    `-- Filters: ${proto}.biz_name == "balance", ${proto}.result_name != "OK", ${proto}.${profile.header.map((h) => h.name).join(', ')}, ${proto}.<business>.<request|response>.<field>.`,
    ...(profile.description ? [`-- Profile: ${profile.description.replace(/\n/g, ' ')}`] : []),
    '',
    `local P = Proto(${lua(proto)}, ${lua(`bssgate text framing ${profile.name}`)})`,
    '',
    `local START = ${profile.start ?? 'nil'}`,
    `local TERM = ${profile.terminator}`,
    `local PRE = ${pre}`,
    `local HEADER_SIZE = ${profile.headerSize}`,
    `local LEN_OFF = ${pre + lf.offset}`,
    `local LEN_W = ${lf.width}`,
    `local LEN_CONST = ${lenConst}`,
    `local COUNTS_BODY = ${c.has('body')}`,
    `local FS = ${lua(profile.body.fieldSeparator)}`,
    `local RS = ${lua(profile.body.recordSeparator)}`,
    `local EMPTY_SPACE = ${profile.body.empty === ' '}`,
    `local FIXED = ${profile.fixed !== undefined}`,
    `local ERROR_BODY = ${lua(profile.body.errorBody)}`,
    `local HEARTBEATS = { ${profile.heartbeat ? [...new Set([profile.heartbeat.request.toString('latin1'), profile.heartbeat.reply.toString('latin1')])].map(lua).join(', ') : ''} }`,
    `local SERVICE_IS_CODE = ${profile.services.otherwise === 'code'}`,
    `local BY_SERIAL = ${profile.correlation === 'serial'}`,
    '',
    '-- Header fields in order; role as the profile declares it.',
    'local HEADER = {',
    ...profile.header.map((f) => headerRow(proto, { ...f, doc: headerDocs[f.name] })),
    '}',
    '',
    '-- Service codes (padding trimmed) → business code.',
    'local SERVICES = {',
    ...[...profile.services.table].map(([wire, biz]) => `  [${lua(wire)}] = ${biz},`),
    '}',
    '-- Error field values → the return code they stand for (the first of the table writing it), and all of them.',
    'local ERRORS = {',
    ...[...errRows].map(([wire, code]) => `  [${lua(wire)}] = ${code},`),
    '}',
    'local ERROR_LABELS = {',
    ...[...errNames].map(([wire, names]) => `  [${lua(wire)}] = ${lua(names.join(' | '))},`),
    '}',
    ...luaNameTables(spec, lua),
    '',
    'local hf = {',
    `  direction = ProtoField.string(${lua(`${proto}.direction`)}, "direction"),`,
    `  biz = ProtoField.uint16(${lua(`${proto}.biz`)}, "business code", base.DEC, BIZ_LABELS),`,
    `  biz_name = ProtoField.string(${lua(`${proto}.biz_name`)}, "business type"),`,
    `  result = ProtoField.uint16(${lua(`${proto}.result`)}, "return code", base.DEC, RC_LABELS),`,
    `  result_name = ProtoField.string(${lua(`${proto}.result_name`)}, "return code name"),`,
    `  message = ProtoField.string(${lua(`${proto}.message`)}, "message", base.UNICODE),`,
    `  body = ProtoField.bytes(${lua(`${proto}.body`)}, "body"),`,
    `  fragment = ProtoField.bytes(${lua(`${proto}.fragment`)}, "body fragment (joined on the last packet)"),`,
    `  packets = ProtoField.uint16(${lua(`${proto}.packets`)}, "packets joined", base.DEC),`,
    `  heartbeat = ProtoField.string(${lua(`${proto}.heartbeat`)}, "heartbeat"),`,
    `  response_in = ProtoField.framenum(${lua(`${proto}.response_in`)}, "response in", base.NONE, frametype.RESPONSE),`,
    `  request_in = ProtoField.framenum(${lua(`${proto}.request_in`)}, "request in", base.NONE, frametype.REQUEST),`,
    '}',
    '',
    'local ef = {',
    `  malformed = ProtoExpert.new(${lua(`${proto}.malformed`)}, "packet does not match the profile", expert.group.MALFORMED, expert.severity.ERROR),`,
    '}',
    'P.experts = { ef.malformed }',
    '',
    '-- Body layouts by business code (the v1 layouts, written as text records).',
    'local LAYOUTS = {}',
  ];
  for (const b of served) {
    const base = abbrev(proto, b.name);
    out.push(`LAYOUTS[${b.code}] = {`, `  request = ${shapeTable(profile, b.request ?? [], abbrev(base, 'request'))},`, `  response = ${shapeTable(profile, b.response ?? [], abbrev(base, 'response'))},`, '}');
  }
  out.push(LUA_BODY.replace('@PORTS@', lua(ports)));
  return out.join('\n') + '\n';
}

const LUA_BODY = String.raw`
local all = {}
for _, f in pairs(hf) do all[#all + 1] = f end
for _, h in ipairs(HEADER) do all[#all + 1] = h.f end
local function collect(shape)
  for _, d in ipairs(shape.scalars) do all[#all + 1] = d.f end
  for _, l in ipairs(shape.lists) do
    all[#all + 1] = l.f
    for _, d in ipairs(l.of) do all[#all + 1] = d.f end
  end
end
for _, l in pairs(LAYOUTS) do
  collect(l.request)
  collect(l.response)
end
P.fields = all

P.prefs.ports = Pref.string("TCP ports", @PORTS@, "comma-separated server TCP ports (or ranges a-b) of interfaces speaking this profile")

local tcp_stream = Field.new("tcp.stream")

local function unpad(h, s)
  local p = h.pad:gsub("%p", "%%%0")
  if h.align == "left" then return (s:gsub(p .. "+$", "")) end
  return (s:gsub("^" .. p .. "+", ""))
end

local function trim(s)
  return (s:gsub("^ +", ""):gsub(" +$", ""))
end

-- The total size of the packet at off: a number, -1 when more bytes are needed, nil when it is not a packet.
local function packet_length(tvb, off)
  local avail = tvb:len() - off
  if START and tvb(off, 1):uint() ~= START then return nil end
  for _, hb in ipairs(HEARTBEATS) do
    local n = PRE + #hb + 1
    if avail >= n and tvb:raw(off + PRE, #hb) == hb and tvb(off + n - 1, 1):uint() == TERM then return n end
  end
  if COUNTS_BODY then
    if avail < LEN_OFF + LEN_W then return -1 end
    local digits = tvb:raw(off + LEN_OFF, LEN_W):gsub(" ", "")
    if digits:match("^%d+$") then
      local n = tonumber(digits) - LEN_CONST + PRE + HEADER_SIZE + 1
      if n >= PRE + HEADER_SIZE + 1 then return n end
    end
  end
  -- The terminator ends the packet.
  local at = tvb:raw(off, avail):find(string.char(TERM), 1, true)
  if not at then return -1 end
  return at
end

-- A body field: its value's bytes (the empty mark and padding left out) as GBK (GB18030) text.
local function add_field(tree, tvb, off, n, d)
  local a, b = off, off + n
  -- As bssgate reads it: numbers and dates trimmed, codes (char) their trailing padding, delimited text as is.
  if d.t ~= "text" and d.t ~= "char" then while a < b and tvb(a, 1):uint() == 0x20 do a = a + 1 end end
  if FIXED or d.t ~= "text" then while b > a and tvb(b - 1, 1):uint() == 0x20 do b = b - 1 end end
  if not FIXED and EMPTY_SPACE and n == 1 and tvb(off, 1):uint() == 0x20 then b = a end
  local item
  if b > a then item = tree:add_packet_field(d.f, tvb(a, b - a), ENC_GB18030)
  else item = tree:add(d.f, tvb(off, n), "") end
  local v = b > a and tvb(a, b - a):raw() or ""
  if d.codes and d.codes[v] then item:append_text(" = " .. d.codes[v]) end
  if d.unit and v ~= "" then item:append_text(d.unit) end
  return item
end

-- Pieces of s (offsets in the tvb from base) between separators: { off, len } each.
local function split(s, sep, base)
  local out = {}
  local pos = 1
  while true do
    local a, b = s:find(sep, pos, true)
    if not a then break end
    out[#out + 1] = { base + pos - 1, a - pos }
    pos = b + 1
  end
  out[#out + 1] = { base + pos - 1, #s - pos + 1 }
  return out
end

-- One record of fields at rec = { off, len }.
local function dissect_record(tvb, tree, rec, fields, where)
  if FIXED then
    local off = rec[1]
    local total = 0
    for _, d in ipairs(fields) do total = total + d.w end
    if rec[2] ~= total then
      tree:add_proto_expert_info(ef.malformed, string.format("%s is %d bytes; the fixed widths of its fields make %d", where, rec[2], total))
    end
    for _, d in ipairs(fields) do
      if off + d.w > rec[1] + rec[2] then return end
      add_field(tree, tvb, off, d.w, d)
      off = off + d.w
    end
    return
  end
  local parts = split(tvb:raw(rec[1], rec[2]), FS, rec[1])
  if #parts ~= #fields then
    tree:add_proto_expert_info(ef.malformed, string.format("%s has %d fields, the layout %d", where, #parts, #fields))
  end
  for i, d in ipairs(fields) do
    local p = parts[i]
    if not p then break end
    add_field(tree, tvb, p[1], p[2], d)
  end
end

local function dissect_body(tvb, tree, shape)
  local len = tvb:len()
  local records = {}
  if len > 0 then records = split(tvb:raw(0, len), RS, 0) end
  if #records > 0 and records[#records][2] == 0 then table.remove(records) end
  local at = 1
  if #shape.scalars > 0 then
    dissect_record(tvb, tree, records[at] or { 0, 0 }, shape.scalars, "record 1")
    at = at + 1
  end
  for _, l in ipairs(shape.lists) do
    local n
    local lt
    if l.counted then
      local r = records[at] or { len, 0 }
      n = tonumber(trim(tvb:raw(r[1], r[2]))) or 0
      lt = tree:add(l.f, tvb(r[1], r[2]), n)
      at = at + 1
    else
      n = #records - at + 1
      local r = records[at] or { len, 0 }
      lt = tree:add(l.f, tvb(r[1], 0), n)
      lt:set_generated()
    end
    lt:append_text(n == 1 and " record" or " records")
    for i = 0, n - 1 do
      local r = records[at]
      if not r then
        lt:add_proto_expert_info(ef.malformed, string.format("%s: %d records announced, %d present", l.n, n, i))
        break
      end
      local rt = lt:add(tvb(r[1], r[2]), string.format("%s[%d]", l.n, i))
      dissect_record(tvb, rt, r, l.of, string.format("record %d (%s[%d])", at, l.n, i))
      at = at + 1
    end
  end
  if at <= #records then
    local extra = #records - at + 1
    tree:add_proto_expert_info(ef.malformed, string.format("%d record%s after the body's layout", extra, extra == 1 and "" or "s"))
  end
end

local partial = {}   -- "stream:direction" -> { ba = ByteArray, n = packets } of a message not yet ended
local joined = {}    -- packet key -> { ba = ByteArray, n = packets } of the message its last packet ends
local queue = {}     -- stream -> requests awaiting their reply (frame numbers), in order
local links = {}     -- packet key -> { request = frame } or { response = frame }

local function dissect_packet(tvb, pinfo, tree, key)
  local len = tvb:len()
  local request = pinfo.match_uint == pinfo.dst_port
  local t = tree:add(P, tvb(0, len))
  for _, hb in ipairs(HEARTBEATS) do
    if len == PRE + #hb + 1 and tvb:raw(PRE, #hb) == hb then
      t:add(hf.heartbeat, tvb(PRE, #hb), hb)
      t:append_text(", heartbeat")
      pinfo.cols.info:append((tostring(pinfo.cols.info) ~= "" and " | " or "") .. "heartbeat")
      return
    end
  end
  t:add(hf.direction, tvb(0, 0), request and "request" or "reply"):set_generated()
  if len < PRE + HEADER_SIZE + 1 then
    t:add_proto_expert_info(ef.malformed, string.format("packet of %d bytes; its header alone takes %d", len, HEADER_SIZE))
    return
  end
  if tvb(len - 1, 1):uint() ~= TERM then
    t:add_proto_expert_info(ef.malformed, string.format("the length field's size does not end on the terminator 0x%02X", TERM))
  end
  local raw = {}
  local values = {}
  local by_role = {}
  for _, h in ipairs(HEADER) do
    local r = tvb(PRE + h.off, h.w)
    local s = r:raw()
    raw[h.name] = s
    values[h.name] = unpad(h, s)
    by_role[h.role] = h
    local item = t:add(h.f, r, values[h.name])
    if h.role == "flag" then
      if s == h.yes then item:append_text(" (success)") elseif s == h.no then item:append_text(" (failure)") end
    elseif h.role == "last" then
      item:append_text(s == h.yes and " (last packet)" or " (more packets follow)")
    elseif h.role == "error" and ERROR_LABELS[s] then
      item:append_text(" = " .. ERROR_LABELS[s])
    end
  end
  -- Business type: the service table, else (otherwise = code) its digits.
  local svc = by_role.service
  local code = trim(values[svc.name])
  local biz = SERVICES[trim(raw[svc.name])] or SERVICES[code]
  if not biz and SERVICE_IS_CODE and code:match("^%d+$") and #code <= 5 and tonumber(code) <= 65535 then biz = tonumber(code) end
  local name = biz and (BIZ_NAMES[biz] or ("biz " .. biz)) or ("service " .. code)
  if biz then t:add(hf.biz, tvb(PRE + svc.off, svc.w), biz):set_generated() end
  t:add(hf.biz_name, tvb(PRE + svc.off, svc.w), name):set_generated()
  -- Return code of a reply: the error table read backwards, else the digits (as bssgate call reads it).
  local result = nil
  if not request then
    local eh = by_role.error
    local fh = by_role.flag
    local failed = fh and raw[fh.name] == fh.no
    if eh then
      local e = values[eh.name]
      result = ERRORS[e] or ERRORS[raw[eh.name]]
      if not result then
        if e:match("^0*$") then result = failed and 9999 or 0
        elseif e:match("^%d+$") then result = tonumber(e)
        else result = 9999 end
      end
      local ri = t:add(hf.result, tvb(PRE + eh.off, eh.w), result)
      ri:set_generated()
      t:add(hf.result_name, tvb(PRE + eh.off, eh.w), RC_NAMES[result] or ("unknown " .. result)):set_generated()
    else
      result = failed and 9999 or 0
    end
  end
  -- Packet number and last flag: a message of several packets is joined on its last.
  local ph = by_role.packet
  local lh = by_role["last"]
  local packet_no = ph and tonumber(trim(values[ph.name]:gsub(" ", ""))) or 1
  local last = not lh or raw[lh.name] == lh.yes
  local s = tcp_stream()
  local stream = s and tostring(s.value) or "?"
  local body_off = PRE + HEADER_SIZE
  local body_len = len - body_off - 1
  local dir_key = stream .. ":" .. (request and "q" or "r")
  if not pinfo.visited then
    if packet_no == 1 or not partial[dir_key] then partial[dir_key] = { ba = ByteArray.new(), n = 0 } end
    local m = partial[dir_key]
    if body_len > 0 then m.ba:append(tvb(body_off, body_len):bytes()) end
    m.n = m.n + 1
    if last then
      joined[key] = m
      partial[dir_key] = nil
      -- Replies answer requests in order on a stream, or (correlation = serial) the request of their serial.
      local qk = stream
      if BY_SERIAL and by_role.serial then qk = stream .. ":" .. raw[by_role.serial.name] end
      queue[qk] = queue[qk] or {}
      if request then table.insert(queue[qk], key .. "|" .. pinfo.number)
      else
        local q = table.remove(queue[qk], 1)
        if q then
          local qkey, qframe = q:match("^(.*)|(%d+)$")
          links[qkey] = { response = pinfo.number }
          links[key] = { request = tonumber(qframe) }
        end
      end
    end
  end
  local l = links[key]
  if l and l.response then t:add(hf.response_in, l.response):set_generated() end
  if l and l.request then t:add(hf.request_in, l.request):set_generated() end

  pinfo.cols.protocol = P.name
  local info = string.format("%s %s", request and "request" or "reply", name)
  if result then info = info .. " " .. (RC_NAMES[result] or tostring(result)) end
  if not last then info = info .. string.format(" (packet %d, more follow)", packet_no) end
  pinfo.cols.info:append((tostring(pinfo.cols.info) ~= "" and " | " or "") .. info)
  t:append_text(string.format(", %s %s", request and "request" or "reply", name))

  if not last then
    if body_len > 0 then t:add(hf.fragment, tvb(body_off, body_len)) end
    return
  end
  local m = joined[key]
  local body
  if m and m.n > 1 then
    body = m.ba:tvb("Joined body")
    t:add(hf.packets, tvb(0, 0), m.n):set_generated()
  else
    body = tvb(body_off, body_len):tvb()
  end
  local layout = biz and LAYOUTS[biz]
  if not request and result ~= 0 then
    if ERROR_BODY == "message" and body:len() > 0 then t:add_packet_field(hf.message, body(0, body:len()), ENC_GB18030) end
    return
  end
  if not layout then
    if body:len() > 0 then t:add(hf.body, body(0, body:len())) end
    return
  end
  dissect_body(body, t, request and layout.request or layout.response)
end

function P.dissector(tvb, pinfo, tree)
  local len = tvb:len()
  local off = 0
  while off < len do
    local n = packet_length(tvb, off)
    if n == nil then
      local t = tree:add(P, tvb(off, len - off))
      t:add_proto_expert_info(ef.malformed, "not the start of a packet")
      return len
    end
    if n < 0 or off + n > len then
      pinfo.desegment_offset = off
      pinfo.desegment_len = n < 0 and DESEGMENT_ONE_MORE_SEGMENT or (off + n - len)
      return len
    end
    dissect_packet(tvb(off, n):tvb(), pinfo, tree, pinfo.number .. ":" .. len .. ":" .. off)
    off = off + n
  end
  return off
end

function P.init()
  partial = {}
  joined = {}
  queue = {}
  links = {}
end

${luaRegisterPorts('P')}`;
