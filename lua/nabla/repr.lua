-- nabla.repr(v [, opts]): the text the shell prints for a value.
--   * plain tables as Lua literals, nested: {1, 2, 3}, {alpha = 1, beta = "x"}; cut to the
--     terminal's width with a count of what was cut: {0.52, 0.31, 0.25, … 997 more};
--     a table too wide for one line gets one entry a line (at most opts.lines of them);
--   * anything with __tostring (tensors, models, state dicts, plots) keeps its own text;
--   * a training history (what fit returns) as a short summary and how to plot it;
--   * a function with help as its help line; `help` itself as the help text.
-- opts: width (columns; the terminal's by default), lines (entries before cutting, 40),
-- depth (nesting shown, 4).
local nabla = require "nabla"
local doc = require "nabla.doc"
local term = require "nabla.term"
local M = {}

local function L(en, ko) return nabla.lang == "ko" and ko or en end
-- Lua's own next (the shell's global next() also steps a lesson, through a wrapper)
local next = pairs({})

local function is_ident(k)
  return type(k) == "string" and k:match("^[%a_][%w_]*$") ~= nil and not ({
    ["and"] = 1, ["break"] = 1, ["do"] = 1, ["else"] = 1, ["elseif"] = 1, ["end"] = 1, ["false"] = 1,
    ["for"] = 1, ["function"] = 1, ["goto"] = 1, ["if"] = 1, ["in"] = 1, ["local"] = 1, ["nil"] = 1,
    ["not"] = 1, ["or"] = 1, ["repeat"] = 1, ["return"] = 1, ["then"] = 1, ["true"] = 1,
    ["until"] = 1, ["while"] = 1 })[k]
end

local function number(x)
  if math.type(x) == "integer" then return tostring(x) end
  if x ~= x then return "0/0" end
  if x == math.huge then return "math.huge" end
  if x == -math.huge then return "-math.huge" end
  if x == math.floor(x) and math.abs(x) < 1e15 then return ("%.1f"):format(x) end
  return ("%.6g"):format(x)
end

local function has_tostring(v)
  local mt = getmetatable(v)
  return type(mt) == "table" and rawget(mt, "__tostring") ~= nil
end

-- ---- a training history --------------------------------------------------------------------

-- Is t what fit() returns: lists epoch and loss of the same length?
function M.is_history(t)
  return type(t) == "table" and type(rawget(t, "epoch")) == "table" and type(rawget(t, "loss")) == "table"
    and #t.loss > 0 and #t.loss == #t.epoch
end

