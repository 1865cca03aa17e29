-- One way to show things. inspect, graph, plot.* and friends build a *display object*
-- (its text, and what a richer front end may draw instead) and hand it to
-- nabla.display(obj), the one hook through which things are shown:
--   * in a terminal (the shell, `nabla script.lua`) the default hook prints the text;
--   * the Jupyter kernel replaces nabla.display to send rich output (an object may carry
--     __html(self) / __svg(self) metamethods returning strings, besides __tostring).
-- The callers then return the text as before (so `s = inspect(m)` still gives a string).
-- The shell does not echo again a value that was already shown while the same line ran:
-- `inspect(m)`, `inspect(m);` and `graph(loss)` show their table once.
local M = {}

local Display = {}
Display.__index = Display
Display.__name = "nabla.display"
Display.__tostring = function(self) return self.text end
M.Display = Display

-- A display object: kind ("plot", "inspect", "graph", ...), its text, and optional
-- renderers: opts.svg / opts.html = function(obj) return "<svg ...>" end.
function M.new(kind, text, opts)
  local obj = setmetatable({ kind = kind, text = tostring(text) }, Display)
  if opts then
    for k, v in pairs(opts) do obj[k] = v end
    if opts.svg then Display.__svg = Display.__svg or function(self) return self.svg and self.svg(self) end end
    if opts.html then Display.__html = Display.__html or function(self) return self.html and self.html(self) end end
  end
  return obj
end

function M.is_display(v) return getmetatable(v) == Display end

-- What was shown during the current evaluation (the shell starts one per line it runs).
local shown = {}
local generation = 0

function M.begin()
  shown = {}
  generation = generation + 1
end

-- Was v (a display object, or its text) shown during the current evaluation?
function M.was_shown(v)
  if M.is_display(v) then return shown[v.text] == true end
  return type(v) == "string" and shown[v] == true
end

-- The default hook: the text on standard output, wrapped to the terminal (a plot is
-- drawn to its width already; a wide table or graph continues under itself).
function M.print(obj)
  io.write(require("nabla.term").wrap(tostring(obj)), "\n")
  io.flush()
end

-- Shows obj through nabla.display (looked up at each call: a front end may replace it)
-- and remembers it, so the shell's echo of the returned value is skipped. Returns obj.
function M.show(obj)
  if not M.is_display(obj) then obj = M.new("text", obj) end
  shown[obj.text] = true
  local nabla = package.loaded.nabla
  local hook = type(nabla) == "table" and rawget(nabla, "display") or nil
  if type(hook) == "function" or (type(hook) == "table" and getmetatable(hook) and getmetatable(hook).__call) then
    hook(obj)
  else
    M.print(obj)
  end
  return obj
end

return M
