-- help(x): the signature and a one-line description of any public function, module or
-- method, in English or Korean (nabla.lang). help() lists the topics.
--
-- Every name is documented beside its definition with doc() (lua/nabla/doc.lua, the
-- registry); names the C engine defines get their text from the C op tables
-- (nabla._C.docs: name -> { sig, en, ko, kind = "method"|"function"|"both" }) and, until a
-- table carries it, from lua/nabla/core_docs.lua. This file has two parts: looking a name
-- up (M.find, M.topics, M.members, M.all), and printing it (M.text, M.help), which uses
-- only the first part.
local nabla = require "nabla"
local registry = require "nabla.doc"

local M = { entries = registry.entries, by_object = registry.by_object }
M.doc, M.register = registry, registry.register

-- ---- the registry's contents ----------------------------------------------------------------

-- the C op tables' own text, when the engine has them
function M.load_c_docs()
  local C = rawget(nabla, "_C")
  local docs = type(C) == "table" and rawget(C, "docs")
  if type(docs) ~= "table" then return end
  for name, d in pairs(docs) do
    if type(name) == "string" and type(d) == "table" and d.en and d.ko then
      local kind = d.kind or "function"
      local fn = rawget(nabla, name)
      local sig = d.sig or (kind == "method" and "x:" .. name .. "()" or name .. "()")
      -- the section in docs/API.md: the table's, or that of the text it replaces
      local key = (kind == "function") and name or "Tensor:" .. name
      local group = d.group or (registry.entries[key] and registry.entries[key].group)
      if kind == "method" or kind == "both" then
        local e = registry.register(nil, { name = "Tensor:" .. name, sig = sig, en = d.en, ko = d.ko,
                                           group = group, kind = "method" }, nil, nil, nil, "C")
        if kind == "both" and fn ~= nil and registry.by_object[fn] == nil then registry.by_object[fn] = e end
      else
        registry.register(fn, { name = name, sig = sig, en = d.en, ko = d.ko, group = group,
                                kind = "function" }, nil, nil, nil, "C")
      end
    end
  end
end

require "nabla.core_docs"
M.load_c_docs()

-- Loads every lazily loaded part of nabla (nn, optim, data, plot...), so that each has
-- registered its names.
local loaded_all = false
function M.load_all()
  loaded_all = true
  for _, k in ipairs(nabla.lazy_names()) do pcall(function() return nabla[k] end) end
  if nabla.nn then pcall(function() return nabla.nn.functional end) end
end