local function arrow(list, pct)
  local f = pct and function(x) return ("%.2f%%"):format(100 * x) end or function(x) return ("%.4f"):format(x) end
  if #list == 1 then return f(list[1]) end
  return f(list[1]) .. " → " .. f(list[#list])
end

function M.history(h)
  local n = #h.epoch
  local lines = {}
  local head = L(("history: %d epoch%s"):format(n, n == 1 and "" or "s"), ("학습 기록: %d 에폭"):format(n))
  if h.interrupted then head = head .. L(" (interrupted)", " (중단됨)") end
  lines[1] = head
  local rows = {
    { "loss", h.loss }, { "accuracy", h.accuracy, true }, { "val_loss", h.val_loss },
    { "val_accuracy", h.val_accuracy, true },
  }
  for _, r in ipairs(rows) do
    local list = r[2]
    if type(list) == "table" and #list > 0 then
      local best, at = nil, nil
      for i, v in ipairs(list) do
        if best == nil or (r[3] and v > best or not r[3] and v < best) then best, at = v, i end
      end
      local extra = #list > 1 and ("  (%s %s, %s %d)"):format(L("best", "최고"),
        r[3] and ("%.2f%%"):format(100 * best) or ("%.4f"):format(best), L("epoch", "에폭"), at) or ""
      lines[#lines + 1] = ("  %-13s %s%s"):format(r[1], arrow(list, r[3]), extra)
    end
  end
  if type(h.steps) == "table" and #h.steps > 0 then
    lines[#lines + 1] = L(("  %d steps recorded in h.steps"):format(#h.steps), ("  h.steps에 %d 스텝 기록"):format(#h.steps))
  end
  local keys = {}
  for k, v in pairs(h) do if type(v) == "table" and #v > 0 then keys[#keys + 1] = k end end
  table.sort(keys)
  lines[#lines + 1] = L("fields: ", "필드: ") .. table.concat(keys, ", ")
  lines[#lines + 1] = L("plot it: plot.lines{ loss = h.loss, val_loss = h.val_loss }  (h = this history)",
                        "그래프: plot.lines{ loss = h.loss, val_loss = h.val_loss }  (h = 이 기록)")
  return table.concat(lines, "\n")
end

-- ---- tables as Lua literals ----------------------------------------------------------------

local function sorted_keys(t)
  local n = #t
  local keys = {}
  for k in next, t do
    if not (math.type(k) == "integer" and k >= 1 and k <= n) then keys[#keys + 1] = k end
  end
  table.sort(keys, function(a, b)
    local ta, tb = type(a), type(b)
    if ta ~= tb then return ta == "string" end
    if ta == "number" or ta == "string" then return a < b end
    return tostring(a) < tostring(b)
  end)
  return keys, n
end

local inline -- forward

local function key_text(k, seen, depth)
  if is_ident(k) then return k end
  return "[" .. inline(k, 60, seen, depth + 1) .. "]"
end

-- a value in at most `budget` columns, on one line; lists and tables that do not fit are
-- cut, saying how many entries were left out
function inline(v, budget, seen, depth)
  local tv = type(v)
  if tv == "string" then
    local s = ("%q"):format(v):gsub("\\\n", "\\n")
    if term.width(s) > budget and budget > 8 then
      local cut = v:sub(1, math.max(1, budget - 12))
      s = ("%q"):format(cut):gsub("\\\n", "\\n"):sub(1, -2) .. "…\""
    end
    return s
  end
  if tv == "number" then return number(v) end
  if tv ~= "table" or has_tostring(v) then
    if nabla.is_tensor and nabla.is_tensor(v) then
      if v:numel() == 1 and v:dim() <= 1 then return ("tensor(%s)"):format(number(v:item())) end
      return ("tensor(shape %s)"):format(tostring(v.shape))
    end
    if tv == "table" and M.is_history(v) then return ("<history: %d epochs>"):format(#v.epoch) end
    local s = M.value(v)
    if s:find("\n") then
      local first = s:match("^[^\n]*")
      s = first .. " …"
    end
    if term.width(s) > budget then s = s:sub(1, math.max(1, budget - 1)) .. "…" end
    return s
  end
  if M.is_history(v) and not has_tostring(v) then return ("<history: %d epochs>"):format(#v.epoch) end
  if seen[v] then return "<cycle>" end
  local keys, n = sorted_keys(v)
  local total = n + #keys
  if total == 0 then return "{}" end
  if depth >= M.max_depth then return ("{… %d}"):format(total) end
  seen[v] = true
  local parts, used = {}, 2
  local shown = 0
  local function add(text)
    parts[#parts + 1] = text
    used = used + term.width(text) + 2
    shown = shown + 1
  end
  -- entries in order, made as needed (a list of a million stops after what fits)
  local function entry(i)
    if i <= n then return { nil, v[i] } end
    local k = keys[i - n]
    return { k, v[k] }
  end
  for i = 1, total do
    local e = entry(i)
    local left = total - i + 1
    local tail = left > 1 and #(("… %d more"):format(left)) + 2 or 0
    local room = budget - used - tail
    if room < 4 then break end
    local prefix = e[1] ~= nil and (key_text(e[1], seen, depth) .. " = ") or ""
    local text = prefix .. inline(e[2], room - term.width(prefix), seen, depth + 1)
    if term.width(text) > room or (text:find("…") and i < total and room < 12) then break end
    add(text)
  end
  seen[v] = nil
  if shown < total then
    parts[#parts + 1] = ("… %d more"):format(total - shown)
    M.cuts = M.cuts + 1
  end
  return "{" .. table.concat(parts, ", ") .. "}"
end

M.max_depth = 4
M.cuts = 0 -- how many tables inline() cut (a one-line form with cuts is not the whole value)

-- a table one entry a line, each entry cut to the width; at most `lines` entries
local function block(t, width, lines)
  local seen = { [t] = true }
  local keys, n = sorted_keys(t)
  local out = { "{" }
  local total = n + #keys
  local shown = 0
  local function entry(prefix, v)
    local text = "  " .. prefix .. inline(v, width - 3 - term.width(prefix), seen, 1) .. ","
    out[#out + 1] = text
    shown = shown + 1
  end
  for i = 1, n do
    if shown >= lines then break end
    entry("", t[i])
  end
  for _, k in ipairs(keys) do
    if shown >= lines then break end
    entry(key_text(k, seen, 0) .. " = ", t[k])
  end
  if shown < total then
    out[#out + 1] = L(("  … %d more"):format(total - shown), ("  … %d개 더"):format(total - shown))
  end
  out[#out + 1] = "}"
  return table.concat(out, "\n")
end

-- ---- functions -------------------------------------------------------------------------------

local function function_text(f)
  local ok, help = pcall(require, "nabla.help")
  if ok and type(help) == "table" then
    if f == help.help or f == rawget(nabla, "help") then
      return (help.text and help.text()) or "help()"
    end
    if type(help.find) == "function" then
      local ok2, e = pcall(help.find, f)
      e = ok2 and e or nil
      if e then return ("%s\n    %s"):format(e.sig or e.name, e[nabla.lang == "ko" and "ko" or "en"] or e.en or "") end
    end
  end
  local info = debug.getinfo(f, "S")
  if info and info.what == "Lua" and info.short_src then
    local src = info.short_src
    if src:find("/") then src = src:match("([^/]+)$") end
    return ("function (%s:%d)"):format(src, info.linedefined or 0)
  end
  return "function (built in)"
end

-- ---- the entry points ------------------------------------------------------------------------

-- The text for any value, as the shell prints it. Strings print as they are at the top
-- level (as in the standard Lua prompt) and quoted inside tables.
function M.value(v, opts)
  opts = opts or {}
  local width = opts.width or term.columns()
  local tv = type(v)
  if tv == "string" then return v end
  if tv == "number" then return math.type(v) == "integer" and tostring(v) or tostring(v) end
  if tv == "function" then return function_text(v) end
  if has_tostring(v) then
    local ok, s = pcall(tostring, v)
    return ok and s or ("<%s>"):format(tv)
  end
  if tv == "table" then
    if M.is_history(v) then return M.history(v) end
    -- the whole value on one line, if it fits (rendered within the width: a huge table
    -- is not written out in full first)
    M.cuts = 0
    local one = inline(v, width, {}, 0)
    if M.cuts == 0 and term.width(one) <= width then return one end
    -- a list of numbers or strings stays on one line, cut; anything else one entry a line
    local flat = next(v, #v > 0 and #v or nil) == nil
    for i = 1, #v do if type(v[i]) == "table" then flat = false break end end
    if flat then return inline(v, width, {}, 0) end
    return block(v, width, opts.lines or 40)
  end
  return tostring(v)
end
doc(M.value, { name = "repr", sig = "repr(v [, {width, lines}])", group = "The shell", en = "the text the shell prints for v: tables as Lua literals cut to the terminal, a history as a summary", ko = "셸이 v를 보여 주는 글: 테이블은 터미널 폭에 맞춘 Lua 리터럴, 학습 기록은 요약" })

setmetatable(M, { __call = function(_, v, opts) return M.value(v, opts) end })

-- The shell's echo of a line's results: each value's text, tab-separated; a value shown
-- already while the line ran (inspect, graph, a plot) is not echoed again. nil: nothing.
function M.results(...)
  local display = require "nabla.display"
  local parts = {}
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    if not display.was_shown(v) then parts[#parts + 1] = M.value(v) end
  end
  if #parts == 0 then return nil end
  -- what is wider than the terminal continues under itself, broken between words
  return term.wrap(table.concat(parts, "\t"))
end

return M
