-- doc(obj, sig, en, ko [, group]): the one way a public name gets its help, written beside
-- the name's definition:
--
--   function plot.hist(values, opts) ... end
--   doc(plot.hist, "plot.hist(values, { bins = 20 })", "a histogram of values", "값의 히스토그램")
--
-- obj is what help(x) will be asked about (a function, a class, a module table; nil for a
-- name known only by its spelling, such as a tensor method defined in C). The name is the
-- signature's first word: "nn.Linear(...)" is nn.Linear, "x:view(...)" is the tensor method
-- Tensor:view, "model:train()" a method of nn.Module. en and ko are one line each, in
-- English and in Korean. group (optional) is the heading the name goes under in docs/API.md
-- and in help(); without it the name's prefix ("nn.", "optim.", "Tensor:"...) decides.
-- doc(obj, { name =, sig =, en =, ko =, group = }) says the same with a table.
--
-- This file is the registry only, in plain Lua with no dependency, so that modules that
-- also run in stock lua5.4 (plot) can document themselves; nabla.help looks names up and
-- prints them.
local M = {
  entries = {},                                      -- name -> entry
  by_object = setmetatable({}, { __mode = "k" }),    -- obj -> entry
  version = 0,                                       -- changes with every registration
}

-- the name a signature documents: its first word, "x:" spelt "Tensor:"
local function name_of(sig)
  local name = sig:match("^([%w_%.:]+)") or sig
  return (name:gsub("^x:", "Tensor:"))
end
M.name_of = name_of

-- what kind of name it is, from its spelling and its object
local function kind_of(name, obj)
  if name:find(":", 1, true) then return "method" end
  if type(obj) == "function" then return "function" end
  if type(obj) == "table" then
    return (getmetatable(obj) or rawget(obj, "__name") or rawget(obj, "__index")) and "class" or "module"
  end
  return "function"
end

-- where the doc() line is: the file (from "nabla/...") and the line of the outermost call
-- in the first file outside this one (a helper that calls doc() counts as its caller's line)
local function origin()
  local level, src, line = 3, nil, 0
  while true do
    local info = debug.getinfo(level, "Sl")
    if not info then break end
    if src == nil then
      if not info.source:find("nabla/doc%.lua$") then src, line = info.source, info.currentline end
    elseif info.source == src then
      line = info.currentline
    else
      break
    end
    level = level + 1
  end
  src = src or "?"
  return src:match(".*/(nabla/.*)$") or src, line
end

-- source: "lua" (beside a Lua definition), "C" (an op table's text, nabla._C.docs) or
-- "fallback" (a C name's text kept in Lua until its op table carries it); a fallback never
-- replaces the others, and C text never replaces a Lua definition's.
local rank = { fallback = 1, C = 2, lua = 3 }

function M.register(obj, sig, en, ko, group, source)
  local e
  if type(sig) == "table" then
    local t = sig
    e = { name = t.name, sig = t.sig or t.signature or t.name, en = t.en, ko = t.ko,
          group = t.group, kind = t.kind }
    source = source or t.source
  else
    e = { sig = sig, en = en, ko = ko, group = group }
  end
  assert(type(e.sig) == "string", "doc: a signature (string) is needed")
  e.name = e.name or (type(obj) == "string" and obj) or name_of(e.sig)
  if type(obj) == "string" then obj = nil end
  e.kind = e.kind or kind_of(e.name, obj)
  e.method = e.name:match("^Tensor:(.+)$")
  e.source = source or "lua"
  e.file, e.line = origin()
  M.version = M.version + 1
  local old = M.entries[e.name]
  if old and rank[old.source] > rank[e.source] then
    if obj ~= nil and M.by_object[obj] == nil then M.by_object[obj] = old end
    return old
  end
  M.entries[e.name] = e
  if obj ~= nil then M.by_object[obj] = e end
  return e
end

setmetatable(M, { __call = function(_, ...) return M.register(...) end })

return M