-- every entry, sorted by name
function M.all()
  M.load_all()
  local list = {}
  for _, e in pairs(registry.entries) do list[#list + 1] = e end
  table.sort(list, function(a, b) return a.name < b.name end)
  return list
end

-- resolves a dotted name ("nn.Linear") through the globals and nabla, without erroring
local function resolve_in(v, name)
  for part in name:gmatch("[^%.:]+") do
    if type(v) ~= "table" and type(v) ~= "userdata" then return nil end
    local ok, r = pcall(function() return v[part] end)
    if not ok then return nil end
    v = r
  end
  return v
end

local function resolve(name)
  local v = resolve_in(_G, name)
  if v == nil then v = resolve_in(nabla, (name:gsub("^nabla%.", ""))) end
  return v
end
M.resolve = resolve

local tensor_methods
local function method_name(f)
  if not tensor_methods then
    tensor_methods = {}
    for k, v in pairs(getmetatable(nabla.zeros(1)).__methods) do tensor_methods[v] = k end
  end
  return tensor_methods[f]
end

-- value -> entry for the entries documented by name only (zeros, nn...), rebuilt when the
-- registry has changed. Walks a copy: resolving a name may load a module, which registers
-- more entries meanwhile.
local resolved, resolved_version = nil, -1
local function by_name_value()
  while resolved_version ~= registry.version do
    resolved_version = registry.version
    resolved = setmetatable({}, { __mode = "k" })
    local all = {}
    for name, entry in pairs(registry.entries) do all[#all + 1] = { name, entry } end
    for _, item in ipairs(all) do
      local name, entry = item[1], item[2]
      if not name:find(":", 1, true) then
        local v = resolve(name)
        if v ~= nil and (type(v) == "function" or type(v) == "table" or type(v) == "userdata")
           and resolved[v] == nil then
          resolved[v] = entry
        end
      end
    end
  end
  return resolved
end

-- The entry that documents x (a value, or a name as a string), or nil.
function M.find(x)
  if type(x) == "string" then
    local e = registry.entries[x] or registry.entries["Tensor:" .. x]
    if e then return e end
    local v = resolve(x)
    return v ~= nil and M.find(v) or nil
  end
  if x == nil then return nil end
  local e = registry.by_object[x]
  if e then return e end
  -- a function that is also a tensor method (relu(x) and x:relu())
  local m = type(x) == "function" and method_name(x)
  if m and registry.entries["Tensor:" .. m] then return registry.entries["Tensor:" .. m] end
  -- an object documented by name only: what the names resolve to
  e = by_name_value()[x]
  if e then
    registry.by_object[x] = e
    return e
  end
  -- a module instance: its class
  if type(x) == "table" then
    local mt = getmetatable(x)
    if mt and registry.by_object[mt] then return registry.by_object[mt] end
  end
  -- documented in a part of nabla not loaded yet (nn.functional for conv2d)
  if not loaded_all then
    M.load_all()
    return M.find(x)
  end
  return nil
end

-- the top-level names (no dot, no colon), sorted
function M.topics()
  M.load_all()
  local names = {}
  for name in pairs(registry.entries) do
    if not name:find("[%.:]") then names[#names + 1] = name end
  end
  table.sort(names)
  return names
end

-- the tensor methods' entries, sorted by name
function M.methods()
  M.load_all()
  local list = {}
  for name, e in pairs(registry.entries) do
    if name:match("^Tensor:") then list[#list + 1] = e end
  end
  table.sort(list, function(a, b) return a.name < b.name end)
  return list
end

-- the documented entries a table (a module such as nn) holds, except the table's own entry
function M.members(t, own)
  local list, seen = {}, {}
  for k, v in pairs(t) do
    if type(k) == "string" and k:sub(1, 1) ~= "_" then
      local ok, e = pcall(M.find, v)
      if ok and e and e ~= own and not seen[e] then
        seen[e] = true
        list[#list + 1] = e
      end
    end
  end
  table.sort(list, function(a, b) return a.sig < b.sig end)
  return list
end

-- ---- printing -------------------------------------------------------------------------------

local function lang() return nabla.lang == "ko" and "ko" or "en" end
local function say(e) return e[lang()] or e.en or "" end

local function line(e)
  return ("%s\n    %s"):format(e.sig or e.name, say(e))
end

local function row(e)
  local sig = e.sig or e.name
  if #sig <= 44 then return ("  %-44s %s"):format(sig, say(e)) end
  -- a long signature: its text under it, in the text column when the terminal leaves it
  -- room, else indented by six (as term.wrap lays out a row too narrow for its text)
  if require("nabla.term").columns() < 88 then return ("  %s\n      %s"):format(sig, say(e)) end
  return ("  %s\n  %-44s %s"):format(sig, "", say(e))
end

function M.text(x)
  if x == nil then
    local head = lang() == "ko"
      and "help(x)로 무엇이든 물어보세요. 텐서 메서드는 help(tensor{0})로 봅니다. 주제:"
      or "Ask help(x) about anything. Tensor methods: help(tensor{0}). Topics:"
    return head .. "\n  " .. table.concat(M.topics(), "  ")
  end
  if nabla.is_tensor(x) then
    local lines = { lang() == "ko" and "텐서 메서드:" or "Tensor methods:" }
    for _, e in ipairs(M.methods()) do lines[#lines + 1] = ("  %-44s %s"):format(e.sig, say(e)) end
    return table.concat(lines, "\n")
  end
  local e = M.find(x)
  if type(x) == "string" then
    local v = resolve(x)
    if type(v) == "table" then x = v end
  end
  -- a module table (nn, optim, plot...): its own line, then what it holds that has help
  local listing = {}
  if type(x) == "table" and (e == nil or e.kind == "module" or not e.name:find("[%.:]")) then
    for _, m in ipairs(M.members(x, e)) do listing[#listing + 1] = row(m) end
    table.sort(listing)
  end
  if e and #listing > 0 then return line(e) .. "\n" .. table.concat(listing, "\n") end
  if e then return line(e) end
  if #listing > 0 then return table.concat(listing, "\n") end
  -- any other value a learner holds: described (a method taken as a value, a history, a
  -- table, a number...) rather than refused
  local ok, d = pcall(function() return require("nabla.describe").describe(x, M) end)
  if ok and d then return d end
  return lang() == "ko" and ("%s에 대한 도움말이 없습니다 (help()로 주제 목록을 보세요)"):format(tostring(x))
    or ("no help for %s (help() lists the topics)"):format(tostring(x))
end

function M.help(x)
  print(require("nabla.term").wrap(M.text(x)))
end
registry(M.help, "help(x)", "describe x; help() lists the topics", "x를 설명합니다. help()는 주제 목록", "The shell")

return M
